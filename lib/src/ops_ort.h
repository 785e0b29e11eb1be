/* SPDX-License-Identifier: MIT */
/*
 * ops_ort.h - CPU ops that give exactly ONNX Runtime's answer, bit for bit.
 *
 * Each op copies the arithmetic of the kernel that ONNX Runtime's CPU
 * execution provider runs on x86-64 (onnxruntime-node 1.30.0, the version
 * tools/golden pins); lib/onnx/ORT_ARITHMETIC.md explains every formula and
 * names the ORT/MLAS file and function it comes from. tests/unit/
 * test_ops_ort.c checks every op against ORT's own outputs
 * (tests/onnx/cases, made by tools/onnx_cases/gen_cases.py).
 *
 * Conventions (as lib/src/ops_cpu.h):
 * - Buffers are NHWC ([N][H][W][C], channel axis last), 8-bit elements of
 *   enum npu_type NPU_INT8 or NPU_UINT8; floats are IEEE binary32.
 * - Each op has a params struct. The caller fills the fields marked "in";
 *   *_prepare() checks them, derives every constant once (fields marked
 *   "derived") and returns NULL, or a static string saying why the op
 *   cannot be run. *_run() then never allocates and cannot fail; it may be
 *   called any number of times, from several threads at once.
 * - Zero points are ints in the range of the tensor's type; scales are
 *   finite and > 0 (as ONNX requires).
 * - "fl()" below is rounding to binary32 (round to nearest even), rne() is
 *   rounding to the nearest integer, ties to even, as the x86 instruction
 *   cvtps2dq does in the default MXCSR mode.
 */
#ifndef NPU_OPS_ORT_H
#define NPU_OPS_ORT_H

#include <stddef.h>
#include <stdint.h>

#include "npu.h"

/* ------------------------------------------------------------------ */
/* Requantization multipliers of QLinearConv / QLinearMatMul / QGemm    */
/* ------------------------------------------------------------------ */

/*
 * The fp32 output scale of QLinearConv and QLinearMatMul for one output
 * channel: fl(fl(x_scale * w_scale) / y_scale), computed in float
 * (onnxruntime/core/providers/cpu/quantization/qlinearconv.cc,
 * QLinearConv::ComputeOutputScale; quantize_linear_matmul.cc,
 * QLinearMatMul::Compute). Equal to npu_fp32_multiplier() (mode B of
 * lib/ref/REQUANT.md) for every input.
 */
float npu_ort_conv_multiplier(float x_scale, float w_scale, float y_scale);

/*
 * The fp32 output scale of com.microsoft QGemm for one column:
 * fl(fl(fl(alpha * a_scale) * b_scale) / y_scale); with a float output
 * (no y_scale: pass y_scale = 0) fl(fl(alpha * a_scale) * b_scale)
 * (onnxruntime/contrib_ops/cpu/quantization/qgemm.cc,
 * QGemm::ComputeOutputScale): mode B's multiplier with x_scale replaced by
 * fl(alpha * a_scale), i.e. npu_fp32_multiplier(alpha * a_scale, b_scale,
 * y_scale).
 * The output is then (MlasRequantizeOutput, quantize.cpp):
 *   quantized: clamp(rne(fl(fl(acc) * M)) + y_zp, type_min, type_max)
 *   float:     fl(fl(acc) * M)
 * where acc already includes QGemm's int32 C input (beta is ignored).
 */
float npu_ort_qgemm_multiplier(float alpha, float a_scale, float b_scale, float y_scale);

/* ------------------------------------------------------------------ */
/* Pooling geometry                                                     */
/* ------------------------------------------------------------------ */

enum npu_ort_auto_pad {
	NPU_ORT_NOTSET = 0,	/* explicit pads */
	NPU_ORT_SAME_UPPER,
	NPU_ORT_SAME_LOWER,
	NPU_ORT_VALID,
};

/*
 * ORT's pooled output size along one spatial axis (MaxPool, AveragePool,
 * QLinearAveragePool; onnxruntime/core/providers/cpu/nn/pool_attributes.h,
 * PoolAttributes::ComputeSizePadDilations and ComputeOutputSize).
 * in: input size; kernel, stride, dilation >= 1; ceil_mode 0 or 1.
 * *pad_head / *pad_tail: read for NPU_ORT_NOTSET; for the auto_pad kinds
 * they are set to the pads ORT uses (SAME_*: total = (ceil(in/stride) - 1)
 * * stride + kernel - in, from the undilated kernel, as ORT does; LOWER puts
 * the odd pixel at the head; VALID: 0, 0).
 * Returns the output size (>= 0), or -1 when ORT would refuse (an explicit
 * pad >= kernel, a negative size) or the arguments are out of range.
 * Size: num = in + head + tail - dilation * (kernel - 1) - 1;
 *   floor mode: num / stride + 1 (C division, as ORT's int64 division);
 *   ceil mode:  ceil(fl(num) / stride) + 1 (in float), then one less when
 *               the last window would start at or past in + head (it must
 *               start inside the image or the head padding).
 */
