/* SPDX-License-Identifier: MIT */
/*
 * The QDQ form: float ops whose inputs are DequantizeLinear outputs and
 * whose output goes (through at most a Relu or Clip) to a QuantizeLinear.
 * ONNX Runtime's QDQ transformer fuses such a node group into the
 * QOperator kernel (DQ -> Conv -> Q into QLinearConv, Gemm into QGemm,
 * MatMul into QLinearMatMul, Add into QLinearAdd, the pools, Concat and
 * Sigmoid into their QLinear ops), and removes a Relu or Clip before the
 * Q (ReluQuantFusion, ClipQuantFusion) when the Q's range already implies
 * it. The importer does the same: the float op is recorded as pending and
 * built, with the Q's quantization, when the Q is reached; a Relu or Clip
 * in between becomes the layer's clamp. Relu and Clip elsewhere clamp the
 * 8-bit tensor (fused into the conv, FC or add that produced it when
 * nothing else reads it).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_ops.h"

const char *ox_pending_op(const struct ox_pending *p)
{
	static const char *const names[] = { "Conv", "Gemm", "MatMul", "Add", "AveragePool",
					     "GlobalAveragePool", "Concat", "Sigmoid" };

	return p ? names[p->kind] : "float op";
}

/* Input k of the float op must be a dequantized tensor (or constant when want_const). */
static npu_status dq_input(struct ox_imp *im, int k, int want_const, const char *what)
{
	const struct ox_value *x = &im->vals[ox_in(im, k)];

	if (want_const && x->kind == OX_CONST && x->dq)
		return NPU_OK;
	if (!want_const && x->kind == OX_TENSOR && x->dq)
		return NPU_OK;
	return ox_fail(im, NPU_E_UNSUPPORTED, "%s '%s' is not the output of a DequantizeLinear%s;"
		       " the importer runs quantized graphs (QOperator or QDQ), not float ones",
		       what, x->name, want_const ? " of an initializer" : "");
}

npu_status ox_qdq_float_op(struct ox_imp *im, enum ox_pkind kind)
{
	const Onnx__NodeProto *n = im->node;
	struct ox_pending *p;
	npu_status st = NPU_OK;
	int k, y = ox_out(im, 0);

	for (k = 0; k < (int)n->n_input && st == NPU_OK; k++) {
		if (ox_in(im, k) < 0)
			continue;
		switch (kind) {
		case PK_CONV:
		case PK_GEMM:
		case PK_MATMUL:
			st = dq_input(im, k, k > 0, k == 0 ? "input" : k == 1 ? "weight" : "bias");
			break;
		default:
			st = dq_input(im, k, 0, "input");
			break;
		}
	}
	if (st != NPU_OK)
		return st;
	p = calloc(1, sizeof(*p) + n->n_input * sizeof(int));
	if (!p)
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	p->kind = kind;
	p->node = n;
	p->act = NPU_ACT_NONE;
	p->n_in = (int)n->n_input;
	for (k = 0; k < p->n_in; k++)
		p->in[k] = ox_in(im, k);
	im->vals[y].kind = OX_PENDING;
	im->vals[y].pend = p;
	return NPU_OK;
}

/* ---- the float ops ---- */

