/* SPDX-License-Identifier: MIT */
/*
 * The example networks: model summaries against the well-known totals,
 * runs on the cpu backend in check mode with activations that are really
 * spread (so that bit-exactness proves something), a hand-checked raw-file
 * example, and several contexts at once on several threads.
 */
#include <pthread.h>

#include "frontend_test.h"

static npu_net *load(npu_ctx *ctx, const char *path, int hw)
{
	struct npu_load_opts o = { .input_h = hw, .input_w = hw };
	npu_net *net = NULL;

	if (npu_net_load(ctx, path, &o, &net) != NPU_OK)
		fail_msg("%s: %s", path, npu_ctx_last_error(ctx));
	return net;
}

static void totals(const char *path, uint64_t *params, uint64_t *macs)
{
	npu_ctx *ctx = test_ctx(0);
	npu_net *net = load(ctx, path, 0);
	struct npu_net_totals t;

	assert_int_equal(npu_net_totals(net, &t), NPU_OK);
	*params = t.params;
	*macs = t.macs;
	npu_net_free(net);
	npu_ctx_close(ctx);
}

static void assert_near(double got, double want, double rel)
{
	if (got < want * (1 - rel) || got > want * (1 + rel))
		fail_msg("%.0f is not within %.1f %% of %.0f", got, 100 * rel, want);
}

static void test_summary_resnet(void **state)
{
	uint64_t p, m;

	(void)state;
	/*
	 * torchvision counts 11,689,512 / 25,557,032 parameters including two
	 * per batch-norm channel; folded into the convs that is one bias per
	 * channel: 11,689,512 - 4,800 and 25,557,032 - 26,560.
	 */
	totals(EXAMPLE("resnet18.json"), &p, &m);
	assert_int_equal(p, 11684712);
	assert_int_equal(m, 1814073344);	/* conv + FC MACs */
	assert_near((double)p, 11.7e6, 0.01);
	assert_near((double)m, 1.82e9, 0.01);
	totals(EXAMPLE("resnet50.json"), &p, &m);
	assert_int_equal(p, 25530472);
	assert_int_equal(m, 4089184256);
	assert_near((double)p, 25.6e6, 0.01);
	assert_near((double)m, 4.1e9, 0.01);
	totals(EXAMPLE("mobilenet_v1.json"), &p, &m);
	assert_near((double)p, 4.2e6, 0.01);
	assert_near((double)m, 569e6, 0.01);
	totals(EXAMPLE("lenet5.json"), &p, &m);
	/* c1 156 + c3 2,416 + f5 48,120 + f6 10,164 + f7 850 */
	assert_int_equal(p, 61706);
}

