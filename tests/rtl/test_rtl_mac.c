/* SPDX-License-Identifier: MIT */
/*
 * The 16x16 MAC array (hw/rtl/npu_mac_array.sv) against a plain dot
 * product: zero points subtracted on both sides, masked lanes, int8/uint8,
 * extreme operands, and weight blocks held across many activations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rtl_units.h"

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 32);
}

static int ext(uint8_t v, int sgn)
{
	return sgn ? (int8_t)v : v;
}

static void run_case(int act_signed, int w_signed, int extreme, size_t n)
{
	uint8_t *act = malloc(16 * n), *keep = malloc(16 * n);
	uint8_t (*blocks)[256] = malloc(n * 256);
	const uint8_t **w = malloc(n * sizeof(*w));
	int *load = malloc(n * sizeof(*load));
	int32_t *ps = malloc(64 * n);
	int16_t wzp[16];
	int act_zp = act_signed ? (int)(rnd() % 256) - 128 : (int)(rnd() % 256);
	const uint8_t *cur = NULL;
	size_t bad = 0;

	for (int k = 0; k < 16; k++)
		wzp[k] = (int16_t)(w_signed ? (int)(rnd() % 256) - 128 : (int)(rnd() % 256));
	if (extreme) {	/* the largest |operand| products: 255 * 255 in every lane */
		act_zp = act_signed ? 127 : 255;
		for (int k = 0; k < 16; k++)
			wzp[k] = (int16_t)(w_signed ? -128 : 0);
	}
	for (size_t i = 0; i < n; i++) {
		load[i] = i == 0 || rnd() % 7 == 0;
		for (int c = 0; c < 16; c++) {
			act[16 * i + c] = extreme ? (act_signed ? 0x80 : 0) : (uint8_t)rnd();
			keep[16 * i + c] = extreme || rnd() % 8 != 0;
		}
		for (int j = 0; j < 256; j++)
			blocks[i][j] = extreme ? (w_signed ? 0x7f : 0xff) : (uint8_t)rnd();
		w[i] = blocks[i];
	}
	struct mac_model *m = mac_open();
	mac_run(m, n, act, keep, act_signed, act_zp, w, load, w_signed, wzp, ps);
	mac_close(m);
	for (size_t i = 0; i < n; i++) {
		if (load[i])
			cur = w[i];
		for (int k = 0; k < 16; k++) {
			int32_t e = 0;
			for (int c = 0; c < 16; c++)
				if (keep[16 * i + c])
					e += (ext(act[16 * i + c], act_signed) - act_zp) *
					     (ext(cur[k * 16 + c], w_signed) - wzp[k]);
			if (ps[16 * i + k] != e && bad++ < 5)
				fprintf(stderr, "item %zu column %d: expected %d, RTL %d\n", i, k, e,
					ps[16 * i + k]);
		}
	}
	free(act); free(keep); free(blocks); free(w); free(load); free(ps);
	if (bad)
		fail_msg("%zu sums differ (signed a %d w %d)", bad, act_signed, w_signed);
}

static void test_types(void **state)
{
	size_t n = getenv("NPU_TEST_QUICK") ? 200 : 5000;

	(void)state;
	for (int a = 0; a < 2; a++)
		for (int w = 0; w < 2; w++)
			run_case(a, w, 0, n);
}

static void test_extremes(void **state)
{
	(void)state;
	for (int a = 0; a < 2; a++)
		for (int w = 0; w < 2; w++)
			run_case(a, w, 1, 8);
}

int main(void)
{
	const char *e = getenv("NPU_TEST_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_extremes),
	};

	rng_state = e ? strtoull(e, NULL, 0) : 0x3ac2026ull;
	printf("test_rtl_mac: seed 0x%llx (NPU_TEST_SEED to replay)\n",
	       (unsigned long long)rng_state);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
