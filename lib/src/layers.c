/* SPDX-License-Identifier: MIT */
/*
 * Adding layers: every parameter is checked and every derived value
 * (output shape, requantization multipliers, clamps, layouts) computed
 * here, once, so that running a layer cannot fail for a reason known at
 * build time. A call that fails leaves the net as it was.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "layout.h"
#include "net_internal.h"

/* The limits npu_conv_spec_finish applies to every dimension. */
#define MAX_DIM (1 << 20)
#define MAX_WINDOW 4096

static int is_8bit(enum npu_type t)
{
	return t == NPU_INT8 || t == NPU_UINT8;
}

static enum npu_dtype dev_type(enum npu_type t)
{
	return t == NPU_UINT8 ? NPU_TYPE_UINT8 : t == NPU_INT32 ? NPU_TYPE_INT32
								: NPU_TYPE_INT8;
}

/* A layer's name: the caller's, or "<op><layer index>". */
static const char *layer_name(npu_net *net, const char *name, const char *op,
			      char *buf, size_t len)
{
	if (name && *name)
		return name;
	snprintf(buf, len, "%s%d", op, net->nlayers);
	return buf;
}

/* The input tensor of a layer, or NULL with the error recorded. */
static struct npu_tensor *input_of(npu_net *net, const char *layer, int id, int need_8bit)
{
	struct npu_tensor *t;

	if (id < 0 || id >= net->ntensors) {
		npu_fail(net->ctx, NPU_E_INVAL, "%s: input tensor id %d does not exist", layer,
			 id);
		return NULL;
	}
	t = &net->tensors[id];
	if (need_8bit && !is_8bit(t->type)) {
		npu_fail(net->ctx, NPU_E_INVAL,
			 "%s: input '%s' is %s; this op takes int8 or uint8 (quantize first)",
			 layer, t->name, npu_type_name(t->type));
		return NULL;
	}
	return t;
}

static npu_status check_quant(npu_net *net, const char *layer, const char *what,
			      enum npu_type t, float scale, int zp)
{
	if (!(scale > 0.0f) || !isfinite(scale))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s scale %g must be finite and > 0",
				layer, what, scale);
	if (zp < npu_type_min(t) || zp > npu_type_max(t))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s zero point %d outside %s's range",
				layer, what, zp, npu_type_name(t));
	return NPU_OK;
}

static npu_status check_out_quant(npu_net *net, const char *layer,
				  const struct npu_out_quant *q, int allow_int32,
				  int allow_float)
{
	if (q->type == NPU_INT32 && allow_int32)
		return NPU_OK;
	if (q->type == NPU_FLOAT32 && allow_float)
		return NPU_OK;
	if (!is_8bit(q->type))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: output type %s not allowed here",
				layer, npu_type_name(q->type));
	return check_quant(net, layer, "output", q->type, q->scale, q->zero_point);
}

/* Appends layer l producing a new tensor; undoes everything on failure. */
static npu_status finish_layer(npu_net *net, struct npu_layer *l, const char *name,
			       enum npu_type type, const int dims[4], float scale, int zp,
			       int *id)
{
	npu_status st;

	st = npu_net_new_tensor(net, name, type, dims, scale, zp, &l->out);
	if (st == NPU_OK) {
		st = npu_net_append_layer(net, l);
		if (st != NPU_OK)
			npu_net_drop_last_tensor(net);
	}
	if (st != NPU_OK) {
		if (l->op == NPU_LAYER_CONV2D || l->op == NPU_LAYER_FC)
			npu_conv_layer_release(&l->u.conv);
		else if (l->op >= NPU_LAYER_EXT_FIRST)
			npu_layer_ext_release(l);
		return st;
	}
	*id = l->out;
	return NPU_OK;
}

/* ---- conv and FC ---------------------------------------------------- */