static void test_summary_layers(void **state)
{
	npu_ctx *ctx = test_ctx(0);
	npu_net *net = load(ctx, EXAMPLE("resnet18.json"), 0);
	struct npu_layer_report r;
	int i, n = npu_net_num_layers(net);

	(void)state;
	assert_int_equal(npu_net_layer_report(net, 0, &r), NPU_OK);
	assert_string_equal(r.name, "conv1");
	assert_string_equal(r.op, "conv2d");
	assert_int_equal(r.out_dims[1], 112);
	assert_int_equal(r.out_dims[3], 64);
	assert_int_equal(r.params, 64 * 7 * 7 * 3 + 64);
	assert_int_equal(r.macs, 112ull * 112 * 64 * 7 * 7 * 3);
	assert_int_equal(r.ran, 0);
	assert_int_equal(npu_net_layer_report(net, 1, &r), NPU_OK);
	assert_string_equal(r.op, "maxpool");
	assert_int_equal(r.params, 0);
	assert_int_equal(r.out_dims[1], 56);
	assert_int_equal(npu_net_layer_report(net, n - 2, &r), NPU_OK);
	assert_string_equal(r.op, "fc");
	assert_int_equal(r.params, 512 * 1000 + 1000);
	assert_int_equal(r.macs, 512 * 1000);
	for (i = 0; i < n; i++) {
		assert_int_equal(npu_net_layer_report(net, i, &r), NPU_OK);
		if (strcmp(r.op, "conv2d") && strcmp(r.op, "fc"))
			assert_int_equal(r.params, 0);
	}
	npu_net_free(net);
	net = load(ctx, EXAMPLE("mobilenet_v1.json"), 0);
	assert_int_equal(npu_net_layer_report(net, 1, &r), NPU_OK);
	assert_string_equal(r.op, "depthwise");
	assert_int_equal(r.params, 32 * 3 * 3 + 32);
	assert_int_equal(r.macs, 112ull * 112 * 32 * 9);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

/*
 * Every 8-bit conv, FC and add output must use its range: many distinct
 * values, few stuck at the zero point (ReLU zeroes about half), few
 * clamped at the top.
 */
static void assert_spread(npu_net *net, int layer)
{
	struct npu_layer_report r;
	struct npu_tensor_info t;
	int id = npu_net_find_tensor(net, (npu_net_layer_report(net, layer, &r), r.name));
	int hist[256] = { 0 }, distinct = 0, i, top;
	uint8_t *b;
	size_t j, n;

	npu_net_tensor_info(net, id, &t);
	if ((t.type != NPU_INT8 && t.type != NPU_UINT8) ||
	    (strcmp(r.op, "conv2d") && strcmp(r.op, "depthwise") && strcmp(r.op, "fc") &&
	     strcmp(r.op, "add")))
		return;
	b = test_read(net, id, &n);
	for (j = 0; j < n; j++)
		hist[t.type == NPU_INT8 ? (int8_t)b[j] + 128 : b[j]]++;
	for (i = 0; i < 256; i++)
		distinct += hist[i] > 0;
	top = hist[255];
	i = t.zero_point + (t.type == NPU_INT8 ? 128 : 0);
	if (distinct < (n < 64 ? (int)n / 4 : 16) || hist[i] > 0.75 * n || top > 0.10 * n)
		fail_msg("layer %s: degenerate output: %d distinct values, %d of %zu at the zero "
			 "point, %d at the top", r.name, distinct, hist[i], n, top);
	free(b);
}

static void run_checked(const char *path, int hw)
{
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	npu_net *net = load(ctx, path, hw);
	struct npu_net_totals t;
	struct npu_layer_report r;
	int i, convs = 0;

	if (npu_net_run(net) != NPU_OK)
		fail_msg("%s: %s", path, npu_ctx_last_error(ctx));
	assert_int_equal(npu_net_totals(net, &t), NPU_OK);
	for (i = 0; i < npu_net_num_layers(net); i++) {
		assert_int_equal(npu_net_layer_report(net, i, &r), NPU_OK);
		assert_true(r.ran);
		assert_string_equal(r.where, "cpu");
		if (r.macs) {
			convs++;
			assert_int_equal(r.check, NPU_CHECK_PASS);
		} else {
			assert_int_equal(r.check, NPU_CHECK_NONE);
		}
		assert_spread(net, i);
	}
	assert_int_equal(t.checked, convs);
	assert_int_equal(t.mismatched, 0);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

static void test_run_lenet(void **state)
{
	(void)state;
	run_checked(EXAMPLE("lenet5.json"), 0);
}

static void test_run_mobilenet(void **state)
{
	(void)state;
	run_checked(EXAMPLE("mobilenet_v1.json"), test_quick() ? 32 : 128);
}

static void test_run_resnet(void **state)
{
	(void)state;
	run_checked(EXAMPLE("resnet18.json"), test_quick() ? 32 : 96);
	run_checked(EXAMPLE("resnet50.json"), test_quick() ? 32 : 64);
}

/* The raw-file example, worked by hand in examples/README.md. */
static void test_tiny_raw(void **state)
{
	static const int8_t want[8] = { 55, 64, 91, 100, 5, 6, 9, 10 };
	npu_ctx *ctx = test_ctx(NPU_CTX_CHECK);
	npu_net *net = load(ctx, EXAMPLE("tiny_raw.json"), 0);
	int8_t out[8];

	(void)state;
	assert_int_equal(npu_net_run(net), NPU_OK);
	assert_int_equal(npu_net_get_output(net, npu_net_output_id(net, 0), NPU_NCHW, out, 8),
			 NPU_OK);
	assert_memory_equal(out, want, 8);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

/* The seed makes the weights: same seed same bytes, another seed others. */
static void test_seeds(void **state)
{
	npu_ctx *ctx = test_ctx(0);
	struct npu_load_opts o = { .seed = 77 };
	npu_net *a, *b, *c;
	void *oa, *ob, *oc;
	size_t n;

	(void)state;
	assert_int_equal(npu_net_load(ctx, EXAMPLE("lenet5.json"), &o, &a), NPU_OK);
	assert_int_equal(npu_net_load(ctx, EXAMPLE("lenet5.json"), &o, &b), NPU_OK);
	o.seed = 78;
	assert_int_equal(npu_net_load(ctx, EXAMPLE("lenet5.json"), &o, &c), NPU_OK);
	assert_int_equal(npu_net_run(a), NPU_OK);
	assert_int_equal(npu_net_run(b), NPU_OK);
	assert_int_equal(npu_net_run(c), NPU_OK);
	oa = test_read(a, npu_net_find_tensor(a, "f7"), &n);
	ob = test_read(b, npu_net_find_tensor(b, "f7"), NULL);
	oc = test_read(c, npu_net_find_tensor(c, "f7"), NULL);
	assert_memory_equal(oa, ob, n);
	assert_memory_not_equal(oa, oc, n);
	free(oa);
	free(ob);
	free(oc);
	npu_net_free(a);
	npu_net_free(b);
	npu_net_free(c);
	npu_ctx_close(ctx);
}

struct job {
	const char *path;
	int hw;
	void *out;
	size_t bytes;
	npu_status st;
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct npu_ctx_opts o = { .backend = "cpu", .threads = 1 };
	struct npu_load_opts lo = { .input_h = j->hw, .input_w = j->hw };
	npu_ctx *ctx;
	npu_net *net;
	int id;

	if ((j->st = npu_ctx_open(&o, &ctx, NULL, 0)) != NPU_OK)
		return NULL;
	if ((j->st = npu_net_load(ctx, j->path, &lo, &net)) == NPU_OK) {
		if ((j->st = npu_net_run(net)) == NPU_OK) {
			id = npu_net_find_tensor(net, "fc");
			j->bytes = 1000;
			j->out = malloc(j->bytes);
			j->st = npu_net_get_output(net, id, NPU_NHWC, j->out, j->bytes);
		}
		npu_net_free(net);
	}
	npu_ctx_close(ctx);
	return NULL;
}

/* Several contexts at once: the library has no global state. */
static void test_threads(void **state)
{
	struct job jobs[4] = {
		{ EXAMPLE("resnet18.json"), 32, NULL, 0, 0 },
		{ EXAMPLE("mobilenet_v1.json"), 32, NULL, 0, 0 },
		{ EXAMPLE("resnet18.json"), 32, NULL, 0, 0 },
		{ EXAMPLE("mobilenet_v1.json"), 32, NULL, 0, 0 },
	};
	pthread_t t[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, run_job, &jobs[i]), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(jobs[i].st, NPU_OK);
	assert_memory_equal(jobs[0].out, jobs[2].out, 1000);
	assert_memory_equal(jobs[1].out, jobs[3].out, 1000);
	assert_memory_not_equal(jobs[0].out, jobs[1].out, 1000);
	for (i = 0; i < 4; i++)
		free(jobs[i].out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_resnet),
		cmocka_unit_test(test_summary_layers),
		cmocka_unit_test(test_run_lenet),
		cmocka_unit_test(test_run_mobilenet),
		cmocka_unit_test(test_run_resnet),
		cmocka_unit_test(test_tiny_raw),
		cmocka_unit_test(test_seeds),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
