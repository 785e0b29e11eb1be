/* SPDX-License-Identifier: MIT */
/*
 * Bad input to the public API: every call returns its documented status,
 * leaves a message, changes nothing, and nothing crashes.
 */
#include <limits.h>
#include <math.h>

#include "frontend_test.h"

static const float one_scale = 0.01f;
static int8_t weights[4 * 3 * 3 * 8];

/* A valid 3x3 conv, 8 -> 4 channels; tests break one field at a time. */
static struct npu_conv2d_params good_conv(void)
{
	struct npu_conv2d_params p = {
		.name = "conv", .out_channels = 4, .kernel_h = 3, .kernel_w = 3,
		.pad_top = 1, .pad_left = 1, .pad_bottom = 1, .pad_right = 1,
		.weights = { .type = NPU_INT8, .layout = NPU_OHWI, .data = weights,
			     .scales = &one_scale, .n_scales = 1 },
		.out = { NPU_INT8, 0.5f, 0 },
	};
	return p;
}

struct fixture {
	npu_ctx *ctx;
	npu_net *net;
	int x;		/* 1x8x8x8 int8 input */
	int f;		/* 1x8x8x8 float input */
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct npu_tensor_desc d = { NPU_INT8, NPU_NHWC, { 1, 8, 8, 8 }, 0.1f, 0 };

	fx->ctx = test_ctx(0);
	assert_int_equal(npu_net_create(fx->ctx, "t", &fx->net), NPU_OK);
	assert_int_equal(npu_net_add_input(fx->net, "x", &d, &fx->x), NPU_OK);
	d.type = NPU_FLOAT32;
	assert_int_equal(npu_net_add_input(fx->net, "f", &d, &fx->f), NPU_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	npu_net_free(fx->net);
	npu_ctx_close(fx->ctx);
	free(fx);
	return 0;
}

/* A failed call must leave a message and no new tensor or layer. */
static void expect_fail(struct fixture *fx, npu_status got, npu_status want,
			const char *needle)
{
	assert_int_equal(got, want);
	assert_true(strlen(npu_ctx_last_error(fx->ctx)) > 0);
	if (needle && !strstr(npu_ctx_last_error(fx->ctx), needle))
		fail_msg("message '%s' does not mention '%s'", npu_ctx_last_error(fx->ctx),
			 needle);
	assert_int_equal(npu_net_num_tensors(fx->net), 2);
	assert_int_equal(npu_net_num_layers(fx->net), 0);
}

static void test_strerror(void **state)
{
	int s;

	(void)state;
	for (s = NPU_OK; s >= NPU_E_STATE; s--) {
		assert_non_null(npu_strerror((npu_status)s));
		assert_string_not_equal(npu_strerror((npu_status)s), "unknown status");
	}
	assert_string_equal(npu_strerror((npu_status)-1000), "unknown status");
}

static void test_ctx_open(void **state)
{
	struct npu_ctx_opts o = { .backend = "tpu" };
	char msg[256] = "";
	npu_ctx *ctx = (npu_ctx *)&o;

	(void)state;
	assert_int_equal(npu_ctx_open(NULL, NULL, msg, sizeof(msg)), NPU_E_INVAL);
	assert_int_equal(npu_ctx_open(&o, &ctx, msg, sizeof(msg)), NPU_E_INVAL);
	assert_null(ctx);
	assert_non_null(strstr(msg, "tpu"));
	/* NULL message buffers are allowed. */
	assert_int_equal(npu_ctx_open(&o, &ctx, NULL, 0), NPU_E_INVAL);
	npu_ctx_close(NULL);
	assert_string_equal(npu_ctx_backend(NULL), "none");
	assert_int_equal(npu_net_create(NULL, "x", (npu_net **)&ctx), NPU_E_INVAL);
}

static void test_null_pointers(void **state)
{
	struct fixture *fx = *state;
	struct npu_conv2d_params p = good_conv();
	struct npu_tensor_desc d = { NPU_INT8, NPU_NHWC, { 1, 1, 1, 1 }, 1.0f, 0 };
	struct npu_layer_report r;
	int id;

	assert_int_equal(npu_net_create(fx->ctx, "x", NULL), NPU_E_INVAL);
	assert_int_equal(npu_net_add_input(NULL, "y", &d, &id), NPU_E_INVAL);
	expect_fail(fx, npu_net_add_input(fx->net, "y", NULL, &id), NPU_E_INVAL, NULL);
	expect_fail(fx, npu_net_add_input(fx->net, "y", &d, NULL), NPU_E_INVAL, NULL);
	expect_fail(fx, npu_net_add_input(fx->net, NULL, &d, &id), NPU_E_INVAL, NULL);
	assert_int_equal(npu_net_add_conv2d(NULL, fx->x, &p, &id), NPU_E_INVAL);
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, NULL, &id), NPU_E_INVAL, NULL);
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, NULL), NPU_E_INVAL, NULL);
	p.weights.data = NULL;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "NULL");
	p = good_conv();
	p.weights.scales = NULL;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "scales");
	expect_fail(fx, npu_net_add_fc(fx->net, fx->x, NULL, &id), NPU_E_INVAL, NULL);
	expect_fail(fx, npu_net_add_pool(fx->net, fx->x, NULL, &id), NPU_E_INVAL, NULL);
	expect_fail(fx, npu_net_add_add(fx->net, fx->x, fx->x, NULL, &id), NPU_E_INVAL, NULL);
	expect_fail(fx, npu_net_add_softmax(fx->net, fx->x, NULL, &id), NPU_E_INVAL, NULL);
	expect_fail(fx, npu_net_add_quantize(fx->net, "q", fx->f, NULL, &id), NPU_E_INVAL,
		    NULL);
	expect_fail(fx, npu_net_add_reshape(fx->net, "r", fx->x, NULL, &id), NPU_E_INVAL,
		    NULL);
	expect_fail(fx, npu_net_add_flatten(fx->net, "r", fx->x, NULL), NPU_E_INVAL, NULL);
	expect_fail(fx, npu_net_set_input(fx->net, fx->x, NPU_NHWC, NULL, 512), NPU_E_INVAL,
		    "NULL");
	assert_int_equal(npu_net_run(NULL), NPU_E_INVAL);
	assert_int_equal(npu_net_layer_report(fx->net, 0, NULL), NPU_E_INVAL);
	assert_int_equal(npu_net_layer_report(fx->net, 0, &r), NPU_E_INVAL);
	assert_int_equal(npu_net_totals(NULL, NULL), NPU_E_INVAL);
	assert_int_equal(npu_net_load(fx->ctx, NULL, NULL, &fx->net), NPU_E_INVAL);
	assert_int_equal(npu_net_load_string(fx->ctx, "{}", NULL, NULL, NULL), NPU_E_INVAL);
	npu_net_free(NULL);
}

