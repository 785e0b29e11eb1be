/* SPDX-License-Identifier: MIT */
/*
 * Every single-op ONNX case of tests/onnx/cases (tools/onnx_cases/
 * gen_cases.py: a model, its inputs, and ONNX Runtime 1.30's outputs) goes
 * through the importer (npu_net_load) and the cpu backend, and each output
 * must equal ORT's byte for byte. The few cases ORT itself does not run
 * quantized (it leaves the group in float, see lib/onnx/ORT_ARITHMETIC.md
 * section 4) may differ by one step on near-ties; the cases the importer
 * refuses must be refused with a message naming the op.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npu.h"

#ifndef NPU_ONNX_CASES_DIR
#define NPU_ONNX_CASES_DIR "tests/onnx/cases"
#endif

/*
 * Whether ORT ran the case's conv or matmul in float (left unfused: its
 * optimized graph, recorded by the generator, still has a float Conv,
 * FusedConv or MatMul): then one quantization step is allowed on near-ties.
 */
static int float_in_ort(json_t *c)
{
	json_t *nodes = json_object_get(c, "ort_optimized_nodes"), *n;
	size_t i;

	json_array_foreach(nodes, i, n) {
		const char *op = json_string_value(n);

		if (op && (!strcmp(op, "Conv") || !strcmp(op, "MatMul") ||
			   !strcmp(op, "com.microsoft.FusedConv")))
			return 1;
	}
	return 0;
}

/* Cases the importer refuses, and a phrase its message must hold. */
static const struct {
	const char *name, *phrase;
} refused[] = {
	{ "quantizelinear_op21_block_u8", "block" },
	{ "qlinearavgpool_nhwc_incl_u8", "channels_last" },
	{ "qlinearavgpool_nhwc_s8", "channels_last" },
	{ "qlinearglobalavgpool_nhwc_s8", "channels_last" },
	{ "qlinearglobalavgpool_nhwc_u8", "channels_last" },
	{ "qlinearavgpool_dilated_u8", "dilations" },
	/* float pools: the cases record ORT's output sizes; no float compute here */
	{ "averagepool_f32_*", "DequantizeLinear" },
	{ "softmax_op11", "Softmax" },
	{ "softmax_op13", "Softmax" },
	{ NULL, NULL },
};

static const char *refusal(const char *name)
{
	for (int i = 0; refused[i].name; i++) {
		size_t n = strlen(refused[i].name);

		if (refused[i].name[n - 1] == '*' ? !strncmp(refused[i].name, name, n - 1)
						  : !strcmp(refused[i].name, name))
			return refused[i].phrase;
	}
	return NULL;
}

static void *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len > 0 ? (size_t)len : 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static size_t type_size(const char *t)
{
	if (!strcmp(t, "float32") || !strcmp(t, "int32"))
		return 4;
	return 1;
}

static int32_t elem(const char *t, const void *p, size_t i)
{
	if (!strcmp(t, "int8"))
		return ((const int8_t *)p)[i];
	if (!strcmp(t, "uint8"))
		return ((const uint8_t *)p)[i];
	return ((const int32_t *)p)[i];
}

