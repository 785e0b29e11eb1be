/* SPDX-License-Identifier: MIT */
/*
 * QuantizeLinear, DequantizeLinear and the quantized element-wise and
 * pooling ops of the QOperator form (com.microsoft QLinearAdd,
 * QLinearAveragePool, QLinearGlobalAveragePool, QLinearConcat,
 * QLinearSigmoid), with the builders their QDQ groups share.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_ops.h"

/* An axis attribute in [-rank, rank) made non-negative. */
static npu_status norm_axis(struct ox_imp *im, int64_t axis, int rank, int *out)
{
	if (axis < -rank || axis >= (rank ? rank : 1))
		return ox_fail(im, NPU_E_PARSE, "axis %lld for a rank-%d tensor", (long long)axis,
			       rank);
	*out = (int)(axis < 0 ? axis + rank : axis);
	return NPU_OK;
}

/* ---- QuantizeLinear / DequantizeLinear ---- */

/* The type QuantizeLinear produces without a zero point input (opset 21: output_dtype). */
static npu_status q_output_type(struct ox_imp *im, struct ox_quant *q)
{
	int64_t od;
	npu_status st;

	if ((st = ox_attr_int(im, "output_dtype", 0, &od)) != NPU_OK)
		return st;
	if (od && od != OX_INT8 && od != OX_UINT8)
		return ox_fail(im, NPU_E_UNSUPPORTED, "output_dtype %s (INT8 or UINT8 are run)",
			       ox_dtype_name((int)od));
	if (od && q->zp && ox_npu_type((int)od) != q->type)
		return ox_fail(im, NPU_E_PARSE, "output_dtype %s but the zero point is %s",
			       ox_dtype_name((int)od), npu_type_name(q->type));
	if (od)
		q->type = ox_npu_type((int)od);
	if (q->type != NPU_INT8 && q->type != NPU_UINT8)
		return ox_fail(im, NPU_E_UNSUPPORTED, "quantizing to %s (int8 or uint8 are run)",
			       npu_type_name(q->type));
	return NPU_OK;
}

/* QuantizeLinear of a constant, element by element, as the quantize layer computes it. */
static npu_status fold_quantize(struct ox_imp *im, int x, const struct ox_quant *q, int y)
{
	const struct ox_value *xv = &im->vals[x];
	const struct ox_const *c = xv->c;
	struct ox_const *r;
	size_t inner = 1, i;
	npu_status st;
	int d;

	if (c->dtype != OX_FLOAT)
		return ox_fail(im, NPU_E_PARSE, "QuantizeLinear of a %s constant",
			       ox_dtype_name(c->dtype));
	if ((st = ox_new_const(im, &r)) != NPU_OK)
		return st;
	*r = *c;
	r->dtype = q->type == NPU_INT8 ? OX_INT8 : OX_UINT8;
	if (!(r->owned = malloc(c->elems ? c->elems : 1)))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	r->data = r->owned;
	if (q->axis >= 0)
		for (d = q->axis + 1; d < c->rank; d++)
			inner *= (size_t)c->dims[d];
	for (i = 0; i < c->elems; i++) {
		int k = q->axis >= 0 ? (int)((i / inner) % (size_t)q->n) : 0;

		((uint8_t *)r->owned)[i] = (uint8_t)npu_ort_quantize_value(
			((const float *)c->data)[i], q->scale[k], ox_quant_zp(q, k), q->type);
	}
	im->vals[y].kind = OX_CONST;
	im->vals[y].c = r;
	im->vals[y].rank = r->rank;
	memcpy(im->vals[y].dims, r->dims, sizeof(r->dims));
	return NPU_OK;
}

/* A one-byte uint8 constant (a zero point the S8 -> U8 rule moved). */
static npu_status u8_const(struct ox_imp *im, int v, const struct ox_const **out)
{
	struct ox_const *c;
	npu_status st;

	if ((st = ox_new_const(im, &c)) != NPU_OK)
		return st;
	if (!(c->owned = malloc(1)))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	*(uint8_t *)c->owned = (uint8_t)v;
	c->dtype = OX_UINT8;
	c->elems = 1;
	c->data = c->owned;
	*out = c;
	return NPU_OK;
}