npu_status ox_op_conv(struct ox_imp *im)
{
	static const char *const known[] = { "auto_pad", "dilations", "group", "kernel_shape",
					     "pads", "strides", NULL };
	npu_status st;

	if ((st = ox_arity(im, 2, 3, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK)
		return st;
	return ox_qdq_float_op(im, PK_CONV);
}

npu_status ox_op_gemm(struct ox_imp *im)
{
	static const char *const known[] = { "alpha", "beta", "transA", "transB", NULL };
	float alpha, beta;
	int64_t ta;
	npu_status st;

	if ((st = ox_arity(im, 2, 3, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK ||
	    (st = ox_attr_float(im, "alpha", 1.0f, &alpha)) != NPU_OK ||
	    (st = ox_attr_float(im, "beta", 1.0f, &beta)) != NPU_OK ||
	    (st = ox_attr_int(im, "transA", 0, &ta)) != NPU_OK)
		return st;
	if (alpha != 1.0f || beta != 1.0f || ta)
		return ox_fail(im, NPU_E_UNSUPPORTED, "alpha %g, beta %g, transA %lld (1, 1 and 0 "
			       "are run)", alpha, beta, (long long)ta);
	return ox_qdq_float_op(im, PK_GEMM);
}

npu_status ox_op_matmul(struct ox_imp *im)
{
	npu_status st;

	if ((st = ox_arity(im, 2, 2, 1)) != NPU_OK)
		return st;
	return ox_qdq_float_op(im, PK_MATMUL);
}

npu_status ox_op_add(struct ox_imp *im)
{
	npu_status st;

	if ((st = ox_arity(im, 2, 2, 1)) != NPU_OK)
		return st;
	return ox_qdq_float_op(im, PK_ADD);
}

npu_status ox_op_averagepool(struct ox_imp *im)
{
	static const char *const known[] = { "auto_pad", "ceil_mode", "count_include_pad",
					     "dilations", "kernel_shape", "pads", "strides", NULL };
	npu_status st;

	if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK)
		return st;
	return ox_qdq_float_op(im, PK_AVGPOOL);
}

npu_status ox_op_globalaveragepool(struct ox_imp *im)
{
	static const char *const known[] = { NULL };
	npu_status st;

	if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK)
		return st;
	return ox_qdq_float_op(im, PK_GAP);
}

npu_status ox_op_concat(struct ox_imp *im)
{
	static const char *const known[] = { "axis", NULL };
	npu_status st;

	if ((st = ox_arity(im, 1, 1 << 16, 1)) != NPU_OK || (st = ox_attr_only(im, known)))
		return st;
	for (size_t i = 0; i < im->node->n_input; i++)
		if (ox_in(im, (int)i) < 0)
			return ox_fail(im, NPU_E_PARSE, "input %zu is empty", i);
	return ox_qdq_float_op(im, PK_CONCAT);
}

npu_status ox_op_sigmoid(struct ox_imp *im)
{
	npu_status st;

	if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK)
		return st;
	return ox_qdq_float_op(im, PK_SIGMOID);
}

/* ---- Relu and Clip ---- */

/*
 * Clamps the 8-bit tensor of value x to [lo, hi] into value y: fused into
 * the conv, FC or add that made it when y is its only reader, else a
 * clamp layer. y keeps x's dequantization.
 */
static npu_status clamp_tensor(struct ox_imp *im, int x, int lo, int hi, int y)
{
	const struct ox_value *xv = &im->vals[x];
	char buf[256];
	npu_status st;
	int tid, id;

	if (xv->own && xv->uses == 1 && ox_is_canonical(xv) &&
	    npu_net_fuse_clamp(im->net, xv->tid, lo, hi)) {
		ox_copy_value(im, y, x);
		return NPU_OK;
	}
	if ((st = ox_canon_of(im, x, &tid)) != NPU_OK)
		return st;
	st = npu_net_add_clamp(im->net, ox_tensor_name(im, im->vals[y].name, "q", buf,
						       sizeof(buf)), tid, lo, hi, &id);
	if (st != NPU_OK)
		return ox_api_fail(im, st);
	ox_copy_value(im, y, x);
	ox_set_tensor(im, y, id, xv->rank, xv->dims);
	im->vals[y].dq = xv->dq;
	im->vals[y].q = xv->q;
	return NPU_OK;
}

/* A real bound quantized as QuantizeLinear would (rne(v / scale) + zp, saturated). */
static int quantize_bound(const struct ox_quant *q, float v)
{
	return npu_ort_quantize_value(v, q->scale[0], ox_quant_zp(q, 0), q->type);
}

/* Relu (lo = 0, hi = +inf) or Clip on input 0 of the current node into output 0. */
static npu_status activation(struct ox_imp *im, float lo, float hi, int raw_lo, int raw_hi)
{
	int x = ox_in(im, 0), y = ox_out(im, 0);
	struct ox_value *xv = &im->vals[x];
	const struct npu_tensor *t;
	int relu = lo == 0.0f && isinf(hi);

	if (xv->kind == OX_PENDING) {
		struct ox_pending *p = xv->pend;

		if (p->kind != PK_CONV && p->kind != PK_GEMM && p->kind != PK_MATMUL &&
		    p->kind != PK_ADD)
			return ox_fail(im, NPU_E_UNSUPPORTED, "an activation after a %s in a QDQ "
				       "group", ox_pending_op(p));
		if (xv->uses != 1)
			return ox_fail(im, NPU_E_UNSUPPORTED, "the %s output '%s' is read before "
				       "its activation too", ox_pending_op(p), xv->name);
		if (p->act != NPU_ACT_NONE) {
			lo = fmaxf(lo, p->act == NPU_ACT_CLIP ? p->clip_min : 0.0f);
			hi = fminf(hi, p->act == NPU_ACT_CLIP ? p->clip_max : INFINITY);
			relu = 0;
		}
		p->act = relu ? NPU_ACT_RELU : NPU_ACT_CLIP;
		p->clip_min = lo;
		p->clip_max = hi;
		xv->pend = NULL;
		im->vals[y].kind = OX_PENDING;
		im->vals[y].pend = p;
		return NPU_OK;
	}
	if (xv->kind != OX_TENSOR)
		return ox_fail(im, NPU_E_UNSUPPORTED, "activation of '%s', which is not a tensor",
			       xv->name);
	t = &im->net->tensors[xv->tid];
	if (xv->dq) {
		if (xv->q.n != 1)
			return ox_fail(im, NPU_E_UNSUPPORTED, "per-channel dequantized input");
		return clamp_tensor(im, x, quantize_bound(&xv->q, lo),
				    isinf(hi) ? npu_type_max(xv->q.type) : quantize_bound(&xv->q, hi),
				    y);
	}
	if (t->type == NPU_INT8 || t->type == NPU_UINT8)
		/* ONNX on an 8-bit tensor: the raw integers are clamped */
		return clamp_tensor(im, x, raw_lo < npu_type_min(t->type) ? npu_type_min(t->type)
									   : raw_lo,
				    raw_hi > npu_type_max(t->type) ? npu_type_max(t->type) : raw_hi,
				    y);
	return ox_fail(im, NPU_E_UNSUPPORTED, "activation of the %s tensor '%s' (quantized "
		       "graphs are run)", npu_type_name(t->type), xv->name);
}

npu_status ox_op_relu(struct ox_imp *im)
{
	static const char *const known[] = { NULL };
	npu_status st;

	if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK)
		return st;
	return activation(im, 0.0f, INFINITY, 0, 255);
}

