/* SPDX-License-Identifier: MIT */
/*
 * The ONNX importer's driver: graph inputs, the walk over the nodes in
 * topological order (each op's handler is in onnx_qop.c, onnx_qdq.c or
 * onnx_shape.c), the values' tensors, and the graph outputs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_ops.h"

/* ---- inputs of the current node ---- */

int ox_in(struct ox_imp *im, int k)
{
	const Onnx__NodeProto *n = im->node;

	if (k < 0 || (size_t)k >= n->n_input || !*S(n->input[k]))
		return -1;
	return ox_find(im, n->input[k]);
}

int ox_out(struct ox_imp *im, int k)
{
	const Onnx__NodeProto *n = im->node;

	if (k < 0 || (size_t)k >= n->n_output || !*S(n->output[k]))
		return -1;
	return ox_find(im, n->output[k]);
}

npu_status ox_arity(struct ox_imp *im, int min_in, int max_in, int min_out)
{
	const Onnx__NodeProto *n = im->node;
	int k;

	if (n->n_input < (size_t)min_in || n->n_input > (size_t)max_in)
		return ox_fail(im, NPU_E_PARSE, "%zu inputs (expected %d to %d)", n->n_input,
			       min_in, max_in);
	for (k = 0; k < min_in; k++)
		if (ox_in(im, k) < 0)
			return ox_fail(im, NPU_E_PARSE, "input %d is required", k);
	if (n->n_output < (size_t)min_out || ox_out(im, 0) < 0)
		return ox_fail(im, NPU_E_PARSE, "output %d is required", min_out - 1);
	/* Optional outputs the importer does not compute must not be read. */
	for (k = min_out; (size_t)k < n->n_output; k++) {
		int v = ox_out(im, k);

		if (v >= 0 && im->vals[v].uses)
			return ox_fail(im, NPU_E_UNSUPPORTED, "output %d ('%s') is used; only "
				       "output%s 0..%d %s computed", k, im->vals[v].name,
				       min_out > 1 ? "s" : "", min_out - 1,
				       min_out > 1 ? "are" : "is");
	}
	return NPU_OK;
}

npu_status ox_const_in(struct ox_imp *im, int k, const char *what, const struct ox_const **c)
{
	int v = ox_in(im, k);

	if (v < 0)
		return ox_fail(im, NPU_E_PARSE, "%s (input %d) is missing", what, k);
	if (im->vals[v].kind != OX_CONST)
		return ox_fail(im, NPU_E_UNSUPPORTED, "%s ('%s') must be an initializer or "
			       "Constant", what, im->vals[v].name);
	*c = im->vals[v].c;
	return NPU_OK;
}

npu_status ox_scalar_float(struct ox_imp *im, int k, const char *what, float *out)
{
	const struct ox_const *c;
	npu_status st;

	if ((st = ox_const_in(im, k, what, &c)) != NPU_OK)
		return st;
	if (c->dtype != OX_FLOAT || c->elems != 1)
		return ox_fail(im, NPU_E_PARSE, "%s must be one FLOAT (it is %zu %s)", what,
			       c->elems, ox_dtype_name(c->dtype));
	*out = ((const float *)c->data)[0];
	return NPU_OK;
}

/* Element i of an 8-bit or int32 constant as an int. */
int32_t ox_const_int(const struct ox_const *c, size_t i)
{
	switch (c->dtype) {
	case OX_INT8:
		return ((const int8_t *)c->data)[i];
	case OX_UINT8:
		return ((const uint8_t *)c->data)[i];
	case OX_INT32:
		return ((const int32_t *)c->data)[i];
	}
	return 0;
}

enum npu_type ox_npu_type(int dtype)
{
	switch (dtype) {
	case OX_INT8:
		return NPU_INT8;
	case OX_UINT8:
		return NPU_UINT8;
	case OX_INT32:
		return NPU_INT32;
	default:
		return NPU_FLOAT32;
	}
}