/* Value v as a constant, reading a Constant node ahead of its turn if need be. */
static const struct ox_const *peek_const(struct ox_imp *im, int v)
{
	const Onnx__NodeProto *saved = im->node;
	struct ox_value *x;

	if (v < 0)
		return NULL;
	x = &im->vals[v];
	if (x->kind == OX_UNSET && x->producer >= 0 &&
	    !strcmp(im->g->node[x->producer]->op_type ? im->g->node[x->producer]->op_type : "",
		    "Constant")) {
		im->node = im->g->node[x->producer];
		if (ox_constant_node(im, v) != NPU_OK)
			x->kind = OX_UNSET;
		im->node = saved;
	}
	return x->kind == OX_CONST ? x->c : NULL;
}

/*
 * ONNX Runtime on x86 first turns every int8 QuantizeLinear ->
 * DequantizeLinear pair into uint8 with the zero point + 128 (its
 * QDQS8ToU8Transformer, qdq_s8_to_u8.cc: both zero points constant int8
 * scalars of equal value, the Q read by that one DQ node only), and then
 * computes everything downstream in uint8 (groups whose types then differ,
 * or an int8 conv, stay float in ORT). The conv arithmetic does not
 * see it, but the float steps of add, pools and tables do (the zero point
 * enters in float), so the importer does the same. Returns 1 when the Q
 * producing y with q becomes uint8 (q changed, the DQ marked).
 */
static int s8_to_u8(struct ox_imp *im, int y, struct ox_quant *q)
{
	const struct ox_value *yv = &im->vals[y];
	const Onnx__NodeProto *dq;
	const struct ox_const *dz, *nz;
	const char *d;
	int zp, dqv;

	if (q->type != NPU_INT8 || !q->zp || q->n != 1 || im->node->n_input != 3 ||
	    yv->uses != 1 || yv->consumer < 0)
		return 0;
	dq = im->g->node[yv->consumer];
	d = dq->domain ? dq->domain : "";
	if (strcmp(dq->op_type ? dq->op_type : "", "DequantizeLinear") ||
	    (*d && strcmp(d, "ai.onnx") && strcmp(d, "com.microsoft")) || dq->n_input != 3 ||
	    !dq->input[2] || !*dq->input[2])
		return 0;
	/*
	 * ORT first gives every consumer of a shared DequantizeLinear its own
	 * copy (EnsureUniqueDQForNodeUnit); the Q then feeds several nodes and
	 * its pair stays int8. So the DQ must have one consumer too.
	 */
	dqv = dq->n_output ? ox_find(im, dq->output[0]) : -1;
	if (dqv < 0 || im->vals[dqv].uses != 1)
		return 0;
	dz = peek_const(im, ox_find(im, dq->input[2]));
	zp = ox_quant_zp(q, 0);
	if (!dz || dz->dtype != OX_INT8 || dz->elems != 1 || ox_const_int(dz, 0) != zp ||
	    u8_const(im, zp + 128, &nz) != NPU_OK)
		return 0;
	q->zp = nz;
	q->type = NPU_UINT8;
	im->s8u8[yv->consumer] = 1;
	return 1;
}

static int same_quant(const struct ox_quant *a, const struct ox_quant *b)
{
	return a->n == 1 && b->n == 1 && a->type == b->type && a->scale[0] == b->scale[0] &&
	       ox_quant_zp(a, 0) == ox_quant_zp(b, 0);
}

