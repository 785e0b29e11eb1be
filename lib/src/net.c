/* SPDX-License-Identifier: MIT */
/* Networks: tensors, layers, inputs and outputs, data in and out, reports. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "net_internal.h"
#include "rng.h"

npu_status npu_net_create(npu_ctx *ctx, const char *name, npu_net **out)
{
	npu_net *net;

	if (!ctx || !out)
		return npu_fail(ctx, NPU_E_INVAL, "npu_net_create: NULL argument");
	*out = NULL;
	net = calloc(1, sizeof(*net));
	if (!net || !(net->name = strdup(name ? name : "net"))) {
		free(net);
		return npu_fail(ctx, NPU_E_NOMEM, "out of memory creating a net");
	}
	net->ctx = ctx;
	*out = net;
	return NPU_OK;
}

void npu_conv_layer_release(struct npu_conv_layer *c)
{
	npu_conv_plan_destroy(c->plan);
	free(c->w);
	free(c->bias);
	free(c->w_zp);
	free(c->rq_mult);
	free(c->rq_shift);
	free(c->rq_scale);
	free(c->fallback);
	memset(c, 0, sizeof(*c));
}

void npu_net_free(npu_net *net)
{
	int i;

	if (!net)
		return;
	for (i = 0; i < net->nlayers; i++) {
		struct npu_layer *l = &net->layers[i];

		if (l->op == NPU_LAYER_CONV2D || l->op == NPU_LAYER_FC)
			npu_conv_layer_release(&l->u.conv);
		else if (l->op >= NPU_LAYER_EXT_FIRST)
			npu_layer_ext_release(l);
		free(l->name);
		free(l->where);
	}
	for (i = 0; i < net->ntensors; i++) {
		free(net->tensors[i].name);
		free(net->tensors[i].data);
	}
	free(net->layers);
	free(net->tensors);
	free(net->inputs);
	free(net->outputs);
	free(net->check_buf);
	for (i = 0; i < 2 * net->nmeta; i++)
		free(net->meta[i]);
	free(net->meta);
	free(net->name);
	free(net);
}

const char *npu_net_metadata(const npu_net *net, const char *key)
{
	int i;

	if (!net || !key)
		return NULL;
	for (i = 0; i < net->nmeta; i++)
		if (!strcmp(net->meta[2 * i], key))
			return net->meta[2 * i + 1];
	return NULL;
}

npu_status npu_net_set_metadata(npu_net *net, const char *key, const char *value)
{
	char *v, *k, **p;
	int i;

	if (!net)
		return NPU_E_INVAL;
	if (!key || !value)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_set_metadata: NULL argument");
	if (!(v = strdup(value)))
		return npu_fail(net->ctx, NPU_E_NOMEM, "out of memory");
	for (i = 0; i < net->nmeta; i++)
		if (!strcmp(net->meta[2 * i], key)) {
			free(net->meta[2 * i + 1]);
			net->meta[2 * i + 1] = v;
			return NPU_OK;
		}
	k = strdup(key);
	p = realloc(net->meta, (size_t)(net->nmeta + 1) * 2 * sizeof(*p));
	if (!k || !p) {
		free(k);
		free(v);
		if (p)
			net->meta = p;
		return npu_fail(net->ctx, NPU_E_NOMEM, "out of memory");
	}
	net->meta = p;
	p[2 * net->nmeta] = k;
	p[2 * net->nmeta + 1] = v;
	net->nmeta++;
	return NPU_OK;
}

struct npu_tensor *npu_net_tensor(npu_net *net, int id)
{
	if (id < 0 || id >= net->ntensors) {
		npu_fail(net->ctx, NPU_E_INVAL, "no tensor with id %d (the net has %d)", id,
			 net->ntensors);
		return NULL;
	}
	return &net->tensors[id];
}

int npu_net_find_tensor(const npu_net *net, const char *name)
{
	int i;

	if (!net || !name)
		return -1;
	for (i = 0; i < net->ntensors; i++)
		if (!strcmp(net->tensors[i].name, name))
			return i;
	return -1;
}

static int grow(void **arr, int *cap, int need, size_t elem)
{
	int ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

npu_status npu_net_new_tensor(npu_net *net, const char *name, enum npu_type type,
			      const int dims_in[4], float scale, int zero_point, int *id)
{
	struct npu_tensor t = { 0 };
	size_t elems = 1, esize = npu_type_size(type);
	int i, dims[4];

	/* Callers pass another tensor's dims, which growing the array moves. */
	memcpy(dims, dims_in, sizeof(dims));

	if (!name || !*name)
		return npu_fail(net->ctx, NPU_E_INVAL, "a tensor needs a name");
	if (npu_net_find_tensor(net, name) >= 0)
		return npu_fail(net->ctx, NPU_E_INVAL, "name '%s' is used twice", name);
	if (!esize)
		return npu_fail(net->ctx, NPU_E_INVAL, "%s: unknown element type %d", name,
				(int)type);
	for (i = 0; i < 4; i++) {
		if (dims[i] < 1)
			return npu_fail(net->ctx, NPU_E_INVAL,
					"%s: dimension %d is %d (must be >= 1)", name, i, dims[i]);
		if (elems > SIZE_MAX / (size_t)dims[i])
			return npu_fail(net->ctx, NPU_E_OVERFLOW,
					"%s: %dx%dx%dx%d elements overflow size_t", name,
					dims[0], dims[1], dims[2], dims[3]);
		elems *= (size_t)dims[i];
	}
	if (elems > SIZE_MAX / esize)
		return npu_fail(net->ctx, NPU_E_OVERFLOW, "%s: byte size overflows size_t",
				name);
	if (type == NPU_INT8 || type == NPU_UINT8) {
		if (!(scale > 0.0f) || !isfinite(scale))
			return npu_fail(net->ctx, NPU_E_INVAL,
					"%s: scale %g must be finite and > 0", name, scale);
		if (zero_point < npu_type_min(type) || zero_point > npu_type_max(type))
			return npu_fail(net->ctx, NPU_E_INVAL,
					"%s: zero point %d outside %s's range", name,
					zero_point, npu_type_name(type));
	} else {
		scale = 1.0f;
		zero_point = 0;
	}
	if (net->max_bytes && elems * esize > net->max_bytes - net->tensor_bytes)
		return npu_fail(net->ctx, NPU_E_NOMEM,
				"%s: %zu bytes would take the net's tensors past the %zu-byte "
				"limit", name, elems * esize, net->max_bytes);
	if (grow((void **)&net->tensors, &net->cap_tensors, net->ntensors + 1,
		 sizeof(t)))
		return npu_fail(net->ctx, NPU_E_NOMEM, "out of memory");
	t.name = strdup(name);
	t.data = calloc(elems, esize);
	if (!t.name || !t.data) {
		free(t.name);
		free(t.data);
		return npu_fail(net->ctx, NPU_E_NOMEM, "%s: out of memory for %zu bytes",
				name, elems * esize);
	}
	t.type = type;
	memcpy(t.dims, dims, sizeof(t.dims));
	t.scale = scale;
	t.zero_point = zero_point;
	t.elems = elems;
	t.bytes = elems * esize;
	net->tensor_bytes += t.bytes;
	net->tensors[net->ntensors] = t;
	*id = net->ntensors++;
	return NPU_OK;
}

