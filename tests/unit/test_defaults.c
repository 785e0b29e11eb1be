/* SPDX-License-Identifier: MIT */
/*
 * Defaults are one rule (lib/README.md, "Defaults: one rule"): a zero
 * point that is not given is 0 for weights, inputs and outputs of every
 * type, in the C API and in JSON descriptions alike. Each default that
 * used to differ by type is checked for int8 and uint8: file weights,
 * seeded weights, inputs (seeded and from a file), conv/FC/add/quantize
 * outputs.
 */
#include <unistd.h>

#include "frontend_test.h"

static char dir[64];

static void write_bytes(const char *name, const void *data, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/npu_defaults_XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const files[] = { "x.bin", "w.bin" };
	char path[128];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	return rmdir(dir);
}

static npu_net *load(npu_ctx *ctx, const char *json)
{
	npu_net *net = NULL;

	if (npu_net_load_string(ctx, json, dir, NULL, &net) != NPU_OK)
		fail_msg("%s\n%s", npu_ctx_last_error(ctx), json);
	return net;
}

static int32_t run_int32(npu_ctx *ctx, const char *json)
{
	npu_net *net = load(ctx, json);
	int32_t out;

	assert_int_equal(npu_net_run(net), NPU_OK);
	assert_int_equal(npu_net_get_output(net, npu_net_output_id(net, 0), NPU_NHWC, &out,
					    sizeof(out)), NPU_OK);
	npu_net_free(net);
	return out;
}

/*
 * The report: a 1x1 conv over the input [1, 2], uint8 weights [10, 20]
 * from a file without "zero_point", int32 output: 1*10 + 2*20 = 50 (it
 * was -334, from a zero point of 128). Every input and weight type.
 */
static void test_file_weights(void **state)
{
	static const char *const types[] = { "int8", "uint8" };
	const uint8_t x[2] = { 1, 2 }, w[2] = { 10, 20 };
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	char json[1024];

	(void)state;
	write_bytes("x.bin", x, 2);
	write_bytes("w.bin", w, 2);
	for (int it = 0; it < 2; it++)
		for (int wt = 0; wt < 2; wt++) {
			snprintf(json, sizeof(json),
				 "{\"version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [1, 1, 1, 2], "
				 "\"type\": \"%s\", \"data\": \"x.bin\"}], \"layers\": [{\"name\": \"c\", "
				 "\"op\": \"conv2d\", \"filters\": 1, \"kernel\": 1, \"weights\": {\"file\": "
				 "\"w.bin\", \"type\": \"%s\", \"scale\": 1}, \"output\": {\"type\": "
				 "\"int32\"}}]}", types[it], types[wt]);
			if (run_int32(ctx, json) != 50)
				fail_msg("input %s, weights %s: %d, want 50", types[it], types[wt],
					 run_int32(ctx, json));
		}
	/* a zero point that is written is used: (1 - 0)(10 - 128) + (2 - 0)(20 - 128) */
	snprintf(json, sizeof(json),
		 "{\"version\": 1, \"inputs\": [{\"name\": \"x\", \"shape\": [1, 1, 1, 2], "
		 "\"type\": \"uint8\", \"data\": \"x.bin\"}], \"layers\": [{\"name\": \"c\", "
		 "\"op\": \"fc\", \"units\": 1, \"weights\": {\"file\": \"w.bin\", \"type\": "
		 "\"uint8\", \"scale\": 1, \"zero_point\": 128}, \"output\": {\"type\": \"int32\"}}]}");
	assert_int_equal(run_int32(ctx, json), -334);
	npu_ctx_close(ctx);
}