static npu_status check_weights(npu_net *net, const char *layer,
				const struct npu_weights *w, int k)
{
	int i;

	if (!w->data)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: weights data is NULL", layer);
	if (!is_8bit(w->type))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: weights must be int8 or uint8",
				layer);
	if (w->layout != NPU_OHWI && w->layout != NPU_OIHW)
		return npu_fail(net->ctx, NPU_E_INVAL,
				"%s: weight layout must be NPU_OHWI or NPU_OIHW", layer);
	if (!w->scales || (w->n_scales != 1 && w->n_scales != k))
		return npu_fail(net->ctx, NPU_E_INVAL,
				"%s: %d weight scales for %d output channels (need 1 or %d)",
				layer, w->scales ? w->n_scales : 0, k, k);
	for (i = 0; i < w->n_scales; i++)
		if (!(w->scales[i] > 0.0f) || !isfinite(w->scales[i]))
			return npu_fail(net->ctx, NPU_E_INVAL,
					"%s: weight scale [%d] = %g must be finite and > 0",
					layer, i, w->scales[i]);
	if (w->zero_points) {
		if (w->n_zero_points != 1 && w->n_zero_points != k)
			return npu_fail(net->ctx, NPU_E_INVAL,
					"%s: %d weight zero points for %d output channels",
					layer, w->n_zero_points, k);
		for (i = 0; i < w->n_zero_points; i++)
			if (w->zero_points[i] < npu_type_min(w->type) ||
			    w->zero_points[i] > npu_type_max(w->type))
				return npu_fail(net->ctx, NPU_E_INVAL,
						"%s: weight zero point [%d] = %d outside %s's range",
						layer, i, (int)w->zero_points[i],
						npu_type_name(w->type));
	}
	return NPU_OK;
}

/* Per-channel bias, weight zero points and requantization arrays. */
static npu_status channel_params(npu_net *net, const char *layer, struct npu_conv_layer *c,
				 const struct npu_weights *w, float in_scale,
				 const struct npu_out_quant *oq, enum npu_requant mode)
{
	struct npu_conv_spec *s = &c->spec;
	int k, K = s->out_c;

	c->bias = calloc((size_t)K, sizeof(*c->bias));
	c->w_zp = calloc((size_t)K, sizeof(*c->w_zp));
	if (!c->bias || !c->w_zp)
		return npu_fail(net->ctx, NPU_E_NOMEM, "%s: out of memory", layer);
	for (k = 0; k < K; k++) {
		c->bias[k] = w->bias ? w->bias[k] : 0;
		if (w->zero_points)
			c->w_zp[k] = w->zero_points[w->n_zero_points == 1 ? 0 : k];
	}
	s->bias = c->bias;
	s->w_zp = c->w_zp;
	if (oq->type == NPU_INT32) {
		s->rq_mode = NPU_RQ_NONE;
		return NPU_OK;
	}
	if (mode == NPU_REQUANT_TFLITE) {
		s->rq_mode = NPU_RQ_FIXED;
		c->rq_mult = calloc((size_t)K, sizeof(*c->rq_mult));
		c->rq_shift = calloc((size_t)K, sizeof(*c->rq_shift));
		if (!c->rq_mult || !c->rq_shift)
			return npu_fail(net->ctx, NPU_E_NOMEM, "%s: out of memory", layer);
	} else if (mode == NPU_REQUANT_ONNX) {
		s->rq_mode = NPU_RQ_FP32;
		c->rq_scale = calloc((size_t)K, sizeof(*c->rq_scale));
		if (!c->rq_scale)
			return npu_fail(net->ctx, NPU_E_NOMEM, "%s: out of memory", layer);
	} else {
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: unknown requantization mode %d",
				layer, (int)mode);
	}
	for (k = 0; k < K; k++) {
		float ws = w->scales[w->n_scales == 1 ? 0 : k];

		if (mode == NPU_REQUANT_TFLITE) {
			/* TFLite derives the multiplier in double. */
			double m = (double)in_scale * ws / oq->scale;
			int shift;

			npu_quantize_multiplier(m, &c->rq_mult[k], &shift);
			if (shift < NPU_SHIFT_MIN || shift > NPU_SHIFT_MAX)
				return npu_fail(net->ctx, NPU_E_INVAL,
						"%s: channel %d: multiplier %g is too large for "
						"fixed-point requantization", layer, k, m);
			c->rq_shift[k] = (int8_t)shift;
		} else {
			c->rq_scale[k] = npu_fp32_multiplier(in_scale, ws, oq->scale);
			if (!isfinite(c->rq_scale[k]))
				return npu_fail(net->ctx, NPU_E_INVAL,
						"%s: channel %d: fp32 multiplier is not finite",
						layer, k);
		}
	}
	s->rq_mult = c->rq_mult;
	s->rq_shift = c->rq_shift;
	s->rq_scale = c->rq_scale;
	return NPU_OK;
}