void npu_net_drop_last_tensor(npu_net *net)
{
	struct npu_tensor *t = &net->tensors[--net->ntensors];

	net->tensor_bytes -= t->bytes;
	free(t->name);
	free(t->data);
}

npu_status npu_net_append_layer(npu_net *net, struct npu_layer *l)
{
	if (grow((void **)&net->layers, &net->cap_layers, net->nlayers + 1, sizeof(*l)))
		return npu_fail(net->ctx, NPU_E_NOMEM, "out of memory");
	l->name = strdup(net->tensors[l->out].name);
	if (!l->name)
		return npu_fail(net->ctx, NPU_E_NOMEM, "out of memory");
	net->layers[net->nlayers++] = *l;
	/* A new layer needs planning; buffers of earlier ones stay valid. */
	net->prepared = 0;
	return NPU_OK;
}

static npu_status push_id(npu_net *net, int **arr, int *n, int id)
{
	int *p = realloc(*arr, (size_t)(*n + 1) * sizeof(int));

	if (!p)
		return npu_fail(net->ctx, NPU_E_NOMEM, "out of memory");
	p[(*n)++] = id;
	*arr = p;
	return NPU_OK;
}

npu_status npu_net_add_input(npu_net *net, const char *name,
			     const struct npu_tensor_desc *desc, int *id)
{
	int dims[4], tid;
	npu_status st;

	if (!net)
		return NPU_E_INVAL;
	if (!desc || !id)
		return npu_fail(net->ctx, NPU_E_INVAL, "npu_net_add_input: NULL argument");
	if (desc->layout == NPU_NHWC) {
		memcpy(dims, desc->dims, sizeof(dims));
	} else if (desc->layout == NPU_NCHW) {
		dims[0] = desc->dims[0];
		dims[1] = desc->dims[2];
		dims[2] = desc->dims[3];
		dims[3] = desc->dims[1];
	} else {
		return npu_fail(net->ctx, NPU_E_INVAL,
				"input %s: activations are NPU_NHWC or NPU_NCHW",
				name ? name : "?");
	}
	st = npu_net_new_tensor(net, name, desc->type, dims, desc->scale,
				desc->zero_point, &tid);
	if (st != NPU_OK)
		return st;
	st = push_id(net, &net->inputs, &net->ninputs, tid);
	if (st != NPU_OK) {
		npu_net_drop_last_tensor(net);
		return st;
	}
	*id = tid;
	return NPU_OK;
}

