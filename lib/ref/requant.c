/* SPDX-License-Identifier: MIT */
/* Requantization exactly as REQUANT.md (beside this file) defines it. */
#include <math.h>
#include <stdint.h>

#include "npu_ref.h"

int32_t npu_srdhm(int32_t a, int32_t b)
{
	int64_t ab, nudge;

	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	ab = (int64_t)a * b;
	nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
	/* C division truncates toward zero, as TFLite relies on. */
	return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

int32_t npu_rdbpot(int32_t x, int e)
{
	int32_t mask = (int32_t)((UINT32_C(1) << e) - 1);
	int32_t rem = x & mask;
	int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);

	/* >> of a negative int32 is arithmetic on every compiler we target. */
	return (x >> e) + (rem > thr ? 1 : 0);
}

int32_t npu_mbqm(int32_t x, int32_t q, int shift)
{
	int left = shift > 0 ? shift : 0;
	int right = shift > 0 ? 0 : -shift;
	/* TFLite writes x * (1 << left) in int32; it wraps on real hardware. */
	int32_t xs = (int32_t)((uint32_t)x << left);

	return npu_rdbpot(npu_srdhm(xs, q), right);
}

int32_t npu_rq_fp32_round(int32_t acc, float m)
{
	float p = (float)acc * m;

	if (p >= 2147483648.0f)
		return INT32_MAX;
	if (p < -2147483648.0f)
		return INT32_MIN;
	return (int32_t)lrintf(p);
}

void npu_quantize_multiplier(double m, int32_t *q, int *shift)
{
	int s;
	double f;
	long long qf;

	if (m == 0.0) {
		*q = 0;
		*shift = 0;
		return;
	}
	f = frexp(m, &s);
	qf = llround(f * (double)(INT64_C(1) << 31));
	if (qf == (INT64_C(1) << 31)) {
		qf /= 2;
		s++;
	}
	if (s < -31) {
		*q = 0;
		*shift = 0;
		return;
	}
	*q = (int32_t)qf;
	*shift = s;
}

float npu_fp32_multiplier(float x_scale, float w_scale, float y_scale)
{
	volatile float xw = x_scale * w_scale;	/* keep the fl32 rounding */

	return xw / y_scale;
}

int32_t npu_requant(const struct npu_conv_spec *s, int k, int32_t acc)
{
	int32_t v;
	int64_t o;

	switch (s->rq_mode) {
	case NPU_RQ_FIXED:
		v = npu_mbqm(acc, s->rq_mult[k], s->rq_shift[k]);
		break;
	case NPU_RQ_FP32:
		v = npu_rq_fp32_round(acc, s->rq_scale[k]);
		break;
	default:
		return acc;
	}
	o = (int64_t)v + s->out_zp;
	if (o < s->act_min)
		o = s->act_min;
	if (o > s->act_max)
		o = s->act_max;
	return (int32_t)o;
}
