/* SPDX-License-Identifier: MIT */
/*
 * Layers with ONNX Runtime's arithmetic (pools, concat, sigmoid; the
 * kernels are ops_ort.c's) and the data movers an importer needs
 * (transpose, clamp, relabel, per-channel dequantize, pad). Like
 * layers.c, every check and derived value is done when the layer is
 * added; a call that fails leaves the net as it was.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_internal.h"

/* ---- pools (NPU_REQUANT_ONNX) ---- */

static npu_status pool_size(npu_net *net, const char *name, const char *axis, int in, int k,
			    int s, int d, int head, int tail, int ceil_mode, int *out)
{
	int h = head, t = tail;

	*out = npu_ort_pool_out_size(in, k, s, d, NPU_ORT_NOTSET, ceil_mode, &h, &t);
	if (*out < 1)
		return npu_fail(net->ctx, NPU_E_INVAL,
				"%s: %s: a %d-wide window (stride %d, dilation %d, pads %d, %d) "
				"over %d pixels gives no output", name, axis, k, s, d, head, tail,
				in);
	return NPU_OK;
}

npu_status npu_net_add_ort_pool(npu_net *net, const char *name, int input,
				const struct npu_pool_params *p, int *id)
{
	struct npu_layer l = { 0 };
	struct npu_tensor *in;
	struct npu_out_quant oq;
	const char *why = NULL;
	int dims[4], sh = p->stride_h ? p->stride_h : 1, sw = p->stride_w ? p->stride_w : 1;
	int dh = p->dilation_h ? p->dilation_h : 1, dw = p->dilation_w ? p->dilation_w : 1;
	npu_status st;

	if (!(in = npu_layer_input(net, name, input, 1)))
		return NPU_E_INVAL;
	oq.type = in->type;
	oq.scale = p->out.scale == 0.0f ? in->scale : p->out.scale;
	oq.zero_point = p->out.scale == 0.0f ? in->zero_point : p->out.zero_point;
	if (p->kind != NPU_POOL_MAX && p->out.scale != 0.0f &&
	    (st = npu_layer_check_out_quant(net, name, &oq, 0, 0)) != NPU_OK)
		return st;
	if (p->out.scale != 0.0f && p->out.type != in->type)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: pooling keeps the type (%s in, %s out)",
				name, npu_type_name(in->type), npu_type_name(p->out.type));
	memcpy(dims, in->dims, sizeof(dims));
	if (p->kind == NPU_POOL_GLOBAL_AVG) {
		struct npu_ort_qgap *g = &l.u.ogap;

		l.op = NPU_LAYER_ORT_GAP;
		g->type = in->type;
		g->n = in->dims[0];
		g->h = in->dims[1];
		g->w = in->dims[2];
		g->c = in->dims[3];
		g->x_scale = in->scale;
		g->x_zp = in->zero_point;
		g->y_scale = oq.scale;
		g->y_zp = oq.zero_point;
		why = npu_ort_qgap_prepare(g);
		dims[1] = dims[2] = 1;
		goto done;
	}
	if (p->kernel_h < 1 || p->kernel_w < 1 || p->pad_top < 0 || p->pad_left < 0 ||
	    p->pad_bottom < 0 || p->pad_right < 0)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: kernel %dx%d, pads must be >= 0", name,
				p->kernel_h, p->kernel_w);
	if ((st = pool_size(net, name, "height", in->dims[1], p->kernel_h, sh, dh, p->pad_top,
			    p->pad_bottom, p->ceil_mode, &dims[1])) != NPU_OK ||
	    (st = pool_size(net, name, "width", in->dims[2], p->kernel_w, sw, dw, p->pad_left,
			    p->pad_right, p->ceil_mode, &dims[2])) != NPU_OK)
		return st;
	if (p->kind == NPU_POOL_MAX) {
		struct npu_ort_maxpool *m = &l.u.omax;

		if (p->out.scale != 0.0f &&
		    (p->out.scale != in->scale || p->out.zero_point != in->zero_point))
			return npu_fail(net->ctx, NPU_E_INVAL, "%s: max pooling keeps the "
					"quantization", name);
		l.op = NPU_LAYER_ORT_MAXPOOL;
		*m = (struct npu_ort_maxpool){ in->type, in->dims[0], in->dims[1], in->dims[2],
					       in->dims[3], dims[1], dims[2], p->kernel_h,
					       p->kernel_w, sh, sw, dh, dw, p->pad_top, p->pad_left,
					       p->pad_bottom, p->pad_right, p->ceil_mode != 0 };
		why = npu_ort_maxpool_prepare(m);
	} else if (p->kind == NPU_POOL_AVG) {
		struct npu_ort_qavgpool *a = &l.u.oavg;

		if (dh != 1 || dw != 1)
			return npu_fail(net->ctx, NPU_E_UNSUPPORTED, "%s: ONNX Runtime's quantized "
					"average pool has no dilations", name);
		l.op = NPU_LAYER_ORT_AVGPOOL;
		a->type = in->type;
		a->n = in->dims[0];
		a->in_h = in->dims[1];
		a->in_w = in->dims[2];
		a->c = in->dims[3];
		a->out_h = dims[1];
		a->out_w = dims[2];
		a->kh = p->kernel_h;
		a->kw = p->kernel_w;
		a->sh = sh;
		a->sw = sw;
		a->pad_top = p->pad_top;
		a->pad_left = p->pad_left;
		a->pad_bottom = p->pad_bottom;
		a->pad_right = p->pad_right;
		a->ceil_mode = p->ceil_mode != 0;
		a->count_include_pad = p->count_include_pad != 0;
		a->x_scale = in->scale;
		a->x_zp = in->zero_point;
		a->y_scale = oq.scale;
		a->y_zp = oq.zero_point;
		why = npu_ort_qavgpool_prepare(a);
	} else {
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: unknown pooling kind %d", name,
				(int)p->kind);
	}
