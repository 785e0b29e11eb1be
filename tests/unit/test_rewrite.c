/* SPDX-License-Identifier: MIT */
/*
 * Layer rewrites (npu_net_rewrite): every FC as a convolution, every
 * convolution whose kernel covers its whole unpadded input as an FC, and
 * both. A rewritten net must give bit-identical tensors (every one, not
 * only the outputs) to the net as loaded, on the cpu backend and on the
 * simulated device when its library loads, with check mode on; rewriting
 * back after a run must too (plans are made again). Parameters and MACs
 * do not change; the op does.
 *
 * The models: NPU_REWRITE_MODELS (paths separated by ':') when set, else
 * the list below (JSON or ONNX, told apart by content; ONNX inputs, which
 * start at zero, are filled from a seed like every input).
 */
#include "frontend_test.h"

static const char *const default_models[] = {
	EXAMPLE("lenet5.json"),
	EXAMPLE("fc_identity.json"),
	EXAMPLE("fashion_mnist/cnn_qop.onnx"),
	EXAMPLE("fashion_mnist/cnn_qdq.onnx"),
	EXAMPLE("fashion_mnist/resdw_qop.onnx"),
	EXAMPLE("fashion_mnist/resdw_qdq.onnx"),
};

/* Layers each flag rewrites in the shipped examples. */
static const struct {
	const char *model;
	int fc_to_conv, conv_to_fc;
} known[] = {
	{ EXAMPLE("lenet5.json"), 3, 0 },	/* f5 (flat input), f6, f7; no conv covers its input */
	{ EXAMPLE("fc_identity.json"), 1, 2 },	/* fc (20x20x2 input); conv1x1 (flat), conv20x20 */
	/* fc1 (a 32x7x7 input: a 7x7 conv), fc2 (flat: 1x1); no conv covers its input */
	{ EXAMPLE("fashion_mnist/cnn_qop.onnx"), 2, 0 },
	{ EXAMPLE("fashion_mnist/cnn_qdq.onnx"), 2, 0 },
	/* fc after the global average pool (flat) */
	{ EXAMPLE("fashion_mnist/resdw_qop.onnx"), 1, 0 },
	{ EXAMPLE("fashion_mnist/resdw_qdq.onnx"), 1, 0 },
};

static npu_ctx *open_ctx(const char *backend)
{
	struct npu_ctx_opts o = { .backend = backend, .flags = NPU_CTX_CHECK };
	npu_ctx *ctx = NULL;
	char msg[256];

	if (npu_ctx_open(&o, &ctx, msg, sizeof(msg)) != NPU_OK) {
		printf("[ rewrite  ] backend %s not available (%s)\n", backend, msg);
		return NULL;
	}
	return ctx;
}

static npu_net *load_filled(npu_ctx *ctx, const char *path)
{
	npu_net *net = NULL;

	if (npu_net_load(ctx, path, NULL, &net) != NPU_OK)
		fail_msg("%s: %s", path, npu_ctx_last_error(ctx));
	for (int i = 0; i < npu_net_num_inputs(net); i++)
		assert_int_equal(npu_net_fill_input(net, npu_net_input_id(net, i), 1000 + i), NPU_OK);
	return net;
}

static int count_op(npu_net *net, const char *op);

/* Runs checked; on the simulator every conv and FC must have run on the device. */
static void run(npu_ctx *ctx, npu_net *net, const char *what)
{
	struct npu_net_totals t;

	if (npu_net_run(net) != NPU_OK)
		fail_msg("%s: %s", what, npu_ctx_last_error(ctx));
	assert_int_equal(npu_net_totals(net, &t), NPU_OK);
	assert_int_equal(t.mismatched, 0);
	assert_int_equal(t.checked, count_op(net, "fc") + count_op(net, "conv2d") +
				    count_op(net, "depthwise"));
	if (!strcmp(npu_ctx_backend(ctx), "sim") &&
	    t.device_layers != t.checked)
		fail_msg("%s: %d of %d conv/FC layers on the device", what, t.device_layers,
			 t.checked);
}

static int count_op(npu_net *net, const char *op)
{
	struct npu_layer_report r;
	int n = 0;

	for (int i = 0; i < npu_net_num_layers(net); i++) {
		assert_int_equal(npu_net_layer_report(net, i, &r), NPU_OK);
		n += !strcmp(r.op, op);
	}
	return n;
}