/* The same layer through the API: NULL zero points are 0. */
static void test_api_weights(void **state)
{
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	const uint8_t x[2] = { 1, 2 }, w[2] = { 10, 20 };
	float one = 1.0f;
	struct npu_tensor_desc d = { .type = NPU_UINT8, .layout = NPU_NHWC, .dims = { 1, 1, 1, 2 },
				     .scale = 1.0f };
	struct npu_fc_params p = { .name = "fc", .units = 1,
				   .weights = { .type = NPU_UINT8, .layout = NPU_OHWI, .data = w,
						.scales = &one, .n_scales = 1 },
				   .out = { .type = NPU_INT32 } };
	npu_net *net;
	int in, out;
	int32_t y;

	(void)state;
	assert_int_equal(npu_net_create(ctx, "api", &net), NPU_OK);
	assert_int_equal(npu_net_add_input(net, "x", &d, &in), NPU_OK);
	assert_int_equal(npu_net_add_fc(net, in, &p, &out), NPU_OK);
	assert_int_equal(npu_net_set_input(net, in, NPU_NHWC, x, 2), NPU_OK);
	assert_int_equal(npu_net_run(net), NPU_OK);
	assert_int_equal(npu_net_get_output(net, out, NPU_NHWC, &y, 4), NPU_OK);
	assert_int_equal(y, 50);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

/*
 * Seeded weights without "zero_point" are drawn around 0 and used with 0:
 * the same output as with "zero_point": 0 written, another with 128.
 */
static void test_seeded_weights(void **state)
{
	static const char *const types[] = { "int8", "uint8" };
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	char json[1024];

	(void)state;
	for (int t = 0; t < 2; t++) {
		int32_t r[3];
		static const char *const zp[3] = { "", ", \"zero_point\": 0",
						   ", \"zero_point\": 100" };

		for (int z = 0; z < 3; z++) {
			snprintf(json, sizeof(json),
				 "{\"version\": 1, \"type\": \"%s\", \"seed\": 9, \"inputs\": [{\"name\": "
				 "\"x\", \"shape\": [1, 1, 1, 64], \"zero_point\": 0}], \"layers\": "
				 "[{\"name\": \"c\", \"op\": \"conv2d\", \"filters\": 1, \"kernel\": 1, "
				 "\"weights\": {\"seed\": 4%s}, \"bias\": \"none\", \"output\": "
				 "{\"type\": \"int32\"}}]}", types[t], zp[z]);
			r[z] = run_int32(ctx, json);
		}
		if (r[0] != r[1] || r[0] == r[2])
			fail_msg("%s: absent %d, written 0 %d, written 100 %d", types[t], r[0], r[1],
				 r[2]);
	}
	npu_ctx_close(ctx);
}

static struct npu_tensor_info info(npu_net *net, const char *name)
{
	struct npu_tensor_info t;

	assert_int_equal(npu_net_tensor_info(net, npu_net_find_tensor(net, name), &t), NPU_OK);
	return t;
}

/* Inputs (seeded and from a file) and written outputs without "zero_point": 0. */
static void test_inputs_outputs(void **state)
{
	static const char *const types[] = { "int8", "uint8" };
	npu_ctx *ctx = test_ctx(0);
	const uint8_t x[2] = { 1, 2 };
	char json[2048];

	(void)state;
	write_bytes("x.bin", x, 2);
	for (int t = 0; t < 2; t++) {
		npu_net *net;

		snprintf(json, sizeof(json),
			 "{\"version\": 1, \"type\": \"%s\", \"inputs\": ["
			 "{\"name\": \"x\", \"shape\": [1, 1, 1, 2]},"
			 "{\"name\": \"y\", \"shape\": [1, 1, 1, 2], \"data\": \"x.bin\"},"
			 "{\"name\": \"f\", \"shape\": [1, 1, 1, 2], \"type\": \"float32\"}],"
			 "\"layers\": ["
			 "{\"name\": \"c\", \"op\": \"conv2d\", \"input\": \"x\", \"filters\": 2, "
			 "\"kernel\": 1, \"output\": {\"type\": \"%s\", \"scale\": 0.5}},"
			 "{\"name\": \"fc\", \"op\": \"fc\", \"input\": \"y\", \"units\": 2, "
			 "\"act\": \"relu\", \"output\": {\"type\": \"%s\", \"scale\": 0.25}},"
			 "{\"name\": \"a\", \"op\": \"add\", \"inputs\": [\"x\", \"y\"], "
			 "\"output\": {\"type\": \"%s\", \"scale\": 1}},"
			 "{\"name\": \"q\", \"op\": \"quantize\", \"input\": \"f\", "
			 "\"output\": {\"type\": \"%s\", \"scale\": 0.1}},"
			 "{\"name\": \"s\", \"op\": \"softmax\", \"input\": \"c\", "
			 "\"output\": {\"type\": \"%s\", \"scale\": 0.00390625}}]}",
			 types[t], types[t], types[t], types[t], types[t], types[t]);
		net = load(ctx, json);
		for (const char *const *n = (const char *const[]){ "x", "y", "c", "fc", "a", "q",
								    "s", NULL }; *n; n++) {
			struct npu_tensor_info ti = info(net, *n);

			if (ti.zero_point != 0 || ti.type != (t ? NPU_UINT8 : NPU_INT8))
				fail_msg("%s tensor '%s': %s, zero point %d (want 0)", types[t], *n,
					 npu_type_name(ti.type), ti.zero_point);
		}
		/* the input scale's default does not depend on the type either */
		assert_true(info(net, "x").scale == 1.0f / 128);
		assert_int_equal(npu_net_run(net), NPU_OK);
		npu_net_free(net);
	}
	npu_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_weights),
		cmocka_unit_test(test_api_weights),
		cmocka_unit_test(test_seeded_weights),
		cmocka_unit_test(test_inputs_outputs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