/*
 * The common part of conv2d and FC: s holds the geometry; checks and
 * derives the rest, copies the weights into OHWI. For OIHW, `chw` gives
 * the C and H*W the weights' inner axes are made of.
 */
static npu_status build_conv(npu_net *net, const char *layer, const struct npu_tensor *in,
			     struct npu_conv_layer *c, const struct npu_weights *w,
			     const struct npu_out_quant *oq, enum npu_requant mode,
			     enum npu_act act, float clip_min, float clip_max, size_t oihw_c,
			     size_t oihw_hw)
{
	struct npu_conv_spec *s = &c->spec;
	const char *why;
	npu_status st;
	size_t welems;

	if (s->out_c < 1 || s->out_c > MAX_DIM)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %d output channels (must be 1..%d)",
				layer, s->out_c, MAX_DIM);
	if ((st = check_weights(net, layer, w, s->out_c)) != NPU_OK ||
	    (st = check_out_quant(net, layer, oq, 1, 0)) != NPU_OK)
		return st;
	if ((why = npu_act_check(act, clip_min, clip_max)))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s (act %d, clip [%g, %g])", layer,
				why, (int)act, clip_min, clip_max);
	if (oq->type == NPU_INT32 && act != NPU_ACT_NONE)
		return npu_fail(net->ctx, NPU_E_INVAL,
				"%s: int32 output is raw accumulators: no activation", layer);
	s->in_type = dev_type(in->type);
	s->w_type = dev_type(w->type);
	s->out_type = dev_type(oq->type);
	s->in_zp = in->zero_point;
	if (oq->type != NPU_INT32) {
		s->out_zp = oq->zero_point;
		/* The clamp as the requantization mode's framework derives it. */
		if ((why = npu_act_bounds(mode, act, clip_min, clip_max, oq->type, oq->scale,
					  oq->zero_point, &s->act_min, &s->act_max)))
			return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s", layer, why);
	}
	st = channel_params(net, layer, c, w, in->scale, oq, mode);
	if (st != NPU_OK)
		return st;
	if (npu_conv_spec_finish(s, &why))
		/* The reference names size overflows in its reason. */
		return npu_fail(net->ctx, strstr(why, "overflow") ? NPU_E_OVERFLOW : NPU_E_INVAL,
				"%s: %s", layer, why);
	welems = npu_conv_w_elems(s);
	c->w = malloc(welems);
	if (!c->w)
		return npu_fail(net->ctx, NPU_E_NOMEM, "%s: out of memory for %zu weights",
				layer, welems);
	if (w->layout == NPU_OIHW)
		npu_nchw_to_nhwc(w->data, c->w, (size_t)s->out_c, oihw_c, oihw_hw, 1);
	else
		memcpy(c->w, w->data, welems);
	return NPU_OK;
}

static uint64_t conv_params(const struct npu_conv_spec *s)
{
	return (uint64_t)npu_conv_w_elems(s) + (uint64_t)s->out_c;
}

npu_status npu_net_add_conv2d(npu_net *net, int input, const struct npu_conv2d_params *p,
			      int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_CONV2D };
	struct npu_conv_spec *s = &l.u.conv.spec;
	struct npu_tensor *in;
	char nbuf[32];
	const char *name;
	npu_status st;
	int dims[4];

	if (!net)
		return NPU_E_INVAL;
	if (!p || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_conv2d: NULL argument");
	name = layer_name(net, p->name, "conv", nbuf, sizeof(nbuf));
	if (!(in = input_of(net, name, input, 1)))
		return NPU_E_INVAL;
	s->n = in->dims[0];
	s->in_h = in->dims[1];
	s->in_w = in->dims[2];
	s->in_c = in->dims[3];
	s->out_c = p->out_channels;
	s->kh = p->kernel_h;
	s->kw = p->kernel_w;
	s->stride_h = p->stride_h ? p->stride_h : 1;
	s->stride_w = p->stride_w ? p->stride_w : 1;
	s->dil_h = p->dilation_h ? p->dilation_h : 1;
	s->dil_w = p->dilation_w ? p->dilation_w : 1;
	s->pad_top = p->pad_top;
	s->pad_left = p->pad_left;
	s->pad_bottom = p->pad_bottom;
	s->pad_right = p->pad_right;
	s->groups = p->groups ? p->groups : 1;
	if (s->groups < 1 || s->in_c % s->groups || s->out_c % s->groups) {
		st = npu_fail(net->ctx, NPU_E_INVAL,
			      "%s: groups %d must divide input (%d) and output (%d) channels",
			      name, s->groups, s->in_c, s->out_c);
		goto fail;
	}
	st = build_conv(net, name, in, &l.u.conv, &p->weights, &p->out, p->requant, p->act,
			p->clip_min, p->clip_max, (size_t)(s->in_c / s->groups),
			(size_t)s->kh * s->kw);
	if (st != NPU_OK)
		goto fail;
	l.in[0] = input;
	l.nin = 1;
	l.params = conv_params(s);
	l.macs = npu_conv_macs(s);
	dims[0] = s->n;
	dims[1] = s->out_h;
	dims[2] = s->out_w;
	dims[3] = s->out_c;
	return finish_layer(net, &l, name, p->out.type, dims, p->out.scale,
			    p->out.zero_point, id);
fail:
	npu_conv_layer_release(&l.u.conv);
	return st;
}