done:
	if (why)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s", name, why);
	l.in[0] = input;
	l.nin = 1;
	return npu_layer_finish(net, &l, name, in->type, dims, oq.scale, oq.zero_point, id);
}

/* ---- concat, sigmoid, pad ---- */

/* TFLite's Concatenation with scaling (reference_ops::ConcatenationWithScaling). */
static void tflite_concat_tables(struct npu_ort_qconcat *c)
{
	const float inv = 1.0f / c->y_scale;
	int lo = npu_type_min(c->type), hi = npu_type_max(c->type);

	for (int i = 0; i < c->n_inputs; i++) {
		struct npu_ort_qconcat_input *x = &c->inputs[i];
		float scale = x->scale * inv, bias = -(float)x->zp * scale;

		x->copy = x->scale == c->y_scale && x->zp == c->y_zp;
		for (int v = lo; v <= hi; v++) {
			long q = lroundf((float)v * scale + bias) + c->y_zp;

			q = q < lo ? lo : q > hi ? hi : q;
			x->table[(uint8_t)v] = (uint8_t)q;
		}
	}
}

npu_status npu_net_add_concat(npu_net *net, const int *inputs, int n,
			      const struct npu_concat_params *p, int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_CONCAT };
	struct npu_ort_qconcat *c = &l.u.ocat;
	struct npu_tensor *t0, *t;
	const char *name, *why;
	char nbuf[32];
	npu_status st;
	int i, dims[4];

	if (!net)
		return NPU_E_INVAL;
	if (!p || !id || !inputs || n < 1)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_concat: NULL argument or "
				"no inputs");
	name = npu_layer_name(net, p->name, "concat", nbuf, sizeof(nbuf));
	if (!(t0 = npu_layer_input(net, name, inputs[0], 1)))
		return NPU_E_INVAL;
	if ((st = npu_layer_check_out_quant(net, name, &p->out, 0, 0)) != NPU_OK)
		return st;
	if (p->out.type != t0->type)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: output %s, inputs %s", name,
				npu_type_name(p->out.type), npu_type_name(t0->type));
	if (p->requant != NPU_REQUANT_ONNX && p->requant != NPU_REQUANT_TFLITE)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: unknown requantization mode", name);
	c->inputs = calloc((size_t)n, sizeof(*c->inputs));
	l.ins = malloc((size_t)n * sizeof(int));
	l.ptrs = malloc((size_t)n * sizeof(*l.ptrs));
	if (!c->inputs || !l.ins || !l.ptrs) {
		st = npu_fail(net->ctx, NPU_E_NOMEM, "%s: out of memory", name);
		goto fail;
	}
	memcpy(dims, t0->dims, sizeof(dims));
	dims[3] = 0;
	for (i = 0; i < n; i++) {
		if (!(t = npu_layer_input(net, name, inputs[i], 1))) {
			st = NPU_E_INVAL;
			goto fail;
		}
		if (t->type != t0->type || t->dims[0] != t0->dims[0] ||
		    t->dims[1] != t0->dims[1] || t->dims[2] != t0->dims[2]) {
			st = npu_fail(net->ctx, NPU_E_INVAL, "%s: input '%s' differs from '%s' in "
				      "type, N, H or W", name, t->name, t0->name);
			goto fail;
		}
		if (dims[3] > (1 << 24) - t->dims[3]) {
			st = npu_fail(net->ctx, NPU_E_INVAL, "%s: too many channels", name);
			goto fail;
		}
		dims[3] += t->dims[3];
		c->inputs[i].c = t->dims[3];
		c->inputs[i].scale = t->scale;
		c->inputs[i].zp = t->zero_point;
		l.ins[i] = inputs[i];
	}
	c->type = t0->type;
	c->n = t0->dims[0];
	c->h = t0->dims[1];
	c->w = t0->dims[2];
	c->n_inputs = n;
	c->y_scale = p->out.scale;
	c->y_zp = p->out.zero_point;
	if ((why = npu_ort_qconcat_prepare(c))) {
		st = npu_fail(net->ctx, NPU_E_INVAL, "%s: %s", name, why);
		goto fail;
	}
	if (p->requant == NPU_REQUANT_TFLITE)
		tflite_concat_tables(c);
	l.in[0] = inputs[0];
	l.nin = 1;
	return npu_layer_finish(net, &l, name, t0->type, dims, p->out.scale, p->out.zero_point,
				id);
