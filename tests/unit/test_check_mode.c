/* SPDX-License-Identifier: MIT */
/*
 * Check mode, fallback and device failures, end to end through the
 * public API. The device layer is wrapped at link time (-Wl,--wrap, see
 * lib/src/frontend.mk) so that a test can corrupt one output element,
 * refuse a layer, or fail a job.
 */
#include "check.h"
#include "device.h"
#include "frontend_test.h"

/* What the wrapped device layer does next (one test at a time). */
static struct {
	int corrupt_layer;	/* plan_run call number whose output is corrupted, or -1 */
	size_t corrupt_index;	/* byte of the output whose bit 4 is flipped */
	int runs;
	npu_status run_error;	/* returned by every plan_run when set */
	npu_status create_error;
	int refuse_kernel_above;	/* plan_create says UNSUPPORTED above this */
} mock = { -1, 0, 0, NPU_OK, NPU_OK, 0 };

npu_status __real_npu_conv_plan_run(struct npu_conv_plan *p, const void *in, void *out,
				    struct npu_run_stats *st, char *msg, size_t msglen);
npu_status __real_npu_conv_plan_create(struct npu_device *d, const struct npu_conv_spec *s,
				       const void *w, struct npu_conv_plan **out, char *why,
				       size_t whylen);

npu_status __wrap_npu_conv_plan_run(struct npu_conv_plan *p, const void *in, void *out,
				    struct npu_run_stats *st, char *msg, size_t msglen)
{
	npu_status s;

	if (mock.run_error != NPU_OK) {
		snprintf(msg, msglen, "job timed out after 5 s");
		return mock.run_error;
	}
	s = __real_npu_conv_plan_run(p, in, out, st, msg, msglen);
	if (mock.runs++ == mock.corrupt_layer)
		((int8_t *)out)[mock.corrupt_index] ^= 0x10;
	return s;
}

npu_status __wrap_npu_conv_plan_create(struct npu_device *d, const struct npu_conv_spec *s,
				       const void *w, struct npu_conv_plan **out, char *why,
				       size_t whylen)
{
	if (mock.create_error != NPU_OK) {
		snprintf(why, whylen, "device memory exhausted");
		return mock.create_error;
	}
	if (mock.refuse_kernel_above && s->kh > mock.refuse_kernel_above) {
		snprintf(why, whylen, "kernel %dx%d exceeds the device's %d", s->kh, s->kw,
			 mock.refuse_kernel_above);
		return NPU_E_UNSUPPORTED;
	}
	return __real_npu_conv_plan_create(d, s, w, out, why, whylen);
}

static int reset(void **state)
{
	(void)state;
	mock.corrupt_layer = -1;
	mock.runs = 0;
	mock.run_error = mock.create_error = NPU_OK;
	mock.refuse_kernel_above = 0;
	return 0;
}