static void test_bad_shapes(void **state)
{
	struct fixture *fx = *state;
	struct npu_tensor_desc d = { NPU_INT8, NPU_NHWC, { 1, 0, 4, 4 }, 1.0f, 0 };
	int id;

	expect_fail(fx, npu_net_add_input(fx->net, "zero", &d, &id), NPU_E_INVAL, "zero");
	d.dims[1] = -3;
	expect_fail(fx, npu_net_add_input(fx->net, "neg", &d, &id), NPU_E_INVAL, "-3");
	/* H*W*C beyond size_t: must be detected before any allocation. */
	d.dims[0] = d.dims[1] = d.dims[2] = d.dims[3] = INT_MAX;
	expect_fail(fx, npu_net_add_input(fx->net, "huge", &d, &id), NPU_E_OVERFLOW,
		    "overflow");
	d.type = NPU_FLOAT32;
	d.dims[0] = 1;
	d.dims[1] = d.dims[2] = 1 << 30;
	d.dims[3] = 1 << 30;
	expect_fail(fx, npu_net_add_input(fx->net, "huge", &d, &id), NPU_E_OVERFLOW, NULL);
	d.type = NPU_INT8;
	d.dims[1] = d.dims[2] = d.dims[3] = 2;
	d.layout = NPU_OIHW;
	expect_fail(fx, npu_net_add_input(fx->net, "lay", &d, &id), NPU_E_INVAL, NULL);
	d.layout = NPU_NHWC;
	d.type = (enum npu_type)42;
	expect_fail(fx, npu_net_add_input(fx->net, "t42", &d, &id), NPU_E_INVAL, NULL);
	d.type = NPU_INT8;
	expect_fail(fx, npu_net_add_input(fx->net, "x", &d, &id), NPU_E_INVAL, "twice");
	/* int32 inputs are raw accumulators (an ONNX DequantizeLinear of int32 reads them) */
	d.type = NPU_INT32;
	d.layout = NPU_NHWC;
	d.dims[0] = 1;
	d.dims[1] = d.dims[2] = d.dims[3] = 2;
	assert_int_equal(npu_net_add_input(fx->net, "i32", &d, &id), NPU_OK);
	assert_int_equal(npu_net_num_inputs(fx->net), 3);
}

