/* SPDX-License-Identifier: MIT */
/* Seeded weights and fan-in based quantization for synthetic networks. */
#include <math.h>

#include "synth.h"

/*
 * Target standard deviation of a layer's output before its activation,
 * in steps. Without activation: int8 reaches 127 at ~4 sigma. ReLU keeps
 * the upper half with the zero point at the type's minimum: 255 steps at
 * ~4 sigma. ReLU6 is mapped so that 6.0 is the top of the range and is
 * reached at ~2.5 sigma, so that the clamp at 6 really happens.
 */
static double target_sigma(enum npu_act act)
{
	switch (act) {
	case NPU_ACT_RELU:
		return 64.0;
	case NPU_ACT_RELU6:
		return 100.0;
	default:
		return 32.0;
	}
}

int npu_synth_zero_point(enum npu_type t, enum npu_act act)
{
	if (act != NPU_ACT_NONE)
		return t == NPU_UINT8 ? 0 : -128;
	return t == NPU_UINT8 ? 128 : 0;
}

/* Statistics of N(mean, sigma^2) after the activation (ReLU: cut at 0). */
static struct npu_stats act_of_normal(enum npu_act act, double mean, double sigma)
{
	struct npu_stats s = { mean, mean * mean + sigma * sigma };
	double z, cdf, pdf;

	if (act == NPU_ACT_NONE || sigma <= 0.0)
		return s;
	z = mean / sigma;
	cdf = 0.5 * erfc(-z / M_SQRT2);
	pdf = exp(-0.5 * z * z) / sqrt(2.0 * M_PI);
	s.mean = mean * cdf + sigma * pdf;
	s.m2 = (mean * mean + sigma * sigma) * cdf + mean * sigma * pdf;
	return s;
}

static struct npu_stats after_act(enum npu_act act, double sigma)
{
	return act_of_normal(act, 0.0, sigma);
}

/* Real output scale so that sigma steps hold a real spread of `real_sigma`. */
static float out_scale_for(enum npu_act act, enum npu_type t, double real_sigma)
{
	(void)t;
	if (act == NPU_ACT_RELU6)
		return 6.0f / 255.0f;
	return (float)(real_sigma / target_sigma(act));
}

void npu_synth_fill(struct npu_rng *r, enum npu_type t, int zp, void *buf, size_t n)
{
	int lo = zp - 127, hi = zp + 127;
	size_t i;

	if (t == NPU_UINT8) {
		lo = lo < 0 ? 0 : lo;
		hi = hi > 255 ? 255 : hi;
		for (i = 0; i < n; i++)
			((uint8_t *)buf)[i] = (uint8_t)npu_rng_range(r, lo, hi);
	} else {
		lo = lo < -128 ? -128 : lo;
		hi = hi > 127 ? 127 : hi;
		for (i = 0; i < n; i++)
			((int8_t *)buf)[i] = (int8_t)npu_rng_range(r, lo, hi);
	}
}

struct npu_stats npu_synth_measure(const void *buf, size_t n, enum npu_type t, int zp)
{
	struct npu_stats s = { 0.0, 0.0 };
	size_t i;

	for (i = 0; i < n; i++) {
		double v;

		if (t == NPU_FLOAT32)
			v = ((const float *)buf)[i];
		else if (t == NPU_UINT8)
			v = ((const uint8_t *)buf)[i] - zp;
		else
			v = ((const int8_t *)buf)[i] - zp;
		s.mean += v;
		s.m2 += v * v;
	}
	if (n) {
		s.mean /= (double)n;
		s.m2 /= (double)n;
	}
	return s;
}

double npu_synth_acc_m2(const void *w, enum npu_type t, const int32_t *zps, int n_zps,
			int K, uint64_t fan_in, struct npu_stats in)
{
	double var = in.m2 - in.mean * in.mean, m2 = 0.0;
	int k;

	if (var < 0.0)
		var = 0.0;
	for (k = 0; k < K; k++) {
		int32_t zp = zps[n_zps == 1 ? 0 : k];
		double s1 = 0.0, s2 = 0.0;
		uint64_t j;

		for (j = 0; j < fan_in; j++) {
			size_t i = (size_t)k * fan_in + j;
			double v = (t == NPU_UINT8 ? ((const uint8_t *)w)[i]
						   : ((const int8_t *)w)[i]) - zp;

			s1 += v;
			s2 += v * v;
		}
		m2 += (in.mean * in.mean * s1 * s1 + var * s2) / K;
	}
	return m2;
}