npu_status npu_net_mark_output(npu_net *net, int id)
{
	int i;

	if (!net)
		return NPU_E_INVAL;
	if (!npu_net_tensor(net, id))
		return NPU_E_INVAL;
	for (i = 0; i < net->noutputs; i++)
		if (net->outputs[i] == id)
			return NPU_OK;
	return push_id(net, &net->outputs, &net->noutputs, id);
}

int npu_net_num_tensors(const npu_net *net)
{
	return net ? net->ntensors : 0;
}

int npu_net_num_inputs(const npu_net *net)
{
	return net ? net->ninputs : 0;
}

int npu_net_input_id(const npu_net *net, int i)
{
	return net && i >= 0 && i < net->ninputs ? net->inputs[i] : -1;
}

int npu_net_num_outputs(const npu_net *net)
{
	return net ? net->noutputs : 0;
}

int npu_net_output_id(const npu_net *net, int i)
{
	return net && i >= 0 && i < net->noutputs ? net->outputs[i] : -1;
}

npu_status npu_net_tensor_info(const npu_net *net, int id, struct npu_tensor_info *info)
{
	const struct npu_tensor *t;

	if (!net || !info)
		return NPU_E_INVAL;
	if (!npu_net_tensor((npu_net *)net, id))
		return NPU_E_INVAL;
	t = &net->tensors[id];
	info->name = t->name;
	info->type = t->type;
	memcpy(info->dims, t->dims, sizeof(info->dims));
	info->scale = t->scale;
	info->zero_point = t->zero_point;
	info->bytes = t->bytes;
	return NPU_OK;
}

/* Checks a data transfer and returns the tensor, or NULL with the error. */
static struct npu_tensor *io_tensor(npu_net *net, int id, enum npu_layout layout,
				    const void *buf, size_t bytes, npu_status *st)
{
	struct npu_tensor *t;

	*st = NPU_E_INVAL;
	if (!(t = npu_net_tensor(net, id)))
		return NULL;
	if (!buf) {
		npu_fail(net->ctx, NPU_E_INVAL, "%s: NULL data pointer", t->name);
		return NULL;
	}
	if (layout != NPU_NHWC && layout != NPU_NCHW) {
		npu_fail(net->ctx, NPU_E_INVAL, "%s: data layout must be NHWC or NCHW",
			 t->name);
		return NULL;
	}
	if (bytes != t->bytes) {
		npu_fail(net->ctx, NPU_E_INVAL, "%s: %zu bytes given, the tensor has %zu",
			 t->name, bytes, t->bytes);
		return NULL;
	}
	*st = NPU_OK;
	return t;
}

