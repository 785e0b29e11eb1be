/* SPDX-License-Identifier: MIT */
/*
 * The seed identities, exactly: an FC layer, the 1x1 convolution over the
 * flattened input and the convolution whose kernel covers the whole input
 * are one computation, so the same weights give the same bytes. Also the
 * NCHW/OIHW forms against NHWC/OHWI.
 */
#include <math.h>

#include "frontend_test.h"
#include "rng.h"

struct layer_case {
	int n, h, w, c, k;
	enum npu_type in_t, w_t, out_t;
	int in_zp, out_zp;
	float in_scale, out_scale;
	float *w_scale;
	int32_t *w_zp, *bias;
	int8_t *wts;		/* K x (H*W*C), OHWI = FC order */
	int8_t *xs;		/* NHWC */
	enum npu_requant rq;
	enum npu_act act;
};

static int rnd_zp(struct npu_rng *r, enum npu_type t)
{
	return t == NPU_UINT8 ? (int)npu_rng_range(r, 0, 255) : (int)npu_rng_range(r, -128, 127);
}

/* groups > 0: C and K are multiples of it. */
static void make_case(struct npu_rng *r, struct layer_case *lc, int groups)
{
	size_t fan, i;
	int k;

	lc->n = (int)npu_rng_range(r, 1, 3);
	lc->h = (int)npu_rng_range(r, 1, 7);
	lc->w = (int)npu_rng_range(r, 1, 7);
	lc->c = groups ? groups * (int)npu_rng_range(r, 1, 4) : (int)npu_rng_range(r, 1, 24);
	lc->k = groups ? groups * (int)npu_rng_range(r, 1, 4) : (int)npu_rng_range(r, 1, 40);
	lc->in_t = npu_rng_range(r, 0, 1) ? NPU_UINT8 : NPU_INT8;
	lc->w_t = npu_rng_range(r, 0, 1) ? NPU_UINT8 : NPU_INT8;
	lc->out_t = npu_rng_range(r, 0, 9) ? (npu_rng_range(r, 0, 1) ? NPU_UINT8 : NPU_INT8)
					   : NPU_INT32;
	lc->in_zp = rnd_zp(r, lc->in_t);
	lc->out_zp = lc->out_t == NPU_INT32 ? 0 : rnd_zp(r, lc->out_t);
	lc->rq = npu_rng_range(r, 0, 1) ? NPU_REQUANT_ONNX : NPU_REQUANT_TFLITE;
	lc->act = lc->out_t == NPU_INT32 ? NPU_ACT_NONE : (enum npu_act)npu_rng_range(r, 0, 2);
	fan = (size_t)lc->h * lc->w * lc->c;
	lc->in_scale = (float)(0.01 + 0.05 * npu_rng_unit(r));
	/*
	 * Random bytes deviate ~74 from a zero point: the accumulator spreads
	 * ~74 * 74 * sqrt(fan); map that to ~40 output steps so that few clamp.
	 */
	lc->out_scale = (float)(lc->in_scale * 0.01 * 74.0 * 74.0 * sqrt((double)fan) / 40.0);
	lc->wts = malloc((size_t)lc->k * fan);
	lc->xs = malloc((size_t)lc->n * fan);
	lc->w_scale = malloc((size_t)lc->k * sizeof(float));
	lc->w_zp = malloc((size_t)lc->k * sizeof(int32_t));
	lc->bias = malloc((size_t)lc->k * sizeof(int32_t));
	for (i = 0; i < (size_t)lc->k * fan; i++)
		lc->wts[i] = (int8_t)npu_rng_next(r);
	for (i = 0; i < (size_t)lc->n * fan; i++)
		lc->xs[i] = (int8_t)npu_rng_next(r);
	for (k = 0; k < lc->k; k++) {
		lc->w_scale[k] = (float)(0.01 * (0.5 + npu_rng_unit(r)));
		lc->w_zp[k] = rnd_zp(r, lc->w_t) / 4;
		if (lc->w_t == NPU_UINT8)
			lc->w_zp[k] = 128 + lc->w_zp[k] / 8;
		lc->bias[k] = (int32_t)npu_rng_range(r, -5000, 5000);
	}
}

static void free_case(struct layer_case *lc)
{
	free(lc->wts);
	free(lc->xs);
	free(lc->w_scale);
	free(lc->w_zp);
	free(lc->bias);
}

static struct npu_weights case_weights(const struct layer_case *lc)
{
	struct npu_weights w = { lc->w_t, NPU_OHWI, lc->wts, lc->w_scale, lc->k, lc->w_zp, lc->k,
				 lc->bias };
	return w;
}

