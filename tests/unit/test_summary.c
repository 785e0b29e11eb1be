/* SPDX-License-Identifier: MIT */
/*
 * The model summary (what `npu summary` prints, from npu_net_layer_report
 * and npu_net_totals) for every layer kind of the API, against the usual
 * formulas written here: a convolution has K*F*F*D weights + K biases
 * (D = input channels per group) and N*OH*OW*K*F*F*D MACs, an FC N*M + M
 * parameters and batch*N*M MACs (N inputs, M outputs), every other layer
 * none of either. A batch of 2 checks that MACs count images and
 * parameters do not.
 */
#include "frontend_test.h"

static int8_t wbuf[1 << 16];
static float one = 1.0f;

static struct npu_weights weights(void)
{
	return (struct npu_weights){ .type = NPU_INT8, .layout = NPU_OHWI, .data = wbuf,
				     .scales = &one, .n_scales = 1 };
}

struct expect {
	const char *op;
	int dims[4];
	uint64_t params, macs;
};

static void check(npu_net *net, int layer, const struct expect *e)
{
	struct npu_layer_report r;

	assert_int_equal(npu_net_layer_report(net, layer, &r), NPU_OK);
	if (strcmp(r.op, e->op) || r.params != e->params || r.macs != e->macs ||
	    memcmp(r.out_dims, e->dims, sizeof(e->dims)))
		fail_msg("layer %d '%s': %s %dx%dx%dx%d, %llu params, %llu MACs; want %s "
			 "%dx%dx%dx%d, %llu, %llu", layer, r.name, r.op, r.out_dims[0],
			 r.out_dims[1], r.out_dims[2], r.out_dims[3],
			 (unsigned long long)r.params, (unsigned long long)r.macs, e->op,
			 e->dims[0], e->dims[1], e->dims[2], e->dims[3],
			 (unsigned long long)e->params, (unsigned long long)e->macs);
}

/* K*F*F*D + K weights and biases; N*OH*OW*K*F*F*D MACs. */
static struct expect conv_expect(const char *op, int n, int oh, int ow, int k, int kh, int kw,
				 int d)
{
	struct expect e = { op, { n, oh, ow, k }, 0, 0 };

	e.params = (uint64_t)k * kh * kw * d + (uint64_t)k;
	e.macs = (uint64_t)n * oh * ow * k * kh * kw * d;
	return e;
}

