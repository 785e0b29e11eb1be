/* SPDX-License-Identifier: MIT */
/*
 * Ops that move or relabel data: Identity, Dropout, Constant, Flatten,
 * Reshape, Transpose, Squeeze, Unsqueeze, and MaxPool, Pad and Softmax.
 * Layout ops change how a value's ONNX axes map onto its NHWC tensor and
 * add no layer when they only relabel (a Flatten before an FC, a Squeeze of
 * size-1 axes, a Transpose); a layout layer is added only when a consumer
 * needs the data in another order. They work on dequantized values too:
 * moving data commutes with DequantizeLinear, so the 8-bit data moves and
 * the value stays dequantized (what ONNX Runtime's QDQ rules do when they
 * drop the Q/DQ pairs around such an op).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_ops.h"

npu_status ox_op_identity(struct ox_imp *im)
{
	static const char *const known[] = { "seed", "ratio", "training_mode", NULL };
	npu_status st;

	/* Dropout at inference is the identity; its mask output must be unused. */
	if ((st = ox_arity(im, 1, 3, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK)
		return st;
	if (im->vals[ox_in(im, 0)].kind == OX_PENDING)
		return ox_fail(im, NPU_E_UNSUPPORTED, "an %s between a float op and its "
			       "QuantizeLinear", im->node->op_type);
	ox_copy_value(im, ox_out(im, 0), ox_in(im, 0));
	return NPU_OK;
}

npu_status ox_op_constant(struct ox_imp *im)
{
	npu_status st;

	if ((st = ox_arity(im, 0, 0, 1)) != NPU_OK)
		return st;
	/* already read ahead of its turn (a zero point the S8 -> U8 rule looked at) */
	if (im->vals[ox_out(im, 0)].kind == OX_CONST)
		return NPU_OK;
	return ox_constant_node(im, ox_out(im, 0));
}

/* ---- layout ---- */

/* A layout layer: v's tensor with axes permuted by perm, viewed as out_dims. */
static npu_status transpose_layer(struct ox_imp *im, int v, const int perm[4],
				  const int out_dims[4], const char *what, int *tid)
{
	char buf[256];
	npu_status st;

	st = npu_net_add_transpose(im->net, ox_tensor_name(im, im->vals[v].name, what, buf,
							   sizeof(buf)),
				   im->vals[v].tid, perm, out_dims, tid);
	return st == NPU_OK ? NPU_OK : ox_api_fail(im, st);
}

npu_status ox_canonicalize(struct ox_imp *im, int v, int *tid)
{
	const struct ox_value *x = &im->vals[v];
	const int *nd = im->net->tensors[x->tid].dims;
	int perm[4], od[4], used[4] = { 0 }, i, j;

	if (x->flat_chw) {
		/* features in C, H, W order: [N][C][H][W] in one row per image */
		static const int p[4] = { 0, 3, 1, 2 };

		od[0] = nd[0];
		od[1] = od[2] = 1;
		od[3] = nd[1] * nd[2] * nd[3];
		return transpose_layer(im, v, p, od, "chw", tid);
	}
	if (x->rank == 4) {
		static const int onnx_of_nhwc[4] = { 0, 2, 3, 1 };

		for (j = 0; j < 4; j++) {
			perm[j] = x->axes[onnx_of_nhwc[j]];
			od[j] = (int)x->dims[onnx_of_nhwc[j]];
		}
		return transpose_layer(im, v, perm, od, "nhwc", tid);
	}
	if (x->rank == 2) {
		used[x->axes[0]] = used[x->axes[1]] = 1;
		perm[0] = x->axes[0];
		perm[3] = x->axes[1];
		for (i = 0, j = 1; i < 4; i++)
			if (!used[i])
				perm[j++] = i;
		od[0] = (int)x->dims[0];
		od[1] = od[2] = 1;
		od[3] = (int)x->dims[1];
		return transpose_layer(im, v, perm, od, "nhwc", tid);
	}
	return ox_fail(im, NPU_E_UNSUPPORTED, "'%s' has rank %d; activations of rank 2 or 4 "
		       "are run", x->name, x->rank);
}

/*
 * A tensor holding v's data in ONNX row-major order (what Reshape needs),
 * as a 4-D NHWC tensor whose dims are irrelevant: only the order counts.
 */
static npu_status rowmajor(struct ox_imp *im, int v, int *tid)
{
	const struct ox_value *x = &im->vals[v];
	const int *nd;
	int perm[4], od[4], i, tmp;
	npu_status st;

	if (x->kind != OX_TENSOR)
		return ox_canon_of(im, v, tid);		/* its error */
	nd = im->net->tensors[x->tid].dims;
	if (x->rank == 4 && x->axes[0] == 0 && x->axes[1] == 1 && x->axes[2] == 2 &&
	    x->axes[3] == 3) {
		*tid = x->tid;
		return NPU_OK;
	}
	if ((st = ox_canon_of(im, v, &tmp)) != NPU_OK)
		return st;
	nd = im->net->tensors[tmp].dims;
	if (x->rank != 4 || (nd[1] == 1 && nd[2] == 1)) {
		*tid = tmp;	/* [N, 1, 1, F]: already row-major */
		return NPU_OK;
	}
	/* NHWC -> NCHW order */
	for (i = 0; i < 4; i++)
		perm[i] = i == 0 ? 0 : i == 1 ? 3 : i - 1;
	od[0] = nd[0];
	od[1] = nd[3];
	od[2] = nd[1];
	od[3] = nd[2];
	st = npu_net_add_transpose(im->net, ox_tensor_name(im, x->name, "nchw", (char[256]){0}, 256),
				   tmp, perm, od, tid);
	return st == NPU_OK ? NPU_OK : ox_api_fail(im, st);
}

/* Value y = x's data with new ONNX dims (rank 2 or 4), by relabelling if possible. */
static npu_status reshape_to(struct ox_imp *im, int x, int y, int rank, const int64_t *dims)
{
	const struct ox_value *xv = &im->vals[x];
	struct ox_value *yv = &im->vals[y];
	int tid, id, nd[4];
	char buf[256];
	npu_status st;

	if (xv->kind == OX_CONST) {
		struct ox_const *c;

		if ((st = ox_new_const(im, &c)) != NPU_OK)
			return st;
		*c = *xv->c;
		c->owned = NULL;	/* the data stays the original's */
		c->rank = rank;
		memcpy(c->dims, dims, (size_t)rank * sizeof(*dims));
		ox_copy_value(im, y, x);
		yv->c = c;
		yv->rank = rank;
		memcpy(yv->dims, dims, (size_t)rank * sizeof(*dims));
		return NPU_OK;
	}
	if (xv->kind != OX_TENSOR)
		return ox_canon_of(im, x, &tid);	/* its error */
	if (xv->dq && xv->q.n > 1)
		return ox_fail(im, NPU_E_UNSUPPORTED, "reshaping a per-channel dequantized value");
	/* NCHW [N, C, H, W] -> [N, C*H*W]: the FC-friendly flat view */
	if (ox_is_canonical(xv) && xv->rank == 4 && rank == 2 && dims[0] == xv->dims[0]) {
		ox_copy_value(im, y, x);
		yv->rank = 2;
		yv->dims[0] = dims[0];
		yv->dims[1] = dims[1];
		yv->axes[0] = 0;
		yv->axes[1] = 3;
		yv->flat_chw = xv->dims[2] * xv->dims[3] > 1;
		yv->canon = -1;
		return NPU_OK;
	}
	/* ... and back */
	if (xv->flat_chw && rank == 4) {
		const int *t = im->net->tensors[xv->tid].dims;

		if (dims[0] == t[0] && dims[1] == t[3] && dims[2] == t[1] && dims[3] == t[2]) {
			ox_copy_value(im, y, x);
			ox_set_tensor(im, y, xv->tid, 4, dims);
			yv->dq = xv->dq;
			yv->q = xv->q;
			return NPU_OK;
		}
	}
	/* [N, F] <-> [N, F, 1, 1] and [N, C, 1, 1] -> [N, C]: the same NHWC storage */
	if (ox_is_canonical(xv) && (rank == 2 || (dims[2] == 1 && dims[3] == 1)) &&
	    (xv->rank == 2 || (xv->dims[2] == 1 && xv->dims[3] == 1)) &&
	    dims[0] == xv->dims[0]) {
		ox_copy_value(im, y, x);
		ox_set_tensor(im, y, xv->tid, rank, dims);
		yv->dq = xv->dq;
		yv->q = xv->q;
		return NPU_OK;
	}
	/* anything else: the data in row-major order, then a copy with the new shape */
	if ((st = rowmajor(im, x, &tid)) != NPU_OK)
		return st;
	ox_nhwc_dims(rank, dims, nd);
	if (rank == 4) {
		/* row-major [N][C][H][W] is NHWC only when H = W = 1; else keep ONNX order */
		nd[1] = (int)dims[1];
		nd[2] = (int)dims[2];
		nd[3] = (int)dims[3];
	}
	st = npu_net_add_reshape(im->net, ox_tensor_name(im, yv->name, xv->dq ? "q" : "r", buf,
							 sizeof(buf)), tid, nd, &id);
	if (st != NPU_OK)
		return ox_api_fail(im, st);
	ox_set_tensor(im, y, id, rank, dims);
	if (rank == 4 && !(dims[2] == 1 && dims[3] == 1))
		for (int i = 0; i < 4; i++)
			yv->axes[i] = i;	/* ONNX order as it is stored */
	yv->dq = xv->dq;
	yv->q = xv->q;
	return NPU_OK;
}

static npu_status check_dims(struct ox_imp *im, int rank, const int64_t *dims, int64_t total)
{
	int64_t n = 1;
	int i;

	if (rank != 2 && rank != 4)
		return ox_fail(im, NPU_E_UNSUPPORTED, "a result of rank %d (2 or 4 are run)", rank);
	for (i = 0; i < rank; i++) {
		if (dims[i] < 1 || dims[i] > (1 << 24))
			return ox_fail(im, NPU_E_PARSE, "dimension %d is %lld", i,
				       (long long)dims[i]);
		n *= dims[i];
		if (n > total)
			break;
	}
	if (n != total)
		return ox_fail(im, NPU_E_PARSE, "the new shape does not hold the input's %lld "
			       "elements", (long long)total);
	return NPU_OK;
}

static int64_t elems_of(const struct ox_value *x)
{
	int64_t n = 1;

	for (int i = 0; i < x->rank; i++)
		n *= x->dims[i];
	return n;
}

npu_status ox_op_flatten(struct ox_imp *im)
{
	static const char *const known[] = { "axis", NULL };
	const struct ox_value *x;
	int64_t axis, dims[2] = { 1, 1 };
	npu_status st;
	int i;

	if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK ||
	    (st = ox_attr_int(im, "axis", 1, &axis)) != NPU_OK)
		return st;
	x = &im->vals[ox_in(im, 0)];
	if (x->kind == OX_PENDING)
		return ox_canon_of(im, ox_in(im, 0), &i);	/* the pending error */
	if (axis < -x->rank || axis > x->rank)
		return ox_fail(im, NPU_E_PARSE, "axis %lld of a rank-%d tensor", (long long)axis,
			       x->rank);
	if (axis < 0)
		axis += x->rank;
	for (i = 0; i < x->rank; i++)
		dims[i < axis ? 0 : 1] *= x->dims[i];
	if ((st = check_dims(im, 2, dims, elems_of(x))) != NPU_OK)
		return st;
	return reshape_to(im, ox_in(im, 0), ox_out(im, 0), 2, dims);
}

