/* SPDX-License-Identifier: MIT */
/*
 * The fast CPU convolution: planning, scratch layouts, threading and the
 * portable C kernels. The AVX2 kernels in cpu_avx2.c use the same layouts,
 * so the two only differ in how they multiply.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpu_internal.h"
#include "npu_cpu.h"

/*
 * Up to this many output pixels, packing the weights costs more than it
 * saves (measured: m = 9 GEMV 10% faster, m = 16 GEMM 20% faster).
 */
#define GEMV_MAX_PIXELS	12
/*
 * Starting and joining a thread costs 30-100 us on the VMs this runs on,
 * about 4M MACs of single-thread work: give each thread at least this.
 */
#define MIN_MACS_PER_THREAD	(UINT64_C(4) << 20)
#define MAX_THREADS	64
#define MAX_CHUNK	(CPU_MR * 16)	/* output pixels per pixel_bases() call */

#if defined(__x86_64__) || defined(__i386__)
#define CPU_X86 1
#else
#define CPU_X86 0
#endif

int npu_cpu_have_avx2(void)
{
#if CPU_X86
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") != 0;
#else
	return 0;
#endif
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static int mul_size(size_t a, size_t b, size_t *r)
{
	if (a && b > SIZE_MAX / a)
		return -1;
	*r = a * b;
	return 0;
}

static size_t round_up(size_t v, size_t to)
{
	return (v + to - 1) / to * to;
}

/* aligned_alloc wants a size that is a multiple of the alignment. */
static void *alloc_aligned(size_t bytes)
{
	if (bytes > SIZE_MAX - CPU_ALIGN)
		return NULL;
	return aligned_alloc(CPU_ALIGN, round_up(bytes ? bytes : 1, CPU_ALIGN));
}

/* ------------------------------------------------------------------ */
/* Scratch memory                                                      */
/* ------------------------------------------------------------------ */

/*
 * The first touch of a fresh page was measured at ~10 us on the VMs this
 * runs on (a 400 KiB input copy: ~1 ms, five times the convolution it
 * serves), and malloc hands large blocks back to the kernel on free. So
 * each calling thread keeps its scratch block from call to call, grown to
 * the largest call so far. A thread-specific key frees it when the thread
 * exits; npu_cpu_release_scratch() frees it on demand.
 */
struct scratch {
	void *base;
	size_t cap;
};

static _Thread_local struct scratch tls_scratch;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static pthread_key_t scratch_key;
static int scratch_keyed;	/* without the key nothing is cached */

static void scratch_destroy(void *arg)
{
	struct scratch *sc = arg;

	free(sc->base);
	sc->base = NULL;
	sc->cap = 0;
}

static void scratch_make_key(void)
{
	scratch_keyed = pthread_key_create(&scratch_key, scratch_destroy) == 0;
}

/* bytes of 64-byte aligned scratch; *cached tells scratch_put() who owns it */
static void *scratch_get(size_t bytes, int *cached)
{
	struct scratch *sc = &tls_scratch;

	pthread_once(&scratch_once, scratch_make_key);
	*cached = scratch_keyed;
	if (!scratch_keyed)
		return alloc_aligned(bytes);
	if (sc->cap < bytes) {
		scratch_destroy(sc);
		sc->base = alloc_aligned(bytes);
		if (!sc->base)
			return NULL;
		sc->cap = bytes;
		pthread_setspecific(scratch_key, sc);
	}
	return sc->base;
}

static void scratch_put(void *p, int cached)
{
	if (!cached)
		free(p);
}

void npu_cpu_release_scratch(void)
{
	scratch_destroy(&tls_scratch);
}

static int32_t w_at(const struct cpu_plan *p, size_t i)
{
	if (p->s->w_type == NPU_TYPE_INT8)
		return ((const int8_t *)p->w)[i];
	return ((const uint8_t *)p->w)[i];
}

static int32_t w_zp_of(const struct npu_conv_spec *s, int k)
{
	return s->w_zp ? s->w_zp[k] : 0;
}

/* ------------------------------------------------------------------ */
/* Requantization                                                      */
/* ------------------------------------------------------------------ */

void cpu_rq_free(struct cpu_rq *rq)
{
	free(rq->q);		/* the FIXED tables share one allocation */
	free(rq->scale);
	memset(rq, 0, sizeof(*rq));
}

static int rq_init_fixed(struct cpu_rq *rq, const struct npu_conv_spec *s, size_t n)
{
	int k;

	rq->q = calloc(6 * n, sizeof(*rq->q));
	if (!rq->q)
		return -ENOMEM;
	rq->left = rq->q + n;
	rq->right = rq->q + 2 * n;
	rq->mask = rq->q + 3 * n;
	rq->half = rq->q + 4 * n;
	rq->fshift = rq->q + 5 * n;
	for (k = 0; k < (int)n; k++) {
		int sh = k < s->out_c ? s->rq_shift[k] : 0, e = sh > 0 ? 0 : -sh;

		/* Shifts of 32 or more are undefined in the reference itself. */
		if (sh < -31 || sh > 31) {
			rq->vec = 0;
			continue;
		}
		rq->q[k] = k < s->out_c ? s->rq_mult[k] : 0;
		rq->q_min |= rq->q[k] == INT32_MIN;
		rq->left[k] = sh > 0 ? sh : 0;
		rq->right[k] = e;
		rq->mask[k] = (int32_t)((UINT32_C(1) << e) - 1);
		rq->half[k] = e ? (int32_t)(UINT32_C(1) << (e - 1)) : 0;
		rq->fshift[k] = e ? e : 32;
	}
	return 0;
}

static int rq_init_fp32(struct cpu_rq *rq, const struct npu_conv_spec *s, size_t n)
{
	int k;

	rq->scale = calloc(n, sizeof(*rq->scale));
	if (!rq->scale)
		return -ENOMEM;
	for (k = 0; k < s->out_c; k++) {
		/* lrintf(NaN) is not what cvtps2dq gives: keep those scalar. */
		if (!isfinite(s->rq_scale[k]))
			rq->vec = 0;
		rq->scale[k] = s->rq_scale[k];
	}
	return 0;
}

int cpu_rq_init(struct cpu_rq *rq, const struct npu_conv_spec *s)
{
	size_t n = (size_t)s->out_c + CPU_NR;
	int err = 0;

	memset(rq, 0, sizeof(*rq));
	rq->mode = s->rq_mode;
	rq->out_type = s->out_type;
	rq->zp = s->out_zp;
	/* clamp(v + zp, min, max) == clamp(v, min - zp, max - zp) + zp, in int32 */
	rq->lo = s->act_min - s->out_zp;
	rq->hi = s->act_max - s->out_zp;
	rq->vec = 1;
	if (s->rq_mode == NPU_RQ_FIXED)
		err = rq_init_fixed(rq, s, n);
	else if (s->rq_mode == NPU_RQ_FP32)
		err = rq_init_fp32(rq, s, n);
	if (err)
		cpu_rq_free(rq);
	return err;
}

void cpu_emit_row(const struct cpu_plan *p, size_t P, int k0, int n,
		  const int32_t *acc)
{
	const struct npu_conv_spec *s = p->s;
	size_t o = P * (size_t)s->out_c + (size_t)k0;
	int32_t res[CPU_NR];
	int j;

	if (s->out_type == NPU_TYPE_INT32) {
		memcpy((int32_t *)p->out + o, acc, (size_t)n * sizeof(*acc));
		return;
	}
#if CPU_X86
	if (p->avx2 && p->rq.vec)
		cpu_requant16_avx2(&p->rq, k0, acc, res);
	else
#endif
		for (j = 0; j < n; j++)
			res[j] = npu_requant(s, k0 + j, acc[j]);
	if (s->out_type == NPU_TYPE_INT8)
		for (j = 0; j < n; j++)
			((int8_t *)p->out)[o + j] = (int8_t)res[j];
	else
		for (j = 0; j < n; j++)
			((uint8_t *)p->out)[o + j] = (uint8_t)res[j];
}

/* ------------------------------------------------------------------ */
/* The int16 input copy                                                */
/* ------------------------------------------------------------------ */

/* Input row and column that xin pixel (y, x) shows; may be outside. */
static void xin_source(const struct cpu_plan *p, int y, int x, int64_t *iy, int64_t *ix)
{
	const struct npu_conv_spec *s = p->s;

	if (s->kh == 1 && s->kw == 1) {
		*iy = (int64_t)y * s->stride_h - s->pad_top;
		*ix = (int64_t)x * s->stride_w - s->pad_left;
	} else {
		*iy = (int64_t)y - s->pad_top;
		*ix = (int64_t)x - s->pad_left;
	}
}

/* n input values minus the zero point, as int16. */
static void convert_run(const struct cpu_plan *p, int16_t *d, size_t src, int n)
{
	const struct npu_conv_spec *s = p->s;
	int zp = s->in_zp, c = 0;

#if CPU_X86
	if (p->avx2)
		c = cpu_convert_avx2(d, (const uint8_t *)p->in + src, n, zp,
				     s->in_type == NPU_TYPE_UINT8);
#endif
	if (s->in_type == NPU_TYPE_INT8) {
		const int8_t *a = (const int8_t *)p->in + src;

		for (; c < n; c++)
			d[c] = (int16_t)(a[c] - zp);
	} else {
		const uint8_t *a = (const uint8_t *)p->in + src;

		for (; c < n; c++)
			d[c] = (int16_t)(a[c] - zp);
	}
}

/* One pixel of the grouped layout: [group][cpgp], the pad channel zero. */
static void convert_pixel_grouped(const struct cpu_plan *p, int16_t *d, size_t src)
{
	int g;

	if (p->cpg == p->cpgp) {	/* no pad channels: one run */
		convert_run(p, d, src, p->ngroups * p->cpg);
		return;
	}
	for (g = 0; g < p->ngroups; g++, d += p->cpgp, src += (size_t)p->cpg) {
		convert_run(p, d, src, p->cpg);
		d[p->cpg] = 0;
	}
}

/* One pixel of the depthwise layout: channel k shows input channel k / kpg. */
static void convert_pixel_dw(const struct cpu_plan *p, int16_t *d, size_t src)
{
	const struct npu_conv_spec *s = p->s;
	int c, j, k = s->out_c;

	if (p->kpg == 1) {
		convert_run(p, d, src, s->in_c);
	} else {
		for (c = 0; c < s->in_c; c++) {
			int32_t a = npu_load(s->in_type, p->in, src + (size_t)c);
			int16_t v = (int16_t)(a - s->in_zp);

			for (j = 0; j < p->kpg; j++)
				d[c * p->kpg + j] = v;
		}
	}
	for (; (size_t)k < p->xpix; k++)
		d[k] = 0;
}

static void convert_row(const struct cpu_plan *p, size_t row)
{
	const struct npu_conv_spec *s = p->s;
	size_t b = row / (size_t)p->xh;
	int y = (int)(row % (size_t)p->xh), x;
	int16_t *d = p->xin + b * p->ximg + (size_t)y * p->xw * p->xpix;

	for (x = 0; x < p->xw; x++, d += p->xpix) {
		int64_t iy, ix;
		size_t src;

		xin_source(p, y, x, &iy, &ix);
		if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w) {
			memset(d, 0, p->xpix * sizeof(*d));
			continue;
		}
		src = ((b * (size_t)s->in_h + (size_t)iy) * (size_t)s->in_w + (size_t)ix) *
		      (size_t)s->in_c;
		if (p->method == CPU_DW)
			convert_pixel_dw(p, d, src);
		else
			convert_pixel_grouped(p, d, src);
	}
}

