/* SPDX-License-Identifier: MIT */
/*
 * The ONNX importer on good and bad files: a small QOperator model built
 * here (Quantize -> QLinearConv -> Dequantize) runs and gives the values
 * computed in the test; then one defect at a time (zero length, every
 * truncation, garbage, a cycle, a missing initializer, wrong types, absurd
 * dimensions, bad external data, an unknown op, opsets out of range, ...)
 * must give its status and a message that says what is wrong, with no
 * crash and nothing leaked (this runs under ASan+UBSan and valgrind too).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "npu.h"
#include "onnx_build.h"
#include "rng.h"
#include "frontend_test.h"

#define FLOAT ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT
#define UINT8 ONNX__TENSOR_PROTO__DATA_TYPE__UINT8
#define INT8 ONNX__TENSOR_PROTO__DATA_TYPE__INT8
#define INT32 ONNX__TENSOR_PROTO__DATA_TYPE__INT32
#define INT64 ONNX__TENSOR_PROTO__DATA_TYPE__INT64

#define H 5
#define W 5
#define K 4

static const int8_t wdata[K * 9] = {
	1, 2, 3, -4, 5, -6, 7, 8, 9, -1, -1, -1, -1, 8, -1, -1, -1, -1,
	0, 1, 0, 1, -4, 1, 0, 1, 0, 127, -128, 5, 0, 0, 0, -5, 64, -64,
};
static const float wscale[K] = { 0.02f, 0.013f, 0.05f, 0.0031f };
static const int32_t bias[K] = { 100, -250, 0, 7 };
static const float x_scale = 1.0f / 255, y_scale = 0.045f;
static const int y_zp = 17;
static int with_relu;	/* the model ends with a Relu (of the dequantized output) */

/* The model: x float [N, 1, 5, 5] -> uint8 -> QLinearConv 3x3 pad 1 (4 out) -> float. */
static void base_model(struct ob *b, int opset)
{
	static const int64_t xd[4] = { -1, 1, H, W }, od[4] = { -1, K, H, W };
	static const int64_t wd[4] = { K, 1, 3, 3 }, kd[1] = { K }, pads[4] = { 1, 1, 1, 1 };
	static const int8_t wzp[K] = { 0 };
	Onnx__NodeProto *c;

	ob_init(b, opset, 0);
	ob_value(b, 0, "x", FLOAT, 4, xd);
	ob_value(b, 1, "out", FLOAT, 4, od);
	ob_scalar_f(b, "xs", x_scale);
	ob_scalar_u8(b, "xzp", UINT8, 0);
	ob_init_raw(b, "W", INT8, 4, wd, wdata, sizeof(wdata));
	ob_init_raw(b, "ws", FLOAT, 1, kd, wscale, sizeof(wscale));
	ob_init_raw(b, "wzp", INT8, 1, kd, wzp, sizeof(wzp));
	ob_scalar_f(b, "ys", y_scale);
	ob_scalar_u8(b, "yzp", UINT8, y_zp);
	ob_init_raw(b, "B", INT32, 1, kd, bias, sizeof(bias));
	ob_node(b, "QuantizeLinear", "", "quant", (const char *[]){ "x", "xs", "xzp", NULL },
		(const char *[]){ "q", NULL });
	c = ob_node(b, "QLinearConv", "", "conv",
		    (const char *[]){ "q", "xs", "xzp", "W", "ws", "wzp", "ys", "yzp", "B", NULL },
		    (const char *[]){ "y", NULL });
	ob_attr_ints(b, c, "pads", 4, pads);
	ob_node(b, "DequantizeLinear", "", "dequant", (const char *[]){ "y", "ys", "yzp", NULL },
		(const char *[]){ "out", NULL });
	ob_meta(b, "classes", "a,b,c,d");
}

