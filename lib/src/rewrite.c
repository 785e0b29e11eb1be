/* SPDX-License-Identifier: MIT */
/*
 * Layer rewrites (npu_net_rewrite, npu.h): FC <-> convolution.
 *
 * An FC layer over an [N, H, W, C] input is, in this library, a 1x1
 * convolution over a 1x1 image of H*W*C channels whose OHWI weights are
 * [K][1][1][H*W*C] with the features in NHWC order, i.e. exactly the bytes
 * of the OHWI weights [K][H][W][C] of a convolution whose kernel covers the
 * whole H x W input. So a rewrite changes only the layer's geometry (and
 * its kind): weights, weight zero points, bias, requantization multipliers
 * and clamps are the same arrays, and every output element is the same
 * sum of the same products (int32 addition wraps, so its order does not
 * matter) requantized the same way: bit-identical outputs.
 */
#include <stdlib.h>
#include <string.h>

#include "net_internal.h"

/* The most input features an FC layer takes (npu_net_add_fc). */
#define MAX_FEATURES (1 << 20)

/* Forgets the layer's plan, fallback and report: the next run plans it again. */
static void unplan(npu_net *net, struct npu_layer *l)
{
	struct npu_conv_layer *c = &l->u.conv;

	npu_conv_plan_destroy(c->plan);
	c->plan = NULL;
	c->planned = 0;
	free(c->fallback);
	c->fallback = NULL;
	free(l->where);
	l->where = NULL;
	memset(&l->rep, 0, sizeof(l->rep));
	net->prepared = 0;
}

/* Commits spec t (already finished) to the layer as kind op. */
static void commit(npu_net *net, struct npu_layer *l, const struct npu_conv_spec *t,
		   enum npu_layer_op op)
{
	unplan(net, l);
	l->u.conv.spec = *t;
	l->op = op;
}

/*
 * FC -> convolution over the FC's own input: 1x1 over a 1x1 image when
 * the input is flat, else a kernel of the whole H x W. 0 when done.
 */
static int fc_to_conv(npu_net *net, struct npu_layer *l)
{
	const struct npu_tensor *in = &net->tensors[l->in[0]];
	struct npu_conv_spec t = l->u.conv.spec;
	const char *why;

	t.in_h = t.kh = in->dims[1];
	t.in_w = t.kw = in->dims[2];
	t.in_c = in->dims[3];
	t.stride_h = t.stride_w = t.dil_h = t.dil_w = 1;
	t.pad_top = t.pad_left = t.pad_bottom = t.pad_right = 0;
	t.groups = 1;
	if (npu_conv_spec_finish(&t, &why) || t.out_h != 1 || t.out_w != 1)
		return -1;
	commit(net, l, &t, NPU_LAYER_CONV2D);
	return 0;
}

/*
 * A convolution whose kernel covers its whole unpadded input (output 1x1,
 * one group, no dilation where the kernel is wider than 1) -> FC. 0 when
 * done, -1 when the layer is not such a convolution.
 */
static int conv_to_fc(npu_net *net, struct npu_layer *l)
{
	const struct npu_conv_spec *s = &l->u.conv.spec;
	struct npu_conv_spec t = *s;
	int64_t features = (int64_t)s->in_h * s->in_w * s->in_c;
	const char *why;

	if (s->groups != 1 || s->kh != s->in_h || s->kw != s->in_w || s->pad_top ||
	    s->pad_left || s->pad_bottom || s->pad_right || (s->kh > 1 && s->dil_h != 1) ||
	    (s->kw > 1 && s->dil_w != 1) || features > MAX_FEATURES)
		return -1;
	t.in_h = t.in_w = t.kh = t.kw = 1;
	t.in_c = (int)features;
	t.stride_h = t.stride_w = t.dil_h = t.dil_w = 1;
	if (npu_conv_spec_finish(&t, &why) || t.out_h != 1 || t.out_w != 1)
		return -1;
	commit(net, l, &t, NPU_LAYER_FC);
	return 0;
}

npu_status npu_net_rewrite(npu_net *net, unsigned flags, int *count)
{
	int i, n = 0;

	if (count)
		*count = 0;
	if (!net)
		return NPU_E_INVAL;
	if (flags & ~(NPU_REWRITE_FC_TO_CONV | NPU_REWRITE_CONV_TO_FC))
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_rewrite: unknown flags 0x%x",
				flags & ~(NPU_REWRITE_FC_TO_CONV | NPU_REWRITE_CONV_TO_FC));
	for (i = 0; i < net->nlayers; i++) {
		struct npu_layer *l = &net->layers[i];

		if (l->op == NPU_LAYER_FC && (flags & NPU_REWRITE_FC_TO_CONV))
			n += !fc_to_conv(net, l);
		else if (l->op == NPU_LAYER_CONV2D && (flags & NPU_REWRITE_CONV_TO_FC))
			n += !conv_to_fc(net, l);
	}
	if (count)
		*count = n;
	return NPU_OK;
}
