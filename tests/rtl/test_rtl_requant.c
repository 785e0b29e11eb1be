/* SPDX-License-Identifier: MIT */
/*
 * The requantizer lane (hw/rtl/npu_requant.sv) against the C reference
 * (lib/ref/requant.c): the edge cases of both modes, then random values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "npu_ref.h"
#include "rtl_units.h"

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 32);
}

static int32_t expect(const struct rq_in *x)
{
	struct npu_conv_spec s = {0};
	int32_t mult = (int32_t)x->scale;
	int8_t shift = x->shift;
	float scale;

	memcpy(&scale, &x->scale, sizeof(scale));
	s.rq_mode = x->mode;
	s.rq_mult = &mult;
	s.rq_shift = &shift;
	s.rq_scale = &scale;
	s.out_zp = x->out_zp;
	s.act_min = x->act_min;
	s.act_max = x->act_max;
	return npu_requant(&s, 0, (int32_t)((uint32_t)x->acc + (uint32_t)x->bias));
}

static void check_all(struct rq_in *v, size_t n, const char *what)
{
	struct rq_model *m = rq_open();
	int32_t *out = malloc(n * sizeof(*out));
	size_t bad = 0;

	rq_run(m, n, v, out, (uint32_t)rng_state);
	for (size_t i = 0; i < n; i++) {
		int32_t e = expect(&v[i]);

		if (out[i] != e) {
			if (bad < 10) {
				float f;
				memcpy(&f, &v[i].scale, sizeof(f));
				fprintf(stderr, "%s #%zu: mode %u acc %d bias %d scale 0x%08x (%g) shift %d "
					"zp %d clamp [%d,%d]: expected %d, RTL %d\n", what, i, v[i].mode,
					v[i].acc, v[i].bias, v[i].scale, (double)f, v[i].shift, v[i].out_zp,
					v[i].act_min, v[i].act_max, e, out[i]);
			}
			bad++;
		}
	}
	free(out);
	rq_close(m);
	if (bad)
		fail_msg("%s: %zu of %zu values differ", what, bad, n);
}

static void full_range(struct rq_in *x)
{
	x->out_zp = 0;
	x->act_min = INT16_MIN;
	x->act_max = INT16_MAX;
}

static void test_fixed_edges(void **state)
{
	static const int32_t accs[] = {0, 1, -1, 2, -2, 3, -3, 5, -5, 6, -6, 127, -128, 255,
				       INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30),
				       123456789, -123456789};
	static const int32_t qs[] = {0, 1, 1 << 30, INT32_MAX, INT32_MIN, 1518500250, -7};
	size_t n = 0, cap = 64 * 40 * 32 + 200000;
	struct rq_in *v = calloc(cap, sizeof(*v));

	(void)state;
	for (int s = NPU_SHIFT_MIN; s <= NPU_SHIFT_MAX; s++)
		for (size_t a = 0; a < sizeof(accs) / sizeof(accs[0]); a++)
			for (size_t q = 0; q < sizeof(qs) / sizeof(qs[0]); q++) {
				struct rq_in *x = &v[n++];
				x->mode = NPU_RQ_FIXED;
				x->acc = accs[a];
				x->scale = (uint32_t)qs[q];
				x->shift = (int8_t)s;
				full_range(x);
			}
	/* exact ties of the final rounding, both signs: SRDHM(x, INT32_MIN) = -x */
	for (int e = 1; e <= 31; e++)
		for (int k = -20; k <= 20; k++) {
			int64_t x = (2 * (int64_t)k + 1) * ((int64_t)1 << (e - 1));
			if (x > INT32_MAX || x <= INT32_MIN)
				continue;
			struct rq_in *t = &v[n++];
			t->mode = NPU_RQ_FIXED;
			t->acc = (int32_t)x;
			t->scale = (uint32_t)INT32_MIN;
			t->shift = (int8_t)-e;
			full_range(t);
		}
	/* saturation at both ends of int8 and uint8 */
	for (int i = 0; i < 2000; i++) {
		struct rq_in *x = &v[n++];
		int u8 = i & 1;
		x->mode = NPU_RQ_FIXED;
		x->acc = (int32_t)rnd();
		x->scale = (1u << 30) + (rnd() >> 2);
		x->shift = (int8_t)((int)(rnd() % 40) - 31);
		x->out_zp = (int16_t)(u8 ? (int)(rnd() % 256) : (int)(rnd() % 256) - 128);
		x->act_min = u8 ? 0 : -128;
		x->act_max = u8 ? 255 : 127;
	}
	check_all(v, n, "fixed edges");
	free(v);
}