fail:
	npu_layer_ext_release(&l);
	return st;
}

npu_status npu_net_add_sigmoid(npu_net *net, int input, const struct npu_sigmoid_params *p,
			       int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_SIGMOID };
	struct npu_tensor *in;
	const char *name, *why;
	char nbuf[32];
	npu_status st;

	if (!net)
		return NPU_E_INVAL;
	if (!p || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_sigmoid: NULL argument");
	name = npu_layer_name(net, p->name, "sigmoid", nbuf, sizeof(nbuf));
	if (!(in = npu_layer_input(net, name, input, 1)))
		return NPU_E_INVAL;
	if (p->requant != NPU_REQUANT_ONNX)
		return npu_fail(net->ctx, NPU_E_UNSUPPORTED, "%s: only ONNX Runtime's quantized "
				"sigmoid (NPU_REQUANT_ONNX) is implemented", name);
	if ((st = npu_layer_check_out_quant(net, name, &p->out, 0, 0)) != NPU_OK)
		return st;
	if (p->out.type != in->type)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: output %s, input %s", name,
				npu_type_name(p->out.type), npu_type_name(in->type));
	l.u.osig = (struct npu_ort_qsigmoid){ .type = in->type, .elems = in->elems,
					      .x_scale = in->scale, .y_scale = p->out.scale,
					      .x_zp = in->zero_point, .y_zp = p->out.zero_point };
	if ((why = npu_ort_qsigmoid_prepare(&l.u.osig)))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s", name, why);
	l.in[0] = input;
	l.nin = 1;
	return npu_layer_finish(net, &l, name, in->type, in->dims, p->out.scale,
				p->out.zero_point, id);
}

npu_status npu_net_add_pad(npu_net *net, int input, const struct npu_pad_params *p, int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_PAD };
	struct npu_ort_pad *o = &l.u.opad;
	struct npu_tensor *in;
	const char *name, *why;
	char nbuf[32];

	if (!net)
		return NPU_E_INVAL;
	if (!p || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_pad: NULL argument");
	name = npu_layer_name(net, p->name, "pad", nbuf, sizeof(nbuf));
	if (!(in = npu_layer_input(net, name, input, 1)))
		return NPU_E_INVAL;
	if (p->pad_top < 0 || p->pad_left < 0 || p->pad_bottom < 0 || p->pad_right < 0 ||
	    p->pad_top > 4096 || p->pad_left > 4096 || p->pad_bottom > 4096 ||
	    p->pad_right > 4096)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: pads must be in 0..4096", name);
	if (p->value < npu_type_min(in->type) || p->value > npu_type_max(in->type))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: pad value %d outside %s", name,
				p->value, npu_type_name(in->type));
	o->type = in->type;
	memcpy(o->in, in->dims, sizeof(o->in));
	o->begin[1] = p->pad_top;
	o->begin[2] = p->pad_left;
	o->end[1] = p->pad_bottom;
	o->end[2] = p->pad_right;
	o->value = p->value;
	if ((why = npu_ort_pad_prepare(o)))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s", name, why);
	l.in[0] = input;
	l.nin = 1;
	return npu_layer_finish(net, &l, name, in->type, o->out, in->scale, in->zero_point, id);
}