npu_status npu_net_add_fc(npu_net *net, int input, const struct npu_fc_params *p, int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_FC };
	struct npu_conv_spec *s = &l.u.conv.spec;
	struct npu_tensor *in;
	char nbuf[32];
	const char *name;
	npu_status st;
	int64_t features;
	int dims[4];

	if (!net)
		return NPU_E_INVAL;
	if (!p || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_fc: NULL argument");
	name = layer_name(net, p->name, "fc", nbuf, sizeof(nbuf));
	if (!(in = input_of(net, name, input, 1)))
		return NPU_E_INVAL;
	features = (int64_t)in->dims[1] * in->dims[2] * in->dims[3];
	if (features > MAX_DIM)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %lld input features (at most %d)",
				name, (long long)features, MAX_DIM);
	/* One engine for both: FC is a 1x1 convolution over a 1x1 image. */
	s->n = in->dims[0];
	s->in_h = s->in_w = 1;
	s->in_c = (int)features;
	s->out_c = p->units;
	s->kh = s->kw = 1;
	s->stride_h = s->stride_w = s->dil_h = s->dil_w = 1;
	s->groups = 1;
	st = build_conv(net, name, in, &l.u.conv, &p->weights, &p->out, p->requant, p->act,
			p->clip_min, p->clip_max, (size_t)in->dims[3],
			(size_t)in->dims[1] * in->dims[2]);
	if (st != NPU_OK) {
		npu_conv_layer_release(&l.u.conv);
		return st;
	}
	l.in[0] = input;
	l.nin = 1;
	l.params = conv_params(s);
	l.macs = npu_conv_macs(s);
	dims[0] = s->n;
	dims[1] = dims[2] = 1;
	dims[3] = s->out_c;
	return finish_layer(net, &l, name, p->out.type, dims, p->out.scale,
			    p->out.zero_point, id);
}

/* ---- CPU ops -------------------------------------------------------- */

static npu_status pool_common(npu_net *net, const char *name, int input,
			      enum npu_layer_op op, const struct npu_pool_params *p, int *id)
{
	struct npu_layer l = { .op = op };
	struct npu_pool_op *po = &l.u.pool;
	struct npu_tensor *in;
	int64_t oh, ow;
	int dims[4];

