/* SPDX-License-Identifier: MIT */
/*
 * Convolutions and matrix products: QLinearConv, ConvInteger,
 * QLinearMatMul, MatMulInteger, com.microsoft QGemm, and the builders the
 * QDQ groups (DQ -> Conv / Gemm / MatMul -> Q) share with them. They all
 * become the library's conv2d and FC layers, computed with ONNX Runtime's
 * fp32 requantization (NPU_REQUANT_ONNX; lib/onnx/ORT_ARITHMETIC.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_ops.h"

/* Per-channel int32 zero points of a weight quantization (NULL: all 0). */
static npu_status weight_zps(struct ox_imp *im, const struct ox_quant *wq, int k,
			     int32_t **out)
{
	int i;

	*out = NULL;
	if (!wq->zp)
		return NPU_OK;
	if (!(*out = malloc((size_t)k * sizeof(int32_t))))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	for (i = 0; i < k; i++)
		(*out)[i] = ox_quant_zp(wq, i);
	return NPU_OK;
}

static npu_status check_weight(struct ox_imp *im, const struct ox_const *w,
			       const struct ox_quant *wq, int rank)
{
	if (w->dtype != OX_INT8 && w->dtype != OX_UINT8)
		return ox_fail(im, NPU_E_UNSUPPORTED, "weights are %s (int8 or uint8 are run)",
			       ox_dtype_name(w->dtype));
	if (w->rank != rank)
		return ox_fail(im, NPU_E_UNSUPPORTED, "weights have rank %d (%d expected)",
			       w->rank, rank);
	if (wq->zp && ox_npu_type(wq->zp->dtype) != ox_npu_type(w->dtype))
		return ox_fail(im, NPU_E_PARSE, "weights are %s but their zero point is %s",
			       ox_dtype_name(w->dtype), ox_dtype_name(wq->zp->dtype));
	return NPU_OK;
}

static npu_status check_bias(struct ox_imp *im, const struct ox_const *b, int64_t m)
{
	if (!b)
		return NPU_OK;
	if (b->dtype != OX_INT32)
		return ox_fail(im, NPU_E_UNSUPPORTED, "bias is %s (int32 is read)",
			       ox_dtype_name(b->dtype));
	if ((int64_t)b->elems != m)
		return ox_fail(im, NPU_E_PARSE, "bias has %zu values for %lld output channels",
			       b->elems, (long long)m);
	return NPU_OK;
}

/* The scales the layer gets: the weights' (for int32 output any positive value). */
static const float one_scale = 1.0f;

npu_status ox_auto_pads(struct ox_imp *im, const int in[2], const int k[2], const int s[2],
			const int d[2], int pads[4])
{
	char mode[32];
	int present, i;
	npu_status st;

	if ((st = ox_attr_string(im, "auto_pad", mode, sizeof(mode), &present)) != NPU_OK)
		return st;
	if (!present || !strcmp(mode, "NOTSET"))
		return NPU_OK;
	if (!strcmp(mode, "VALID")) {
		memset(pads, 0, 4 * sizeof(int));
		return NPU_OK;
	}
	if (strcmp(mode, "SAME_UPPER") && strcmp(mode, "SAME_LOWER"))
		return ox_fail(im, NPU_E_PARSE, "auto_pad '%s' (NOTSET, SAME_UPPER, SAME_LOWER "
			       "or VALID)", mode);
	if (d[0] != 1 || d[1] != 1)
		return ox_fail(im, NPU_E_UNSUPPORTED, "auto_pad %s with dilations (ONNX Runtime "
			       "refuses it too)", mode);
	for (i = 0; i < 2; i++) {
		/* out = ceil(in / stride); the odd pixel goes to the end (UPPER). */
		int64_t out = ((int64_t)in[i] + s[i] - 1) / s[i];
		int64_t total = (out - 1) * s[i] + (int64_t)(k[i] - 1) * d[i] + 1 - in[i];
		int64_t small;

		if (total < 0)
			total = 0;
		small = total / 2;
		pads[i] = (int)(mode[5] == 'U' ? small : total - small);
		pads[i + 2] = (int)(total - pads[i]);
	}
	return NPU_OK;
}

/* kernel_shape, strides, dilations, pads, auto_pad, group of a conv node. */
struct conv_geom {
	int k[2], s[2], d[2], pads[4], group;
};

