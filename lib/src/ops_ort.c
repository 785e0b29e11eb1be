/* SPDX-License-Identifier: MIT */
/*
 * ONNX Runtime's CPU arithmetic, bit for bit (see ops_ort.h and
 * lib/onnx/ORT_ARITHMETIC.md for the formulas and where they come from).
 * Written from the formulas; no ORT code is copied.
 *
 * The float expressions below are written one rounding at a time: every
 * binary32 operation is a separate statement or an explicit fmaf(), and
 * this file is compiled without -ffast-math and with -ffp-contract=off
 * (lib/src/ort.mk), so the compiler cannot fuse or reorder them.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "npu_ref.h"
#include "ops_ort.h"

static int32_t load8(enum npu_type t, const void *p, size_t i)
{
	return t == NPU_UINT8 ? ((const uint8_t *)p)[i] : ((const int8_t *)p)[i];
}

static void store8(enum npu_type t, void *p, size_t i, int32_t v)
{
	if (t == NPU_UINT8)
		((uint8_t *)p)[i] = (uint8_t)v;
	else
		((int8_t *)p)[i] = (int8_t)v;
}

static int32_t type_lo(enum npu_type t)
{
	return t == NPU_UINT8 ? 0 : -128;
}

static int32_t type_hi(enum npu_type t)
{
	return t == NPU_UINT8 ? 255 : 127;
}

static int32_t clamp_i(int64_t v, int32_t lo, int32_t hi)
{
	return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}

static int is8(enum npu_type t)
{
	return t == NPU_INT8 || t == NPU_UINT8;
}

static int zp_ok(enum npu_type t, int zp)
{
	return zp >= type_lo(t) && zp <= type_hi(t);
}

static int scale_ok(float s)
{
	return isfinite(s) && s > 0.0f;
}

/*
 * x86's float -> int32 conversion (cvtss2si / cvtps2dq with the default
 * MXCSR: round to nearest even): a value outside int32, or NaN, gives the
 * "integer indefinite" INT32_MIN. v must already be an integer value when
 * the caller wants truncation semantics to agree (rintf() first).
 */
static int32_t cvt_x86(float v)
{
	float r = rintf(v);

	if (!(r >= -2147483648.0f && r < 2147483648.0f))
		return INT32_MIN;
	return (int32_t)r;
}

/* An 8-bit byte as the index of a 256-entry table. */
static unsigned byte_at(const void *p, size_t i)
{
	return ((const uint8_t *)p)[i];
}

/* ------------------------------------------------------------------ */

float npu_ort_conv_multiplier(float x_scale, float w_scale, float y_scale)
{
	float xw = x_scale * w_scale;

	return xw / y_scale;
}

float npu_ort_qgemm_multiplier(float alpha, float a_scale, float b_scale, float y_scale)
{
	float m = alpha * a_scale;

	m = m * b_scale;
	if (y_scale != 0.0f)
		m = m / y_scale;
	return m;
}

/* ------------------------------------------------------------------ */

int npu_ort_pool_out_size(int in, int kernel, int stride, int dilation,
			  enum npu_ort_auto_pad auto_pad, int ceil_mode,
			  int *pad_head, int *pad_tail)
{
	int64_t head, tail, num, out;

	if (in < 0 || kernel < 1 || stride < 1 || dilation < 1 || !pad_head || !pad_tail ||
	    (ceil_mode != 0 && ceil_mode != 1))
		return -1;
	switch (auto_pad) {
	case NPU_ORT_NOTSET:
		head = *pad_head;
		tail = *pad_tail;
		/* pool_attributes.h refuses a pad >= the (undilated) kernel */
		if (head < 0 || tail < 0 || head >= kernel || tail >= kernel)
			return -1;
		break;
	case NPU_ORT_VALID:
		head = tail = 0;
		break;
	case NPU_ORT_SAME_UPPER:
	case NPU_ORT_SAME_LOWER: {
		/* ORT uses the undilated kernel here (pool_attributes.h). */
		int64_t target = ((int64_t)in + stride - 1) / stride;
		int64_t need = (target - 1) * stride + kernel - in;

		if (need < 0)
			need = 0;
		head = auto_pad == NPU_ORT_SAME_LOWER ? (need + 1) / 2 : need / 2;
		tail = need - head;
		break;
	}
	default:
		return -1;
	}
	num = (int64_t)in + head + tail - (int64_t)dilation * (kernel - 1) - 1;
	out = num / stride + 1;
	if (ceil_mode) {
		float q = (float)num / (float)stride;

		out = (int64_t)ceilf(q) + 1;
		/* The last window must start inside the image or the head pad. */
		if ((out - 1) * stride >= (int64_t)in + head)
			out--;
	}
	if (out < 0 || out > INT32_MAX)
		return -1;
	*pad_head = (int)head;
	*pad_tail = (int)tail;
	return (int)out;
}

