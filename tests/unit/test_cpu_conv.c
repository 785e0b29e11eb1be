/* SPDX-License-Identifier: MIT */
/*
 * The fast CPU path against the reference, bit for bit, on random seeded
 * shapes. NPU_TEST_SEED=<n> replays a run; NPU_TEST_QUICK=1 runs fewer and
 * smaller cases (valgrind).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cpu_internal.h"
#include "npu_cpu.h"
#include "npu_ref.h"

/* ------------------------------------------------------------------ */
/* Seeded randomness                                                   */
/* ------------------------------------------------------------------ */

static uint64_t g_seed;
static int g_quick;

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int rnd_in(struct rng *r, int lo, int hi)
{
	return lo + (int)(rnd(r) % (uint64_t)((int64_t)hi - lo + 1));
}

static int chance(struct rng *r, int percent)
{
	return rnd_in(r, 0, 99) < percent;
}

static int type_lo(enum npu_dtype t)
{
	return t == NPU_TYPE_INT8 ? -128 : 0;
}

static int type_hi(enum npu_dtype t)
{
	return t == NPU_TYPE_INT8 ? 127 : 255;
}

/* ------------------------------------------------------------------ */
/* One convolution case: spec, tables and buffers                      */
/* ------------------------------------------------------------------ */

struct conv_case {
	struct npu_conv_spec s;
	int32_t *w_zp, *bias, *rq_mult;
	int8_t *rq_shift;
	float *rq_scale;
	void *in, *w, *expect, *got;
	size_t out_bytes;
};

static size_t out_elem_size(enum npu_dtype t)
{
	return t == NPU_TYPE_INT32 ? 4 : 1;
}

static void case_free(struct conv_case *c)
{
	free(c->w_zp);
	free(c->bias);
	free(c->rq_mult);
	free(c->rq_shift);
	free(c->rq_scale);
	free(c->in);
	free(c->w);
	free(c->expect);
	free(c->got);
	memset(c, 0, sizeof(*c));
}

static void fill_bytes(struct rng *r, void *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)rnd(r);
}

static void fill_rq_fixed(struct rng *r, struct conv_case *c, int K)
{
	int k;

	c->rq_mult = malloc((size_t)K * sizeof(*c->rq_mult));
	c->rq_shift = malloc((size_t)K * sizeof(*c->rq_shift));
	assert_non_null(c->rq_mult);
	assert_non_null(c->rq_shift);
	for (k = 0; k < K; k++) {
		/* mostly realistic multipliers, now and then the edges */
		c->rq_mult[k] = chance(r, 5) ? 0 : (int32_t)((1u << 30) + (rnd(r) & 0x3fffffff));
		c->rq_shift[k] = (int8_t)(chance(r, 10) ? rnd_in(r, -31, 30) : rnd_in(r, -18, 1));
	}
	c->s.rq_mult = c->rq_mult;
	c->s.rq_shift = c->rq_shift;
}

static void fill_rq_fp32(struct rng *r, struct conv_case *c, int K)
{
	int k;

	c->rq_scale = malloc((size_t)K * sizeof(*c->rq_scale));
	assert_non_null(c->rq_scale);
	for (k = 0; k < K; k++) {
		float m = (float)(rnd(r) % 1000000 + 1) / 1e6f;

		/* powers of two make exact .5 ties, large values saturate */
		if (chance(r, 10))
			m = 1.0f / (float)(1 << rnd_in(r, 1, 12));
		else if (chance(r, 5))
			m = 1e9f;
		c->rq_scale[k] = m * (float)(1 << rnd_in(r, 0, 8)) / 256.0f;
	}
	c->s.rq_scale = c->rq_scale;
}

