/* SPDX-License-Identifier: MIT */
/*
 * synth.h - synthetic networks: seeded weights, and quantization scales
 * chosen from each layer's fan-in so that activations stay well spread
 * through any depth (neither all clamped nor all at the zero point), which
 * is what makes a bit-exact comparison of a synthetic network mean
 * something.
 *
 * The model: every quantized tensor carries an estimate of the mean and
 * second moment of (q - zero_point) in quantization steps. A conv's
 * accumulator spread follows from those and the sums of its weights over
 * the fan-in; its multiplier maps that spread to a target that fits the
 * output type with little clamping. Activations are modelled as normal
 * before ReLU, cut at zero after.
 */
#ifndef NPU_SYNTH_H
#define NPU_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "npu.h"
#include "rng.h"

struct npu_stats {
	double mean, m2;	/* of (q - zp) in steps; of x for float tensors */
};

/* Zero point of a synthetic output: the type's minimum under ReLU. */
int npu_synth_zero_point(enum npu_type t, enum npu_act act);

/* Uniform 8-bit values around zp: [zp-127, zp+127] within the type. */
void npu_synth_fill(struct npu_rng *r, enum npu_type t, int zp, void *buf, size_t n);
/* Measured statistics of (q - zp) over a buffer. */
struct npu_stats npu_synth_measure(const void *buf, size_t n, enum npu_type t, int zp);

struct npu_synth_conv {
	float in_scale;
	double acc_m2;		/* expected accumulator E[acc^2]: npu_synth_acc_m2() */
	enum npu_act act;
	enum npu_type out_type;
};

/*
 * E[acc^2] of a conv whose K channels have fan_in weights each (OHWI rows)
 * over inputs with statistics `in`, treating the inputs as independent:
 * per channel (mean * sum(w))^2 + var * sum(w^2), averaged over channels.
 */
double npu_synth_acc_m2(const void *w, enum npu_type t, const int32_t *zps, int n_zps,
			int K, uint64_t fan_in, struct npu_stats in);

/*
 * Weight scales and output quantization of a conv/FC with K channels.
 * Scales not given are drawn into w_scales[K] (per channel, within
 * +-25 % of each other); an output quantization not given is chosen.
 * *out_stats is the output's estimate either way.
 */
void npu_synth_conv_quant(const struct npu_synth_conv *c, struct npu_rng *r,
			  float *w_scales, int n_scales, int scales_given,
			  struct npu_out_quant *out, int out_given,
			  struct npu_stats *out_stats);

/* Seeded bias: uniform within half the expected accumulator spread. */
void npu_synth_bias(const struct npu_synth_conv *c, struct npu_rng *r, int32_t *bias,
		    int K);

/* Output quantization of an add of two tensors. */
void npu_synth_add_quant(float a_scale, struct npu_stats a, float b_scale,
			 struct npu_stats b, enum npu_act act, enum npu_type t,
			 struct npu_out_quant *out, struct npu_stats *out_stats);

/* Statistics after pooling: max over, or average of, `taps` values. */
struct npu_stats npu_synth_pool(struct npu_stats in, int is_max, uint64_t taps);

/* Quantization of float data with these statistics (for quantize). */
void npu_synth_quantize(struct npu_stats real, enum npu_type t, struct npu_out_quant *out,
			struct npu_stats *out_stats);

#endif /* NPU_SYNTH_H */