/* ------------------------------------------------------------------ */

const char *npu_ort_qadd_prepare(struct npu_ort_qadd *op)
{
	float zb;

	if (!is8(op->type))
		return "QLinearAdd: type must be int8 or uint8";
	if (!scale_ok(op->a_scale) || !scale_ok(op->b_scale) || !scale_ok(op->c_scale))
		return "QLinearAdd: scales must be finite and > 0";
	if (!zp_ok(op->type, op->a_zp) || !zp_ok(op->type, op->b_zp) || !zp_ok(op->type, op->c_zp))
		return "QLinearAdd: zero point outside the type";
	op->ra = op->a_scale / op->c_scale;
	op->rb = op->b_scale / op->c_scale;
	/*
	 * F = zc - (ra*za + rb*zb) in ORT's source; GCC contracts it (the AVX2
	 * file is built with -mfma and C++'s default -ffp-contract=fast) into
	 * zc - fma(ra, za, rb*zb). The test cases tell the two apart.
	 */
	zb = op->rb * (float)op->b_zp;
	op->fixed = (float)op->c_zp - fmaf(op->ra, (float)op->a_zp, zb);
	return NULL;
}

void npu_ort_qadd_run(const struct npu_ort_qadd *op, const void *a, const void *b, void *c)
{
	size_t i;

	for (i = 0; i < op->elems; i++) {
		float v = fmaf((float)load8(op->type, b, i), op->rb, op->fixed);
		int32_t r;

		v = fmaf((float)load8(op->type, a, i), op->ra, v);
		r = cvt_x86(v);
		/* packs to int16, then to 8 bits: both saturate. */
		r = clamp_i(r, INT16_MIN, INT16_MAX);
		store8(op->type, c, i, clamp_i(r, type_lo(op->type), type_hi(op->type)));
	}
}

void npu_ort_qadd_run_bcast_c(const struct npu_ort_qadd *op, const void *a, const void *b,
			      int channels, void *c)
{
	size_t i;

	for (i = 0; i < op->elems; i++) {
		size_t k = i % (size_t)channels;
		/* ORT's source folds b into F with a separate multiply and add;
		 * the compiler contracts that to this fma (measured). */
		float v = fmaf((float)load8(op->type, b, k), op->rb, op->fixed);
		int32_t r;

		v = fmaf((float)load8(op->type, a, i), op->ra, v);
		r = clamp_i(cvt_x86(v), INT16_MIN, INT16_MAX);
		store8(op->type, c, i, clamp_i(r, type_lo(op->type), type_hi(op->type)));
	}
}

/* ------------------------------------------------------------------ */

const char *npu_ort_qgap_prepare(struct npu_ort_qgap *op)
{
	int64_t size = (int64_t)op->h * op->w;
	float denom;

	if (!is8(op->type))
		return "QLinearGlobalAveragePool: type must be int8 or uint8";
	if (op->n < 1 || op->h < 1 || op->w < 1 || op->c < 1)
		return "QLinearGlobalAveragePool: empty shape";
	if (!scale_ok(op->x_scale) || !scale_ok(op->y_scale))
		return "QLinearGlobalAveragePool: scales must be finite and > 0";
	if (!zp_ok(op->type, op->x_zp) || !zp_ok(op->type, op->y_zp))
		return "QLinearGlobalAveragePool: zero point outside the type";
	if (size >= 0x1000000)
		return "QLinearGlobalAveragePool: H*W >= 2^24 (ORT refuses)";
	denom = op->y_scale * (float)size;
	op->mult = op->x_scale / denom;
	if (!(op->mult >= 0x1.0p-32f && op->mult < 256.0f))
		return "QLinearGlobalAveragePool: x_scale / (y_scale * H*W) outside [2^-32, 256) (ORT refuses)";
	op->bias = (int32_t)(-(int64_t)op->x_zp * size);
	return NULL;
}

