/* SPDX-License-Identifier: MIT */
/*
 * The CPU reference for quantized convolution: simple, obviously right,
 * and the definition every other path (fast CPU path, device) must match
 * bit for bit. The arithmetic is REQUANT.md's (beside this file).
 */
#ifndef NPU_REF_H
#define NPU_REF_H

#include <stddef.h>
#include <stdint.h>

#include "npu_hw.h"

/*
 * A quantized 2-D convolution over NHWC activations with OHWI weights
 * ([K][kh][kw][C/groups]). A fully-connected layer is kh = kw = in_h =
 * in_w = 1. Output channel k belongs to group k / (K/groups) and reads input
 * channels [g*C/groups, (g+1)*C/groups).
 */
struct npu_conv_spec {
	int n, in_h, in_w, in_c;	/* input NHWC */
	int out_c;			/* K */
	int kh, kw;
	int stride_h, stride_w;
	int dil_h, dil_w;
	int pad_top, pad_left, pad_bottom, pad_right;
	int groups;
	int out_h, out_w;		/* set by npu_conv_spec_finish() */

	enum npu_dtype in_type, w_type, out_type;
	int in_zp, out_zp;
	const int32_t *w_zp;		/* per output channel; NULL means 0 */
	const int32_t *bias;		/* per output channel; NULL means 0 */
	enum npu_rq_mode rq_mode;	/* NONE iff out_type == INT32 */
	const int32_t *rq_mult;		/* FIXED: q per channel */
	const int8_t *rq_shift;		/* FIXED: shift per channel */
	const float *rq_scale;		/* FP32: M per channel */
	int act_min, act_max;		/* clamp, inside out_type's range */
};

/*
 * Checks the spec and derives out_h/out_w. Returns 0, or -1 with a reason
 * in *why (a static string) when the spec is malformed or its sizes would
 * overflow size_t.
 */
int npu_conv_spec_finish(struct npu_conv_spec *s, const char **why);

size_t npu_conv_in_elems(const struct npu_conv_spec *s);
size_t npu_conv_w_elems(const struct npu_conv_spec *s);
size_t npu_conv_out_elems(const struct npu_conv_spec *s);
uint64_t npu_conv_macs(const struct npu_conv_spec *s);

/* The requantization primitives (REQUANT.md). */
int32_t npu_srdhm(int32_t a, int32_t b);
int32_t npu_rdbpot(int32_t x, int e);
int32_t npu_mbqm(int32_t x, int32_t q, int shift);
/* rne(fl32(fl32(acc) * m)), saturated to int32. */
int32_t npu_rq_fp32_round(int32_t acc, float m);
/* QuantizeMultiplier: real multiplier -> (q, shift). */
void npu_quantize_multiplier(double m, int32_t *q, int *shift);
/* ONNX: M = fl32(fl32(x_scale * w_scale) / y_scale). */
float npu_fp32_multiplier(float x_scale, float w_scale, float y_scale);

/* acc (bias included) of output channel k -> the stored output value. */
int32_t npu_requant(const struct npu_conv_spec *s, int k, int32_t acc);

/* Element i of a tensor of type t, as int32. */
static inline int32_t npu_load(enum npu_dtype t, const void *p, size_t i)
{
	switch (t) {
	case NPU_TYPE_INT8:
		return ((const int8_t *)p)[i];
	case NPU_TYPE_UINT8:
		return ((const uint8_t *)p)[i];
	default:
		return ((const int32_t *)p)[i];
	}
}

static inline void npu_store(enum npu_dtype t, void *p, size_t i, int32_t v)
{
	switch (t) {
	case NPU_TYPE_INT8:
		((int8_t *)p)[i] = (int8_t)v;
		break;
	case NPU_TYPE_UINT8:
		((uint8_t *)p)[i] = (uint8_t)v;
		break;
	default:
		((int32_t *)p)[i] = v;
		break;
	}
}

/* The reference convolution. Buffers are NHWC / OHWI / NHWC. */
void npu_ref_conv(const struct npu_conv_spec *s, const void *in, const void *w,
		  void *out);

#endif /* NPU_REF_H */