npu_status ox_quant_in(struct ox_imp *im, int ks, int kz, int axis, int axis_len,
		       const char *what, struct ox_quant *q)
{
	const struct ox_const *s, *z = NULL;
	npu_status st;
	size_t i;

	memset(q, 0, sizeof(*q));
	if ((st = ox_const_in(im, ks, "scale", &s)) != NPU_OK)
		return st;
	if (s->dtype != OX_FLOAT)
		return ox_fail(im, NPU_E_PARSE, "%s scale is %s, not FLOAT", what,
			       ox_dtype_name(s->dtype));
	if (ox_in(im, kz) >= 0 && (st = ox_const_in(im, kz, "zero point", &z)) != NPU_OK)
		return st;
	if (z && z->dtype != OX_INT8 && z->dtype != OX_UINT8 && z->dtype != OX_INT32)
		return ox_fail(im, NPU_E_UNSUPPORTED, "%s zero point is %s (int8, uint8 or "
			       "int32 are read)", what, ox_dtype_name(z->dtype));
	if (z && z->elems != s->elems)
		return ox_fail(im, NPU_E_PARSE, "%s: %zu scales but %zu zero points", what,
			       s->elems, z->elems);
	if (s->elems != 1 && (s->rank != 1 || axis < 0 || (int64_t)s->elems != axis_len))
		return ox_fail(im, NPU_E_UNSUPPORTED, "%s: %zu scales where 1%s is expected",
			       what, s->elems, axis >= 0 ? " or one per channel" : "");
	for (i = 0; i < s->elems; i++) {
		float f = ((const float *)s->data)[i];

		if (!(f > 0.0f) || !isfinite(f))
			return ox_fail(im, NPU_E_INVAL, "%s scale [%zu] = %g must be finite and "
				       "> 0", what, i, f);
	}
	q->axis = s->elems == 1 ? -1 : axis;
	q->n = (int)s->elems;
	q->scale = s->data;
	q->zp = z;
	q->type = z ? ox_npu_type(z->dtype) : NPU_UINT8;
	return NPU_OK;
}

npu_status ox_const_floats(struct ox_imp *im, const float *v, int n, const float **out)
{
	struct ox_const *c;
	npu_status st;

	if ((st = ox_new_const(im, &c)) != NPU_OK)
		return st;
	if (!(c->owned = malloc((size_t)n * sizeof(float))))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	memcpy(c->owned, v, (size_t)n * sizeof(float));
	c->dtype = OX_FLOAT;
	c->rank = 1;
	c->dims[0] = n;
	c->elems = (size_t)n;
	c->data = c->owned;
	*out = c->data;
	return NPU_OK;
}

int ox_quant_zp(const struct ox_quant *q, int i)
{
	return q->zp ? ox_const_int(q->zp, (size_t)(q->n == 1 ? 0 : i)) : 0;
}

/* ---- tensors of values ---- */

void ox_nhwc_dims(int rank, const int64_t *d, int out[4])
{
	out[0] = rank >= 1 ? (int)d[0] : 1;
	out[1] = rank == 4 ? (int)d[2] : 1;
	out[2] = rank == 4 ? (int)d[3] : 1;
	out[3] = rank == 4 || rank == 2 ? (int)d[1] : 1;
	if (rank == 1) {
		out[0] = 1;
		out[3] = (int)d[0];
	}
}

void ox_set_tensor(struct ox_imp *im, int v, int tid, int rank, const int64_t *dims)
{
	static const int canon[4] = { 0, 3, 1, 2 };
	struct ox_value *x = &im->vals[v];

	x->kind = OX_TENSOR;
	x->tid = tid;
	x->rank = rank;
	memcpy(x->dims, dims, (size_t)rank * sizeof(*dims));
	/* rank 4: N, C, H, W; rank 2: N, C; rank 1: C */
	memcpy(x->axes, rank == 1 ? canon + 1 : canon, sizeof(x->axes) - (rank == 1) * sizeof(int));
	x->flat_chw = 0;
	x->dq = 0;
	x->canon = -1;
	x->fmat = -1;
	x->own = 0;
}