static int32_t gap_requant(const struct npu_ort_qgap *op, int32_t acc)
{
	float v = (float)acc * op->mult;

	return clamp_i((int64_t)cvt_x86(v) + op->y_zp, type_lo(op->type), type_hi(op->type));
}

void npu_ort_qgap_run(const struct npu_ort_qgap *op, const void *in, void *out)
{
	size_t hw = (size_t)op->h * op->w, C = (size_t)op->c;
	int n;
	size_t c, p;

	for (n = 0; n < op->n; n++) {
		size_t base = (size_t)n * hw * C;

		for (c = 0; c < C; c++) {
			int32_t acc = op->bias;

			for (p = 0; p < hw; p++)
				acc += load8(op->type, in, base + p * C + c);
			store8(op->type, out, (size_t)n * C + c, gap_requant(op, acc));
		}
	}
}

/* ------------------------------------------------------------------ */

static const char *check_pool_geometry(int in_h, int in_w, int out_h, int out_w, int kh, int kw,
				       int sh, int sw, int dh, int dw, int pt, int pl, int pb,
				       int pr, int ceil_mode)
{
	int h0 = pt, h1 = pb, w0 = pl, w1 = pr;
	int eh, ew;

	if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1)
		return "pool: kernel, strides and dilations must be >= 1";
	if (pt < 0 || pl < 0 || pb < 0 || pr < 0)
		return "pool: pads must be >= 0";
	if (ceil_mode != 0 && ceil_mode != 1)
		return "pool: ceil_mode must be 0 or 1";
	eh = npu_ort_pool_out_size(in_h, kh, sh, dh, NPU_ORT_NOTSET, ceil_mode, &h0, &h1);
	ew = npu_ort_pool_out_size(in_w, kw, sw, dw, NPU_ORT_NOTSET, ceil_mode, &w0, &w1);
	if (eh < 0 || ew < 0)
		return "pool: ORT refuses this geometry (negative output size)";
	if (eh != out_h || ew != out_w)
		return "pool: output size differs from ORT's";
	return NULL;
}

const char *npu_ort_qavgpool_prepare(struct npu_ort_qavgpool *op)
{
	const char *why;
	int v;

	if (!is8(op->type))
		return "QLinearAveragePool: type must be int8 or uint8";
	if (op->n < 1 || op->in_h < 1 || op->in_w < 1 || op->c < 1)
		return "QLinearAveragePool: empty shape";
	if (op->count_include_pad != 0 && op->count_include_pad != 1)
		return "QLinearAveragePool: count_include_pad must be 0 or 1";
	if (!scale_ok(op->x_scale) || !scale_ok(op->y_scale))
		return "QLinearAveragePool: scales must be finite and > 0";
	if (!zp_ok(op->type, op->x_zp) || !zp_ok(op->type, op->y_zp))
		return "QLinearAveragePool: zero point outside the type";
	why = check_pool_geometry(op->in_h, op->in_w, op->out_h, op->out_w, op->kh, op->kw, op->sh,
				  op->sw, 1, 1, op->pad_top, op->pad_left, op->pad_bottom,
				  op->pad_right, op->ceil_mode);
	if (why)
		return why;
	/* qlinear_pool.cc: kernel == input spatial dims and no pads -> global pool. */
	op->global = op->kh == op->in_h && op->kw == op->in_w && op->pad_top == 0 &&
		     op->pad_left == 0 && op->pad_bottom == 0 && op->pad_right == 0;
	if (op->global) {
		op->gap = (struct npu_ort_qgap){ .type = op->type, .n = op->n, .h = op->in_h,
						 .w = op->in_w, .c = op->c, .x_scale = op->x_scale,
						 .y_scale = op->y_scale, .x_zp = op->x_zp,
						 .y_zp = op->y_zp };
		return npu_ort_qgap_prepare(&op->gap);
	}
	for (v = 0; v < 256; v++) {
		int32_t q = op->type == NPU_UINT8 ? v : (int8_t)(uint8_t)v;

		op->deq[v] = op->x_scale * (float)(q - op->x_zp);
	}
	return NULL;
}