/* ------------------------------------------------------------------ */
/* Weight packing                                                      */
/* ------------------------------------------------------------------ */

/*
 * GEMM block (g, blk): [tap][channel pair][CPU_NR channels][2], so one
 * aligned 32-byte load gives 8 channels' weights for a broadcast input pair.
 * Channels past the group's end and the odd pad channel are zero. This
 * writes input channels [c_from, cpgp) of every tap; the AVX2 packer does
 * the ones below c_from.
 */
static void pack_gemm_rest(const struct cpu_plan *p, size_t cb, int c_from, int16_t *dst)
{
	int g = (int)(cb / (size_t)p->nblk), blk = (int)(cb % (size_t)p->nblk);
	int npairs = p->cpgp / 2, jj, t, c;

	for (jj = 0; jj < CPU_NR; jj++) {
		int kg = blk * CPU_NR + jj, k = g * p->kpg + kg;
		size_t src = (size_t)k * (size_t)p->taps * (size_t)p->cpg;

		for (t = 0; t < p->taps; t++, src += (size_t)p->cpg) {
			for (c = c_from; c < p->cpgp; c++) {
				int16_t v = 0;

				if (kg < p->kpg && c < p->cpg)
					v = (int16_t)(w_at(p, src + (size_t)c) - p->wzp[k]);
				dst[(((size_t)t * npairs + c / 2) * CPU_NR + jj) * 2 + (c & 1)] = v;
			}
		}
	}
}