npu_status ox_op_reshape(struct ox_imp *im)
{
	static const char *const known[] = { "allowzero", NULL };
	const struct ox_const *sh;
	const struct ox_value *x;
	int64_t allowzero, dims[OX_MAX_RANK], known_n = 1;
	int i, infer = -1;
	npu_status st;

	if ((st = ox_arity(im, 2, 2, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK ||
	    (st = ox_attr_int(im, "allowzero", 0, &allowzero)) != NPU_OK ||
	    (st = ox_const_in(im, 1, "shape", &sh)) != NPU_OK)
		return st;
	x = &im->vals[ox_in(im, 0)];
	if (x->kind == OX_PENDING)
		return ox_canon_of(im, ox_in(im, 0), &i);
	if (sh->dtype != OX_INT64 || sh->rank != 1 || sh->elems > OX_MAX_RANK)
		return ox_fail(im, NPU_E_PARSE, "shape must be a 1-D INT64 of at most %d values",
			       OX_MAX_RANK);
	for (i = 0; i < (int)sh->elems; i++) {
		dims[i] = ((const int64_t *)sh->data)[i];
		if (dims[i] == 0 && !allowzero) {
			if (i >= x->rank)
				return ox_fail(im, NPU_E_PARSE, "shape[%d] = 0 copies a dimension "
					       "the input does not have", i);
			dims[i] = x->dims[i];
		}
		if (dims[i] == -1) {
			if (infer >= 0)
				return ox_fail(im, NPU_E_PARSE, "two -1 in the shape");
			infer = i;
			continue;
		}
		if (dims[i] < 1 || dims[i] > (1 << 24))
			return ox_fail(im, NPU_E_PARSE, "shape[%d] = %lld", i, (long long)dims[i]);
		known_n *= dims[i];
	}
	if (infer >= 0) {
		if (elems_of(x) % known_n)
			return ox_fail(im, NPU_E_PARSE, "the shape does not divide the input's "
				       "%lld elements", (long long)elems_of(x));
		dims[infer] = elems_of(x) / known_n;
	}
	if ((st = check_dims(im, (int)sh->elems, dims, elems_of(x))) != NPU_OK)
		return st;
	return reshape_to(im, ox_in(im, 0), ox_out(im, 0), (int)sh->elems, dims);
}

/* Axes of Squeeze / Unsqueeze: an attribute before opset 13, an input from 13. */
static npu_status axes_arg(struct ox_imp *im, int64_t *axes, int *n)
{
	static const char *const known12[] = { "axes", NULL }, *const known13[] = { NULL };
	const struct ox_const *c;
	npu_status st;

	*n = 0;
	if (im->opset < 13) {
		if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK ||
		    (st = ox_attr_only(im, known12)) != NPU_OK)
			return st;
		return ox_attr_ints(im, "axes", OX_MAX_RANK, axes, n);
	}
	if ((st = ox_arity(im, 1, 2, 1)) != NPU_OK || (st = ox_attr_only(im, known13)) != NPU_OK)
		return st;
	if (ox_in(im, 1) < 0)
		return NPU_OK;
	if ((st = ox_const_in(im, 1, "axes", &c)) != NPU_OK)
		return st;
	if (c->dtype != OX_INT64 || c->elems > OX_MAX_RANK)
		return ox_fail(im, NPU_E_PARSE, "axes must be INT64 (at most %d)", OX_MAX_RANK);
	memcpy(axes, c->data, c->elems * sizeof(int64_t));
	*n = (int)c->elems;
	return NPU_OK;
}

/* Squeeze (dir < 0) or Unsqueeze: only the ONNX axes change; the data stays. */
static npu_status squeeze(struct ox_imp *im, int unsq)
{
	int64_t axes[OX_MAX_RANK], dims[OX_MAX_RANK];
	int n, i, j, k, rank, x = ox_in(im, 0), y = ox_out(im, 0), mark[OX_MAX_RANK] = { 0 };
	int newax[4], used[4] = { 0 };
	const struct ox_value *xv;
	npu_status st;

	if ((st = axes_arg(im, axes, &n)) != NPU_OK)
		return st;
	xv = &im->vals[x];
	if (xv->kind == OX_PENDING)
		return ox_canon_of(im, x, &i);
	rank = unsq ? xv->rank + n : xv->rank;
	if (rank > OX_MAX_RANK || (xv->kind == OX_TENSOR && rank > 4))
		return ox_fail(im, NPU_E_UNSUPPORTED, "a result of rank %d", rank);
	for (i = 0; i < n; i++) {
		int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];

		if (a < 0 || a >= rank || mark[a])
			return ox_fail(im, NPU_E_PARSE, "axis %lld", (long long)axes[i]);
		if (!unsq && xv->dims[a] != 1)
			return ox_fail(im, NPU_E_PARSE, "axis %lld has size %lld, not 1",
				       (long long)a, (long long)xv->dims[a]);
		mark[a] = 1;
	}
	if (!unsq && !n)	/* no axes: every size-1 axis */
		for (i = 0; i < rank; i++)
			mark[i] = xv->dims[i] == 1;
	if (xv->dq && xv->q.n > 1)
		return ox_fail(im, NPU_E_UNSUPPORTED, "per-channel dequantized value");
	for (i = 0, j = 0, k = 0; i < (unsq ? rank : xv->rank); i++) {
		if (unsq && mark[i]) {
			dims[k] = 1;
			newax[k++] = -1;	/* any free size-1 NHWC axis */
			continue;
		}
		if (!unsq && mark[i]) {
			j++;
			continue;
		}
		dims[k] = xv->dims[j];
		if (xv->kind == OX_TENSOR && !xv->flat_chw) {
			newax[k] = xv->axes[j];
			used[xv->axes[j]] = 1;
		}
		k++;
		j++;
	}
	if (xv->kind == OX_CONST || xv->flat_chw)
		return reshape_to(im, x, y, k, dims);
	ox_copy_value(im, y, x);
	im->vals[y].rank = k;
	memcpy(im->vals[y].dims, dims, (size_t)k * sizeof(int64_t));
	for (i = 0; i < k; i++) {
		if (newax[i] >= 0) {
			im->vals[y].axes[i] = newax[i];
			continue;
		}
		for (j = 1; j < 4 && (used[j] || im->net->tensors[xv->tid].dims[j] != 1); j++)
			;
		if (j == 4)
			return ox_fail(im, NPU_E_UNSUPPORTED, "no room for another axis");
		used[j] = 1;
		im->vals[y].axes[i] = j;
	}
	im->vals[y].canon = -1;
	return NPU_OK;
}