void npu_ort_qavgpool_run(const struct npu_ort_qavgpool *op, const void *in, void *out)
{
	int n, oy, ox, y, x, c;
	int H = op->in_h, W = op->in_w, C = op->c;
	int32_t lo = type_lo(op->type), hi = type_hi(op->type);

	if (op->global) {
		npu_ort_qgap_run(&op->gap, in, out);
		return;
	}
	for (n = 0; n < op->n; n++)
	for (oy = 0; oy < op->out_h; oy++) {
		int hs = oy * op->sh - op->pad_top;
		int he = hs + op->kh < H ? hs + op->kh : H;

		hs = hs > 0 ? hs : 0;
		for (ox = 0; ox < op->out_w; ox++) {
			int ws = ox * op->sw - op->pad_left;
			int we = ws + op->kw < W ? ws + op->kw : W;
			int count;

			ws = ws > 0 ? ws : 0;
			count = op->count_include_pad ? op->kh * op->kw : (he - hs) * (we - ws);
			for (c = 0; c < C; c++) {
				size_t o = (((size_t)n * op->out_h + oy) * op->out_w + ox) * C + c;
				float sum = 0.0f, avg, v;

				for (y = hs; y < he; y++)
					for (x = ws; x < we; x++)
						sum += op->deq[byte_at(in, (((size_t)n * H + y) * W + x) * C + c)];
				avg = sum / (float)count;
				v = avg / op->y_scale;
				v = v + (float)op->y_zp;
				store8(op->type, out, o, clamp_i(cvt_x86(v), lo, hi));
			}
		}
	}
}

/* ------------------------------------------------------------------ */

const char *npu_ort_maxpool_prepare(struct npu_ort_maxpool *op)
{
	if (!is8(op->type))
		return "MaxPool: type must be int8 or uint8";
	if (op->n < 1 || op->in_h < 1 || op->in_w < 1 || op->c < 1)
		return "MaxPool: empty shape";
	return check_pool_geometry(op->in_h, op->in_w, op->out_h, op->out_w, op->kh, op->kw,
				   op->sh, op->sw, op->dil_h, op->dil_w, op->pad_top,
				   op->pad_left, op->pad_bottom, op->pad_right, op->ceil_mode);
}

void npu_ort_maxpool_run(const struct npu_ort_maxpool *op, const void *in, void *out)
{
	int n, oy, ox, i, j, c;
	int H = op->in_h, W = op->in_w, C = op->c;

	for (n = 0; n < op->n; n++)
	for (oy = 0; oy < op->out_h; oy++)
	for (ox = 0; ox < op->out_w; ox++)
	for (c = 0; c < C; c++) {
		int32_t best = type_lo(op->type);

		for (i = 0; i < op->kh; i++) {
			int y = oy * op->sh - op->pad_top + i * op->dil_h;

			if (y < 0 || y >= H)
				continue;
			for (j = 0; j < op->kw; j++) {
				int x = ox * op->sw - op->pad_left + j * op->dil_w;
				int32_t v;

				if (x < 0 || x >= W)
					continue;
				v = load8(op->type, in, (((size_t)n * H + y) * W + x) * C + c);
				best = v > best ? v : best;
			}
		}
		store8(op->type, out, (((size_t)n * op->out_h + oy) * op->out_w + ox) * C + c, best);
	}
}

/* ------------------------------------------------------------------ */

int32_t npu_ort_quantize_value(float x, float scale, int32_t zp, enum npu_type t)
{
	float v = x / scale;
	float lo = (float)(type_lo(t) - zp), hi = (float)(type_hi(t) - zp);

	/* maxps(v, lo) gives lo when v is NaN; then minps(., hi). */
	v = v > lo ? v : lo;
	v = v < hi ? v : hi;
	return cvt_x86(v) + zp;
}

static void build_table(uint8_t *table, enum npu_type t, float x_scale, int x_zp,
			float y_scale, int y_zp, int sigmoid)
{
	int v;

	for (v = 0; v < 256; v++) {
		int32_t q = t == NPU_UINT8 ? v : (int8_t)(uint8_t)v;
		float d = x_scale * (float)(q - x_zp);

		if (sigmoid)
			d = npu_ort_logistic(d);
		table[v] = (uint8_t)npu_ort_quantize_value(d, y_scale, y_zp, t);
	}
}

