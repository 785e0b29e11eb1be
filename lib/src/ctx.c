/* SPDX-License-Identifier: MIT */
/* Contexts: backend choice, error messages, device information. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act.h"
#include "net_internal.h"
#include "testing.h"

const char *npu_strerror(npu_status s)
{
	switch (s) {
	case NPU_OK:
		return "success";
	case NPU_E_INVAL:
		return "invalid argument";
	case NPU_E_NOMEM:
		return "out of memory";
	case NPU_E_UNSUPPORTED:
		return "not supported";
	case NPU_E_NODEV:
		return "backend not available";
	case NPU_E_DEVICE:
		return "device error";
	case NPU_E_TIMEOUT:
		return "timeout";
	case NPU_E_MISMATCH:
		return "result differs from the reference";
	case NPU_E_IO:
		return "input/output error";
	case NPU_E_PARSE:
		return "malformed network description";
	case NPU_E_OVERFLOW:
		return "size overflow";
	case NPU_E_STATE:
		return "call out of order";
	}
	return "unknown status";
}

npu_status npu_fail(npu_ctx *ctx, npu_status s, const char *fmt, ...)
{
	va_list ap;

	if (ctx) {
		va_start(ap, fmt);
		vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
		va_end(ap);
	}
	return s;
}

double npu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int parse_backend(const char *name, enum npu_backend_kind *kind)
{
	static const struct {
		const char *name;
		enum npu_backend_kind kind;
	} names[] = {
		{ "auto", NPU_BACKEND_AUTO },
		{ "drm", NPU_BACKEND_DRM },
		{ "sim", NPU_BACKEND_SIM },
		{ "cpu", NPU_BACKEND_CPU },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i].name)) {
			*kind = names[i].kind;
			return 0;
		}
	return -1;
}

static void put_msg(char *msg, size_t msglen, const char *text)
{
	if (msg && msglen)
		snprintf(msg, msglen, "%s", text);
}

npu_status npu_ctx_open(const struct npu_ctx_opts *opts, npu_ctx **out,
			char *msg, size_t msglen)
{
	static const struct npu_ctx_opts defaults;
	struct npu_device_opts dopts = { 0 };
	const char *backend, *env;
	char why[NPU_MSG_LEN] = "";
	npu_ctx *ctx;
	npu_status st;

	if (!out) {
		put_msg(msg, msglen, "npu_ctx_open: out is NULL");
		return NPU_E_INVAL;
	}
	*out = NULL;
	if (!opts)
		opts = &defaults;
	backend = opts->backend;
	if (!backend || !*backend)
		backend = getenv("NPU_BACKEND");
	if (!backend || !*backend)
		backend = "auto";
	if (parse_backend(backend, &dopts.kind)) {
		snprintf(why, sizeof(why), "unknown backend '%s' (auto, drm, sim or cpu)",
			 backend);
		put_msg(msg, msglen, why);
		return NPU_E_INVAL;
	}
	dopts.dram_bytes_per_cycle = opts->dram_bytes_per_cycle;
	dopts.dram_latency = opts->dram_latency;
	dopts.trace_path = opts->trace_path;
	dopts.threads = opts->threads;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		put_msg(msg, msglen, "out of memory");
		return NPU_E_NOMEM;
	}
	st = npu_device_open(&dopts, &ctx->dev, why, sizeof(why));
	if (st != NPU_OK) {
		char full[NPU_MSG_LEN + 64];

		snprintf(full, sizeof(full), "backend '%s': %s", backend,
			 *why ? why : npu_strerror(st));
		put_msg(msg, msglen, full);
		free(ctx);
		return st;
	}
	snprintf(ctx->backend_reason, sizeof(ctx->backend_reason), "%s", why);
	env = getenv("NPU_CHECK");
	ctx->checking = (opts->flags & NPU_CTX_CHECK) || (env && !strcmp(env, "1"));
	ctx->threads = opts->threads;
	put_msg(msg, msglen, ctx->backend_reason);
	*out = ctx;
	return NPU_OK;
}

npu_status npu_ctx_open_device(struct npu_device *dev, unsigned flags, int threads,
			       npu_ctx **out)
{
	npu_ctx *ctx;

	if (!dev || !out) {
		npu_device_close(dev);
		return NPU_E_INVAL;
	}
	*out = NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		npu_device_close(dev);
		return NPU_E_NOMEM;
	}
	ctx->dev = dev;
	ctx->checking = (flags & NPU_CTX_CHECK) != 0;
	ctx->threads = threads;
	snprintf(ctx->backend_reason, sizeof(ctx->backend_reason), "a device given by the caller");
	*out = ctx;
	return NPU_OK;
}

void npu_ctx_close(npu_ctx *ctx)
{
	if (!ctx)
		return;
	npu_device_close(ctx->dev);
	free(ctx);
}

const char *npu_ctx_backend(const npu_ctx *ctx)
{
	return ctx ? npu_device_backend(ctx->dev) : "none";
}

const char *npu_ctx_backend_reason(const npu_ctx *ctx)
{
	return ctx ? ctx->backend_reason : "";
}

int npu_ctx_checking(const npu_ctx *ctx)
{
	return ctx ? ctx->checking : 0;
}

const char *npu_ctx_last_error(const npu_ctx *ctx)
{
	return ctx ? ctx->err : "no context";
}

npu_status npu_ctx_device_info(npu_ctx *ctx, struct npu_device_info *info)
{
	struct npu_caps c;
	npu_status st;

	if (!ctx || !info)
		return npu_fail(ctx, NPU_E_INVAL, "npu_ctx_device_info: NULL argument");
	st = npu_device_caps(ctx->dev, &c);
	if (st != NPU_OK)
		return npu_fail(ctx, st, "the %s backend has no device capabilities",
				npu_device_backend(ctx->dev));
	memset(info, 0, sizeof(*info));
	info->rows = c.rows;
	info->cols = c.cols;
	info->ibuf_bytes = c.ibuf_bytes;
	info->wbuf_bytes = c.wbuf_bytes;
	info->acc_depth = c.acc_depth;
	info->pbuf_depth = c.pbuf_depth;
	info->features = c.features;
	info->max_kernel = c.max_k;
	info->max_stride = c.max_stride;
	info->max_dilation = c.max_dil;
	info->max_dim = c.max_dim;
	info->mem_log2 = c.mem_log2;
	return NPU_OK;
}

size_t npu_type_size(enum npu_type t)
{
	switch (t) {
	case NPU_INT8:
	case NPU_UINT8:
		return 1;
	case NPU_INT32:
	case NPU_FLOAT32:
		return 4;
	}
	return 0;
}

const char *npu_type_name(enum npu_type t)
{
	switch (t) {
	case NPU_INT8:
		return "int8";
	case NPU_UINT8:
		return "uint8";
	case NPU_INT32:
		return "int32";
	case NPU_FLOAT32:
		return "float32";
	}
	return "?";
}

int npu_type_min(enum npu_type t)
{
	return t == NPU_UINT8 ? 0 : -128;
}

int npu_type_max(enum npu_type t)
{
	return t == NPU_UINT8 ? 255 : 127;
}

const char *npu_act_check(enum npu_act act, float clip_min, float clip_max)
{
	switch (act) {
	case NPU_ACT_NONE:
	case NPU_ACT_RELU:
	case NPU_ACT_RELU6:
		return NULL;
	case NPU_ACT_CLIP:
		if (!isfinite(clip_min) || !isfinite(clip_max))
			return "clip bounds must be finite";
		if (!(clip_min <= clip_max))
			return "clip_min must be <= clip_max";
		return NULL;
	}
	return "unknown activation";
}

/* f / scale rounded to float, whatever the compiler's evaluation method. */
static float div_f32(float f, float scale)
{
	volatile float q = f / scale;

	return q;
}