npu_status ox_op_squeeze(struct ox_imp *im)
{
	return squeeze(im, 0);
}

npu_status ox_op_unsqueeze(struct ox_imp *im)
{
	return squeeze(im, 1);
}

/* Transposes a constant (weights stored [K, M] read as [M, K], say). */
static npu_status fold_transpose(struct ox_imp *im, const struct ox_const *c,
				 const int64_t *perm, int y)
{
	size_t es = ox_dtype_size(c->dtype), i;
	int64_t in_stride[OX_MAX_RANK], idx[OX_MAX_RANK] = { 0 };
	struct ox_const *r;
	npu_status st;
	int d;

	if ((st = ox_new_const(im, &r)) != NPU_OK)
		return st;
	*r = *c;
	if (!(r->owned = malloc(c->elems * es + 1)))
		return ox_fail(im, NPU_E_NOMEM, "out of memory");
	r->data = r->owned;
	for (d = c->rank - 1; d >= 0; d--)
		in_stride[d] = d == c->rank - 1 ? 1 : in_stride[d + 1] * c->dims[d + 1];
	for (d = 0; d < c->rank; d++)
		r->dims[d] = c->dims[perm[d]];
	for (i = 0; i < c->elems; i++) {
		int64_t src = 0;

		for (d = 0; d < c->rank; d++)
			src += idx[d] * in_stride[perm[d]];
		memcpy((uint8_t *)r->owned + i * es, (const uint8_t *)c->data + src * (int64_t)es,
		       es);
		for (d = c->rank - 1; d >= 0 && ++idx[d] == r->dims[d]; d--)
			idx[d] = 0;
	}
	im->vals[y].kind = OX_CONST;
	im->vals[y].c = r;
	im->vals[y].rank = r->rank;
	memcpy(im->vals[y].dims, r->dims, sizeof(r->dims));
	return NPU_OK;
}