/* Every tensor, the same bytes; every layer, the same name, params and MACs. */
static void assert_same(npu_net *a, npu_net *b, const char *what)
{
	struct npu_layer_report ra, rb;

	assert_int_equal(npu_net_num_tensors(a), npu_net_num_tensors(b));
	for (int i = 0; i < npu_net_num_tensors(a); i++) {
		size_t na, nb;
		void *x = test_read(a, i, &na), *y = test_read(b, i, &nb);

		assert_int_equal(na, nb);
		if (memcmp(x, y, na)) {
			struct npu_tensor_info t;

			npu_net_tensor_info(a, i, &t);
			fail_msg("%s: tensor '%s' differs", what, t.name);
		}
		free(x);
		free(y);
	}
	for (int i = 0; i < npu_net_num_layers(a); i++) {
		assert_int_equal(npu_net_layer_report(a, i, &ra), NPU_OK);
		assert_int_equal(npu_net_layer_report(b, i, &rb), NPU_OK);
		assert_string_equal(ra.name, rb.name);
		assert_int_equal(ra.params, rb.params);
		assert_int_equal(ra.macs, rb.macs);
		assert_memory_equal(ra.out_dims, rb.out_dims, sizeof(ra.out_dims));
	}
}

static void check_model(npu_ctx *ctx, const char *backend, const char *path)
{
	static const unsigned flags[] = { NPU_REWRITE_FC_TO_CONV, NPU_REWRITE_CONV_TO_FC,
					  NPU_REWRITE_FC_TO_CONV | NPU_REWRITE_CONV_TO_FC };
	npu_net *ref = load_filled(ctx, path);
	int fcs = count_op(ref, "fc"), convs = count_op(ref, "conv2d");
	int want[2] = { -1, -1 };
	char what[512];

	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		if (!strcmp(path, known[k].model)) {
			want[0] = known[k].fc_to_conv;
			want[1] = known[k].conv_to_fc;
		}
	snprintf(what, sizeof(what), "%s on %s, as loaded", path, backend);
	run(ctx, ref, what);
	for (size_t f = 0; f < 3; f++) {
		npu_net *net = load_filled(ctx, path);
		int n, back;

		assert_int_equal(npu_net_rewrite(net, flags[f], &n), NPU_OK);
		/* FC -> conv turns every FC; conv -> FC only the whole-input convs */
		if (flags[f] & NPU_REWRITE_FC_TO_CONV)
			assert_int_equal(count_op(net, "fc"), (flags[f] & NPU_REWRITE_CONV_TO_FC) ?
							      n - fcs : 0);
		if (want[0] >= 0)
			assert_int_equal(n, (flags[f] & NPU_REWRITE_FC_TO_CONV ? want[0] : 0) +
					    (flags[f] & NPU_REWRITE_CONV_TO_FC ? want[1] : 0));
		assert_int_equal(count_op(net, "fc") + count_op(net, "conv2d"), fcs + convs);
		printf("[ rewrite  ] %s on %s, flags %u: %d layers rewritten\n", path, backend,
		       flags[f], n);
		snprintf(what, sizeof(what), "%s on %s, rewritten with flags %u", path, backend,
			 flags[f]);
		run(ctx, net, what);
		assert_same(ref, net, what);
		/* and back, after a run: planned again, the same bytes again */
		assert_int_equal(npu_net_rewrite(net, flags[f] == NPU_REWRITE_CONV_TO_FC
							  ? NPU_REWRITE_FC_TO_CONV
							  : flags[f] == NPU_REWRITE_FC_TO_CONV
							  ? NPU_REWRITE_CONV_TO_FC : flags[f],
						 &back), NPU_OK);
		assert_true(back >= n);
		snprintf(what, sizeof(what), "%s on %s, rewritten back", path, backend);
		run(ctx, net, what);
		assert_same(ref, net, what);
		npu_net_free(net);
	}
	npu_net_free(ref);
}

