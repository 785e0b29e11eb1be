/* SPDX-License-Identifier: MIT */
/*
 * The CPU-only ops against values worked out by hand and against a
 * straightforward double-precision computation on random data.
 */
#include <math.h>

#include "frontend_test.h"
#include "ops_cpu.h"
#include "rng.h"

static void test_pool_by_hand(void **state)
{
	/* 0..15 in a 4x4 image; 3x3 windows, stride 2, one pixel of padding. */
	struct npu_pool_op p = { NPU_POOL_MAX, NPU_INT8, { 1, 4, 4, 1 }, { 1, 2, 2, 1 },
				 3, 3, 2, 2, 1, 1 };
	int8_t in[16], out[4];
	static const int8_t want_max[4] = { 5, 7, 13, 15 };
	/* 10/4 = 2.5 -> 3, 24/6 = 4, 51/6 = 8.5 -> 9, 90/9 = 10 */
	static const int8_t want_avg[4] = { 3, 4, 9, 10 };
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		in[i] = (int8_t)i;
	npu_pool_run(&p, in, out);
	assert_memory_equal(out, want_max, 4);
	p.kind = NPU_POOL_AVG;
	npu_pool_run(&p, in, out);
	assert_memory_equal(out, want_avg, 4);
	/* Negative halves round away from zero too: columns alternate -1, -2. */
	for (i = 0; i < 16; i++)
		in[i] = (int8_t)(-1 - (i & 1));
	npu_pool_run(&p, in, out);
	assert_int_equal(out[0], -2);	/* -6 / 4 = -1.5 */
	assert_int_equal(out[3], -2);	/* -15 / 9 = -1.67 */
	assert_int_equal(out[1], -2);	/* -9 / 6 = -1.5 */
}

static void test_pool_random(void **state)
{
	uint64_t seed = test_seed("pool");
	struct npu_rng r = { seed };
	int iter, iters = test_quick() ? 20 : 200;

	(void)state;
	for (iter = 0; iter < iters; iter++) {
		struct npu_pool_op p = { 0 };
		int n, oy, ox, c, H, W, C, u8 = (int)npu_rng_range(&r, 0, 1);
		uint8_t *in, *out;
		size_t i, elems;

		p.kind = npu_rng_range(&r, 0, 1) ? NPU_POOL_AVG : NPU_POOL_MAX;
		p.type = u8 ? NPU_UINT8 : NPU_INT8;
		p.kh = (int)npu_rng_range(&r, 1, 4);
		p.kw = (int)npu_rng_range(&r, 1, 4);
		p.sh = (int)npu_rng_range(&r, 1, 3);
		p.sw = (int)npu_rng_range(&r, 1, 3);
		p.pad_top = (int)npu_rng_range(&r, 0, p.kh - 1);
		p.pad_left = (int)npu_rng_range(&r, 0, p.kw - 1);
		H = (int)npu_rng_range(&r, p.kh, 12);
		W = (int)npu_rng_range(&r, p.kw, 12);
		C = (int)npu_rng_range(&r, 1, 5);
		p.in[0] = p.out[0] = 2;
		p.in[1] = H;
		p.in[2] = W;
		p.in[3] = p.out[3] = C;
		/* No bottom/right padding: the window count follows from the top/left. */
		p.out[1] = (H + p.pad_top - p.kh) / p.sh + 1;
		p.out[2] = (W + p.pad_left - p.kw) / p.sw + 1;
		elems = (size_t)2 * H * W * C;
		in = malloc(elems);
		out = malloc((size_t)2 * p.out[1] * p.out[2] * C);
		for (i = 0; i < elems; i++)
			in[i] = (uint8_t)npu_rng_next(&r);
		npu_pool_run(&p, in, out);
		for (n = 0; n < 2; n++)
		for (oy = 0; oy < p.out[1]; oy++)
		for (ox = 0; ox < p.out[2]; ox++)
		for (c = 0; c < C; c++) {
			double sum = 0, best = -1e9;
			int cnt = 0, y, x, got, want;
			size_t o = (((size_t)n * p.out[1] + oy) * p.out[2] + ox) * C + c;

			for (y = oy * p.sh - p.pad_top; y < oy * p.sh - p.pad_top + p.kh; y++)
				for (x = ox * p.sw - p.pad_left; x < ox * p.sw - p.pad_left + p.kw;
				     x++) {
					size_t k;
					double v;

					if (y < 0 || x < 0 || y >= H || x >= W)
						continue;
					k = (((size_t)n * H + y) * W + x) * C + c;
					v = u8 ? in[k] : (int8_t)in[k];
					sum += v;
					best = fmax(best, v);
					cnt++;
				}
			want = (int)(p.kind == NPU_POOL_MAX ? best : round(sum / cnt));
			got = u8 ? out[o] : (int8_t)out[o];
			if (got != want)
				fail_msg("pool iteration %d at %zu: got %d want %d", iter, o, got,
					 want);
		}
		free(in);
		free(out);
	}
}