	if (!(in = input_of(net, name, input, 1)))
		return NPU_E_INVAL;
	po->kind = op == NPU_LAYER_MAXPOOL ? NPU_POOL_MAX : NPU_POOL_AVG;
	po->type = in->type;
	memcpy(po->in, in->dims, sizeof(po->in));
	po->kh = p->kernel_h;
	po->kw = p->kernel_w;
	po->sh = p->stride_h ? p->stride_h : 1;
	po->sw = p->stride_w ? p->stride_w : 1;
	po->pad_top = p->pad_top;
	po->pad_left = p->pad_left;
	if (po->kh < 1 || po->kw < 1 || po->kh > MAX_WINDOW || po->kw > MAX_WINDOW ||
	    po->sh < 1 || po->sw < 1 || po->sh > MAX_WINDOW || po->sw > MAX_WINDOW)
		return npu_fail(net->ctx, NPU_E_INVAL,
				"%s: kernel %dx%d / stride %dx%d must be in 1..%d", name,
				po->kh, po->kw, po->sh, po->sw, MAX_WINDOW);
	/* Average sums a window of 8-bit values in int32. */
	if (po->kind == NPU_POOL_AVG && (int64_t)po->kh * po->kw > (1 << 23))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %dx%d is too large to average",
				name, po->kh, po->kw);
	/* A pad as large as the kernel would make windows without any pixel. */
	if (p->pad_top < 0 || p->pad_left < 0 || p->pad_bottom < 0 || p->pad_right < 0 ||
	    p->pad_top >= po->kh || p->pad_bottom >= po->kh ||
	    p->pad_left >= po->kw || p->pad_right >= po->kw)
		return npu_fail(net->ctx, NPU_E_INVAL,
				"%s: padding must be >= 0 and smaller than the kernel", name);
	oh = ((int64_t)in->dims[1] + p->pad_top + p->pad_bottom - po->kh);
	ow = ((int64_t)in->dims[2] + p->pad_left + p->pad_right - po->kw);
	if (oh < 0 || ow < 0)
		return npu_fail(net->ctx, NPU_E_INVAL,
				"%s: kernel %dx%d larger than the padded %dx%d input", name,
				po->kh, po->kw, in->dims[1], in->dims[2]);
	dims[0] = in->dims[0];
	dims[1] = (int)(oh / po->sh + 1);
	dims[2] = (int)(ow / po->sw + 1);
	dims[3] = in->dims[3];
	memcpy(po->out, dims, sizeof(po->out));
	l.in[0] = input;
	l.nin = 1;
	return finish_layer(net, &l, name, in->type, dims, in->scale, in->zero_point, id);
}

npu_status npu_net_add_pool(npu_net *net, int input, const struct npu_pool_params *p,
			    int *id)
{
	char nbuf[32];
	const char *name;

	if (!net)
		return NPU_E_INVAL;
	if (!p || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_pool: NULL argument");
	if (p->kind != NPU_POOL_MAX && p->kind != NPU_POOL_AVG && p->kind != NPU_POOL_GLOBAL_AVG)
		return npu_fail(net->ctx, NPU_E_INVAL, "unknown pooling kind %d", (int)p->kind);
	name = layer_name(net, p->name, p->kind == NPU_POOL_MAX ? "maxpool" :
			  p->kind == NPU_POOL_AVG ? "avgpool" : "gap", nbuf, sizeof(nbuf));
	if (p->requant == NPU_REQUANT_ONNX)
		return npu_net_add_ort_pool(net, name, input, p, id);
	if (p->requant != NPU_REQUANT_TFLITE)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: unknown requantization mode %d", name,
				(int)p->requant);
	/* TFLite's pools: no dilation, floor sizes, the input's quantization */
	if ((p->dilation_h > 1 || p->dilation_w > 1 || p->ceil_mode || p->count_include_pad))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: dilations, ceil_mode and "
				"count_include_pad are ONNX pooling (NPU_REQUANT_ONNX)", name);
	if (p->out.scale != 0.0f) {
		struct npu_tensor *in = input_of(net, name, input, 1);

		if (!in)
			return NPU_E_INVAL;
		if (p->out.type != in->type || p->out.scale != in->scale ||
		    p->out.zero_point != in->zero_point)
			return npu_fail(net->ctx, NPU_E_INVAL, "%s: TFLite pooling keeps the "
					"input's type and quantization", name);
	}
	if (p->kind == NPU_POOL_GLOBAL_AVG)
		return npu_net_add_global_avg_pool(net, name, input, id);
	return pool_common(net, name, input,
			   p->kind == NPU_POOL_MAX ? NPU_LAYER_MAXPOOL : NPU_LAYER_AVGPOOL, p,
			   id);
}