static npu_status conv_attrs(struct ox_imp *im, const int in_hw[2], const struct ox_const *w,
			     struct conv_geom *g)
{
	static const char *const known[] = { "auto_pad", "dilations", "group", "kernel_shape",
					     "pads", "strides", NULL };
	int64_t v[4], group;
	npu_status st;
	int n, i;

	if ((st = ox_attr_only(im, known)) != NPU_OK)
		return st;
	g->k[0] = (int)w->dims[2];
	g->k[1] = (int)w->dims[3];
	if ((st = ox_attr_ints(im, "kernel_shape", 2, v, &n)) != NPU_OK)
		return st;
	if (n && (n != 2 || v[0] != g->k[0] || v[1] != g->k[1]))
		return ox_fail(im, NPU_E_PARSE, "kernel_shape does not match the weights' "
			       "%dx%d", g->k[0], g->k[1]);
	for (i = 0; i < 2; i++)
		g->s[i] = g->d[i] = 1;
	memset(g->pads, 0, sizeof(g->pads));
	if ((st = ox_attr_ints(im, "strides", 2, v, &n)) != NPU_OK)
		return st;
	for (i = 0; i < n; i++) {
		if (n != 2 || v[i] < 1 || v[i] > 4096)
			return ox_fail(im, NPU_E_PARSE, "strides must be 2 values in 1..4096");
		g->s[i] = (int)v[i];
	}
	if ((st = ox_attr_ints(im, "dilations", 2, v, &n)) != NPU_OK)
		return st;
	for (i = 0; i < n; i++) {
		if (n != 2 || v[i] < 1 || v[i] > 4096)
			return ox_fail(im, NPU_E_PARSE, "dilations must be 2 values in 1..4096");
		g->d[i] = (int)v[i];
	}
	if ((st = ox_attr_ints(im, "pads", 4, v, &n)) != NPU_OK)
		return st;
	if (n && n != 4)
		return ox_fail(im, NPU_E_PARSE, "pads must have 4 values");
	for (i = 0; i < n; i++) {
		if (v[i] < 0 || v[i] > 4096)
			return ox_fail(im, NPU_E_PARSE, "pad %lld", (long long)v[i]);
		/* ONNX: [top, left, bottom, right] = [x1_begin, x2_begin, x1_end, x2_end] */
		g->pads[i] = (int)v[i];
	}
	if ((st = ox_auto_pads(im, in_hw, g->k, g->s, g->d, g->pads)) != NPU_OK)
		return st;
	if ((st = ox_attr_int(im, "group", 1, &group)) != NPU_OK)
		return st;
	if (group < 1 || group > (1 << 20))
		return ox_fail(im, NPU_E_PARSE, "group %lld", (long long)group);
	g->group = (int)group;
	return NPU_OK;
}

/* The clamp of a fused activation, in the layer's parameters. */
static void set_act(enum npu_act act, float lo, float hi, enum npu_act *pa, float *plo,
		    float *phi)
{
	*pa = act;
	*plo = lo;
	*phi = hi;
}

static npu_status out_quant(struct ox_imp *im, const struct ox_quant *yq,
			    struct npu_out_quant *o)
{
	if (!yq) {
		o->type = NPU_INT32;
		o->scale = 1.0f;
		o->zero_point = 0;
		return NPU_OK;
	}
	if (yq->n != 1)
		return ox_fail(im, NPU_E_UNSUPPORTED, "per-channel output quantization");
	o->type = yq->type;
	o->scale = yq->scale[0];
	o->zero_point = ox_quant_zp(yq, 0);
	return NPU_OK;
}

