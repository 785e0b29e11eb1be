/* SPDX-License-Identifier: MIT */
/*
 * AVX2 kernels of the fast CPU path. This file is compiled with -mavx2 and
 * only called after a CPUID check. All products are int16 x int16 -> int32
 * through vpmaddwd, which cannot saturate for our operands (|in - in_zp| <=
 * 255, |w - w_zp| <= 32768), and all sums are vpaddd, which wraps exactly
 * like the reference's uint32 accumulator. vpmaddubsw would be twice as
 * fast but saturates its int16 pair sums, so it is not used.
 */
#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>
#include <string.h>

#include "cpu_internal.h"

#define INLINE static inline __attribute__((always_inline))

INLINE __m256i bcast_pair(const int16_t *x)
{
	int32_t v;

	memcpy(&v, x, sizeof(v));	/* no aliasing games with int16 data */
	return _mm256_set1_epi32(v);
}

INLINE __m256i loadu(const void *p)
{
	return _mm256_loadu_si256((const __m256i *)p);
}

/* ------------------------------------------------------------------ */
/* Requantization, lane for lane equal to npu_requant()               */
/* ------------------------------------------------------------------ */

/*
 * SRDHM: the reference adds 2^30 (or 1 - 2^30 when ab < 0) and truncates
 * toward zero; for ab < 0 that equals floor((ab + 2^30) / 2^31), so both
 * signs are one add and one shift. Bits 31..62 of the sum are the result.
 * vpmuldq multiplies the even lanes; the odd lanes' multipliers are the
 * same table loaded one channel later (b_odd), which puts them in even
 * lanes. saturate: only when some multiplier is INT32_MIN.
 */
INLINE __m256i srdhm8(__m256i a, __m256i b, __m256i b_odd, int saturate)
{
	const __m256i nudge = _mm256_set1_epi64x(INT64_C(1) << 30);
	__m256i even = _mm256_add_epi64(_mm256_mul_epi32(a, b), nudge);
	__m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(a, 32), b_odd), nudge);
	/* even: bits 31..62 down to the low dword; odd: up to the high dword */
	__m256i r = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1),
				       0xaa);

	if (saturate) {
		const __m256i min = _mm256_set1_epi32(INT32_MIN);
		__m256i sat = _mm256_and_si256(_mm256_cmpeq_epi32(a, min),
					       _mm256_cmpeq_epi32(b, min));

		r = _mm256_blendv_epi8(r, _mm256_set1_epi32(INT32_MAX), sat);
	}
	return r;
}

/*
 * RDBPOT: the reference adds 1 to x >> e when rem > (2^(e-1) - 1) + [x<0],
 * i.e. when rem + 2^(e-1) - [x<0] >= 2^e; that sum is below 2^(e+1), so
 * shifting it right by e gives the 0 or 1 to add. It fits uint32 for
 * e <= 31. For e = 0 the shift count is 32, which vpsrlvd turns into 0.
 */
INLINE __m256i rdbpot8(const struct cpu_rq *rq, int k, __m256i x)
{
	__m256i rem = _mm256_and_si256(x, loadu(rq->mask + k));
	__m256i t = _mm256_add_epi32(_mm256_add_epi32(rem, loadu(rq->half + k)),
				     _mm256_srai_epi32(x, 31));

	return _mm256_add_epi32(_mm256_srav_epi32(x, loadu(rq->right + k)),
				_mm256_srlv_epi32(t, loadu(rq->fshift + k)));
}

/*
 * fp32 mode: cvtdq2ps and cvtps2dq round by MXCSR like (float) and lrintf()
 * do by the C rounding mode, and fesetround() sets both. cvtps2dq already
 * gives INT32_MIN below -2^31; only the top needs saturating. rq->vec is
 * clear when a scale is not finite, so p is never NaN here.
 */