/* Zero points, bias, output type and requantization for a finished shape. */
static void fill_quant(struct rng *r, struct conv_case *c)
{
	struct npu_conv_spec *s = &c->s;
	int K = s->out_c, k, kind = rnd_in(r, 0, 2);

	s->in_type = chance(r, 50) ? NPU_TYPE_INT8 : NPU_TYPE_UINT8;
	s->w_type = chance(r, 50) ? NPU_TYPE_INT8 : NPU_TYPE_UINT8;
	s->in_zp = rnd_in(r, type_lo(s->in_type), type_hi(s->in_type));
	if (!chance(r, 10)) {
		c->w_zp = malloc((size_t)K * sizeof(*c->w_zp));
		assert_non_null(c->w_zp);
		for (k = 0; k < K; k++)
			c->w_zp[k] = rnd_in(r, type_lo(s->w_type), type_hi(s->w_type));
		s->w_zp = c->w_zp;
	}
	if (!chance(r, 10)) {
		c->bias = malloc((size_t)K * sizeof(*c->bias));
		assert_non_null(c->bias);
		for (k = 0; k < K; k++)	/* sometimes huge, to make the sums wrap */
			c->bias[k] = chance(r, 10) ? (int32_t)rnd(r) : rnd_in(r, -100000, 100000);
		s->bias = c->bias;
	}
	if (kind == 0) {
		s->out_type = NPU_TYPE_INT32;
		s->rq_mode = NPU_RQ_NONE;
		return;
	}
	s->out_type = chance(r, 50) ? NPU_TYPE_INT8 : NPU_TYPE_UINT8;
	s->out_zp = rnd_in(r, type_lo(s->out_type), type_hi(s->out_type));
	s->act_min = rnd_in(r, type_lo(s->out_type), type_hi(s->out_type));
	s->act_max = rnd_in(r, s->act_min, type_hi(s->out_type));
	if (chance(r, 50)) {
		s->act_min = type_lo(s->out_type);
		s->act_max = type_hi(s->out_type);
	}
	s->rq_mode = kind == 1 ? NPU_RQ_FIXED : NPU_RQ_FP32;
	if (kind == 1)
		fill_rq_fixed(r, c, K);
	else
		fill_rq_fp32(r, c, K);
}

static int pick_divisor(struct rng *r, int a, int b)
{
	int d[64], n = 0, g;

	for (g = 1; g <= a && n < 64; g++)
		if (a % g == 0 && b % g == 0)
			d[n++] = g;
	return d[rnd_in(r, 0, n - 1)];
}

enum shape_kind {
	SHAPE_SMALL,	/* everything random and small */
	SHAPE_DEEP,	/* many channels, small image */
	SHAPE_DW,	/* depthwise, channel multiplier 1..3 */
	SHAPE_FC,	/* 1x1 image, 1x1 kernel */
	SHAPE_TINY,	/* 1..3 of everything */
	SHAPE_IMAGE,	/* a larger image, few channels: many GEMM tiles */
	SHAPE_KINDS
};

