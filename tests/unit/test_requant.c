/* SPDX-License-Identifier: MIT */
/* Requantization primitives against hand-worked values from lib/ref/REQUANT.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "npu_ref.h"

static void test_srdhm_edges(void **state)
{
	(void)state;
	assert_int_equal(npu_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
	/* 2^30 * 2^30 * 2 / 2^32 = 2^29 */
	assert_int_equal(npu_srdhm(1 << 30, 1 << 30), 1 << 29);
	/* ties: (1 * 2^30 + 2^30) / 2^31 = 1; negative nudge keeps -1*2^30 -> 0 */
	assert_int_equal(npu_srdhm(1, 1 << 30), 1);
	assert_int_equal(npu_srdhm(-1, 1 << 30), 0);
	assert_int_equal(npu_srdhm(INT32_MAX, INT32_MAX), INT32_MAX - 1);
}

static void test_rdbpot_ties(void **state)
{
	(void)state;
	assert_int_equal(npu_rdbpot(3, 1), 2);		/* 1.5 -> 2 */
	assert_int_equal(npu_rdbpot(-3, 1), -2);	/* -1.5 -> -2 */
	assert_int_equal(npu_rdbpot(-5, 2), -1);	/* -1.25 -> -1 */
	assert_int_equal(npu_rdbpot(-6, 2), -2);	/* -1.5 -> -2 */
	assert_int_equal(npu_rdbpot(5, 0), 5);
	assert_int_equal(npu_rdbpot(INT32_MIN, 31), -1);
	assert_int_equal(npu_rdbpot(INT32_MAX, 31), 1);
}

static void test_fp32_rne(void **state)
{
	(void)state;
	assert_int_equal(npu_rq_fp32_round(5, 0.5f), 2);	/* 2.5 -> 2 */
	assert_int_equal(npu_rq_fp32_round(7, 0.5f), 4);	/* 3.5 -> 4 */
	assert_int_equal(npu_rq_fp32_round(-5, 0.5f), -2);
	assert_int_equal(npu_rq_fp32_round(INT32_MAX, 4.0f), INT32_MAX);
	assert_int_equal(npu_rq_fp32_round(INT32_MIN, 4.0f), INT32_MIN);
	/* fl32(16777217) = 16777216: the conversion rounds before the multiply */
	assert_int_equal(npu_rq_fp32_round(16777217, 1.0f), 16777216);
}

static void test_quantize_multiplier(void **state)
{
	int32_t q;
	int s;

	(void)state;
	npu_quantize_multiplier(0.5, &q, &s);
	assert_int_equal(q, 1 << 30);
	assert_int_equal(s, 0);
	npu_quantize_multiplier(0.0, &q, &s);
	assert_int_equal(q, 0);
	npu_quantize_multiplier(1e-12, &q, &s);	/* frexp exponent < -31 */
	assert_int_equal(q, 0);
	assert_int_equal(s, 0);
	npu_quantize_multiplier(0.999999999999, &q, &s);	/* rounds up to 2^31 */
	assert_int_equal(q, 1 << 30);
	assert_int_equal(s, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srdhm_edges),
		cmocka_unit_test(test_rdbpot_ties),
		cmocka_unit_test(test_fp32_rne),
		cmocka_unit_test(test_quantize_multiplier),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
