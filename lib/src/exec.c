/* SPDX-License-Identifier: MIT */
/*
 * Running a net: plan the conv/FC layers on the device once, then run the
 * layers in order; a layer the device refuses runs on the CPU and says
 * why (the fast CPU path, lib/cpu). In check mode every conv/FC result,
 * wherever it ran, is compared with the reference, bit for bit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "net_internal.h"
#include "npu_cpu.h"
#include "testing.h"

static npu_status cpu_conv(npu_ctx *ctx, const struct npu_conv_layer *c, const void *in,
			   void *out)
{
	int rc = npu_cpu_conv(&c->spec, in, c->w, out, ctx->threads);

	/* It returns negative errno values; the spec was checked when added. */
	if (rc == -ENOMEM)
		return NPU_E_NOMEM;
	return rc ? NPU_E_INVAL : NPU_OK;
}

/* The layer runs on the CPU, and its report says why: "cpu (fallback: <why>)". */
static npu_status set_fallback(npu_net *net, struct npu_layer *l, const char *why)
{
	struct npu_conv_layer *c = &l->u.conv;
	size_t len = strlen(why) + 32;

	free(c->fallback);
	free(l->where);
	c->fallback = strdup(*why ? why : "unsupported");
	l->where = malloc(len);
	if (!c->fallback || !l->where)
		return npu_fail(net->ctx, NPU_E_NOMEM, "out of memory");
	snprintf(l->where, len, "cpu (fallback: %s)", c->fallback);
	return NPU_OK;
}

static npu_status plan_layer(npu_net *net, struct npu_layer *l)
{
	struct npu_conv_layer *c = &l->u.conv;
	char why[NPU_MSG_LEN] = "";
	npu_status st;

	if (c->planned)
		return NPU_OK;
	st = npu_conv_plan_create(net->ctx->dev, &c->spec, c->w, &c->plan, why, sizeof(why));
	if (st == NPU_E_UNSUPPORTED) {
		c->plan = NULL;
		if ((st = set_fallback(net, l, why)) != NPU_OK)
			return st;
	} else if (st != NPU_OK) {
		c->plan = NULL;
		return npu_fail(net->ctx, st, "layer '%s': planning on %s failed: %s", l->name,
				npu_device_backend(net->ctx->dev), *why ? why : npu_strerror(st));
	}
	c->planned = 1;
	return NPU_OK;
}

/*
 * Plans every conv/FC layer (a plan that does not fit in device memory even
 * alone becomes a CPU fallback) and sizes the check buffer. Plans keep
 * only their weights resident (while memory allows), so any number of
 * layers can be planned.
 */
static npu_status prepare(npu_net *net)
{
	size_t need = 0;
	npu_status st;
	int i;

	for (i = 0; i < net->nlayers; i++) {
		struct npu_layer *l = &net->layers[i];

		if (l->op != NPU_LAYER_CONV2D && l->op != NPU_LAYER_FC)
			continue;
		if ((st = plan_layer(net, l)) != NPU_OK)
			return st;
		if (net->tensors[l->out].bytes > need)
			need = net->tensors[l->out].bytes;
	}
	if (net->ctx->checking && need > net->check_buf_bytes) {
		free(net->check_buf);
		net->check_buf_bytes = 0;
		if (!(net->check_buf = malloc(need)))
			return npu_fail(net->ctx, NPU_E_NOMEM, "out of memory for check buffer");
		net->check_buf_bytes = need;
	}
	net->prepared = 1;
	return NPU_OK;
}

/* Compares a conv result with npu_ref_conv; NPU_E_MISMATCH names the first difference. */
static npu_status check_conv(npu_net *net, struct npu_layer *l, const void *in,
			     const struct npu_tensor *out)
{
	struct npu_conv_layer *c = &l->u.conv;
	struct npu_layer_report *r = &l->rep;
	struct npu_diff d;

	npu_ref_conv(&c->spec, in, c->w, net->check_buf);
	npu_compare(c->spec.out_type, net->check_buf, out->data, out->elems, &d);
	if (!d.count) {
		r->check = NPU_CHECK_PASS;
		return NPU_OK;
	}
	r->check = NPU_CHECK_MISMATCH;
	r->mismatches = d.count;
	npu_nhwc_coord(d.first, out->dims, r->first_diff);
	r->expected = d.expected;
	r->actual = d.actual;
	return npu_fail(net->ctx, NPU_E_MISMATCH,
			"layer '%s' (%s): %llu of %zu output elements differ from the "
			"reference; first at n=%d h=%d w=%d c=%d: expected %d, got %d",
			l->name, r->where, (unsigned long long)d.count, out->elems,
			r->first_diff[0], r->first_diff[1], r->first_diff[2], r->first_diff[3],
			(int)d.expected, (int)d.actual);
}

static npu_status run_conv(npu_net *net, struct npu_layer *l, const struct npu_tensor *in,
			   struct npu_tensor *out)
{
	struct npu_conv_layer *c = &l->u.conv;
	struct npu_layer_report *r = &l->rep;
	struct npu_run_stats s = { 0 };
	char msg[NPU_MSG_LEN] = "";
	npu_status st;
	double t0 = npu_now();