/* zp + r clamped to [lo, hi]; r is an integral float, possibly huge or infinite. */
static int add_zp_sat(float r, int zp, int lo, int hi)
{
	double v = (double)r + zp;

	return v < lo ? lo : v > hi ? hi : (int)v;
}

/* A real bound -> its quantized value, as the mode's framework rounds it. */
static int quantize_bound(enum npu_requant mode, float f, float scale, int zp, int qmin,
			  int qmax)
{
	float q = div_f32(f, scale);

	/* TfLiteRound is std::round (half away from zero); ONNX Runtime rounds half to even. */
	return add_zp_sat(mode == NPU_REQUANT_TFLITE ? roundf(q) : nearbyintf(q), zp, qmin,
			  qmax);
}

const char *npu_act_bounds(enum npu_requant mode, enum npu_act act, float clip_min,
			   float clip_max, enum npu_type t, float scale, int zp, int *lo,
			   int *hi)
{
	int qmin = npu_type_min(t), qmax = npu_type_max(t);
	const char *why = npu_act_check(act, clip_min, clip_max);

	*lo = qmin;
	*hi = qmax;
	if (why)
		return why;
	if (mode != NPU_REQUANT_TFLITE && mode != NPU_REQUANT_ONNX)
		return "unknown requantization mode";
	switch (act) {
	case NPU_ACT_RELU:
		*lo = quantize_bound(mode, 0.0f, scale, zp, qmin, qmax);
		break;
	case NPU_ACT_RELU6:
		*lo = quantize_bound(mode, 0.0f, scale, zp, qmin, qmax);
		*hi = quantize_bound(mode, 6.0f, scale, zp, qmin, qmax);
		break;
	case NPU_ACT_CLIP:
		*lo = quantize_bound(mode, clip_min, scale, zp, qmin, qmax);
		*hi = quantize_bound(mode, clip_max, scale, zp, qmin, qmax);
		break;
	default:
		break;
	}
	return NULL;
}