npu_status npu_net_add_global_avg_pool(npu_net *net, const char *name, int input, int *id)
{
	struct npu_pool_params p = { 0 };
	struct npu_tensor *in;
	char nbuf[32];

	if (!net)
		return NPU_E_INVAL;
	if (!id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_global_avg_pool: NULL id");
	name = layer_name(net, name, "gap", nbuf, sizeof(nbuf));
	if (!(in = input_of(net, name, input, 1)))
		return NPU_E_INVAL;
	p.kind = NPU_POOL_AVG;
	p.kernel_h = in->dims[1];
	p.kernel_w = in->dims[2];
	return pool_common(net, name, input, NPU_LAYER_GLOBAL_AVGPOOL, &p, id);
}

npu_status npu_net_add_add(npu_net *net, int a, int b, const struct npu_add_params *p,
			   int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_ADD };
	struct npu_add_op *op = &l.u.add;
	struct npu_tensor *ta, *tb;
	char nbuf[32];
	const char *name, *why;
	npu_status st;
	int bcast;

	if (!net)
		return NPU_E_INVAL;
	if (!p || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_add: NULL argument");
	name = layer_name(net, p->name, "add", nbuf, sizeof(nbuf));
	if (!(ta = input_of(net, name, a, 1)) || !(tb = input_of(net, name, b, 1)))
		return NPU_E_INVAL;
	/* b may hold one value per channel of a (ONNX mode: [1, C, 1, 1] broadcast) */
	bcast = p->requant == NPU_REQUANT_ONNX && tb->dims[0] == 1 && tb->dims[1] == 1 &&
		tb->dims[2] == 1 && tb->dims[3] == ta->dims[3] && tb->elems != ta->elems;
	if ((memcmp(ta->dims, tb->dims, sizeof(ta->dims)) && !bcast) ||
	    (ta->type != tb->type && p->requant != NPU_REQUANT_ONNX))
		return npu_fail(net->ctx, NPU_E_INVAL,
				"%s: inputs '%s' %dx%dx%dx%d %s and '%s' %dx%dx%dx%d %s differ "
				"(add needs the same shape and type, or in ONNX mode b with "
				"one value per channel)", name,
				ta->name, ta->dims[0], ta->dims[1], ta->dims[2], ta->dims[3],
				npu_type_name(ta->type), tb->name, tb->dims[0], tb->dims[1],
				tb->dims[2], tb->dims[3], npu_type_name(tb->type));
	if ((st = check_out_quant(net, name, &p->out, 0, 0)) != NPU_OK)
		return st;
	if (p->requant != NPU_REQUANT_TFLITE && p->requant != NPU_REQUANT_ONNX)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: unknown requantization mode", name);
	op->mode = p->requant;
	op->in_type = ta->type;
	op->b_type = tb->type;
	op->out_type = p->out.type;
	op->elems = ta->elems;
	op->b_channels = bcast ? ta->dims[3] : 0;
	op->a_zp = ta->zero_point;
	op->b_zp = tb->zero_point;
	op->out_zp = p->out.zero_point;
	/* The clamp as the requantization mode's framework derives it. */
	if ((why = npu_act_bounds(p->requant, p->act, p->clip_min, p->clip_max, p->out.type,
				  p->out.scale, p->out.zero_point, &op->act_min, &op->act_max)))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s (act %d, clip [%g, %g])", name,
				why, (int)p->act, p->clip_min, p->clip_max);
	if ((why = npu_add_prepare(op, ta->scale, tb->scale, p->out.scale)))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: %s", name, why);
	l.in[0] = a;
	l.in[1] = b;
	l.nin = 2;
	return finish_layer(net, &l, name, p->out.type, ta->dims, p->out.scale,
			    p->out.zero_point, id);
}

npu_status npu_net_add_softmax(npu_net *net, int input, const struct npu_softmax_params *p,
			       int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_SOFTMAX };
	struct npu_softmax_op *op = &l.u.softmax;
	struct npu_tensor *in;
	char nbuf[32];
	const char *name;
	npu_status st;

	if (!net)
		return NPU_E_INVAL;
	if (!p || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_softmax: NULL argument");
	name = layer_name(net, p->name, "softmax", nbuf, sizeof(nbuf));
	if (!(in = input_of(net, name, input, 1)))
		return NPU_E_INVAL;
	if ((st = check_out_quant(net, name, &p->out, 0, 1)) != NPU_OK)
		return st;
	op->beta = p->beta == 0.0f ? 1.0f : p->beta;
	if (!(op->beta > 0.0f) || !isfinite(op->beta))
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: beta %g must be finite and > 0",
				name, p->beta);
	op->in_type = in->type;
	op->out_type = p->out.type;
	op->in_scale = in->scale;
	op->in_zp = in->zero_point;
	op->out_scale = p->out.scale;
	op->out_zp = p->out.zero_point;
	op->rows = in->elems / (size_t)in->dims[3];
	op->depth = in->dims[3];
	l.in[0] = input;
	l.nin = 1;
	return finish_layer(net, &l, name, p->out.type, in->dims, p->out.scale,
			    p->out.zero_point, id);
}