npu_status ox_op_transpose(struct ox_imp *im)
{
	static const char *const known[] = { "perm", NULL };
	int x = ox_in(im, 0), y = ox_out(im, 0), n, i, seen[OX_MAX_RANK] = { 0 }, axes[4];
	int64_t perm[OX_MAX_RANK], dims[OX_MAX_RANK];
	const struct ox_value *xv;
	npu_status st;

	if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK ||
	    (st = ox_attr_ints(im, "perm", OX_MAX_RANK, perm, &n)) != NPU_OK)
		return st;
	xv = &im->vals[x];
	if (xv->kind == OX_PENDING)
		return ox_canon_of(im, x, &i);
	if (!n)	/* default: reverse */
		for (n = xv->rank, i = 0; i < n; i++)
			perm[i] = n - 1 - i;
	if (n != xv->rank)
		return ox_fail(im, NPU_E_PARSE, "perm has %d values for rank %d", n, xv->rank);
	for (i = 0; i < n; i++) {
		if (perm[i] < 0 || perm[i] >= n || seen[perm[i]]++)
			return ox_fail(im, NPU_E_PARSE, "perm is not a permutation");
		dims[i] = xv->dims[perm[i]];
	}
	if (xv->kind == OX_CONST)
		return fold_transpose(im, xv->c, perm, y);
	if (xv->kind != OX_TENSOR)
		return ox_canon_of(im, x, &i);
	if (xv->dq && xv->q.n > 1)
		return ox_fail(im, NPU_E_UNSUPPORTED, "per-channel dequantized value");
	if (xv->flat_chw && (st = ox_canon_of(im, x, &i)) != NPU_OK)
		return st;
	ox_copy_value(im, y, x);
	if (xv->flat_chw) {
		/* its canonical [N, 1, 1, F] copy is what gets transposed */
		im->vals[y].tid = xv->canon;
		im->vals[y].flat_chw = 0;
		im->vals[y].axes[0] = 0;
		im->vals[y].axes[1] = 3;
	}
	for (i = 0; i < n; i++)
		axes[i] = im->vals[y].axes[perm[i]];
	memcpy(im->vals[y].axes, axes, (size_t)n * sizeof(int));
	memcpy(im->vals[y].dims, dims, (size_t)n * sizeof(int64_t));
	im->vals[y].canon = -1;
	return NPU_OK;
}