npu_status ox_emit_conv(struct ox_imp *im, const Onnx__NodeProto *conv,
			const struct ox_qarg *x, const struct ox_const *w,
			const struct ox_quant *wq, const struct ox_const *bias,
			const struct ox_quant *yq, enum npu_act act, float lo, float hi, int out)
{
	const Onnx__NodeProto *saved = im->node;
	struct npu_conv2d_params p = { .requant = NPU_REQUANT_ONNX };
	const struct ox_value *xv = &im->vals[x->v];
	const struct npu_tensor *t;
	struct conv_geom g;
	int32_t *zps = NULL;
	int64_t dims[4];
	int tid, id, in_hw[2];
	npu_status st;

	im->node = conv;
	if (xv->rank != 4)
		return ox_fail(im, NPU_E_UNSUPPORTED, "input '%s' has rank %d (2-D convolutions "
			       "over NCHW are run)", xv->name, xv->rank);
	if ((st = check_weight(im, w, wq, 4)) != NPU_OK || (st = check_bias(im, bias, w->dims[0])))
		return st;
	if ((st = ox_q8_of(im, x->v, &x->q, &tid)) != NPU_OK)
		return st;
	t = &im->net->tensors[tid];
	in_hw[0] = t->dims[1];
	in_hw[1] = t->dims[2];
	if ((st = conv_attrs(im, in_hw, w, &g)) != NPU_OK)
		return st;
	if ((int64_t)t->dims[3] != w->dims[1] * g.group)
		return ox_fail(im, NPU_E_PARSE, "input has %d channels; weights [%lld, %lld, ...] "
			       "with group %d need %lld", t->dims[3], (long long)w->dims[0],
			       (long long)w->dims[1], g.group, (long long)(w->dims[1] * g.group));
	if ((st = out_quant(im, yq, &p.out)) != NPU_OK ||
	    (st = weight_zps(im, wq, (int)w->dims[0], &zps)) != NPU_OK)
		return st;
	p.name = im->vals[out].name;
	p.out_channels = (int)w->dims[0];
	p.kernel_h = g.k[0];
	p.kernel_w = g.k[1];
	p.stride_h = g.s[0];
	p.stride_w = g.s[1];
	p.dilation_h = g.d[0];
	p.dilation_w = g.d[1];
	p.pad_top = g.pads[0];
	p.pad_left = g.pads[1];
	p.pad_bottom = g.pads[2];
	p.pad_right = g.pads[3];
	p.groups = g.group;
	set_act(act, lo, hi, &p.act, &p.clip_min, &p.clip_max);
	p.weights.type = ox_npu_type(w->dtype);
	p.weights.layout = NPU_OIHW;
	p.weights.data = w->data;
	p.weights.scales = yq ? wq->scale : &one_scale;
	p.weights.n_scales = yq ? wq->n : 1;
	p.weights.zero_points = zps;
	p.weights.n_zero_points = zps ? (int)w->dims[0] : 0;
	p.weights.bias = bias ? bias->data : NULL;
	st = npu_net_add_conv2d(im->net, tid, &p, &id);
	free(zps);
	if (st != NPU_OK)
		return ox_api_fail(im, st);
	t = &im->net->tensors[id];
	dims[0] = t->dims[0];
	dims[1] = t->dims[3];
	dims[2] = t->dims[1];
	dims[3] = t->dims[2];
	ox_set_tensor(im, out, id, 4, dims);
	im->vals[out].own = 1;
	im->node = saved;
	return NPU_OK;
}

/*
 * The tensor an FC reads: a flattened NCHW tensor is read as it is (its
 * weights are given in C, H, W order), anything else in [N, 1, 1, K].
 */
static npu_status fc_input(struct ox_imp *im, const struct ox_qarg *x, int *tid, int *k)
{
	const struct ox_value *v = &im->vals[x->v];
	const struct ox_value *src = v;
	const struct npu_tensor *t;
	npu_status st;

	if (v->rank != 2)
		return ox_fail(im, NPU_E_UNSUPPORTED, "input '%s' has rank %d (a matrix [N, K] "
			       "is read)", v->name, v->rank);
	if (src->kind == OX_TENSOR && src->flat_chw && x->q.n == 1) {
		t = &im->net->tensors[src->tid];
		if (x->q.type == t->type && t->scale == x->q.scale[0] &&
		    t->zero_point == ox_quant_zp(&x->q, 0)) {
			*tid = src->tid;
			*k = t->dims[1] * t->dims[2] * t->dims[3];
			return NPU_OK;
		}
	}
	if ((st = ox_q8_of(im, x->v, &x->q, tid)) != NPU_OK)
		return st;
	t = &im->net->tensors[*tid];
	*k = t->dims[1] * t->dims[2] * t->dims[3];
	return NPU_OK;
}