npu_status npu_net_add_quantize(npu_net *net, const char *name, int input,
				const struct npu_out_quant *out, int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_QUANTIZE };
	struct npu_tensor *in;
	char nbuf[32];
	npu_status st;

	if (!net)
		return NPU_E_INVAL;
	if (!out || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_quantize: NULL argument");
	name = layer_name(net, name, "quantize", nbuf, sizeof(nbuf));
	if (!(in = input_of(net, name, input, 0)))
		return NPU_E_INVAL;
	if (in->type != NPU_FLOAT32)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: quantize takes a float32 input",
				name);
	if ((st = check_out_quant(net, name, out, 0, 0)) != NPU_OK)
		return st;
	l.in[0] = input;
	l.nin = 1;
	return finish_layer(net, &l, name, out->type, in->dims, out->scale,
			    out->zero_point, id);
}

npu_status npu_net_add_dequantize(npu_net *net, const char *name, int input, int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_DEQUANTIZE };
	struct npu_tensor *in;
	char nbuf[32];

	if (!net)
		return NPU_E_INVAL;
	if (!id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_dequantize: NULL id");
	name = layer_name(net, name, "dequantize", nbuf, sizeof(nbuf));
	if (!(in = input_of(net, name, input, 1)))
		return NPU_E_INVAL;
	l.in[0] = input;
	l.nin = 1;
	return finish_layer(net, &l, name, NPU_FLOAT32, in->dims, 1.0f, 0, id);
}

npu_status npu_net_add_reshape(npu_net *net, const char *name, int input,
			       const int dims[4], int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_RESHAPE };
	struct npu_tensor *in;
	char nbuf[32];
	uint64_t elems = 1;
	int i;

	if (!net)
		return NPU_E_INVAL;
	if (!dims || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_reshape: NULL argument");
	name = layer_name(net, name, "reshape", nbuf, sizeof(nbuf));
	if (!(in = input_of(net, name, input, 0)))
		return NPU_E_INVAL;
	for (i = 0; i < 4; i++) {
		if (dims[i] < 1)
			return npu_fail(net->ctx, NPU_E_INVAL, "%s: dimension %d is %d", name,
					i, dims[i]);
		/* Stop before overflowing: more than the input is already wrong. */
		elems *= (uint64_t)dims[i];
		if (elems > in->elems)
			break;
	}
	if (elems != in->elems)
		return npu_fail(net->ctx, NPU_E_INVAL,
				"%s: %dx%dx%dx%d does not hold the input's %zu elements", name,
				dims[0], dims[1], dims[2], dims[3], in->elems);
	l.in[0] = input;
	l.nin = 1;
	return finish_layer(net, &l, name, in->type, dims, in->scale, in->zero_point, id);
}

npu_status npu_net_add_flatten(npu_net *net, const char *name, int input, int *id)
{
	struct npu_layer l = { .op = NPU_LAYER_FLATTEN };
	struct npu_tensor *in;
	char nbuf[32];
	int64_t c;
	int dims[4];

	if (!net)
		return NPU_E_INVAL;
	if (!id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_flatten: NULL id");
	name = layer_name(net, name, "flatten", nbuf, sizeof(nbuf));
	if (!(in = input_of(net, name, input, 0)))
		return NPU_E_INVAL;
	c = (int64_t)in->dims[1] * in->dims[2] * in->dims[3];
	if (c > INT32_MAX)
		return npu_fail(net->ctx, NPU_E_OVERFLOW, "%s: %lld features do not fit an int",
				name, (long long)c);
	dims[0] = in->dims[0];
	dims[1] = dims[2] = 1;
	dims[3] = (int)c;
	l.in[0] = input;
	l.nin = 1;
	return finish_layer(net, &l, name, in->type, dims, in->scale, in->zero_point, id);
}

/* ---- shared with layers_ext.c ---- */

const char *npu_layer_name(npu_net *net, const char *name, const char *op, char *buf,
			   size_t len)
{
	return layer_name(net, name, op, buf, len);
}

struct npu_tensor *npu_layer_input(npu_net *net, const char *layer, int id, int need_8bit)
{
	return input_of(net, layer, id, need_8bit);
}

npu_status npu_layer_check_out_quant(npu_net *net, const char *layer,
				     const struct npu_out_quant *q, int allow_int32,
				     int allow_float)
{
	return check_out_quant(net, layer, q, allow_int32, allow_float);
}

npu_status npu_layer_finish(npu_net *net, struct npu_layer *l, const char *name,
			    enum npu_type type, const int dims[4], float scale, int zp, int *id)
{
	return finish_layer(net, l, name, type, dims, scale, zp, id);
}