/* ---- MaxPool, Pad, Softmax ---- */

npu_status ox_op_maxpool(struct ox_imp *im)
{
	static const char *const known[] = { "auto_pad", "ceil_mode", "dilations",
					     "kernel_shape", "pads", "storage_order", "strides",
					     NULL };
	struct npu_pool_params p = { .kind = NPU_POOL_MAX, .requant = NPU_REQUANT_ONNX };
	int x = ox_in(im, 0), y = ox_out(im, 0), tid, id;
	const struct npu_tensor *t;
	struct ox_pool_geom g;
	const struct ox_value *xv;
	int64_t dims[4];
	char buf[256];
	npu_status st;

	if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK)
		return st;
	xv = &im->vals[x];
	if (xv->rank != 4)
		return ox_fail(im, NPU_E_UNSUPPORTED, "input of rank %d (NCHW is run)", xv->rank);
	if ((st = ox_canon_of(im, x, &tid)) != NPU_OK)
		return st;
	t = &im->net->tensors[tid];
	if (t->type != NPU_INT8 && t->type != NPU_UINT8)
		return ox_fail(im, NPU_E_UNSUPPORTED, "MaxPool of a %s tensor (quantized graphs "
			       "are run)", npu_type_name(t->type));
	if ((st = ox_pool_attrs(im, t->dims[1], t->dims[2], 1, &g)) != NPU_OK)
		return st;
	p.name = ox_tensor_name(im, im->vals[y].name, "q", buf, sizeof(buf));
	ox_pool_params(&g, &p);
	p.count_include_pad = 0;	/* an average's attribute */
	if ((st = npu_net_add_pool(im->net, tid, &p, &id)) != NPU_OK)
		return ox_api_fail(im, st);
	t = &im->net->tensors[id];
	dims[0] = t->dims[0];
	dims[1] = t->dims[3];
	dims[2] = t->dims[1];
	dims[3] = t->dims[2];
	ox_set_tensor(im, y, id, 4, dims);
	im->vals[y].dq = xv->dq;
	im->vals[y].q = xv->q;
	return NPU_OK;
}