static void gen_shape(struct rng *r, struct npu_conv_spec *s, enum shape_kind kind)
{
	int eff_h, eff_w;

	memset(s, 0, sizeof(*s));
	s->out_type = NPU_TYPE_INT32;	/* until fill_quant() decides */
	s->rq_mode = NPU_RQ_NONE;
	s->n = chance(r, 25) ? 2 : 1;
	s->kh = rnd_in(r, 1, 5);
	s->kw = chance(r, 70) ? s->kh : rnd_in(r, 1, 5);
	s->stride_h = rnd_in(r, 1, 4);
	s->stride_w = chance(r, 70) ? s->stride_h : rnd_in(r, 1, 4);
	s->dil_h = chance(r, 75) ? 1 : rnd_in(r, 2, 3);
	s->dil_w = chance(r, 75) ? 1 : rnd_in(r, 2, 3);
	s->pad_top = rnd_in(r, 0, 3);
	s->pad_left = rnd_in(r, 0, 3);
	s->pad_bottom = rnd_in(r, 0, 3);
	s->pad_right = rnd_in(r, 0, 3);
	s->in_h = rnd_in(r, 1, 14);
	s->in_w = rnd_in(r, 1, 14);
	s->in_c = rnd_in(r, 1, 40);
	s->out_c = rnd_in(r, 1, 40);
	switch (kind) {
	case SHAPE_DEEP:
		s->in_c = rnd_in(r, 1, 600);
		s->out_c = rnd_in(r, 1, 300);
		s->in_h = rnd_in(r, 1, 8);
		s->in_w = rnd_in(r, 1, 8);
		s->kh = s->kw = rnd_in(r, 1, 3);
		s->stride_h = s->stride_w = rnd_in(r, 1, 2);
		break;
	case SHAPE_IMAGE:
		s->in_h = rnd_in(r, 10, 24);
		s->in_w = rnd_in(r, 10, 24);
		s->in_c = rnd_in(r, 1, 48);
		s->out_c = rnd_in(r, 1, 48);
		s->stride_h = rnd_in(r, 1, 2);
		s->stride_w = rnd_in(r, 1, 2);
		break;
	case SHAPE_DW:
		s->out_c = s->in_c * rnd_in(r, 1, 3);
		break;
	case SHAPE_FC:
		s->in_h = s->in_w = s->kh = s->kw = 1;
		s->dil_h = s->dil_w = 1;
		s->pad_top = s->pad_left = s->pad_bottom = s->pad_right = 0;
		s->in_c = rnd_in(r, 1, 600);
		s->out_c = rnd_in(r, 1, 300);
		break;
	case SHAPE_TINY:
		s->in_h = rnd_in(r, 1, 3);
		s->in_w = rnd_in(r, 1, 3);
		s->in_c = rnd_in(r, 1, 3);
		s->out_c = rnd_in(r, 1, 3);
		s->kh = rnd_in(r, 1, 3);
		s->kw = rnd_in(r, 1, 3);
		break;
	default:
		break;
	}
	s->groups = kind == SHAPE_DW ? s->in_c : pick_divisor(r, s->in_c, s->out_c);
	if (kind != SHAPE_DW && chance(r, 15))
		s->groups = 1;
	/* grow the image until the dilated kernel fits */
	eff_h = (s->kh - 1) * s->dil_h + 1;
	eff_w = (s->kw - 1) * s->dil_w + 1;
	if (s->in_h + s->pad_top + s->pad_bottom < eff_h)
		s->in_h = eff_h - s->pad_top - s->pad_bottom;
	if (s->in_w + s->pad_left + s->pad_right < eff_w)
		s->in_w = eff_w - s->pad_left - s->pad_right;
	if (s->in_h < 1)
		s->in_h = 1;
	if (s->in_w < 1)
		s->in_w = 1;
}

/* Random shape within a MAC budget, finished, with quantization and buffers. */
static void case_make(struct rng *r, struct conv_case *c, enum shape_kind kind,
		      uint64_t max_macs)
{
	const char *why;
	size_t out_bytes;

	memset(c, 0, sizeof(*c));
	do {
		gen_shape(r, &c->s, kind);
		assert_int_equal(npu_conv_spec_finish(&c->s, &why), 0);
	} while (npu_conv_macs(&c->s) > max_macs);
	fill_quant(r, c);
	assert_int_equal(npu_conv_spec_finish(&c->s, &why), 0);
	c->in = malloc(npu_conv_in_elems(&c->s));
	c->w = malloc(npu_conv_w_elems(&c->s));
	out_bytes = npu_conv_out_elems(&c->s) * out_elem_size(c->s.out_type);
	c->expect = malloc(out_bytes);
	c->got = malloc(out_bytes);
	assert_non_null(c->in);
	assert_non_null(c->w);
	assert_non_null(c->expect);
	assert_non_null(c->got);
	c->out_bytes = out_bytes;
	fill_bytes(r, c->in, npu_conv_in_elems(&c->s));
	fill_bytes(r, c->w, npu_conv_w_elems(&c->s));
	npu_ref_conv(&c->s, c->in, c->w, c->expect);
}