/* ---- data movers for importers ---- */

npu_status npu_net_add_transpose(npu_net *net, const char *name, int input,
				 const int perm[4], const int out_dims[4], int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_TRANSPOSE };
	struct npu_tensor *in;
	int seen[4] = { 0 }, i;
	uint64_t n = 1;

	if (!net)
		return NPU_E_INVAL;
	if (!name || !perm || !out_dims || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_transpose: NULL argument");
	if (!(in = npu_layer_input(net, name, input, 0)))
		return NPU_E_INVAL;
	for (i = 0; i < 4; i++) {
		if (perm[i] < 0 || perm[i] > 3 || seen[perm[i]]++)
			return npu_fail(net->ctx, NPU_E_INVAL, "%s: not a permutation", name);
		if (out_dims[i] < 1)
			return npu_fail(net->ctx, NPU_E_INVAL, "%s: dimension %d is %d", name, i,
					out_dims[i]);
		n *= (uint64_t)out_dims[i];
	}
	if (n != in->elems)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %dx%dx%dx%d does not hold %zu "
				"elements", name, out_dims[0], out_dims[1], out_dims[2],
				out_dims[3], in->elems);
	memcpy(l.u.tr.in, in->dims, sizeof(l.u.tr.in));
	memcpy(l.u.tr.perm, perm, sizeof(l.u.tr.perm));
	l.u.tr.esize = npu_type_size(in->type);
	l.in[0] = input;
	l.nin = 1;
	return npu_layer_finish(net, &l, name, in->type, out_dims, in->scale, in->zero_point,
				id);
}

npu_status npu_net_add_clamp(npu_net *net, const char *name, int input, int lo, int hi,
			     int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_CLAMP };
	struct npu_tensor *in;

	if (!net)
		return NPU_E_INVAL;
	if (!name || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_clamp: NULL argument");
	if (!(in = npu_layer_input(net, name, input, 1)))
		return NPU_E_INVAL;
	if (lo > hi || lo < npu_type_min(in->type) || hi > npu_type_max(in->type))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: clamp [%d, %d] for %s", name, lo, hi,
				npu_type_name(in->type));
	l.u.clamp = (struct npu_clamp_op){ in->type, in->elems, lo, hi };
	l.in[0] = input;
	l.nin = 1;
	return npu_layer_finish(net, &l, name, in->type, in->dims, in->scale, in->zero_point,
				id);
}

npu_status npu_net_add_relabel(npu_net *net, const char *name, int input, const int dims[4],
			       float scale, int zero_point, int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_RESHAPE };
	struct npu_tensor *in;
	uint64_t n = 1;
	int i;

	if (!net)
		return NPU_E_INVAL;
	if (!name || !dims || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_relabel: NULL argument");
	if (!(in = npu_layer_input(net, name, input, 0)))
		return NPU_E_INVAL;
	for (i = 0; i < 4; i++)
		n *= dims[i] > 0 ? (uint64_t)dims[i] : 0;
	if (n != in->elems)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: the new shape does not hold %zu "
				"elements", name, in->elems);
	l.in[0] = input;
	l.nin = 1;
	return npu_layer_finish(net, &l, name, in->type, dims, scale, zero_point, id);
}

/* Owned copies of n per-channel scales (finite, > 0) and zero points (NULL: 0). */
static npu_status channel_params(npu_net *net, const char *name, const float *scales,
				 const int32_t *zps, int n, float **s, int32_t **z)
{
	for (int i = 0; i < n; i++)
		if (!(scales[i] > 0.0f) || !isfinite(scales[i]))
			return npu_fail(net->ctx, NPU_E_INVAL, "%s: scale [%d] = %g must be "
					"finite and > 0", name, i, scales[i]);
	*s = malloc((size_t)n * sizeof(**s));
	*z = calloc((size_t)n, sizeof(**z));
	if (!*s || !*z) {
		free(*s);
		free(*z);
		return npu_fail(net->ctx, NPU_E_NOMEM, "%s: out of memory", name);
	}
	memcpy(*s, scales, (size_t)n * sizeof(**s));
	if (zps)
		memcpy(*z, zps, (size_t)n * sizeof(**z));
	return NPU_OK;
}