npu_status ox_op_pad(struct ox_imp *im)
{
	static const char *const known10[] = { "mode", "pads", "value", NULL };
	static const char *const known11[] = { "mode", NULL };
	struct npu_pad_params p = { 0 };
	int x = ox_in(im, 0), y = ox_out(im, 0), n = 0, i, tid, id, present;
	int64_t pads[8], dims[4];
	const struct ox_value *xv;
	const struct npu_tensor *t;
	float fval = 0.0f;
	char mode[32], buf[256];
	npu_status st;

	if (im->opset < 11) {
		if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK ||
		    (st = ox_attr_only(im, known10)) != NPU_OK ||
		    (st = ox_attr_ints(im, "pads", 8, pads, &n)) != NPU_OK ||
		    (st = ox_attr_float(im, "value", 0.0f, &fval)) != NPU_OK)
			return st;
	} else {
		const struct ox_const *c;

		if ((st = ox_arity(im, 2, 3, 1)) != NPU_OK ||
		    (st = ox_attr_only(im, known11)) != NPU_OK ||
		    (st = ox_const_in(im, 1, "pads", &c)) != NPU_OK)
			return st;
		if (c->dtype != OX_INT64 || c->elems > 8)
			return ox_fail(im, NPU_E_PARSE, "pads must be INT64 (at most 8)");
		n = (int)c->elems;
		memcpy(pads, c->data, (size_t)n * sizeof(int64_t));
		if (ox_in(im, 2) >= 0) {
			if ((st = ox_const_in(im, 2, "constant_value", &c)) != NPU_OK)
				return st;
			if (c->elems != 1)
				return ox_fail(im, NPU_E_PARSE, "constant_value has %zu values",
					       c->elems);
			fval = c->dtype == OX_FLOAT ? ((const float *)c->data)[0]
						    : (float)ox_const_int(c, 0);
		}
	}
	if ((st = ox_attr_string(im, "mode", mode, sizeof(mode), &present)) != NPU_OK)
		return st;
	if (present && strcmp(mode, "constant"))
		return ox_fail(im, NPU_E_UNSUPPORTED, "mode '%s' (constant is run)", mode);
	xv = &im->vals[x];
	if (xv->rank != 4 || n != 8)
		return ox_fail(im, NPU_E_UNSUPPORTED, "padding a rank-%d tensor with %d pads "
			       "(NCHW with 8 is run)", xv->rank, n);
	for (i = 0; i < 8; i++)
		if (pads[i] < 0 || pads[i] > 4096 || ((i % 4) < 2 && pads[i]))
			return ox_fail(im, NPU_E_UNSUPPORTED, "pads must be >= 0, and 0 for N and C");
	if ((st = ox_canon_of(im, x, &tid)) != NPU_OK)
		return st;
	t = &im->net->tensors[tid];
	if (t->type != NPU_INT8 && t->type != NPU_UINT8)
		return ox_fail(im, NPU_E_UNSUPPORTED, "padding a %s tensor",
			       npu_type_name(t->type));
	if (xv->dq) {
		if (xv->q.n != 1)
			return ox_fail(im, NPU_E_UNSUPPORTED, "per-channel dequantized value");
		/* the pad value as the following QuantizeLinear would see it */
		p.value = npu_ort_quantize_value(fval, xv->q.scale[0], ox_quant_zp(&xv->q, 0),
						 xv->q.type);
	} else {
		if (fval != nearbyintf(fval) || fval < npu_type_min(t->type) ||
		    fval > npu_type_max(t->type))
			return ox_fail(im, NPU_E_PARSE, "constant_value %g for a %s tensor", fval,
				       npu_type_name(t->type));
		p.value = (int)fval;
	}
	p.name = ox_tensor_name(im, im->vals[y].name, "q", buf, sizeof(buf));
	p.pad_top = (int)pads[2];
	p.pad_left = (int)pads[3];
	p.pad_bottom = (int)pads[6];
	p.pad_right = (int)pads[7];
	if ((st = npu_net_add_pad(im->net, tid, &p, &id)) != NPU_OK)
		return ox_api_fail(im, st);
	t = &im->net->tensors[id];
	dims[0] = t->dims[0];
	dims[1] = t->dims[3];
	dims[2] = t->dims[1];
	dims[3] = t->dims[2];
	ox_set_tensor(im, y, id, 4, dims);
	im->vals[y].dq = xv->dq;
	im->vals[y].q = xv->q;
	return NPU_OK;
}

