/* SPDX-License-Identifier: MIT */
/*
 * Randomized device test of the depthwise mode (NPU_CONV_DEPTHWISE):
 * seeded depthwise layers (multiplier 1) run on the RTL in that mode and
 * are compared element by element with the C reference. The families
 * cover what the mode's hardware does differently: MobileNet's 3x3 and
 * 5x5 kernels at strides 1 and 2, any kernel up to 16x16 (several tap
 * slices, slices narrower at the kernel's edge; a kernel as large as the
 * input, so that a slice has one pixel), dilation, asymmetric
 * padding, outputs larger than an accumulator bank (row chunks), many
 * channels (several channel slices, a partial last one), both
 * requantization modes and int32 outputs. Every run prints its seed;
 * NPU_TEST_SEED replays it, NPU_TEST_CASES sets the count, NPU_TEST_ONLY
 * runs one case of them. Built for the 16x16 and the 8x8 array.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "simkit.h"

static uint64_t rng;

static uint32_t rnd(void)
{
	return kit_rand(&rng);
}

static int pick(int lo, int hi)
{
	return kit_pick(&rng, lo, hi);
}

struct cfg {
	struct npu_conv_spec s;
	int32_t *bias, *mult, *wzp;
	int8_t *shift;
	float *scale;
};

enum family { F_MOBILE3, F_MOBILE5, F_ANY, F_CHUNKED, F_WIDE_C, F_LARGE_K, F_FULL_K, F_COUNT };
static const char *const family_name[F_COUNT] = {
	"3x3", "5x5", "any kernel", "chunked rows", "many channels", "large kernel",
	"whole-input kernel",
};

static void draw_shape(struct npu_conv_spec *s, enum family f)
{
	s->n = pick(1, 8) == 1 ? 2 : 1;
	s->stride_h = s->stride_w = 1;
	s->dil_h = s->dil_w = 1;
	switch (f) {
	case F_MOBILE3:
	case F_MOBILE5:
		s->kh = s->kw = f == F_MOBILE3 ? 3 : 5;
		s->in_h = pick(4, 16);
		s->in_w = pick(4, 16);
		s->in_c = pick(1, 48);
		s->stride_h = s->stride_w = pick(1, 2);
		s->pad_top = s->pad_left = s->kh / 2;
		s->pad_bottom = s->pad_right = pick(0, 1) ? s->kh / 2 : s->kh / 2 - s->stride_h + 1;
		break;
	case F_CHUNKED:
		/* more output pixels than a bank: the device walks row chunks */
		s->kh = s->kw = pick(0, 2) ? 3 : pick(1, 5);
		s->in_h = pick(24, 40);
		s->in_w = pick(20, 40);
		s->in_c = pick(1, 24);
		s->stride_h = pick(1, 2);
		s->stride_w = pick(1, 2);
		s->pad_top = s->pad_bottom = s->kh / 2;
		s->pad_left = s->pad_right = s->kw / 2;
		break;
	case F_WIDE_C:
		s->kh = s->kw = 3;
		s->in_h = pick(2, 7);
		s->in_w = pick(2, 7);
		s->in_c = pick(49, 300);
		s->stride_h = s->stride_w = pick(1, 2);
		s->pad_top = s->pad_left = s->pad_bottom = s->pad_right = 1;
		break;
	case F_FULL_K:
		/* one output pixel per tap slice: slices follow each other at once */
		s->kh = s->in_h = pick(1, 16);
		s->kw = s->in_w = pick(1, 16);
		s->in_c = pick(1, 40);
		break;
	case F_LARGE_K:
		s->kh = pick(1, 16);
		s->kw = pick(1, 16);
		s->in_h = pick(s->kh, s->kh + 6);
		s->in_w = pick(s->kw, s->kw + 6);
		s->in_c = pick(1, 20);
		s->stride_h = pick(1, 3);
		s->stride_w = pick(1, 3);
		break;
	default:
		s->kh = pick(1, 7);
		s->kw = pick(1, 7);
		s->in_h = pick(1, 14);
		s->in_w = pick(1, 14);
		s->in_c = pick(1, 40);
		s->stride_h = pick(1, 3);
		s->stride_w = pick(1, 3);
		s->dil_h = pick(0, 2) ? 1 : pick(2, 4);
		s->dil_w = pick(0, 2) ? 1 : pick(2, 4);
		break;
	}
	if (f == F_ANY || f == F_LARGE_K) {
		/* asymmetric padding, never a whole kernel of it */
		int eh = (s->kh - 1) * s->dil_h, ew = (s->kw - 1) * s->dil_w;
		s->pad_top = eh ? pick(0, eh) : 0;
		s->pad_bottom = eh ? pick(0, eh) : 0;
		s->pad_left = ew ? pick(0, ew) : 0;
		s->pad_right = ew ? pick(0, ew) : 0;
	}
	if (s->pad_bottom < 0)
		s->pad_bottom = 0;
	if (s->pad_right < 0)
		s->pad_right = 0;
	s->groups = s->out_c = s->in_c;
	while ((s->kh - 1) * s->dil_h + 1 > s->in_h + s->pad_top + s->pad_bottom)
		s->in_h++;
	while ((s->kw - 1) * s->dil_w + 1 > s->in_w + s->pad_left + s->pad_right)
		s->in_w++;
}