/* Runs one case; returns the number of differing output elements, or -1 if refused. */
static long run_case(npu_ctx *ctx, const char *dir, json_t *c, char *why, size_t whylen)
{
	char path[512];
	npu_net *net;
	npu_status st;
	json_t *ins = json_object_get(c, "inputs"), *outs = json_object_get(c, "outputs");
	long diffs = 0;
	size_t i, tol = 0;

	assert_true(snprintf(path, sizeof(path), "%s/model.onnx", dir) < (int)sizeof(path));
	st = npu_net_load(ctx, path, NULL, &net);
	if (st != NPU_OK) {
		snprintf(why, whylen, "%s", npu_ctx_last_error(ctx));
		return -1;
	}
	for (i = 0; i < json_array_size(ins); i++) {
		json_t *in = json_array_get(ins, i);
		const char *name = json_string_value(json_object_get(in, "name"));
		int id = npu_net_find_tensor(net, name);
		size_t n;
		void *data;

		assert_true(snprintf(path, sizeof(path), "%s/%s", dir,
				     json_string_value(json_object_get(in, "file"))) <
			    (int)sizeof(path));
		data = read_all(path, &n);
		assert_non_null(data);
		assert_true(id >= 0);
		assert_int_equal(npu_net_set_input(net, id, NPU_NCHW, data, n), NPU_OK);
		free(data);
	}
	st = npu_net_run(net);
	if (st != NPU_OK)
		fprintf(stderr, "%s: %s\n", dir, npu_ctx_last_error(ctx));
	assert_int_equal(st, NPU_OK);
	tol = (size_t)float_in_ort(c);
	assert_int_equal(npu_net_num_outputs(net), (int)json_array_size(outs));
	for (i = 0; i < json_array_size(outs); i++) {
		json_t *o = json_array_get(outs, i);
		const char *type = json_string_value(json_object_get(o, "type"));
		struct npu_tensor_info info;
		size_t n, k;
		void *want, *got;

		assert_true(snprintf(path, sizeof(path), "%s/%s", dir,
				     json_string_value(json_object_get(o, "file"))) <
			    (int)sizeof(path));
		want = read_all(path, &n);
		assert_non_null(want);
		assert_int_equal(npu_net_tensor_info(net, npu_net_output_id(net, (int)i), &info),
				 NPU_OK);
		if (info.bytes != n) {
			fprintf(stderr, "%s: output %zu has %zu bytes, ORT's %zu\n", dir, i,
				info.bytes, n);
			free(want);
			diffs++;
			continue;
		}
		got = malloc(n);
		assert_int_equal(npu_net_get_output(net, npu_net_output_id(net, (int)i), NPU_NCHW,
						    got, n), NPU_OK);
		for (k = 0; k < n / type_size(type); k++) {
			int32_t a = elem(type, want, k), b = elem(type, got, k);

			if (!strcmp(type, "float32") ? memcmp((const char *)want + 4 * k,
							      (const char *)got + 4 * k, 4) != 0
						     : (size_t)labs((long)a - b) > tol) {
				if (!diffs)
					fprintf(stderr, "%s: output %zu element %zu: ORT %d, "
						"npu %d\n", dir, i, k, (int)a, (int)b);
				diffs++;
			}
		}
		free(want);
		free(got);
	}
	npu_net_free(net);
	return diffs;
}

static void test_cases(void **state)
{
	struct dirent **list;
	npu_ctx *ctx;
	struct npu_ctx_opts o = { .backend = "cpu", .flags = NPU_CTX_CHECK };
	char msg[256], dir[512], why[1024];
	int n, i, ran = 0, bad = 0, refusals = 0;

	(void)state;
	assert_int_equal(npu_ctx_open(&o, &ctx, msg, sizeof(msg)), NPU_OK);
	n = scandir(NPU_ONNX_CASES_DIR, &list, NULL, alphasort);
	assert_true(n > 100);
	for (i = 0; i < n; i++) {
		json_t *c;
		json_error_t err;
		const char *phrase;
		long d;

		if (list[i]->d_name[0] == '.')
			goto next;
		snprintf(dir, sizeof(dir), "%s/%s/case.json", NPU_ONNX_CASES_DIR,
			 list[i]->d_name);
		c = json_load_file(dir, 0, &err);
		assert_non_null(c);
		snprintf(dir, sizeof(dir), "%s/%s", NPU_ONNX_CASES_DIR, list[i]->d_name);
		phrase = refusal(list[i]->d_name);
		if (json_object_get(c, "ort_error")) {
			/* ORT refuses it too: so must the importer, clearly */
			phrase = phrase ? phrase : "";
		}
		d = run_case(ctx, dir, c, why, sizeof(why));
		if (phrase) {
			if (d >= 0 || !strstr(why, phrase)) {
				fprintf(stderr, "%s: expected a refusal naming '%s', got %s\n",
					dir, phrase, d >= 0 ? "a run" : why);
				bad++;
			}
			refusals++;
		} else if (d < 0) {
			fprintf(stderr, "%s: refused: %s\n", dir, why);
			bad++;
		} else {
			bad += d != 0;
			ran++;
		}
		json_decref(c);
next:
		free(list[i]);
	}
	free(list);
	printf("onnx cases: %d run bit-exact against ORT, %d refused as expected, %d bad\n",
	       ran - bad, refusals, bad);
	assert_int_equal(bad, 0);
	assert_true(ran > 150);
	npu_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
