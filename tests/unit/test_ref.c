/* SPDX-License-Identifier: MIT */
/*
 * The reference convolution against a second formulation written the other
 * way round: NCHW planes, im2col, an int64 matrix multiply reduced mod 2^32
 * at the end, and a requantizer that follows lib/ref/REQUANT.md's formulas
 * through int64 arithmetic instead of the reference's helpers. Plus the
 * spec checks of npu_conv_spec_finish(). NPU_TEST_SEED=<n> replays a run,
 * NPU_TEST_QUICK=1 runs fewer cases.
 */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "npu_ref.h"

static uint64_t g_seed;
static int g_quick;

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: a different generator from test_cpu_conv's on purpose */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static int pick(uint64_t *s, int lo, int hi)
{
	return lo + (int)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

/* ------------------------------------------------------------------ */
/* The second formulation                                              */
/* ------------------------------------------------------------------ */

static int64_t in_val(const struct npu_conv_spec *s, const void *in, size_t i)
{
	return s->in_type == NPU_TYPE_INT8 ? ((const int8_t *)in)[i] : ((const uint8_t *)in)[i];
}

static int64_t w_val(const struct npu_conv_spec *s, const void *w, size_t i)
{
	return s->w_type == NPU_TYPE_INT8 ? ((const int8_t *)w)[i] : ((const uint8_t *)w)[i];
}

/* NHWC -> NCHW planes of (in - in_zp). */
static int64_t *to_nchw(const struct npu_conv_spec *s, const void *in)
{
	size_t H = (size_t)s->in_h, W = (size_t)s->in_w, C = (size_t)s->in_c;
	int64_t *x = malloc((size_t)s->n * C * H * W * sizeof(*x));
	size_t b, c, y, xx;

	assert_non_null(x);
	for (b = 0; b < (size_t)s->n; b++)
		for (c = 0; c < C; c++)
			for (y = 0; y < H; y++)
				for (xx = 0; xx < W; xx++)
					x[((b * C + c) * H + y) * W + xx] =
						in_val(s, in, ((b * H + y) * W + xx) * C + c) - s->in_zp;
	return x;
}

/*
 * The im2col matrix of image b, group g: rows (c, r, q) of the group's
 * channels, columns the output pixels; padded taps are 0.
 */
static int64_t *im2col(const struct npu_conv_spec *s, const int64_t *x, int b, int g)
{
	int cpg = s->in_c / s->groups, rows = cpg * s->kh * s->kw;
	size_t cols = (size_t)s->out_h * s->out_w, H = (size_t)s->in_h, W = (size_t)s->in_w;
	int64_t *m = calloc((size_t)rows * cols, sizeof(*m));
	int c, r, q, oy, ox;

	assert_non_null(m);
	for (c = 0; c < cpg; c++)
	for (r = 0; r < s->kh; r++)
	for (q = 0; q < s->kw; q++) {
		int64_t *row = m + (size_t)((c * s->kh + r) * s->kw + q) * cols;
		const int64_t *plane = x + ((size_t)b * s->in_c + (size_t)g * cpg + c) * H * W;

		for (oy = 0; oy < s->out_h; oy++)
		for (ox = 0; ox < s->out_w; ox++) {
			long iy = (long)oy * s->stride_h - s->pad_top + (long)r * s->dil_h;
			long ix = (long)ox * s->stride_w - s->pad_left + (long)q * s->dil_w;

			if (iy >= 0 && iy < s->in_h && ix >= 0 && ix < s->in_w)
				row[(size_t)oy * s->out_w + ox] = plane[(size_t)iy * W + (size_t)ix];
		}
	}
	return m;
}

/* OHWI -> the group's [k][(c, r, q)] matrix of (w - w_zp). */
static int64_t *weight_matrix(const struct npu_conv_spec *s, const void *w, int g)
{
	int cpg = s->in_c / s->groups, kpg = s->out_c / s->groups, rows = cpg * s->kh * s->kw;
	int64_t *m = malloc((size_t)kpg * rows * sizeof(*m));
	int kk, c, r, q;

	assert_non_null(m);
	for (kk = 0; kk < kpg; kk++) {
		int k = g * kpg + kk;
		int64_t zp = s->w_zp ? s->w_zp[k] : 0;

		for (c = 0; c < cpg; c++)
			for (r = 0; r < s->kh; r++)
				for (q = 0; q < s->kw; q++)
					m[(size_t)kk * rows + (c * s->kh + r) * s->kw + q] =
						w_val(s, w, (((size_t)k * s->kh + r) * s->kw + q) *
							    cpg + c) - zp;
	}
	return m;
}

/* Round half away from zero of x / 2^e. */
static int64_t div_pot_away(int64_t x, int e)
{
	int64_t mag = x < 0 ? -x : x;

	if (e == 0)
		return x;
	mag = (mag + (INT64_C(1) << (e - 1))) >> e;
	return x < 0 ? -mag : mag;
}

/* Mode A from lib/ref/REQUANT.md: floor((a*b + 2^30) / 2^31) is SRDHM's rounding. */
static int64_t fixed_alt(int32_t acc, int32_t q, int shift)
{
	int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
	int32_t xs = (int32_t)((uint32_t)acc << left);
	int64_t t, hi;

	if (xs == INT32_MIN && q == INT32_MIN)
		return div_pot_away(INT32_MAX, right);
	t = (int64_t)xs * q + (INT64_C(1) << 30);
	hi = t / (INT64_C(1) << 31);
	if (t % (INT64_C(1) << 31) < 0)	/* floor, not truncation */
		hi--;
	return div_pot_away(hi, right);
}

/* Mode B: rne(fl32(fl32(acc) * m)), saturating; nearbyint rounds to even. */
static int64_t fp32_alt(int32_t acc, float m)
{
	volatile float p = (float)acc * m;

	if (p >= 2147483648.0f)
		return INT32_MAX;
	if (p < -2147483648.0f)
		return INT32_MIN;
	return (int64_t)nearbyint((double)p);
}

static int32_t requant_alt(const struct npu_conv_spec *s, int k, int32_t acc)
{
	int64_t v;

	if (s->rq_mode == NPU_RQ_NONE)
		return acc;
	v = s->rq_mode == NPU_RQ_FIXED ? fixed_alt(acc, s->rq_mult[k], s->rq_shift[k]) :
					 fp32_alt(acc, s->rq_scale[k]);
	v += s->out_zp;
	v = v < s->act_min ? s->act_min : v > s->act_max ? s->act_max : v;
	return (int32_t)v;
}

/* out (NHWC, as int32) by im2col + GEMM. */
static void conv_alt(const struct npu_conv_spec *s, const void *in, const void *w, int32_t *out)
{
	int cpg = s->in_c / s->groups, kpg = s->out_c / s->groups, rows = cpg * s->kh * s->kw;
	size_t cols = (size_t)s->out_h * s->out_w, pix;
	int64_t *x = to_nchw(s, in);
	int b, g, kk, i;

	for (b = 0; b < s->n; b++) {
		for (g = 0; g < s->groups; g++) {
			int64_t *col = im2col(s, x, b, g), *wm = weight_matrix(s, w, g);

			for (kk = 0; kk < kpg; kk++) {
				int k = g * kpg + kk;

				for (pix = 0; pix < cols; pix++) {
					int64_t sum = s->bias ? s->bias[k] : 0;

					for (i = 0; i < rows; i++)
						sum += wm[(size_t)kk * rows + i] * col[(size_t)i * cols + pix];
					/* the device's adders wrap: keep the low 32 bits */
					out[((size_t)b * cols + pix) * s->out_c + k] =
						requant_alt(s, k, (int32_t)(uint32_t)(uint64_t)sum);
				}
			}
			free(col);
			free(wm);
		}
	}
	free(x);
}

/* ------------------------------------------------------------------ */
/* Random cases                                                        */
/* ------------------------------------------------------------------ */

struct tables {
	int32_t w_zp[64], bias[64], mult[64];
	int8_t shift[64];
	float scale[64];
};

static int type_min(enum npu_dtype t)
{
	return t == NPU_TYPE_INT8 ? -128 : 0;
}

static int type_max(enum npu_dtype t)
{
	return t == NPU_TYPE_INT8 ? 127 : 255;
}

static void random_spec(uint64_t *r, struct npu_conv_spec *s, struct tables *t)
{
	const char *why;
	int k, g;

	do {
		memset(s, 0, sizeof(*s));
		s->n = pick(r, 1, 2);
		s->in_h = pick(r, 1, 9);
		s->in_w = pick(r, 1, 9);
		s->kh = pick(r, 1, 4);
		s->kw = pick(r, 1, 4);
		s->stride_h = pick(r, 1, 3);
		s->stride_w = pick(r, 1, 3);
		s->dil_h = pick(r, 1, 2);
		s->dil_w = pick(r, 1, 2);
		s->pad_top = pick(r, 0, 2);
		s->pad_left = pick(r, 0, 2);
		s->pad_bottom = pick(r, 0, 2);
		s->pad_right = pick(r, 0, 2);
		g = pick(r, 1, 4);
		s->groups = g;
		s->in_c = g * pick(r, 1, 8);
		s->out_c = g * pick(r, 1, 64 / g);
		s->in_type = pick(r, 0, 1) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
		s->w_type = pick(r, 0, 1) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
		s->out_type = (enum npu_dtype)pick(r, 0, 2);
		s->rq_mode = s->out_type == NPU_TYPE_INT32 ? NPU_RQ_NONE :
			     pick(r, 0, 1) ? NPU_RQ_FIXED : NPU_RQ_FP32;
		s->in_zp = pick(r, type_min(s->in_type), type_max(s->in_type));
		if (s->out_type != NPU_TYPE_INT32) {
			s->out_zp = pick(r, type_min(s->out_type), type_max(s->out_type));
			s->act_min = pick(r, type_min(s->out_type), type_max(s->out_type));
			s->act_max = pick(r, s->act_min, type_max(s->out_type));
		}
		for (k = 0; k < 64; k++) {
			t->w_zp[k] = pick(r, type_min(s->w_type), type_max(s->w_type));
			t->bias[k] = pick(r, 0, 9) ? pick(r, -50000, 50000) : (int32_t)rng_next(r);
			t->mult[k] = pick(r, 0, 19) ? (int32_t)((1u << 30) | (rng_next(r) >> 34)) : 0;
			t->shift[k] = (int8_t)pick(r, -20, 3);
			t->scale[k] = (float)pick(r, 1, 1 << 20) / (float)(1 << pick(r, 14, 26));
		}
		s->w_zp = pick(r, 0, 4) ? t->w_zp : NULL;
		s->bias = pick(r, 0, 4) ? t->bias : NULL;
		s->rq_mult = t->mult;
		s->rq_shift = t->shift;
		s->rq_scale = t->scale;
	} while (npu_conv_spec_finish(s, &why) != 0);
}

static size_t out_size(const struct npu_conv_spec *s)
{
	return s->out_type == NPU_TYPE_INT32 ? 4 : 1;
}

static void test_ref_matches_im2col(void **state)
{
	uint64_t r = g_seed | 1;
	int cases = g_quick ? 40 : 400, i, bad = 0;

	(void)state;
	for (i = 0; i < cases && !bad; i++) {
		struct npu_conv_spec s;
		struct tables t;
		size_t nin, nw, nout, j;
		uint8_t *in, *w;
		void *out;
		int32_t *alt;

		random_spec(&r, &s, &t);
		nin = npu_conv_in_elems(&s);
		nw = npu_conv_w_elems(&s);
		nout = npu_conv_out_elems(&s);
		in = malloc(nin);
		w = malloc(nw);
		out = malloc(nout * out_size(&s));
		alt = malloc(nout * sizeof(*alt));
		assert_non_null(in);
		assert_non_null(w);
		assert_non_null(out);
		assert_non_null(alt);
		for (j = 0; j < nin; j++)
			in[j] = (uint8_t)rng_next(&r);
		for (j = 0; j < nw; j++)
			w[j] = (uint8_t)rng_next(&r);
		npu_ref_conv(&s, in, w, out);
		conv_alt(&s, in, w, alt);
		for (j = 0; j < nout; j++) {
			if (npu_load(s.out_type, out, j) != alt[j]) {
				print_message("case %d (seed %" PRIu64 "): element %zu: reference %d, "
					      "im2col %d; n=%d in=%dx%dx%d K=%d k=%dx%d s=%d,%d d=%d,%d "
					      "pad=%d,%d,%d,%d groups=%d out_type=%d rq=%d\n", i, g_seed,
					      j, npu_load(s.out_type, out, j), alt[j], s.n, s.in_h,
					      s.in_w, s.in_c, s.out_c, s.kh, s.kw, s.stride_h,
					      s.stride_w, s.dil_h, s.dil_w, s.pad_top, s.pad_left,
					      s.pad_bottom, s.pad_right, s.groups, s.out_type, s.rq_mode);
				bad = 1;
				break;
			}
		}
		free(in);
		free(w);
		free(out);
		free(alt);
	}
	print_message("reference vs im2col: %d cases, seed %" PRIu64 "\n", i, g_seed);
	assert_int_equal(bad, 0);
}

/* A hand-checked case: 1 pixel, 2 channels, zero points and bias. */
static void test_ref_hand_case(void **state)
{
	struct npu_conv_spec s;
	const char *why;
	int8_t in[2] = { 10, -3 }, w[4] = { 2, 5, -1, 7 };
	int32_t wzp[2] = { 1, -2 }, bias[2] = { 100, -7 }, out[2];

	(void)state;
	memset(&s, 0, sizeof(s));
	s.n = s.in_h = s.in_w = 1;
	s.in_c = 2;
	s.out_c = 2;
	s.kh = s.kw = s.stride_h = s.stride_w = s.dil_h = s.dil_w = s.groups = 1;
	s.in_type = s.w_type = NPU_TYPE_INT8;
	s.out_type = NPU_TYPE_INT32;
	s.in_zp = 4;
	s.w_zp = wzp;
	s.bias = bias;
	assert_int_equal(npu_conv_spec_finish(&s, &why), 0);
	assert_null(why);
	npu_ref_conv(&s, in, w, out);
	/* k0: (10-4)(2-1) + (-3-4)(5-1) + 100 = 6 - 28 + 100 = 78 */
	assert_int_equal(out[0], 78);
	/* k1: (6)(-1+2) + (-7)(7+2) - 7 = 6 - 63 - 7 = -64 */
	assert_int_equal(out[1], -64);
}

/* ------------------------------------------------------------------ */
/* npu_conv_spec_finish() rejections                                   */
/* ------------------------------------------------------------------ */

static int32_t g_mult[8] = { 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30 };
static int8_t g_shift[8];
static float g_scale[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };

/* A valid 8x8x4 -> 8, 3x3, pad 1, int8 -> int8 fixed-point spec. */
static struct npu_conv_spec good_spec(void)
{
	struct npu_conv_spec s;

	memset(&s, 0, sizeof(s));
	s.n = 1;
	s.in_h = s.in_w = 8;
	s.in_c = 4;
	s.out_c = 8;
	s.kh = s.kw = 3;
	s.stride_h = s.stride_w = 1;
	s.dil_h = s.dil_w = 1;
	s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
	s.groups = 1;
	s.in_type = s.w_type = s.out_type = NPU_TYPE_INT8;
	s.rq_mode = NPU_RQ_FIXED;
	s.rq_mult = g_mult;
	s.rq_shift = g_shift;
	s.rq_scale = g_scale;
	s.act_min = -128;
	s.act_max = 127;
	return s;
}

#define EXPECT_REJECT(stmt) do {						\
	struct npu_conv_spec s_ = good_spec();					\
	struct npu_conv_spec *s = &s_;						\
	const char *why_ = NULL;						\
	stmt;									\
	if (npu_conv_spec_finish(s, &why_) != -1 || !why_) {			\
		print_message("not rejected: %s\n", #stmt);			\
		fail();								\
	}									\
} while (0)

static void test_spec_accepts_good(void **state)
{
	struct npu_conv_spec s = good_spec();
	const char *why = "unset";

	(void)state;
	assert_int_equal(npu_conv_spec_finish(&s, &why), 0);
	assert_null(why);
	assert_int_equal(s.out_h, 8);
	assert_int_equal(s.out_w, 8);
	s.stride_h = 3;
	s.dil_w = 2;
	assert_int_equal(npu_conv_spec_finish(&s, &why), 0);
	assert_int_equal(s.out_h, 3);	/* (8 + 2 - 3) / 3 + 1 */
	assert_int_equal(s.out_w, 6);	/* (8 + 2 - 5) / 1 + 1 */
}

static void test_spec_rejects_dims(void **state)
{
	(void)state;
	EXPECT_REJECT(s->n = 0);
	EXPECT_REJECT(s->n = -1);
	EXPECT_REJECT(s->in_h = 0);
	EXPECT_REJECT(s->in_w = -5);
	EXPECT_REJECT(s->in_c = 0);
	EXPECT_REJECT(s->out_c = 0);
	EXPECT_REJECT(s->out_c = -8);
	EXPECT_REJECT(s->in_c = (1 << 20) + 1);
	EXPECT_REJECT(s->kh = 0);
	EXPECT_REJECT(s->kw = -1);
	EXPECT_REJECT(s->kh = 4097);
	EXPECT_REJECT(s->stride_h = 0);
	EXPECT_REJECT(s->stride_w = -2);
	EXPECT_REJECT(s->dil_h = 0);
	EXPECT_REJECT(s->dil_w = -1);
	EXPECT_REJECT(s->pad_top = -1);
	EXPECT_REJECT(s->pad_right = -1);
	EXPECT_REJECT(s->pad_left = 4097);
}

static void test_spec_rejects_groups_and_kernel(void **state)
{
	(void)state;
	EXPECT_REJECT(s->groups = 0);
	EXPECT_REJECT(s->groups = -1);
	EXPECT_REJECT(s->groups = 3);			/* divides neither 4 nor 8 */
	EXPECT_REJECT((s->in_c = 6, s->groups = 3));	/* 3 does not divide 8 outputs */
	EXPECT_REJECT(s->groups = 8);			/* does not divide 4 inputs */
	EXPECT_REJECT((s->kh = 11));			/* 11 > 8 + 1 + 1 */
	EXPECT_REJECT((s->dil_w = 5));			/* (3-1)*5+1 = 11 > 10 */
	EXPECT_REJECT((s->pad_top = s->pad_bottom = 0, s->kh = 9));
}

static void test_spec_rejects_size_overflow(void **state)
{
	(void)state;
	/* input: 2^20 * 2^20 * 2^20 * 2^20 * 4 bytes */
	EXPECT_REJECT((s->n = 1 << 20, s->in_h = 1 << 20, s->in_w = 1 << 20, s->in_c = 1 << 20,
		       s->out_c = 1 << 20));
	/* output: n * out_h * out_w * K * 4 overflows although the input does not */
	EXPECT_REJECT((s->n = 1 << 20, s->in_h = 1 << 20, s->in_w = 1 << 10, s->in_c = 1,
		       s->out_c = 1 << 20, s->kh = s->kw = 1, s->pad_top = s->pad_left =
		       s->pad_bottom = s->pad_right = 0));
	/* weights: K * kh * kw * C = 2^20 * 2^12 * 2^12 * 2^20 */
	EXPECT_REJECT((s->in_h = s->in_w = 4096, s->kh = s->kw = 4096, s->in_c = 1 << 20,
		       s->out_c = 1 << 20, s->pad_top = s->pad_left = s->pad_bottom =
		       s->pad_right = 0));
}

static void test_spec_rejects_quant(void **state)
{
	(void)state;
	EXPECT_REJECT(s->in_zp = 128);
	EXPECT_REJECT(s->in_zp = -129);
	EXPECT_REJECT((s->in_type = NPU_TYPE_UINT8, s->in_zp = -1));
	EXPECT_REJECT((s->in_type = NPU_TYPE_UINT8, s->in_zp = 256));
	EXPECT_REJECT(s->out_zp = 200);
	EXPECT_REJECT((s->out_type = NPU_TYPE_UINT8, s->out_zp = -3, s->act_min = 0,
		       s->act_max = 255));
	EXPECT_REJECT((s->out_type = NPU_TYPE_INT32, s->rq_mode = NPU_RQ_NONE, s->out_zp = 1));
	EXPECT_REJECT(s->in_type = NPU_TYPE_INT32);
	EXPECT_REJECT(s->w_type = NPU_TYPE_INT32);
	EXPECT_REJECT(s->in_type = (enum npu_dtype)7);
	EXPECT_REJECT(s->out_type = (enum npu_dtype)9);
	/* int32 output goes with NONE only, 8-bit output never with NONE */
	EXPECT_REJECT(s->out_type = NPU_TYPE_INT32);
	EXPECT_REJECT((s->out_type = NPU_TYPE_INT32, s->rq_mode = NPU_RQ_FP32));
	EXPECT_REJECT(s->rq_mode = NPU_RQ_NONE);
	EXPECT_REJECT(s->rq_mode = (enum npu_rq_mode)5);
	EXPECT_REJECT(s->rq_mult = NULL);
	EXPECT_REJECT(s->rq_shift = NULL);
	EXPECT_REJECT((s->rq_mode = NPU_RQ_FP32, s->rq_scale = NULL));
	/* per-channel values the device would refuse too */
	{
		static int32_t wzp[8];
		static int8_t shift[8];
		static float scale[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };

		wzp[5] = 128;
		EXPECT_REJECT(s->w_zp = wzp);
		wzp[5] = -1;
		EXPECT_REJECT((s->w_type = NPU_TYPE_UINT8, s->w_zp = wzp));
		shift[2] = 31;
		EXPECT_REJECT(s->rq_shift = shift);
		shift[2] = -32;
		EXPECT_REJECT(s->rq_shift = shift);
		scale[7] = INFINITY;
		EXPECT_REJECT((s->rq_mode = NPU_RQ_FP32, s->rq_scale = scale));
		scale[7] = NAN;
		EXPECT_REJECT((s->rq_mode = NPU_RQ_FP32, s->rq_scale = scale));
	}
	/* clamp */
	EXPECT_REJECT((s->act_min = 5, s->act_max = 4));
	EXPECT_REJECT(s->act_max = 128);
	EXPECT_REJECT(s->act_min = -129);
	EXPECT_REJECT((s->out_type = NPU_TYPE_UINT8, s->act_min = -1, s->act_max = 255));
	EXPECT_REJECT((s->out_type = NPU_TYPE_UINT8, s->act_min = 0, s->act_max = 256));
}

static int setup(void **state)
{
	const char *e = getenv("NPU_TEST_SEED"), *q = getenv("NPU_TEST_QUICK");

	(void)state;
	g_quick = q && *q && strcmp(q, "0");
	g_seed = e && *e ? strtoull(e, NULL, 0) : UINT64_C(0x5eed);
	print_message("test_ref: seed %" PRIu64 " (NPU_TEST_SEED overrides)%s\n", g_seed,
		      g_quick ? ", quick" : "");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_hand_case),
		cmocka_unit_test(test_ref_matches_im2col),
		cmocka_unit_test(test_spec_accepts_good),
		cmocka_unit_test(test_spec_rejects_dims),
		cmocka_unit_test(test_spec_rejects_groups_and_kernel),
		cmocka_unit_test(test_spec_rejects_size_overflow),
		cmocka_unit_test(test_spec_rejects_quant),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