static void test_fc_conv_identity(void **state)
{
	uint64_t seed = test_seed("fc identity");
	struct npu_rng r = { seed };
	int iter, iters = test_quick() ? 15 : 150;
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);

	(void)state;
	for (iter = 0; iter < iters; iter++) {
		struct layer_case lc;
		struct npu_tensor_desc d;
		struct npu_out_quant oq;
		struct npu_fc_params fc = { .name = "fc" };
		struct npu_conv2d_params c1 = { .name = "conv1x1", .kernel_h = 1, .kernel_w = 1 };
		struct npu_conv2d_params cf = { .name = "convfull" };
		npu_net *net;
		int x, flat, id_fc, id_1, id_f, dims[4];
		size_t b1, b2, b3;
		void *o1, *o2, *o3;

		make_case(&r, &lc, 0);
		d = (struct npu_tensor_desc){ lc.in_t, NPU_NHWC, { lc.n, lc.h, lc.w, lc.c },
					      lc.in_scale, lc.in_zp };
		oq = (struct npu_out_quant){ lc.out_t, lc.out_scale, lc.out_zp };
		assert_int_equal(npu_net_create(ctx, "id", &net), NPU_OK);
		assert_int_equal(npu_net_add_input(net, "x", &d, &x), NPU_OK);
		assert_int_equal(npu_net_set_input(net, x, NPU_NHWC, lc.xs,
						   (size_t)lc.n * lc.h * lc.w * lc.c), NPU_OK);
		fc.units = c1.out_channels = cf.out_channels = lc.k;
		fc.requant = c1.requant = cf.requant = lc.rq;
		fc.act = c1.act = cf.act = lc.act;
		fc.weights = c1.weights = cf.weights = case_weights(&lc);
		fc.out = c1.out = cf.out = oq;
		cf.kernel_h = lc.h;
		cf.kernel_w = lc.w;
		dims[0] = lc.n;
		dims[1] = dims[2] = 1;
		dims[3] = lc.h * lc.w * lc.c;
		assert_int_equal(npu_net_add_fc(net, x, &fc, &id_fc), NPU_OK);
		assert_int_equal(npu_net_add_reshape(net, "flat", x, dims, &flat), NPU_OK);
		assert_int_equal(npu_net_add_conv2d(net, flat, &c1, &id_1), NPU_OK);
		assert_int_equal(npu_net_add_conv2d(net, x, &cf, &id_f), NPU_OK);
		if (npu_net_run(net) != NPU_OK)
			fail_msg("iteration %d: %s", iter, npu_ctx_last_error(ctx));
		o1 = test_read(net, id_fc, &b1);
		o2 = test_read(net, id_1, &b2);
		o3 = test_read(net, id_f, &b3);
		assert_int_equal(b1, b2);
		assert_int_equal(b1, b3);
		if (memcmp(o1, o2, b1) || memcmp(o1, o3, b1))
			fail_msg("iteration %d (n=%d h=%d w=%d c=%d k=%d): FC, 1x1 and full "
				 "convolutions differ", iter, lc.n, lc.h, lc.w, lc.c, lc.k);
		free(o1);
		free(o2);
		free(o3);
		npu_net_free(net);
		free_case(&lc);
	}
	npu_ctx_close(ctx);
}

/* The shipped example: the three outputs agree and are not trivial. */
static void test_fc_identity_example(void **state)
{
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	npu_net *net;
	int8_t *o[3];
	int i, j, distinct = 0;

	(void)state;
	assert_int_equal(npu_net_load(ctx, EXAMPLE("fc_identity.json"), NULL, &net), NPU_OK);
	assert_int_equal(npu_net_run(net), NPU_OK);
	assert_int_equal(npu_net_num_outputs(net), 3);
	for (i = 0; i < 3; i++)
		o[i] = test_read(net, npu_net_output_id(net, i), NULL);
	assert_memory_equal(o[0], o[1], 16);
	assert_memory_equal(o[0], o[2], 16);
	for (i = 0; i < 16; i++) {
		for (j = 0; j < i && o[0][j] != o[0][i]; j++)
			;
		distinct += j == i;
	}
	assert_true(distinct >= 8);
	for (i = 0; i < 3; i++)
		free(o[i]);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

/* Straightforward NHWC <-> NCHW index arithmetic, independent of the library's. */
static void to_nchw(const int8_t *nhwc, int8_t *nchw, int n, int h, int w, int c)
{
	int b, y, x, ch;

	for (b = 0; b < n; b++)
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++)
				for (ch = 0; ch < c; ch++)
					nchw[((b * c + ch) * h + y) * w + x] =
						nhwc[((b * h + y) * w + x) * c + ch];
}

