/* SPDX-License-Identifier: MIT */
/*
 * Fused activations (ReLU, ReLU6, Clip) as the clamp each requantization
 * mode's own framework applies: TFLite's CalculateActivationRangeQuantized
 * (q(f) = zp + TfLiteRound(f / scale), float division, half away from zero)
 * and ONNX Runtime's QuantizeLinear of the clip bounds (saturate(rne(f /
 * scale) + zp), float division). Hand-checked values through whole conv,
 * FC and add layers; a sweep of scales, zero points, types, activations
 * and bounds against an implementation written here from those
 * definitions, through whole layers and through npu_act_bounds(); the
 * JSON "clip" field and the argument checks.
 */
#include <float.h>
#include <math.h>

#include "act.h"
#include "frontend_test.h"
#include "rng.h"

/* ---- the frameworks' definitions, written independently --------------- */

/*
 * f / scale as a float: the quotient rounded once to double, then to float,
 * is the correctly rounded float quotient (53 >= 2 * 24 + 2 bits).
 */
static double f32_quotient(float f, float scale)
{
	return (double)(float)((double)f / (double)scale);
}

/* std::round: half away from zero (x is a float value, so x + 0.5 is exact in double). */
static double round_away(double x)
{
	return x >= 0 ? floor(x + 0.5) : -floor(-x + 0.5);
}

/* Round half to even. */
static double round_even(double x)
{
	double r = floor(x), d = x - r;

	if (d > 0.5 || (d == 0.5 && fmod(r, 2.0) != 0.0))
		r += 1.0;
	return r;
}

static int type_lo(enum npu_type t)
{
	return t == NPU_UINT8 ? 0 : -128;
}

static int type_hi(enum npu_type t)
{
	return t == NPU_UINT8 ? 255 : 127;
}

static int sat(double v, enum npu_type t)
{
	return v < type_lo(t) ? type_lo(t) : v > type_hi(t) ? type_hi(t) : (int)v;
}

/* The expected clamp of an activation, from each framework's definition. */
static void expected_bounds(enum npu_requant mode, enum npu_act act, float cmin, float cmax,
			    enum npu_type t, float scale, int zp, int *lo, int *hi)
{
	double lo_real = -INFINITY, hi_real = INFINITY;

	if (act == NPU_ACT_RELU || act == NPU_ACT_RELU6)
		lo_real = 0.0;
	if (act == NPU_ACT_RELU6)
		hi_real = 6.0;
	if (act == NPU_ACT_CLIP) {
		lo_real = cmin;
		hi_real = cmax;
	}
	*lo = type_lo(t);
	*hi = type_hi(t);
	/*
	 * TFLite: act_min = max(qmin, zp + round(f / s)), act_max = min(qmax, ...).
	 * ONNX Runtime: saturate(rne(f / s) + zp). Both saturate the same way
	 * here (TFLite's own activations never leave the type).
	 */
	if (lo_real > -INFINITY) {
		double q = f32_quotient((float)lo_real, scale);
		*lo = sat((mode == NPU_REQUANT_TFLITE ? round_away(q) : round_even(q)) + zp, t);
	}
	if (hi_real < INFINITY) {
		double q = f32_quotient((float)hi_real, scale);
		*hi = sat((mode == NPU_REQUANT_TFLITE ? round_away(q) : round_even(q)) + zp, t);
	}
}

/* ---- layers ----------------------------------------------------------- */

struct act_case {
	enum npu_requant mode;
	enum npu_act act;
	float cmin, cmax;
	enum npu_type t;	/* input, output (and add input) type */
	float out_scale;
	int out_zp;
};

static npu_net *new_net(npu_ctx *ctx, enum npu_type t, int dims_n, float scale, int zp,
			int *in)
{
	struct npu_tensor_desc d = { .type = t, .layout = NPU_NHWC, .dims = { dims_n, 1, 1, 1 },
				     .scale = scale, .zero_point = zp };
	npu_net *net;

	assert_int_equal(npu_net_create(ctx, "act", &net), NPU_OK);
	assert_int_equal(npu_net_add_input(net, "x", &d, in), NPU_OK);
	return net;
}

static int8_t one_w = 1;
static float one_scale = 1.0f;

