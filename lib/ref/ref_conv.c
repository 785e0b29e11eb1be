/* SPDX-License-Identifier: MIT */
/* The reference convolution: seven plain loops, nothing clever. */
#include <math.h>
#include <stdint.h>

#include "npu_ref.h"

#define DIM_LIMIT (1 << 20)

static int mul_ok(size_t a, size_t b, size_t *r)
{
	if (a && b > SIZE_MAX / a)
		return 0;
	*r = a * b;
	return 1;
}

static int zp_ok(enum npu_dtype t, int zp)
{
	if (t == NPU_TYPE_INT8)
		return zp >= -128 && zp <= 127;
	if (t == NPU_TYPE_UINT8)
		return zp >= 0 && zp <= 255;
	return zp == 0;
}

static int in_range(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

int npu_conv_spec_finish(struct npu_conv_spec *s, const char **why)
{
	int eff_h, eff_w, lo, hi;
	size_t t;

#define FAIL(msg) do { *why = (msg); return -1; } while (0)
	if (!in_range(s->n, 1, DIM_LIMIT) || !in_range(s->in_h, 1, DIM_LIMIT) ||
	    !in_range(s->in_w, 1, DIM_LIMIT) || !in_range(s->in_c, 1, DIM_LIMIT))
		FAIL("input dimensions must be in [1, 2^20]");
	if (!in_range(s->out_c, 1, DIM_LIMIT))
		FAIL("output channels must be in [1, 2^20]");
	if (!in_range(s->kh, 1, 4096) || !in_range(s->kw, 1, 4096))
		FAIL("kernel size must be in [1, 4096]");
	if (!in_range(s->stride_h, 1, 4096) || !in_range(s->stride_w, 1, 4096))
		FAIL("stride must be in [1, 4096]");
	if (!in_range(s->dil_h, 1, 4096) || !in_range(s->dil_w, 1, 4096))
		FAIL("dilation must be in [1, 4096]");
	if (!in_range(s->pad_top, 0, 4096) || !in_range(s->pad_left, 0, 4096) ||
	    !in_range(s->pad_bottom, 0, 4096) || !in_range(s->pad_right, 0, 4096))
		FAIL("padding must be in [0, 4096]");
	if (s->groups < 1 || s->in_c % s->groups || s->out_c % s->groups)
		FAIL("groups must divide input and output channels");
	eff_h = (s->kh - 1) * s->dil_h + 1;
	eff_w = (s->kw - 1) * s->dil_w + 1;
	if (eff_h > s->in_h + s->pad_top + s->pad_bottom ||
	    eff_w > s->in_w + s->pad_left + s->pad_right)
		FAIL("dilated kernel is larger than the padded input");
	s->out_h = (s->in_h + s->pad_top + s->pad_bottom - eff_h) / s->stride_h + 1;
	s->out_w = (s->in_w + s->pad_left + s->pad_right - eff_w) / s->stride_w + 1;

	if (s->in_type != NPU_TYPE_INT8 && s->in_type != NPU_TYPE_UINT8)
		FAIL("input type must be int8 or uint8");
	if (s->w_type != NPU_TYPE_INT8 && s->w_type != NPU_TYPE_UINT8)
		FAIL("weight type must be int8 or uint8");
	if (s->out_type != NPU_TYPE_INT8 && s->out_type != NPU_TYPE_UINT8 &&
	    s->out_type != NPU_TYPE_INT32)
		FAIL("output type must be int8, uint8 or int32");
	if ((s->out_type == NPU_TYPE_INT32) != (s->rq_mode == NPU_RQ_NONE))
		FAIL("int32 output goes with no requantization, 8-bit output with one");
	if (s->rq_mode == NPU_RQ_FIXED && (!s->rq_mult || !s->rq_shift))
		FAIL("fixed-point requantization needs multipliers and shifts");
	if (s->rq_mode == NPU_RQ_FP32 && !s->rq_scale)
		FAIL("fp32 requantization needs per-channel scales");
	if (s->rq_mode != NPU_RQ_NONE && s->rq_mode != NPU_RQ_FIXED &&
	    s->rq_mode != NPU_RQ_FP32)
		FAIL("unknown requantization mode");
	if (!zp_ok(s->in_type, s->in_zp))
		FAIL("input zero point outside the input type's range");
	if (!zp_ok(s->out_type, s->out_zp))
		FAIL("output zero point outside the output type's range");
	if (s->out_type != NPU_TYPE_INT32) {
		lo = s->out_type == NPU_TYPE_INT8 ? -128 : 0;
		hi = s->out_type == NPU_TYPE_INT8 ? 127 : 255;
		if (!in_range(s->act_min, lo, hi) || !in_range(s->act_max, lo, hi) ||
		    s->act_min > s->act_max)
			FAIL("activation clamp outside the output type's range");
	}
	if (!mul_ok((size_t)s->n, (size_t)s->in_h, &t) || !mul_ok(t, (size_t)s->in_w, &t) ||
	    !mul_ok(t, (size_t)s->in_c, &t) || !mul_ok(t, 4, &t))
		FAIL("input size overflows size_t");
	if (!mul_ok((size_t)s->n, (size_t)s->out_h, &t) || !mul_ok(t, (size_t)s->out_w, &t) ||
	    !mul_ok(t, (size_t)s->out_c, &t) || !mul_ok(t, 4, &t))
		FAIL("output size overflows size_t");
	if (!mul_ok((size_t)s->out_c, (size_t)s->kh, &t) || !mul_ok(t, (size_t)s->kw, &t) ||
	    !mul_ok(t, (size_t)(s->in_c / s->groups), &t))
		FAIL("weight size overflows size_t");
	/* per channel, last: the arrays hold out_c entries only once it is sane */
	for (int k = 0; s->w_zp && k < s->out_c; k++)
		if (!zp_ok(s->w_type, s->w_zp[k]))
			FAIL("weight zero point outside the weight type's range");
	for (int k = 0; s->rq_mode == NPU_RQ_FIXED && k < s->out_c; k++)
		if (s->rq_shift[k] < NPU_SHIFT_MIN || s->rq_shift[k] > NPU_SHIFT_MAX)
			FAIL("requantization shift outside [-31, 30]");
	for (int k = 0; s->rq_mode == NPU_RQ_FP32 && k < s->out_c; k++)
		if (!isfinite(s->rq_scale[k]))
			FAIL("requantization scale is not a finite number");
#undef FAIL
	*why = NULL;
	return 0;
}

size_t npu_conv_in_elems(const struct npu_conv_spec *s)
{
	return (size_t)s->n * s->in_h * s->in_w * s->in_c;
}

size_t npu_conv_w_elems(const struct npu_conv_spec *s)
{
	return (size_t)s->out_c * s->kh * s->kw * (s->in_c / s->groups);
}

size_t npu_conv_out_elems(const struct npu_conv_spec *s)
{
	return (size_t)s->n * s->out_h * s->out_w * s->out_c;
}

uint64_t npu_conv_macs(const struct npu_conv_spec *s)
{
	return (uint64_t)s->n * s->out_h * s->out_w * s->out_c * s->kh * s->kw *
	       (s->in_c / s->groups);
}

void npu_ref_conv(const struct npu_conv_spec *s, const void *in, const void *w,
		  void *out)
{
	int cpg = s->in_c / s->groups, kpg = s->out_c / s->groups;
	int b, oy, ox, k, r, q, c;

	for (b = 0; b < s->n; b++)
	for (oy = 0; oy < s->out_h; oy++)
	for (ox = 0; ox < s->out_w; ox++)
	for (k = 0; k < s->out_c; k++) {
		int g = k / kpg;
		int32_t wzp = s->w_zp ? s->w_zp[k] : 0;
		/* Accumulate in uint32: the device's int32 adders wrap. */
		uint32_t acc = s->bias ? (uint32_t)s->bias[k] : 0;

		for (r = 0; r < s->kh; r++) {
			int iy = oy * s->stride_h + r * s->dil_h - s->pad_top;

			if (iy < 0 || iy >= s->in_h)
				continue;
			for (q = 0; q < s->kw; q++) {
				int ix = ox * s->stride_w + q * s->dil_w - s->pad_left;

				if (ix < 0 || ix >= s->in_w)
					continue;
				for (c = 0; c < cpg; c++) {
					size_t ii = (((size_t)b * s->in_h + iy) * s->in_w + ix) *
						    s->in_c + (size_t)g * cpg + c;
					size_t wi = (((size_t)k * s->kh + r) * s->kw + q) * cpg + c;
					int32_t a = npu_load(s->in_type, in, ii) - s->in_zp;
					int32_t wv = npu_load(s->w_type, w, wi) - wzp;

					acc += (uint32_t)(a * wv);
				}
			}
		}
		npu_store(s->out_type, out,
			  (((size_t)b * s->out_h + oy) * s->out_w + ox) * s->out_c + k,
			  npu_requant(s, k, (int32_t)acc));
	}
}