INLINE __m256i rq_fp32_8(const struct cpu_rq *rq, int k, __m256i acc)
{
	__m256 p = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(rq->scale + k));
	__m256 big = _mm256_cmp_ps(p, _mm256_set1_ps(2147483648.0f), _CMP_GE_OQ);

	return _mm256_blendv_epi8(_mm256_cvtps_epi32(p), _mm256_set1_epi32(INT32_MAX),
				  _mm256_castps_si256(big));
}

INLINE __m256i rq_fixed_8(const struct cpu_rq *rq, int k, __m256i acc)
{
	__m256i xs = _mm256_sllv_epi32(acc, loadu(rq->left + k));	/* wraps, as in C */
	__m256i hi = srdhm8(xs, loadu(rq->q + k), loadu(rq->q + k + 1), rq->q_min);

	return rdbpot8(rq, k, hi);
}

INLINE __m256i requant8(const struct cpu_rq *rq, int k, __m256i acc)
{
	__m256i v = rq->mode == NPU_RQ_FIXED ? rq_fixed_8(rq, k, acc) : rq_fp32_8(rq, k, acc);

	v = _mm256_max_epi32(v, _mm256_set1_epi32(rq->lo));
	v = _mm256_min_epi32(v, _mm256_set1_epi32(rq->hi));
	return _mm256_add_epi32(v, _mm256_set1_epi32(rq->zp));
}

void cpu_requant16_avx2(const struct cpu_rq *rq, int k0, const int32_t *acc, int32_t *res)
{
	_mm256_storeu_si256((__m256i *)res, requant8(rq, k0, loadu(acc)));
	_mm256_storeu_si256((__m256i *)(res + 8), requant8(rq, k0 + 8, loadu(acc + 8)));
}

/* Requantized values are inside the 8-bit type already: packing cannot clip. */
INLINE __m128i pack16_bytes(const struct cpu_rq *rq, __m256i r0, __m256i r1)
{
	__m256i w = _mm256_permute4x64_epi64(_mm256_packs_epi32(r0, r1), 0xd8);
	__m128i lo = _mm256_castsi256_si128(w), hi = _mm256_extracti128_si256(w, 1);

	if (rq->out_type == NPU_TYPE_INT8)
		return _mm_packs_epi16(lo, hi);
	return _mm_packus_epi16(lo, hi);
}

/* Stores channels k0..k0+n-1 of pixel P; a0/a1 hold channels 0-7 / 8-15. */
INLINE void emit16(const struct cpu_plan *p, size_t P, int k0, int n, __m256i a0, __m256i a1)
{
	const struct npu_conv_spec *s = p->s;
	size_t o = P * (size_t)s->out_c + (size_t)k0;
	int32_t tmp[CPU_NR];

	if (s->out_type == NPU_TYPE_INT32 && n == CPU_NR) {
		_mm256_storeu_si256((__m256i *)((int32_t *)p->out + o), a0);
		_mm256_storeu_si256((__m256i *)((int32_t *)p->out + o + 8), a1);
	} else if (s->out_type != NPU_TYPE_INT32 && p->rq.vec) {
		__m128i b = pack16_bytes(&p->rq, requant8(&p->rq, k0, a0),
					 requant8(&p->rq, k0 + 8, a1));

		if (n == CPU_NR)
			_mm_storeu_si128((__m128i *)((uint8_t *)p->out + o), b);
		else
			memcpy((uint8_t *)p->out + o, &b, (size_t)n);
	} else {
		_mm256_storeu_si256((__m256i *)tmp, a0);
		_mm256_storeu_si256((__m256i *)(tmp + 8), a1);
		cpu_emit_row(p, P, k0, n, tmp);
	}
}

static int width(int avail)
{
	return avail < CPU_NR ? avail : CPU_NR;
}

/* ------------------------------------------------------------------ */
/* GEMM microkernel: MR pixels x 16 channels in 2*MR accumulators      */
/* ------------------------------------------------------------------ */

/*
 * Per channel pair: two aligned weight loads, MR broadcasts of an input
 * pair, 2*MR vpmaddwd + vpaddd. With MR = 6 that is 15 ymm registers.
 */