/* Clip bound input k: a one-element constant, float or (on 8-bit tensors) integer. */
static npu_status clip_bound(struct ox_imp *im, int k, float *f, int *raw)
{
	const struct ox_const *c;
	npu_status st;

	if (ox_in(im, k) < 0)
		return NPU_OK;
	if ((st = ox_const_in(im, k, k == 1 ? "min" : "max", &c)) != NPU_OK)
		return st;
	if (c->elems != 1)
		return ox_fail(im, NPU_E_PARSE, "Clip bound has %zu values", c->elems);
	if (c->dtype == OX_FLOAT) {
		*f = ((const float *)c->data)[0];
		*raw = (int)fmaxf(fminf(*f, 1e6f), -1e6f);
	} else if (c->dtype == OX_INT8 || c->dtype == OX_UINT8) {
		*raw = ox_const_int(c, 0);
		*f = (float)*raw;
	} else {
		return ox_fail(im, NPU_E_UNSUPPORTED, "Clip bound of type %s",
			       ox_dtype_name(c->dtype));
	}
	return NPU_OK;
}

npu_status ox_op_clip(struct ox_imp *im)
{
	static const char *const known11[] = { NULL };
	static const char *const known6[] = { "min", "max", NULL };
	float lo = -INFINITY, hi = INFINITY;
	int raw_lo = -1000, raw_hi = 1000;
	npu_status st;

	if (im->opset < 11) {
		if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK ||
		    (st = ox_attr_only(im, known6)) != NPU_OK ||
		    (st = ox_attr_float(im, "min", -INFINITY, &lo)) != NPU_OK ||
		    (st = ox_attr_float(im, "max", INFINITY, &hi)) != NPU_OK)
			return st;
		raw_lo = isinf(lo) ? -1000 : (int)fmaxf(lo, -1e6f);
		raw_hi = isinf(hi) ? 1000 : (int)fminf(hi, 1e6f);
	} else if ((st = ox_arity(im, 1, 3, 1)) != NPU_OK ||
		   (st = ox_attr_only(im, known11)) != NPU_OK ||
		   (st = clip_bound(im, 1, &lo, &raw_lo)) != NPU_OK ||
		   (st = clip_bound(im, 2, &hi, &raw_hi)) != NPU_OK) {
		return st;
	}
	if (isnan(lo) || isnan(hi) || lo > hi)
		return ox_fail(im, NPU_E_INVAL, "Clip bounds [%g, %g]", lo, hi);
	return activation(im, lo, hi, raw_lo, raw_hi);
}