static void pack_gemm_block(const struct cpu_plan *p, size_t cb, int16_t *dst)
{
	int done = 0;

#if CPU_X86
	if (p->avx2)
		done = cpu_pack_gemm_avx2(p, cb, dst);
#endif
	pack_gemm_rest(p, cb, done, dst);
}

/*
 * Depthwise block kb: for each pair of taps, two 16-int16 vectors in the
 * order unpacklo/unpackhi_epi16 interleave two taps' channel vectors:
 * vector v = (ch >> 2) & 1, dword d = (ch & 3) | (ch >> 3) << 2.
 */
static void pack_dw_block(const struct cpu_plan *p, size_t kb)
{
	int16_t *dst = p->wpk + kb * p->blk_elems;
	int jj, t;

	memset(dst, 0, p->blk_elems * sizeof(*dst));
	for (jj = 0; jj < CPU_NR && (int)kb * CPU_NR + jj < p->s->out_c; jj++) {
		int k = (int)kb * CPU_NR + jj;
		int v = (jj >> 2) & 1, d = (jj & 3) | (jj >> 3) << 2;

		for (t = 0; t < p->taps; t++)
			dst[(size_t)(t / 2) * 32 + v * 16 + d * 2 + (t & 1)] =
				(int16_t)(w_at(p, (size_t)k * p->taps + t) - p->wzp[k]);
	}
}

/* ------------------------------------------------------------------ */
/* Portable kernels (exact: uint32 sums wrap like the reference's)     */
/* ------------------------------------------------------------------ */

static void emit_u32(const struct cpu_plan *p, size_t P, int k0, int n, const uint32_t *acc)
{
	int32_t v[CPU_NR];
	int j;

	for (j = 0; j < n; j++)
		v[j] = (int32_t)acc[j];
	cpu_emit_row(p, P, k0, n, v);
}

static int block_width(int avail)
{
	return avail < CPU_NR ? avail : CPU_NR;
}

static void gemm_tile_c(const struct cpu_plan *p, const int16_t *wb,
			const int16_t *const *bases, size_t P0, int mr, int g, int blk)
{
	int k0 = g * p->kpg + blk * CPU_NR;
	const int16_t *base[CPU_MR];
	uint32_t acc[CPU_MR][CPU_NR];
	int i, jj, t, j;

	for (i = 0; i < mr; i++) {
		base[i] = bases[i] + (size_t)g * p->cpgp;
		for (jj = 0; jj < CPU_NR; jj++)
			acc[i][jj] = (uint32_t)p->bias[k0 + jj];
	}
	for (t = 0; t < p->nruns; t++) {
		for (j = 0; j < p->run_pairs; j++, wb += 2 * CPU_NR) {
			for (i = 0; i < mr; i++) {
				const int16_t *x = base[i] + p->tap_off[t * p->run_step] + 2 * j;

				for (jj = 0; jj < CPU_NR; jj++)
					acc[i][jj] += (uint32_t)(x[0] * wb[2 * jj] +
								 x[1] * wb[2 * jj + 1]);
			}
		}
	}
	for (i = 0; i < mr; i++)
		emit_u32(p, P0 + i, k0, block_width(p->kpg - blk * CPU_NR), acc[i]);
}