/* What the model computes, written out (ONNX's definitions, mode B requantization). */
static void expected(const float *x, float *out)
{
	uint8_t q[H * W];
	int i, k, oy, ox, r, s;

	for (i = 0; i < H * W; i++) {
		float v = nearbyintf(x[i] / x_scale);

		q[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
	}
	for (k = 0; k < K; k++) {
		float m = (x_scale * wscale[k]) / y_scale;

		for (oy = 0; oy < H; oy++)
			for (ox = 0; ox < W; ox++) {
				int32_t acc = bias[k];
				float v;
				int y;

				for (r = 0; r < 3; r++)
					for (s = 0; s < 3; s++) {
						int iy = oy + r - 1, ix = ox + s - 1;

						if (iy >= 0 && iy < H && ix >= 0 && ix < W)
							acc += q[iy * W + ix] * wdata[k * 9 + r * 3 + s];
					}
				v = nearbyintf((float)acc * m) + (float)y_zp;
				y = v < 0 ? 0 : v > 255 ? 255 : (int)v;
				if (with_relu && y < y_zp)
					y = y_zp;
				out[(k * H + oy) * W + ox] = (float)(y - y_zp) * y_scale;
			}
	}
}

struct fx {
	npu_ctx *ctx;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct npu_ctx_opts o = { .backend = "cpu", .flags = NPU_CTX_CHECK };
	char msg[256];

	assert_int_equal(npu_ctx_open(&o, &f->ctx, msg, sizeof(msg)), NPU_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	npu_ctx_close(f->ctx);
	free(f);
	return 0;
}

/* Loads bytes; on success runs the net on a ramp of batch `n` and checks every value. */
static npu_status load_run(npu_ctx *ctx, const uint8_t *buf, size_t len, const char *dir,
			   int batch)
{
	struct npu_load_opts o = { .batch = batch };
	float x[H * W], want[K * H * W], got[K * H * W];
	npu_net *net;
	npu_status st;
	int i, n;

	st = npu_net_load_buffer(ctx, buf, len, "test.onnx", dir, &o, &net);
	if (st != NPU_OK)
		return st;
	for (i = 0; i < H * W; i++)
		x[i] = (float)((i * 37) % 101) / 100.0f;
	expected(x, want);
	n = batch ? batch : 1;
	assert_int_equal(npu_net_num_inputs(net), 1);
	for (i = 0; i < n; i++)
		assert_int_equal(npu_net_set_input_image(net, npu_net_input_id(net, 0), i,
							 NPU_NCHW, x, sizeof(x)), NPU_OK);
	assert_int_equal(npu_net_run(net), NPU_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(npu_net_get_output_image(net, npu_net_output_id(net, 0), i,
							  NPU_NCHW, got, sizeof(got)), NPU_OK);
		assert_memory_equal(got, want, sizeof(got));
	}
	assert_string_equal(npu_net_metadata(net, "classes"), "a,b,c,d");
	assert_string_equal(npu_net_metadata(net, "producer"), "npu-test");
	npu_net_free(net);
	return NPU_OK;
}

/* Packs b and expects status want with phrase in the message. */
static void expect(npu_ctx *ctx, struct ob *b, npu_status want, const char *phrase)
{
	size_t len;
	uint8_t *buf = ob_pack(b, &len);
	npu_status st;
	npu_net *net;

	/* load only: a defect must be found before anything runs */
	st = npu_net_load_buffer(ctx, buf, len, "test.onnx", ".", NULL, &net);
	if (st == NPU_OK) {
		if (want == NPU_OK)
			st = load_run(ctx, buf, len, ".", 0);
		npu_net_free(net);
	}

	if (st != want || (phrase && !strstr(npu_ctx_last_error(ctx), phrase)))
		fail_msg("got %s (%s), want %s with '%s'", npu_strerror(st),
			 npu_ctx_last_error(ctx), npu_strerror(want), phrase ? phrase : "");
	free(buf);
	ob_free(b);
}

static void test_good(void **state)
{
	struct fx *f = *state;
	struct ob b;
	size_t len;
	uint8_t *buf;
	int opset;

	/* every opset the importer reads, and a batch override */
	for (opset = 10; opset <= 21; opset++) {
		base_model(&b, opset);
		buf = ob_pack(&b, &len);
		assert_int_equal(load_run(f->ctx, buf, len, ".", opset % 3), NPU_OK);
		free(buf);
		ob_free(&b);
	}
}

/* The weights in the typed field (int32_data) instead of raw_data: the same net. */
static void test_typed_fields(void **state)
{
	struct fx *f = *state;
	struct ob b;
	Onnx__TensorProto *t;
	int32_t *v;
	int i;

	base_model(&b, 13);
	t = b.inits[2];
	assert_string_equal(t->name, "W");
	t->has_raw_data = 0;
	v = ob_alloc(&b, sizeof(wdata) * sizeof(int32_t));
	for (i = 0; i < (int)sizeof(wdata); i++)
		v[i] = wdata[i];
	t->n_int32_data = sizeof(wdata);
	t->int32_data = v;
	expect(f->ctx, &b, NPU_OK, NULL);
	/* an int8 stored as 200 is out of its type */
	base_model(&b, 13);
	t = b.inits[2];
	t->has_raw_data = 0;
	v = ob_alloc(&b, sizeof(wdata) * sizeof(int32_t));
	v[5] = 200;
	t->n_int32_data = sizeof(wdata);
	t->int32_data = v;
	expect(f->ctx, &b, NPU_E_PARSE, "outside INT8");
	/* a count that does not match the dims */
	base_model(&b, 13);
	b.inits[2]->raw_data.len--;
	expect(f->ctx, &b, NPU_E_PARSE, "raw_data has 35 bytes");
}

static void test_external_data(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/npu-onnx-XXXXXX", path[256];
	static const char *const bad[] = { "../w.bin", "/etc/passwd", "sub/../../w.bin", NULL };
	struct ob b;
	Onnx__TensorProto *t;
	FILE *fp;
	size_t len;
	uint8_t *buf;
	int i;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/w.bin", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs("pad", fp);	/* the tensor starts at offset 3 */
	fwrite(wdata, 1, sizeof(wdata), fp);
	fclose(fp);
	for (i = -1; bad[i < 0 ? 0 : i]; i++) {
		Onnx__StringStringEntryProto **e;

		base_model(&b, 13);
		t = b.inits[2];
		t->has_raw_data = 0;
		t->has_data_location = 1;
		t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
		e = ob_alloc(&b, 2 * sizeof(*e));
		for (int k = 0; k < 2; k++) {
			e[k] = ob_alloc(&b, sizeof(**e));
			onnx__string_string_entry_proto__init(e[k]);
		}
		e[0]->key = ob_str(&b, "location");
		e[0]->value = ob_str(&b, i < 0 ? "w.bin" : bad[i]);
		e[1]->key = ob_str(&b, "offset");
		e[1]->value = ob_str(&b, "3");
		t->n_external_data = 2;
		t->external_data = e;
		buf = ob_pack(&b, &len);
		if (i < 0) {
			assert_int_equal(load_run(f->ctx, buf, len, dir, 0), NPU_OK);
			/* the file one byte short */
			e[1]->value = ob_str(&b, "4");
			free(buf);
			buf = ob_pack(&b, &len);
			assert_int_equal(load_run(f->ctx, buf, len, dir, 0), NPU_E_IO);
			assert_non_null(strstr(npu_ctx_last_error(f->ctx), "fewer than 36 bytes"));
			/* a model elsewhere: the file is not there */
			assert_int_equal(load_run(f->ctx, buf, len, "/nonexistent", 0), NPU_E_IO);
		} else {
			assert_int_equal(load_run(f->ctx, buf, len, dir, 0), NPU_E_PARSE);
			assert_non_null(strstr(npu_ctx_last_error(f->ctx), "external data location"));
		}
		free(buf);
		ob_free(&b);
	}
	unlink(path);
	rmdir(dir);
}

static void test_graph_defects(void **state)
{
	struct fx *f = *state;
	struct ob b;

	/* a cycle: the conv reads the dequantized output */
	base_model(&b, 13);
	b.nodes[1]->input[0] = ob_str(&b, "out");
	expect(f->ctx, &b, NPU_E_PARSE, "cycle");
	/* a missing initializer */
	base_model(&b, 13);
	b.inits[2]->name = ob_str(&b, "W_gone");
	expect(f->ctx, &b, NPU_E_PARSE, "'W' is not produced");
	/* a value produced twice */
	base_model(&b, 13);
	b.nodes[2]->output[0] = ob_str(&b, "q");
	expect(f->ctx, &b, NPU_E_PARSE, "produced twice");
	/* an output no node produces */
	base_model(&b, 13);
	b.outputs[0]->name = ob_str(&b, "nothing");
	expect(f->ctx, &b, NPU_E_PARSE, "graph output 'nothing'");
	/* no graph */
	base_model(&b, 13);
	b.model.graph = NULL;
	expect(f->ctx, &b, NPU_E_PARSE, "no graph");
}

static void test_type_defects(void **state)
{
	struct fx *f = *state;
	static const float fw[K * 9] = { 0 };
	static const int64_t wd[4] = { K, 1, 3, 3 };
	struct ob b;

	/* float weights */
	base_model(&b, 13);
	b.graph.n_initializer = 2;	/* keep xs, xzp; W becomes float */
	ob_init_raw(&b, "W", FLOAT, 4, wd, fw, sizeof(fw));
	ob_init_raw(&b, "ws", FLOAT, 1, (const int64_t[]){ K }, wscale, sizeof(wscale));
	ob_init_raw(&b, "wzp", INT8, 1, (const int64_t[]){ K }, (const int8_t[K]){ 0 }, K);
	ob_scalar_f(&b, "ys", y_scale);
	ob_scalar_u8(&b, "yzp", UINT8, y_zp);
	ob_init_raw(&b, "B", INT32, 1, (const int64_t[]){ K }, bias, sizeof(bias));
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "weights are FLOAT");
	/* the conv told the uint8 tensor has an int8 zero point */
	base_model(&b, 13);
	ob_scalar_u8(&b, "xzp8", INT8, 0);
	b.nodes[1]->input[2] = ob_str(&b, "xzp8");
	expect(f->ctx, &b, NPU_E_PARSE, "is uint8 but its zero point is int8");
	/* a scale that is not float */
	base_model(&b, 13);
	b.inits[0]->data_type = INT32;
	expect(f->ctx, &b, NPU_E_PARSE, "scale is INT32");
	/* a negative scale */
	base_model(&b, 13);
	assert_string_equal(b.inits[5]->name, "ys");
	*(float *)b.inits[5]->raw_data.data = -1.0f;
	expect(f->ctx, &b, NPU_E_INVAL, "must be finite and > 0");
	/* a data type the importer does not read */
	base_model(&b, 13);
	assert_string_equal(b.inits[7]->name, "B");
	b.inits[7]->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "FLOAT16");
	/* a graph input of another element type */
	base_model(&b, 13);
	b.inputs[0]->type->tensor_type->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "DOUBLE");
}