static void test_bad_quant(void **state)
{
	struct fixture *fx = *state;
	struct npu_tensor_desc d = { NPU_INT8, NPU_NHWC, { 1, 2, 2, 2 }, 0.0f, 0 };
	struct npu_conv2d_params p;
	float scales3[3] = { 0.1f, 0.1f, 0.1f }, nan_scale = NAN;
	int32_t zp = 128;
	int id;

	expect_fail(fx, npu_net_add_input(fx->net, "s0", &d, &id), NPU_E_INVAL, "scale");
	d.scale = INFINITY;
	expect_fail(fx, npu_net_add_input(fx->net, "sinf", &d, &id), NPU_E_INVAL, "scale");
	d.scale = 1.0f;
	d.zero_point = 200;
	expect_fail(fx, npu_net_add_input(fx->net, "zp", &d, &id), NPU_E_INVAL, "zero point");
	d.type = NPU_UINT8;
	d.zero_point = -1;
	expect_fail(fx, npu_net_add_input(fx->net, "uzp", &d, &id), NPU_E_INVAL, "zero point");

	/* Per-channel scales: 1 or K, nothing in between. */
	p = good_conv();
	p.weights.scales = scales3;
	p.weights.n_scales = 3;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "3 weight");
	p = good_conv();
	p.weights.scales = &nan_scale;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "scale");
	p = good_conv();
	p.weights.zero_points = &zp;
	p.weights.n_zero_points = 1;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "zero point");
	p.weights.n_zero_points = 2;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "zero points");
	p = good_conv();
	p.out.scale = -1.0f;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "output");
	p = good_conv();
	p.out.zero_point = -129;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "output");
	/* A multiplier of 2^40 has no fixed-point form. */
	p = good_conv();
	p.out.scale = 1e-15f;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "too large");
	p = good_conv();
	p.out.type = NPU_INT32;
	p.act = NPU_ACT_RELU;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "int32");
	p = good_conv();
	p.out.type = NPU_FLOAT32;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "float32");
	p = good_conv();
	p.requant = (enum npu_requant)7;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "mode");
	p = good_conv();
	p.weights.type = NPU_INT32;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "int8");
	/* A float tensor must be quantized before a conv. */
	p = good_conv();
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->f, &p, &id), NPU_E_INVAL, "quantize");
}

static void test_bad_conv_geometry(void **state)
{
	struct fixture *fx = *state;
	struct npu_conv2d_params p = good_conv();
	struct npu_fc_params fc = { .name = "fc", .units = 0 };
	int id;

	expect_fail(fx, npu_net_add_conv2d(fx->net, 99, &p, &id), NPU_E_INVAL, "99");
	expect_fail(fx, npu_net_add_conv2d(fx->net, -1, &p, &id), NPU_E_INVAL, NULL);
	p.out_channels = 0;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "channels");
	p = good_conv();
	p.groups = 3;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "groups");
	p = good_conv();
	p.kernel_h = 11;	/* larger than the padded 8x8 input */
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "kernel");
	p = good_conv();
	p.stride_w = -2;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "stride");
	p = good_conv();
	p.pad_left = -1;
	expect_fail(fx, npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL, "padding");
	fc.weights = good_conv().weights;
	fc.out = good_conv().out;
	expect_fail(fx, npu_net_add_fc(fx->net, fx->x, &fc, &id), NPU_E_INVAL, "channels");
}