static void draw_quant(struct cfg *c)
{
	struct npu_conv_spec *s = &c->s;
	int k = s->out_c;
	int kind = pick(0, 4);

	s->in_type = pick(0, 1) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
	s->w_type = pick(0, 3) ? NPU_TYPE_INT8 : NPU_TYPE_UINT8;
	s->in_zp = s->in_type == NPU_TYPE_INT8 ? pick(-128, 127) : pick(0, 255);
	c->bias = malloc(k * sizeof(int32_t));
	c->wzp = malloc(k * sizeof(int32_t));
	c->mult = malloc(k * sizeof(int32_t));
	c->shift = malloc(k);
	c->scale = malloc(k * sizeof(float));
	for (int i = 0; i < k; i++) {
		double m = 1.0 / (16.0 * s->kh * s->kw) * (0.5 + (rnd() % 1000) / 1000.0);
		int sh;

		c->bias[i] = pick(0, 3) ? pick(-20000, 20000) : 0;
		c->wzp[i] = s->w_type == NPU_TYPE_INT8 ? (pick(0, 2) ? 0 : pick(-128, 127)) :
							  pick(0, 255);
		npu_quantize_multiplier(m, &c->mult[i], &sh);
		c->shift[i] = (int8_t)sh;
		c->scale[i] = (float)m;
	}
	s->bias = c->bias;
	s->w_zp = c->wzp;
	if (kind == 0) {
		s->out_type = NPU_TYPE_INT32;
		s->rq_mode = NPU_RQ_NONE;
	} else {
		s->out_type = pick(0, 1) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
		s->rq_mode = kind <= 2 ? NPU_RQ_FIXED : NPU_RQ_FP32;
		s->rq_mult = c->mult;
		s->rq_shift = c->shift;
		s->rq_scale = c->scale;
		if (s->out_type == NPU_TYPE_INT8) {
			s->out_zp = pick(-20, 20);
			s->act_min = pick(0, 3) ? -128 : pick(-128, 0);
			s->act_max = pick(0, 3) ? 127 : pick(6, 127);
		} else {
			s->out_zp = pick(0, 255);
			s->act_min = pick(0, 3) ? 0 : pick(0, 100);
			s->act_max = pick(0, 3) ? 255 : pick(150, 255);
		}
	}
}

static void free_cfg(struct cfg *c)
{
	free(c->bias);
	free(c->wzp);
	free(c->mult);
	free(c->shift);
	free(c->scale);
}

static void describe(const struct npu_conv_spec *s, char *buf, size_t len)
{
	snprintf(buf, len,
		 "n%d %dx%dx%d k%dx%d s%d,%d d%d,%d pad t%d l%d b%d r%d in%s zp%d w%s out%s "
		 "rq%d zp%d clamp[%d,%d]",
		 s->n, s->in_h, s->in_w, s->in_c, s->kh, s->kw, s->stride_h, s->stride_w,
		 s->dil_h, s->dil_w, s->pad_top, s->pad_left, s->pad_bottom, s->pad_right,
		 s->in_type ? "u8" : "i8", s->in_zp, s->w_type ? "u8" : "i8",
		 s->out_type == 2 ? "i32" : s->out_type ? "u8" : "i8", s->rq_mode, s->out_zp,
		 s->act_min, s->act_max);
}