int npu_ort_pool_out_size(int in, int kernel, int stride, int dilation,
			  enum npu_ort_auto_pad auto_pad, int ceil_mode,
			  int *pad_head, int *pad_tail);

/* ------------------------------------------------------------------ */
/* com.microsoft QLinearAdd                                             */
/* ------------------------------------------------------------------ */

/*
 * C = A + B element-wise on same-shape tensors (ORT's non-broadcast path),
 * as MLAS's AVX2 kernel computes it (onnxruntime/core/mlas/lib/intrinsics/
 * avx2/qladd_avx2.cpp, MlasQLinearAddKernelAvx2Helper; chosen by
 * platform.cpp on every CPU with AVX2, this one included):
 *   ra = fl(a_scale / c_scale), rb = fl(b_scale / c_scale)
 *   F  = fl(c_zp - fma(ra, a_zp, fl(rb * b_zp)))  (the compiler contracted
 *        ORT's c_zp - (ra*a_zp + rb*b_zp) into this; measured, see the doc)
 *   v  = fma(a, ra, fma(b, rb, F))         (two fused multiply-adds)
 *   C  = sat8(sat16(rne(v)))               (|v| >= 2^31 gives type_min)
 * Broadcast: when ORT's broadcaster hands the kernel one input as a single
 * value per span (a scalar, or B of shape [1,C,1,1] against NCHW A), the
 * source folds that value into F first with a multiply and an add; the
 * compiler contracts them into fma(b, rb, F), so the result is the same
 * formula as above (measured: qlinearadd_bcast_sweep_uint8 tells the two
 * apart). npu_ort_qadd_run_bcast_c() does it for a B with one value per
 * channel.
 */
struct npu_ort_qadd {
	enum npu_type type;		/* in: NPU_INT8 or NPU_UINT8 (A, B and C) */
	size_t elems;			/* in: elements of each tensor */
	float a_scale, b_scale, c_scale;	/* in */
	int a_zp, b_zp, c_zp;		/* in */
	float ra, rb, fixed;		/* derived */
};
const char *npu_ort_qadd_prepare(struct npu_ort_qadd *op);
void npu_ort_qadd_run(const struct npu_ort_qadd *op, const void *a, const void *b, void *c);
/*
 * A (elems values, NHWC, elems a multiple of channels) + B (channels values,
 * one per channel: ONNX B of shape [1,C,1,1] or [C,1,1] against A [N,C,H,W]),
 * with ORT's arithmetic above.
 */
void npu_ort_qadd_run_bcast_c(const struct npu_ort_qadd *op, const void *a, const void *b,
			      int channels, void *c);

/* ------------------------------------------------------------------ */
/* com.microsoft QLinearGlobalAveragePool                               */
/* ------------------------------------------------------------------ */

/*
 * Mean over H and W of each (n, c) (onnxruntime/core/mlas/lib/
 * qlgavgpool.cpp, MlasQLinearGlobalAveragePoolNchw/Nhwc, SSE2 path; the
 * same for NCHW and NHWC):
 *   M   = fl(x_scale / fl(y_scale * fl(H*W)))
 *   acc = sum(x) - x_zp * H*W                (int32)
 *   y   = clamp(rne(fl(fl(acc) * M)) + y_zp, type_min, type_max)
 * ORT throws (so prepare refuses) when H*W >= 2^24 or M < 2^-32 or M >= 256.
 */
struct npu_ort_qgap {
	enum npu_type type;		/* in: input and output */
	int n, h, w, c;			/* in: input NHWC; output is [n][1][1][c] */
	float x_scale, y_scale;		/* in */
	int x_zp, y_zp;			/* in */
	float mult;			/* derived: M */
	int32_t bias;			/* derived: -x_zp * H*W */
};
const char *npu_ort_qgap_prepare(struct npu_ort_qgap *op);
void npu_ort_qgap_run(const struct npu_ort_qgap *op, const void *in, void *out);

/* ------------------------------------------------------------------ */
/* com.microsoft QLinearAveragePool                                      */
/* ------------------------------------------------------------------ */

