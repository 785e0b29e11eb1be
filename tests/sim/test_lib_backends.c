/* SPDX-License-Identifier: MIT */
/*
 * The library on its backends: random layers through the device layer on
 * the simulator (every host transformation: im2col, group packing, batch
 * folding, strided subsampling, multi-job layers) and on the cpu backend,
 * bit-exact against the reference; then ResNet-18 end to end through the
 * public API on the simulator with checking on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "device.h"
#include "npu.h"
#include "simkit.h"

static uint64_t rng;

static uint32_t rnd(void)
{
	return kit_rand(&rng);
}

static int pick(int lo, int hi)
{
	return kit_pick(&rng, lo, hi);
}

struct layer {
	struct npu_conv_spec s;
	int32_t *bias, *wzp, *mult;
	int8_t *shift;
	float *scale;
};

static void draw(struct layer *l, int family)
{
	struct npu_conv_spec *s = &l->s;
	const char *why;

	memset(l, 0, sizeof(*l));
	s->n = 1;
	s->groups = 1;
	s->stride_h = s->stride_w = s->dil_h = s->dil_w = 1;
	s->kh = s->kw = 1;
	switch (family) {
	case 0: /* stem-like: few channels, large kernel -> im2col */
		s->in_h = s->in_w = pick(9, 30);
		s->in_c = pick(1, 4);
		s->out_c = pick(8, 40);
		s->kh = s->kw = pick(5, 7);
		s->stride_h = s->stride_w = 2;
		s->pad_top = s->pad_left = s->pad_bottom = s->pad_right = s->kh / 2;
		break;
	case 1: /* kernel beyond the device -> im2col */
		s->in_h = s->in_w = pick(17, 22);
		s->in_c = pick(1, 6);
		s->out_c = pick(1, 20);
		s->kh = s->kw = pick(17, 20);
		break;
	case 2: /* depthwise -> group packing */
		s->in_c = s->groups = 16 * pick(1, 4);
		s->out_c = s->in_c * pick(1, 2);
		s->in_h = s->in_w = pick(4, 16);
		s->kh = s->kw = 3;
		s->stride_h = s->stride_w = pick(1, 2);
		s->pad_top = s->pad_left = s->pad_bottom = s->pad_right = 1;
		break;
	case 3: /* grouped, small groups */
		s->groups = 4 * pick(1, 4);
		s->in_c = s->groups * pick(1, 4);
		s->out_c = s->groups * pick(1, 6);
		s->in_h = s->in_w = pick(3, 10);
		s->kh = s->kw = pick(1, 3);
		break;
	case 4: /* FC at batch > 1 -> batch folding */
		s->n = pick(2, 9);
		s->in_h = s->in_w = 1;
		s->in_c = pick(1, 700);
		s->out_c = pick(1, 300);
		break;
	case 5: /* strided 1x1 -> subsampled reads */
		s->in_h = pick(7, 30);
		s->in_w = pick(7, 30);
		s->in_c = pick(8, 300);
		s->out_c = pick(8, 200);
		s->stride_h = s->stride_w = pick(2, 3);
		break;
	case 6: /* weights beyond the buffer: several output-channel chunks */
		s->in_h = s->in_w = pick(5, 10);
		s->in_c = pick(200, 300);
		s->out_c = pick(60, 120);
		s->kh = s->kw = 3;
		s->pad_top = s->pad_left = s->pad_bottom = s->pad_right = 1;
		break;
	default: /* anything */
		s->n = pick(1, 2);
		s->in_h = pick(1, 20);
		s->in_w = pick(1, 20);
		s->in_c = pick(1, 200);
		s->out_c = pick(1, 150);
		s->kh = pick(1, 4);
		s->kw = pick(1, 4);
		s->stride_h = pick(1, 3);
		s->stride_w = pick(1, 3);
		s->dil_h = pick(1, 2);
		s->pad_top = pick(0, (s->kh - 1) * s->dil_h);
		s->pad_bottom = pick(0, (s->kh - 1) * s->dil_h);
		s->pad_left = pick(0, s->kw - 1);
		s->pad_right = pick(0, s->kw - 1);
		break;
	}
	while ((s->kh - 1) * s->dil_h + 1 > s->in_h + s->pad_top + s->pad_bottom)
		s->in_h++;
	while ((s->kw - 1) * s->dil_w + 1 > s->in_w + s->pad_left + s->pad_right)
		s->in_w++;
	s->in_type = pick(0, 1) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
	s->w_type = pick(0, 4) ? NPU_TYPE_INT8 : NPU_TYPE_UINT8;
	s->in_zp = s->in_type == NPU_TYPE_INT8 ? pick(-128, 127) : pick(0, 255);
	int k = s->out_c, kind = pick(0, 4);
	l->bias = malloc(k * sizeof(int32_t));
	l->wzp = malloc(k * sizeof(int32_t));
	l->mult = malloc(k * sizeof(int32_t));
	l->shift = malloc((size_t)k);
	l->scale = malloc(k * sizeof(float));
	for (int i = 0; i < k; i++) {
		double m = 1.0 / (50.0 * s->kh * s->kw * (s->in_c / s->groups)) *
			   (0.5 + (rnd() % 100) / 100.0);
		int sh;
		l->bias[i] = pick(-5000, 5000);
		l->wzp[i] = s->w_type == NPU_TYPE_INT8 ? (pick(0, 3) ? 0 : pick(-20, 20)) : pick(100, 150);
		npu_quantize_multiplier(m, &l->mult[i], &sh);
		l->shift[i] = (int8_t)sh;
		l->scale[i] = (float)m;
	}
	s->bias = l->bias;
	s->w_zp = l->wzp;
	if (kind == 0) {
		s->out_type = NPU_TYPE_INT32;
		s->rq_mode = NPU_RQ_NONE;
	} else {
		s->out_type = pick(0, 1) ? NPU_TYPE_INT8 : NPU_TYPE_UINT8;
		s->rq_mode = kind < 3 ? NPU_RQ_FIXED : NPU_RQ_FP32;
		s->rq_mult = l->mult;
		s->rq_shift = l->shift;
		s->rq_scale = l->scale;
		s->out_zp = s->out_type == NPU_TYPE_INT8 ? pick(-10, 10) : pick(0, 20);
		s->act_min = s->out_type == NPU_TYPE_INT8 ? -128 : 0;
		s->act_max = s->out_type == NPU_TYPE_INT8 ? 127 : 255;
	}
	assert_int_equal(npu_conv_spec_finish(s, &why), 0);
}