static void dw_pixel_c(const struct cpu_plan *p, const int16_t *pixel, size_t P, int kb)
{
	int k0 = kb * CPU_NR, ntp = (p->taps + 1) / 2, tp, jj;
	const int16_t *wb = p->wpk + (size_t)kb * p->blk_elems;
	const int16_t *base = pixel + k0;
	uint32_t acc[CPU_NR];

	for (jj = 0; jj < CPU_NR; jj++)
		acc[jj] = (uint32_t)p->bias[k0 + jj];
	for (tp = 0; tp < ntp; tp++, wb += 32) {
		const int16_t *x0 = base + p->tap_off[2 * tp];
		const int16_t *x1 = base + p->tap_off[2 * tp + 1];

		for (jj = 0; jj < CPU_NR; jj++) {
			int v = (jj >> 2) & 1, d = (jj & 3) | (jj >> 3) << 2;
			const int16_t *wv = wb + v * 16 + d * 2;

			acc[jj] += (uint32_t)(x0[jj] * wv[0] + x1[jj] * wv[1]);
		}
	}
	emit_u32(p, P, k0, block_width(p->s->out_c - k0), acc);
}

static void gemv_block_c(const struct cpu_plan *p, size_t P, int g, int blk)
{
	int k0 = g * p->kpg + blk * CPU_NR, n = block_width(p->kpg - blk * CPU_NR);
	const int16_t *base = cpu_pixel_base(p, P) + (size_t)g * p->cpgp;
	uint32_t acc[CPU_NR];
	int jj, t, c;

	for (jj = 0; jj < n; jj++) {
		int k = k0 + jj;
		size_t wi = (size_t)k * p->taps * p->cpg;

		acc[jj] = (uint32_t)p->bias[k];
		for (t = 0; t < p->taps; t++) {
			const int16_t *x = base + p->tap_off[t];

			for (c = 0; c < p->cpg; c++, wi++)
				acc[jj] += (uint32_t)(x[c] * (w_at(p, wi) - p->wzp[k]));
		}
	}
	emit_u32(p, P, k0, n, acc);
}

/* ------------------------------------------------------------------ */
/* Work items                                                          */
/* ------------------------------------------------------------------ */

/*
 * Phase 1 converts the input (rows of xin) and, for CPU_DW, packs all the
 * weights. Phase 2 items depend on the method; CPU_GEMM's are (weight
 * block, pixel segment), block major, and each thread packs the block it
 * works on into its own buffer: a block (at most a few hundred KiB) stays
 * in L2 while the thread sweeps the pixels, and the packed weights never
 * make a round trip through memory.
 */
struct worker {
	const struct cpu_plan *p;
	int16_t *wblk;		/* CPU_GEMM: this thread's packed block */
	size_t packed;		/* which block wblk holds; SIZE_MAX: none */
};

static size_t xin_rows(const struct cpu_plan *p)
{
	return p->xin ? (size_t)p->s->n * (size_t)p->xh : 0;
}

/* Weight blocks of CPU_GEMM / CPU_GEMV (per group) or CPU_DW (over K). */
static size_t weight_blocks(const struct cpu_plan *p)
{
	return p->method == CPU_DW ? (size_t)p->nblk : (size_t)p->ngroups * p->nblk;
}

static size_t phase1_items(const struct cpu_plan *p)
{
	return xin_rows(p) + (p->method == CPU_DW ? weight_blocks(p) : 0);
}

static size_t phase2_items(const struct cpu_plan *p)
{
	switch (p->method) {
	case CPU_GEMM:
		return weight_blocks(p) * p->nseg;
	case CPU_DW:
		return weight_blocks(p) * p->nchunks;
	case CPU_GEMV:
		return weight_blocks(p) * p->m;
	default:
		return p->nchunks;
	}
}

static void prepare_item(const struct cpu_plan *p, size_t item)
{
	size_t rows = xin_rows(p);

	if (item < rows)
		convert_row(p, item);
	else
		pack_dw_block(p, item - rows);
}

/* xin bases of pixels P0..P0+n-1: one division, then steps. */
static void pixel_bases(const struct cpu_plan *p, size_t P0, size_t n, const int16_t **out)
{
	const struct npu_conv_spec *s = p->s;
	size_t b = P0 / p->ohw, r = P0 % p->ohw, i;
	int oy = (int)(r / (size_t)s->out_w), ox = (int)(r % (size_t)s->out_w);
	size_t xstep = (size_t)p->xsw * p->xpix;

	for (i = 0; i < n; i++) {
		if (i == 0 || ox == 0)
			out[i] = p->xin + b * p->ximg +
				 (size_t)oy * p->xsh * p->xw * p->xpix + (size_t)ox * xstep;
		else
			out[i] = out[i - 1] + xstep;
		if (++ox == s->out_w) {
			ox = 0;
			if (++oy == s->out_h) {
				oy = 0;
				b++;
			}
		}
	}
}

static void gemm_tiles(const struct cpu_plan *p, const int16_t *wb, size_t cb, size_t P0,
		       size_t P1, const int16_t **bases)
{
	int g = (int)(cb / (size_t)p->nblk), blk = (int)(cb % (size_t)p->nblk);
	size_t P;

	for (P = P0; P < P1; P += CPU_MR) {
		int mr = P1 - P < CPU_MR ? (int)(P1 - P) : CPU_MR;
		const int16_t *const *bp = bases + (P - P0);

#if CPU_X86
		if (p->avx2)
			cpu_gemm_tile_avx2(p, wb, bp, P, mr, g, blk);
		else
#endif
			gemm_tile_c(p, wb, bp, P, mr, g, blk);
	}
}