static void test_mismatch_reported(void **state)
{
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	npu_net *net;
	struct npu_layer_report r;
	struct npu_net_totals t;
	const char *msg;

	(void)state;
	assert_int_equal(npu_net_load(ctx, EXAMPLE("lenet5.json"), NULL, &net), NPU_OK);
	/* Second conv (c3, 1x10x10x16): element 2*10*16 + 3*16 + 5 = n0 h2 w3 c5. */
	mock.corrupt_layer = 1;
	mock.corrupt_index = 2 * 10 * 16 + 3 * 16 + 5;
	assert_int_equal(npu_net_run(net), NPU_E_MISMATCH);
	msg = npu_ctx_last_error(ctx);
	assert_non_null(strstr(msg, "'c3'"));
	assert_non_null(strstr(msg, "1 of 1600"));
	assert_non_null(strstr(msg, "n=0 h=2 w=3 c=5"));
	assert_non_null(strstr(msg, "expected"));
	assert_int_equal(npu_net_layer_report(net, 3, &r), NPU_OK);
	assert_string_equal(r.name, "c3");
	assert_int_equal(r.check, NPU_CHECK_MISMATCH);
	assert_int_equal(r.mismatches, 1);
	assert_int_equal(r.first_diff[1], 2);
	assert_int_equal(r.first_diff[2], 3);
	assert_int_equal(r.first_diff[3], 5);
	assert_int_equal(r.expected ^ r.actual, 0x10);
	/* The run stopped there: later layers did not run on wrong data. */
	assert_int_equal(npu_net_layer_report(net, 4, &r), NPU_OK);
	assert_int_equal(r.ran, 0);
	assert_int_equal(npu_net_totals(net, &t), NPU_OK);
	assert_int_equal(t.mismatched, 1);
	/* Without corruption the same net passes. */
	mock.corrupt_layer = -1;
	assert_int_equal(npu_net_run(net), NPU_OK);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

/* Without check mode a corrupted result is not detected: that is what --check is for. */
static void test_no_check_no_compare(void **state)
{
	npu_ctx *ctx = test_ctx(0);
	npu_net *net;
	struct npu_layer_report r;

	(void)state;
	assert_int_equal(npu_net_load(ctx, EXAMPLE("lenet5.json"), NULL, &net), NPU_OK);
	mock.corrupt_layer = 0;
	assert_int_equal(npu_net_run(net), NPU_OK);
	assert_int_equal(npu_net_layer_report(net, 1, &r), NPU_OK);
	assert_int_equal(r.check, NPU_CHECK_NONE);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

static void test_fallback(void **state)
{
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	npu_net *net;
	struct npu_layer_report r;
	struct npu_net_totals t;
	int8_t *o[3];
	int i;

	(void)state;
	mock.refuse_kernel_above = 16;
	assert_int_equal(npu_net_load(ctx, EXAMPLE("fc_identity.json"), NULL, &net), NPU_OK);
	assert_int_equal(npu_net_run(net), NPU_OK);
	assert_int_equal(npu_net_layer_report(net, 3, &r), NPU_OK);
	assert_string_equal(r.name, "conv20x20");
	assert_string_equal(r.where, "cpu (fallback: kernel 20x20 exceeds the device's 16)");
	assert_int_equal(r.check, NPU_CHECK_PASS);
	assert_int_equal(npu_net_layer_report(net, 0, &r), NPU_OK);
	assert_string_equal(r.where, "cpu");
	assert_int_equal(npu_net_totals(net, &t), NPU_OK);
	assert_int_equal(t.fallback_layers, 1);
	for (i = 0; i < 3; i++)
		o[i] = test_read(net, npu_net_output_id(net, i), NULL);
	assert_memory_equal(o[0], o[2], 16);
	assert_memory_equal(o[1], o[2], 16);
	for (i = 0; i < 3; i++)
		free(o[i]);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

static void test_device_failures(void **state)
{
	npu_ctx *ctx = test_ctx(0);
	npu_net *net;

	(void)state;
	assert_int_equal(npu_net_load(ctx, EXAMPLE("lenet5.json"), NULL, &net), NPU_OK);
	mock.create_error = NPU_E_NOMEM;
	assert_int_equal(npu_net_run(net), NPU_E_NOMEM);
	assert_non_null(strstr(npu_ctx_last_error(ctx), "device memory exhausted"));
	assert_non_null(strstr(npu_ctx_last_error(ctx), "'c1'"));
	/* Planning failed: nothing was planned for good, the next run tries again. */
	mock.create_error = NPU_OK;
	mock.run_error = NPU_E_TIMEOUT;
	npu_net_free(net);
	assert_int_equal(npu_net_load(ctx, EXAMPLE("lenet5.json"), NULL, &net), NPU_OK);
	assert_int_equal(npu_net_run(net), NPU_E_TIMEOUT);
	assert_non_null(strstr(npu_ctx_last_error(ctx), "'c1'"));
	assert_non_null(strstr(npu_ctx_last_error(ctx), "timed out"));
	mock.run_error = NPU_OK;
	assert_int_equal(npu_net_run(net), NPU_OK);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

/* A tensor's bytes after a clean run (the reference values). */
static void *clean_output(npu_ctx *ctx, npu_net *net, const char *name, size_t *bytes)
{
	if (npu_net_run(net) != NPU_OK)
		fail_msg("clean run: %s", npu_ctx_last_error(ctx));
	return test_read(net, npu_net_find_tensor(net, name), bytes);
}

/*
 * Runs with one byte of one layer's output corrupted and expects exactly
 * that element reported: its NHWC coordinate, the reference value and the
 * corrupted one, one differing element of `elems`.
 */
static void expect_mismatch(npu_ctx *ctx, npu_net *net, int call, int layer,
			    const char *name, size_t byte, int32_t want, int32_t got,
			    const int coord[4], size_t elems)
{
	struct npu_layer_report r;
	char text[256];

	mock.runs = 0;
	mock.corrupt_layer = call;
	mock.corrupt_index = byte;
	assert_int_equal(npu_net_run(net), NPU_E_MISMATCH);
	snprintf(text, sizeof(text),
		 "layer '%s' (cpu): 1 of %zu output elements differ from the reference; first at "
		 "n=%d h=%d w=%d c=%d: expected %d, got %d", name, elems, coord[0], coord[1],
		 coord[2], coord[3], (int)want, (int)got);
	if (strcmp(npu_ctx_last_error(ctx), text))
		fail_msg("message\n  '%s'\nwanted\n  '%s'", npu_ctx_last_error(ctx), text);
	assert_int_equal(npu_net_layer_report(net, layer, &r), NPU_OK);
	assert_string_equal(r.name, name);
	assert_int_equal(r.check, NPU_CHECK_MISMATCH);
	assert_int_equal(r.mismatches, 1);
	assert_memory_equal(r.first_diff, coord, sizeof(r.first_diff));
	assert_int_equal(r.expected, want);
	assert_int_equal(r.actual, got);
	mock.corrupt_layer = -1;
}

/*
 * Batch 2: an element of image 1 only, and the very last element only,
 * must each be caught (a check of image 0, or of n - 1 elements, passes).
 * LeNet-5's c1 is [2, 28, 28, 6] int8 at batch 2 (plan_run call 0) and
 * f5 [2, 1, 1, 120] (call 2).
 */
static void test_mismatch_batch(void **state)
{
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	struct npu_load_opts o = { .batch = 2 };
	npu_net *net;
	int8_t *c1, *f5;
	size_t n1, n5, i;
	static const int mid[4] = { 1, 13, 7, 4 }, last[4] = { 1, 27, 27, 5 },
			 fc[4] = { 1, 0, 0, 77 };

	(void)state;
	assert_int_equal(npu_net_load(ctx, EXAMPLE("lenet5.json"), &o, &net), NPU_OK);
	c1 = clean_output(ctx, net, "c1", &n1);
	f5 = test_read(net, npu_net_find_tensor(net, "f5"), &n5);
	assert_int_equal(n1, 2 * 28 * 28 * 6);
	assert_int_equal(n5, 2 * 120);
	i = ((1 * 28 + 13) * 28 + 7) * 6 + 4;
	expect_mismatch(ctx, net, 0, 1, "c1", i, c1[i], (int8_t)(c1[i] ^ 0x10), mid, n1);
	i = n1 - 1;
	expect_mismatch(ctx, net, 0, 1, "c1", i, c1[i], (int8_t)(c1[i] ^ 0x10), last, n1);
	i = 120 + 77;
	expect_mismatch(ctx, net, 2, 6, "f5", i, f5[i], (int8_t)(f5[i] ^ 0x10), fc, n5);
	i = n5 - 1;
	expect_mismatch(ctx, net, 2, 6, "f5", i, f5[i], (int8_t)(f5[i] ^ 0x10),
			(const int[4]){ 1, 0, 0, 119 }, n5);
	free(c1);
	free(f5);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

/*
 * int32 outputs: the most significant byte of the last element of image 1
 * (a comparison of n bytes instead of 4n, or of n - 1 elements, misses it).
 */
static void test_mismatch_int32_last(void **state)
{
	static const char *json =
		"{\"version\": 1, \"seed\": 3, \"inputs\": [{\"name\": \"x\", \"shape\": [2, 4, 4, 3]}],"
		"\"layers\": [{\"name\": \"acc\", \"op\": \"conv2d\", \"filters\": 5, \"kernel\": 3, "
		"\"output\": {\"type\": \"int32\"}}]}";
	static const int last[4] = { 1, 1, 1, 4 };
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	npu_net *net;
	int32_t *acc;
	size_t bytes;

	(void)state;
	assert_int_equal(npu_net_load_string(ctx, json, NULL, NULL, &net), NPU_OK);
	acc = clean_output(ctx, net, "acc", &bytes);
	assert_int_equal(bytes, 2 * 2 * 2 * 5 * 4);
	expect_mismatch(ctx, net, 0, 0, "acc", bytes - 1, acc[39],
			(int32_t)((uint32_t)acc[39] ^ 0x10000000u), last, 40);
	free(acc);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

static void test_compare(void **state)
{
	int8_t a[24] = { 0 }, b[24] = { 0 };
	int32_t x[3] = { 1, 2, 3 }, y[3] = { 1, 2, -3 };
	int dims[4] = { 2, 3, 2, 2 }, coord[4];
	struct npu_diff d;

	(void)state;
	npu_compare(NPU_TYPE_INT8, a, b, 24, &d);
	assert_int_equal(d.count, 0);
	b[13] = 5;
	b[20] = -1;
	npu_compare(NPU_TYPE_INT8, a, b, 24, &d);
	assert_int_equal(d.count, 2);
	assert_int_equal(d.first, 13);
	assert_int_equal(d.expected, 0);
	assert_int_equal(d.actual, 5);
	npu_nhwc_coord(13, dims, coord);	/* 13 = ((1*3 + 0)*2 + 0)*2 + 1 */
	assert_int_equal(coord[0], 1);
	assert_int_equal(coord[1], 0);
	assert_int_equal(coord[2], 0);
	assert_int_equal(coord[3], 1);
	npu_compare(NPU_TYPE_INT32, x, y, 3, &d);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.first, 2);
	assert_int_equal(d.actual, -3);
	/* only the last element, only its top byte */
	memset(b, 0, sizeof(b));
	b[23] = 1;
	npu_compare(NPU_TYPE_INT8, a, b, 24, &d);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.first, 23);
	y[2] = 3 | (int32_t)0x40000000;
	npu_compare(NPU_TYPE_INT32, x, y, 3, &d);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.first, 2);
	npu_nhwc_coord(23, dims, coord);
	assert_int_equal(coord[0], 1);
	assert_int_equal(coord[1], 2);
	assert_int_equal(coord[2], 1);
	assert_int_equal(coord[3], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mismatch_reported, reset),
		cmocka_unit_test_setup(test_mismatch_batch, reset),
		cmocka_unit_test_setup(test_mismatch_int32_last, reset),
		cmocka_unit_test_setup(test_no_check_no_compare, reset),
		cmocka_unit_test_setup(test_fallback, reset),
		cmocka_unit_test_setup(test_device_failures, reset),
		cmocka_unit_test(test_compare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