static void test_absurd_dims(void **state)
{
	struct fx *f = *state;
	struct ob b;

	base_model(&b, 13);
	b.inits[2]->dims[0] = (int64_t)1 << 40;
	expect(f->ctx, &b, NPU_E_OVERFLOW, "more than");
	base_model(&b, 13);
	b.inits[2]->dims[1] = -1;
	expect(f->ctx, &b, NPU_E_PARSE, "dimension 1 is -1");
	base_model(&b, 13);
	b.inputs[0]->type->tensor_type->shape->dim[2]->dim_value = (int64_t)1 << 40;
	expect(f->ctx, &b, NPU_E_INVAL, "dimension 2");
	base_model(&b, 13);
	b.inputs[0]->type->tensor_type->shape->dim[3]->dim_value = 0;
	expect(f->ctx, &b, NPU_E_INVAL, "dimension 3 is 0");
	/* a symbolic spatial size */
	base_model(&b, 13);
	b.inputs[0]->type->tensor_type->shape->dim[2]->value_case =
		ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
	b.inputs[0]->type->tensor_type->shape->dim[2]->dim_param = ob_str(&b, "height");
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "'height'");
	/* a kernel larger than the padded image */
	base_model(&b, 13);
	b.inputs[0]->type->tensor_type->shape->dim[2]->dim_value = 1;
	b.nodes[1]->attribute[0]->ints[0] = 0;
	b.nodes[1]->attribute[0]->ints[2] = 0;
	expect(f->ctx, &b, NPU_E_INVAL, NULL);
}

