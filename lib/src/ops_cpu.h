/* SPDX-License-Identifier: MIT */
/*
 * ops_cpu.h - the ops the device does not have, on NHWC buffers: pooling,
 * element-wise add with requantization, softmax, quantize, dequantize.
 * Each op is described once at build time (parameters checked, multipliers
 * derived) and then run any number of times without allocating.
 */
#ifndef NPU_OPS_CPU_H
#define NPU_OPS_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "npu.h"
#include "ops_ort.h"

struct npu_pool_op {
	enum npu_pool_kind kind;
	enum npu_type type;		/* int8 or uint8, in and out */
	int in[4], out[4];		/* NHWC */
	int kh, kw, sh, sw, pad_top, pad_left;
};
/* Max, or average over in-image taps rounded half away from zero. */
void npu_pool_run(const struct npu_pool_op *p, const void *in, void *out);

struct npu_add_op {
	enum npu_requant mode;
	enum npu_type in_type, out_type;	/* in_type: a's (and b's, except on the float path) */
	enum npu_type b_type;
	size_t elems;			/* of a and the output */
	int b_channels;			/* 0: b as a; C: b holds one value per channel */
	int a_zp, b_zp, out_zp, act_min, act_max;
	/* NPU_REQUANT_TFLITE */
	int32_t a_mult, b_mult, out_mult;
	int a_shift, b_shift, out_shift;
	/* NPU_REQUANT_ONNX: ONNX Runtime's QLinearAdd (ops_ort.h), then the clamp */
	struct npu_ort_qadd ort;
	/*
	 * NPU_REQUANT_ONNX with types that are not all one (the output's, a's
	 * and b's; ONNX
	 * Runtime does not fuse DQ -> Add -> Q then and runs the float graph:
	 * fl(fl(a - za) * sa) + fl(fl(b - zb) * sb), then QuantizeLinear.
	 */
	int float_path;
	float a_scale, b_scale, out_scale;
};
/*
 * Derives the multipliers from the scales and the op's zero points, types
 * and elems (set those first); returns NULL, or why the scales cannot be
 * represented (a static string).
 */
const char *npu_add_prepare(struct npu_add_op *op, float a_scale, float b_scale,
			    float out_scale);
void npu_add_run(const struct npu_add_op *op, const void *a, const void *b, void *out);

struct npu_softmax_op {
	enum npu_type in_type, out_type;	/* out: float32 or 8-bit */
	float in_scale, out_scale, beta;
	int in_zp, out_zp;
	size_t rows;			/* N*H*W */
	int depth;			/* C */
};
void npu_softmax_run(const struct npu_softmax_op *op, const void *in, void *out);

/* float -> 8-bit: clamp(rne(x / scale) + zp); NaN -> zp. */
void npu_quantize_run(const float *in, void *out, size_t n, enum npu_type t,
		      float scale, int zp);
/* 8-bit -> float: (q - zp) * scale. */
void npu_dequantize_run(const void *in, float *out, size_t n, enum npu_type t,
			float scale, int zp);

#endif /* NPU_OPS_CPU_H */