npu_status npu_net_set_input(npu_net *net, int id, enum npu_layout layout,
			     const void *data, size_t bytes)
{
	struct npu_tensor *t;
	npu_status st;

	if (!net)
		return NPU_E_INVAL;
	if (!(t = io_tensor(net, id, layout, data, bytes, &st)))
		return st;
	if (layout == NPU_NCHW)
		npu_nchw_to_nhwc(data, t->data, (size_t)t->dims[0], (size_t)t->dims[3],
				 (size_t)t->dims[1] * t->dims[2], npu_type_size(t->type));
	else
		memcpy(t->data, data, bytes);
	return NPU_OK;
}

npu_status npu_net_get_output(npu_net *net, int id, enum npu_layout layout,
			      void *buf, size_t bytes)
{
	struct npu_tensor *t;
	npu_status st;

	if (!net)
		return NPU_E_INVAL;
	if (!(t = io_tensor(net, id, layout, buf, bytes, &st)))
		return st;
	if (layout == NPU_NCHW)
		npu_nhwc_to_nchw(t->data, buf, (size_t)t->dims[0], (size_t)t->dims[3],
				 (size_t)t->dims[1] * t->dims[2], npu_type_size(t->type));
	else
		memcpy(buf, t->data, bytes);
	return NPU_OK;
}

/* Checks a one-image transfer; returns the tensor, or NULL with the error. */
static struct npu_tensor *image_tensor(npu_net *net, int id, int n, enum npu_layout layout,
				       const void *buf, size_t bytes, size_t *img_bytes)
{
	struct npu_tensor *t;

	if (!(t = npu_net_tensor(net, id)))
		return NULL;
	if (!buf) {
		npu_fail(net->ctx, NPU_E_INVAL, "%s: NULL data pointer", t->name);
		return NULL;
	}
	if (layout != NPU_NHWC && layout != NPU_NCHW) {
		npu_fail(net->ctx, NPU_E_INVAL, "%s: data layout must be NHWC or NCHW",
			 t->name);
		return NULL;
	}
	if (n < 0 || n >= t->dims[0]) {
		npu_fail(net->ctx, NPU_E_INVAL, "%s: image %d of a batch of %d", t->name, n,
			 t->dims[0]);
		return NULL;
	}
	*img_bytes = t->bytes / (size_t)t->dims[0];
	if (bytes != *img_bytes) {
		npu_fail(net->ctx, NPU_E_INVAL, "%s: %zu bytes given, one image has %zu",
			 t->name, bytes, *img_bytes);
		return NULL;
	}
	return t;
}

npu_status npu_net_set_input_image(npu_net *net, int id, int n, enum npu_layout layout,
				   const void *data, size_t bytes)
{
	struct npu_tensor *t;
	size_t ib;

	if (!net)
		return NPU_E_INVAL;
	if (!(t = image_tensor(net, id, n, layout, data, bytes, &ib)))
		return NPU_E_INVAL;
	if (layout == NPU_NCHW)
		npu_nchw_to_nhwc(data, (uint8_t *)t->data + (size_t)n * ib, 1,
				 (size_t)t->dims[3], (size_t)t->dims[1] * t->dims[2],
				 npu_type_size(t->type));
	else
		memcpy((uint8_t *)t->data + (size_t)n * ib, data, ib);
	return NPU_OK;
}

npu_status npu_net_get_output_image(npu_net *net, int id, int n, enum npu_layout layout,
				    void *buf, size_t bytes)
{
	struct npu_tensor *t;
	size_t ib;

	if (!net)
		return NPU_E_INVAL;
	if (!(t = image_tensor(net, id, n, layout, buf, bytes, &ib)))
		return NPU_E_INVAL;
	if (layout == NPU_NCHW)
		npu_nhwc_to_nchw((const uint8_t *)t->data + (size_t)n * ib, buf, 1,
				 (size_t)t->dims[3], (size_t)t->dims[1] * t->dims[2],
				 npu_type_size(t->type));
	else
		memcpy(buf, (const uint8_t *)t->data + (size_t)n * ib, ib);
	return NPU_OK;
}

