// SPDX-License-Identifier: MIT
/*
 * npu-lib-e2e - libnpu on the drm backend inside the guest (statically
 * linked with libnpu.a, libdrm.a, libjansson.a).
 *
 *   layers SEED N        N random conv/FC layers through the device layer
 *                        (tiler, packing, jobs; lib/src/device.h) on the
 *                        drm backend, each output compared element by
 *                        element with npu_ref_conv
 *   auto                 the default backend choice picks drm
 *   net FILE [H W]       a network description run with backend "drm" and
 *                        check mode (every conv/FC bit-exact with the
 *                        reference); prints cycles, utilization, wall time
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device.h"
#include "npu.h"
#include "npu_ref.h"

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1Dull;
}

static int range(int lo, int hi)
{
	return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

static int random_layer(struct npu_conv_spec *s, int32_t **arrays, void **w_out, void **in_out)
{
	const char *why;
	int k, C, K, g;
	size_t i, n;

	for (;;) {
		memset(s, 0, sizeof(*s));
		s->n = range(1, 2);
		switch (range(0, 4)) {
		case 0:	/* FC */
			s->in_h = s->in_w = 1;
			s->in_c = range(1, 1500);
			s->out_c = range(1, 300);
			s->kh = s->kw = 1;
			g = 1;
			break;
		case 1:	/* depthwise */
			g = range(1, 64);
			s->in_c = g;
			s->out_c = g * range(1, 2);
			s->in_h = range(1, 24);
			s->in_w = range(1, 24);
			s->kh = s->kw = range(1, 2) * 2 + 1;
			break;
		default:
			g = range(0, 5) ? 1 : range(2, 4);
			s->in_c = g * range(1, 48);
			s->out_c = g * range(1, 48);
			s->in_h = range(1, 28);
			s->in_w = range(1, 28);
			s->kh = range(1, 5);
			s->kw = range(1, 5);
			break;
		}
		s->groups = g;
		s->stride_h = range(1, 3);
		s->stride_w = range(1, 3);
		s->dil_h = range(0, 4) ? 1 : 2;
		s->dil_w = range(0, 4) ? 1 : 2;
		s->pad_top = range(0, s->kh / 2);
		s->pad_bottom = range(0, s->kh / 2);
		s->pad_left = range(0, s->kw / 2);
		s->pad_right = range(0, s->kw / 2);
		s->in_type = range(0, 1) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
		s->w_type = range(0, 1) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
		s->in_zp = s->in_type == NPU_TYPE_INT8 ? range(-10, 10) : range(110, 140);
		if (!range(0, 4)) {
			s->out_type = NPU_TYPE_INT32;
			s->rq_mode = NPU_RQ_NONE;
		} else {
			s->out_type = range(0, 1) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
			s->rq_mode = range(0, 1) ? NPU_RQ_FP32 : NPU_RQ_FIXED;
			s->out_zp = s->out_type == NPU_TYPE_INT8 ? range(-10, 10) : range(100, 150);
			s->act_min = s->out_type == NPU_TYPE_INT8 ? -128 : 0;
			s->act_max = s->out_type == NPU_TYPE_INT8 ? 127 : 255;
		}
		if (!npu_conv_spec_finish(s, &why))
			break;
	}
	K = s->out_c;
	C = s->in_c / s->groups;
	for (k = 0; k < 4; k++)
		arrays[k] = calloc((size_t)K, sizeof(int32_t));
	s->w_zp = arrays[0];
	s->bias = arrays[1];
	s->rq_mult = arrays[2];
	s->rq_shift = (int8_t *)arrays[3];
	s->rq_scale = (float *)(arrays[4] = calloc((size_t)K, sizeof(float)));
	for (k = 0; k < K; k++) {
		double m = (0.3 + (double)(rnd() % 1000) / 1000.0) / (60.0 * __builtin_sqrt((double)s->kh * s->kw * C));
		int sh;

		arrays[0][k] = s->w_type == NPU_TYPE_INT8 ? range(-5, 5) : range(120, 136);
		arrays[1][k] = range(-3000, 3000);
		npu_quantize_multiplier(m, &arrays[2][k], &sh);
		((int8_t *)arrays[3])[k] = (int8_t)sh;
		((float *)arrays[4])[k] = (float)m;
	}
	if (s->out_type == NPU_TYPE_INT32) {
		s->rq_mult = NULL;
		s->rq_shift = NULL;
		s->rq_scale = NULL;
	}
	n = npu_conv_w_elems(s);
	*w_out = malloc(n);
	for (i = 0; i < n; i++)
		((uint8_t *)*w_out)[i] = (uint8_t)rnd();
	n = npu_conv_in_elems(s);
	*in_out = malloc(n);
	for (i = 0; i < n; i++)
		((uint8_t *)*in_out)[i] = (uint8_t)rnd();
	return 0;
}