/*
 * A 1x1 conv (or FC) with weight 1 over n one-value images: output i is
 * requant(in[i] - in_zp) clamped. Values are in the type (uint8 as 0..255).
 */
static void run_conv(npu_ctx *ctx, int fc, const struct act_case *c, float in_scale,
		     int in_zp, const int *in, int *out, int n)
{
	struct npu_weights w = { .type = NPU_INT8, .layout = NPU_OHWI, .data = &one_w,
				 .scales = &one_scale, .n_scales = 1 };
	struct npu_out_quant oq = { c->t, c->out_scale, c->out_zp };
	uint8_t buf[8];
	int x, y, i;
	npu_net *net = new_net(ctx, c->t, n, in_scale, in_zp, &x);

	if (fc) {
		struct npu_fc_params p = { .name = "fc", .units = 1, .requant = c->mode,
					   .act = c->act, .weights = w, .out = oq,
					   .clip_min = c->cmin, .clip_max = c->cmax };
		if (npu_net_add_fc(net, x, &p, &y) != NPU_OK)
			fail_msg("fc: %s", npu_ctx_last_error(ctx));
	} else {
		struct npu_conv2d_params p = { .name = "conv", .out_channels = 1, .kernel_h = 1,
					       .kernel_w = 1, .requant = c->mode, .act = c->act,
					       .weights = w, .out = oq, .clip_min = c->cmin,
					       .clip_max = c->cmax };
		if (npu_net_add_conv2d(net, x, &p, &y) != NPU_OK)
			fail_msg("conv: %s", npu_ctx_last_error(ctx));
	}
	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)in[i];
	assert_int_equal(npu_net_set_input(net, x, NPU_NHWC, buf, (size_t)n), NPU_OK);
	if (npu_net_run(net) != NPU_OK)
		fail_msg("run: %s", npu_ctx_last_error(ctx));
	assert_int_equal(npu_net_get_output(net, y, NPU_NHWC, buf, (size_t)n), NPU_OK);
	for (i = 0; i < n; i++)
		out[i] = c->t == NPU_INT8 ? (int8_t)buf[i] : buf[i];
	npu_net_free(net);
}

/* a + b (both at scale 1, zero point 0 or 128 for uint8), one element. */
static int run_add(npu_ctx *ctx, const struct act_case *c, int a, int b)
{
	struct npu_add_params p = { .name = "add", .requant = c->mode, .act = c->act,
				    .out = { c->t, c->out_scale, c->out_zp },
				    .clip_min = c->cmin, .clip_max = c->cmax };
	int zp = c->t == NPU_UINT8 ? 128 : 0, ia, ib, y;
	uint8_t va = (uint8_t)(a + zp), vb = (uint8_t)(b + zp), r;
	struct npu_tensor_desc d = { .type = c->t, .layout = NPU_NHWC, .dims = { 1, 1, 1, 1 },
				     .scale = 1.0f, .zero_point = zp };
	npu_net *net;

	assert_int_equal(npu_net_create(ctx, "add", &net), NPU_OK);
	assert_int_equal(npu_net_add_input(net, "a", &d, &ia), NPU_OK);
	assert_int_equal(npu_net_add_input(net, "b", &d, &ib), NPU_OK);
	if (npu_net_add_add(net, ia, ib, &p, &y) != NPU_OK)
		fail_msg("add: %s", npu_ctx_last_error(ctx));
	npu_net_set_input(net, ia, NPU_NHWC, &va, 1);
	npu_net_set_input(net, ib, NPU_NHWC, &vb, 1);
	assert_int_equal(npu_net_run(net), NPU_OK);
	npu_net_get_output(net, y, NPU_NHWC, &r, 1);
	npu_net_free(net);
	return c->t == NPU_INT8 ? (int8_t)r : r;
}

/* ---- hand-checked values ---------------------------------------------- */

/*
 * One conv, input 7 (scale 1, zero point 0), weight 1 (scale 1), ReLU6.
 * TFLite: 6.0f / 0.8f is exactly 7.5f in float, TfLiteRound gives 8: the
 * top is 8 (a double division gives 7.4999999 and 7). 6 / 2.4f = 2.5f ->
 * 3 -> -100 + 3 = -97. 6 / 12 = 0.5 -> 1 -> 5 + 1 = 6. uint8 6 / 0.047f =
 * 127.66 -> 128. ONNX Runtime rounds the same quotients half to even: 8,
 * -98, 5, 128.
 */