static void test_fp32_edges(void **state)
{
	static const float ms[] = {0.5f, 0.25f, 1.0f, 1.5f, 2.0f, 0.1f, 1e-3f, 3.0517578125e-5f,
				   1e-30f, 1e-40f /* subnormal */, 0.0f, -0.0f, -0.5f, -0.1f,
				   1e10f, 3.4e38f, 0.999999940395f, 1.00000011921f};
	static const int32_t accs[] = {0, 1, -1, 3, -3, 5, -5, 7, -7, 16777215, 16777216, 16777217,
				       16777219, -16777217, 33554435, INT32_MAX, INT32_MIN, 100, -100,
				       2147483520, 2147483583, -2147483583};
	size_t n = 0, cap = 100000;
	struct rq_in *v = calloc(cap, sizeof(*v));

	(void)state;
	for (size_t a = 0; a < sizeof(accs) / sizeof(accs[0]); a++)
		for (size_t m = 0; m < sizeof(ms) / sizeof(ms[0]); m++) {
			struct rq_in *x = &v[n++];
			x->mode = NPU_RQ_FP32;
			x->acc = accs[a];
			memcpy(&x->scale, &ms[m], sizeof(float));
			full_range(x);
		}
	/* .5 ties for round-half-even: odd accumulators times 2^-k */
	for (int k = 1; k <= 24; k++)
		for (int j = -50; j <= 50; j++) {
			struct rq_in *x = &v[n++];
			float m = 1.0f / (float)(1 << k);
			x->mode = NPU_RQ_FP32;
			x->acc = (int32_t)((2 * j + 1) * (1 << (k - 1)));
			memcpy(&x->scale, &m, sizeof(float));
			full_range(x);
		}
	check_all(v, n, "fp32 edges");
	free(v);
}

static void test_random(void **state)
{
	size_t n = getenv("NPU_TEST_QUICK") ? 20000 : 400000;
	struct rq_in *v = calloc(n, sizeof(*v));

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct rq_in *x = &v[i];
		int kind = (int)(rnd() % 3);
		int bits = (int)(rnd() % 32) + 1;
		x->acc = (int32_t)rnd() >> (32 - bits);
		x->bias = (rnd() & 3) ? (int32_t)rnd() >> (int)(rnd() % 32) : 0;
		x->mode = kind == 0 ? NPU_RQ_NONE : kind == 1 ? NPU_RQ_FIXED : NPU_RQ_FP32;
		if (x->mode == NPU_RQ_FIXED) {
			x->scale = rnd();
			x->shift = (int8_t)((int)(rnd() % 62) - 31);
		} else if (x->mode == NPU_RQ_FP32) {
			/* exponents across the whole useful range, any sign */
			uint32_t e = 127 - 40 + rnd() % 60;
			x->scale = (rnd() & 0x807fffffu) | (e << 23);
		}
		if (x->mode == NPU_RQ_NONE) {
			x->out_zp = 0;
			x->act_min = 0;
			x->act_max = 0;
		} else if (rnd() & 1) {
			x->out_zp = (int16_t)(rnd() % 256);
			x->act_min = (int16_t)(rnd() % 128);
			x->act_max = (int16_t)(128 + rnd() % 128);
		} else {
			x->out_zp = (int16_t)((int)(rnd() % 256) - 128);
			x->act_min = (int16_t)((int)(rnd() % 128) - 128);
			x->act_max = (int16_t)(rnd() % 128);
		}
	}
	check_all(v, n, "random");
	free(v);
}

int main(void)
{
	const char *e = getenv("NPU_TEST_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_edges),
		cmocka_unit_test(test_fp32_edges),
		cmocka_unit_test(test_random),
	};

	rng_state = e ? strtoull(e, NULL, 0) : 0x5eed2026ull;
	printf("test_rtl_requant: seed 0x%llx (NPU_TEST_SEED to replay)\n",
	       (unsigned long long)rng_state);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