INLINE void gemm_tile(const struct cpu_plan *p, const int16_t *wb,
		      const int16_t *const *bases, size_t P0, const int MR, int g, int blk)
{
	int k0 = g * p->kpg + blk * CPU_NR, t, j, i;
	const int16_t *base[CPU_MR];
	__m256i acc[CPU_MR][2];
	__m256i b0 = loadu(p->bias + k0), b1 = loadu(p->bias + k0 + 8);

#pragma GCC unroll 6
	for (i = 0; i < MR; i++) {
		base[i] = bases[i] + (size_t)g * p->cpgp;
		acc[i][0] = b0;
		acc[i][1] = b1;
	}
	for (t = 0; t < p->nruns; t++) {
		const int16_t *x[CPU_MR];

#pragma GCC unroll 6
		for (i = 0; i < MR; i++)
			x[i] = base[i] + p->tap_off[t * p->run_step];
		for (j = 0; j < p->run_pairs; j++, wb += 2 * CPU_NR) {
			__m256i w0 = _mm256_load_si256((const __m256i *)wb);
			__m256i w1 = _mm256_load_si256((const __m256i *)(wb + 16));

#pragma GCC unroll 6
			for (i = 0; i < MR; i++) {
				__m256i a = bcast_pair(x[i] + 2 * j);

				acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(a, w0));
				acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(a, w1));
			}
		}
	}
#pragma GCC unroll 6
	for (i = 0; i < MR; i++)
		emit16(p, P0 + i, k0, width(p->kpg - blk * CPU_NR), acc[i][0], acc[i][1]);
}

void cpu_gemm_tile_avx2(const struct cpu_plan *p, const int16_t *wb,
			const int16_t *const *bases, size_t P0, int mr, int g, int blk)
{
	switch (mr) {
	case 6: gemm_tile(p, wb, bases, P0, 6, g, blk); break;
	case 5: gemm_tile(p, wb, bases, P0, 5, g, blk); break;
	case 4: gemm_tile(p, wb, bases, P0, 4, g, blk); break;
	case 3: gemm_tile(p, wb, bases, P0, 3, g, blk); break;
	case 2: gemm_tile(p, wb, bases, P0, 2, g, blk); break;
	default: gemm_tile(p, wb, bases, P0, 1, g, blk); break;
	}
}

/* ------------------------------------------------------------------ */
/* Depthwise: 16 channels of one pixel, two taps per vpmaddwd          */
/* ------------------------------------------------------------------ */

void cpu_dw_pixel_avx2(const struct cpu_plan *p, const int16_t *pixel, size_t P, int kb)
{
	int k0 = kb * CPU_NR, ntp = (p->taps + 1) / 2, tp;
	const int16_t *wb = p->wpk + (size_t)kb * p->blk_elems;
	const int16_t *base = pixel + k0;
	__m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();

	for (tp = 0; tp < ntp; tp++, wb += 32) {
		__m256i x0 = loadu(base + p->tap_off[2 * tp]);
		__m256i x1 = loadu(base + p->tap_off[2 * tp + 1]);

		/* lo: channels 0-3 and 8-11, hi: 4-7 and 12-15 (pack_dw_block) */
		__m256i w0 = _mm256_load_si256((const __m256i *)wb);
		__m256i w1 = _mm256_load_si256((const __m256i *)(wb + 16));

		lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), w0));
		hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), w1));
	}
	emit16(p, P, k0, width(p->s->out_c - k0),
	       _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x20), loadu(p->bias + k0)),
	       _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x31),
				loadu(p->bias + k0 + 8)));
}

/* ------------------------------------------------------------------ */
/* GEMV: few pixels, weights read raw, NK channels at a time           */
/* ------------------------------------------------------------------ */

INLINE __m256i widen_w(const void *w, size_t i, int is_u8)
{
	__m128i v = _mm_loadu_si128((const __m128i *)((const uint8_t *)w + i));

	return is_u8 ? _mm256_cvtepu8_epi16(v) : _mm256_cvtepi8_epi16(v);
}