static void run_models(const char *backend)
{
	const char *env = getenv("NPU_REWRITE_MODELS");
	npu_ctx *ctx = open_ctx(backend);

	if (!ctx)
		skip();
	if (env && *env) {
		char *list = strdup(env), *save = NULL;

		assert_non_null(list);
		for (char *p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save))
			check_model(ctx, backend, p);
		free(list);
	} else {
		for (size_t i = 0; i < sizeof(default_models) / sizeof(default_models[0]); i++)
			check_model(ctx, backend, default_models[i]);
	}
	npu_ctx_close(ctx);
}

static void test_models_cpu(void **state)
{
	(void)state;
	run_models("cpu");
}

static void test_models_sim(void **state)
{
	(void)state;
	run_models("sim");
}

/* The forms in detail, by hand: what becomes what, and what does not. */
static void test_forms(void **state)
{
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	const char *json =
		"{\"version\": 1, \"seed\": 4, \"inputs\": [{\"name\": \"x\", \"shape\": [2, 3, 2, 4]}],"
		"\"layers\": ["
		"{\"name\": \"whole\", \"op\": \"conv2d\", \"input\": \"x\", \"filters\": 5, "
		"\"kernel\": [3, 2], \"stride\": 2},"
		"{\"name\": \"padded\", \"op\": \"conv2d\", \"input\": \"x\", \"filters\": 5, \"kernel\": 3, "
		"\"pad\": 1},"
		"{\"name\": \"grouped\", \"op\": \"conv2d\", \"input\": \"x\", \"filters\": 4, "
		"\"kernel\": [3, 2], \"groups\": 2},"
		"{\"name\": \"part\", \"op\": \"conv2d\", \"input\": \"x\", \"filters\": 5, \"kernel\": [3, 1]},"
		"{\"name\": \"fcx\", \"op\": \"fc\", \"input\": \"x\", \"units\": 6, \"act\": \"relu\"},"
		"{\"name\": \"fc1\", \"op\": \"fc\", \"input\": \"whole\", \"units\": 3, \"act\": \"clip\", "
		"\"clip\": [-0.5, 0.5]}]}";
	npu_net *a, *b;
	struct npu_layer_report r;
	int n;

	(void)state;
	assert_int_equal(npu_net_load_string(ctx, json, NULL, NULL, &a), NPU_OK);
	assert_int_equal(npu_net_load_string(ctx, json, NULL, NULL, &b), NPU_OK);
	assert_int_equal(npu_net_run(a), NPU_OK);
	assert_int_equal(npu_net_run(b), NPU_OK);
	assert_int_equal(npu_net_rewrite(b, NPU_REWRITE_CONV_TO_FC, &n), NPU_OK);
	assert_int_equal(n, 1);	/* only "whole": 3x2 over 3x2, unpadded, one group */
	assert_int_equal(npu_net_layer_report(b, 0, &r), NPU_OK);
	assert_string_equal(r.op, "fc");
	for (int i = 1; i < 4; i++) {
		assert_int_equal(npu_net_layer_report(b, i, &r), NPU_OK);
		assert_string_equal(r.op, "conv2d");
	}
	assert_int_equal(npu_net_rewrite(b, NPU_REWRITE_FC_TO_CONV | NPU_REWRITE_CONV_TO_FC, &n),
			 NPU_OK);
	assert_int_equal(n, 3);	/* whole back to a conv, fcx (3x2 kernel), fc1 (1x1) */
	for (int i = 0; i < 6; i++) {
		assert_int_equal(npu_net_layer_report(b, i, &r), NPU_OK);
		assert_string_equal(r.op, "conv2d");
	}
	assert_int_equal(npu_net_run(b), NPU_OK);
	assert_same(a, b, "forms");
	/* nothing to do, and bad arguments */
	assert_int_equal(npu_net_rewrite(b, 0, &n), NPU_OK);
	assert_int_equal(n, 0);
	assert_int_equal(npu_net_rewrite(b, 4, &n), NPU_E_INVAL);
	assert_non_null(strstr(npu_ctx_last_error(ctx), "unknown flags"));
	assert_int_equal(npu_net_rewrite(NULL, NPU_REWRITE_FC_TO_CONV, &n), NPU_E_INVAL);
	assert_int_equal(npu_net_rewrite(b, NPU_REWRITE_CONV_TO_FC, NULL), NPU_OK);
	npu_net_free(a);
	npu_net_free(b);
	npu_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_models_cpu),
		cmocka_unit_test(test_models_sim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