/*
 * 2-D average pooling (onnxruntime/contrib_ops/cpu/quantization/
 * qlinear_pool.cc, QLinearAveragePool::ComputeImpl with QLinearPool2DTask /
 * QLinearPoolNhwc2DTask: the same arithmetic in both layouts):
 *   every input is dequantized once: d = fl(x_scale * fl(x - x_zp));
 *   window rows hs = oy*sh - pad_top, he = min(hs + kh, H), hs = max(hs, 0),
 *   columns likewise (pad_bottom/pad_right only shape the output size);
 *   s = the float sum of d over the window, rows outer, columns inner,
 *       from 0.0f, one fl() per addition;
 *   n = count_include_pad ? kh*kw : (he - hs) * (we - ws);
 *   y = fl(s / n);  q = clamp(rne(fl(fl(y / y_scale) + y_zp)));
 * (count_include_pad divides by the whole kernel even where the window
 * hangs past the bottom/right padding in ceil mode.) No dilations: ORT's
 * QLinearAveragePool has no such attribute.
 * When the kernel covers the whole input and all pads are 0, ORT runs
 * QLinearGlobalAveragePool's integer arithmetic instead (see npu_ort_qgap);
 * prepare detects it and run does the same.
 */
struct npu_ort_qavgpool {
	enum npu_type type;		/* in: input and output */
	int n, in_h, in_w, c;		/* in: input NHWC */
	int out_h, out_w;		/* in: output H, W (checked against ORT's sizes) */
	int kh, kw, sh, sw;		/* in */
	int pad_top, pad_left, pad_bottom, pad_right;	/* in: after auto_pad */
	int ceil_mode, count_include_pad;	/* in: 0 or 1 */
	float x_scale, y_scale;		/* in */
	int x_zp, y_zp;			/* in */
	int global;			/* derived: runs as global average pool */
	struct npu_ort_qgap gap;	/* derived, when global */
	float deq[256];			/* derived: d for each byte value */
};
const char *npu_ort_qavgpool_prepare(struct npu_ort_qavgpool *op);
void npu_ort_qavgpool_run(const struct npu_ort_qavgpool *op, const void *in, void *out);

/* ------------------------------------------------------------------ */
/* MaxPool on int8 / uint8                                               */
/* ------------------------------------------------------------------ */

/*
 * 2-D max pooling of 8-bit tensors (onnxruntime/core/providers/cpu/nn/
 * pool.cc, MaxPoolV8 with pool_functors.h MaxPool2DTask): taps
 * y = oy*sh - pad_top + i*dil_h (i < kh), likewise x; taps outside the image
 * are skipped; a window with no tap in the image gives type_min.
 */
struct npu_ort_maxpool {
	enum npu_type type;		/* in */
	int n, in_h, in_w, c;		/* in: input NHWC */
	int out_h, out_w;		/* in: checked against ORT's sizes */
	int kh, kw, sh, sw, dil_h, dil_w;	/* in */
	int pad_top, pad_left, pad_bottom, pad_right;	/* in: after auto_pad */
	int ceil_mode;			/* in */
};
const char *npu_ort_maxpool_prepare(struct npu_ort_maxpool *op);
void npu_ort_maxpool_run(const struct npu_ort_maxpool *op, const void *in, void *out);

/* ------------------------------------------------------------------ */
/* com.microsoft QLinearConcat along channels                            */
/* ------------------------------------------------------------------ */

/*
 * Concatenation along C of any number of NHWC inputs with their own scale
 * and zero point (onnxruntime/contrib_ops/cpu/quantization/
 * qlinear_concat.cc, QLinearConcat; tables from qlinear_lookup_table.cc,
 * QlinearBuildLookupTable): an input whose scale and zero point equal the
 * output's (float ==) is copied; any other goes through a 256-entry table
 *   table[v] = quantize(fl(scale * fl(v - zp)), y_scale, y_zp)
 * with MLAS's QuantizeLinear (see npu_ort_quantize).
 */
struct npu_ort_qconcat_input {
	int c;				/* in: channels of this input */
	float scale;			/* in */
	int zp;				/* in */
	int copy;			/* derived */
	uint8_t table[256];		/* derived: indexed by the input byte */
};
struct npu_ort_qconcat {
	enum npu_type type;		/* in: all inputs and the output */
	int n, h, w;			/* in: common N, H, W */
	int n_inputs;			/* in: >= 1 */
	struct npu_ort_qconcat_input *inputs;	/* in: n_inputs entries, caller-owned */
	float y_scale;			/* in */
	int y_zp;			/* in */
	int out_c;			/* derived: sum of the inputs' c */
};
const char *npu_ort_qconcat_prepare(struct npu_ort_qconcat *op);
/* in[i] is input i ([n][h][w][inputs[i].c]); out is [n][h][w][out_c]. */
void npu_ort_qconcat_run(const struct npu_ort_qconcat *op, const void *const *in, void *out);