static int test_layers(uint64_t seed, int n)
{
	struct npu_device_opts o = { .kind = NPU_BACKEND_DRM };
	struct npu_device *dev;
	char msg[256];
	int i, fails = 0, ran = 0, unsupported = 0;
	uint64_t cycles = 0, macs = 0;
	unsigned jobs = 0, descs = 0;

	rng = seed * 0x9E3779B97F4A7C15ull + 1;
	printf("lib layers: seed %llu, %d random layers on the drm backend\n",
	       (unsigned long long)seed, n);
	if (npu_device_open(&o, &dev, msg, sizeof(msg)) != NPU_OK) {
		printf("lib layers: cannot open the drm backend: %s\n", msg);
		return 1;
	}
	printf("lib layers: %s\n", msg);
	for (i = 0; i < n; i++) {
		struct npu_conv_spec s;
		struct npu_conv_plan *p;
		struct npu_run_stats st;
		int32_t *arr[5] = { 0 };
		void *w, *in, *out, *ref;
		size_t ob, e;
		npu_status rc;

		random_layer(&s, arr, &w, &in);
		ob = npu_conv_out_elems(&s) * npu_dtype_bytes(s.out_type);
		out = calloc(1, ob);
		ref = calloc(1, ob);
		npu_ref_conv(&s, in, w, ref);
		rc = npu_conv_plan_create(dev, &s, w, &p, msg, sizeof(msg));
		if (rc == NPU_E_UNSUPPORTED) {
			unsupported++;
		} else if (rc != NPU_OK) {
			printf("CHECK FAILED layer %d: plan: %s\n", i, msg);
			fails++;
		} else {
			rc = npu_conv_plan_run(p, in, out, &st, msg, sizeof(msg));
			if (rc != NPU_OK) {
				printf("CHECK FAILED layer %d: run: %s: %s\n", i, npu_strerror(rc), msg);
				fails++;
			} else if (memcmp(out, ref, ob)) {
				for (e = 0; e < ob && ((uint8_t *)out)[e] == ((uint8_t *)ref)[e]; e++)
					;
				printf("CHECK FAILED layer %d (seed %llu): %dx%dx%dx%d K=%d g=%d k=%dx%d s=%d,%d "
				       "out type %d: first differing byte %zu of %zu\n", i,
				       (unsigned long long)seed, s.n, s.in_h, s.in_w, s.in_c, s.out_c,
				       s.groups, s.kh, s.kw, s.stride_h, s.stride_w, s.out_type, e, ob);
				fails++;
			} else {
				ran++;
				cycles += st.cycles;
				macs += st.macs;
				jobs += st.jobs;
				descs += st.descriptors;
			}
			npu_conv_plan_destroy(p);
		}
		free(out);
		free(ref);
		free(w);
		free(in);
		for (e = 0; e < 5; e++)
			free(arr[e]);
	}
	npu_device_close(dev);
	printf("lib layers: %d bit-exact, %d failed, %d not for the device; %u jobs, %u descriptors, "
	       "%llu MACs in %llu cycles\n", ran, fails, unsupported, jobs, descs,
	       (unsigned long long)macs, (unsigned long long)cycles);
	if (ran < n / 2) {
		printf("CHECK FAILED too few layers ran on the device (%d of %d)\n", ran, n);
		fails++;
	}
	return fails;
}

