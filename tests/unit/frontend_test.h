/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the front-end tests (test_api_*, test_net_*, ...):
 * a CPU-backend context, seeds that are printed and can be replayed with
 * NPU_TEST_SEED, and NPU_TEST_QUICK for the slow runners (valgrind).
 */
#ifndef FRONTEND_TEST_H
#define FRONTEND_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "npu.h"

static inline int test_quick(void)
{
	const char *q = getenv("NPU_TEST_QUICK");

	return q && *q && strcmp(q, "0");
}

/* The seed of a randomized test: NPU_TEST_SEED, else the clock; printed. */
static inline uint64_t test_seed(const char *what)
{
	const char *s = getenv("NPU_TEST_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);

	printf("[ seed     ] %s: NPU_TEST_SEED=%llu\n", what, (unsigned long long)seed);
	return seed;
}

static inline npu_ctx *test_ctx(unsigned flags)
{
	struct npu_ctx_opts o = { .backend = "cpu", .flags = flags };
	char msg[256];
	npu_ctx *ctx = NULL;

	assert_int_equal(npu_ctx_open(&o, &ctx, msg, sizeof(msg)), NPU_OK);
	assert_non_null(ctx);
	return ctx;
}

/* Reads a whole tensor into a fresh buffer (NHWC). */
static inline void *test_read(npu_net *net, int id, size_t *bytes)
{
	struct npu_tensor_info t;
	void *buf;

	assert_int_equal(npu_net_tensor_info(net, id, &t), NPU_OK);
	buf = malloc(t.bytes);
	assert_non_null(buf);
	assert_int_equal(npu_net_get_output(net, id, NPU_NHWC, buf, t.bytes), NPU_OK);
	if (bytes)
		*bytes = t.bytes;
	return buf;
}

/* Examples are read from the repository root, where make runs the tests. */
#define EXAMPLE(name) "examples/" name

#endif /* FRONTEND_TEST_H */
