/* SPDX-License-Identifier: MIT */
/*
 * The ONNX Runtime-exact ops (lib/src/ops_ort.h) against ONNX Runtime's own
 * outputs: every case under tests/onnx/cases (tools/onnx_cases/gen_cases.py
 * ran each model through onnxruntime-node and stored the outputs) whose op
 * has a kernel here is run and compared element by element, bit for bit;
 * QLinearConv / QLinearMatMul / QGemm / ConvInteger / MatMulInteger cases
 * run the reference convolution npu_ref_conv (rq_mode FP32 with ORT's
 * multiplier). Then values worked out by hand for the edge cases.
 *
 * The cases folder is $NPU_ONNX_CASES, else tests/onnx/cases (make runs
 * the tests from the top of the tree).
 */
#include <dirent.h>
#include <math.h>

#include <jansson.h>

#include "frontend_test.h"
#include "npu_ref.h"
#include "ops_ort.h"
#include "rng.h"

/* ------------------------------------------------------------------ helpers */

struct tensor {
	char type[16];
	int rank;
	int dims[8];
	size_t elems;
	void *data;
};

static size_t elem_size(const char *t)
{
	if (!strcmp(t, "int8") || !strcmp(t, "uint8"))
		return 1;
	if (!strcmp(t, "int32") || !strcmp(t, "float32"))
		return 4;
	if (!strcmp(t, "int64"))
		return 8;
	return 0;
}

static enum npu_type npu_type_of(const char *t)
{
	if (!strcmp(t, "uint8"))
		return NPU_UINT8;
	if (!strcmp(t, "int32"))
		return NPU_INT32;
	if (!strcmp(t, "float32"))
		return NPU_FLOAT32;
	return NPU_INT8;
}