static void test_relu6_hand(void **state)
{
	static const struct {
		enum npu_type t;
		float scale;
		int zp, tflite, onnx;
	} cases[] = {
		{ NPU_INT8, 0.8f, 0, 8, 8 },
		{ NPU_INT8, 2.4f, -100, -97, -98 },
		{ NPU_INT8, 12.0f, 5, 6, 5 },
		{ NPU_UINT8, 0.047f, 0, 128, 128 },
		{ NPU_UINT8, 0.8f, 0, 8, 8 },
		{ NPU_UINT8, 12.0f, 5, 6, 5 },
	};
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	size_t i;
	int fc, out;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (fc = 0; fc < 2; fc++) {
			struct act_case c = { NPU_REQUANT_TFLITE, NPU_ACT_RELU6, 0, 0, cases[i].t,
					      cases[i].scale, cases[i].zp };
			int x = 7;

			run_conv(ctx, fc, &c, 1.0f, 0, &x, &out, 1);
			if (out != cases[i].tflite)
				fail_msg("case %zu %s tflite: got %d, want %d", i, fc ? "fc" : "conv",
					 out, cases[i].tflite);
			c.mode = NPU_REQUANT_ONNX;
			run_conv(ctx, fc, &c, 1.0f, 0, &x, &out, 1);
			if (out != cases[i].onnx)
				fail_msg("case %zu %s onnx: got %d, want %d", i, fc ? "fc" : "conv",
					 out, cases[i].onnx);
		}
	npu_ctx_close(ctx);
}

/*
 * Add 4 + 3 (scales 1) to an output at scale 0.8, ReLU6: 7 / 0.8 = 8.75,
 * 9 before the clamp, whose top is 8 in both modes (7.5 rounds to 8 both
 * ways). Output scale 2.4, zero point -100: 7 / 2.4 = 2.9 -> -97; the top
 * is -97 (TFLite) or -98 (ONNX).
 */
static void test_add_hand(void **state)
{
	npu_ctx *ctx = test_ctx(0);
	struct act_case c = { NPU_REQUANT_TFLITE, NPU_ACT_RELU6, 0, 0, NPU_INT8, 0.8f, 0 };

	(void)state;
	assert_int_equal(run_add(ctx, &c, 4, 3), 8);
	c.mode = NPU_REQUANT_ONNX;
	assert_int_equal(run_add(ctx, &c, 4, 3), 8);
	c.out_scale = 2.4f;
	c.out_zp = -100;
	assert_int_equal(run_add(ctx, &c, 4, 3), -98);
	c.mode = NPU_REQUANT_TFLITE;
	assert_int_equal(run_add(ctx, &c, 4, 3), -97);
	/* uint8 (inputs at zero point 128), ReLU6 at 12 / 5: 0.58 -> 6, top 6 or 5 */
	c.t = NPU_UINT8;
	c.out_scale = 12.0f;
	c.out_zp = 5;
	assert_int_equal(run_add(ctx, &c, 4, 3), 6);
	c.mode = NPU_REQUANT_ONNX;
	assert_int_equal(run_add(ctx, &c, 4, 3), 5);
	npu_ctx_close(ctx);
}

/*
 * Clip [-1.25, 2.5] at output scale 0.5: the bounds are -2.5 and 5 steps.
 * TFLite rounds -2.5 away from zero (-3), ONNX Runtime to even (-2). Input
 * -7 and 7 (weight 1, scales 1): -14 and 14 before the clamp.
 */