/* ------------------------------------------------------------------ */
/* com.microsoft QLinearSigmoid                                          */
/* ------------------------------------------------------------------ */

/*
 * A 256-entry table (onnxruntime/contrib_ops/cpu/quantization/
 * qlinear_lookup_table.cc, QlinearBuildLookupTable, with
 * MlasComputeLogistic): d = fl(x_scale * fl(v - x_zp)); y = MLAS's logistic
 * of d as its FMA3 kernel computes it on AVX2 machines (the Eigen rational
 * polynomial, see ORT_ARITHMETIC.md); table[v] = quantize(y, y_scale, y_zp).
 */
struct npu_ort_qsigmoid {
	enum npu_type type;		/* in */
	size_t elems;			/* in */
	float x_scale, y_scale;		/* in */
	int x_zp, y_zp;			/* in */
	uint8_t table[256];		/* derived */
};
const char *npu_ort_qsigmoid_prepare(struct npu_ort_qsigmoid *op);
void npu_ort_qsigmoid_run(const struct npu_ort_qsigmoid *op, const void *in, void *out);

/* MLAS's logistic function of one float (the FMA3 kernel's arithmetic). */
float npu_ort_logistic(float x);

/* ------------------------------------------------------------------ */
/* QuantizeLinear / DequantizeLinear                                     */
/* ------------------------------------------------------------------ */

/*
 * float -> 8-bit (onnxruntime/core/mlas/lib/quantize.cpp,
 * MlasQuantizeLinearKernel; the AVX-512F kernel computes the same):
 *   v = fl(x / scale)            (a division, not a reciprocal multiply)
 *   v = min(max(v, fl(type_min - zp)), fl(type_max - zp))   (NaN -> type_min - zp)
 *   q = rne(v) + zp
 * Per tensor (n_params = 1) or per channel along C (n_params = C: scale[c],
 * zp[c]).
 */
struct npu_ort_quantize {
	enum npu_type type;		/* in: output NPU_INT8 or NPU_UINT8 */
	size_t elems;			/* in: a multiple of channels */
	int channels;			/* in: C (the innermost axis) */
	int n_params;			/* in: 1 or channels */
	const float *scale;		/* in: n_params values */
	const int32_t *zp;		/* in: n_params values, or NULL for 0 */
};
const char *npu_ort_quantize_prepare(struct npu_ort_quantize *op);
void npu_ort_quantize_run(const struct npu_ort_quantize *op, const float *in, void *out);
/* One value, per-tensor parameters: the arithmetic above. */
int32_t npu_ort_quantize_value(float x, float scale, int32_t zp, enum npu_type t);

/*
 * 8-bit or int32 -> float (onnxruntime/core/providers/cpu/quantization/
 * quantize_linear.cc, DequantizeLinear; MLAS dequantize.cpp):
 *   y = fl(fl((int32)(x - zp)) * scale)
 * (x - zp is an int32 subtraction; for int32 input fl() of it may round.)
 */
struct npu_ort_dequantize {
	enum npu_type type;		/* in: input NPU_INT8, NPU_UINT8 or NPU_INT32 */
	size_t elems;			/* in */
	int channels;			/* in */
	int n_params;			/* in: 1 or channels */
	const float *scale;		/* in */
	const int32_t *zp;		/* in: or NULL for 0 */
};
const char *npu_ort_dequantize_prepare(struct npu_ort_dequantize *op);
void npu_ort_dequantize_run(const struct npu_ort_dequantize *op, const void *in, float *out);

/* ------------------------------------------------------------------ */
/* Pad (constant) on 8-bit NHWC                                          */
/* ------------------------------------------------------------------ */

/*
 * Constant padding (onnxruntime/core/providers/cpu/tensor/pad.cc, mode
 * "constant"): no arithmetic, every new element is `value`. pads are
 * begin/end counts per NHWC axis, all >= 0.
 */
struct npu_ort_pad {
	enum npu_type type;		/* in */
	int in[4];			/* in: NHWC */
	int begin[4], end[4];		/* in: NHWC order */
	int value;			/* in: in the type's range */
	int out[4];			/* derived */
};
const char *npu_ort_pad_prepare(struct npu_ort_pad *op);
void npu_ort_pad_run(const struct npu_ort_pad *op, const void *in, void *out);

#endif /* NPU_OPS_ORT_H */