npu_status ox_op_softmax(struct ox_imp *im)
{
	static const char *const known[] = { "axis", NULL };
	struct npu_softmax_params p = { .out = { .type = NPU_FLOAT32, .scale = 1.0f } };
	int x = ox_in(im, 0), y = ox_out(im, 0), tid, id, ax;
	const struct ox_value *xv;
	int64_t axis;
	npu_status st;

	if ((st = ox_arity(im, 1, 1, 1)) != NPU_OK || (st = ox_attr_only(im, known)) != NPU_OK ||
	    (st = ox_attr_int(im, "axis", im->opset < 13 ? 1 : -1, &axis)) != NPU_OK)
		return st;
	xv = &im->vals[x];
	if (axis < -xv->rank || axis >= xv->rank)
		return ox_fail(im, NPU_E_PARSE, "axis %lld of rank %d", (long long)axis, xv->rank);
	ax = (int)(axis < 0 ? axis + xv->rank : axis);
	/* over the channels: [N, C] (axis 1), or NCHW over C with H = W = 1 */
	if (ax != 1 || (xv->rank == 4 && xv->dims[2] * xv->dims[3] != 1) ||
	    (xv->rank != 2 && xv->rank != 4))
		return ox_fail(im, NPU_E_UNSUPPORTED, "softmax along axis %d of a rank-%d tensor "
			       "(the channels of [N, C] are run)", ax, xv->rank);
	if (xv->kind != OX_TENSOR || !xv->dq || xv->q.n != 1)
		return ox_fail(im, NPU_E_UNSUPPORTED, "Softmax of '%s', which is not a "
			       "dequantized 8-bit tensor", xv->name);
	if ((st = ox_q8_of(im, x, &xv->q, &tid)) != NPU_OK)
		return st;
	p.name = im->vals[y].name;
	if ((st = npu_net_add_softmax(im->net, tid, &p, &id)) != NPU_OK)
		return ox_api_fail(im, st);
	ox_set_tensor(im, y, id, xv->rank, xv->dims);
	return NPU_OK;
}
