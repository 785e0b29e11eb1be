/* SPDX-License-Identifier: MIT */
/*
 * act.h - fused activations as a clamp on a layer's quantized output,
 * derived the way the layer's requantization mode's own framework derives
 * it (conv, FC and add all use this; nothing else may compute a bound).
 */
#ifndef NPU_ACT_H
#define NPU_ACT_H

#include "npu.h"

/*
 * The real interval an activation keeps: NONE (-inf, +inf), RELU [0, +inf),
 * RELU6 [0, 6], CLIP [clip_min, clip_max]. Returns NULL, or why the
 * activation is invalid (a static string): an unknown act, or CLIP bounds
 * that are not finite or not clip_min <= clip_max. clip_min and clip_max
 * are read only for NPU_ACT_CLIP.
 */
const char *npu_act_check(enum npu_act act, float clip_min, float clip_max);

/*
 * The clamp [*lo, *hi] (inside the 8-bit type t; *lo <= *hi) that applies
 * `act` to an output quantized with (scale > 0, zp inside t), for the
 * requantization mode `mode`:
 *
 *   NPU_REQUANT_TFLITE: CalculateActivationRangeQuantized
 *     (tensorflow/lite/kernels/kernel_util.cc): a real bound f becomes
 *     q(f) = zp + (int32)TfLiteRound(f / scale), the division in float
 *     and TfLiteRound = roundf (half away from zero); *lo = max(qmin,
 *     q(low)), *hi = min(qmax, q(high)). TFLite has no general clip; CLIP
 *     uses the same q(). A q() beyond the type saturates to it (TFLite
 *     refuses a bound whose q() overflows int32, and would store a value
 *     outside the type when q(high) < qmin; neither can happen for ReLU
 *     and ReLU6).
 *   NPU_REQUANT_ONNX: QuantizeLinear as ONNX Runtime computes it
 *     (MlasQuantizeLinear, onnxruntime/core/mlas/lib/quantize.cpp): q(f) =
 *     saturate(rne(fl32(f / scale)) + zp), a float division (not a
 *     multiplication by the reciprocal), rounding half to even. A fused
 *     activation is Clip followed by QuantizeLinear, and since q() is
 *     monotonic that is the clamp [q(low), q(high)].
 *
 * An unbounded side gives the type's limit. Returns NULL, or the reason
 * from npu_act_check(), or "unknown requantization mode".
 */
const char *npu_act_bounds(enum npu_requant mode, enum npu_act act, float clip_min,
			   float clip_max, enum npu_type t, float scale, int zp, int *lo,
			   int *hi);

#endif /* NPU_ACT_H */
