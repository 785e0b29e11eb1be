/* SPDX-License-Identifier: MIT */
/*
 * Randomized device test: seeded convolution / FC configurations run on the
 * RTL and compared element by element with the C reference. Every run
 * prints its seed; NPU_TEST_SEED replays it, NPU_TEST_CASES sets the count.
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

/* Layer families the device must serve; each test case draws one. */
enum family { F_GENERIC, F_FC, F_1X1, F_FULL_KERNEL, F_DEPTHWISE, F_GROUPED, F_WIDE_C, F_STEM,
	      F_CHUNKED, F_COUNT };

static void draw_shape(struct npu_conv_spec *s, enum family f)
{
	s->n = pick(1, 10) == 1 ? 2 : 1;
	s->groups = 1;
	s->stride_h = s->stride_w = 1;
	s->dil_h = s->dil_w = 1;
	switch (f) {
	case F_FC:
		s->in_h = s->in_w = 1;
		s->in_c = pick(1, 600);
		s->out_c = pick(1, 300);
		s->kh = s->kw = 1;
		break;
	case F_1X1:
		s->in_h = pick(1, 12);
		s->in_w = pick(1, 12);
		s->in_c = pick(1, 300);
		s->out_c = pick(1, 100);
		s->kh = s->kw = 1;
		s->stride_h = pick(1, 2);
		s->stride_w = pick(1, 2);
		break;
	case F_FULL_KERNEL:
		s->in_h = pick(1, 7);
		s->in_w = pick(1, 7);
		s->in_c = pick(1, 64);
		s->out_c = pick(1, 70);
		s->kh = s->in_h;
		s->kw = s->in_w;
		break;
	case F_DEPTHWISE:
		s->in_h = pick(3, 12);
		s->in_w = pick(3, 12);
		s->in_c = pick(1, 40);
		s->groups = s->in_c;
		s->out_c = s->in_c * pick(1, 2);
		s->kh = s->kw = 3;
		s->stride_h = s->stride_w = pick(1, 2);
		s->pad_top = s->pad_left = s->pad_bottom = s->pad_right = 1;
		break;
	case F_GROUPED:
		s->groups = pick(2, 4);
		s->in_c = s->groups * pick(1, 24);
		s->out_c = s->groups * pick(1, 20);
		s->in_h = pick(2, 9);
		s->in_w = pick(2, 9);
		s->kh = pick(1, 3);
		s->kw = pick(1, 3);
		break;
	case F_WIDE_C:
		s->in_h = pick(1, 4);
		s->in_w = pick(1, 4);
		s->in_c = pick(300, 600);
		s->out_c = pick(1, 40);
		s->kh = s->kw = pick(1, 3);
		break;
	case F_CHUNKED:
		/* tiles of more pixels than a bank: the device goes by row chunks */
		s->in_h = pick(20, 40);
		s->in_w = pick(16, 40);
		s->in_c = pick(1, 40);
		s->out_c = pick(1, 40);
		s->kh = pick(1, 3);
		s->kw = pick(1, 3);
		s->stride_h = pick(1, 2);
		s->stride_w = pick(1, 2);
		s->groups = pick(0, 3) ? 1 : 2;
		s->in_c = (s->in_c + 1) / 2 * 2;
		s->out_c = (s->out_c + 1) / 2 * 2;
		break;
	case F_STEM:
		s->in_h = pick(11, 20);
		s->in_w = pick(11, 20);
		s->in_c = 3;
		s->out_c = pick(8, 64);
		s->kh = s->kw = pick(7, 11);
		s->stride_h = s->stride_w = 2;
		s->pad_top = s->pad_left = pick(0, 3);
		s->pad_bottom = s->pad_right = pick(0, 3);
		break;
	default:
		s->in_h = pick(1, 14);
		s->in_w = pick(1, 14);
		s->in_c = pick(1, 96);
		s->out_c = pick(1, 80);
		s->kh = pick(1, 5);
		s->kw = pick(1, 5);
		s->stride_h = pick(1, 4);
		s->stride_w = pick(1, 4);
		s->dil_h = pick(1, 4) == 1 ? 2 : 1;
		s->dil_w = pick(1, 4) == 1 ? pick(2, 3) : 1;
		break;
	}
	if (f == F_GENERIC || f == F_GROUPED) {
		/* asymmetric padding, never a whole kernel of it */
		int eh = (s->kh - 1) * s->dil_h, ew = (s->kw - 1) * s->dil_w;
		s->pad_top = eh ? pick(0, eh) : 0;
		s->pad_bottom = eh ? pick(0, eh) : 0;
		s->pad_left = ew ? pick(0, ew) : 0;
		s->pad_right = ew ? pick(0, ew) : 0;
	}
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
		int fan = s->kh * s->kw * (s->in_c / s->groups);
		double m = 1.0 / (64.0 * fan) * (0.5 + (rnd() % 1000) / 1000.0);

		c->bias[i] = pick(0, 3) ? pick(-20000, 20000) : 0;
		c->wzp[i] = s->w_type == NPU_TYPE_INT8 ? (pick(0, 2) ? 0 : pick(-128, 127)) : pick(0, 255);
		{
			int sh;
			npu_quantize_multiplier(m, &c->mult[i], &sh);
			c->shift[i] = (int8_t)sh;
		}
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
		 "n%d %dx%dx%d -> K%d k%dx%d s%d,%d d%d,%d pad t%d l%d b%d r%d g%d in%s zp%d w%s out%s "
		 "rq%d zp%d clamp[%d,%d]",
		 s->n, s->in_h, s->in_w, s->in_c, s->out_c, s->kh, s->kw, s->stride_h, s->stride_w,
		 s->dil_h, s->dil_w, s->pad_top, s->pad_left, s->pad_bottom, s->pad_right, s->groups,
		 s->in_type ? "u8" : "i8", s->in_zp, s->w_type ? "u8" : "i8",
		 s->out_type == 2 ? "i32" : s->out_type ? "u8" : "i8", s->rq_mode, s->out_zp,
		 s->act_min, s->act_max);
}