static void test_every_kind(void **state)
{
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	struct npu_tensor_desc d = { NPU_INT8, NPU_NHWC, { 2, 9, 7, 6 }, 0.05f, 0 };
	struct npu_tensor_desc fd = { NPU_FLOAT32, NPU_NHWC, { 2, 3, 3, 6 }, 1.0f, 0 };
	struct npu_out_quant q8 = { NPU_INT8, 0.1f, 0 };
	struct expect e[32];
	struct npu_net_totals t;
	npu_net *net;
	int x, f, id[32], n = 0, resh[4] = { 2, 7, 9, 6 };
	uint64_t params = 0, macs = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (int8_t)(i * 37);
	assert_int_equal(npu_net_create(ctx, "kinds", &net), NPU_OK);
	assert_int_equal(npu_net_add_input(net, "x", &d, &x), NPU_OK);
	assert_int_equal(npu_net_add_input(net, "f", &fd, &f), NPU_OK);
	{	/* conv 3x3, stride 2, pad 1: 9x7 -> 5x4 */
		struct npu_conv2d_params p = { .name = "conv", .out_channels = 8, .kernel_h = 3,
					       .kernel_w = 3, .stride_h = 2, .stride_w = 2,
					       .pad_top = 1, .pad_left = 1, .pad_bottom = 1,
					       .pad_right = 1, .weights = weights(), .out = q8 };
		assert_int_equal(npu_net_add_conv2d(net, x, &p, &id[n]), NPU_OK);
		e[n++] = conv_expect("conv2d", 2, 5, 4, 8, 3, 3, 6);
	}
	{	/* grouped 2x3, 3 groups: D = 2; 9x7 -> 8x5 */
		struct npu_conv2d_params p = { .name = "grouped", .out_channels = 9, .kernel_h = 2,
					       .kernel_w = 3, .groups = 3, .weights = weights(),
					       .out = q8 };
		assert_int_equal(npu_net_add_conv2d(net, x, &p, &id[n]), NPU_OK);
		e[n++] = conv_expect("conv2d", 2, 8, 5, 9, 2, 3, 2);
	}
	{	/* depthwise 3x3, dilation 2: D = 1; 9x7 -> 5x3 */
		struct npu_conv2d_params p = { .name = "dw", .out_channels = 6, .kernel_h = 3,
					       .kernel_w = 3, .dilation_h = 2, .dilation_w = 2,
					       .groups = 6, .weights = weights(), .out = q8 };
		assert_int_equal(npu_net_add_conv2d(net, x, &p, &id[n]), NPU_OK);
		e[n++] = conv_expect("depthwise", 2, 5, 3, 6, 3, 3, 1);
	}
	{	/* FC over the unflattened input: N = 9*7*6 = 378, M = 10; int32 output */
		struct npu_fc_params p = { .name = "fc", .units = 10, .weights = weights(),
					   .out = { NPU_INT32, 1.0f, 0 } };
		assert_int_equal(npu_net_add_fc(net, x, &p, &id[n]), NPU_OK);
		e[n++] = (struct expect){ "fc", { 2, 1, 1, 10 }, 378ull * 10 + 10, 2ull * 378 * 10 };
	}
	{
		struct npu_pool_params p = { .name = "max", .kind = NPU_POOL_MAX, .kernel_h = 3,
					     .kernel_w = 3, .stride_h = 2, .stride_w = 2 };
		assert_int_equal(npu_net_add_pool(net, x, &p, &id[n]), NPU_OK);
		e[n++] = (struct expect){ "maxpool", { 2, 4, 3, 6 }, 0, 0 };
		p.name = "avg";
		p.kind = NPU_POOL_AVG;
		assert_int_equal(npu_net_add_pool(net, x, &p, &id[n]), NPU_OK);
		e[n++] = (struct expect){ "avgpool", { 2, 4, 3, 6 }, 0, 0 };
	}
	assert_int_equal(npu_net_add_global_avg_pool(net, "gap", x, &id[n]), NPU_OK);
	e[n++] = (struct expect){ "global_avgpool", { 2, 1, 1, 6 }, 0, 0 };
	{
		struct npu_add_params p = { .name = "add", .act = NPU_ACT_RELU, .out = q8 };
		assert_int_equal(npu_net_add_add(net, x, x, &p, &id[n]), NPU_OK);
		e[n++] = (struct expect){ "add", { 2, 9, 7, 6 }, 0, 0 };
	}
	{
		struct npu_softmax_params p = { .name = "softmax", .out = { NPU_FLOAT32, 1.0f, 0 } };
		assert_int_equal(npu_net_add_softmax(net, x, &p, &id[n]), NPU_OK);
		e[n++] = (struct expect){ "softmax", { 2, 9, 7, 6 }, 0, 0 };
	}
	assert_int_equal(npu_net_add_quantize(net, "quantize", f, &q8, &id[n]), NPU_OK);
	e[n++] = (struct expect){ "quantize", { 2, 3, 3, 6 }, 0, 0 };
	assert_int_equal(npu_net_add_dequantize(net, "dequantize", x, &id[n]), NPU_OK);
	e[n++] = (struct expect){ "dequantize", { 2, 9, 7, 6 }, 0, 0 };
	assert_int_equal(npu_net_add_reshape(net, "reshape", x, resh, &id[n]), NPU_OK);
	e[n++] = (struct expect){ "reshape", { 2, 7, 9, 6 }, 0, 0 };
	assert_int_equal(npu_net_add_flatten(net, "flatten", x, &id[n]), NPU_OK);
	e[n++] = (struct expect){ "flatten", { 2, 1, 1, 378 }, 0, 0 };
	{	/* FC over a flat input, and a 1x1 conv over it */
		struct npu_fc_params p = { .name = "fc_flat", .units = 4, .act = NPU_ACT_RELU6,
					   .weights = weights(), .out = q8 };
		struct npu_conv2d_params c = { .name = "conv1x1", .out_channels = 4, .kernel_h = 1,
					       .kernel_w = 1, .weights = weights(), .out = q8 };
		int fl = id[n - 1];

		assert_int_equal(npu_net_add_fc(net, fl, &p, &id[n]), NPU_OK);
		e[n++] = (struct expect){ "fc", { 2, 1, 1, 4 }, 378ull * 4 + 4, 2ull * 378 * 4 };
		assert_int_equal(npu_net_add_conv2d(net, fl, &c, &id[n]), NPU_OK);
		e[n++] = conv_expect("conv2d", 2, 1, 1, 4, 1, 1, 378);
	}
	{
		struct npu_concat_params p = { .name = "concat", .requant = NPU_REQUANT_ONNX,
					       .out = q8 };
		int ins[2] = { x, id[7] };	/* x and add: both 2x9x7x6 int8 */

		assert_int_equal(npu_net_add_concat(net, ins, 2, &p, &id[n]), NPU_OK);
		e[n++] = (struct expect){ "concat", { 2, 9, 7, 12 }, 0, 0 };
	}
	{
		struct npu_sigmoid_params p = { .name = "sigmoid", .requant = NPU_REQUANT_ONNX,
						.out = { NPU_INT8, 1.0f / 256, -128 } };

		assert_int_equal(npu_net_add_sigmoid(net, x, &p, &id[n]), NPU_OK);
		e[n++] = (struct expect){ "sigmoid", { 2, 9, 7, 6 }, 0, 0 };
	}
	{
		struct npu_pad_params p = { .name = "pad", .pad_top = 1, .pad_left = 2,
					    .pad_bottom = 3, .pad_right = 4 };

		assert_int_equal(npu_net_add_pad(net, x, &p, &id[n]), NPU_OK);
		e[n++] = (struct expect){ "pad", { 2, 13, 13, 6 }, 0, 0 };
	}
	assert_int_equal(npu_net_num_layers(net), n);
	for (int i = 0; i < n; i++) {
		check(net, i, &e[i]);
		params += e[i].params;
		macs += e[i].macs;
	}
	assert_int_equal(npu_net_totals(net, &t), NPU_OK);
	assert_int_equal(t.layers, n);
	assert_int_equal(t.params, params);
	assert_int_equal(t.macs, macs);
	/* the figures are the net's, not the run's: the same after a checked run */
	assert_int_equal(npu_net_fill_input(net, x, 3), NPU_OK);
	assert_int_equal(npu_net_fill_input(net, f, 4), NPU_OK);
	if (npu_net_run(net) != NPU_OK)
		fail_msg("%s", npu_ctx_last_error(ctx));
	for (int i = 0; i < n; i++)
		check(net, i, &e[i]);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