static void gemm_item(struct worker *wk, size_t item)
{
	const struct cpu_plan *p = wk->p;
	size_t cb = item / p->nseg, seg = item % p->nseg;
	size_t P0 = p->m * seg / p->nseg, P1 = p->m * (seg + 1) / p->nseg, P, n;
	const int16_t *bases[MAX_CHUNK];

	if (wk->packed != cb) {
		pack_gemm_block(p, cb, wk->wblk);
		wk->packed = cb;
	}
	for (P = P0; P < P1; P += n) {
		n = P1 - P < MAX_CHUNK ? P1 - P : MAX_CHUNK;
		pixel_bases(p, P, n, bases);
		gemm_tiles(p, wk->wblk, cb, P, P + n, bases);
	}
}

static void dw_item(const struct cpu_plan *p, size_t item)
{
	size_t kb = item / p->nchunks, P0 = item % p->nchunks * p->chunk, P;
	size_t n = p->m - P0 < p->chunk ? p->m - P0 : p->chunk;
	const int16_t *bases[MAX_CHUNK];

	pixel_bases(p, P0, n, bases);
	for (P = P0; P < P0 + n; P++) {
#if CPU_X86
		if (p->avx2)
			cpu_dw_pixel_avx2(p, bases[P - P0], P, (int)kb);
		else
#endif
			dw_pixel_c(p, bases[P - P0], P, (int)kb);
	}
}

static void gemv_item(const struct cpu_plan *p, size_t item)
{
	size_t cb = item / p->m, P = item % p->m;
	int g = (int)(cb / (size_t)p->nblk), blk = (int)(cb % (size_t)p->nblk);

#if CPU_X86
	if (p->avx2)
		cpu_gemv_block_avx2(p, P, g, blk);
	else
#endif
		gemv_block_c(p, P, g, blk);
}