npu_status npu_net_add_dequantize_ch(npu_net *net, const char *name, int input,
				     const float *scales, const int32_t *zps, int n, int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_DEQUANTIZE_CH };
	struct npu_ort_dequantize *d = &l.u.odeq;
	struct npu_tensor *in;
	const char *why;
	npu_status st;
	float *s;
	int32_t *z;

	if (!net)
		return NPU_E_INVAL;
	if (!name || !scales || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_dequantize_ch: NULL argument");
	if (!(in = npu_layer_input(net, name, input, 0)))
		return NPU_E_INVAL;
	if (in->type == NPU_FLOAT32)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: dequantizing a float tensor", name);
	if (n != 1 && n != in->dims[3])
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %d scales for %d channels", name, n,
				in->dims[3]);
	if ((st = channel_params(net, name, scales, zps, n, &s, &z)) != NPU_OK)
		return st;
	*d = (struct npu_ort_dequantize){ in->type, in->elems, in->dims[3], n, s, z };
	if ((why = npu_ort_dequantize_prepare(d))) {
		npu_layer_ext_release(&l);
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s", name, why);
	}
	l.in[0] = input;
	l.nin = 1;
	return npu_layer_finish(net, &l, name, NPU_FLOAT32, in->dims, 1.0f, 0, id);
}

npu_status npu_net_add_quantize_ch(npu_net *net, const char *name, int input,
				   enum npu_type type, const float *scales, const int32_t *zps,
				   int n, int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_QUANTIZE_CH };
	struct npu_ort_quantize *q = &l.u.oq;
	struct npu_tensor *in;
	const char *why;
	npu_status st;
	float *s;
	int32_t *z;

	if (!net)
		return NPU_E_INVAL;
	if (!name || !scales || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_quantize_ch: NULL argument");
	if (!(in = npu_layer_input(net, name, input, 0)))
		return NPU_E_INVAL;
	if (in->type != NPU_FLOAT32)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: quantize takes a float32 input", name);
	if (type != NPU_INT8 && type != NPU_UINT8)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: quantize to int8 or uint8", name);
	if (n != 1 && n != in->dims[3])
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %d scales for %d channels", name, n,
				in->dims[3]);
	for (int i = 0; zps && i < n; i++)
		if (zps[i] < npu_type_min(type) || zps[i] > npu_type_max(type))
			return npu_fail(net->ctx, NPU_E_INVAL, "%s: zero point [%d] = %d outside "
					"%s", name, i, (int)zps[i], npu_type_name(type));
	if ((st = channel_params(net, name, scales, zps, n, &s, &z)) != NPU_OK)
		return st;
	*q = (struct npu_ort_quantize){ type, in->elems, in->dims[3], n, s, z };
	if ((why = npu_ort_quantize_prepare(q))) {
		npu_layer_ext_release(&l);
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s", name, why);
	}
	l.in[0] = input;
	l.nin = 1;
	return npu_layer_finish(net, &l, name, type, in->dims, s[0], z[0], id);
}

int npu_net_fuse_clamp(npu_net *net, int id, int lo, int hi)
{
	int i;

	for (i = net->nlayers - 1; i >= 0; i--) {
		struct npu_layer *l = &net->layers[i];
		int *mn, *mx;

		if (l->out != id)
			continue;
		if (l->op == NPU_LAYER_CONV2D || l->op == NPU_LAYER_FC) {
			if (l->u.conv.spec.out_type == NPU_TYPE_INT32 || l->u.conv.planned)
				return 0;
			mn = &l->u.conv.spec.act_min;
			mx = &l->u.conv.spec.act_max;
		} else if (l->op == NPU_LAYER_ADD) {
			mn = &l->u.add.act_min;
			mx = &l->u.add.act_max;
		} else {
			return 0;
		}
		/* the intersection; an empty one clamps everything to lo */
		*mn = *mn > lo ? *mn : lo;
		*mx = *mx < hi ? *mx : hi;
		if (*mx < *mn)
			*mx = *mn;
		return 1;
	}
	return 0;
}

/* ---- running, naming, freeing ---- */