void ox_copy_value(struct ox_imp *im, int dst, int src)
{
	struct ox_value *d = &im->vals[dst];
	const struct ox_value *s = &im->vals[src];

	d->kind = s->kind;
	d->rank = s->rank;
	memcpy(d->dims, s->dims, sizeof(d->dims));
	d->c = s->c;
	d->tid = s->tid;
	memcpy(d->axes, s->axes, sizeof(d->axes));
	d->flat_chw = s->flat_chw;
	d->dq = s->dq;
	d->q = s->q;
	d->canon = s->canon;
	d->fmat = s->fmat;
	d->own = 0;
}

int ox_is_canonical(const struct ox_value *x)
{
	if (x->kind != OX_TENSOR || x->flat_chw)
		return 0;
	if (x->rank == 4)
		return x->axes[0] == 0 && x->axes[1] == 3 && x->axes[2] == 1 && x->axes[3] == 2;
	if (x->rank == 2)
		return x->axes[0] == 0 && x->axes[1] == 3;
	return x->rank == 1 || x->rank == 0;
}

const char *ox_tensor_name(struct ox_imp *im, const char *base, const char *what, char *buf,
			   size_t len)
{
	int i;

	if (npu_net_find_tensor(im->net, base) < 0)
		return base;
	for (i = 0; i < 1000; i++) {
		snprintf(buf, len, i ? "%s:%s%d" : "%s:%s", base, what, i);
		if (npu_net_find_tensor(im->net, buf) < 0)
			break;
	}
	return buf;
}

/* The value's tensor in the canonical layout, without dequantizing. */
npu_status ox_canon_of(struct ox_imp *im, int v, int *tid)
{
	struct ox_value *x = &im->vals[v];
	npu_status st;

	switch (x->kind) {
	case OX_TENSOR:
		break;
	case OX_PENDING:
		return ox_fail(im, NPU_E_UNSUPPORTED, "'%s' is the float output of a %s that no "
			       "QuantizeLinear follows; the device computes quantized layers only",
			       x->name, ox_pending_op(x->pend));
	case OX_CONST:
		return ox_fail(im, NPU_E_UNSUPPORTED, "'%s' is a constant used as an activation",
			       x->name);
	default:
		return ox_fail(im, NPU_E_PARSE, "'%s' has no value yet", x->name);
	}
	if (ox_is_canonical(x)) {
		*tid = x->tid;
		return NPU_OK;
	}
	if (x->canon < 0 && (st = ox_canonicalize(im, v, &x->canon)) != NPU_OK)
		return st;
	*tid = x->canon;
	return NPU_OK;
}

npu_status ox_tensor_of(struct ox_imp *im, int v, int *tid)
{
	struct ox_value *x = &im->vals[v];
	char buf[256];
	npu_status st;
	int32_t *zps;
	int id, i;

	if ((st = ox_canon_of(im, v, &id)) != NPU_OK)
		return st;
	if (!x->dq) {
		*tid = id;
		return NPU_OK;
	}
	if (x->fmat >= 0) {
		*tid = x->fmat;
		return NPU_OK;
	}
	/* a DequantizeLinear that a float consumer reads: per tensor or per channel */
	if (x->q.n > 1 && !(x->q.axis == 1 && (x->rank == 4 || x->rank == 2)))
		return ox_fail(im, NPU_E_UNSUPPORTED, "'%s': per-axis dequantization along axis "
			       "%d of an activation (axis 1, channels, is run)", x->name,
			       x->q.axis);
	if (!(zps = malloc((size_t)x->q.n * sizeof(*zps))))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	for (i = 0; i < x->q.n; i++)
		zps[i] = ox_quant_zp(&x->q, i);
	st = npu_net_add_dequantize_ch(im->net, ox_tensor_name(im, x->name, "dq", buf,
							       sizeof(buf)),
				       id, x->q.scale, zps, x->q.n, &x->fmat);
	free(zps);
	if (st != NPU_OK)
		return ox_api_fail(im, st);
	*tid = x->fmat;
	return NPU_OK;
}