static int test_net(const char *path, int h, int w)
{
	struct npu_ctx_opts co = { .backend = "drm", .flags = NPU_CTX_CHECK };
	struct npu_load_opts lo = { .input_h = h, .input_w = w };
	struct npu_net_totals t;
	struct npu_device_info di;
	npu_ctx *ctx;
	npu_net *net;
	char msg[256];
	npu_status rc;

	rc = npu_ctx_open(&co, &ctx, msg, sizeof(msg));
	if (rc) {
		printf("lib net: no drm context: %s\n", msg);
		return 1;
	}
	rc = npu_net_load(ctx, path, &lo, &net);
	if (rc) {
		printf("lib net: %s: %s\n", path, npu_ctx_last_error(ctx));
		npu_ctx_close(ctx);
		return 1;
	}
	rc = npu_net_run(net);
	if (rc)
		printf("CHECK FAILED lib net %s: %s: %s\n", path, npu_strerror(rc), npu_ctx_last_error(ctx));
	npu_net_totals(net, &t);
	npu_ctx_device_info(ctx, &di);
	(void)w;
	printf("lib net: %s%s%s: %d layers (%d on the device, %d fallback), %d checked bit-exact, "
	       "%d mismatched\n", path, h ? " at " : "", h ? "reduced size" : "", t.layers,
	       t.device_layers, t.fallback_layers, t.checked - t.mismatched, t.mismatched);
	printf("E2E-NET: %s %s: %.3f GMAC, %llu device cycles, utilization %.1f %%, "
	       "wall %.2f s (device layers %.2f s)\n", path, h ? "at reduced input size" : "at its own input size", t.macs / 1e9,
	       (unsigned long long)t.cycles,
	       t.cycles ? 100.0 * (double)t.macs / ((double)di.rows * di.cols * (double)t.cycles) : 0.0,
	       t.seconds, t.device_seconds);
	npu_net_free(net);
	npu_ctx_close(ctx);
	return rc || t.mismatched || !t.device_layers || t.fallback_layers;
}

/* `auto` must pick the drm backend when its render node exists. */
static int test_auto(void)
{
	npu_ctx *ctx;
	char msg[256];
	int fails = 0;

	if (npu_ctx_open(NULL, &ctx, msg, sizeof(msg)) != NPU_OK) {
		printf("CHECK FAILED auto: no context: %s\n", msg);
		return 1;
	}
	printf("lib auto: backend %s (%s)\n", npu_ctx_backend(ctx), npu_ctx_backend_reason(ctx));
	if (strcmp(npu_ctx_backend(ctx), "drm")) {
		printf("CHECK FAILED auto picked %s, not drm\n", npu_ctx_backend(ctx));
		fails++;
	}
	npu_ctx_close(ctx);
	return fails;
}

int main(int argc, char **argv)
{
	int fails;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "layers"))
		fails = test_layers(argc > 2 ? strtoull(argv[2], NULL, 0) : 1,
				    argc > 3 ? atoi(argv[3]) : 30);
	else if (argc >= 2 && !strcmp(argv[1], "auto"))
		fails = test_auto();
	else if (argc >= 3 && !strcmp(argv[1], "net"))
		fails = test_net(argv[2], argc > 3 ? atoi(argv[3]) : 0, argc > 4 ? atoi(argv[4]) : 0);
	else {
		printf("usage: npu-lib-e2e layers SEED N | net FILE [H W] | auto\n");
		return 2;
	}
	printf("npu-lib-e2e %s: %s\n", argv[1], fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