	if (c->plan) {
		st = npu_conv_plan_run(c->plan, in->data, out->data, &s, msg, sizeof(msg));
		if (st != NPU_OK)
			return npu_fail(net->ctx, st, "layer '%s' on %s: %s", l->name,
					npu_device_backend(net->ctx->dev),
					*msg ? msg : npu_strerror(st));
		r->on_device = s.on_device;
		r->reload_bytes = s.reload_bytes;
		if (!s.on_device && s.fallback) {
			/* no device memory for it this time: the plan ran it on the CPU */
			if ((st = set_fallback(net, l, s.fallback)) != NPU_OK)
				return st;
			r->where = l->where;
		} else {
			if (c->fallback) {	/* it fits again */
				free(c->fallback);
				c->fallback = NULL;
			}
			r->where = s.on_device ? npu_device_backend(net->ctx->dev) : "cpu";
		}
		r->cycles = s.cycles;
		r->mac_active = s.mac_active;
		r->dram_read = s.rd_bytes;
		r->dram_written = s.wr_bytes;
		r->dram_compulsory = s.compulsory_bytes;
		r->dram_planned = s.planned_bytes;
		r->descriptors = s.descriptors;
		r->jobs = s.jobs;
	} else {
		if ((st = cpu_conv(net->ctx, c, in->data, out->data)) != NPU_OK)
			return npu_fail(net->ctx, st, "layer '%s': CPU convolution failed: %s",
					l->name, npu_strerror(st));
		r->where = l->where;
	}
	r->seconds = npu_now() - t0;
	r->ran = 1;
	if (net->ctx->checking)
		return check_conv(net, l, in->data, out);
	return NPU_OK;
}

static void run_cpu_op(struct npu_layer *l, struct npu_tensor *const in[2],
		       struct npu_tensor *out)
{
	switch (l->op) {
	case NPU_LAYER_MAXPOOL:
	case NPU_LAYER_AVGPOOL:
	case NPU_LAYER_GLOBAL_AVGPOOL:
		npu_pool_run(&l->u.pool, in[0]->data, out->data);
		break;
	case NPU_LAYER_ADD:
		npu_add_run(&l->u.add, in[0]->data, in[1]->data, out->data);
		break;
	case NPU_LAYER_SOFTMAX:
		npu_softmax_run(&l->u.softmax, in[0]->data, out->data);
		break;
	case NPU_LAYER_QUANTIZE:
		npu_quantize_run(in[0]->data, out->data, out->elems, out->type, out->scale,
				 out->zero_point);
		break;
	case NPU_LAYER_DEQUANTIZE:
		npu_dequantize_run(in[0]->data, out->data, out->elems, in[0]->type,
				   in[0]->scale, in[0]->zero_point);
		break;
	case NPU_LAYER_RESHAPE:
	case NPU_LAYER_FLATTEN:
		memcpy(out->data, in[0]->data, out->bytes);
		break;
	default:
		break;
	}
}

static void run_cpu_layer(npu_net *net, struct npu_layer *l, struct npu_tensor *const in[2],
			  struct npu_tensor *out)
{
	if (l->op >= NPU_LAYER_EXT_FIRST)
		npu_layer_ext_run(net, l);
	else
		run_cpu_op(l, in, out);
}

npu_status npu_net_prepare(npu_net *net)
{
	if (!net)
		return NPU_E_INVAL;
	return net->prepared ? NPU_OK : prepare(net);
}

npu_status npu_net_run(npu_net *net)
{
	npu_status st = NPU_OK;
	double t0 = npu_now();
	int i;

	if (!net)
		return NPU_E_INVAL;
	if (!net->nlayers)
		return npu_fail(net->ctx, NPU_E_STATE, "net '%s' has no layers to run",
				net->name);
	for (i = 0; i < net->nlayers; i++)
		memset(&net->layers[i].rep, 0, sizeof(net->layers[i].rep));
	if (!net->prepared && (st = prepare(net)) != NPU_OK)
		return st;
	for (i = 0; i < net->nlayers && st == NPU_OK; i++) {
		struct npu_layer *l = &net->layers[i];
		struct npu_tensor *in[2] = { &net->tensors[l->in[0]],
					     l->nin > 1 ? &net->tensors[l->in[1]] : NULL };
		struct npu_tensor *out = &net->tensors[l->out];
		double tl;

		if (net->progress)
			net->progress(net->progress_user, i, net->nlayers, l->name);
		if (l->op == NPU_LAYER_CONV2D || l->op == NPU_LAYER_FC) {
			st = run_conv(net, l, in[0], out);
			continue;
		}
		tl = npu_now();
		run_cpu_layer(net, l, in, out);
		l->rep.seconds = npu_now() - tl;
		l->rep.where = "cpu";
		l->rep.ran = 1;
	}
	net->run_seconds = npu_now() - t0;
	return st;
}