static void compute_item(struct worker *wk, size_t item)
{
	switch (wk->p->method) {
	case CPU_GEMM:
		gemm_item(wk, item);
		break;
	case CPU_DW:
		dw_item(wk->p, item);
		break;
	case CPU_GEMV:
		gemv_item(wk->p, item);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Threads                                                             */
/* ------------------------------------------------------------------ */

/*
 * Threads take work items from shared counters rather than fixed shares:
 * on this kind of VM a new thread takes ~0.1 ms to start and a neighbour
 * may hold a core for a while, and fixed shares would wait for the
 * slowest. Phase 1 must be complete before anyone starts phase 2.
 */
struct team {
	size_t n1, n2;
	atomic_size_t next1, done1, next2;
};

struct member {
	struct team *tm;
	struct worker wk;
};

static void cpu_relax(void)
{
#if CPU_X86
	__builtin_ia32_pause();
#endif
}

static void wait_phase1(struct team *tm)
{
	unsigned spins = 0;

	/* acquire: pairs with the release in every done1 increment */
	while (atomic_load_explicit(&tm->done1, memory_order_acquire) < tm->n1) {
		/* with more threads than cores, or under valgrind, the thread
		 * finishing the last item may need our core */
		if (++spins % 256 == 0)
			sched_yield();
		else
			cpu_relax();
	}
}

static void team_work(struct team *tm, struct worker *wk)
{
	size_t i;

	while ((i = atomic_fetch_add_explicit(&tm->next1, 1, memory_order_relaxed)) < tm->n1) {
		prepare_item(wk->p, i);
		atomic_fetch_add_explicit(&tm->done1, 1, memory_order_release);
	}
	wait_phase1(tm);
	while ((i = atomic_fetch_add_explicit(&tm->next2, 1, memory_order_relaxed)) < tm->n2)
		compute_item(wk, i);
}

/*
 * Helper threads live across calls. Starting a thread here cost the caller
 * ~50 us and ~100 us before it ran (glibc's cached stacks are madvised
 * away, so each start faults its pages in again), about the whole gain of
 * a second thread on a mid-sized layer. After a job, helpers spin for the
 * next one (a network's next layer) for POOL_SPIN_NS, then sleep.
 *
 * A job offers `slots` places; a helper takes one with a CAS and only then
 * touches the job, so the caller can close the job when its own work is
 * done and wait only for helpers that got in (a sleeping helper may wake
 * late). One caller at a time owns the pool; a concurrent caller starts
 * threads of its own. A forked child starts with an empty pool; at exit
 * the helpers are stopped and joined, so leak checkers see no live thread.
 */
#define POOL_SPIN_NS	300000

struct pool {
	pthread_mutex_t owner;		/* held by the caller running a job */
	pthread_mutex_t mu;		/* guards sleepers */
	pthread_cond_t wake;
	int sleepers;
	int nhelpers;			/* only the owner changes it */
	pthread_t helpers[MAX_THREADS];
	atomic_int quit;		/* set at exit, with a gen bump */
	atomic_uint gen;		/* bumped when a job is posted */
	atomic_int slots;		/* places left in the current job */
	atomic_int inside;		/* helpers in, or about to try, a job */
	struct member *members;		/* members[slot]: slot 1..n-1 are helpers' */
	int nmembers;
};

static struct pool pool = {
	.owner = PTHREAD_MUTEX_INITIALIZER,
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_after_fork(void)
{
	pthread_mutex_init(&pool.owner, NULL);
	pthread_mutex_init(&pool.mu, NULL);
	pthread_cond_init(&pool.wake, NULL);
	pool.sleepers = 0;
	pool.nhelpers = 0;	/* the child has none of the parent's threads */
}

static void pool_wake_all(void)
{
	pthread_mutex_lock(&pool.mu);
	if (pool.sleepers)
		pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.mu);
}

/* Stops and joins the helpers (atexit), unless some thread is mid-job. */
void cpu_pool_shutdown(void)
{
	int i;

	if (pthread_mutex_trylock(&pool.owner))
		return;
	atomic_store_explicit(&pool.quit, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&pool.gen, 1, memory_order_release);
	pool_wake_all();
	for (i = 0; i < pool.nhelpers; i++)
		pthread_join(pool.helpers[i], NULL);
	pool.nhelpers = 0;
	atomic_store_explicit(&pool.quit, 0, memory_order_relaxed);	/* may grow again */
	pthread_mutex_unlock(&pool.owner);
}

static void pool_register(void)
{
	pthread_atfork(NULL, NULL, pool_after_fork);
	atexit(cpu_pool_shutdown);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Returns once gen differs from seen: spins for a while, then sleeps. */
static unsigned pool_wait(unsigned seen)
{
	uint64_t until = now_ns() + POOL_SPIN_NS;
	unsigned g, spins = 0;

	while ((g = atomic_load_explicit(&pool.gen, memory_order_acquire)) == seen) {
		if (++spins % 64)
			cpu_relax();
		else if (now_ns() < until)
			sched_yield();
		else
			break;
	}
	if (g != seen)
		return g;
	pthread_mutex_lock(&pool.mu);
	pool.sleepers++;
	while ((g = atomic_load_explicit(&pool.gen, memory_order_acquire)) == seen)
		pthread_cond_wait(&pool.wake, &pool.mu);
	pool.sleepers--;
	pthread_mutex_unlock(&pool.mu);
	return g;
}

/* Enters the posted job if a slot is left; runs it. */
static void pool_try_job(void)
{
	int slot;

	/* announce before taking a slot: the owner waits for inside == 0 */
	atomic_fetch_add_explicit(&pool.inside, 1, memory_order_seq_cst);
	slot = atomic_load_explicit(&pool.slots, memory_order_seq_cst);
	while (slot > 0 && !atomic_compare_exchange_weak_explicit(&pool.slots, &slot, slot - 1,
								  memory_order_seq_cst,
								  memory_order_seq_cst))
		;
	if (slot > 0) {
		struct member *m = &pool.members[pool.nmembers - slot];

		team_work(m->tm, &m->wk);
	}
	atomic_fetch_sub_explicit(&pool.inside, 1, memory_order_release);
}

static void *helper_main(void *arg)
{
	unsigned seen = (unsigned)(uintptr_t)arg;

	for (;;) {
		seen = pool_wait(seen);
		if (atomic_load_explicit(&pool.quit, memory_order_relaxed))
			return NULL;
		pool_try_job();
	}
}

/* Grows the pool to n helpers, as far as threads can be started. */
static void pool_grow(int n)
{
	uintptr_t gen = atomic_load_explicit(&pool.gen, memory_order_relaxed);

	while (pool.nhelpers < n &&
	       pthread_create(&pool.helpers[pool.nhelpers], NULL, helper_main, (void *)gen) == 0)
		pool.nhelpers++;
}

/* Runs members[0] here and offers members[1..n-1] to the helpers. */
static void pool_run(struct member *m, int n)
{
	unsigned spins = 0;

	pool_grow(n - 1);
	pool.members = m;
	pool.nmembers = n;
	atomic_store_explicit(&pool.slots, n - 1 < pool.nhelpers ? n - 1 : pool.nhelpers,
			      memory_order_seq_cst);
	atomic_fetch_add_explicit(&pool.gen, 1, memory_order_release);
	pool_wake_all();
	team_work(m[0].tm, &m[0].wk);
	/* close the job; then only helpers already inside can touch it */
	atomic_store_explicit(&pool.slots, 0, memory_order_seq_cst);
	while (atomic_load_explicit(&pool.inside, memory_order_acquire) > 0)
		if (++spins % 256 == 0)
			sched_yield();
		else
			cpu_relax();
}

static void *member_main(void *arg)
{
	struct member *m = arg;

	team_work(m->tm, &m->wk);
	return NULL;
}

/* Without the pool: n - 1 threads of our own for this call. */
static void spawn_run(struct member *m, int n)
{
	pthread_t tid[MAX_THREADS];
	int started[MAX_THREADS], t;

	for (t = 1; t < n; t++)
		started[t] = pthread_create(&tid[t], NULL, member_main, &m[t]) == 0;
	team_work(m[0].tm, &m[0].wk);
	for (t = 1; t < n; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
}

/* A thread that cannot be started is not an error: the others do its part. */
static void run(const struct cpu_plan *p)
{
	struct member m[MAX_THREADS];
	struct team tm;
	int t;

	tm.n1 = phase1_items(p);
	tm.n2 = phase2_items(p);
	atomic_init(&tm.next1, 0);
	atomic_init(&tm.done1, 0);
	atomic_init(&tm.next2, 0);
	for (t = 0; t < p->nthreads; t++) {
		int16_t *wblk = p->method == CPU_GEMM ? p->wpk + (size_t)t * p->blk_elems : NULL;

		m[t] = (struct member){ &tm, { p, wblk, SIZE_MAX } };
	}
	if (p->nthreads == 1) {
		team_work(&tm, &m[0].wk);
		return;
	}
	pthread_once(&pool_once, pool_register);
	if (pthread_mutex_trylock(&pool.owner) == 0) {
		pool_run(m, p->nthreads);
		pthread_mutex_unlock(&pool.owner);
	} else {
		spawn_run(m, p->nthreads);
	}
}

static int pick_threads(const struct npu_conv_spec *s, int threads)
{
	uint64_t most = npu_conv_macs(s) / MIN_MACS_PER_THREAD;

	if (threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 0 ? (int)(n < MAX_THREADS ? n : MAX_THREADS) : 1;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if ((uint64_t)threads > most)
		threads = most ? (int)most : 1;
	return threads;
}

/* ------------------------------------------------------------------ */
/* Planning                                                            */
/* ------------------------------------------------------------------ */

static enum cpu_method pick_method(const struct npu_conv_spec *s, size_t m)
{
	/* npu_conv_spec_finish() keeps w_zp in its type: (w - w_zp) fits int16 */
	if (s->in_c / s->groups == 1)
		return CPU_DW;
	if (m <= GEMV_MAX_PIXELS)
		return CPU_GEMV;
	return CPU_GEMM;
}

enum cpu_method cpu_method_of(const struct npu_conv_spec *s)
{
	return pick_method(s, (size_t)s->n * (size_t)s->out_h * (size_t)s->out_w);
}

static void plan_geometry(struct cpu_plan *p)
{
	const struct npu_conv_spec *s = p->s;

	if (s->kh == 1 && s->kw == 1) {
		/* Only the sampled pixels: a 1x1 conv becomes a plain GEMM. */
		p->xh = s->out_h;
		p->xw = s->out_w;
		p->xsh = p->xsw = 1;
	} else {
		p->xh = s->in_h + s->pad_top + s->pad_bottom;
		p->xw = s->in_w + s->pad_left + s->pad_right;
		p->xsh = s->stride_h;
		p->xsw = s->stride_w;
	}
	if (p->method == CPU_DW)
		p->xpix = round_up((size_t)s->out_c, CPU_NR);
	else
		p->xpix = (size_t)p->ngroups * p->cpgp;
}

/*
 * Without groups and dilation along x, a kernel row's taps are adjacent
 * pixels of xin and their channels one contiguous run, which is also how
 * the packed weights are ordered: the GEMM kernel then loops over kh runs
 * of kw * cpgp / 2 pairs instead of kh * kw taps of cpgp / 2 (C = 3 first
 * layers have only 2 pairs per tap).
 */
static void plan_runs(struct cpu_plan *p)
{
	int fits = (int64_t)p->s->kw * p->cpgp <= INT32_MAX / 2;	/* 2 * j stays an int */

	if (fits && p->ngroups == 1 && (p->s->dil_w == 1 || p->s->kw == 1)) {
		p->nruns = p->s->kh;
		p->run_step = p->s->kw;
		p->run_pairs = p->s->kw * p->cpgp / 2;
	} else {
		p->nruns = p->taps;
		p->run_step = 1;
		p->run_pairs = p->cpgp / 2;
	}
}

/* The int16 elements of xin; 0 if the size overflows. */
static size_t xin_elems(struct cpu_plan *p)
{
	size_t e;

	if (mul_size((size_t)p->xh, (size_t)p->xw, &e) || mul_size(e, p->xpix, &p->ximg) ||
	    mul_size(p->ximg, (size_t)p->s->n, &e))
		return 0;
	return e;
}

/* Packed weights: all blocks for CPU_DW, one block per thread for CPU_GEMM. */
static size_t wpk_elems(struct cpu_plan *p)
{
	size_t e;

	if (p->method == CPU_DW) {
		p->blk_elems = (size_t)(p->taps + 1) / 2 * 2 * CPU_NR;
		return mul_size(p->blk_elems, weight_blocks(p), &e) ? 0 : e;
	}
	if (p->method != CPU_GEMM)
		return 0;
	if (mul_size((size_t)p->taps * CPU_NR, (size_t)p->cpgp, &p->blk_elems) ||
	    mul_size(p->blk_elems, (size_t)p->nthreads, &e))
		return 0;
	return e;
}

/* A bump allocator over one scratch block; with base NULL it only sizes. */
struct carve {
	unsigned char *base;
	size_t off;
	int overflow;
};

static void *carve(struct carve *c, size_t n, size_t elem)
{
	size_t bytes, at = c->off;

	if (mul_size(n, elem, &bytes) || bytes > SIZE_MAX - CPU_ALIGN - at) {
		c->overflow = 1;
		return NULL;
	}
	c->off = at + round_up(bytes, CPU_ALIGN);
	return c->base ? c->base + at : NULL;
}

static void plan_layout(struct cpu_plan *p, struct carve *c)
{
	size_t nch = (size_t)p->s->out_c + CPU_NR, x, w;

	p->bias = carve(c, nch, sizeof(*p->bias));
	p->wzp = carve(c, nch, sizeof(*p->wzp));
	x = xin_elems(p);
	w = wpk_elems(p);
	if (!x || (!w && (p->method == CPU_GEMM || p->method == CPU_DW)))
		c->overflow = 1;
	p->xin = carve(c, x, sizeof(*p->xin));
	p->tap_off = carve(c, (size_t)p->taps + 1, sizeof(*p->tap_off));
	p->wpk = w ? carve(c, w, sizeof(*p->wpk)) : NULL;
}

static void plan_fill(struct cpu_plan *p)
{
	const struct npu_conv_spec *s = p->s;
	int k, r, q;

	for (k = 0; k < s->out_c + CPU_NR; k++) {
		p->bias[k] = s->bias && k < s->out_c ? s->bias[k] : 0;
		p->wzp[k] = k < s->out_c ? w_zp_of(s, k) : 0;
	}
	for (r = 0; r < s->kh; r++)
		for (q = 0; q < s->kw; q++)
			p->tap_off[r * s->kw + q] =
				((ptrdiff_t)r * s->dil_h * p->xw + (ptrdiff_t)q * s->dil_w) *
				(ptrdiff_t)p->xpix;
	/* The depthwise kernel pairs an odd last tap with itself (weight 0). */
	p->tap_off[p->taps] = p->tap_off[p->taps - 1];
	plan_runs(p);
}

/* Lays out all scratch in one block, the calling thread's cached one. */
static int plan_alloc(struct cpu_plan *p)
{
	struct carve c = { NULL, 0, 0 };
	void *base;

	plan_layout(p, &c);
	if (c.overflow)
		return -ENOMEM;
	base = scratch_get(c.off, &p->scratch_cached);
	if (!base)
		return -ENOMEM;
	p->scratch = base;
	c = (struct carve){ base, 0, 0 };
	plan_layout(p, &c);
	plan_fill(p);
	return 0;
}

static void plan_free(struct cpu_plan *p)
{
	scratch_put(p->scratch, p->scratch_cached);
	cpu_rq_free(&p->rq);
}

/*
 * How the work is cut. CPU_GEMM splits each block's pixels into as few
 * segments as keep every thread busy (each segment packs its block again
 * if another thread took the previous one), but no shorter than 8 tiles.
 */
static void plan_items(struct cpu_plan *p)
{
	size_t want, most;

	p->nblk = p->method == CPU_DW ? (int)((p->s->out_c + CPU_NR - 1) / CPU_NR) :
					(p->kpg + CPU_NR - 1) / CPU_NR;
	p->chunk = p->method == CPU_DW ? MAX_CHUNK : 4;
	p->nchunks = (p->m + p->chunk - 1) / p->chunk;
	want = (4 * (size_t)p->nthreads + weight_blocks(p) - 1) / weight_blocks(p);
	most = (p->m + 8 * CPU_MR - 1) / (8 * CPU_MR);
	p->nseg = want < most ? want : most;
	if (p->nthreads == 1 || p->nseg < 1)
		p->nseg = 1;
	if (phase2_items(p) < (size_t)p->nthreads)
		p->nthreads = phase2_items(p) ? (int)phase2_items(p) : 1;
}

static int plan_init(struct cpu_plan *p, const struct npu_conv_spec *s, const void *in,
		     const void *w, void *out, int avx2, int nthreads)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->s = s;
	p->in = in;
	p->w = w;
	p->out = out;
	p->avx2 = avx2;
	p->taps = s->kh * s->kw;
	p->ngroups = s->groups;
	p->cpg = s->in_c / s->groups;
	p->kpg = s->out_c / s->groups;
	p->cpgp = (int)round_up((size_t)p->cpg, 2);
	p->ohw = (size_t)s->out_h * (size_t)s->out_w;
	p->m = (size_t)s->n * p->ohw;
	p->method = pick_method(s, p->m);
	p->nthreads = nthreads;
	plan_items(p);
	plan_geometry(p);
	err = plan_alloc(p);
	if (err)
		return err;
	err = cpu_rq_init(&p->rq, s);
	if (err)
		plan_free(p);
	return err;
}


/* ------------------------------------------------------------------ */
/* Entry points                                                        */
/* ------------------------------------------------------------------ */

static int spec_ok(const struct npu_conv_spec *s)
{
	struct npu_conv_spec c = *s;
	const char *why;

	return npu_conv_spec_finish(&c, &why) == 0 && c.out_h == s->out_h &&
	       c.out_w == s->out_w;
}

int cpu_conv_threads(const struct npu_conv_spec *s, const void *in, const void *w,
		     void *out, int nthreads, enum npu_cpu_isa isa)
{
	struct cpu_plan p;
	int err;

	if (!spec_ok(s))
		return -EINVAL;
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	err = plan_init(&p, s, in, w, out, isa == NPU_CPU_ISA_BEST && npu_cpu_have_avx2(),
			nthreads);
	if (err)
		return err;
	run(&p);
	plan_free(&p);
	return 0;
}

int npu_cpu_conv_isa(const struct npu_conv_spec *s, const void *in,
		     const void *w, void *out, int threads, enum npu_cpu_isa isa)
{
	if (!spec_ok(s))	/* before pick_threads() divides by s->groups */
		return -EINVAL;
	return cpu_conv_threads(s, in, w, out, pick_threads(s, threads), isa);
}

int npu_cpu_conv(const struct npu_conv_spec *s, const void *in, const void *w,
		 void *out, int threads)
{
	return npu_cpu_conv_isa(s, in, w, out, threads, NPU_CPU_ISA_BEST);
}