npu_status ox_op_quantize(struct ox_imp *im)
{
	static const char *const known[] = { "axis", "saturate", "block_size", "output_dtype",
					     NULL };
	struct ox_quant q;
	struct ox_value *xv;
	int64_t axis, block;
	int32_t *zps;
	int x, y, ax = 0, tid, id;
	npu_status st;

	if ((st = ox_arity(im, 2, 3, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK ||
	    (st = ox_attr_int(im, "axis", 1, &axis)) != NPU_OK ||
	    (st = ox_attr_int(im, "block_size", 0, &block)) != NPU_OK)
		return st;
	if (block)
		return ox_fail(im, NPU_E_UNSUPPORTED, "blocked quantization (block_size %lld)",
			       (long long)block);
	x = ox_in(im, 0);
	y = ox_out(im, 0);
	xv = &im->vals[x];
	/* the axis matters for per-axis scales only (a pending op has no rank yet) */
	if (xv->rank && (st = norm_axis(im, axis, xv->rank, &ax)) != NPU_OK)
		return st;
	if ((st = ox_quant_in(im, 1, 2, xv->rank ? ax : -1, xv->rank ? (int)xv->dims[ax] : 0,
			      "y", &q)) != NPU_OK || (st = q_output_type(im, &q)) != NPU_OK)
		return st;
	if (xv->kind == OX_CONST)
		return fold_quantize(im, x, &q, y);
	s8_to_u8(im, y, &q);
	if (xv->kind == OX_PENDING)
		return ox_qdq_emit(im, x, &q, y);
	if (xv->kind == OX_TENSOR && xv->dq && same_quant(&xv->q, &q)) {
		/* DQ -> Q with the same parameters: the 8-bit tensor itself */
		ox_copy_value(im, y, x);
		im->vals[y].dq = 0;
		im->vals[y].fmat = -1;
		return NPU_OK;
	}
	if ((st = ox_tensor_of(im, x, &tid)) != NPU_OK)
		return st;
	if (im->net->tensors[tid].type != NPU_FLOAT32)
		return ox_fail(im, NPU_E_PARSE, "QuantizeLinear of '%s', which is %s", xv->name,
			       npu_type_name(im->net->tensors[tid].type));
	if (q.n != 1 && !(q.axis == 1 && (xv->rank == 4 || xv->rank == 2)))
		return ox_fail(im, NPU_E_UNSUPPORTED, "per-axis quantization along axis %d of an "
			       "activation (axis 1, channels, is run)", q.axis);
	if (!(zps = malloc((size_t)q.n * sizeof(*zps))))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	for (int i = 0; i < q.n; i++)
		zps[i] = ox_quant_zp(&q, i);
	st = npu_net_add_quantize_ch(im->net, im->vals[y].name, tid, q.type, q.scale, zps, q.n,
				     &id);
	free(zps);
	if (st != NPU_OK)
		return ox_api_fail(im, st);
	ox_set_tensor(im, y, id, xv->rank, xv->dims);
	return NPU_OK;
}

npu_status ox_op_dequantize(struct ox_imp *im)
{
	static const char *const known[] = { "axis", "block_size", NULL };
	struct ox_value *xv;
	struct ox_quant q;
	int64_t axis, block;
	int x, y, ax = 0;
	enum npu_type xtype;
	npu_status st;

	if ((st = ox_arity(im, 2, 3, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK ||
	    (st = ox_attr_int(im, "axis", 1, &axis)) != NPU_OK ||
	    (st = ox_attr_int(im, "block_size", 0, &block)) != NPU_OK)
		return st;
	if (block)
		return ox_fail(im, NPU_E_UNSUPPORTED, "blocked quantization (block_size %lld)",
			       (long long)block);
	x = ox_in(im, 0);
	y = ox_out(im, 0);
	xv = &im->vals[x];
	if (xv->rank && (st = norm_axis(im, axis, xv->rank, &ax)) != NPU_OK)
		return st;
	if ((st = ox_quant_in(im, 1, 2, xv->rank ? ax : -1, xv->rank ? (int)xv->dims[ax] : 0,
			      "x", &q)) != NPU_OK)
		return st;
	if (xv->kind == OX_CONST) {
		xtype = ox_npu_type(xv->c->dtype);
	} else if (xv->kind == OX_TENSOR && !xv->dq) {
		xtype = im->net->tensors[xv->tid].type;
	} else {
		return ox_fail(im, NPU_E_UNSUPPORTED, "DequantizeLinear of '%s', which is not a "
			       "quantized tensor", xv->name);
	}
	if (xtype == NPU_FLOAT32)
		return ox_fail(im, NPU_E_PARSE, "DequantizeLinear of a float tensor");
	if (im->s8u8[im->node_idx] && q.zp && xtype == NPU_UINT8 &&
	    (st = u8_const(im, ox_quant_zp(&q, 0) + 128, &q.zp)) != NPU_OK)
		return st;	/* the pair made uint8 by its QuantizeLinear */
	if (q.zp && ox_npu_type(q.zp->dtype) != xtype)
		return ox_fail(im, NPU_E_PARSE, "'%s' is %s but its zero point is %s", xv->name,
			       npu_type_name(xtype), ox_dtype_name(q.zp->dtype));
	q.type = xtype;
	ox_copy_value(im, y, x);
	im->vals[y].dq = 1;
	im->vals[y].q = q;
	im->vals[y].fmat = -1;
	if (xtype == NPU_INT32 && xv->kind == OX_TENSOR) {
		/* accumulators (ConvInteger, MatMulInteger) have no 8-bit consumer: float now */
		int tid;

		return ox_tensor_of(im, y, &tid);
	}
	return NPU_OK;
}

/* ---- the element-wise and pooling builders ---- */

static npu_status out_quant(struct ox_imp *im, const struct ox_quant *yq,
			    struct npu_out_quant *o)
{
	if (yq->n != 1)
		return ox_fail(im, NPU_E_UNSUPPORTED, "per-channel output quantization");
	o->type = yq->type;
	o->scale = yq->scale[0];
	o->zero_point = ox_quant_zp(yq, 0);
	return NPU_OK;
}

npu_status ox_emit_add(struct ox_imp *im, const struct ox_qarg *a, const struct ox_qarg *b,
		       const struct ox_quant *yq, enum npu_act act, float lo, float hi, int out)
{
	const struct ox_value *av = &im->vals[a->v], *bv = &im->vals[b->v];
	struct npu_add_params p = { .requant = NPU_REQUANT_ONNX, .act = act,
				    .clip_min = lo, .clip_max = hi };
	int ta, tb, id;
	npu_status st;

	/* same shapes, or B one value per channel of an NCHW A ([1, C, 1, 1] or [C, 1, 1]) */
	int per_c = av->rank == 4 && bv->dims[bv->rank - 1] == 1 && bv->dims[bv->rank - 2] == 1 &&
		    ((bv->rank == 4 && bv->dims[0] == 1 && bv->dims[1] == av->dims[1]) ||
		     (bv->rank == 3 && bv->dims[0] == av->dims[1]));

	if ((av->rank != bv->rank ||
	     memcmp(av->dims, bv->dims, (size_t)av->rank * sizeof(int64_t))) && !per_c)
		return ox_fail(im, NPU_E_UNSUPPORTED, "inputs '%s' and '%s' differ in shape "
			       "(broadcasting other than one value per channel of B is not run)",
			       av->name, bv->name);
	if ((st = out_quant(im, yq, &p.out)) != NPU_OK ||
	    (st = ox_q8_of(im, a->v, &a->q, &ta)) != NPU_OK ||
	    (st = ox_q8_of(im, b->v, &b->q, &tb)) != NPU_OK)
		return st;
	p.name = im->vals[out].name;
	if ((st = npu_net_add_add(im->net, ta, tb, &p, &id)) != NPU_OK)
		return ox_api_fail(im, st);
	ox_set_tensor(im, out, id, av->rank, av->dims);
	im->vals[out].own = 1;
	return NPU_OK;
}

npu_status ox_pool_attrs(struct ox_imp *im, int in_h, int in_w, int allow_dil,
			 struct ox_pool_geom *g)
{
	int64_t v[4], cm, cip;
	int n, i, in[2] = { in_h, in_w }, k[2], s[2], d[2];
	npu_status st;

	memset(g, 0, sizeof(*g));
	if ((st = ox_attr_ints(im, "kernel_shape", 2, v, &n)) != NPU_OK)
		return st;
	if (n != 2 || v[0] < 1 || v[1] < 1 || v[0] > 4096 || v[1] > 4096)
		return ox_fail(im, NPU_E_PARSE, "kernel_shape must be 2 values in 1..4096");
	k[0] = (int)v[0];
	k[1] = (int)v[1];
	s[0] = s[1] = d[0] = d[1] = 1;
	if ((st = ox_attr_ints(im, "strides", 2, v, &n)) != NPU_OK)
		return st;
	for (i = 0; i < n; i++) {
		if (n != 2 || v[i] < 1 || v[i] > 4096)
			return ox_fail(im, NPU_E_PARSE, "strides must be 2 values in 1..4096");
		s[i] = (int)v[i];
	}
	if ((st = ox_attr_ints(im, "dilations", 2, v, &n)) != NPU_OK)
		return st;
	for (i = 0; i < n; i++) {
		if (n != 2 || v[i] < 1 || v[i] > 4096)
			return ox_fail(im, NPU_E_PARSE, "dilations must be 2 values in 1..4096");
		if (!allow_dil && v[i] != 1)
			return ox_fail(im, NPU_E_UNSUPPORTED, "dilations in this op or opset");
		d[i] = (int)v[i];
	}
	if ((st = ox_attr_ints(im, "pads", 4, v, &n)) != NPU_OK)
		return st;
	if (n && n != 4)
		return ox_fail(im, NPU_E_PARSE, "pads must have 4 values");
	for (i = 0; i < n; i++) {
		if (v[i] < 0 || v[i] > 4096)
			return ox_fail(im, NPU_E_PARSE, "pad %lld", (long long)v[i]);
		g->pads[i] = (int)v[i];
	}
	/* ONNX Runtime's pools size SAME padding with the undilated kernel */
	if ((st = ox_auto_pads(im, in, k, s, (const int[2]){ 1, 1 }, g->pads)) != NPU_OK ||
	    (st = ox_attr_int(im, "ceil_mode", 0, &cm)) != NPU_OK ||
	    (st = ox_attr_int(im, "count_include_pad", 0, &cip)) != NPU_OK)
		return st;
	g->kh = k[0];
	g->kw = k[1];
	g->sh = s[0];
	g->sw = s[1];
	g->dh = d[0];
	g->dw = d[1];
	g->ceil_mode = cm != 0;
	g->count_include_pad = cip != 0;
	return NPU_OK;
}

void ox_pool_params(const struct ox_pool_geom *g, struct npu_pool_params *p)
{
	p->kernel_h = g->kh;
	p->kernel_w = g->kw;
	p->stride_h = g->sh;
	p->stride_w = g->sw;
	p->dilation_h = g->dh;
	p->dilation_w = g->dw;
	p->pad_top = g->pads[0];
	p->pad_left = g->pads[1];
	p->pad_bottom = g->pads[2];
	p->pad_right = g->pads[3];
	p->ceil_mode = g->ceil_mode;
	p->count_include_pad = g->count_include_pad;
}

npu_status ox_emit_avgpool(struct ox_imp *im, const Onnx__NodeProto *pool, int global,
			   const struct ox_qarg *x, const struct ox_quant *yq, int out)
{
	const Onnx__NodeProto *saved = im->node;
	struct npu_pool_params p = { .requant = NPU_REQUANT_ONNX };
	const struct ox_value *xv = &im->vals[x->v];
	const struct npu_tensor *t;
	struct ox_pool_geom g;
	int64_t dims[4];
	npu_status st;
	int tid, id;

	im->node = pool;
	if (xv->rank != 4)
		return ox_fail(im, NPU_E_UNSUPPORTED, "input '%s' has rank %d (NCHW is run)",
			       xv->name, xv->rank);
	if ((st = out_quant(im, yq, &p.out)) != NPU_OK ||
	    (st = ox_q8_of(im, x->v, &x->q, &tid)) != NPU_OK)
		return st;
	t = &im->net->tensors[tid];
	p.kind = global ? NPU_POOL_GLOBAL_AVG : NPU_POOL_AVG;
	if (!global) {
		if ((st = ox_pool_attrs(im, t->dims[1], t->dims[2], im->opset >= 19, &g)))
			return st;
		ox_pool_params(&g, &p);
	}
	p.name = im->vals[out].name;
	if ((st = npu_net_add_pool(im->net, tid, &p, &id)) != NPU_OK)
		return ox_api_fail(im, st);
	t = &im->net->tensors[id];
	dims[0] = t->dims[0];
	dims[1] = t->dims[3];
	dims[2] = t->dims[1];
	dims[3] = t->dims[2];
	ox_set_tensor(im, out, id, 4, dims);
	im->node = saved;
	return NPU_OK;
}

npu_status ox_emit_concat(struct ox_imp *im, const Onnx__NodeProto *concat,
			  const struct ox_qarg *xs, int n, const struct ox_quant *yq, int out)
{
	const Onnx__NodeProto *saved = im->node;
	struct npu_concat_params p = { .requant = NPU_REQUANT_ONNX };
	const struct ox_value *x0 = &im->vals[xs[0].v];
	int64_t axis, dims[OX_MAX_RANK];
	int *ids, i, ax = 0, id;
	npu_status st;

	im->node = concat;
	if ((st = ox_attr_int(im, "axis", 1, &axis)) != NPU_OK ||
	    (st = norm_axis(im, axis, x0->rank, &ax)) != NPU_OK)
		return st;
	if (ax != 1 || (x0->rank != 4 && x0->rank != 2))
		return ox_fail(im, NPU_E_UNSUPPORTED, "concatenation along axis %d of rank %d "
			       "(channels, axis 1, is run)", ax, x0->rank);
	if ((st = out_quant(im, yq, &p.out)) != NPU_OK)
		return st;
	if (!(ids = malloc((size_t)n * sizeof(int))))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	memcpy(dims, x0->dims, sizeof(dims));
	dims[1] = 0;
	for (i = 0; i < n && st == NPU_OK; i++) {
		const struct ox_value *xv = &im->vals[xs[i].v];

		if (xv->rank != x0->rank)
			st = ox_fail(im, NPU_E_PARSE, "inputs of rank %d and %d", x0->rank,
				     xv->rank);
		else
			st = ox_q8_of(im, xs[i].v, &xs[i].q, &ids[i]);
		if (st == NPU_OK)
			dims[1] += xv->dims[1];
	}
	p.name = im->vals[out].name;
	if (st == NPU_OK && (st = npu_net_add_concat(im->net, ids, n, &p, &id)) != NPU_OK)
		st = ox_api_fail(im, st);
	free(ids);
	if (st != NPU_OK)
		return st;
	ox_set_tensor(im, out, id, x0->rank, dims);
	im->node = saved;
	return NPU_OK;
}

npu_status ox_emit_sigmoid(struct ox_imp *im, const struct ox_qarg *x,
			   const struct ox_quant *yq, int out)
{
	struct npu_sigmoid_params p = { .requant = NPU_REQUANT_ONNX };
	const struct ox_value *xv = &im->vals[x->v];
	npu_status st;
	int tid, id;

	if ((st = out_quant(im, yq, &p.out)) != NPU_OK ||
	    (st = ox_q8_of(im, x->v, &x->q, &tid)) != NPU_OK)
		return st;
	p.name = im->vals[out].name;
	if ((st = npu_net_add_sigmoid(im->net, tid, &p, &id)) != NPU_OK)
		return ox_api_fail(im, st);
	ox_set_tensor(im, out, id, xv->rank, xv->dims);
	return NPU_OK;
}

/* ---- com.microsoft QOperator handlers ---- */

npu_status ox_op_qlinearadd(struct ox_imp *im)
{
	struct ox_qarg a, b;
	struct ox_quant yq;
	npu_status st;

	if ((st = ox_arity(im, 7, 8, 1)) != NPU_OK)
		return st;
	a.v = ox_in(im, 0);
	b.v = ox_in(im, 3);
	if (b.v < 0)
		return ox_fail(im, NPU_E_PARSE, "input B is missing");
	if ((st = ox_quant_in(im, 1, 2, -1, 0, "A", &a.q)) != NPU_OK ||
	    (st = ox_quant_in(im, 4, 5, -1, 0, "B", &b.q)) != NPU_OK ||
	    (st = ox_quant_in(im, 6, 7, -1, 0, "C", &yq)) != NPU_OK)
		return st;
	return ox_emit_add(im, &a, &b, &yq, NPU_ACT_NONE, 0, 0, ox_out(im, 0));
}

static npu_status qlinear_unary(struct ox_imp *im, struct ox_qarg *x, struct ox_quant *yq)
{
	npu_status st;

	if ((st = ox_arity(im, 4, 5, 1)) != NPU_OK)
		return st;
	x->v = ox_in(im, 0);
	if ((st = ox_quant_in(im, 1, 2, -1, 0, "X", &x->q)) != NPU_OK ||
	    (st = ox_quant_in(im, 3, 4, -1, 0, "Y", yq)) != NPU_OK)
		return st;
	return NPU_OK;
}

static npu_status channels_first(struct ox_imp *im)
{
	int64_t cl;
	npu_status st;

	if ((st = ox_attr_int(im, "channels_last", 0, &cl)) != NPU_OK)
		return st;
	return cl ? ox_fail(im, NPU_E_UNSUPPORTED, "channels_last = 1 (NCHW is run)") : NPU_OK;
}

npu_status ox_op_qlinearavgpool(struct ox_imp *im)
{
	static const char *const known[] = { "auto_pad", "ceil_mode", "channels_last",
					     "count_include_pad", "kernel_shape", "pads",
					     "strides", NULL };
	struct ox_qarg x;
	struct ox_quant yq;
	npu_status st;

	if ((st = ox_attr_only(im, known)) != NPU_OK || (st = channels_first(im)) != NPU_OK ||
	    (st = qlinear_unary(im, &x, &yq)) != NPU_OK)
		return st;
	return ox_emit_avgpool(im, im->node, 0, &x, &yq, ox_out(im, 0));
}

npu_status ox_op_qlinearglobalavgpool(struct ox_imp *im)
{
	static const char *const known[] = { "channels_last", NULL };
	struct ox_qarg x;
	struct ox_quant yq;
	npu_status st;

	if ((st = ox_attr_only(im, known)) != NPU_OK || (st = channels_first(im)) != NPU_OK ||
	    (st = qlinear_unary(im, &x, &yq)) != NPU_OK)
		return st;
	return ox_emit_avgpool(im, im->node, 1, &x, &yq, ox_out(im, 0));
}

npu_status ox_op_qlinearsigmoid(struct ox_imp *im)
{
	static const char *const known[] = { NULL };
	struct ox_qarg x;
	struct ox_quant yq;
	npu_status st;

	if ((st = ox_attr_only(im, known)) != NPU_OK || (st = qlinear_unary(im, &x, &yq)))
		return st;
	return ox_emit_sigmoid(im, &x, &yq, ox_out(im, 0));
}

npu_status ox_op_qlinearconcat(struct ox_imp *im)
{
	static const char *const known[] = { "axis", NULL };
	const Onnx__NodeProto *n = im->node;
	struct ox_quant yq;
	struct ox_qarg *xs;
	int i, nx;
	npu_status st;

	if ((st = ox_attr_only(im, known)) != NPU_OK)
		return st;
	if (n->n_input < 5 || (n->n_input - 2) % 3)
		return ox_fail(im, NPU_E_PARSE, "%zu inputs (Y_scale, Y_zero_point, then "
			       "triples of X, X_scale, X_zero_point)", n->n_input);
	if ((st = ox_arity(im, 2, (int)n->n_input, 1)) != NPU_OK ||
	    (st = ox_quant_in(im, 0, 1, -1, 0, "Y", &yq)) != NPU_OK)
		return st;
	nx = (int)(n->n_input - 2) / 3;
	if (!(xs = calloc((size_t)nx, sizeof(*xs))))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	for (i = 0; i < nx && st == NPU_OK; i++) {
		xs[i].v = ox_in(im, 2 + 3 * i);
		if (xs[i].v < 0)
			st = ox_fail(im, NPU_E_PARSE, "input %d is missing", 2 + 3 * i);
		else
			st = ox_quant_in(im, 3 + 3 * i, 4 + 3 * i, -1, 0, "X", &xs[i].q);
	}
	if (st == NPU_OK)
		st = ox_emit_concat(im, im->node, xs, nx, &yq, ox_out(im, 0));
	free(xs);
	return st;
}