/* ---- the Q that closes a group ---- */

/*
 * A group whose DequantizeLinear input and QuantizeLinear output differ in
 * type (int8 vs uint8: one pair made uint8 by ORT's x86 rule, the other
 * not). ORT leaves it unfused and runs it in float; here it is computed in
 * the input's type with the output zero point moved by 128, and then
 * dequantized and quantized into the output's type, which gives the same
 * bytes (k * scale / scale rounds back to k). *qo is the quantization to
 * compute with; 1 when the output must be converted (retype()).
 */
static int mixed_types(struct ox_imp *im, enum npu_type in, const struct ox_quant *yq,
		       struct ox_quant *qo)
{
	int zp = ox_quant_zp(yq, 0) + (in == NPU_INT8 ? -128 : 128);
	struct ox_const *c;

	*qo = *yq;
	if (yq->type == in || yq->n != 1 || zp < npu_type_min(in) || zp > npu_type_max(in) ||
	    ox_new_const(im, &c) != NPU_OK || !(c->owned = malloc(4)))
		return 0;
	*(int32_t *)c->owned = zp;
	c->dtype = OX_INT32;
	c->elems = 1;
	c->data = c->owned;
	qo->zp = c;
	qo->type = in;
	return 1;
}

static npu_status retype(struct ox_imp *im, int y, const struct ox_quant *qo,
			 const struct ox_quant *yq)
{
	struct ox_value *v = &im->vals[y];
	int32_t zi = ox_quant_zp(qo, 0), zo = ox_quant_zp(yq, 0);
	char buf[256];
	npu_status st;
	int f, id;

	st = npu_net_add_dequantize_ch(im->net, ox_tensor_name(im, v->name, "f", buf, sizeof(buf)),
				       v->tid, qo->scale, &zi, 1, &f);
	if (st == NPU_OK)
		st = npu_net_add_quantize_ch(im->net, ox_tensor_name(im, v->name, "t", buf,
								     sizeof(buf)),
					     f, yq->type, yq->scale, &zo, 1, &id);
	if (st != NPU_OK)
		return ox_api_fail(im, st);
	ox_set_tensor(im, y, id, v->rank, v->dims);
	return NPU_OK;
}