static void test_clip_hand(void **state)
{
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	struct act_case c = { NPU_REQUANT_TFLITE, NPU_ACT_CLIP, -1.25f, 2.5f, NPU_INT8, 0.5f, 0 };
	int in[2] = { (uint8_t)-7, 7 }, out[2];

	(void)state;
	run_conv(ctx, 0, &c, 1.0f, 0, in, out, 2);
	assert_int_equal(out[0], -3);
	assert_int_equal(out[1], 5);
	run_conv(ctx, 1, &c, 1.0f, 0, in, out, 2);
	assert_int_equal(out[0], -3);
	assert_int_equal(out[1], 5);
	c.mode = NPU_REQUANT_ONNX;
	run_conv(ctx, 0, &c, 1.0f, 0, in, out, 2);
	assert_int_equal(out[0], -2);
	assert_int_equal(out[1], 5);
	/* the add: -4 + -3 = -7 -> -14 steps, clamped at -3 / -2 */
	assert_int_equal(run_add(ctx, &c, -4, -3), -2);
	c.mode = NPU_REQUANT_TFLITE;
	assert_int_equal(run_add(ctx, &c, -4, -3), -3);
	/* ReLU is a clip at 0 below: a negative result stops at the zero point */
	c.act = NPU_ACT_RELU;
	c.out_zp = -20;
	assert_int_equal(run_add(ctx, &c, -4, -3), -20);
	/* a clip beyond the type saturates to it: [-1000, 1000] at scale 0.5 */
	c.act = NPU_ACT_CLIP;
	c.cmin = -1000.0f;
	c.cmax = 1000.0f;
	c.out_zp = 0;
	run_conv(ctx, 0, &c, 100.0f, 0, in, out, 2);
	assert_int_equal(out[0], -128);
	assert_int_equal(out[1], 127);
	npu_ctx_close(ctx);
}

/* ---- the sweep -------------------------------------------------------- */

/* A scale: log-uniform, or one that puts 6 or a clip bound near a half step. */
static float pick_scale(struct npu_rng *r)
{
	static const float fixed[] = { 0.8f, 2.4f, 12.0f, 0.047f, 1.2f, 0.4f, 4.8f, 24.0f,
				       6.0f / 255.0f, 1.0f / 128, 0.1f, 0.3f };
	switch (npu_rng_range(r, 0, 3)) {
	case 0:
		return fixed[npu_rng_range(r, 0, sizeof(fixed) / sizeof(fixed[0]) - 1)];
	case 1:	/* 6 / (k + 0.5): the top of ReLU6 on or next to a tie */
		return (float)(6.0 / ((double)npu_rng_range(r, 0, 300) + 0.5));
	default:
		return (float)exp(log(1e-4) + npu_rng_unit(r) * (log(100.0) - log(1e-4)));
	}
}

/* A clip bound: a random real, or (k + 0.5) steps of the scale. */
static float pick_bound(struct npu_rng *r, float scale)
{
	if (npu_rng_range(r, 0, 1))
		return (float)(((double)npu_rng_range(r, -300, 300) + 0.5) * scale);
	return (float)((2.0 * npu_rng_unit(r) - 1.0) * 300.0 * scale);
}

static void random_case(struct npu_rng *r, struct act_case *c)
{
	static const enum npu_act acts[] = { NPU_ACT_NONE, NPU_ACT_RELU, NPU_ACT_RELU6,
					     NPU_ACT_CLIP };

	c->mode = npu_rng_range(r, 0, 1) ? NPU_REQUANT_ONNX : NPU_REQUANT_TFLITE;
	c->act = acts[npu_rng_range(r, 0, 3)];
	c->t = npu_rng_range(r, 0, 1) ? NPU_UINT8 : NPU_INT8;
	c->out_scale = pick_scale(r);
	c->out_zp = (int)npu_rng_range(r, type_lo(c->t), type_hi(c->t));
	c->cmin = c->cmax = 0.0f;
	if (c->act == NPU_ACT_CLIP) {
		float a = pick_bound(r, c->out_scale), b = pick_bound(r, c->out_scale);

		c->cmin = a < b ? a : b;
		c->cmax = a < b ? b : a;
	}
}

/*
 * The library's bounds equal the definitions', for thousands of cases via
 * npu_act_bounds() and hundreds through whole conv and FC layers (inputs
 * at both ends of the type and a huge multiplier, so the outputs are the
 * bounds themselves).
 */