static struct npu_add_op add_op(enum npu_requant mode, float sa, float sb, float so)
{
	struct npu_add_op op = { .mode = mode, .in_type = NPU_INT8, .out_type = NPU_INT8,
				 .elems = 1, .act_min = -128, .act_max = 127 };

	assert_null(npu_add_prepare(&op, sa, sb, so));
	return op;
}

static int add1(const struct npu_add_op *op, int a, int b)
{
	int8_t va = (int8_t)a, vb = (int8_t)b, out;

	npu_add_run(op, &va, &vb, &out);
	return out;
}

static void test_add_tflite(void **state)
{
	struct npu_add_op same = add_op(NPU_REQUANT_TFLITE, 0.1f, 0.1f, 0.1f);
	/* Scales 0.2 and 0.1 into 0.1: the powers of two make 2a + b exact. */
	struct npu_add_op twice = add_op(NPU_REQUANT_TFLITE, 0.2f, 0.1f, 0.1f);
	int a, b;

	(void)state;
	for (a = -128; a <= 127; a += 17)
		for (b = -128; b <= 127; b += 13) {
			int s = a + b, t = 2 * a + b;

			assert_int_equal(add1(&same, a, b), s > 127 ? 127 : s < -128 ? -128 : s);
			assert_int_equal(add1(&twice, a, b), t > 127 ? 127 : t < -128 ? -128 : t);
		}
	/* Saturation at both ends, and the fused ReLU's clamp at the zero point. */
	assert_int_equal(add1(&same, 100, 100), 127);
	assert_int_equal(add1(&same, -100, -100), -128);
	same.out_zp = -20;
	same.act_min = -20;
	assert_int_equal(add1(&same, -5, -6), -20);
	assert_int_equal(add1(&same, 5, 6), -9);
	/* Zero points are subtracted first. */
	same.a_zp = 10;
	same.out_zp = 0;
	same.act_min = -128;
	assert_int_equal(add1(&same, 10, 7), 7);
}

static void test_add_onnx(void **state)
{
	struct npu_add_op half = add_op(NPU_REQUANT_ONNX, 0.05f, 0.05f, 0.1f);
	struct npu_add_op same = add_op(NPU_REQUANT_ONNX, 0.1f, 0.1f, 0.1f);

	(void)state;
	/* Round half to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> 0. */
	assert_int_equal(add1(&half, 1, 0), 0);
	assert_int_equal(add1(&half, 3, 0), 2);
	assert_int_equal(add1(&half, 1, 2), 2);
	assert_int_equal(add1(&half, 5, 0), 2);
	assert_int_equal(add1(&half, -1, 0), 0);
	assert_int_equal(add1(&same, 120, 120), 127);
	assert_int_equal(add1(&same, -120, -120), -128);
	assert_int_equal(add1(&same, 3, 4), 7);
}

/* Mixed types: ONNX Runtime's unfused DQ -> Add -> Q, the float graph. */
static void test_add_onnx_float_path(void **state)
{
	struct npu_add_op op = { .mode = NPU_REQUANT_ONNX, .in_type = NPU_UINT8,
				 .b_type = NPU_INT8, .out_type = NPU_INT8, .elems = 4,
				 .a_zp = 128, .b_zp = -3, .out_zp = 1, .act_min = -128,
				 .act_max = 127 };
	uint8_t a[4] = { 138, 0, 255, 128 };
	int8_t b[4] = { 2, -128, 127, -3 }, out[4];
	int i;

	(void)state;
	assert_null(npu_add_prepare(&op, 0.1f, 0.2f, 0.3f));
	assert_true(op.float_path);
	npu_add_run(&op, a, b, out);
	for (i = 0; i < 4; i++) {
		float fa = (float)(a[i] - 128) * 0.1f, fb = (float)(b[i] + 3) * 0.2f;
		float q = nearbyintf((fa + fb) / 0.3f) + 1.0f;

		q = q < -128 ? -128 : q > 127 ? 127 : q;
		assert_int_equal(out[i], (int)q);
	}
	/* 1.0 + 1.0 = 2.0: 6.67 steps of 0.3, +1 */
	assert_int_equal(out[0], 8);
	assert_int_equal(out[3], 1);
}