static void transpose_run(const struct npu_transpose_op *t, const uint8_t *in, uint8_t *out)
{
	size_t stride[4], od[4], i0, i1, i2, i3, es = t->esize;
	int j;

	stride[3] = 1;
	for (j = 2; j >= 0; j--)
		stride[j] = stride[j + 1] * (size_t)t->in[j + 1];
	for (j = 0; j < 4; j++)
		od[j] = (size_t)t->in[t->perm[j]];
	for (i0 = 0; i0 < od[0]; i0++)
		for (i1 = 0; i1 < od[1]; i1++)
			for (i2 = 0; i2 < od[2]; i2++)
				for (i3 = 0; i3 < od[3]; i3++) {
					size_t src = i0 * stride[t->perm[0]] +
						     i1 * stride[t->perm[1]] +
						     i2 * stride[t->perm[2]] +
						     i3 * stride[t->perm[3]];

					memcpy(out, in + src * es, es);
					out += es;
				}
}

static void clamp_run(const struct npu_clamp_op *c, void *data_in, void *data_out)
{
	size_t i;

	for (i = 0; i < c->elems; i++) {
		int v = c->type == NPU_UINT8 ? ((uint8_t *)data_in)[i] : ((int8_t *)data_in)[i];

		v = v < c->lo ? c->lo : v > c->hi ? c->hi : v;
		if (c->type == NPU_UINT8)
			((uint8_t *)data_out)[i] = (uint8_t)v;
		else
			((int8_t *)data_out)[i] = (int8_t)v;
	}
}

void npu_layer_ext_run(npu_net *net, struct npu_layer *l)
{
	void *in = net->tensors[l->in[0]].data, *out = net->tensors[l->out].data;

	switch (l->op) {
	case NPU_LAYER_ORT_MAXPOOL:
		npu_ort_maxpool_run(&l->u.omax, in, out);
		break;
	case NPU_LAYER_ORT_AVGPOOL:
		npu_ort_qavgpool_run(&l->u.oavg, in, out);
		break;
	case NPU_LAYER_ORT_GAP:
		npu_ort_qgap_run(&l->u.ogap, in, out);
		break;
	case NPU_LAYER_CONCAT:
		for (int i = 0; i < l->u.ocat.n_inputs; i++)
			l->ptrs[i] = net->tensors[l->ins[i]].data;
		npu_ort_qconcat_run(&l->u.ocat, l->ptrs, out);
		break;
	case NPU_LAYER_SIGMOID:
		npu_ort_qsigmoid_run(&l->u.osig, in, out);
		break;
	case NPU_LAYER_PAD:
		npu_ort_pad_run(&l->u.opad, in, out);
		break;
	case NPU_LAYER_TRANSPOSE:
		transpose_run(&l->u.tr, in, out);
		break;
	case NPU_LAYER_CLAMP:
		clamp_run(&l->u.clamp, in, out);
		break;
	case NPU_LAYER_DEQUANTIZE_CH:
		npu_ort_dequantize_run(&l->u.odeq, in, out);
		break;
	case NPU_LAYER_QUANTIZE_CH:
		npu_ort_quantize_run(&l->u.oq, in, out);
		break;
	default:
		break;
	}
}

const char *npu_layer_ext_name(const struct npu_layer *l)
{
	switch (l->op) {
	case NPU_LAYER_ORT_MAXPOOL:
		return "maxpool";
	case NPU_LAYER_ORT_AVGPOOL:
		return "avgpool";
	case NPU_LAYER_ORT_GAP:
		return "global_avgpool";
	case NPU_LAYER_CONCAT:
		return "concat";
	case NPU_LAYER_SIGMOID:
		return "sigmoid";
	case NPU_LAYER_PAD:
		return "pad";
	case NPU_LAYER_TRANSPOSE:
		return "transpose";
	case NPU_LAYER_CLAMP:
		return "clamp";
	case NPU_LAYER_DEQUANTIZE_CH:
		return "dequantize";
	case NPU_LAYER_QUANTIZE_CH:
		return "quantize";
	default:
		return "?";
	}
}

void npu_layer_ext_release(struct npu_layer *l)
{
	if (l->op == NPU_LAYER_CONCAT) {
		free(l->u.ocat.inputs);
		l->u.ocat.inputs = NULL;
	} else if (l->op == NPU_LAYER_DEQUANTIZE_CH) {
		free((void *)l->u.odeq.scale);
		free((void *)l->u.odeq.zp);
		l->u.odeq.scale = NULL;
		l->u.odeq.zp = NULL;
	} else if (l->op == NPU_LAYER_QUANTIZE_CH) {
		free((void *)l->u.oq.scale);
		free((void *)l->u.oq.zp);
		l->u.oq.scale = NULL;
		l->u.oq.zp = NULL;
	}
	free(l->ins);
	free(l->ptrs);
	l->ins = NULL;
	l->ptrs = NULL;
}