const char *npu_ort_qconcat_prepare(struct npu_ort_qconcat *op)
{
	int i;

	if (!is8(op->type))
		return "QLinearConcat: type must be int8 or uint8";
	if (op->n < 1 || op->h < 1 || op->w < 1)
		return "QLinearConcat: empty shape";
	if (op->n_inputs < 1 || !op->inputs)
		return "QLinearConcat: no inputs";
	if (!scale_ok(op->y_scale) || !zp_ok(op->type, op->y_zp))
		return "QLinearConcat: bad output scale or zero point";
	op->out_c = 0;
	for (i = 0; i < op->n_inputs; i++) {
		struct npu_ort_qconcat_input *p = &op->inputs[i];

		if (p->c < 1 || p->c > INT32_MAX - op->out_c)
			return "QLinearConcat: bad channel count";
		if (!scale_ok(p->scale) || !zp_ok(op->type, p->zp))
			return "QLinearConcat: bad input scale or zero point";
		op->out_c += p->c;
		p->copy = p->scale == op->y_scale && p->zp == op->y_zp;
		build_table(p->table, op->type, p->scale, p->zp, op->y_scale, op->y_zp, 0);
	}
	return NULL;
}

void npu_ort_qconcat_run(const struct npu_ort_qconcat *op, const void *const *in, void *out)
{
	size_t pixels = (size_t)op->n * op->h * op->w, px;
	uint8_t *o = out;
	int i, c;

	for (px = 0; px < pixels; px++)
		for (i = 0; i < op->n_inputs; i++) {
			const struct npu_ort_qconcat_input *p = &op->inputs[i];
			const uint8_t *src = (const uint8_t *)in[i] + px * (size_t)p->c;

			if (p->copy)
				memcpy(o, src, (size_t)p->c);
			else
				for (c = 0; c < p->c; c++)
					o[c] = p->table[src[c]];
			o += p->c;
		}
}

/* ------------------------------------------------------------------ */

/* MLAS's logistic constants (logistic.cpp, MlasLogisticConstants; Eigen's). */
#define LOG_LO (-18.0f)
#define LOG_HI 18.0f
#define LOG_A9 4.37031012579801e-11f
#define LOG_A7 1.15627324459942e-07f
#define LOG_A5 6.08574864600143e-05f
#define LOG_A3 8.51377133304701e-03f
#define LOG_A1 2.48287947061529e-01f
#define LOG_B10 6.10247389755681e-13f
#define LOG_B8 5.76102136993427e-09f
#define LOG_B6 6.29106785017040e-06f
#define LOG_B4 1.70198817374094e-03f
#define LOG_B2 1.16817656904453e-01f
#define LOG_B0 9.93151921023180e-01f

float npu_ort_logistic(float x)
{
	float x2, p, q, r;

	/* vmaxps(lower, x), vminps(upper, .): a NaN x becomes x (the 2nd operand). */
	x = isnan(x) ? x : (x > LOG_LO ? x : LOG_LO);
	x = isnan(x) ? x : (x < LOG_HI ? x : LOG_HI);
	x2 = x * x;
	p = fmaf(x2, LOG_A9, LOG_A7);
	p = fmaf(x2, p, LOG_A5);
	p = fmaf(x2, p, LOG_A3);
	p = fmaf(x2, p, LOG_A1);
	q = fmaf(x2, LOG_B10, LOG_B8);
	q = fmaf(x2, q, LOG_B6);
	q = fmaf(x2, q, LOG_B4);
	q = fmaf(x2, q, LOG_B2);
	q = fmaf(x2, q, LOG_B0);
	p = x * p;
	r = p / q;
	r = r + 0.5f;
	return r > 0.0f ? r : 0.0f;
}

const char *npu_ort_qsigmoid_prepare(struct npu_ort_qsigmoid *op)
{
	if (!is8(op->type))
		return "QLinearSigmoid: type must be int8 or uint8";
	if (!scale_ok(op->x_scale) || !scale_ok(op->y_scale))
		return "QLinearSigmoid: scales must be finite and > 0";
	if (!zp_ok(op->type, op->x_zp) || !zp_ok(op->type, op->y_zp))
		return "QLinearSigmoid: zero point outside the type";
	build_table(op->table, op->type, op->x_scale, op->x_zp, op->y_scale, op->y_zp, 1);
	return NULL;
}

void npu_ort_qsigmoid_run(const struct npu_ort_qsigmoid *op, const void *in, void *out)
{
	size_t i;

	for (i = 0; i < op->elems; i++)
		((uint8_t *)out)[i] = op->table[byte_at(in, i)];
}