static void test_ops_and_opsets(void **state)
{
	struct fx *f = *state;
	struct ob b;

	/* an op the importer does not know: named with its node, domain and opset */
	base_model(&b, 13);
	b.nodes[2]->op_type = ob_str(&b, "Celu");
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "node 'dequant' (Celu, domain ai.onnx, opset 13)");
	/* another domain */
	base_model(&b, 13);
	b.nodes[2]->domain = ob_str(&b, "ai.onnx.ml");
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "domain ai.onnx.ml, opset 13): this op domain");
	/* an unnamed node is named by its index and output; names are printed safely */
	base_model(&b, 13);
	b.nodes[2]->name = ob_str(&b, "");
	b.nodes[2]->op_type = ob_str(&b, "Le\001ky");
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "node 2 (unnamed, output 'out') (Le?ky, domain");
	/* com.microsoft used without importing it */
	base_model(&b, 13);
	b.nodes[2]->domain = ob_str(&b, "com.microsoft");
	expect(f->ctx, &b, NPU_E_PARSE, "com.microsoft");
	/* an unknown attribute is not ignored */
	base_model(&b, 13);
	ob_attr_int(&b, b.nodes[1], "groups", 2);
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "unknown attribute 'groups'");
	/* opsets outside 10..21 */
	base_model(&b, 9);
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "opset 9");
	base_model(&b, 22);
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "opset 22");
	/* float compute outside a QDQ group */
	base_model(&b, 13);
	ob_node(&b, "Relu", "", "relu", (const char *[]){ "x", NULL },
		(const char *[]){ "r", NULL });
	b.nodes[0]->input[0] = ob_str(&b, "r");
	expect(f->ctx, &b, NPU_E_UNSUPPORTED, "float32 tensor 'x'");
	/* ... while a Relu of a dequantized tensor is a clamp of its 8-bit data */
	base_model(&b, 13);
	ob_node(&b, "Relu", "", "relu", (const char *[]){ "out", NULL },
		(const char *[]){ "r", NULL });
	b.outputs[0]->name = ob_str(&b, "r");
	with_relu = 1;
	expect(f->ctx, &b, NPU_OK, NULL);
	with_relu = 0;
}