INLINE int32_t w_scalar(const void *w, size_t i, int is_u8)
{
	return is_u8 ? ((const uint8_t *)w)[i] : ((const int8_t *)w)[i];
}

INLINE int32_t hsum8(__m256i v)
{
	__m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));

	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
	return _mm_cvtsi128_si32(s);
}

/* Dot products of one pixel's receptive field with NK weight rows from k. */
INLINE void gemv_rows(const struct cpu_plan *p, const int16_t *base, int k, const int NK,
		      const int is_u8, int32_t *res)
{
	size_t row = (size_t)p->taps * p->cpg, wi;
	__m256i acc[4], zp[4];
	uint32_t tail[4];
	int i, t, c;

#pragma GCC unroll 4
	for (i = 0; i < NK; i++) {
		acc[i] = _mm256_setzero_si256();
		zp[i] = _mm256_set1_epi16((int16_t)p->wzp[k + i]);
		tail[i] = (uint32_t)p->bias[k + i];
	}
	for (t = 0, wi = (size_t)k * row; t < p->taps; t++, wi += (size_t)p->cpg) {
		const int16_t *x = base + p->tap_off[t];

		for (c = 0; c + 16 <= p->cpg; c += 16) {
			__m256i xv = loadu(x + c);

#pragma GCC unroll 4
			for (i = 0; i < NK; i++) {
				size_t at = wi + i * row + (size_t)c;
				/* wrapping int16 subtract is exact: w - w_zp fits int16 */
				__m256i wv = _mm256_sub_epi16(widen_w(p->w, at, is_u8), zp[i]);

				acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(xv, wv));
			}
		}
		for (; c < p->cpg; c++) {
			for (i = 0; i < NK; i++) {
				int32_t wv = w_scalar(p->w, wi + i * row + (size_t)c, is_u8);

				tail[i] += (uint32_t)(x[c] * (wv - p->wzp[k + i]));
			}
		}
	}
	for (i = 0; i < NK; i++)
		res[i] = (int32_t)(tail[i] + (uint32_t)hsum8(acc[i]));
}

INLINE void gemv_block(const struct cpu_plan *p, size_t P, int g, int blk, const int is_u8)
{
	int k0 = g * p->kpg + blk * CPU_NR, n = width(p->kpg - blk * CPU_NR), j;
	const int16_t *base = cpu_pixel_base(p, P) + (size_t)g * p->cpgp;
	int32_t res[CPU_NR];

	for (j = 0; j + 4 <= n; j += 4)
		gemv_rows(p, base, k0 + j, 4, is_u8, res + j);
	for (; j < n; j++)
		gemv_rows(p, base, k0 + j, 1, is_u8, res + j);
	cpu_emit_row(p, P, k0, n, res);
}

void cpu_gemv_block_avx2(const struct cpu_plan *p, size_t P, int g, int blk)
{
	if (p->s->w_type == NPU_TYPE_UINT8)
		gemv_block(p, P, g, blk, 1);
	else
		gemv_block(p, P, g, blk, 0);
}

/* ------------------------------------------------------------------ */
/* Scratch preparation                                                 */
/* ------------------------------------------------------------------ */

int cpu_convert_avx2(int16_t *d, const uint8_t *src, int n, int zp, int is_u8)
{
	const __m256i z = _mm256_set1_epi16((int16_t)zp);
	int c;

	for (c = 0; c + 16 <= n; c += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(src + c));
		__m256i w = is_u8 ? _mm256_cvtepu8_epi16(v) : _mm256_cvtepi8_epi16(v);

		_mm256_storeu_si256((__m256i *)(d + c), _mm256_sub_epi16(w, z));
	}
	return c;
}

/*
 * 8x8 transpose of 16-bit units. A unit is a pair of adjacent int8
 * weights (input channels 2j, 2j+1) of one output channel, which is
 * exactly what one dword of a packed weight vector holds before widening.
 */