static const char *type_name(enum npu_dtype t)
{
	return t == NPU_TYPE_INT8 ? "i8" : t == NPU_TYPE_UINT8 ? "u8" : "i32";
}

static void print_spec(const struct npu_conv_spec *s)
{
	print_message("  n=%d in=%dx%dx%d K=%d k=%dx%d stride=%d,%d dil=%d,%d "
		      "pad=t%d,l%d,b%d,r%d groups=%d out=%dx%d\n"
		      "  types in=%s w=%s out=%s in_zp=%d out_zp=%d rq_mode=%d clamp=[%d,%d] "
		      "w_zp=%s bias=%s\n",
		      s->n, s->in_h, s->in_w, s->in_c, s->out_c, s->kh, s->kw, s->stride_h,
		      s->stride_w, s->dil_h, s->dil_w, s->pad_top, s->pad_left, s->pad_bottom,
		      s->pad_right, s->groups, s->out_h, s->out_w, type_name(s->in_type),
		      type_name(s->w_type), type_name(s->out_type), s->in_zp, s->out_zp,
		      s->rq_mode, s->act_min, s->act_max, s->w_zp ? "per-channel" : "none",
		      s->bias ? "yes" : "none");
}

/*
 * Runs the fast path and compares; prints the first difference. threads
 * below 0 means exactly -threads threads, however small the shape.
 */