static void test_nchw_equivalence(void **state)
{
	uint64_t seed = test_seed("layouts");
	struct npu_rng r = { seed };
	int iter, iters = test_quick() ? 10 : 100;
	npu_ctx *ctx = test_ctx(0);

	(void)state;
	for (iter = 0; iter < iters; iter++) {
		struct layer_case lc;
		int groups, cpg, kh, kw, outs[2][2], v, x, oh, ow;
		int8_t *w_oihw, *x_nchw, *out_a, *out_b, *out_b_nchw;
		size_t ob;
		npu_net *net[2];

		/* A grouped conv with padding and stride. */
		groups = (int)npu_rng_range(&r, 1, 3);
		make_case(&r, &lc, groups);
		cpg = lc.c / groups;
		kh = (int)npu_rng_range(&r, 1, lc.h);
		kw = (int)npu_rng_range(&r, 1, lc.w);
		w_oihw = malloc((size_t)lc.k * cpg * kh * kw);
		x_nchw = malloc((size_t)lc.n * lc.h * lc.w * lc.c);
		to_nchw(lc.wts, w_oihw, lc.k, kh, kw, cpg);
		to_nchw(lc.xs, x_nchw, lc.n, lc.h, lc.w, lc.c);
		for (v = 0; v < 2; v++) {
			enum npu_layout al = v ? NPU_NCHW : NPU_NHWC;
			struct npu_tensor_desc d = { lc.in_t, al, { lc.n, lc.h, lc.w, lc.c },
						     lc.in_scale, lc.in_zp };
			struct npu_conv2d_params p = {
				.name = "conv", .out_channels = lc.k, .kernel_h = kh, .kernel_w = kw,
				.stride_h = 2, .pad_top = 1, .pad_right = 1, .groups = groups,
				.requant = lc.rq, .act = lc.act, .weights = case_weights(&lc),
				.out = { NPU_INT8, lc.out_scale, 0 },
			};

			if (v) {
				d.dims[1] = lc.c;
				d.dims[2] = lc.h;
				d.dims[3] = lc.w;
				p.weights.layout = NPU_OIHW;
				p.weights.data = w_oihw;
			}
			assert_int_equal(npu_net_create(ctx, "lay", &net[v]), NPU_OK);
			assert_int_equal(npu_net_add_input(net[v], "x", &d, &x), NPU_OK);
			assert_int_equal(npu_net_set_input(net[v], x, al, v ? x_nchw : lc.xs,
							   (size_t)lc.n * lc.h * lc.w * lc.c),
					 NPU_OK);
			if (npu_net_add_conv2d(net[v], x, &p, &outs[v][0]) != NPU_OK)
				fail_msg("iteration %d: %s", iter, npu_ctx_last_error(ctx));
			assert_int_equal(npu_net_run(net[v]), NPU_OK);
		}
		{
			struct npu_tensor_info t;

			npu_net_tensor_info(net[0], outs[0][0], &t);
			oh = t.dims[1];
			ow = t.dims[2];
			ob = t.bytes;
		}
		out_a = malloc(ob);
		out_b = malloc(ob);
		out_b_nchw = malloc(ob);
		assert_int_equal(npu_net_get_output(net[0], outs[0][0], NPU_NHWC, out_b, ob),
				 NPU_OK);
		assert_int_equal(npu_net_get_output(net[1], outs[1][0], NPU_NCHW, out_a, ob),
				 NPU_OK);
		to_nchw(out_b, out_b_nchw, lc.n, oh, ow, lc.k);
		if (memcmp(out_a, out_b_nchw, ob))
			fail_msg("iteration %d: NCHW/OIHW and NHWC/OHWI convolutions differ", iter);
		free(out_a);
		free(out_b);
		free(out_b_nchw);
		free(w_oihw);
		free(x_nchw);
		npu_net_free(net[0]);
		npu_net_free(net[1]);
		free_case(&lc);
	}
	npu_ctx_close(ctx);
}

/* FC with OIHW weights reads them in ONNX Flatten's (C, H, W) order. */
static void test_fc_oihw(void **state)
{
	npu_ctx *ctx = test_ctx(0);
	struct npu_tensor_desc d = { NPU_INT8, NPU_NCHW, { 1, 2, 2, 3 }, 1.0f, 0 };
	int8_t x_nchw[12], w[12] = { 0 };
	float one = 1.0f;
	struct npu_fc_params fc = { .name = "fc", .units = 1,
				    .weights = { NPU_INT8, NPU_OIHW, w, &one, 1, NULL, 0, NULL },
				    .out = { NPU_INT8, 1.0f, 0 } };
	npu_net *net;
	int8_t out;
	int x, id, i;

	(void)state;
	for (i = 0; i < 12; i++)
		x_nchw[i] = (int8_t)(i + 1);
	/* Picks channel 1, row 0, column 2: element 1*6 + 0*3 + 2 of the NCHW input. */
	w[8] = 1;
	assert_int_equal(npu_net_create(ctx, "fc", &net), NPU_OK);
	assert_int_equal(npu_net_add_input(net, "x", &d, &x), NPU_OK);
	assert_int_equal(npu_net_set_input(net, x, NPU_NCHW, x_nchw, 12), NPU_OK);
	assert_int_equal(npu_net_add_fc(net, x, &fc, &id), NPU_OK);
	assert_int_equal(npu_net_run(net), NPU_OK);
	assert_int_equal(npu_net_get_output(net, id, NPU_NHWC, &out, 1), NPU_OK);
	assert_int_equal(out, 9);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fc_conv_identity),
		cmocka_unit_test(test_fc_identity_example),
		cmocka_unit_test(test_nchw_equivalence),
		cmocka_unit_test(test_fc_oihw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
