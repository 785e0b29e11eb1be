/* SPDX-License-Identifier: MIT */
/* The CPU-only ops. Integer ops follow TFLite's reference kernels. */
#include <math.h>
#include <stdint.h>

#include "npu_ref.h"
#include "ops_cpu.h"

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

static int32_t clamp32(int64_t v, int lo, int hi)
{
	return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}

static int32_t type_lo(enum npu_type t)
{
	return t == NPU_UINT8 ? 0 : -128;
}

static int32_t type_hi(enum npu_type t)
{
	return t == NPU_UINT8 ? 255 : 127;
}

/* TFLite's average: integer division rounded half away from zero. */
static int32_t div_round_away(int32_t sum, int32_t count)
{
	return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

void npu_pool_run(const struct npu_pool_op *p, const void *in, void *out)
{
	int n, oy, ox, c, r, s;
	int H = p->in[1], W = p->in[2], C = p->in[3];

	for (n = 0; n < p->out[0]; n++)
	for (oy = 0; oy < p->out[1]; oy++)
	for (ox = 0; ox < p->out[2]; ox++)
	for (c = 0; c < C; c++) {
		int32_t best = INT32_MIN, sum = 0, count = 0;

		for (r = 0; r < p->kh; r++) {
			int iy = oy * p->sh + r - p->pad_top;

			if (iy < 0 || iy >= H)
				continue;
			for (s = 0; s < p->kw; s++) {
				int ix = ox * p->sw + s - p->pad_left;
				int32_t v;

				if (ix < 0 || ix >= W)
					continue;
				v = load8(p->type, in, (((size_t)n * H + iy) * W + ix) * C + c);
				if (v > best)
					best = v;
				sum += v;
				count++;
			}
		}
		/* The builder guarantees every window holds an in-image tap. */
		store8(p->type, out,
		       (((size_t)n * p->out[1] + oy) * p->out[2] + ox) * C + c,
		       p->kind == NPU_POOL_MAX ? best : div_round_away(sum, count));
	}
}

/* TFLite: inputs are shifted left by this before rescaling, for precision. */
#define ADD_LEFT_SHIFT 20

static const char *quantize_mult(double m, int32_t *q, int *shift)
{
	npu_quantize_multiplier(m, q, shift);
	if (*shift > 30 || *shift < -31)
		return "requantization multiplier out of the representable range";
	return NULL;
}

const char *npu_add_prepare(struct npu_add_op *op, float a_scale, float b_scale,
			    float out_scale)
{
	const char *why;

	if (op->mode == NPU_REQUANT_ONNX) {
		op->a_scale = a_scale;
		op->b_scale = b_scale;
		op->out_scale = out_scale;
		op->float_path = op->in_type != op->out_type || op->b_type != op->in_type;
		if (op->float_path)
			return NULL;
		op->ort = (struct npu_ort_qadd){ .type = op->in_type, .elems = op->elems,
						 .a_scale = a_scale, .b_scale = b_scale,
						 .c_scale = out_scale, .a_zp = op->a_zp,
						 .b_zp = op->b_zp, .c_zp = op->out_zp };
		return npu_ort_qadd_prepare(&op->ort);
	}
	/* The arithmetic of TFLite's PrepareGeneralSubOp/Add for 8-bit. */
	double twice_max = 2.0 * fmax((double)a_scale, (double)b_scale);
	double out_m = twice_max / ((double)(1 << ADD_LEFT_SHIFT) * out_scale);

	if ((why = quantize_mult(a_scale / twice_max, &op->a_mult, &op->a_shift)) ||
	    (why = quantize_mult(b_scale / twice_max, &op->b_mult, &op->b_shift)) ||
	    (why = quantize_mult(out_m, &op->out_mult, &op->out_shift)))
		return why;
	return NULL;
}

void npu_add_run(const struct npu_add_op *op, const void *a, const void *b, void *out)
{
	size_t i;

	if (op->mode == NPU_REQUANT_ONNX && op->float_path) {
		for (i = 0; i < op->elems; i++) {
			size_t j = op->b_channels ? i % (size_t)op->b_channels : i;
			float fa = (float)(load8(op->in_type, a, i) - op->a_zp) * op->a_scale;
			float fb = (float)(load8(op->b_type, b, j) - op->b_zp) * op->b_scale;
			int32_t y = npu_ort_quantize_value(fa + fb, op->out_scale, op->out_zp,
							   op->out_type);

			store8(op->out_type, out, i, clamp32(y, op->act_min, op->act_max));
		}
		return;
	}
	if (op->mode == NPU_REQUANT_ONNX) {
		if (op->b_channels)
			npu_ort_qadd_run_bcast_c(&op->ort, a, b, op->b_channels, out);
		else
			npu_ort_qadd_run(&op->ort, a, b, out);
		/* a fused activation: the clamp on the quantized sum */
		if (op->act_min > type_lo(op->out_type) || op->act_max < type_hi(op->out_type))
			for (i = 0; i < op->elems; i++)
				store8(op->out_type, out, i, clamp32(load8(op->out_type, out, i),
								     op->act_min, op->act_max));
		return;
	}
	for (i = 0; i < op->elems; i++) {
		int32_t va = load8(op->in_type, a, i) - op->a_zp;
		int32_t vb = load8(op->in_type, b, i) - op->b_zp;
		int32_t sa = npu_mbqm(va * (1 << ADD_LEFT_SHIFT), op->a_mult, op->a_shift);
		int32_t sb = npu_mbqm(vb * (1 << ADD_LEFT_SHIFT), op->b_mult, op->b_shift);
		int64_t y = npu_mbqm(sa + sb, op->out_mult, op->out_shift);

		store8(op->out_type, out, i, clamp32(y + op->out_zp, op->act_min, op->act_max));
	}
}

void npu_softmax_run(const struct npu_softmax_op *op, const void *in, void *out)
{
	size_t row;
	int c;

	for (row = 0; row < op->rows; row++) {
		size_t base = row * (size_t)op->depth;
		double scale = (double)op->in_scale * op->beta, sum = 0.0;
		int32_t max = INT32_MIN;

		/* Subtracting the max keeps exp() in range for any beta. */
		for (c = 0; c < op->depth; c++) {
			int32_t v = load8(op->in_type, in, base + c);

			if (v > max)
				max = v;
		}
		for (c = 0; c < op->depth; c++)
			sum += exp(scale * (load8(op->in_type, in, base + c) - max));
		for (c = 0; c < op->depth; c++) {
			double p = exp(scale * (load8(op->in_type, in, base + c) - max)) / sum;

			if (op->out_type == NPU_FLOAT32) {
				((float *)out)[base + c] = (float)p;
			} else {
				double q = nearbyint(p / op->out_scale) + op->out_zp;

				store8(op->out_type, out, base + c,
				       clamp32((int64_t)fmin(fmax(q, -1e6), 1e6),
					       type_lo(op->out_type), type_hi(op->out_type)));
			}
		}
	}
}

void npu_quantize_run(const float *in, void *out, size_t n, enum npu_type t,
		      float scale, int zp)
{
	float lo = (float)type_lo(t), hi = (float)type_hi(t);
	size_t i;

	for (i = 0; i < n; i++) {
		float x = in[i];
		float q;

		if (isnan(x)) {
			store8(t, out, i, zp);
			continue;
		}
		/* Clamp in float first: the cast of an out-of-range float is UB. */
		q = nearbyintf(x / scale) + (float)zp;
		q = q < lo ? lo : q > hi ? hi : q;
		store8(t, out, i, (int32_t)q);
	}
}

void npu_dequantize_run(const void *in, float *out, size_t n, enum npu_type t,
			float scale, int zp)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (float)(load8(t, in, i) - zp) * scale;
}