npu_status ox_q8_of(struct ox_imp *im, int v, const struct ox_quant *q, int *tid)
{
	struct npu_tensor *t;
	char buf[256];
	npu_status st;
	int id;

	if ((st = ox_canon_of(im, v, &id)) != NPU_OK)
		return st;
	t = &im->net->tensors[id];
	if (t->type != NPU_INT8 && t->type != NPU_UINT8)
		return ox_fail(im, NPU_E_PARSE, "'%s' is %s; a quantized input is needed",
			       im->vals[v].name, npu_type_name(t->type));
	if (q->n != 1)
		return ox_fail(im, NPU_E_UNSUPPORTED, "'%s': per-channel quantized activations",
			       im->vals[v].name);
	if (t->type != q->type)
		return ox_fail(im, NPU_E_PARSE, "'%s' is %s but its zero point is %s",
			       im->vals[v].name, npu_type_name(t->type), npu_type_name(q->type));
	if (t->scale == q->scale[0] && t->zero_point == ox_quant_zp(q, 0)) {
		*tid = id;
		return NPU_OK;
	}
	st = npu_net_add_relabel(im->net,
				 ox_tensor_name(im, im->vals[v].name, "q", buf, sizeof(buf)), id,
				 t->dims, q->scale[0], ox_quant_zp(q, 0), tid);
	return st == NPU_OK ? NPU_OK : ox_api_fail(im, st);
}

/* ---- graph inputs and outputs ---- */

static npu_status add_graph_input(struct ox_imp *im, const Onnx__ValueInfoProto *vi)
{
	const Onnx__TypeProto__Tensor *tt;
	struct npu_tensor_desc d = { .layout = NPU_NHWC, .scale = 1.0f };
	int64_t dims[OX_MAX_RANK];
	npu_status st;
	int v = ox_find(im, S(vi->name)), rank, i, id;

	if (v < 0 || im->vals[v].kind == OX_CONST)
		return NPU_OK;	/* an initializer listed as an input (IR < 4) */
	if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
	    !(tt = vi->type->tensor_type) || !tt->shape)
		return ox_fail(im, NPU_E_UNSUPPORTED, "graph input '%s' is not a tensor of known "
			       "rank", S(vi->name));
	rank = (int)tt->shape->n_dim;
	if (rank != 4 && rank != 2)
		return ox_fail(im, NPU_E_UNSUPPORTED, "graph input '%s' has rank %d (4, NCHW, "
			       "or 2 are read)", vi->name, rank);
	for (i = 0; i < rank; i++) {
		const Onnx__TensorShapeProto__Dimension *dm = tt->shape->dim[i];
		int fixed = dm->value_case ==
			    ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;

		if (i == 0 && (im->batch > 0 || !fixed)) {
			dims[0] = im->batch > 0 ? im->batch : 1;
			continue;
		}
		if (!fixed)
			return ox_fail(im, NPU_E_UNSUPPORTED, "graph input '%s': dimension %d is "
				       "symbolic ('%s'); only the batch may be", vi->name, i,
				       dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
					       ? S(dm->dim_param) : "");
		if (dm->dim_value < 1 || dm->dim_value > (1 << 20))
			return ox_fail(im, NPU_E_INVAL, "graph input '%s': dimension %d is %lld",
				       vi->name, i, (long long)dm->dim_value);
		dims[i] = dm->dim_value;
	}
	switch (tt->has_elem_type ? tt->elem_type : 0) {
	case OX_FLOAT:
		d.type = NPU_FLOAT32;
		break;
	case OX_UINT8:
		d.type = NPU_UINT8;
		break;
	case OX_INT8:
		d.type = NPU_INT8;
		break;
	case OX_INT32:
		d.type = NPU_INT32;
		break;
	default:
		return ox_fail(im, NPU_E_UNSUPPORTED, "graph input '%s' is %s (FLOAT, UINT8, "
			       "INT8 or INT32 are read)", vi->name, ox_dtype_name(tt->elem_type));
	}
	ox_nhwc_dims(rank, dims, d.dims);
	if ((st = npu_net_add_input(im->net, vi->name, &d, &id)) != NPU_OK)
		return ox_api_fail(im, st);
	ox_set_tensor(im, v, id, rank, dims);
	return NPU_OK;
}