static enum npu_dtype dtype_of(const char *t)
{
	if (!strcmp(t, "uint8"))
		return NPU_TYPE_UINT8;
	if (!strcmp(t, "int32"))
		return NPU_TYPE_INT32;
	return NPU_TYPE_INT8;
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(buf);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A tensor entry of case.json ({"name","type","dims","file"}) and its data. */
static void load_tensor(const char *dir, json_t *j, struct tensor *t)
{
	char path[1024];
	json_t *d = json_object_get(j, "dims");
	size_t i, len = 0;

	memset(t, 0, sizeof(*t));
	snprintf(t->type, sizeof(t->type), "%s", json_string_value(json_object_get(j, "type")));
	t->rank = (int)json_array_size(d);
	assert_true(t->rank <= 8);
	t->elems = 1;
	for (i = 0; i < json_array_size(d); i++) {
		t->dims[i] = (int)json_integer_value(json_array_get(d, i));
		t->elems *= (size_t)t->dims[i];
	}
	snprintf(path, sizeof(path), "%s/%s", dir, json_string_value(json_object_get(j, "file")));
	t->data = read_file(path, &len);
	assert_non_null(t->data);
	assert_int_equal(len, t->elems * elem_size(t->type));
}

static double pnum(json_t *p, const char *k)
{
	json_t *v = json_object_get(p, k);

	assert_non_null(v);
	return json_number_value(v);
}

static int pint(json_t *p, const char *k)
{
	json_t *v = json_object_get(p, k);

	assert_non_null(v);
	return (int)json_integer_value(v);
}

static int pint_or(json_t *p, const char *k, int dflt)
{
	json_t *v = json_object_get(p, k);

	return v ? (int)json_integer_value(v) : dflt;
}

static const char *pstr(json_t *p, const char *k)
{
	json_t *v = json_object_get(p, k);

	return v ? json_string_value(v) : "";
}

static int parr_int(json_t *p, const char *k, int i)
{
	json_t *a = json_object_get(p, k);

	assert_non_null(a);
	return (int)json_integer_value(json_array_get(a, (size_t)i));
}

static float parr_num(json_t *p, const char *k, int i)
{
	json_t *a = json_object_get(p, k);

	assert_non_null(a);
	return (float)json_number_value(json_array_get(a, (size_t)i));
}

/* NCHW <-> NHWC for 8-bit or 32-bit elements. */
static void nchw_to_nhwc(const void *src, void *dst, const int d[4], size_t es)
{
	int n, c, h, w;

	for (n = 0; n < d[0]; n++)
	for (c = 0; c < d[1]; c++)
	for (h = 0; h < d[2]; h++)
	for (w = 0; w < d[3]; w++)
		memcpy((char *)dst + ((((size_t)n * d[2] + h) * d[3] + w) * d[1] + c) * es,
		       (const char *)src + ((((size_t)n * d[1] + c) * d[2] + h) * d[3] + w) * es, es);
}

static void nhwc_to_nchw(const void *src, void *dst, const int d[4] /* NCHW dims */, size_t es)
{
	int n, c, h, w;

	for (n = 0; n < d[0]; n++)
	for (c = 0; c < d[1]; c++)
	for (h = 0; h < d[2]; h++)
	for (w = 0; w < d[3]; w++)
		memcpy((char *)dst + ((((size_t)n * d[1] + c) * d[2] + h) * d[3] + w) * es,
		       (const char *)src + ((((size_t)n * d[2] + h) * d[3] + w) * d[1] + c) * es, es);
}

/* Compares got with ORT's output; prints the first difference. 0 when equal. */
static int compare(const char *name, const struct tensor *want, const void *got)
{
	size_t es = elem_size(want->type), i, ndiff = 0, first = 0;

	for (i = 0; i < want->elems; i++)
		if (memcmp((const char *)want->data + i * es, (const char *)got + i * es, es)) {
			if (!ndiff++)
				first = i;
		}
	if (!ndiff)
		return 0;
	if (!strcmp(want->type, "float32"))
		printf("  %s: %zu of %zu differ; first at flat index %zu: ORT %.9g, ours %.9g\n", name,
		       ndiff, want->elems, first, ((const float *)want->data)[first],
		       ((const float *)got)[first]);
	else if (!strcmp(want->type, "int32"))
		printf("  %s: %zu of %zu differ; first at flat index %zu: ORT %d, ours %d\n", name, ndiff,
		       want->elems, first, ((const int32_t *)want->data)[first],
		       ((const int32_t *)got)[first]);
	else
		printf("  %s: %zu of %zu differ; first at flat index %zu: ORT %d, ours %d\n", name, ndiff,
		       want->elems, first,
		       (int)npu_load(dtype_of(want->type), want->data, first),
		       (int)npu_load(dtype_of(want->type), got, first));
	return 1;
}

static enum npu_ort_auto_pad auto_pad_of(const char *s)
{
	if (!strcmp(s, "SAME_UPPER"))
		return NPU_ORT_SAME_UPPER;
	if (!strcmp(s, "SAME_LOWER"))
		return NPU_ORT_SAME_LOWER;
	if (!strcmp(s, "VALID"))
		return NPU_ORT_VALID;
	return NPU_ORT_NOTSET;
}

/* Pads [t, l, b, r] after auto_pad, and the output H, W ORT's rules give. */
static void pool_geometry(json_t *p, int in_h, int in_w, int pads[4], int *oh, int *ow)
{
	enum npu_ort_auto_pad ap = auto_pad_of(pstr(p, "auto_pad"));
	int dh = parr_int(p, "dilations", 0), dw = parr_int(p, "dilations", 1);

	pads[0] = parr_int(p, "pads", 0);
	pads[1] = parr_int(p, "pads", 1);
	pads[2] = parr_int(p, "pads", 2);
	pads[3] = parr_int(p, "pads", 3);
	*oh = npu_ort_pool_out_size(in_h, parr_int(p, "kernel", 0), parr_int(p, "strides", 0), dh, ap,
				    pint(p, "ceil_mode"), &pads[0], &pads[2]);
	*ow = npu_ort_pool_out_size(in_w, parr_int(p, "kernel", 1), parr_int(p, "strides", 1), dw, ap,
				    pint(p, "ceil_mode"), &pads[1], &pads[3]);
}

/* ------------------------------------------------------------------ per op */

struct ort_case {
	const char *dir, *name;
	json_t *params;
	struct tensor in[8];
	int n_in;
	struct tensor init[4];
	int n_init;
	struct tensor out[2];
	int n_out;
};

/* 4-D ONNX tensor -> NHWC copy (channels_last tensors are already NHWC). */
static void *to_nhwc(const struct tensor *t, int channels_last, int nhwc[4])
{
	size_t es = elem_size(t->type);
	void *buf = malloc(t->elems * es + 1);

	assert_non_null(buf);
	assert_int_equal(t->rank, 4);
	if (channels_last) {
		memcpy(buf, t->data, t->elems * es);
		memcpy(nhwc, t->dims, sizeof(int) * 4);
	} else {
		nchw_to_nhwc(t->data, buf, t->dims, es);
		nhwc[0] = t->dims[0];
		nhwc[1] = t->dims[2];
		nhwc[2] = t->dims[3];
		nhwc[3] = t->dims[1];
	}
	return buf;
}

/* NHWC result -> the ONNX layout of want, then compared. */
static int finish(const struct ort_case *c, const struct tensor *want, void *nhwc, int channels_last)
{
	size_t es = elem_size(want->type);
	void *onnx = malloc(want->elems * es + 1);
	int r;

	assert_non_null(onnx);
	if (channels_last || want->rank != 4)
		memcpy(onnx, nhwc, want->elems * es);
	else
		nhwc_to_nchw(nhwc, onnx, want->dims, es);
	r = compare(c->name, want, onnx);
	free(onnx);
	free(nhwc);
	return r;
}

static int run_qadd(const struct ort_case *c, json_t *p)
{
	struct npu_ort_qadd op = {
		.type = npu_type_of(pstr(p, "type")), .elems = c->in[0].elems,
		.a_scale = (float)pnum(p, "a_scale"), .b_scale = (float)pnum(p, "b_scale"),
		.c_scale = (float)pnum(p, "c_scale"), .a_zp = pint(p, "a_zp"),
		.b_zp = pint(p, "b_zp"), .c_zp = pint(p, "c_zp"),
	};
	void *out;
	int r, d[4];

	assert_null(npu_ort_qadd_prepare(&op));
	if (json_is_true(json_object_get(p, "broadcast_b"))) {
		/* B [1,C,1,1]: one value per channel */
		void *a = to_nhwc(&c->in[0], 0, d);

		assert_int_equal(c->in[1].elems, (size_t)d[3]);
		out = malloc(op.elems);
		npu_ort_qadd_run_bcast_c(&op, a, c->in[1].data, d[3], out);
		free(a);
		return finish(c, &c->out[0], out, 0);
	}
	out = malloc(op.elems);
	npu_ort_qadd_run(&op, c->in[0].data, c->in[1].data, out);
	r = compare(c->name, &c->out[0], out);
	free(out);
	return r;
}

static int run_qavgpool(const struct ort_case *c, json_t *p)
{
	int cl = pint_or(p, "channels_last", 0), d[4], pads[4], oh, ow;
	void *in = to_nhwc(&c->in[0], cl, d);
	struct npu_ort_qavgpool op = {
		.type = npu_type_of(pstr(p, "type")), .n = d[0], .in_h = d[1], .in_w = d[2], .c = d[3],
		.kh = parr_int(p, "kernel", 0), .kw = parr_int(p, "kernel", 1),
		.sh = parr_int(p, "strides", 0), .sw = parr_int(p, "strides", 1),
		.ceil_mode = pint(p, "ceil_mode"), .count_include_pad = pint(p, "count_include_pad"),
		.x_scale = (float)pnum(p, "x_scale"), .y_scale = (float)pnum(p, "y_scale"),
		.x_zp = pint(p, "x_zp"), .y_zp = pint(p, "y_zp"),
	};
	const char *why;
	void *out;

	pool_geometry(p, d[1], d[2], pads, &oh, &ow);
	op.pad_top = pads[0];
	op.pad_left = pads[1];
	op.pad_bottom = pads[2];
	op.pad_right = pads[3];
	op.out_h = oh;
	op.out_w = ow;
	/* ORT's output dims must be what the size rule says. */
	assert_int_equal(c->out[0].dims[cl ? 1 : 2], oh);
	assert_int_equal(c->out[0].dims[cl ? 2 : 3], ow);
	why = npu_ort_qavgpool_prepare(&op);
	if (why)
		fail_msg("%s: %s", c->name, why);
	out = malloc(c->out[0].elems);
	npu_ort_qavgpool_run(&op, in, out);
	free(in);
	return finish(c, &c->out[0], out, cl);
}

static int32_t load8(enum npu_type t, const void *p, size_t i)
{
	return t == NPU_UINT8 ? ((const uint8_t *)p)[i] : ((const int8_t *)p)[i];
}

static int run_maxpool(const struct ort_case *c, json_t *p)
{
	int d[4], pads[4], oh, ow;
	void *in = to_nhwc(&c->in[0], 0, d);
	struct npu_ort_maxpool op = {
		.type = npu_type_of(pstr(p, "type")), .n = d[0], .in_h = d[1], .in_w = d[2], .c = d[3],
		.kh = parr_int(p, "kernel", 0), .kw = parr_int(p, "kernel", 1),
		.sh = parr_int(p, "strides", 0), .sw = parr_int(p, "strides", 1),
		.dil_h = parr_int(p, "dilations", 0), .dil_w = parr_int(p, "dilations", 1),
		.ceil_mode = pint(p, "ceil_mode"),
	};
	const char *why;
	void *out;

	pool_geometry(p, d[1], d[2], pads, &oh, &ow);
	op.pad_top = pads[0];
	op.pad_left = pads[1];
	op.pad_bottom = pads[2];
	op.pad_right = pads[3];
	op.out_h = oh;
	op.out_w = ow;
	assert_int_equal(c->out[0].dims[2], oh);
	assert_int_equal(c->out[0].dims[3], ow);
	why = npu_ort_maxpool_prepare(&op);
	if (why)
		fail_msg("%s: %s", c->name, why);
	out = malloc(c->out[0].elems);
	npu_ort_maxpool_run(&op, in, out);
	free(in);
	if (json_object_get(p, "y_scale")) {
		/*
		 * DQ -> float MaxPool -> Q with different scales (not fused): DQ is
		 * increasing (scale > 0), so max commutes with it and the result is
		 * Q(DQ(8-bit max)).
		 */
		size_t i;

		for (i = 0; i < c->out[0].elems; i++) {
			int32_t v = load8(op.type, out, i);
			float d = (float)pnum(p, "x_scale") * (float)(v - pint(p, "x_zp"));

			npu_store(dtype_of(pstr(p, "type")), out, i,
				  npu_ort_quantize_value(d, (float)pnum(p, "y_scale"), pint(p, "y_zp"), op.type));
		}
	}
	return finish(c, &c->out[0], out, 0);
}

static int run_qgap(const struct ort_case *c, json_t *p)
{
	int cl = pint_or(p, "channels_last", 0), d[4];
	void *in = to_nhwc(&c->in[0], cl, d);
	struct npu_ort_qgap op = {
		.type = npu_type_of(pstr(p, "type")), .n = d[0], .h = d[1], .w = d[2], .c = d[3],
		.x_scale = (float)pnum(p, "x_scale"), .y_scale = (float)pnum(p, "y_scale"),
		.x_zp = pint(p, "x_zp"), .y_zp = pint(p, "y_zp"),
	};
	void *out;

	assert_null(npu_ort_qgap_prepare(&op));
	out = malloc(c->out[0].elems);
	npu_ort_qgap_run(&op, in, out);
	free(in);
	/* [n][1][1][c] is the same bytes in NCHW and NHWC. */
	return finish(c, &c->out[0], out, 1);
}

static int run_qconcat(const struct ort_case *c, json_t *p)
{
	json_t *ins = json_object_get(p, "inputs");
	struct npu_ort_qconcat_input inputs[8];
	const void *bufs[8];
	int i, d[4];
	struct npu_ort_qconcat op = {
		.type = npu_type_of(pstr(p, "type")), .n_inputs = (int)json_array_size(ins),
		.inputs = inputs, .y_scale = (float)pnum(p, "y_scale"), .y_zp = pint(p, "y_zp"),
	};
	void *out;
	int r;

	assert_int_equal(op.n_inputs, c->n_in);
	for (i = 0; i < op.n_inputs; i++) {
		json_t *e = json_array_get(ins, (size_t)i);

		bufs[i] = to_nhwc(&c->in[i], 0, d);
		inputs[i] = (struct npu_ort_qconcat_input){ .c = d[3], .scale = (float)pnum(e, "scale"),
							    .zp = pint(e, "zp") };
		op.n = d[0];
		op.h = d[1];
		op.w = d[2];
	}
	assert_null(npu_ort_qconcat_prepare(&op));
	out = malloc(c->out[0].elems);
	npu_ort_qconcat_run(&op, bufs, out);
	for (i = 0; i < op.n_inputs; i++)
		free((void *)bufs[i]);
	r = finish(c, &c->out[0], out, 0);
	return r;
}

static int run_qsigmoid(const struct ort_case *c, json_t *p)
{
	struct npu_ort_qsigmoid op = {
		.type = npu_type_of(pstr(p, "type")), .elems = c->in[0].elems,
		.x_scale = (float)pnum(p, "x_scale"), .y_scale = (float)pnum(p, "y_scale"),
		.x_zp = pint(p, "x_zp"), .y_zp = pint(p, "y_zp"),
	};
	void *out = malloc(op.elems);
	int r;

	assert_null(npu_ort_qsigmoid_prepare(&op));
	npu_ort_qsigmoid_run(&op, c->in[0].data, out);
	r = compare(c->name, &c->out[0], out);
	free(out);
	return r;
}

/* Per-tensor or per-channel parameters of QuantizeLinear / DequantizeLinear. */
static int qparams(json_t *p, float *scale, int32_t *zp)
{
	json_t *s = json_object_get(p, "scale");
	int i, n = (int)json_array_size(s);

	assert_true(n >= 1 && n <= 64);
	for (i = 0; i < n; i++) {
		scale[i] = parr_num(p, "scale", i);
		zp[i] = parr_int(p, "zp", i);
	}
	return n;
}

static int run_quantize(const struct ort_case *c, json_t *p)
{
	float scale[64];
	int32_t zp[64];
	int d[4], np = qparams(p, scale, zp);
	void *in = to_nhwc(&c->in[0], 0, d);
	struct npu_ort_quantize op = {
		.type = npu_type_of(pstr(p, "type")), .elems = c->in[0].elems, .channels = d[3],
		.n_params = np, .scale = scale, .zp = zp,
	};
	void *out = malloc(op.elems);

	assert_null(npu_ort_quantize_prepare(&op));
	npu_ort_quantize_run(&op, in, out);
	free(in);
	return finish(c, &c->out[0], out, 0);
}

static int run_dequantize(const struct ort_case *c, json_t *p)
{
	float scale[64];
	int32_t zp[64];
	int d[4], np = qparams(p, scale, zp);
	void *in = to_nhwc(&c->in[0], 0, d);
	struct npu_ort_dequantize op = {
		.type = npu_type_of(pstr(p, "in_type")), .elems = c->in[0].elems, .channels = d[3],
		.n_params = np, .scale = scale, .zp = zp,
	};
	float *out = malloc(op.elems * sizeof(float));

	assert_null(npu_ort_dequantize_prepare(&op));
	npu_ort_dequantize_run(&op, in, out);
	free(in);
	return finish(c, &c->out[0], out, 0);
}

static int run_pad(const struct ort_case *c, json_t *p)
{
	int d[4];
	void *in = to_nhwc(&c->in[0], 0, d);
	/* ONNX pads: [n, c, h, w] begins then ends. */
	struct npu_ort_pad op = {
		.type = npu_type_of(pstr(p, "type")), .in = { d[0], d[1], d[2], d[3] },
		.begin = { parr_int(p, "pads", 0), parr_int(p, "pads", 2), parr_int(p, "pads", 3),
			   parr_int(p, "pads", 1) },
		.end = { parr_int(p, "pads", 4), parr_int(p, "pads", 6), parr_int(p, "pads", 7),
			 parr_int(p, "pads", 5) },
		.value = pint(p, "value"),
	};
	void *out;

	assert_null(npu_ort_pad_prepare(&op));
	out = malloc(c->out[0].elems);
	npu_ort_pad_run(&op, in, out);
	free(in);
	return finish(c, &c->out[0], out, 0);
}

/*
 * QLinearConv / ConvInteger through npu_ref_conv: OIHW weights -> OHWI,
 * per-channel multipliers from npu_ort_conv_multiplier (rq FP32), or int32
 * output (ConvInteger).
 */
static int run_conv(const struct ort_case *c, json_t *p, int int_out)
{
	int d[4], K = pint(p, "out_channels"), k, nws, nwz;
	void *in = to_nhwc(&c->in[0], 0, d);
	const struct tensor *w = &c->init[0];
	int32_t wzp[256], bias[256];
	float m[256];
	struct npu_conv_spec s = {
		.n = d[0], .in_h = d[1], .in_w = d[2], .in_c = d[3], .out_c = K,
		.kh = parr_int(p, "kernel", 0), .kw = parr_int(p, "kernel", 1),
		.stride_h = parr_int(p, "strides", 0), .stride_w = parr_int(p, "strides", 1),
		.dil_h = parr_int(p, "dilations", 0), .dil_w = parr_int(p, "dilations", 1),
		.pad_top = parr_int(p, "pads", 0), .pad_left = parr_int(p, "pads", 1),
		.pad_bottom = parr_int(p, "pads", 2), .pad_right = parr_int(p, "pads", 3),
		.groups = pint(p, "group"),
		.in_type = dtype_of(pstr(p, "x_type")), .w_type = dtype_of(pstr(p, "w_type")),
		.in_zp = pint(p, "x_zp"), .w_zp = wzp,
	};
	const char *why;
	void *wo, *out;
	int wd[4] = { w->dims[0], w->dims[2], w->dims[3], w->dims[1] };	/* OHWI */

	assert_true(K <= 256);
	nwz = (int)json_array_size(json_object_get(p, "w_zp"));
	for (k = 0; k < K; k++)
		wzp[k] = parr_int(p, "w_zp", nwz == 1 ? 0 : k);
	if (json_is_true(json_object_get(p, "has_bias"))) {
		memcpy(bias, c->init[1].data, sizeof(int32_t) * (size_t)K);
		s.bias = bias;
	}
	if (int_out) {
		s.out_type = NPU_TYPE_INT32;
		s.rq_mode = NPU_RQ_NONE;
	} else {
		nws = (int)json_array_size(json_object_get(p, "w_scale"));
		for (k = 0; k < K; k++)
			m[k] = npu_ort_conv_multiplier((float)pnum(p, "x_scale"),
						       parr_num(p, "w_scale", nws == 1 ? 0 : k),
						       (float)pnum(p, "y_scale"));
		s.out_type = dtype_of(pstr(p, "y_type"));
		s.out_zp = pint(p, "y_zp");
		s.rq_mode = NPU_RQ_FP32;
		s.rq_scale = m;
		s.act_min = s.out_type == NPU_TYPE_UINT8 ? 0 : -128;
		s.act_max = s.out_type == NPU_TYPE_UINT8 ? 255 : 127;
	}
	if (npu_conv_spec_finish(&s, &why))
		fail_msg("%s: %s", c->name, why);
	assert_int_equal(s.out_h, c->out[0].dims[2]);
	assert_int_equal(s.out_w, c->out[0].dims[3]);
	wo = malloc(w->elems);
	nchw_to_nhwc(w->data, wo, w->dims, 1);
	(void)wd;
	out = malloc(npu_conv_out_elems(&s) * (int_out ? 4 : 1));
	npu_ref_conv(&s, in, wo, out);
	free(in);
	free(wo);
	return finish(c, &c->out[0], out, 0);
}

/*
 * C[M][N] = A[M][K] x B[K][N] (B transposed when trans_b: [N][K]) through
 * npu_ref_conv as a 1x1 convolution over M pixels; the result is int32
 * accumulators (bias included) when out is NULL-moded, else requantized.
 */
static void matmul_acc(const struct tensor *a, const struct tensor *b, int trans_b, int a_zp,
		       const int32_t *b_zp, const int32_t *bias, int M, int K, int N, int32_t *acc)
{
	uint8_t *w = malloc((size_t)N * K);
	int n, k;
	struct npu_conv_spec s = {
		.n = 1, .in_h = 1, .in_w = M, .in_c = K, .out_c = N, .kh = 1, .kw = 1,
		.stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1, .groups = 1,
		.in_type = dtype_of(a->type), .w_type = dtype_of(b->type), .out_type = NPU_TYPE_INT32,
		.in_zp = a_zp, .w_zp = b_zp, .bias = bias, .rq_mode = NPU_RQ_NONE,
	};
	const char *why;

	assert_non_null(w);
	for (n = 0; n < N; n++)
		for (k = 0; k < K; k++)
			w[(size_t)n * K + k] = ((const uint8_t *)b->data)[trans_b ? (size_t)n * K + k
										   : (size_t)k * N + n];
	assert_int_equal(npu_conv_spec_finish(&s, &why), 0);
	npu_ref_conv(&s, a->data, w, acc);
	free(w);
}

static int run_matmul(const struct ort_case *c, json_t *p, const char *op)
{
	int M = pint(p, "M"), K = pint(p, "K"), N = pint(p, "N"), j, i;
	int32_t bzp[256], *acc = malloc(sizeof(int32_t) * (size_t)M * N), *bias = NULL;
	int is_qgemm = !strcmp(op, "QGemm"), is_int = !strcmp(op, "MatMulInteger");
	int nbz = (int)json_array_size(json_object_get(p, "b_zp"));
	int trans_b = pint_or(p, "trans_b", 0), r;
	void *out;

	assert_true(N <= 256);
	for (j = 0; j < N; j++)
		bzp[j] = parr_int(p, "b_zp", nbz == 1 ? 0 : j);
	if (is_qgemm && json_is_true(json_object_get(p, "has_c")))
		bias = c->init[1].data;
	matmul_acc(&c->in[0], &c->init[0], trans_b, pint(p, "a_zp"), bzp, bias, M, K, N, acc);
	if (is_int) {
		r = compare(c->name, &c->out[0], acc);
		free(acc);
		return r;
	}
	out = malloc(sizeof(float) * (size_t)M * N);
	for (i = 0; i < M; i++)
		for (j = 0; j < N; j++) {
			int nbs = (int)json_array_size(json_object_get(p, "b_scale"));
			float bs = parr_num(p, "b_scale", nbs == 1 ? 0 : j);
			size_t o = (size_t)i * N + j;

			if (is_qgemm) {
				int quant = json_is_true(json_object_get(p, "quantized_output"));
				float mm = npu_ort_qgemm_multiplier((float)pnum(p, "alpha"),
								    (float)pnum(p, "a_scale"), bs,
								    quant ? (float)pnum(p, "y_scale") : 0.0f);

				if (!quant) {
					((float *)out)[o] = (float)acc[o] * mm;
					continue;
				}
				npu_store(dtype_of(c->out[0].type), out, o,
					  (int32_t)fmax(fmin((double)npu_rq_fp32_round(acc[o], mm) +
							     pint(p, "y_zp"),
							     !strcmp(c->out[0].type, "uint8") ? 255 : 127),
						        !strcmp(c->out[0].type, "uint8") ? 0 : -128));
			} else {
				float mm = npu_ort_conv_multiplier((float)pnum(p, "a_scale"), bs,
								   (float)pnum(p, "y_scale"));
				int32_t v = npu_rq_fp32_round(acc[o], mm) + pint(p, "y_zp");
				int lo = !strcmp(c->out[0].type, "uint8") ? 0 : -128;

				v = v < lo ? lo : v > lo + 255 ? lo + 255 : v;
				npu_store(dtype_of(c->out[0].type), out, o, v);
			}
		}
	r = compare(c->name, &c->out[0], out);
	free(out);
	free(acc);
	return r;
}

static int run_float_avgpool_sizes(const struct ort_case *c, json_t *p)
{
	int pads[4], oh, ow;

	pool_geometry(p, c->in[0].dims[2], c->in[0].dims[3], pads, &oh, &ow);
	if (oh != c->out[0].dims[2] || ow != c->out[0].dims[3]) {
		printf("  %s: output %dx%d, ORT %dx%d\n", c->name, oh, ow, c->out[0].dims[2],
		       c->out[0].dims[3]);
		return 1;
	}
	return 0;
}

/*
 * A float chain x -> Q -> op -> DQ (QDQ models as quantizers write them).
 * ORT on x86 turns int8 Q/DQ pairs into uint8 ones with zero point + 128
 * (QDQS8ToU8Transformer) before fusing, so the op runs on uint8 with the
 * shifted zero points; the chain does the same.
 */
static int run_chain_conv(const struct ort_case *c, json_t *p)
{
	int s8 = !strcmp(pstr(p, "type"), "int8"), sh = s8 ? 128 : 0, d[4], K = pint(p, "out_channels"), k;
	float *xin = to_nhwc(&c->in[0], 0, d), m[64], *y;
	int32_t wzp[64];
	size_t i, n = c->in[0].elems;
	uint8_t *xq = malloc(n), *yq, *wo;
	struct npu_conv_spec s = {
		.n = d[0], .in_h = d[1], .in_w = d[2], .in_c = d[3], .out_c = K,
		.kh = parr_int(p, "kernel", 0), .kw = parr_int(p, "kernel", 1),
		.stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1,
		.pad_top = parr_int(p, "pads", 0), .pad_left = parr_int(p, "pads", 1),
		.pad_bottom = parr_int(p, "pads", 2), .pad_right = parr_int(p, "pads", 3), .groups = 1,
		.in_type = NPU_TYPE_UINT8, .w_type = NPU_TYPE_INT8, .out_type = NPU_TYPE_UINT8,
		.in_zp = pint(p, "x_zp") + sh, .out_zp = pint(p, "y_zp") + sh, .w_zp = wzp,
		.bias = c->init[1].data, .rq_mode = NPU_RQ_FP32, .rq_scale = m, .act_min = 0,
		.act_max = 255,
	};
	const char *why;

	assert_true(K <= 64);
	for (k = 0; k < K; k++) {
		wzp[k] = 0;
		m[k] = npu_ort_conv_multiplier((float)pnum(p, "x_scale"), parr_num(p, "w_scale", k),
					       (float)pnum(p, "y_scale"));
	}
	for (i = 0; i < n; i++)
		xq[i] = (uint8_t)npu_ort_quantize_value(xin[i], (float)pnum(p, "x_scale"), s.in_zp, NPU_UINT8);
	assert_int_equal(npu_conv_spec_finish(&s, &why), 0);
	wo = malloc(c->init[0].elems);
	nchw_to_nhwc(c->init[0].data, wo, c->init[0].dims, 1);
	yq = malloc(npu_conv_out_elems(&s));
	npu_ref_conv(&s, xq, wo, yq);
	y = malloc(sizeof(float) * npu_conv_out_elems(&s));
	for (i = 0; i < npu_conv_out_elems(&s); i++)
		y[i] = (float)(yq[i] - s.out_zp) * (float)pnum(p, "y_scale");
	free(xin);
	free(xq);
	free(wo);
	free(yq);
	return finish(c, &c->out[0], y, 0);
}

static int run_chain(const struct ort_case *c, json_t *p, const char *as)
{
	int s8 = !strcmp(pstr(p, "type"), "int8"), sh = s8 ? 128 : 0, d[4], r;
	size_t n = c->in[0].elems, i;
	float *outf = malloc(sizeof(float) * c->out[0].elems);
	uint8_t *qa, *qb, *qo;

	if (strstr(as, "QLinearConv")) {
		free(outf);
		return run_chain_conv(c, p);
	}
	qa = malloc(n);
	qb = malloc(n);
	qo = malloc(c->out[0].elems);
	if (strstr(as, "QLinearAdd")) {
		struct npu_ort_qadd op = {
			.type = NPU_UINT8, .elems = n, .a_scale = (float)pnum(p, "a_scale"),
			.b_scale = (float)pnum(p, "b_scale"), .c_scale = (float)pnum(p, "c_scale"),
			.a_zp = pint(p, "a_zp") + sh, .b_zp = pint(p, "b_zp") + sh,
			.c_zp = pint(p, "c_zp") + sh,
		};

		for (i = 0; i < n; i++) {
			qa[i] = (uint8_t)npu_ort_quantize_value(((float *)c->in[0].data)[i], op.a_scale,
								op.a_zp, NPU_UINT8);
			qb[i] = (uint8_t)npu_ort_quantize_value(((float *)c->in[1].data)[i], op.b_scale,
								op.b_zp, NPU_UINT8);
		}
		assert_null(npu_ort_qadd_prepare(&op));
		npu_ort_qadd_run(&op, qa, qb, qo);
		for (i = 0; i < n; i++)
			outf[i] = (float)(qo[i] - op.c_zp) * op.c_scale;
		r = compare(c->name, &c->out[0], outf);
	} else {
		int pads[4], oh, ow;
		float *xin = to_nhwc(&c->in[0], 0, d);
		struct npu_ort_qavgpool op = {
			.type = NPU_UINT8, .n = d[0], .in_h = d[1], .in_w = d[2], .c = d[3],
			.kh = parr_int(p, "kernel", 0), .kw = parr_int(p, "kernel", 1),
			.sh = parr_int(p, "strides", 0), .sw = parr_int(p, "strides", 1),
			.ceil_mode = pint(p, "ceil_mode"),
			.count_include_pad = pint(p, "count_include_pad"),
			.x_scale = (float)pnum(p, "x_scale"), .y_scale = (float)pnum(p, "y_scale"),
			.x_zp = pint(p, "x_zp") + sh, .y_zp = pint(p, "y_zp") + sh,
		};
		float *on = malloc(sizeof(float) * c->out[0].elems);

		for (i = 0; i < n; i++)
			qa[i] = (uint8_t)npu_ort_quantize_value(xin[i], op.x_scale, op.x_zp, NPU_UINT8);
		pool_geometry(p, d[1], d[2], pads, &oh, &ow);
		op.pad_top = pads[0];
		op.pad_left = pads[1];
		op.pad_bottom = pads[2];
		op.pad_right = pads[3];
		op.out_h = oh;
		op.out_w = ow;
		assert_null(npu_ort_qavgpool_prepare(&op));
		npu_ort_qavgpool_run(&op, qa, qo);
		for (i = 0; i < c->out[0].elems; i++)
			on[i] = (float)(qo[i] - op.y_zp) * op.y_scale;
		free(xin);
		r = finish(c, &c->out[0], on, 0);
	}
	free(outf);
	free(qa);
	free(qb);
	free(qo);
	return r;
}

/* Runs one case; returns 0 (pass), 1 (differs) or -1 (no kernel: skipped). */
static int run_case(struct ort_case *c, json_t *j)
{
	json_t *p = json_object_get(j, "params");
	const char *op = json_string_value(json_object_get(j, "op"));
	const char *as = pstr(p, "as");

	if (!strcmp(op, "QDQ")) {
		/* Only groups ORT fused into the QOperator kernel named by "as". */
		json_t *nodes = json_object_get(j, "ort_optimized_nodes");
		size_t i;
		int fused = 0;

		if (!strncmp(as, "chain:", 6))
			return run_chain(c, p, as);
		if (!strcmp(as, "DQ,MaxPool,Q"))
			return run_maxpool(c, p);
		for (i = 0; i < json_array_size(nodes); i++) {
			const char *n = json_string_value(json_array_get(nodes, i));
			const char *dot = strrchr(n, '.');

			fused |= !strcmp(dot ? dot + 1 : n, as);
		}
		if (!fused)
			return -1;
		op = as;
	}
	if (json_object_get(p, "probe") && strcmp(pstr(p, "probe"), "nan"))
		return -1;
	if (!strcmp(op, "QLinearAdd"))
		return run_qadd(c, p);
	if (!strcmp(op, "QLinearAveragePool"))
		return run_qavgpool(c, p);
	if (!strcmp(op, "MaxPool"))
		return run_maxpool(c, p);
	if (!strcmp(op, "QLinearGlobalAveragePool"))
		return run_qgap(c, p);
	if (!strcmp(op, "QLinearConcat"))
		return run_qconcat(c, p);
	if (!strcmp(op, "QLinearSigmoid"))
		return run_qsigmoid(c, p);
	if (!strcmp(op, "QuantizeLinear"))
		return run_quantize(c, p);
	if (!strcmp(op, "DequantizeLinear"))
		return run_dequantize(c, p);
	if (!strcmp(op, "Pad"))
		return run_pad(c, p);
	if (!strcmp(op, "QLinearConv"))
		return run_conv(c, p, 0);
	if (!strcmp(op, "ConvInteger"))
		return run_conv(c, p, 1);
	if (!strcmp(op, "QLinearMatMul") || !strcmp(op, "QGemm") || !strcmp(op, "MatMulInteger"))
		return run_matmul(c, p, op);
	if (!strcmp(op, "AveragePool"))
		return run_float_avgpool_sizes(c, p);
	return -1;
}

static const char *cases_dir(void)
{
	const char *d = getenv("NPU_ONNX_CASES");

	return d && *d ? d : "tests/onnx/cases";
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_ort_cases(void **state)
{
	DIR *dir = opendir(cases_dir());
	struct dirent *e;
	char *names[1024];
	int n_names = 0, i, passed = 0, failed = 0, skipped = 0;

	(void)state;
	if (!dir)
		fail_msg("cannot open %s (set NPU_ONNX_CASES)", cases_dir());
	while ((e = readdir(dir)) && n_names < 1024)
		if (e->d_name[0] != '.')
			names[n_names++] = strdup(e->d_name);
	closedir(dir);
	qsort(names, (size_t)n_names, sizeof(char *), name_cmp);
	assert_true(n_names > 0);
	for (i = 0; i < n_names; i++) {
		char dpath[1024], jpath[1100];
		json_error_t err;
		json_t *j, *a;
		struct ort_case c = { 0 };
		size_t k;
		int r;

		snprintf(dpath, sizeof(dpath), "%s/%s", cases_dir(), names[i]);
		snprintf(jpath, sizeof(jpath), "%s/case.json", dpath);
		j = json_load_file(jpath, 0, &err);
		if (!j)
			fail_msg("%s: %s", jpath, err.text);
		c.dir = dpath;
		c.name = names[i];
		a = json_object_get(j, "outputs");
		if (json_object_get(j, "ort_error") || json_array_size(a) == 0) {
			skipped++;
			json_decref(j);
			free(names[i]);
			continue;
		}
		for (k = 0; k < json_array_size(a) && k < 2; k++)
			load_tensor(dpath, json_array_get(a, k), &c.out[c.n_out++]);
		a = json_object_get(j, "inputs");
		for (k = 0; k < json_array_size(a) && k < 8; k++)
			load_tensor(dpath, json_array_get(a, k), &c.in[c.n_in++]);
		a = json_object_get(j, "initializers");
		for (k = 0; k < json_array_size(a) && k < 4; k++)
			load_tensor(dpath, json_array_get(a, k), &c.init[c.n_init++]);
		r = run_case(&c, j);
		if (r == 0)
			passed++;
		else if (r > 0)
			failed++, printf("FAIL %s\n", c.name);
		else
			skipped++;
		for (k = 0; k < (size_t)c.n_in; k++)
			free(c.in[k].data);
		for (k = 0; k < (size_t)c.n_init; k++)
			free(c.init[k].data);
		for (k = 0; k < (size_t)c.n_out; k++)
			free(c.out[k].data);
		json_decref(j);
		free(names[i]);
	}
	printf("[ ort      ] %d cases bit-exact with ONNX Runtime, %d differ, %d without a kernel here\n",
	       passed, failed, skipped);
	assert_int_equal(failed, 0);
	assert_true(passed >= 100);
}

/* ------------------------------------------------------------------ by hand */

static void test_pool_out_size(void **state)
{
	int h, t;

	(void)state;
	/* floor: (5 + 1 - 1 - 1) / 2 + 1 = 3 */
	h = 0, t = 1;
	assert_int_equal(npu_ort_pool_out_size(5, 2, 2, 1, NPU_ORT_NOTSET, 0, &h, &t), 3);
	/* ceil: ceil(4 / 2) + 1 = 3 -- and with in 5, pads 0/1, ceil(4/2)=2: 3 */
	assert_int_equal(npu_ort_pool_out_size(5, 2, 2, 1, NPU_ORT_NOTSET, 1, &h, &t), 3);
	/* in 5, k 3, s 2, pads 0/1: num 3, ceil(1.5) + 1 = 3, last start 4 < 5 -> 3 */
	h = 0, t = 1;
	assert_int_equal(npu_ort_pool_out_size(5, 3, 2, 1, NPU_ORT_NOTSET, 1, &h, &t), 3);
	/* in 5, k 3, s 3, pads 0/2: num 4, ceil(4/3) + 1 = 3, last start 6 >= 5 -> 2 */
	h = 0, t = 2;
	assert_int_equal(npu_ort_pool_out_size(5, 3, 3, 1, NPU_ORT_NOTSET, 1, &h, &t), 2);
	/* in 8: num 7, ceil(7/3) + 1 = 4, last start 9 >= 8 -> 3 (= floor mode) */
	assert_int_equal(npu_ort_pool_out_size(8, 3, 3, 1, NPU_ORT_NOTSET, 1, &h, &t), 3);
	assert_int_equal(npu_ort_pool_out_size(8, 3, 3, 1, NPU_ORT_NOTSET, 0, &h, &t), 3);
	/* a pad >= kernel: ORT refuses the model */
	h = 0, t = 2;
	assert_int_equal(npu_ort_pool_out_size(6, 2, 2, 1, NPU_ORT_NOTSET, 1, &h, &t), -1);
	/* SAME: pads from the undilated kernel; in 9, k 3, s 2, d 2: need 2 -> 1/1, out 4 */
	assert_int_equal(npu_ort_pool_out_size(9, 3, 2, 2, NPU_ORT_SAME_UPPER, 0, &h, &t), 4);
	assert_int_equal(h, 1);
	assert_int_equal(t, 1);
	/* in 6, k 3, s 2: need 1; UPPER puts it at the tail, LOWER at the head */
	assert_int_equal(npu_ort_pool_out_size(6, 3, 2, 1, NPU_ORT_SAME_UPPER, 0, &h, &t), 3);
	assert_int_equal(h, 0);
	assert_int_equal(t, 1);
	assert_int_equal(npu_ort_pool_out_size(6, 3, 2, 1, NPU_ORT_SAME_LOWER, 0, &h, &t), 3);
	assert_int_equal(h, 1);
	assert_int_equal(t, 0);
	h = 5, t = 5;
	assert_int_equal(npu_ort_pool_out_size(7, 3, 2, 1, NPU_ORT_VALID, 0, &h, &t), 3);
	assert_int_equal(h + t, 0);
	/* negative size: ORT refuses */
	h = 0, t = 0;
	assert_int_equal(npu_ort_pool_out_size(2, 5, 1, 1, NPU_ORT_NOTSET, 0, &h, &t), -1);
	assert_int_equal(npu_ort_pool_out_size(5, 0, 1, 1, NPU_ORT_NOTSET, 0, &h, &t), -1);
}

static void test_quantize_by_hand(void **state)
{
	(void)state;
	/* ties to even, around the zero point */
	assert_int_equal(npu_ort_quantize_value(2.5f, 1.0f, 0, NPU_INT8), 2);
	assert_int_equal(npu_ort_quantize_value(3.5f, 1.0f, 0, NPU_INT8), 4);
	assert_int_equal(npu_ort_quantize_value(-2.5f, 1.0f, 0, NPU_INT8), -2);
	assert_int_equal(npu_ort_quantize_value(-2.5f, 1.0f, 10, NPU_INT8), 8);
	/* saturation at both ends, in float before rounding */
	assert_int_equal(npu_ort_quantize_value(1e30f, 0.1f, 0, NPU_UINT8), 255);
	assert_int_equal(npu_ort_quantize_value(-200.0f, 1.0f, 100, NPU_UINT8), 0);
	assert_int_equal(npu_ort_quantize_value(INFINITY, 1.0f, -5, NPU_INT8), 127);
	assert_int_equal(npu_ort_quantize_value(-INFINITY, 1.0f, -5, NPU_INT8), -128);
	/* NaN -> the type's minimum, whatever the zero point */
	assert_int_equal(npu_ort_quantize_value(NAN, 0.5f, 7, NPU_UINT8), 0);
	assert_int_equal(npu_ort_quantize_value(NAN, 0.5f, 7, NPU_INT8), -128);
	/* a division, not a reciprocal: 1.55f / 0.1f = 15.499999 -> 15, while
	 * 1.55f * fl(1 / 0.1f) = 15.5 -> 16. */
	assert_int_equal(npu_ort_quantize_value(1.55f, 0.1f, 0, NPU_INT8), 15);
	{
		volatile float recip = 1.0f / 0.1f, x = 1.55f;

		assert_int_equal((int)rintf(x * recip), 16);
	}
}

static void test_qadd_by_hand(void **state)
{
	int8_t a[4] = { 100, -100, 3, 5 }, b[4] = { 100, -100, 0, 0 }, c[4];
	struct npu_ort_qadd op = { .type = NPU_INT8, .elems = 4, .a_scale = 1.0f, .b_scale = 1.0f,
				   .c_scale = 1.0f };

	(void)state;
	assert_null(npu_ort_qadd_prepare(&op));
	npu_ort_qadd_run(&op, a, b, c);
	assert_int_equal(c[0], 127);	/* 200 saturates */
	assert_int_equal(c[1], -128);
	op.a_scale = 0.5f;		/* 1.5 -> 2, 2.5 -> 2 */
	assert_null(npu_ort_qadd_prepare(&op));
	npu_ort_qadd_run(&op, a, b, c);
	assert_int_equal(c[2], 2);
	assert_int_equal(c[3], 2);
	op.c_zp = 200;
	assert_non_null(npu_ort_qadd_prepare(&op));
	op.c_zp = 0;
	op.c_scale = 0.0f;
	assert_non_null(npu_ort_qadd_prepare(&op));
}

static void test_qgap_qavgpool_by_hand(void **state)
{
	/* 2x2 image of one channel: 1 2 / 3 4, scale 1: mean 2.5 -> 2 (ties to even) */
	uint8_t in[4] = { 1, 2, 3, 4 }, out[4];
	struct npu_ort_qgap g = { .type = NPU_UINT8, .n = 1, .h = 2, .w = 2, .c = 1,
				  .x_scale = 1.0f, .y_scale = 1.0f };
	struct npu_ort_qavgpool p = { .type = NPU_UINT8, .n = 1, .in_h = 2, .in_w = 2, .c = 1,
				      .out_h = 2, .out_w = 2, .kh = 2, .kw = 2, .sh = 1, .sw = 1,
				      .pad_bottom = 1, .pad_right = 1, .x_scale = 1.0f, .y_scale = 1.0f };

	(void)state;
	assert_null(npu_ort_qgap_prepare(&g));
	npu_ort_qgap_run(&g, in, out);
	assert_int_equal(out[0], 2);
	/* windows 2x2, 1x2, 2x1, 1x1 (excluding pads): 2.5 -> 2, 3.5 -> 4, 3 -> 3, 4 */
	assert_null(npu_ort_qavgpool_prepare(&p));
	assert_int_equal(p.global, 0);
	npu_ort_qavgpool_run(&p, in, out);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 4);
	assert_int_equal(out[3], 4);
	/* including pads: 10/4 = 2.5 -> 2, 6/4 = 1.5 -> 2, 7/4 -> 2, 4/4 -> 1 */
	p.count_include_pad = 1;
	assert_null(npu_ort_qavgpool_prepare(&p));
	npu_ort_qavgpool_run(&p, in, out);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], 2);
	assert_int_equal(out[3], 1);
	/* output size other than ORT's is refused */
	p.out_h = 3;
	assert_non_null(npu_ort_qavgpool_prepare(&p));
	/* kernel == image and no pads: the global pool's integer arithmetic */
	p = (struct npu_ort_qavgpool){ .type = NPU_UINT8, .n = 1, .in_h = 2, .in_w = 2, .c = 1,
				       .out_h = 1, .out_w = 1, .kh = 2, .kw = 2, .sh = 1, .sw = 1,
				       .x_scale = 1.0f, .y_scale = 1.0f };
	assert_null(npu_ort_qavgpool_prepare(&p));
	assert_int_equal(p.global, 1);
	/* ORT refuses a global multiplier >= 256 */
	g.x_scale = 2000.0f;
	assert_non_null(npu_ort_qgap_prepare(&g));
}