/* ------------------------------------------------------------------ */

static const char *check_qparams(enum npu_type t, size_t elems, int channels, int n_params,
				 const float *scale, const int32_t *zp)
{
	int i;

	if (channels < 1 || elems % (size_t)channels)
		return "elements must be a multiple of the channel count";
	if (n_params != 1 && n_params != channels)
		return "n_params must be 1 or the channel count";
	if (!scale)
		return "no scales";
	for (i = 0; i < n_params; i++) {
		if (!scale_ok(scale[i]))
			return "scales must be finite and > 0";
		if (zp && t != NPU_INT32 && !zp_ok(t, zp[i]))
			return "zero point outside the type";
	}
	return NULL;
}

const char *npu_ort_quantize_prepare(struct npu_ort_quantize *op)
{
	if (!is8(op->type))
		return "QuantizeLinear: output type must be int8 or uint8";
	return check_qparams(op->type, op->elems, op->channels, op->n_params, op->scale, op->zp);
}

void npu_ort_quantize_run(const struct npu_ort_quantize *op, const float *in, void *out)
{
	size_t i;

	for (i = 0; i < op->elems; i++) {
		size_t k = op->n_params == 1 ? 0 : i % (size_t)op->channels;

		store8(op->type, out, i,
		       npu_ort_quantize_value(in[i], op->scale[k], op->zp ? op->zp[k] : 0, op->type));
	}
}

const char *npu_ort_dequantize_prepare(struct npu_ort_dequantize *op)
{
	if (!is8(op->type) && op->type != NPU_INT32)
		return "DequantizeLinear: input type must be int8, uint8 or int32";
	return check_qparams(op->type, op->elems, op->channels, op->n_params, op->scale, op->zp);
}

void npu_ort_dequantize_run(const struct npu_ort_dequantize *op, const void *in, float *out)
{
	size_t i;

	for (i = 0; i < op->elems; i++) {
		size_t k = op->n_params == 1 ? 0 : i % (size_t)op->channels;
		int32_t x = op->type == NPU_INT32 ? ((const int32_t *)in)[i] : load8(op->type, in, i);
		int32_t z = op->zp ? op->zp[k] : 0;
		/* int32 subtraction, wrapping as the machine does */
		int32_t d = (int32_t)((uint32_t)x - (uint32_t)z);

		out[i] = (float)d * op->scale[k];
	}
}

/* ------------------------------------------------------------------ */

const char *npu_ort_pad_prepare(struct npu_ort_pad *op)
{
	int i;

	if (!is8(op->type))
		return "Pad: type must be int8 or uint8";
	if (!zp_ok(op->type, op->value))
		return "Pad: value outside the type";
	for (i = 0; i < 4; i++) {
		int64_t o = (int64_t)op->in[i] + op->begin[i] + op->end[i];

		if (op->in[i] < 1 || op->begin[i] < 0 || op->end[i] < 0)
			return "Pad: dims must be >= 1 and pads >= 0";
		if (o > INT32_MAX)
			return "Pad: output too large";
		op->out[i] = (int)o;
	}
	return NULL;
}

void npu_ort_pad_run(const struct npu_ort_pad *op, const void *in, void *out)
{
	const uint8_t *src = in;
	uint8_t *dst = out;
	uint8_t fill = (uint8_t)op->value;
	int n, h, w;
	size_t C = (size_t)op->out[3], ic = (size_t)op->in[3];

	for (n = 0; n < op->out[0]; n++)
	for (h = 0; h < op->out[1]; h++)
	for (w = 0; w < op->out[2]; w++) {
		int in_n = n - op->begin[0], in_h = h - op->begin[1], in_w = w - op->begin[2];
		uint8_t *d = dst + (((size_t)n * op->out[1] + h) * op->out[2] + w) * C;

		if (in_n < 0 || in_n >= op->in[0] || in_h < 0 || in_h >= op->in[1] ||
		    in_w < 0 || in_w >= op->in[2]) {
			memset(d, fill, C);
			continue;
		}
		memset(d, fill, (size_t)op->begin[3]);
		memcpy(d + op->begin[3],
		       src + (((size_t)in_n * op->in[1] + in_h) * op->in[2] + in_w) * ic, ic);
		memset(d + op->begin[3] + ic, fill, (size_t)op->end[3]);
	}
}