INLINE void transpose8x8_epi16(__m128i r[8])
{
	__m128i a[8], b[8];
	int i;

	for (i = 0; i < 4; i++) {
		a[2 * i] = _mm_unpacklo_epi16(r[2 * i], r[2 * i + 1]);
		a[2 * i + 1] = _mm_unpackhi_epi16(r[2 * i], r[2 * i + 1]);
	}
	for (i = 0; i < 2; i++) {
		b[4 * i + 0] = _mm_unpacklo_epi32(a[4 * i + 0], a[4 * i + 2]);
		b[4 * i + 1] = _mm_unpackhi_epi32(a[4 * i + 0], a[4 * i + 2]);
		b[4 * i + 2] = _mm_unpacklo_epi32(a[4 * i + 1], a[4 * i + 3]);
		b[4 * i + 3] = _mm_unpackhi_epi32(a[4 * i + 1], a[4 * i + 3]);
	}
	for (i = 0; i < 4; i++) {
		r[2 * i] = _mm_unpacklo_epi64(b[i], b[4 + i]);
		r[2 * i + 1] = _mm_unpackhi_epi64(b[i], b[4 + i]);
	}
}

/* Weight zero points of 8 channels, each twice: the int16 pair layout. */
INLINE __m256i zp_pairs(const int32_t *zp)
{
	__m256i z = _mm256_loadu_si256((const __m256i *)zp);	/* 8 x int32, |zp| < 2^15 */

	return _mm256_or_si256(_mm256_and_si256(z, _mm256_set1_epi32(0xffff)),
			       _mm256_slli_epi32(z, 16));
}

INLINE __m256i widen8(__m128i v, int is_u8)
{
	return is_u8 ? _mm256_cvtepu8_epi16(v) : _mm256_cvtepi8_epi16(v);
}

/* 16 weights of row src (NULL: a channel past the group, all zero). */
INLINE __m128i load_row16(const uint8_t *src, size_t at)
{
	static const uint8_t zero_row[16];

	return _mm_loadu_si128((const __m128i *)(src ? src + at : zero_row));
}

int cpu_pack_gemm_avx2(const struct cpu_plan *p, size_t cb, int16_t *dst)
{
	int g = (int)(cb / (size_t)p->nblk), blk = (int)(cb % (size_t)p->nblk);
	int kg0 = blk * CPU_NR, k0 = g * p->kpg + kg0, npairs = p->cpgp / 2;
	int is_u8 = p->s->w_type == NPU_TYPE_UINT8, cend = p->cpg & ~15, jj, t, c, j;
	size_t row = (size_t)p->taps * p->cpg;
	const uint8_t *src[CPU_NR];
	int32_t zp[CPU_NR];
	__m256i z0, z1;

	/* channels past the group read zeros and have zero point 0 */
	for (jj = 0; jj < CPU_NR; jj++) {
		int valid = kg0 + jj < p->kpg;

		src[jj] = valid ? (const uint8_t *)p->w + (size_t)(k0 + jj) * row : NULL;
		zp[jj] = valid ? p->wzp[k0 + jj] : 0;
	}
	z0 = zp_pairs(zp);
	z1 = zp_pairs(zp + 8);
	for (t = 0; t < p->taps; t++) {
		for (c = 0; c < cend; c += 16) {
			size_t at = (size_t)t * p->cpg + (size_t)c;
			int16_t *d = dst + ((size_t)t * npairs + c / 2) * 2 * CPU_NR;
			__m128i lo[8], hi[8];

			for (jj = 0; jj < 8; jj++) {
				lo[jj] = load_row16(src[jj], at);
				hi[jj] = load_row16(src[jj + 8], at);
			}
			transpose8x8_epi16(lo);
			transpose8x8_epi16(hi);
			for (j = 0; j < 8; j++, d += 2 * CPU_NR) {
				_mm256_store_si256((__m256i *)d,
						   _mm256_sub_epi16(widen8(lo[j], is_u8), z0));
				_mm256_store_si256((__m256i *)(d + 16),
						   _mm256_sub_epi16(widen8(hi[j], is_u8), z1));
			}
		}
	}
	return cend;
}

#endif /* x86 */