/* Weights whose byte count overflows size_t: refused before allocation. */
static void test_conv_weight_overflow(void **state)
{
	struct fixture *fx = *state;
	struct npu_tensor_desc d = { NPU_INT8, NPU_NHWC, { 1, 1, 1, 1 << 20 }, 1.0f, 0 };
	struct npu_conv2d_params p = good_conv();
	int wide, id;

	assert_int_equal(npu_net_add_input(fx->net, "wide", &d, &wide), NPU_OK);
	p.out_channels = 1 << 20;
	p.kernel_h = p.kernel_w = 4096;
	p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 4096;
	assert_int_equal(npu_net_add_conv2d(fx->net, wide, &p, &id), NPU_E_OVERFLOW);
	assert_non_null(strstr(npu_ctx_last_error(fx->ctx), "overflow"));
	assert_int_equal(npu_net_num_layers(fx->net), 0);
	assert_int_equal(npu_net_num_tensors(fx->net), 3);
}

static void test_bad_cpu_ops(void **state)
{
	struct fixture *fx = *state;
	struct npu_tensor_desc d = { NPU_INT8, NPU_NHWC, { 1, 4, 4, 8 }, 0.1f, 0 };
	struct npu_pool_params pool = { .name = "p", .kind = NPU_POOL_MAX, .kernel_h = 3,
					.kernel_w = 3, .pad_top = 3 };
	struct npu_add_params add = { .name = "a", .out = { NPU_INT8, 0.1f, 0 } };
	struct npu_softmax_params sm = { .name = "s", .beta = -1.0f,
					 .out = { NPU_FLOAT32, 1.0f, 0 } };
	struct npu_out_quant q = { NPU_INT8, 0.1f, 0 };
	int dims[4] = { 1, 8, 8, 7 }, small, u8, id;

	expect_fail(fx, npu_net_add_pool(fx->net, fx->x, &pool, &id), NPU_E_INVAL, "padding");
	pool.pad_top = 0;
	pool.kernel_h = 9;
	expect_fail(fx, npu_net_add_pool(fx->net, fx->x, &pool, &id), NPU_E_INVAL, "larger");
	pool.kernel_h = 0;
	expect_fail(fx, npu_net_add_pool(fx->net, fx->x, &pool, &id), NPU_E_INVAL, "kernel");
	pool.kernel_h = 2;
	pool.kind = (enum npu_pool_kind)5;
	expect_fail(fx, npu_net_add_pool(fx->net, fx->x, &pool, &id), NPU_E_INVAL, "kind");
	expect_fail(fx, npu_net_add_softmax(fx->net, fx->x, &sm, &id), NPU_E_INVAL, "beta");
	expect_fail(fx, npu_net_add_quantize(fx->net, "q", fx->x, &q, &id), NPU_E_INVAL,
		    "float32");
	expect_fail(fx, npu_net_add_dequantize(fx->net, "dq", fx->f, &id), NPU_E_INVAL, NULL);
	expect_fail(fx, npu_net_add_reshape(fx->net, "r", fx->x, dims, &id), NPU_E_INVAL,
		    "elements");
	dims[3] = -8;
	expect_fail(fx, npu_net_add_reshape(fx->net, "r", fx->x, dims, &id), NPU_E_INVAL, NULL);
	expect_fail(fx, npu_net_add_add(fx->net, fx->x, fx->f, &add, &id), NPU_E_INVAL, NULL);

	/* Shapes or types that differ cannot be added. */
	assert_int_equal(npu_net_add_input(fx->net, "small", &d, &small), NPU_OK);
	d.type = NPU_UINT8;
	d.dims[1] = d.dims[2] = 8;
	assert_int_equal(npu_net_add_input(fx->net, "u8", &d, &u8), NPU_OK);
	assert_int_equal(npu_net_add_add(fx->net, fx->x, small, &add, &id), NPU_E_INVAL);
	assert_non_null(strstr(npu_ctx_last_error(fx->ctx), "differ"));
	assert_int_equal(npu_net_add_add(fx->net, fx->x, u8, &add, &id), NPU_E_INVAL);
	add.out.scale = 0.0f;
	assert_int_equal(npu_net_add_add(fx->net, fx->x, fx->x, &add, &id), NPU_E_INVAL);
	assert_int_equal(npu_net_num_layers(fx->net), 0);
}