static void test_multipliers(void **state)
{
	uint64_t seed = test_seed("ort multipliers");
	struct npu_rng r = { seed };
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		float x = (float)ldexp((double)npu_rng_range(&r, 1, 1 << 24), -(int)npu_rng_range(&r, 20, 40));
		float w = (float)ldexp((double)npu_rng_range(&r, 1, 1 << 24), -(int)npu_rng_range(&r, 20, 40));
		float y = (float)ldexp((double)npu_rng_range(&r, 1, 1 << 24), -(int)npu_rng_range(&r, 20, 40));

		/* ORT's QLinearConv / QLinearMatMul multiplier is mode B's */
		assert_true(npu_ort_conv_multiplier(x, w, y) == npu_fp32_multiplier(x, w, y));
		/* QGemm with alpha 1 too */
		assert_true(npu_ort_qgemm_multiplier(1.0f, x, w, y) == npu_fp32_multiplier(x, w, y));
	}
	/* alpha multiplies a_scale first: mode B of (fl(alpha * a_scale), b, y) */
	for (i = 0; i < 10000; i++) {
		float al = (float)npu_rng_unit(&r) * 4.0f, a = (float)npu_rng_unit(&r) * 0.1f + 1e-4f;
		float b = (float)npu_rng_unit(&r) * 0.1f + 1e-4f, y = (float)npu_rng_unit(&r) + 1e-3f;

		assert_true(npu_ort_qgemm_multiplier(al, a, b, y) == npu_fp32_multiplier(al * a, b, y));
	}
	assert_true(npu_ort_qgemm_multiplier(0.75f, 0.03f, 0.02f, 0.25f) ==
		    ((0.75f * 0.03f) * 0.02f) / 0.25f);
	assert_true(npu_ort_qgemm_multiplier(1.3f, 0.03f, 0.02f, 0.0f) == (1.3f * 0.03f) * 0.02f);
}

static void test_logistic_by_hand(void **state)
{
	(void)state;
	assert_true(npu_ort_logistic(0.0f) == 0.5f);
	/* clamped to [-18, 18] before the polynomial */
	assert_true(npu_ort_logistic(100.0f) == npu_ort_logistic(18.0f));
	assert_true(npu_ort_logistic(-100.0f) == npu_ort_logistic(-18.0f));
	assert_true(npu_ort_logistic(-18.0f) >= 0.0f);
	assert_true(fabsf(npu_ort_logistic(1.0f) - 0.7310586f) < 1e-6f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ort_cases),
		cmocka_unit_test(test_pool_out_size),
		cmocka_unit_test(test_quantize_by_hand),
		cmocka_unit_test(test_qadd_by_hand),
		cmocka_unit_test(test_qgap_qavgpool_by_hand),
		cmocka_unit_test(test_multipliers),
		cmocka_unit_test(test_logistic_by_hand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
