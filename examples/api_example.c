/* SPDX-License-Identifier: MIT */
/*
 * A small network built with the public API: a float image is quantized,
 * convolved (3x3, ReLU) with weights from an ONNX-style OIHW array, pooled,
 * classified by an FC layer and turned into probabilities. Every conv/FC
 * result is checked against the reference (NPU_CTX_CHECK). The backend is
 * the first argument (cpu, sim, drm or auto; default cpu).
 */
#include <stdio.h>

#include "npu.h"

#define CHECK(call)                                                             \
	do {                                                                    \
		npu_status st_ = (call);                                        \
		if (st_ != NPU_OK) {                                            \
			fprintf(stderr, "%s: %s\n", #call, npu_ctx_last_error(ctx)); \
			return 1;                                               \
		}                                                               \
	} while (0)

int main(int argc, char **argv)
{
	struct npu_ctx_opts opts = { .backend = argc > 1 ? argv[1] : "cpu",
				     .flags = NPU_CTX_CHECK };
	struct npu_tensor_desc image = { .type = NPU_FLOAT32, .layout = NPU_NCHW,
					.dims = { 1, 1, 8, 8 } };
	struct npu_out_quant q8 = { NPU_INT8, 1.0f / 64, 0 };
	static int8_t conv_w[4][1][3][3], fc_w[3][4 * 4 * 4];
	static float pixels[64];
	float conv_scale = 1.0f / 32, fc_scale = 1.0f / 64, prob[3];
	npu_ctx *ctx = NULL;
	npu_net *net;
	char msg[256];
	int x, q, c, p, f, s, i;

	for (i = 0; i < 64; i++)
		pixels[i] = (float)((i % 8) - (i / 8)) / 8.0f;	/* a diagonal ramp */
	for (i = 0; i < 4 * 9; i++)
		conv_w[i / 9][0][i % 9 / 3][i % 3] = (int8_t)((i * 37) % 61 - 30);
	for (i = 0; i < 3 * 64; i++)
		fc_w[i / 64][i % 64] = (int8_t)((i * 53) % 101 - 50);

	if (npu_ctx_open(&opts, &ctx, msg, sizeof(msg)) != NPU_OK) {
		fprintf(stderr, "npu_ctx_open: %s\n", msg);
		return 1;
	}
	printf("backend: %s (%s)\n", npu_ctx_backend(ctx), msg);
	CHECK(npu_net_create(ctx, "example", &net));
	CHECK(npu_net_add_input(net, "image", &image, &x));
	CHECK(npu_net_add_quantize(net, "q", x, &q8, &q));
	struct npu_conv2d_params conv = {
		.name = "conv", .out_channels = 4, .kernel_h = 3, .kernel_w = 3,
		.pad_top = 1, .pad_left = 1, .pad_bottom = 1, .pad_right = 1,
		.requant = NPU_REQUANT_TFLITE, .act = NPU_ACT_RELU,
		.weights = { .type = NPU_INT8, .layout = NPU_OIHW, .data = conv_w,
			     .scales = &conv_scale, .n_scales = 1 },
		.out = { NPU_INT8, 1.0f / 16, -128 },
	};
	CHECK(npu_net_add_conv2d(net, q, &conv, &c));
	struct npu_pool_params pool = { .name = "pool", .kind = NPU_POOL_MAX,
					.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2 };
	CHECK(npu_net_add_pool(net, c, &pool, &p));
	struct npu_fc_params fc = {
		.name = "fc", .units = 3, .requant = NPU_REQUANT_ONNX,
		.weights = { .type = NPU_INT8, .layout = NPU_OHWI, .data = fc_w,
			     .scales = &fc_scale, .n_scales = 1 },
		.out = { NPU_INT8, 0.25f, 0 },
	};
	CHECK(npu_net_add_fc(net, p, &fc, &f));
	struct npu_softmax_params sm = { .name = "prob", .out = { .type = NPU_FLOAT32 } };
	CHECK(npu_net_add_softmax(net, f, &sm, &s));

	CHECK(npu_net_set_input(net, x, NPU_NCHW, pixels, sizeof(pixels)));
	CHECK(npu_net_run(net));
	CHECK(npu_net_get_output(net, s, NPU_NHWC, prob, sizeof(prob)));
	printf("probabilities: %.4f %.4f %.4f\n", prob[0], prob[1], prob[2]);

	for (i = 0; i < npu_net_num_layers(net); i++) {
		struct npu_layer_report r;

		CHECK(npu_net_layer_report(net, i, &r));
		printf("%-5s %-9s %dx%dx%dx%d  %6llu MACs  %s  %s\n", r.name, r.op, r.out_dims[0],
		       r.out_dims[1], r.out_dims[2], r.out_dims[3], (unsigned long long)r.macs,
		       r.where, r.check == NPU_CHECK_PASS ? "checked" : "");
	}
	npu_net_free(net);
	npu_ctx_close(ctx);
	return 0;
}