static void test_sweep(void **state)
{
	uint64_t seed = test_seed("activation bounds sweep");
	struct npu_rng r = { seed };
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	int n = test_quick() ? 2000 : 50000, layers = test_quick() ? 60 : 600, ties = 0;
	int i;

	(void)state;
	for (i = 0; i < n; i++) {
		struct act_case c;
		int lo, hi, elo, ehi;
		const char *why;

		random_case(&r, &c);
		why = npu_act_bounds(c.mode, c.act, c.cmin, c.cmax, c.t, c.out_scale, c.out_zp,
				     &lo, &hi);
		expected_bounds(c.mode, c.act, c.cmin, c.cmax, c.t, c.out_scale, c.out_zp, &elo,
				&ehi);
		if (why || lo != elo || hi != ehi)
			fail_msg("case %d: %s act %d clip [%.9g, %.9g] %s scale %.9g zp %d: "
				 "library [%d, %d]%s%s, definition [%d, %d]", i,
				 c.mode ? "onnx" : "tflite", c.act, c.cmin, c.cmax,
				 npu_type_name(c.t), c.out_scale, c.out_zp, lo, hi,
				 why ? ": " : "", why ? why : "", elo, ehi);
		assert_true(lo <= hi);
		/* count the cases where the two roundings differ (the sweep must reach them) */
		if (c.act == NPU_ACT_RELU6) {
			double q = f32_quotient(6.0f, c.out_scale);
			ties += round_away(q) != round_even(q);
		}
	}
	if (ties < n / 100)
		fail_msg("only %d of %d cases were ties", ties, n);
	for (i = 0; i < layers; i++) {
		struct act_case c;
		int elo, ehi, out[2], fc = i % 2;
		int zp = 0, in[2] = { 127, -128 };

		random_case(&r, &c);
		if (c.t == NPU_UINT8) {
			zp = 128;
			in[0] = 255;
			in[1] = 0;
		}
		expected_bounds(c.mode, c.act, c.cmin, c.cmax, c.t, c.out_scale, c.out_zp, &elo,
				&ehi);
		/* multiplier 1000: 127 and -128 input steps go far past either end */
		run_conv(ctx, fc, &c, c.out_scale * 1000.0f, zp, in, out, 2);
		if (out[0] != ehi || out[1] != elo)
			fail_msg("layer case %d (%s): outputs %d, %d; bounds [%d, %d]", i,
				 fc ? "fc" : "conv", out[1], out[0], elo, ehi);
	}
	npu_ctx_close(ctx);
}

/* ---- argument checks and the JSON field -------------------------------- */