static void test_run_and_io(void **state)
{
	struct fixture *fx = *state;
	struct npu_conv2d_params p = good_conv();
	int8_t buf[512];
	int id;

	expect_fail(fx, npu_net_run(fx->net), NPU_E_STATE, "no layers");
	expect_fail(fx, npu_net_set_input(fx->net, fx->x, NPU_NHWC, buf, 511), NPU_E_INVAL,
		    "511");
	expect_fail(fx, npu_net_set_input(fx->net, fx->x, NPU_OHWI, buf, 512), NPU_E_INVAL,
		    NULL);
	expect_fail(fx, npu_net_set_input(fx->net, 7, NPU_NHWC, buf, 512), NPU_E_INVAL, NULL);
	assert_int_equal(npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_OK);
	assert_int_equal(npu_net_run(fx->net), NPU_OK);
	assert_int_equal(npu_net_get_output(fx->net, id, NPU_NHWC, buf, 100), NPU_E_INVAL);
	assert_int_equal(npu_net_get_output(fx->net, id, NPU_NHWC, buf, 256), NPU_OK);
	/* The name of a layer is its output tensor's: it must be unique. */
	assert_int_equal(npu_net_add_conv2d(fx->net, fx->x, &p, &id), NPU_E_INVAL);
	assert_int_equal(npu_net_num_layers(fx->net), 1);
	assert_int_equal(npu_net_find_tensor(fx->net, "conv"), id);
	assert_int_equal(npu_net_find_tensor(fx->net, "nope"), -1);
	assert_int_equal(npu_net_mark_output(fx->net, 1234), NPU_E_INVAL);
}

/* ---- network files ---------------------------------------------------- */

static npu_status load_str(npu_ctx *ctx, const char *json)
{
	npu_net *net = (npu_net *)ctx;	/* must be reset to NULL on failure */
	npu_status st = npu_net_load_string(ctx, json, "examples", NULL, &net);

	if (st == NPU_OK)
		npu_net_free(net);
	else
		assert_null(net);
	return st;
}

#define NET(layers) \
	"{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 8, 8, 4]}], \"layers\": [" layers "]}"

static void expect_load(npu_ctx *ctx, const char *json, npu_status want, const char *needle)
{
	npu_status st = load_str(ctx, json);

	if (st != want)
		fail_msg("loading %s: got %d (%s), want %d", json, st, npu_ctx_last_error(ctx),
			 want);
	if (needle && !strstr(npu_ctx_last_error(ctx), needle))
		fail_msg("message '%s' does not mention '%s'", npu_ctx_last_error(ctx), needle);
}