/* Zero length, every truncation and random garbage: an error or a net, never a crash. */
static void test_bytes(void **state)
{
	struct fx *f = *state;
	uint64_t seed = test_seed("onnx-bytes");
	struct npu_rng r = { seed };
	struct ob b;
	size_t len, cut;
	uint8_t *buf, *junk;
	npu_net *net;
	int i, ok = 0;

	assert_int_equal(npu_net_load_buffer(f->ctx, "", 0, "empty.onnx", ".", NULL, &net),
			 NPU_E_PARSE);
	assert_non_null(strstr(npu_ctx_last_error(f->ctx), "empty"));
	base_model(&b, 13);
	buf = ob_pack(&b, &len);
	for (cut = 1; cut < len; cut++) {
		npu_status st = npu_net_load_buffer(f->ctx, buf, cut, "cut.onnx", ".", NULL, &net);

		if (st == NPU_OK) {
			ok++;	/* a cut between top-level fields can still be a model */
			npu_net_free(net);
		} else {
			assert_true(strlen(npu_ctx_last_error(f->ctx)) > 0);
			assert_null(net);
		}
	}
	printf("truncations: %zu cuts, %d still a valid model\n", len - 1, ok);
	junk = malloc(len);
	for (i = 0; i < 2000; i++) {
		size_t n = 1 + (size_t)npu_rng_range(&r, 0, (int64_t)len - 1);
		npu_status st;

		for (size_t k = 0; k < n; k++)
			junk[k] = (uint8_t)npu_rng_next(&r);
		if (junk[0] == '{')
			junk[0] = 0;	/* not JSON */
		st = npu_net_load_buffer(f->ctx, junk, n, "junk.onnx", ".", NULL, &net);
		if (st == NPU_OK)
			npu_net_free(net);
		else
			assert_true(strlen(npu_ctx_last_error(f->ctx)) > 0);
	}
	free(junk);
	free(buf);
	ob_free(&b);
}

/*
 * ONNX Runtime's int8 -> uint8 rule for QDQ pairs on x86: a pair becomes
 * uint8 (zero point + 128) only when its QuantizeLinear feeds one
 * DequantizeLinear that feeds one node; a DequantizeLinear read by two
 * nodes keeps its pair int8 (ORT gives each reader a copy first).
 */