static void test_bad_activation(void **state)
{
	npu_ctx *ctx = test_ctx(0);
	struct act_case c = { NPU_REQUANT_TFLITE, NPU_ACT_CLIP, 2.0f, 1.0f, NPU_INT8, 1.0f, 0 };
	struct npu_conv2d_params p = { .name = "c", .out_channels = 1, .kernel_h = 1,
				       .kernel_w = 1, .act = NPU_ACT_CLIP,
				       .weights = { .type = NPU_INT8, .layout = NPU_OHWI,
						    .data = &one_w, .scales = &one_scale,
						    .n_scales = 1 },
				       .out = { NPU_INT8, 1.0f, 0 }, .clip_min = 2.0f,
				       .clip_max = 1.0f };
	struct npu_add_params ap = { .name = "a", .act = (enum npu_act)7,
				     .out = { NPU_INT8, 1.0f, 0 } };
	int x, y, n;
	npu_net *net = new_net(ctx, NPU_INT8, 1, 1.0f, 0, &x);

	(void)state;
	(void)c;
	n = npu_net_num_layers(net);
	assert_int_equal(npu_net_add_conv2d(net, x, &p, &y), NPU_E_INVAL);
	assert_non_null(strstr(npu_ctx_last_error(ctx), "clip_min must be <= clip_max"));
	p.clip_min = NAN;
	assert_int_equal(npu_net_add_conv2d(net, x, &p, &y), NPU_E_INVAL);
	assert_non_null(strstr(npu_ctx_last_error(ctx), "finite"));
	p.clip_min = -1.0f;
	p.clip_max = INFINITY;
	assert_int_equal(npu_net_add_conv2d(net, x, &p, &y), NPU_E_INVAL);
	p.act = (enum npu_act)9;
	assert_int_equal(npu_net_add_conv2d(net, x, &p, &y), NPU_E_INVAL);
	assert_non_null(strstr(npu_ctx_last_error(ctx), "unknown activation"));
	/* an add used to take any value as ReLU */
	assert_int_equal(npu_net_add_add(net, x, x, &ap, &y), NPU_E_INVAL);
	assert_non_null(strstr(npu_ctx_last_error(ctx), "unknown activation"));
	ap.act = NPU_ACT_CLIP;
	ap.clip_min = 1.0f;
	ap.clip_max = 0.5f;
	assert_int_equal(npu_net_add_add(net, x, x, &ap, &y), NPU_E_INVAL);
	/* clip bounds are ignored by other activations */
	p.act = NPU_ACT_RELU;
	p.clip_min = NAN;
	assert_int_equal(npu_net_add_conv2d(net, x, &p, &y), NPU_OK);
	assert_int_equal(npu_net_num_layers(net), n + 1);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

static npu_status load_str(npu_ctx *ctx, const char *layer_fields, npu_net **net)
{
	char json[1024];

	snprintf(json, sizeof(json),
		 "{\"version\": 1, \"requant\": \"onnx\", \"inputs\": [{\"name\": \"x\", \"shape\": "
		 "[1, 1, 1, 2], \"scale\": 1}], \"layers\": [{\"name\": \"c\", \"op\": \"conv2d\", "
		 "\"filters\": 1, \"kernel\": 1, \"weights\": {\"seed\": 3, \"scale\": 1}, "
		 "\"output\": {\"type\": \"int8\", \"scale\": 0.5}, %s}]}", layer_fields);
	return npu_net_load_string(ctx, json, NULL, NULL, net);
}

static void test_json_clip(void **state)
{
	npu_ctx *ctx = test_ctx(0);
	npu_net *net = NULL;
	const char *good = "{\"version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [1, 1, 1, 2], "
		"\"scale\": 1}], \"layers\": ["
		"{\"name\": \"f\", \"op\": \"fc\", \"units\": 2, \"act\": \"clip\", \"clip\": [-1.25, 2.5], "
		"\"weights\": {\"scale\": 1}, \"output\": {\"type\": \"int8\", \"scale\": 0.5}},"
		"{\"name\": \"s\", \"op\": \"add\", \"inputs\": [\"f\", \"f\"], \"act\": \"clip\", "
		"\"clip\": [0, 1], \"output\": {\"type\": \"int8\", \"scale\": 0.25}}]}";
	int8_t out[2];
	int i;

	(void)state;
	assert_int_equal(load_str(ctx, "\"act\": \"clip\", \"clip\": [-1.25, 2.5]", &net), NPU_OK);
	npu_net_free(net);
	assert_int_equal(load_str(ctx, "\"act\": \"clip\"", &net), NPU_E_PARSE);
	assert_non_null(strstr(npu_ctx_last_error(ctx), "needs \"clip\""));
	assert_null(net);
	assert_int_equal(load_str(ctx, "\"act\": \"relu\", \"clip\": [0, 1]", &net), NPU_E_PARSE);
	assert_int_equal(load_str(ctx, "\"act\": \"clip\", \"clip\": [0]", &net), NPU_E_PARSE);
	assert_int_equal(load_str(ctx, "\"act\": \"clip\", \"clip\": [0, \"1\"]", &net),
			 NPU_E_PARSE);
	assert_int_equal(load_str(ctx, "\"act\": \"clip\", \"clip\": [0, 1e300]", &net),
			 NPU_E_PARSE);
	assert_int_equal(load_str(ctx, "\"act\": \"clip\", \"clip\": [2, 1]", &net), NPU_E_INVAL);
	assert_non_null(strstr(npu_ctx_last_error(ctx), "clip_min"));
	/* FC and add take it too; the clamp holds on the outputs */
	assert_int_equal(npu_net_load_string(ctx, good, NULL, NULL, &net), NPU_OK);
	assert_int_equal(npu_net_run(net), NPU_OK);
	assert_int_equal(npu_net_get_output(net, npu_net_find_tensor(net, "f"), NPU_NHWC, out, 2),
			 NPU_OK);
	for (i = 0; i < 2; i++)
		assert_true(out[i] >= -3 && out[i] <= 5);	/* TFLite: [-3, 5] */
	assert_int_equal(npu_net_get_output(net, npu_net_find_tensor(net, "s"), NPU_NHWC, out, 2),
			 NPU_OK);
	for (i = 0; i < 2; i++)
		assert_true(out[i] >= 0 && out[i] <= 4);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relu6_hand),
		cmocka_unit_test(test_add_hand),
		cmocka_unit_test(test_clip_hand),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_bad_activation),
		cmocka_unit_test(test_json_clip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