static void test_malformed_files(void **state)
{
	struct fixture *fx = *state;
	npu_ctx *ctx = fx->ctx;
	npu_net *net = NULL;

	/* Syntax errors: jansson's line and column are in the message. */
	expect_load(ctx, "{\n  \"inputs\": [\n    {\"name\": \"x\",, }\n", NPU_E_PARSE,
		    "<string>:3:");
	expect_load(ctx, "", NPU_E_PARSE, "<string>:");
	expect_load(ctx, "{\"layers\": [], \"layers\": []}", NPU_E_PARSE, "duplicate");
	expect_load(ctx, "[1, 2]", NPU_E_PARSE, "object");
	expect_load(ctx, "{\"inputs\": []}", NPU_E_PARSE, "inputs");
	expect_load(ctx, "{\"version\": 2}", NPU_E_PARSE, "version");
	expect_load(ctx, "{\"colour\": 1}", NPU_E_PARSE, "colour");
	/* Layers. */
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"lstm\"}"), NPU_E_UNSUPPORTED, "lstm");
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernal\": 3}"), NPU_E_PARSE, "kernal");
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"conv2d\", \"kernel\": 3}"),
		    NPU_E_PARSE, "filters");
	expect_load(ctx, NET("{\"op\": \"flatten\"}"), NPU_E_PARSE, "name");
	expect_load(ctx, NET("{\"name\": \"a\"}"), NPU_E_PARSE, "op");
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"flatten\", \"input\": \"y\"}"),
		    NPU_E_PARSE, "'y'");
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"add\", \"inputs\": [\"x\"]}"),
		    NPU_E_PARSE, "inputs");
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"conv2d\", \"filters\": \"4\", "
			     "\"kernel\": 3}"), NPU_E_PARSE, "integer");
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernel\": [3, 3, 3]}"), NPU_E_PARSE, "kernel");
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernel\": 3, \"act\": \"gelu\"}"), NPU_E_PARSE, "relu6");
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernel\": 3, \"pad\": \"full\"}"), NPU_E_PARSE, "same");
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernel\": 3, \"weights\": {\"scale\": 0.1, \"sede\": 1}}"),
		    NPU_E_PARSE, "sede");
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernel\": 3, \"output\": {\"type\": \"int8\"}}"),
		    NPU_E_PARSE, "scale");
	/* Bad shapes: the API's reason, with the file and layer. */
	expect_load(ctx, NET("{\"name\": \"big\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernel\": 9}"), NPU_E_INVAL, "layer 0 'big'");
	expect_load(ctx, NET("{\"name\": \"g\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernel\": 1, \"groups\": 3}"), NPU_E_INVAL, "groups");
	expect_load(ctx, NET("{\"name\": \"r\", \"op\": \"reshape\", \"shape\": [1, 2, 3, 4]}"),
		    NPU_E_INVAL, "elements");
	expect_load(ctx, "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 0, 8, 4]}], "
			 "\"layers\": [{\"name\": \"f\", \"op\": \"flatten\"}]}",
		    NPU_E_INVAL, "input 'x'");
	expect_load(ctx, "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 8, 4]}], "
			 "\"layers\": [{\"name\": \"f\", \"op\": \"flatten\"}]}",
		    NPU_E_PARSE, "shape");
	/* Files: missing, or of the wrong size. */
	expect_load(ctx, NET("{\"name\": \"w\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernel\": 1, \"weights\": {\"file\": \"nope.bin\", "
			     "\"scale\": 0.1}}"), NPU_E_IO, "nope.bin");
	expect_load(ctx, NET("{\"name\": \"w\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernel\": 1, \"weights\": {\"file\": "
			     "\"tiny_raw/weights.bin\", \"scale\": 0.1}}"),
		    NPU_E_PARSE, "18 bytes");
	assert_int_equal(npu_net_load(ctx, "/nonexistent/net.json", NULL, &net), NPU_E_IO);
	assert_null(net);
	/* Metadata: an object of strings */
	expect_load(ctx, "{\"metadata\": [\"a\"], \"inputs\": [{\"name\": \"x\", "
			 "\"shape\": [1, 2, 2, 4]}], \"layers\": [{\"name\": \"f\", "
			 "\"op\": \"flatten\"}]}", NPU_E_PARSE, "'metadata' must be an object");
	expect_load(ctx, "{\"metadata\": {\"classes\": 3}, \"inputs\": [{\"name\": \"x\", "
			 "\"shape\": [1, 2, 2, 4]}], \"layers\": [{\"name\": \"f\", "
			 "\"op\": \"flatten\"}]}", NPU_E_PARSE, "'classes' must be a string");
	assert_int_equal(npu_net_load_string(ctx, "{\"metadata\": {\"classes\": \"a,b\"}, "
					     "\"inputs\": [{\"name\": \"x\", \"shape\": "
					     "[1, 2, 2, 4]}], \"layers\": [{\"name\": \"f\", "
					     "\"op\": \"flatten\"}]}", NULL, NULL, &net),
			 NPU_OK);
	assert_string_equal(npu_net_metadata(net, "classes"), "a,b");
	assert_null(npu_net_metadata(net, "nothing"));
	npu_net_free(net);
	net = NULL;
	/* And a good one, so the failures above are not the loader's only answer. */
	expect_load(ctx, NET("{\"name\": \"a\", \"op\": \"conv2d\", \"filters\": 4, "
			     "\"kernel\": 3, \"pad\": \"same\", \"act\": \"relu\"}"),
		    NPU_OK, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_ctx_open),
		cmocka_unit_test_setup_teardown(test_null_pointers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_quant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_conv_geometry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conv_weight_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_cpu_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_and_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