static void test_random_layers(void **state)
{
	uint64_t seed = kit_seed();
	const char *e = getenv("NPU_TEST_CASES");
	int cases = e ? atoi(e) : kit_quick() ? 27 : 360;
	struct kit k;
	int counts[F_COUNT] = {0};

	(void)state;
	printf("test_sim_conv_random: seed %llu, %d cases (NPU_TEST_SEED, NPU_TEST_CASES)\n",
	       (unsigned long long)seed, cases);
	assert_int_equal(kit_open(&k, NULL), 0);
	for (int t = 0; t < cases; t++) {
		struct cfg c;
		const char *why;
		char desc[256];
		struct kit_result r;

		rng = seed * 1000003ull + (uint64_t)t;
		memset(&c, 0, sizeof(c));
		enum family f = (enum family)(t % F_COUNT);
		draw_shape(&c.s, f);
		draw_quant(&c);
		if (npu_conv_spec_finish(&c.s, &why))
			fail_msg("case %d: generator made a bad spec: %s", t, why);
		describe(&c.s, desc, sizeof(desc));

		size_t ni = npu_conv_in_elems(&c.s), nw = npu_conv_w_elems(&c.s);
		size_t no = npu_conv_out_elems(&c.s) * npu_dtype_bytes(c.s.out_type);
		uint8_t *in = malloc(ni), *w = malloc(nw), *o_ref = malloc(no), *o_dev = malloc(no);
		for (size_t i = 0; i < ni; i++)
			in[i] = (uint8_t)rnd();
		for (size_t i = 0; i < nw; i++)
			w[i] = (uint8_t)rnd();
		memset(o_dev, 0xa5, no);
		npu_ref_conv(&c.s, in, w, o_ref);
		k.big_tiles = f == F_CHUNKED;
		if (kit_conv(&k, &c.s, in, w, o_dev, &r) || r.err_code)
			fail_msg("case %d (%s): device failed, error %u info 0x%x", t, desc, r.err_code,
				 r.err_info);
		size_t nel = npu_conv_out_elems(&c.s), bad = 0, first = 0;
		for (size_t i = 0; i < nel; i++)
			if (npu_load(c.s.out_type, o_ref, i) != npu_load(c.s.out_type, o_dev, i) && !bad++)
				first = i;
		if (bad) {
			size_t kk = first % c.s.out_c, x = first / c.s.out_c % c.s.out_w;
			size_t y = first / c.s.out_c / c.s.out_w % c.s.out_h;
			fail_msg("case %d (%s): %zu of %zu outputs differ; first at (y %zu, x %zu, k %zu): "
				 "expected %d, device %d", t, desc, bad, nel, y, x, kk,
				 npu_load(c.s.out_type, o_ref, first), npu_load(c.s.out_type, o_dev, first));
		}
		counts[f]++;
		free(in);
		free(w);
		free(o_ref);
		free(o_dev);
		free_cfg(&c);
	}
	assert_int_equal(npu_sim_faults(k.sim), 0);
	printf("test_sim_conv_random: %d generic, %d fc, %d 1x1, %d full-kernel, %d depthwise, "
	       "%d grouped, %d wide-C, %d stem, %d row-chunked cases bit-exact; %llu cycles "
	       "simulated\n", counts[F_GENERIC], counts[F_FC], counts[F_1X1], counts[F_FULL_KERNEL],
	       counts[F_DEPTHWISE], counts[F_GROUPED], counts[F_WIDE_C], counts[F_STEM],
	       counts[F_CHUNKED], (unsigned long long)npu_sim_cycles(k.sim));
	kit_close(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_layers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