static void free_layer(struct layer *l)
{
	free(l->bias);
	free(l->wzp);
	free(l->mult);
	free(l->shift);
	free(l->scale);
}

static void test_random_layers(void **state)
{
	static const enum npu_backend_kind kinds[] = {NPU_BACKEND_SIM, NPU_BACKEND_CPU};
	struct npu_device *dev[2];
	uint64_t seed = kit_seed();
	int cases = kit_quick() ? 24 : 224, on_device = 0;
	char msg[256];

	(void)state;
	printf("test_lib_backends: seed %llu, %d layers on sim and cpu\n", (unsigned long long)seed,
	       cases);
	for (int b = 0; b < 2; b++) {
		struct npu_device_opts o = {.kind = kinds[b]};
		assert_int_equal(npu_device_open(&o, &dev[b], msg, sizeof(msg)), NPU_OK);
	}
	for (int t = 0; t < cases; t++) {
		struct layer l;

		rng = seed * 7919ull + (uint64_t)t;
		draw(&l, t % 8);
		size_t ni = npu_conv_in_elems(&l.s), nw = npu_conv_w_elems(&l.s);
		size_t no = npu_conv_out_elems(&l.s) * npu_dtype_bytes(l.s.out_type);
		uint8_t *in = malloc(ni), *w = malloc(nw), *ref = malloc(no), *out = malloc(no);
		for (size_t i = 0; i < ni; i++)
			in[i] = (uint8_t)rnd();
		for (size_t i = 0; i < nw; i++)
			w[i] = (uint8_t)rnd();
		npu_ref_conv(&l.s, in, w, ref);
		for (int b = 0; b < 2; b++) {
			struct npu_conv_plan *p;
			struct npu_run_stats st;
			char why[256] = "";

			assert_int_equal(npu_conv_plan_create(dev[b], &l.s, w, &p, why, sizeof(why)), NPU_OK);
			memset(out, 0x77, no);
			if (npu_conv_plan_run(p, in, out, &st, msg, sizeof(msg)))
				fail_msg("layer %d family %d on %s: %s", t, t % 8,
					 npu_device_backend(dev[b]), msg);
			if (memcmp(out, ref, no)) {
				size_t i = 0;
				while (i < no && out[i] == ref[i])
					i++;
				fail_msg("layer %d family %d on %s (n%d %dx%dx%d K%d k%dx%d s%d g%d): first "
					 "difference at byte %zu: expected %u, got %u", t, t % 8,
					 npu_device_backend(dev[b]), l.s.n, l.s.in_h, l.s.in_w, l.s.in_c,
					 l.s.out_c, l.s.kh, l.s.kw, l.s.stride_h, l.s.groups, i, ref[i], out[i]);
			}
			on_device += st.on_device;
			npu_conv_plan_destroy(p);
		}
		free(in);
		free(w);
		free(ref);
		free(out);
		free_layer(&l);
	}
	/* the simulator backend ran every one of them on the device */
	assert_int_equal(on_device, cases);
	npu_device_close(dev[0]);
	npu_device_close(dev[1]);
}

static void test_resnet18_end_to_end(void **state)
{
	npu_ctx *ctx;
	npu_net *net;
	struct npu_ctx_opts o = {0};
	char msg[256];

	(void)state;
	if (kit_quick())
		skip();
	o.backend = "sim";
	o.flags = NPU_CTX_CHECK;
	assert_int_equal(npu_ctx_open(&o, &ctx, msg, sizeof(msg)), NPU_OK);
	assert_int_equal(npu_net_load(ctx, NPU_EXAMPLES_DIR "/resnet18.json", NULL, &net), NPU_OK);
	assert_int_equal(npu_net_fill_input(net, npu_net_input_id(net, 0), 1), NPU_OK);
	npu_status st = npu_net_run(net);
	if (st)
		fail_msg("ResNet-18 on the simulator: %s", npu_ctx_last_error(ctx));
	struct npu_net_totals tot;
	assert_int_equal(npu_net_totals(net, &tot), NPU_OK);
	printf("ResNet-18 on the simulator: %llu device cycles, %d layers checked bit-exact\n",
	       (unsigned long long)tot.cycles, tot.checked);
	assert_int_equal(tot.mismatched, 0);
	assert_int_equal(tot.checked, 21);
	assert_int_equal(tot.device_layers, 21);
	assert_int_equal(tot.fallback_layers, 0);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_layers),
		cmocka_unit_test(test_resnet18_end_to_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