static void test_add_random(void **state)
{
	uint64_t seed = test_seed("add");
	struct npu_rng r = { seed };
	int iter, iters = test_quick() ? 200 : 5000;

	(void)state;
	for (iter = 0; iter < iters; iter++) {
		enum npu_requant mode = npu_rng_range(&r, 0, 1) ? NPU_REQUANT_ONNX
								: NPU_REQUANT_TFLITE;
		float sa = (float)(0.01 + npu_rng_unit(&r)), sb = (float)(0.01 + npu_rng_unit(&r));
		float so = (float)(0.02 + 2 * npu_rng_unit(&r));
		struct npu_add_op op = add_op(mode, sa, sb, so);
		int a = (int)npu_rng_range(&r, -128, 127), b = (int)npu_rng_range(&r, -128, 127);
		double want = round((sa * a + sb * b) / so);
		int got = add1(&op, a, b);

		want = fmax(-128, fmin(127, want));
		/* Both modes round differently from exact real arithmetic by at most 1. */
		if (fabs(got - want) > 1)
			fail_msg("add %s %d*%g + %d*%g -> %g: got %d want %g",
				 mode == NPU_REQUANT_ONNX ? "onnx" : "tflite", a, sa, b, sb, so, got,
				 want);
	}
}

static void test_softmax(void **state)
{
	struct npu_softmax_op op = { NPU_INT8, NPU_FLOAT32, 0.5f, 1.0f / 256, 1.0f, 0, -128,
				     1, 4 };
	int8_t in[4] = { 3, 3, 3, 3 }, q[4];
	float p[4];
	double e[4], sum = 0;
	int i;

	(void)state;
	npu_softmax_run(&op, in, p);
	for (i = 0; i < 4; i++)
		assert_float_equal(p[i], 0.25, 1e-7);
	op.out_type = NPU_INT8;
	npu_softmax_run(&op, in, q);
	for (i = 0; i < 4; i++)
		assert_int_equal(q[i], -64);	/* 0.25 * 256 - 128 */
	/* A dominant logit saturates at 127 (p = 1 would be 128). */
	in[0] = 127;
	in[1] = in[2] = in[3] = -128;
	npu_softmax_run(&op, in, q);
	assert_int_equal(q[0], 127);
	assert_int_equal(q[1], -128);
	/* Against exp() directly, with zero point and beta. */
	op.out_type = NPU_FLOAT32;
	op.in_zp = 5;
	op.beta = 2.0f;
	in[0] = 10;
	in[1] = -7;
	in[2] = 5;
	in[3] = 0;
	npu_softmax_run(&op, in, p);
	for (i = 0; i < 4; i++)
		sum += e[i] = exp(2.0 * 0.5 * (in[i] - 5));
	for (i = 0; i < 4; i++)
		assert_float_equal(p[i], e[i] / sum, 1e-6);
}

static void test_quantize(void **state)
{
	const float x[] = { 0.25f, 0.75f, -0.25f, 1.25f, -0.75f, 1000.0f, -1000.0f, NAN,
			    INFINITY, -INFINITY };
	/* x / 0.5 = 0.5 -> 0, 1.5 -> 2, -0.5 -> 0, 2.5 -> 2, -1.5 -> -2 (half to even) */
	const int8_t want[] = { 0, 2, 0, 2, -2, 127, -128, 0, 127, -128 };
	const uint8_t want_u8[] = { 128, 130, 128, 130, 126, 255, 0, 128, 255, 0 };
	int8_t q[10];
	uint8_t u[10];
	float back[10];
	int i;

	(void)state;
	npu_quantize_run(x, q, 10, NPU_INT8, 0.5f, 0);
	assert_memory_equal(q, want, 10);
	npu_quantize_run(x, u, 10, NPU_UINT8, 0.5f, 128);
	assert_memory_equal(u, want_u8, 10);
	npu_dequantize_run(q, back, 10, NPU_INT8, 0.5f, 0);
	for (i = 0; i < 10; i++)
		assert_true(back[i] == 0.5f * want[i]);
	npu_dequantize_run(u, back, 10, NPU_UINT8, 0.25f, 128);
	assert_true(back[6] == -32.0f);
	assert_true(back[5] == 31.75f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_by_hand),
		cmocka_unit_test(test_pool_random),
		cmocka_unit_test(test_add_tflite),
		cmocka_unit_test(test_add_onnx),
		cmocka_unit_test(test_add_onnx_float_path),
		cmocka_unit_test(test_add_random),
		cmocka_unit_test(test_softmax),
		cmocka_unit_test(test_quantize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