static npu_status mark_outputs(struct ox_imp *im)
{
	npu_status st;
	size_t i;
	int tid;

	im->node = NULL;
	for (i = 0; i < im->g->n_output; i++) {
		int v = ox_find(im, S(im->g->output[i]->name));

		if ((st = ox_tensor_of(im, v, &tid)) != NPU_OK)
			return st;
		if ((st = npu_net_mark_output(im->net, tid)) != NPU_OK)
			return ox_api_fail(im, st);
	}
	return NPU_OK;
}

static npu_status copy_metadata(struct ox_imp *im)
{
	const Onnx__ModelProto *m = im->model;
	char prod[256];
	npu_status st;
	size_t i;

	for (i = 0; i < m->n_metadata_props; i++)
		if ((st = npu_net_set_metadata(im->net, S(m->metadata_props[i]->key),
					       S(m->metadata_props[i]->value))) != NPU_OK)
			return st;
	snprintf(prod, sizeof(prod), "%s%s%s", S(m->producer_name),
		 *S(m->producer_version) ? " " : "", S(m->producer_version));
	if (*prod && (st = npu_net_set_metadata(im->net, "producer", prod)) != NPU_OK)
		return st;
	if (*S(m->domain) && (st = npu_net_set_metadata(im->net, "domain", m->domain)) != NPU_OK)
		return st;
	return NPU_OK;
}

/* ---- the walk ---- */

/*
 * Layers made for a node are named after it (reports and check messages
 * then speak of "conv1", not of its output tensor): the node's name, or
 * for a fused QDQ group its float op's; ":2", ":3" for further layers.
 */
static npu_status name_layers(struct ox_imp *im, int first)
{
	const Onnx__NodeProto *n = im->layer_node ? im->layer_node : im->node;
	char buf[512];
	int i;

	if (!*S(n->name))
		return NPU_OK;
	for (i = first; i < im->net->nlayers; i++) {
		char *name;

		if (i == first)
			snprintf(buf, sizeof(buf), "%s", n->name);
		else
			snprintf(buf, sizeof(buf), "%s:%d", n->name, i - first + 1);
		if (!(name = strdup(buf)))
			return ox_fail(im, NPU_E_NOMEM, "out of memory");
		free(im->net->layers[i].name);
		im->net->layers[i].name = name;
	}
	return NPU_OK;
}

static npu_status import(struct ox_imp *im)
{
	npu_status st;
	size_t i;
	int k;

	im->node = NULL;
	if ((st = npu_net_create(im->ctx, *S(im->g->name) ? im->g->name : "onnx",
				 &im->net)) != NPU_OK)
		return st;
	im->net->max_bytes = im->max_bytes;
	if ((st = copy_metadata(im)) != NPU_OK)
		return st;
	for (i = 0; i < im->g->n_input; i++)
		if ((st = add_graph_input(im, im->g->input[i])) != NPU_OK)
			return st;
	for (k = 0; k < (int)im->g->n_node; k++) {
		int first = im->net->nlayers;

		im->node_idx = im->order[k];
		im->node = im->g->node[im->node_idx];
		im->layer_node = NULL;
		if ((st = ox_translate(im)) != NPU_OK)
			return st;
		if ((st = name_layers(im, first)) != NPU_OK)
			return st;
	}
	return mark_outputs(im);
}

npu_status npu_onnx_load(npu_ctx *ctx, const void *data, size_t bytes, const char *name,
			 const char *base_dir, const struct npu_load_opts *o, npu_net **out)
{
	struct ox_imp im = { .ctx = ctx, .src = name, .base_dir = base_dir };
	npu_status st;

	*out = NULL;
	if (o && (o->seed || o->input_h || o->input_w))
		return npu_fail(ctx, NPU_E_INVAL, "%s: seed and input size overrides apply to "
				"JSON descriptions, not to an ONNX model", name);
	if (o && o->batch < 0)
		return npu_fail(ctx, NPU_E_INVAL, "%s: batch %d", name, o->batch);
	im.batch = o ? o->batch : 0;
	im.max_bytes = o ? o->max_bytes : 0;
	st = ox_read_model(&im, data, bytes);
	if (st == NPU_OK)
		st = import(&im);
	if (st == NPU_OK)
		*out = im.net;
	else
		npu_net_free(im.net);
	ox_release(&im);
	return st;
}
