/* SPDX-License-Identifier: MIT */
/*
 * The device layer. For now only the cpu backend exists (the reference
 * convolution); the sim and drm backends and the tiler come next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device.h"

struct npu_device {
	enum npu_backend_kind kind;
	int threads;
};

struct npu_conv_plan {
	struct npu_device *dev;
	struct npu_conv_spec spec;
	void *w;
};

npu_status npu_device_open(const struct npu_device_opts *o, struct npu_device **out,
			   char *msg, size_t msglen)
{
	struct npu_device *d;

	if (!o || !out)
		return NPU_E_INVAL;
	if (o->kind == NPU_BACKEND_DRM || o->kind == NPU_BACKEND_SIM) {
		snprintf(msg, msglen, "backend not available yet");
		return NPU_E_NODEV;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NPU_E_NOMEM;
	d->kind = NPU_BACKEND_CPU;
	d->threads = o->threads;
	snprintf(msg, msglen, "cpu backend");
	*out = d;
	return NPU_OK;
}

void npu_device_close(struct npu_device *d)
{
	free(d);
}

const char *npu_device_backend(const struct npu_device *d)
{
	(void)d;
	return "cpu";
}

npu_status npu_device_caps(const struct npu_device *d, struct npu_caps *caps)
{
	(void)d;
	(void)caps;
	return NPU_E_NODEV;
}

npu_status npu_conv_plan_create(struct npu_device *d, const struct npu_conv_spec *s,
				const void *w, struct npu_conv_plan **out,
				char *why, size_t whylen)
{
	struct npu_conv_plan *p;
	size_t wbytes;

	(void)why;
	(void)whylen;
	if (!d || !s || !w || !out)
		return NPU_E_INVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NPU_E_NOMEM;
	/* TEMPORARY: the spec's arrays are borrowed until the real plan copies them. */
	p->dev = d;
	p->spec = *s;
	wbytes = npu_conv_w_elems(s);
	p->w = malloc(wbytes);
	if (!p->w) {
		free(p);
		return NPU_E_NOMEM;
	}
	memcpy(p->w, w, wbytes);
	*out = p;
	return NPU_OK;
}

npu_status npu_conv_plan_run(struct npu_conv_plan *p, const void *in, void *out,
			     struct npu_run_stats *st, char *msg, size_t msglen)
{
	(void)msg;
	(void)msglen;
	if (!p || !in || !out)
		return NPU_E_INVAL;
	npu_ref_conv(&p->spec, in, p->w, out);
	if (st) {
		memset(st, 0, sizeof(*st));
		st->macs = npu_conv_macs(&p->spec);
	}
	return NPU_OK;
}

void npu_conv_plan_destroy(struct npu_conv_plan *p)
{
	if (!p)
		return;
	free(p->w);
	free(p);
}