static double acc_sigma(const struct npu_synth_conv *c)
{
	return c->acc_m2 > 1.0 ? sqrt(c->acc_m2) : 1.0;
}

void npu_synth_conv_quant(const struct npu_synth_conv *c, struct npu_rng *r,
			  float *w_scales, int n_scales, int scales_given,
			  struct npu_out_quant *out, int out_given,
			  struct npu_stats *out_stats)
{
	double acc = acc_sigma(c), sigma = target_sigma(c->act);
	double mult = sigma / acc;	/* real multiplier in_scale * w_scale / out_scale */
	double mean = 0.0;
	int k;

	for (k = 0; scales_given && k < n_scales; k++)
		mean += w_scales[k] / n_scales;
	if (!out_given) {
		out->type = c->out_type;
		out->zero_point = npu_synth_zero_point(c->out_type, c->act);
		/* Without given weight scales: a real output spread of about 1. */
		out->scale = scales_given ? (float)(c->in_scale * mean / mult)
					  : out_scale_for(c->act, c->out_type, 1.0);
	}
	if (!scales_given) {
		for (k = 0; k < n_scales; k++) {
			w_scales[k] = (float)(mult * out->scale / c->in_scale *
					      (0.75 + 0.5 * npu_rng_unit(r)));
			mean += w_scales[k] / n_scales;
		}
	}
	/* What the multipliers in force make of the accumulator spread. */
	*out_stats = after_act(c->act, acc * c->in_scale * mean / out->scale);
}

void npu_synth_bias(const struct npu_synth_conv *c, struct npu_rng *r, int32_t *bias,
		    int K)
{
	int64_t half = (int64_t)(acc_sigma(c) / 2.0);
	int k;

	for (k = 0; k < K; k++)
		bias[k] = (int32_t)npu_rng_range(r, -half, half);
}

void npu_synth_add_quant(float a_scale, struct npu_stats a, float b_scale,
			 struct npu_stats b, enum npu_act act, enum npu_type t,
			 struct npu_out_quant *out, struct npu_stats *out_stats)
{
	/* Independent inputs: real means and variances add. */
	double mean = a_scale * a.mean + b_scale * b.mean;
	double var = (double)a_scale * a_scale * (a.m2 - a.mean * a.mean) +
		     (double)b_scale * b_scale * (b.m2 - b.mean * b.mean);
	double rms = sqrt(mean * mean + (var > 0.0 ? var : 0.0));

	out->type = t;
	out->zero_point = npu_synth_zero_point(t, act);
	out->scale = out_scale_for(act, t, rms > 0.0 ? rms : 1.0);
	*out_stats = act_of_normal(act, mean / out->scale,
				   sqrt(var > 0.0 ? var : 0.0) / out->scale);
}

struct npu_stats npu_synth_pool(struct npu_stats in, int is_max, uint64_t taps)
{
	struct npu_stats s = in;
	double sd = sqrt(in.m2 > in.mean * in.mean ? in.m2 - in.mean * in.mean : 0.0);

	/*
	 * Channels differ more than pixels of one channel (each has its own
	 * offset from bias and weights), so averaging keeps the spread; the max
	 * of a window sits well above the mean.
	 */
	if (is_max && taps > 1) {
		s.mean = in.mean + 1.5 * sd;
		s.m2 = s.mean * s.mean + sd * sd;
	}
	return s;
}

void npu_synth_quantize(struct npu_stats real, enum npu_type t, struct npu_out_quant *out,
			struct npu_stats *out_stats)
{
	double sigma = sqrt(real.m2 > 0.0 ? real.m2 : 1.0);

	out->type = t;
	out->zero_point = npu_synth_zero_point(t, NPU_ACT_NONE);
	out->scale = (float)(sigma / target_sigma(NPU_ACT_NONE));
	*out_stats = after_act(NPU_ACT_NONE, target_sigma(NPU_ACT_NONE));
}