npu_status npu_net_fill_input(npu_net *net, int id, uint64_t seed)
{
	struct npu_tensor *t;
	struct npu_rng r = { seed };
	size_t i;

	if (!net)
		return NPU_E_INVAL;
	if (!(t = npu_net_tensor(net, id)))
		return NPU_E_INVAL;
	for (i = 0; i < t->elems; i++) {
		switch (t->type) {
		case NPU_INT8:
			((int8_t *)t->data)[i] = (int8_t)npu_rng_range(&r, -128, 127);
			break;
		case NPU_UINT8:
			((uint8_t *)t->data)[i] = (uint8_t)npu_rng_range(&r, 0, 255);
			break;
		case NPU_INT32:
			((int32_t *)t->data)[i] = (int32_t)npu_rng_next(&r);
			break;
		case NPU_FLOAT32:
			((float *)t->data)[i] = (float)(2.0 * npu_rng_unit(&r) - 1.0);
			break;
		}
	}
	return NPU_OK;
}

void npu_net_set_progress(npu_net *net, npu_progress_fn fn, void *user)
{
	if (!net)
		return;
	net->progress = fn;
	net->progress_user = user;
}

int npu_net_num_layers(const npu_net *net)
{
	return net ? net->nlayers : 0;
}

static const char *op_name(const struct npu_layer *l)
{
	switch (l->op) {
	case NPU_LAYER_CONV2D:
		return l->u.conv.spec.groups > 1 &&
		       l->u.conv.spec.groups == l->u.conv.spec.in_c ? "depthwise" : "conv2d";
	case NPU_LAYER_FC:
		return "fc";
	case NPU_LAYER_MAXPOOL:
		return "maxpool";
	case NPU_LAYER_AVGPOOL:
		return "avgpool";
	case NPU_LAYER_GLOBAL_AVGPOOL:
		return "global_avgpool";
	case NPU_LAYER_ADD:
		return "add";
	case NPU_LAYER_SOFTMAX:
		return "softmax";
	case NPU_LAYER_QUANTIZE:
		return "quantize";
	case NPU_LAYER_DEQUANTIZE:
		return "dequantize";
	case NPU_LAYER_RESHAPE:
		return "reshape";
	case NPU_LAYER_FLATTEN:
		return "flatten";
	default:
		return npu_layer_ext_name(l);
	}
}

npu_status npu_net_layer_report(const npu_net *net, int i, struct npu_layer_report *r)
{
	const struct npu_layer *l;
	const struct npu_tensor *t;

	if (!net || !r)
		return NPU_E_INVAL;
	if (i < 0 || i >= net->nlayers)
		return npu_fail(net->ctx, NPU_E_INVAL, "no layer %d (the net has %d)", i,
				net->nlayers);
	l = &net->layers[i];
	t = &net->tensors[l->out];
	*r = l->rep;
	r->name = l->name;
	r->op = op_name(l);
	memcpy(r->out_dims, t->dims, sizeof(r->out_dims));
	r->out_type = t->type;
	r->params = l->params;
	r->macs = l->macs;
	if (!r->where)
		r->where = "";
	return NPU_OK;
}

npu_status npu_net_totals(const npu_net *net, struct npu_net_totals *tot)
{
	int i;

	if (!net || !tot)
		return NPU_E_INVAL;
	memset(tot, 0, sizeof(*tot));
	tot->layers = net->nlayers;
	for (i = 0; i < net->nlayers; i++) {
		const struct npu_layer *l = &net->layers[i];
		const struct npu_layer_report *r = &l->rep;

		tot->params += l->params;
		tot->macs += l->macs;
		if (!r->ran)
			continue;
		tot->device_layers += r->on_device;
		tot->fallback_layers += (l->op == NPU_LAYER_CONV2D ||
					 l->op == NPU_LAYER_FC) && l->u.conv.fallback;
		tot->cycles += r->cycles;
		tot->mac_active += r->mac_active;
		tot->dram_read += r->dram_read;
		tot->dram_written += r->dram_written;
		tot->dram_compulsory += r->dram_compulsory;
		tot->reload_bytes += r->reload_bytes;
		if (r->on_device)
			tot->device_seconds += r->seconds;
		tot->checked += r->check != NPU_CHECK_NONE;
		tot->mismatched += r->check == NPU_CHECK_MISMATCH;
	}
	tot->seconds = net->run_seconds;
	return NPU_OK;
}
