/* SPDX-License-Identifier: MIT */
/* First contact: identification, a fence, one small convolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "simkit.h"

static void test_id_and_fence(void **state)
{
	struct kit k;
	struct kit_result r;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_ID), NPU_ID_VALUE);
	assert_int_equal(kit_submit(&k, NULL, 0, &r), 0);
	assert_int_equal(r.err_code, 0);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_FENCE_SEQNO), 1);
	assert_int_equal(npu_sim_faults(k.sim), 0);
	kit_close(&k);
}

static void test_small_conv(void **state)
{
	struct kit k;
	struct kit_result r;
	struct npu_conv_spec s = {0};
	const char *why;
	int8_t in[1 * 4 * 4 * 8], w[16 * 3 * 3 * 8], o_dev[4 * 4 * 16], o_ref[4 * 4 * 16];
	int32_t mult[16], bias[16];
	int8_t shift[16];

	(void)state;
	s.n = 1; s.in_h = 4; s.in_w = 4; s.in_c = 8; s.out_c = 16;
	s.kh = 3; s.kw = 3; s.stride_h = s.stride_w = 1; s.dil_h = s.dil_w = 1;
	s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1; s.groups = 1;
	s.in_type = NPU_TYPE_INT8; s.w_type = NPU_TYPE_INT8; s.out_type = NPU_TYPE_INT8;
	s.rq_mode = NPU_RQ_FIXED; s.act_min = -128; s.act_max = 127; s.in_zp = 3;
	for (int i = 0; i < 16; i++) {
		mult[i] = 1 << 30;
		shift[i] = -4;
		bias[i] = i * 10;
	}
	s.rq_mult = mult; s.rq_shift = shift; s.bias = bias;
	assert_int_equal(npu_conv_spec_finish(&s, &why), 0);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (int8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = (int8_t)(i * 13 + 5);
	npu_ref_conv(&s, in, w, o_ref);
	assert_int_equal(kit_open(&k, NULL), 0);
	assert_int_equal(kit_conv(&k, &s, in, w, o_dev, &r), 0);
	assert_int_equal(r.err_code, 0);
	for (size_t i = 0; i < sizeof(o_ref); i++)
		if (o_ref[i] != o_dev[i])
			fail_msg("element %zu: expected %d, got %d", i, o_ref[i], o_dev[i]);
	assert_int_equal(npu_sim_faults(k.sim), 0);
	kit_close(&k);
}

/* The optional waveform: an FST file with the run in it. */
static void test_fst_trace(void **state)
{
	struct npu_sim_config cfg = {.trace_path = "build/tests/sim/smoke.fst"};
	struct kit k;
	struct kit_result r;
	FILE *f;
	long size;

	(void)state;
	remove(cfg.trace_path);
	assert_int_equal(kit_open(&k, &cfg), 0);
	assert_int_equal(kit_submit(&k, NULL, 0, &r), 0);
	kit_close(&k);
	f = fopen(cfg.trace_path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	/* header, hierarchy and value changes of a few hundred cycles */
	assert_true(size > 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_and_fence),
		cmocka_unit_test(test_small_conv),
		cmocka_unit_test(test_fst_trace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