npu_status ox_emit_fc(struct ox_imp *im, const struct ox_qarg *x, const struct ox_const *w,
		      const struct ox_quant *wq, int trans_w, const struct ox_const *bias,
		      const struct ox_quant *yq, enum npu_act act, float lo, float hi, int out)
{
	struct npu_fc_params p = { .requant = NPU_REQUANT_ONNX };
	int64_t kdim, mdim, dims[2];
	int32_t *zps = NULL;
	uint8_t *wt = NULL;
	int tid, id, k = 0;
	npu_status st;

	if ((st = check_weight(im, w, wq, 2)) != NPU_OK)
		return st;
	kdim = trans_w ? w->dims[1] : w->dims[0];
	mdim = trans_w ? w->dims[0] : w->dims[1];
	if (wq->n != 1 && wq->n != mdim)
		return ox_fail(im, NPU_E_UNSUPPORTED, "%d weight scales for %lld output columns",
			       wq->n, (long long)mdim);
	if ((st = check_bias(im, bias, mdim)) != NPU_OK || (st = fc_input(im, x, &tid, &k)))
		return st;
	if (k != kdim)
		return ox_fail(im, NPU_E_PARSE, "input has %d features, the weights %lld", k,
			       (long long)kdim);
	if (mdim < 1 || mdim > (1 << 20))
		return ox_fail(im, NPU_E_PARSE, "%lld output features", (long long)mdim);
	if ((st = out_quant(im, yq, &p.out)) != NPU_OK ||
	    (st = weight_zps(im, wq, (int)mdim, &zps)) != NPU_OK)
		return st;
	if (!trans_w) {
		/* [K, M] -> [M, K]: the library takes one row per output */
		if (!(wt = malloc(w->elems ? w->elems : 1))) {
			free(zps);
			return ox_fail(im, NPU_E_NOMEM, "out of memory");
		}
		for (int64_t r = 0; r < kdim; r++)
			for (int64_t c = 0; c < mdim; c++)
				wt[c * kdim + r] = ((const uint8_t *)w->data)[r * mdim + c];
	}
	p.name = im->vals[out].name;
	p.units = (int)mdim;
	set_act(act, lo, hi, &p.act, &p.clip_min, &p.clip_max);
	p.weights.type = ox_npu_type(w->dtype);
	p.weights.layout = NPU_OIHW;	/* a flattened input is read in C, H, W order */
	p.weights.data = wt ? wt : w->data;
	p.weights.scales = yq ? wq->scale : &one_scale;
	p.weights.n_scales = yq ? wq->n : 1;
	p.weights.zero_points = zps;
	p.weights.n_zero_points = zps ? (int)mdim : 0;
	p.weights.bias = bias ? bias->data : NULL;
	st = npu_net_add_fc(im->net, tid, &p, &id);
	free(wt);
	free(zps);
	if (st != NPU_OK)
		return ox_api_fail(im, st);
	dims[0] = im->net->tensors[id].dims[0];
	dims[1] = mdim;
	ox_set_tensor(im, out, id, 2, dims);
	im->vals[out].own = 1;
	return NPU_OK;
}

/* ---- QOperator handlers ---- */

npu_status ox_op_qlinearconv(struct ox_imp *im)
{
	struct ox_qarg x;
	struct ox_quant wq, yq;
	const struct ox_const *w, *b = NULL;
	npu_status st;

	if ((st = ox_arity(im, 8, 9, 1)) != NPU_OK ||
	    (st = ox_const_in(im, 3, "w", &w)) != NPU_OK)
		return st;
	if (w->rank != 4)
		return ox_fail(im, NPU_E_UNSUPPORTED, "weights of rank %d (4 is run)", w->rank);
	x.v = ox_in(im, 0);
	if ((st = ox_quant_in(im, 1, 2, -1, 0, "x", &x.q)) != NPU_OK ||
	    (st = ox_quant_in(im, 4, 5, 0, (int)w->dims[0], "w", &wq)) != NPU_OK ||
	    (st = ox_quant_in(im, 6, 7, -1, 0, "y", &yq)) != NPU_OK)
		return st;
	if (ox_in(im, 8) >= 0 && (st = ox_const_in(im, 8, "B", &b)) != NPU_OK)
		return st;
	return ox_emit_conv(im, im->node, &x, w, &wq, b, &yq, NPU_ACT_NONE, 0, 0, ox_out(im, 0));
}

/* Zero point input k of ConvInteger / MatMulInteger: a quantization without scales. */
static npu_status zp_only(struct ox_imp *im, int k, int axis, int axis_len, int dtype,
			  const char *what, struct ox_quant *q)
{
	const struct ox_const *z = NULL;
	npu_status st;

	memset(q, 0, sizeof(*q));
	q->axis = -1;
	q->n = 1;
	q->type = ox_npu_type(dtype);
	if (ox_in(im, k) < 0)
		return NPU_OK;
	if ((st = ox_const_in(im, k, what, &z)) != NPU_OK)
		return st;
	if (z->dtype != dtype)
		return ox_fail(im, NPU_E_PARSE, "%s is %s, its tensor %s", what,
			       ox_dtype_name(z->dtype), ox_dtype_name(dtype));
	if (z->elems != 1 && (axis < 0 || (int64_t)z->elems != axis_len))
		return ox_fail(im, NPU_E_UNSUPPORTED, "%s has %zu values", what, z->elems);
	q->zp = z;
	q->n = (int)z->elems;
	q->axis = z->elems > 1 ? axis : -1;
	return NPU_OK;
}