static struct ox_qarg qarg(struct ox_imp *im, int v)
{
	struct ox_qarg a = { .v = v, .q = im->vals[v].q };

	return a;
}

npu_status ox_qdq_emit(struct ox_imp *im, int pv, const struct ox_quant *yq, int y)
{
	const struct ox_pending *p = im->vals[pv].pend;
	const Onnx__NodeProto *q_node = im->node;
	struct ox_qarg x, b, *xs;
	struct ox_quant qo;
	npu_status st;
	int64_t tb = 0;
	int i, mixed = 0;

	if (!p)
		return ox_fail(im, NPU_E_UNSUPPORTED, "'%s' was already consumed by an activation",
			       im->vals[pv].name);
	im->node = p->node;
	im->layer_node = p->node;
	x = qarg(im, p->in[0]);
	switch (p->kind) {
	case PK_CONV: {
		const struct ox_value *w = &im->vals[p->in[1]];
		const struct ox_value *bias = p->n_in > 2 && p->in[2] >= 0 ? &im->vals[p->in[2]]
									  : NULL;

		if (w->q.n > 1 && w->q.axis != 0)
			return ox_fail(im, NPU_E_UNSUPPORTED, "weights quantized along axis %d "
				       "(0, output channels, is run)", w->q.axis);
		st = ox_emit_conv(im, p->node, &x, w->c, &w->q, bias ? bias->c : NULL, yq,
				  p->act, p->clip_min, p->clip_max, y);
		break;
	}
	case PK_GEMM:
	case PK_MATMUL: {
		const struct ox_value *w = &im->vals[p->in[1]];
		const struct ox_value *c = p->n_in > 2 && p->in[2] >= 0 ? &im->vals[p->in[2]]
								       : NULL;

		if (p->kind == PK_GEMM && (st = ox_attr_int(im, "transB", 0, &tb)) != NPU_OK)
			return st;
		if (w->q.n > 1 && w->q.axis != (tb ? 0 : 1))
			return ox_fail(im, NPU_E_UNSUPPORTED, "weights quantized along axis %d "
				       "(the output axis, %d, is run)", w->q.axis, tb ? 0 : 1);
		if (c && c->rank == 2 && c->dims[0] != 1)
			return ox_fail(im, NPU_E_UNSUPPORTED, "a bias C of shape [%lld, %lld]",
				       (long long)c->dims[0], (long long)c->dims[1]);
		st = ox_emit_fc(im, &x, w->c, &w->q, (int)tb, c ? c->c : NULL, yq, p->act,
				p->clip_min, p->clip_max, y);
		break;
	}
	case PK_ADD:
		b = qarg(im, p->in[1]);
		st = ox_emit_add(im, &x, &b, yq, p->act, p->clip_min, p->clip_max, y);
		break;
	case PK_AVGPOOL:
	case PK_GAP:
		mixed = mixed_types(im, x.q.type, yq, &qo);
		st = ox_emit_avgpool(im, p->node, p->kind == PK_GAP, &x, &qo, y);
		break;
	case PK_SIGMOID:
		mixed = mixed_types(im, x.q.type, yq, &qo);
		st = ox_emit_sigmoid(im, &x, &qo, y);
		break;
	case PK_CONCAT:
		if (!(xs = calloc((size_t)p->n_in, sizeof(*xs))))
			return ox_fail(im, NPU_E_NOMEM, "out of memory");
		for (i = 0; i < p->n_in; i++)
			xs[i] = qarg(im, p->in[i]);
		mixed = mixed_types(im, xs[0].q.type, yq, &qo);
		st = ox_emit_concat(im, p->node, xs, p->n_in, &qo, y);
		free(xs);
		break;
	default:
		st = ox_fail(im, NPU_E_PARSE, "internal: pending kind %d", (int)p->kind);
	}
	if (st == NPU_OK && mixed)
		st = retype(im, y, &qo, yq);
	if (st == NPU_OK)
		im->node = q_node;
	return st;
}