static int case_check(struct conv_case *c, int threads, enum npu_cpu_isa isa,
		      const char *what, int index)
{
	size_t n = npu_conv_out_elems(&c->s), i;
	int rc;

	memset(c->got, 0xa5, c->out_bytes);
	if (threads < 0)
		rc = cpu_conv_threads(&c->s, c->in, c->w, c->got, -threads, isa);
	else
		rc = npu_cpu_conv_isa(&c->s, c->in, c->w, c->got, threads, isa);
	if (rc != 0) {
		print_message("case %d (%s): npu_cpu_conv returned %d\n", index, what, rc);
		print_spec(&c->s);
		return -1;
	}
	if (!memcmp(c->got, c->expect, c->out_bytes))
		return 0;
	for (i = 0; i < n; i++) {
		int32_t e = npu_load(c->s.out_type, c->expect, i);
		int32_t g = npu_load(c->s.out_type, c->got, i);

		if (e != g) {
			size_t k = i % (size_t)c->s.out_c, pix = i / (size_t)c->s.out_c;

			print_message("case %d (%s, threads=%d, seed=%" PRIu64 "): mismatch at "
				      "element %zu (pixel %zu, channel %zu): expected %" PRId32
				      ", got %" PRId32 "\n", index, what, threads, g_seed, i, pix,
				      k, e, g);
			print_spec(&c->s);
			break;
		}
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static int cases_for(int full, int quick)
{
	return g_quick ? quick : full;
}

/*
 * The random sweep: each case on the best kernels and on the portable ones.
 * Every method must come up.
 */
static void test_random_shapes(void **state)
{
	struct rng r = { g_seed };
	int ncases = cases_for(600, 100), failures = 0, i;
	int per_method[CPU_GEMV + 1] = { 0 };
	uint64_t budget = g_quick ? 100000 : 1500000;

	(void)state;
	for (i = 0; i < ncases; i++) {
		struct conv_case c;
		enum shape_kind kind = (enum shape_kind)(i % SHAPE_KINDS);

		case_make(&r, &c, kind, budget);
		per_method[cpu_method_of(&c.s)]++;
		failures += case_check(&c, 1, NPU_CPU_ISA_BEST, "best", i) != 0;
		failures += case_check(&c, 1, NPU_CPU_ISA_SCALAR, "scalar", i) != 0;
		if (i % 4 == 0)	/* tiny shapes on 3 threads: races show here */
			failures += case_check(&c, -3, NPU_CPU_ISA_BEST, "best, 3 threads", i) != 0;
		case_free(&c);
		if (failures > 5)
			break;
	}
	print_message("random shapes: %d cases (gemm %d, depthwise %d, gemv %d), seed %" PRIu64
		      ", avx2 %s\n", i, per_method[CPU_GEMM], per_method[CPU_DW],
		      per_method[CPU_GEMV], g_seed, npu_cpu_have_avx2() ? "yes" : "no");
	assert_int_equal(failures, 0);
	assert_true(per_method[CPU_GEMM] >= ncases / 8);
	assert_true(per_method[CPU_DW] >= ncases / 8);
	assert_true(per_method[CPU_GEMV] >= ncases / 16);
}

/*
 * 1, 2, 4 (more than the cores here) and "all" threads agree with the
 * reference, and so with each other. The exact counts bypass the minimum
 * work per thread, so every method runs split.
 */
static void test_threads_agree(void **state)
{
	static const enum shape_kind kinds[] = { SHAPE_DEEP, SHAPE_IMAGE, SHAPE_DW, SHAPE_FC };
	struct rng r = { g_seed ^ 0x1234 };
	int ncases = cases_for(16, 4), failures = 0, i;

	(void)state;
	for (i = 0; i < ncases; i++) {
		struct conv_case c;
		enum shape_kind kind = kinds[i % 4];
		uint64_t lo = kind == SHAPE_DEEP ? (g_quick ? 300000 : 1000000) : 1;

		do {
			case_make(&r, &c, kind, g_quick ? 600000 : 12000000);
			if (npu_conv_macs(&c.s) >= lo)
				break;
			case_free(&c);
		} while (1);
		failures += case_check(&c, 1, NPU_CPU_ISA_BEST, "threads=1", i) != 0;
		failures += case_check(&c, -2, NPU_CPU_ISA_BEST, "2 threads", i) != 0;
		failures += case_check(&c, -4, NPU_CPU_ISA_BEST, "4 threads", i) != 0;
		failures += case_check(&c, 0, NPU_CPU_ISA_BEST, "threads=all", i) != 0;
		failures += case_check(&c, -2, NPU_CPU_ISA_SCALAR, "scalar, 2 threads", i) != 0;
		case_free(&c);
	}
	assert_int_equal(failures, 0);
}

/* A ResNet-like layer: the GEMM kernel's full 6x16 tiles over many blocks. */
static void test_resnet_like_layer(void **state)
{
	struct rng r = { g_seed ^ 0x5151 };
	struct conv_case c;

	(void)state;
	/* build it by hand: 3x3, pad 1, 14x14x64 -> 64, uint8 in, int8 w, fixed rq */
	memset(&c, 0, sizeof(c));
	c.s.n = 1;
	c.s.in_h = c.s.in_w = g_quick ? 6 : 14;
	c.s.in_c = 64;
	c.s.out_c = 64;
	c.s.kh = c.s.kw = 3;
	c.s.stride_h = c.s.stride_w = 1;
	c.s.dil_h = c.s.dil_w = 1;
	c.s.pad_top = c.s.pad_left = c.s.pad_bottom = c.s.pad_right = 1;
	c.s.groups = 1;
	c.s.out_type = NPU_TYPE_INT32;
	{
		const char *why;
		size_t ob;

		assert_int_equal(npu_conv_spec_finish(&c.s, &why), 0);
		fill_quant(&r, &c);
		c.s.in_type = NPU_TYPE_UINT8;
		c.s.w_type = NPU_TYPE_INT8;
		c.s.in_zp = 3;
		for (int k = 0; c.w_zp && k < c.s.out_c; k++)	/* inside int8 now */
			c.w_zp[k] = c.w_zp[k] % 128;
		assert_int_equal(npu_conv_spec_finish(&c.s, &why), 0);
		c.in = malloc(npu_conv_in_elems(&c.s));
		c.w = malloc(npu_conv_w_elems(&c.s));
		ob = npu_conv_out_elems(&c.s) * out_elem_size(c.s.out_type);
		c.expect = malloc(ob);
		c.got = malloc(ob);
		c.out_bytes = ob;
		assert_non_null(c.in);
		assert_non_null(c.w);
		assert_non_null(c.expect);
		assert_non_null(c.got);
		fill_bytes(&r, c.in, npu_conv_in_elems(&c.s));
		fill_bytes(&r, c.w, npu_conv_w_elems(&c.s));
		npu_ref_conv(&c.s, c.in, c.w, c.expect);
	}
	assert_int_equal(case_check(&c, 1, NPU_CPU_ISA_BEST, "resnet-like", 0), 0);
	assert_int_equal(case_check(&c, 2, NPU_CPU_ISA_BEST, "resnet-like", 0), 0);
	assert_int_equal(case_check(&c, 1, NPU_CPU_ISA_SCALAR, "resnet-like", 0), 0);
	case_free(&c);
}

/* Extreme operands: every input and weight at a type edge, zero points at the other. */
static void test_extreme_operands(void **state)
{
	struct rng r = { g_seed ^ 0xee };
	int i, failures = 0;

	(void)state;
	for (i = 0; i < 16; i++) {
		struct conv_case c;
		size_t j;

		case_make(&r, &c, i % 2 ? SHAPE_DEEP : SHAPE_SMALL, 300000);
		c.s.in_zp = c.s.in_type == NPU_TYPE_INT8 ? (i & 2 ? 127 : -128) : (i & 2 ? 255 : 0);
		for (j = 0; j < npu_conv_in_elems(&c.s); j++)
			((uint8_t *)c.in)[j] = c.s.in_type == NPU_TYPE_INT8 ? (i & 2 ? 0x80 : 0x7f) :
					       (i & 2 ? 0 : 255);
		for (j = 0; j < npu_conv_w_elems(&c.s); j++)
			((uint8_t *)c.w)[j] = c.s.w_type == NPU_TYPE_INT8 ? (i & 4 ? 0x80 : 0x7f) :
					      (i & 4 ? 0 : 255);
		for (j = 0; c.w_zp && j < (size_t)c.s.out_c; j++)
			c.w_zp[j] = c.s.w_type == NPU_TYPE_INT8 ? (i & 4 ? 127 : -128) :
				    (i & 4 ? 255 : 0);
		npu_ref_conv(&c.s, c.in, c.w, c.expect);
		failures += case_check(&c, 1, NPU_CPU_ISA_BEST, "extreme", i) != 0;
		failures += case_check(&c, 1, NPU_CPU_ISA_SCALAR, "extreme scalar", i) != 0;
		case_free(&c);
	}
	assert_int_equal(failures, 0);
}

/* The cached scratch block: reused across shapes, released, allocated again. */
static void test_scratch_reuse(void **state)
{
	struct rng r = { g_seed ^ 0x5c };
	int i, failures = 0;

	(void)state;
	for (i = 0; i < 12; i++) {
		struct conv_case c;

		/* alternate big and small so the block is reused, grown and shrunk into */
		case_make(&r, &c, i % 2 ? SHAPE_IMAGE : SHAPE_TINY, 400000);
		failures += case_check(&c, 1, NPU_CPU_ISA_BEST, "scratch reuse", i) != 0;
		if (i % 4 == 3)
			npu_cpu_release_scratch();
		failures += case_check(&c, -2, NPU_CPU_ISA_BEST, "scratch reuse, 2 threads", i) != 0;
		case_free(&c);
	}
	npu_cpu_release_scratch();
	npu_cpu_release_scratch();	/* twice is harmless */
	assert_int_equal(failures, 0);
}

/* Calls from several threads at once: one owns the helper pool, the others start threads. */
struct concurrent_arg {
	struct conv_case *c;
	int failures;
};

static void *concurrent_main(void *arg)
{
	struct concurrent_arg *a = arg;
	int i;

	for (i = 0; i < (g_quick ? 3 : 20); i++)
		a->failures += case_check(a->c, -2, NPU_CPU_ISA_BEST, "concurrent", i) != 0;
	npu_cpu_release_scratch();
	return NULL;
}

static void test_concurrent_callers(void **state)
{
	struct rng r = { g_seed ^ 0xc0c0 };
	struct conv_case c[3];
	struct concurrent_arg a[3];
	pthread_t tid[3];
	int i, failures = 0;

	(void)state;
	for (i = 0; i < 3; i++) {
		case_make(&r, &c[i], i == 1 ? SHAPE_DW : SHAPE_IMAGE, 300000);
		a[i] = (struct concurrent_arg){ &c[i], 0 };
		assert_int_equal(pthread_create(&tid[i], NULL, concurrent_main, &a[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		pthread_join(tid[i], NULL);
		failures += a[i].failures;
		case_free(&c[i]);
	}
	assert_int_equal(failures, 0);
}

/*
 * After fork() the child has none of the parent's helper threads; it must
 * start its own. The pool is stopped around the fork only so that valgrind
 * finds no live thread in either process at exit.
 */
static void fork_child(struct conv_case *c)
{
	int bad = case_check(c, -2, NPU_CPU_ISA_BEST, "fork child", 0) != 0;

	cpu_pool_shutdown();
	npu_cpu_release_scratch();
	_exit(bad);
}

static void test_fork_child(void **state)
{
	struct rng r = { g_seed ^ 0xf0f0 };
	struct conv_case c;
	int status = -1;
	pid_t pid;

	(void)state;
	case_make(&r, &c, SHAPE_IMAGE, 300000);
	assert_int_equal(case_check(&c, -2, NPU_CPU_ISA_BEST, "before fork", 0), 0);
	cpu_pool_shutdown();
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		fork_child(&c);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* and the parent's pool starts again */
	assert_int_equal(case_check(&c, -2, NPU_CPU_ISA_BEST, "after fork", 0), 0);
	case_free(&c);
}

static void test_rejects_bad_spec(void **state)
{
	struct rng r = { g_seed ^ 0xbad };
	struct conv_case c;
	int32_t saved;

	(void)state;
	case_make(&r, &c, SHAPE_SMALL, 100000);
	c.s.out_h++;		/* not what npu_conv_spec_finish() derives */
	assert_int_equal(npu_cpu_conv(&c.s, c.in, c.w, c.got, 1), -EINVAL);
	c.s.out_h--;
	saved = c.s.groups;
	c.s.groups = 0;
	assert_int_equal(npu_cpu_conv(&c.s, c.in, c.w, c.got, 1), -EINVAL);
	c.s.groups = saved;
	assert_int_equal(npu_cpu_conv(&c.s, c.in, c.w, c.got, 1), 0);
	case_free(&c);
}

/* ------------------------------------------------------------------ */
/* The vector requantizer against npu_requant, lane by lane            */
/* ------------------------------------------------------------------ */

/* A multiple of 2^e plus 2^(e-1): an exact tie for a shift by e. */
static int32_t tie_acc(struct rng *r)
{
	int e = rnd_in(r, 1, 10);

	return (int32_t)((int64_t)rnd_in(r, -1000000, 1000000) * (1 << e) + (1 << (e - 1)));
}

static int32_t edge_acc(struct rng *r)
{
	static const int32_t edges[] = {
		INT32_MIN, INT32_MIN + 1, INT32_MAX, INT32_MAX - 1, 0, 1, -1, 2, -2, 3, -3,
		1 << 30, -(1 << 30), 16777217, -16777217, 255, -256, 65535, -65536,
	};

	if (chance(r, 30))
		return edges[rnd_in(r, 0, (int)(sizeof(edges) / sizeof(edges[0])) - 1)];
	if (chance(r, 30))
		return tie_acc(r);
	return (int32_t)rnd(r);
}

static int32_t edge_mult(struct rng *r)
{
	static const int32_t edges[] = { 0, 1, INT32_MAX, INT32_MIN, 1 << 30, -(1 << 30) };

	if (chance(r, 20))
		return edges[rnd_in(r, 0, 5)];
	return (int32_t)rnd(r);
}

static float edge_scale(struct rng *r)
{
	static const float edges[] = { 0.0f, 1.0f, 0.5f, 0.25f, -0.5f, 1e9f, -1e9f, 1e-9f,
				       2.0f, 4.0f, 3.0e38f, -3.0e38f };

	if (chance(r, 25))
		return edges[rnd_in(r, 0, 11)];
	return (float)(int32_t)rnd(r) / (float)(1u << rnd_in(r, 8, 31));
}

static void test_vector_requant(void **state)
{
	struct rng r = { g_seed ^ 0x4242 };
	int32_t mult[16], acc[16], got[16];
	int8_t shift[16];
	float scale[16];
	int rounds = cases_for(20000, 500), i, k, mode;

	(void)state;
	if (!npu_cpu_have_avx2()) {
		print_message("no AVX2: the vector requantizer is not used here\n");
		return;
	}
	for (i = 0; i < rounds; i++) {
		struct npu_conv_spec s;
		struct cpu_rq rq;

		memset(&s, 0, sizeof(s));
		s.out_c = 16;
		mode = i % 2 ? NPU_RQ_FIXED : NPU_RQ_FP32;
		s.rq_mode = (enum npu_rq_mode)mode;
		s.out_type = chance(&r, 50) ? NPU_TYPE_INT8 : NPU_TYPE_UINT8;
		s.out_zp = rnd_in(&r, type_lo(s.out_type), type_hi(s.out_type));
		s.act_min = chance(&r, 50) ? type_lo(s.out_type) :
			    rnd_in(&r, type_lo(s.out_type), type_hi(s.out_type));
		s.act_max = chance(&r, 50) ? type_hi(s.out_type) :
			    rnd_in(&r, s.act_min, type_hi(s.out_type));
		for (k = 0; k < 16; k++) {
			mult[k] = edge_mult(&r);
			shift[k] = (int8_t)rnd_in(&r, -31, 31);
			scale[k] = edge_scale(&r);
			acc[k] = edge_acc(&r);
		}
		s.rq_mult = mult;
		s.rq_shift = shift;
		s.rq_scale = scale;
		assert_int_equal(cpu_rq_init(&rq, &s), 0);
		assert_true(rq.vec);
		cpu_requant16_avx2(&rq, 0, acc, got);
		for (k = 0; k < 16; k++) {
			int32_t e = npu_requant(&s, k, acc[k]);

			if (e != got[k]) {
				print_message("requant mode %d: acc %" PRId32 " q %" PRId32 " shift %d "
					      "scale %a zp %d clamp [%d,%d]: expected %" PRId32
					      ", got %" PRId32 "\n", mode, acc[k], mult[k], shift[k],
					      (double)scale[k], s.out_zp, s.act_min, s.act_max, e,
					      got[k]);
				fail();
			}
		}
		cpu_rq_free(&rq);
	}
}

static int setup_seed(void **state)
{
	const char *e = getenv("NPU_TEST_SEED");
	const char *q = getenv("NPU_TEST_QUICK");

	(void)state;
	g_quick = q && *q && strcmp(q, "0");
	g_seed = e && *e ? strtoull(e, NULL, 0) : UINT64_C(20240611);
	print_message("test_cpu_conv: seed %" PRIu64 " (NPU_TEST_SEED overrides)%s\n", g_seed,
		      g_quick ? ", quick" : "");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_requant),
		cmocka_unit_test(test_random_shapes),
		cmocka_unit_test(test_extreme_operands),
		cmocka_unit_test(test_resnet_like_layer),
		cmocka_unit_test(test_threads_agree),
		cmocka_unit_test(test_scratch_reuse),
		cmocka_unit_test(test_concurrent_callers),
		cmocka_unit_test(test_fork_child),
		cmocka_unit_test(test_rejects_bad_spec),
	};
	int rc = cmocka_run_group_tests(tests, setup_seed, NULL);

	npu_cpu_release_scratch();	/* leave valgrind nothing to report */
	return rc;
}