/* x of ConvInteger/MatMulInteger keeps its tensor's scale: only the zero point is stated. */
static npu_status integer_x(struct ox_imp *im, int k, struct ox_qarg *x)
{
	const struct ox_value *v;
	struct ox_const *c;
	npu_status st;
	int tid;

	x->v = ox_in(im, 0);
	v = &im->vals[x->v];
	if ((st = ox_canon_of(im, x->v, &tid)) != NPU_OK)
		return st;
	if (im->net->tensors[tid].type == NPU_FLOAT32 || im->net->tensors[tid].type == NPU_INT32)
		return ox_fail(im, NPU_E_PARSE, "input '%s' must be int8 or uint8", v->name);
	if ((st = zp_only(im, k, -1, 0, im->net->tensors[tid].type == NPU_UINT8 ? OX_UINT8
										 : OX_INT8,
			  "x_zero_point", &x->q)) != NPU_OK)
		return st;
	/* keep the tensor's scale: integer ops do not state one */
	if ((st = ox_new_const(im, &c)) != NPU_OK)
		return st;
	c->dtype = OX_FLOAT;
	c->elems = 1;
	if (!(c->owned = malloc(sizeof(float))))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	*(float *)c->owned = im->net->tensors[tid].scale;
	c->data = c->owned;
	x->q.scale = c->data;
	return NPU_OK;
}

npu_status ox_op_convinteger(struct ox_imp *im)
{
	static const float one = 1.0f;
	const struct ox_const *w;
	struct ox_quant wq;
	struct ox_qarg x;
	npu_status st;

	if ((st = ox_arity(im, 2, 4, 1)) != NPU_OK ||
	    (st = ox_const_in(im, 1, "w", &w)) != NPU_OK)
		return st;
	if (w->rank != 4)
		return ox_fail(im, NPU_E_UNSUPPORTED, "weights of rank %d (4 is run)", w->rank);
	if ((st = integer_x(im, 2, &x)) != NPU_OK ||
	    (st = zp_only(im, 3, 0, (int)w->dims[0], w->dtype, "w_zero_point", &wq)) != NPU_OK)
		return st;
	wq.scale = &one;
	return ox_emit_conv(im, im->node, &x, w, &wq, NULL, NULL, NPU_ACT_NONE, 0, 0,
			    ox_out(im, 0));
}

npu_status ox_op_qlinearmatmul(struct ox_imp *im)
{
	struct ox_qarg x;
	struct ox_quant wq, yq;
	const struct ox_const *w;
	npu_status st;

	if ((st = ox_arity(im, 8, 8, 1)) != NPU_OK ||
	    (st = ox_const_in(im, 3, "b", &w)) != NPU_OK)
		return st;
	if (w->rank != 2)
		return ox_fail(im, NPU_E_UNSUPPORTED, "b of rank %d (a constant matrix is run)",
			       w->rank);
	x.v = ox_in(im, 0);
	if ((st = ox_quant_in(im, 1, 2, -1, 0, "a", &x.q)) != NPU_OK ||
	    (st = ox_quant_in(im, 4, 5, 1, (int)w->dims[1], "b", &wq)) != NPU_OK ||
	    (st = ox_quant_in(im, 6, 7, -1, 0, "y", &yq)) != NPU_OK)
		return st;
	return ox_emit_fc(im, &x, w, &wq, 0, NULL, &yq, NPU_ACT_NONE, 0, 0, ox_out(im, 0));
}