static void test_random_depthwise(void **state)
{
	uint64_t seed = kit_seed();
	const char *e = getenv("NPU_TEST_CASES");
	int cases = e ? atoi(e) : kit_quick() ? 24 : 300;
	const char *only = getenv("NPU_TEST_ONLY");
	struct kit k;
	int counts[F_COUNT] = {0};
	uint64_t macs = 0;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	printf("test_sim_dw_random: %ux%u array, seed %llu, %d cases (NPU_TEST_SEED, "
	       "NPU_TEST_CASES)\n", k.caps.rows, k.caps.cols, (unsigned long long)seed, cases);
	assert_true(k.caps.features & NPU_FEAT_DEPTHWISE);
	for (int t = 0; t < cases; t++) {
		struct cfg c;
		const char *why;
		char desc[256];
		struct kit_result r;

		if (only && atoi(only) != t)
			continue;
		rng = seed * 1000003ull + (uint64_t)t;
		memset(&c, 0, sizeof(c));
		enum family f = (enum family)(t % F_COUNT);
		draw_shape(&c.s, f);
		draw_quant(&c);
		if (npu_conv_spec_finish(&c.s, &why))
			fail_msg("case %d: generator made a bad spec: %s", t, why);
		describe(&c.s, desc, sizeof(desc));
		if (only)
			printf("case %d: %s\n", t, desc);

		size_t ni = npu_conv_in_elems(&c.s), nw = npu_conv_w_elems(&c.s);
		size_t no = npu_conv_out_elems(&c.s) * npu_dtype_bytes(c.s.out_type);
		uint8_t *in = malloc(ni), *w = malloc(nw), *o_ref = malloc(no), *o_dev = malloc(no);
		for (size_t i = 0; i < ni; i++)
			in[i] = (uint8_t)rnd();
		for (size_t i = 0; i < nw; i++)
			w[i] = (uint8_t)rnd();
		memset(o_dev, 0xa5, no);
		npu_ref_conv(&c.s, in, w, o_ref);
		if (kit_conv_flags(&k, &c.s, in, w, o_dev, &r, NPU_CONV_DEPTHWISE) || r.err_code)
			fail_msg("case %d (%s): device failed, error %u info 0x%x", t, desc, r.err_code,
				 r.err_info);
		size_t nel = npu_conv_out_elems(&c.s), bad = 0, first = 0;
		for (size_t i = 0; i < nel; i++)
			if (npu_load(c.s.out_type, o_ref, i) != npu_load(c.s.out_type, o_dev, i) && !bad++)
				first = i;
		if (bad) {
			size_t kk = first % c.s.out_c, x = first / c.s.out_c % c.s.out_w;
			size_t y = first / c.s.out_c / c.s.out_w % c.s.out_h;
			size_t b = first / c.s.out_c / c.s.out_w / c.s.out_h;
			fail_msg("case %d (%s): %zu of %zu outputs differ; first at (n %zu, y %zu, x %zu, "
				 "c %zu): expected %d, device %d", t, desc, bad, nel, b, y, x, kk,
				 npu_load(c.s.out_type, o_ref, first), npu_load(c.s.out_type, o_dev, first));
		}
		counts[f]++;
		macs += npu_conv_macs(&c.s);
		free(in);
		free(w);
		free(o_ref);
		free(o_dev);
		free_cfg(&c);
	}
	assert_int_equal(npu_sim_faults(k.sim), 0);
	printf("test_sim_dw_random:");
	for (int f = 0; f < F_COUNT; f++)
		printf(" %d %s%s", counts[f], family_name[f], f + 1 < F_COUNT ? "," : "");
	printf(" cases bit-exact (%llu MACs); %llu cycles simulated\n", (unsigned long long)macs,
	       (unsigned long long)npu_sim_cycles(k.sim));
	kit_close(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_depthwise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