static void test_s8_to_u8(void **state)
{
	struct fx *f = *state;
	static const int64_t xd[4] = { 1, 2, 4, 4 }, od[4] = { 1, 2, 4, 4 };
	static const int64_t k3[2] = { 3, 3 }, p1[4] = { 1, 1, 1, 1 };
	struct npu_tensor_info info;
	struct ob b;
	npu_net *net;
	size_t len;
	uint8_t *buf;
	int shared, id;

	for (shared = 0; shared < 2; shared++) {
		Onnx__NodeProto *n;

		ob_init(&b, 13, 0);
		ob_value(&b, 0, "x", FLOAT, 4, xd);
		ob_value(&b, 1, "y", FLOAT, 4, od);
		ob_scalar_f(&b, "s", 0.05f);
		ob_scalar_u8(&b, "z", INT8, 3);
		ob_scalar_f(&b, "s2", 0.04f);
		ob_scalar_u8(&b, "z2", INT8, -5);
		ob_node(&b, "QuantizeLinear", "", "q", (const char *[]){ "x", "s", "z", NULL },
			(const char *[]){ "xq", NULL });
		ob_node(&b, "DequantizeLinear", "", "dq", (const char *[]){ "xq", "s", "z", NULL },
			(const char *[]){ "xf", NULL });
		n = ob_node(&b, "AveragePool", "", "pool", (const char *[]){ "xf", NULL },
			    (const char *[]){ "p", NULL });
		ob_attr_ints(&b, n, "kernel_shape", 2, k3);
		ob_attr_ints(&b, n, "pads", 4, p1);
		ob_node(&b, "QuantizeLinear", "", "pq", (const char *[]){ "p", "s2", "z2", NULL },
			(const char *[]){ "pq_out", NULL });
		ob_node(&b, "DequantizeLinear", "", "y", (const char *[]){ "pq_out", "s2", "z2", NULL },
			(const char *[]){ "y", NULL });
		if (shared) {
			/* a second reader of the dequantized input */
			ob_node(&b, "GlobalAveragePool", "", "gap", (const char *[]){ "xf", NULL },
				(const char *[]){ "g", NULL });
			ob_node(&b, "QuantizeLinear", "", "gq", (const char *[]){ "g", "s2", "z2", NULL },
				(const char *[]){ "gq_out", NULL });
			ob_node(&b, "DequantizeLinear", "", "gy",
				(const char *[]){ "gq_out", "s2", "z2", NULL },
				(const char *[]){ "gy", NULL });
			ob_value(&b, 1, "gy", FLOAT, 4, (const int64_t[]){ 1, 2, 1, 1 });
		}
		buf = ob_pack(&b, &len);
		if (npu_net_load_buffer(f->ctx, buf, len, "s8u8.onnx", ".", NULL, &net) != NPU_OK)
			fail_msg("%s", npu_ctx_last_error(f->ctx));
		id = npu_net_find_tensor(net, "xq");
		assert_true(id >= 0);
		assert_int_equal(npu_net_tensor_info(net, id, &info), NPU_OK);
		/* the input pair: uint8 (zp 131) alone, int8 (zp 3) when its DQ is shared */
		assert_int_equal(info.type, shared ? NPU_INT8 : NPU_UINT8);
		assert_int_equal(info.zero_point, shared ? 3 : 131);
		/* the pool's pair has one reader either way */
		id = npu_net_find_tensor(net, "pq_out");
		assert_int_equal(npu_net_tensor_info(net, id, &info), NPU_OK);
		assert_int_equal(info.type, shared ? NPU_INT8 : NPU_UINT8);
		assert_int_equal(npu_net_run(net), NPU_OK);
		npu_net_free(net);
		free(buf);
		ob_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_typed_fields),
		cmocka_unit_test(test_external_data),
		cmocka_unit_test(test_graph_defects),
		cmocka_unit_test(test_type_defects),
		cmocka_unit_test(test_absurd_dims),
		cmocka_unit_test(test_ops_and_opsets),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_s8_to_u8),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