npu_status ox_op_matmulinteger(struct ox_imp *im)
{
	static const float one = 1.0f;
	const struct ox_const *w;
	struct ox_quant wq;
	struct ox_qarg x;
	npu_status st;

	if ((st = ox_arity(im, 2, 4, 1)) != NPU_OK ||
	    (st = ox_const_in(im, 1, "B", &w)) != NPU_OK)
		return st;
	if (w->rank != 2)
		return ox_fail(im, NPU_E_UNSUPPORTED, "B of rank %d (a constant matrix is run)",
			       w->rank);
	if ((st = integer_x(im, 2, &x)) != NPU_OK ||
	    (st = zp_only(im, 3, 1, (int)w->dims[1], w->dtype, "b_zero_point", &wq)) != NPU_OK)
		return st;
	wq.scale = &one;
	return ox_emit_fc(im, &x, w, &wq, 0, NULL, NULL, NPU_ACT_NONE, 0, 0, ox_out(im, 0));
}

/*
 * com.microsoft QGemm. ONNX Runtime's multiplier is fl(fl(fl(alpha * a_scale)
 * * b_scale) / y_scale) (ORT_ARITHMETIC.md section 1): the input is labelled
 * with fl(alpha * a_scale), which makes the FC's mode-B multiplier exactly
 * that. Without y_scale the output is float: int32 accumulators (C added)
 * times fl(fl(alpha * a_scale) * b_scale[n]), a per-column dequantization.
 */
npu_status ox_op_qgemm(struct ox_imp *im)
{
	static const char *const known[] = { "alpha", "transA", "transB", NULL };
	const struct ox_const *w, *c = NULL;
	struct ox_quant wq, yq;
	struct ox_qarg x;
	int64_t ta, tb;
	float alpha, as;
	npu_status st;
	int y = ox_out(im, 0), tid, id, i;

	if ((st = ox_arity(im, 6, 9, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK ||
	    (st = ox_attr_int(im, "transA", 0, &ta)) != NPU_OK ||
	    (st = ox_attr_int(im, "transB", 0, &tb)) != NPU_OK ||
	    (st = ox_attr_float(im, "alpha", 1.0f, &alpha)) != NPU_OK ||
	    (st = ox_const_in(im, 3, "B", &w)) != NPU_OK)
		return st;
	if (ta)
		return ox_fail(im, NPU_E_UNSUPPORTED, "transA = 1");
	if (!(alpha > 0.0f) || !isfinite(alpha))
		return ox_fail(im, NPU_E_UNSUPPORTED, "alpha = %g (finite and > 0 is run)", alpha);
	if (w->rank != 2)
		return ox_fail(im, NPU_E_UNSUPPORTED, "B of rank %d", w->rank);
	x.v = ox_in(im, 0);
	if ((st = ox_quant_in(im, 1, 2, -1, 0, "A", &x.q)) != NPU_OK ||
	    (st = ox_quant_in(im, 4, 5, tb ? 0 : 1, (int)w->dims[tb ? 0 : 1], "B", &wq)))
		return st;
	if (ox_in(im, 6) >= 0 && (st = ox_const_in(im, 6, "C", &c)) != NPU_OK)
		return st;
	as = alpha * x.q.scale[0];
	if (alpha != 1.0f && (st = ox_const_floats(im, &as, 1, &x.q.scale)) != NPU_OK)
		return st;
	if (ox_in(im, 7) >= 0) {
		if ((st = ox_quant_in(im, 7, 8, -1, 0, "y", &yq)) != NPU_OK)
			return st;
		return ox_emit_fc(im, &x, w, &wq, (int)tb, c, &yq, NPU_ACT_NONE, 0, 0, y);
	} else {
		int m = (int)w->dims[tb ? 0 : 1];
		float *mult = malloc((size_t)m * sizeof(float));
		char buf[256];

		if (!mult)
			return ox_fail(im, NPU_E_NOMEM, "out of memory");
		/* int32 accumulators into y, then the float scaling into y's own tensor */
		st = ox_emit_fc(im, &x, w, &wq, (int)tb, c, NULL, NPU_ACT_NONE, 0, 0, y);
		for (i = 0; i < m && st == NPU_OK; i++)
			mult[i] = as * wq.scale[wq.n == 1 ? 0 : i];
		if (st == NPU_OK) {
			tid = im->vals[y].tid;
			/* the accumulators give up the value's name to the float result */
			st = npu_net_add_dequantize_ch(im->net, ox_tensor_name(im, im->vals[y].name,
									       "f", buf, sizeof(buf)),
						       tid, mult, NULL, wq.n == 1 ? 1 : m, &id);
			if (st != NPU_OK)
				st = ox_api_fail(im, st);
			else
				ox_set_tensor(im, y, id, 2, im->vals[y].dims);
		}
		free(mult);
		return st;
	}
}
