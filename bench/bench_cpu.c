/* SPDX-License-Identifier: MIT */
/*
 * The fast CPU convolution against oneDNN on ResNet-50's layers (batch 1,
 * 224x224): the 1x1 and 3x3 convolutions of all four stages and the final
 * fully-connected layer, on 1 and 2 threads. Our output is checked against
 * npu_ref_conv() once per layer; a mismatch makes the program exit 1.
 *
 *   bench_cpu [--json PATH] [--only SUBSTRING] [--quick] [--no-verify]
 *             [--dnnl-native]
 *
 * The platform this project targets has AVX2 but no AVX-512 or VNNI, so
 * oneDNN is capped at AVX2 (its jit:avx2 int8 kernels) unless --dnnl-native
 * lets it use whatever the machine running the benchmark has.
 *
 * Our time includes packing the weights (npu_cpu_conv() packs on every
 * call); oneDNN's weights are reordered to its preferred layout once,
 * outside the timing, as an inference framework would do.
 */
#include <errno.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oneapi/dnnl/dnnl.h>

#include "npu_cpu.h"
#include "npu_ref.h"

struct layer {
	const char *name;
	int h, w, c, k, ksz, stride, pad;
	int fc;			/* oneDNN inner product instead of convolution */
};

/* ResNet-50 v1.5 (stride on the 3x3), batch 1, 224x224 input. */
static const struct layer layers[] = {
	{ "s1.1x1.64-64",      56, 56,   64,   64, 1, 1, 0, 0 },
	{ "s1.3x3.64",         56, 56,   64,   64, 3, 1, 1, 0 },
	{ "s1.1x1.64-256",     56, 56,   64,  256, 1, 1, 0, 0 },
	{ "s1.1x1.256-64",     56, 56,  256,   64, 1, 1, 0, 0 },
	{ "s2.1x1.256-128",    56, 56,  256,  128, 1, 1, 0, 0 },
	{ "s2.3x3.128/2",      56, 56,  128,  128, 3, 2, 1, 0 },
	{ "s2.3x3.128",        28, 28,  128,  128, 3, 1, 1, 0 },
	{ "s2.1x1.128-512",    28, 28,  128,  512, 1, 1, 0, 0 },
	{ "s2.1x1.512-128",    28, 28,  512,  128, 1, 1, 0, 0 },
	{ "s2.down.256-512/2", 56, 56,  256,  512, 1, 2, 0, 0 },
	{ "s3.1x1.512-256",    28, 28,  512,  256, 1, 1, 0, 0 },
	{ "s3.3x3.256/2",      28, 28,  256,  256, 3, 2, 1, 0 },
	{ "s3.3x3.256",        14, 14,  256,  256, 3, 1, 1, 0 },
	{ "s3.1x1.256-1024",   14, 14,  256, 1024, 1, 1, 0, 0 },
	{ "s3.1x1.1024-256",   14, 14, 1024,  256, 1, 1, 0, 0 },
	{ "s3.down.512-1024/2", 28, 28, 512, 1024, 1, 2, 0, 0 },
	{ "s4.1x1.1024-512",   14, 14, 1024,  512, 1, 1, 0, 0 },
	{ "s4.3x3.512/2",      14, 14,  512,  512, 3, 2, 1, 0 },
	{ "s4.3x3.512",         7,  7,  512,  512, 3, 1, 1, 0 },
	{ "s4.1x1.512-2048",    7,  7,  512, 2048, 1, 1, 0, 0 },
	{ "s4.1x1.2048-512",    7,  7, 2048,  512, 1, 1, 0, 0 },
	{ "s4.down.1024-2048/2", 14, 14, 1024, 2048, 1, 2, 0, 0 },
	{ "fc.2048-1000",       1,  1, 2048, 1000, 1, 1, 0, 1 },
};
#define NLAYERS ((int)(sizeof(layers) / sizeof(layers[0])))
#define NCONFIG 2	/* 1 and 2 threads */

static const int thread_counts[NCONFIG] = { 1, 2 };

struct options {
	const char *json;
	const char *only;
	int quick, verify, dnnl_native;
};

/* ------------------------------------------------------------------ */
/* Timing                                                              */
/* ------------------------------------------------------------------ */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

typedef void (*run_fn)(void *ctx, int threads);

/* Median seconds per call over enough repetitions to fill ~budget seconds. */
static double time_median(run_fn fn, void *ctx, int threads, double budget)
{
	double t[64], t0, once;
	int reps, i;

	fn(ctx, threads);	/* warm caches, fault in pages */
	t0 = now();
	fn(ctx, threads);
	once = now() - t0;
	reps = once > 0 ? (int)(budget / once) : 64;
	if (reps < 5)
		reps = 5;
	if (reps > 64)
		reps = 64;
	for (i = 0; i < reps; i++) {
		t0 = now();
		fn(ctx, threads);
		t[i] = now() - t0;
	}
	qsort(t, (size_t)reps, sizeof(t[0]), cmp_double);
	return t[reps / 2];
}

static void quiesce(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* The machine's load: the numbers mean little when something else runs. */
static char load_before[64] = "?";

static void print_load(void)
{
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (!fgets(load_before, sizeof(load_before), f))
			strcpy(load_before, "?");
		fclose(f);
	}
	load_before[strcspn(load_before, "\n")] = 0;
	printf("load average before the run: %s (another busy process skews the 2-thread "
	       "columns most)\n", load_before);
}

/* ------------------------------------------------------------------ */
/* The layer's data and our side                                       */
/* ------------------------------------------------------------------ */

struct bench_layer {
	const struct layer *L;
	struct npu_conv_spec s;
	uint8_t *in;
	int8_t *w;
	int32_t *bias, *rq_mult;
	int8_t *rq_shift;
	float *scale;
	int8_t *out;
	int err;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "bench_cpu: out of memory\n");
		exit(2);
	}
	return p;
}

/* uint8 input, int8 weights, int8 output: TFLite-style fixed-point requant. */
static void layer_init(struct bench_layer *b, const struct layer *L)
{
	struct npu_conv_spec *s = &b->s;
	const char *why;
	size_t i;
	int k;

	memset(b, 0, sizeof(*b));
	b->L = L;
	s->n = 1;
	s->in_h = L->h;
	s->in_w = L->w;
	s->in_c = L->c;
	s->out_c = L->k;
	s->kh = s->kw = L->ksz;
	s->stride_h = s->stride_w = L->stride;
	s->dil_h = s->dil_w = 1;
	s->pad_top = s->pad_left = s->pad_bottom = s->pad_right = L->pad;
	s->groups = 1;
	s->in_type = NPU_TYPE_UINT8;
	s->w_type = NPU_TYPE_INT8;
	s->out_type = NPU_TYPE_INT8;
	s->in_zp = 0;
	s->out_zp = -3;
	s->rq_mode = NPU_RQ_FIXED;
	s->act_min = -128;
	s->act_max = 127;
	b->bias = xmalloc((size_t)L->k * sizeof(*b->bias));
	b->rq_mult = xmalloc((size_t)L->k * sizeof(*b->rq_mult));
	b->rq_shift = xmalloc((size_t)L->k * sizeof(*b->rq_shift));
	b->scale = xmalloc((size_t)L->k * sizeof(*b->scale));
	for (k = 0; k < L->k; k++) {
		int sh;

		/* keeps outputs spread over the int8 range for these sums */
		b->scale[k] = (float)(0.5 + (rnd() % 1000) / 1000.0) / (float)(L->c * L->ksz * L->ksz * 8);
		npu_quantize_multiplier(b->scale[k], &b->rq_mult[k], &sh);
		b->rq_shift[k] = (int8_t)sh;
		b->bias[k] = (int32_t)(rnd() % 20001) - 10000;
	}
	s->bias = b->bias;
	s->rq_mult = b->rq_mult;
	s->rq_shift = b->rq_shift;
	if (npu_conv_spec_finish(s, &why)) {
		fprintf(stderr, "bench_cpu: %s: bad spec: %s\n", L->name, why);
		exit(2);
	}
	b->in = xmalloc(npu_conv_in_elems(s));
	b->w = xmalloc(npu_conv_w_elems(s));
	b->out = xmalloc(npu_conv_out_elems(s));
	for (i = 0; i < npu_conv_in_elems(s); i++)
		b->in[i] = (uint8_t)rnd();
	for (i = 0; i < npu_conv_w_elems(s); i++)
		b->w[i] = (int8_t)rnd();
}

static void layer_free(struct bench_layer *b)
{
	free(b->in);
	free(b->w);
	free(b->out);
	free(b->bias);
	free(b->rq_mult);
	free(b->rq_shift);
	free(b->scale);
}

static void run_ours(void *ctx, int threads)
{
	struct bench_layer *b = ctx;
	int rc = npu_cpu_conv(&b->s, b->in, b->w, b->out, threads);

	if (rc)
		b->err = rc;
}

/* Our output (from the last run) against the reference. */
static int verify_against_ref(struct bench_layer *b, const int8_t *expect, int threads)
{
	size_t n = npu_conv_out_elems(&b->s), i;

	run_ours(b, threads);
	if (b->err) {
		fprintf(stderr, "bench_cpu: %s: npu_cpu_conv returned %d\n", b->L->name, b->err);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (b->out[i] != expect[i]) {
			fprintf(stderr, "bench_cpu: %s (%d threads): MISMATCH at element %zu: "
				"reference %d, ours %d\n", b->L->name, threads, i, expect[i],
				b->out[i]);
			return -1;
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* oneDNN                                                              */
/* ------------------------------------------------------------------ */

#define DNNL_CHECK(call) do {						\
	dnnl_status_t st_ = (call);					\
	if (st_ != dnnl_success) {					\
		fprintf(stderr, "bench_cpu: %s failed: status %d (%s:%d)\n", \
			#call, (int)st_, __FILE__, __LINE__);		\
		exit(2);						\
	}								\
} while (0)

struct dnn {
	dnnl_engine_t eng;
	dnnl_stream_t strm;
	dnnl_primitive_t prim;
	dnnl_memory_t src, wts, bias, dst;
	const char *impl;
	char impl_buf[64];
};

static void md_init(dnnl_memory_desc_t *md, int nd, const dnnl_dims_t dims,
		    dnnl_data_type_t dt, dnnl_format_tag_t tag)
{
	DNNL_CHECK(dnnl_memory_desc_init_by_tag(md, nd, dims, dt, tag));
}

/* Reorders the user's weights to the layout the primitive chose. */
static void dnn_weights(struct dnn *d, dnnl_primitive_desc_t pd,
			const dnnl_memory_desc_t *user_md, void *w)
{
	const dnnl_memory_desc_t *want = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
	dnnl_memory_t user;
	dnnl_primitive_desc_t rpd;
	dnnl_primitive_t reorder;
	dnnl_exec_arg_t args[2];

	DNNL_CHECK(dnnl_memory_create(&user, user_md, d->eng, w));
	if (dnnl_memory_desc_equal(want, user_md)) {
		d->wts = user;
		return;
	}
	DNNL_CHECK(dnnl_memory_create(&d->wts, want, d->eng, DNNL_MEMORY_ALLOCATE));
	DNNL_CHECK(dnnl_reorder_primitive_desc_create(&rpd, user_md, d->eng, want, d->eng, NULL));
	DNNL_CHECK(dnnl_primitive_create(&reorder, rpd));
	args[0] = (dnnl_exec_arg_t){ DNNL_ARG_FROM, user };
	args[1] = (dnnl_exec_arg_t){ DNNL_ARG_TO, d->wts };
	DNNL_CHECK(dnnl_primitive_execute(reorder, d->strm, 2, args));
	DNNL_CHECK(dnnl_stream_wait(d->strm));
	dnnl_primitive_destroy(reorder);
	dnnl_primitive_desc_destroy(rpd);
	dnnl_memory_destroy(user);
}

static void dnn_finish(struct dnn *d, dnnl_primitive_desc_t pd, const dnnl_memory_desc_t *src_md,
		       const dnnl_memory_desc_t *user_w_md, const dnnl_memory_desc_t *bias_md,
		       const dnnl_memory_desc_t *dst_md, struct bench_layer *b)
{
	const char *impl = NULL;

	dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
	snprintf(d->impl_buf, sizeof(d->impl_buf), "%s", impl ? impl : "?");
	d->impl = d->impl_buf;
	dnn_weights(d, pd, user_w_md, b->w);
	DNNL_CHECK(dnnl_memory_create(&d->src, src_md, d->eng, b->in));
	DNNL_CHECK(dnnl_memory_create(&d->bias, bias_md, d->eng, b->bias));
	DNNL_CHECK(dnnl_memory_create(&d->dst, dst_md, d->eng, DNNL_MEMORY_ALLOCATE));
	DNNL_CHECK(dnnl_primitive_create(&d->prim, pd));
	dnnl_primitive_desc_destroy(pd);
}

static dnnl_primitive_attr_t dnn_scales(struct bench_layer *b)
{
	dnnl_primitive_attr_t attr;

	DNNL_CHECK(dnnl_primitive_attr_create(&attr));
	DNNL_CHECK(dnnl_primitive_attr_set_output_scales(attr, b->L->k, 1 << 1, b->scale));
	return attr;
}

static void dnn_setup_conv(struct dnn *d, struct bench_layer *b)
{
	const struct layer *L = b->L;
	dnnl_dims_t sd = { 1, L->c, L->h, L->w }, wd = { L->k, L->c, L->ksz, L->ksz };
	dnnl_dims_t dd = { 1, L->k, b->s.out_h, b->s.out_w }, bd = { L->k };
	dnnl_dims_t strides = { L->stride, L->stride }, pad = { L->pad, L->pad };
	dnnl_memory_desc_t src_md, w_md, w_any, bias_md, dst_md;
	dnnl_convolution_desc_t cd;
	dnnl_primitive_attr_t attr = dnn_scales(b);
	dnnl_primitive_desc_t pd;

	md_init(&src_md, 4, sd, dnnl_u8, dnnl_nhwc);
	md_init(&w_md, 4, wd, dnnl_s8, dnnl_ohwi);
	md_init(&w_any, 4, wd, dnnl_s8, dnnl_format_tag_any);
	md_init(&bias_md, 1, bd, dnnl_s32, dnnl_a);
	md_init(&dst_md, 4, dd, dnnl_s8, dnnl_nhwc);
	DNNL_CHECK(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference,
						      dnnl_convolution_direct, &src_md, &w_any,
						      &bias_md, &dst_md, strides, pad, pad));
	DNNL_CHECK(dnnl_primitive_desc_create(&pd, &cd, attr, d->eng, NULL));
	dnnl_primitive_attr_destroy(attr);
	dnn_finish(d, pd, &src_md, &w_md, &bias_md, &dst_md, b);
}

static void dnn_setup_fc(struct dnn *d, struct bench_layer *b)
{
	const struct layer *L = b->L;
	dnnl_dims_t sd = { 1, L->c }, wd = { L->k, L->c }, dd = { 1, L->k }, bd = { L->k };
	dnnl_memory_desc_t src_md, w_md, w_any, bias_md, dst_md;
	dnnl_inner_product_desc_t ipd;
	dnnl_primitive_attr_t attr = dnn_scales(b);
	dnnl_primitive_desc_t pd;

	md_init(&src_md, 2, sd, dnnl_u8, dnnl_nc);
	md_init(&w_md, 2, wd, dnnl_s8, dnnl_oi);
	md_init(&w_any, 2, wd, dnnl_s8, dnnl_format_tag_any);
	md_init(&bias_md, 1, bd, dnnl_s32, dnnl_a);
	md_init(&dst_md, 2, dd, dnnl_s8, dnnl_nc);
	DNNL_CHECK(dnnl_inner_product_forward_desc_init(&ipd, dnnl_forward_inference, &src_md,
							&w_any, &bias_md, &dst_md));
	DNNL_CHECK(dnnl_primitive_desc_create(&pd, &ipd, attr, d->eng, NULL));
	dnnl_primitive_attr_destroy(attr);
	dnn_finish(d, pd, &src_md, &w_md, &bias_md, &dst_md, b);
}

static void dnn_setup(struct dnn *d, struct bench_layer *b)
{
	memset(d, 0, sizeof(*d));
	DNNL_CHECK(dnnl_engine_create(&d->eng, dnnl_cpu, 0));
	DNNL_CHECK(dnnl_stream_create(&d->strm, d->eng, dnnl_stream_default_flags));
	if (b->L->fc)
		dnn_setup_fc(d, b);
	else
		dnn_setup_conv(d, b);
}

static void dnn_free(struct dnn *d)
{
	dnnl_primitive_destroy(d->prim);
	dnnl_memory_destroy(d->src);
	dnnl_memory_destroy(d->wts);
	dnnl_memory_destroy(d->bias);
	dnnl_memory_destroy(d->dst);
	dnnl_stream_destroy(d->strm);
	dnnl_engine_destroy(d->eng);
}

/*
 * oneDNN's CPU runtime here is OpenMP. A primitive keeps the thread count
 * OpenMP had when it was created (omp_set_num_threads() before execute
 * alone was seen to leave it on 2 threads), so there is one per count.
 */
static void run_dnn(void *ctx, int threads)
{
	struct dnn *d = ctx;
	dnnl_exec_arg_t args[4] = {
		{ DNNL_ARG_SRC, d->src }, { DNNL_ARG_WEIGHTS, d->wts },
		{ DNNL_ARG_BIAS, d->bias }, { DNNL_ARG_DST, d->dst },
	};

	omp_set_num_threads(threads);
	DNNL_CHECK(dnnl_primitive_execute(d->prim, d->strm, 4, args));
	DNNL_CHECK(dnnl_stream_wait(d->strm));
}

static const char *dnnl_isa_name(void)
{
	return dnnl_get_effective_cpu_isa() == dnnl_cpu_isa_avx2 ? "avx2" : "native";
}

/* ------------------------------------------------------------------ */
/* Report                                                              */
/* ------------------------------------------------------------------ */

struct result {
	const struct layer *L;
	uint64_t macs;
	double ours[NCONFIG], dnn[NCONFIG];	/* seconds */
	const char *impl;
	int verified;
};

static double gops(uint64_t macs, double sec)
{
	return sec > 0 ? 2.0 * (double)macs / sec * 1e-9 : 0;
}

static void print_header(void)
{
	printf("%-20s %9s | %8s %8s %6s | %8s %8s %6s | %s\n", "layer", "MMACs",
	       "ours1T", "dnnl1T", "ratio", "ours2T", "dnnl2T", "ratio", "oneDNN impl");
}

static void print_row(const struct result *r)
{
	int t;

	printf("%-20s %9.1f |", r->L->name, (double)r->macs * 1e-6);
	for (t = 0; t < NCONFIG; t++) {
		double o = gops(r->macs, r->ours[t]), d = gops(r->macs, r->dnn[t]);

		printf(" %8.1f %8.1f %6.2f |", o, d, d > 0 ? o / d : 0);
	}
	printf(" %s\n", r->impl);
	fflush(stdout);
}

/* Totals over the convolution layers (not FC): time-weighted GOPS, worst ratio. */
struct summary {
	int valid;
	double ours_gops, dnn_gops, ratio, worst;
};

static struct summary summarize(const struct result *res, int n, int t)
{
	struct summary sm = { 0, 0, 0, 0, 1e9 };
	double to = 0, td = 0;
	uint64_t macs = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (res[i].L->fc)
			continue;
		macs += res[i].macs;
		to += res[i].ours[t];
		td += res[i].dnn[t];
		if (res[i].dnn[t] / res[i].ours[t] < sm.worst)
			sm.worst = res[i].dnn[t] / res[i].ours[t];
	}
	if (macs) {
		sm.valid = 1;
		sm.ours_gops = gops(macs, to);
		sm.dnn_gops = gops(macs, td);
		sm.ratio = td / to;
	}
	return sm;
}

static void print_summary(const struct result *res, int n)
{
	int t;

	for (t = 0; t < NCONFIG; t++) {
		struct summary sm = summarize(res, n, t);

		if (sm.valid)
			printf("conv layers, %d thread%s: ours %.1f GOPS, oneDNN %.1f GOPS, "
			       "ratio %.2f overall, worst layer %.2f\n", thread_counts[t],
			       thread_counts[t] > 1 ? "s" : "", sm.ours_gops, sm.dnn_gops,
			       sm.ratio, sm.worst);
	}
}

static void json_summary(FILE *f, const struct result *res, int n)
{
	const char *sep = "";
	int t;

	for (t = 0; t < NCONFIG; t++) {
		struct summary sm = summarize(res, n, t);

		if (!sm.valid)
			continue;
		fprintf(f, "%s    \"conv_total_%dt\": { \"ours_gops\": %.2f, "
			"\"onednn_gops\": %.2f, \"ratio\": %.3f, \"worst_ratio\": %.3f }",
			sep, thread_counts[t], sm.ours_gops, sm.dnn_gops, sm.ratio, sm.worst);
		sep = ",\n";
	}
}

static void write_json(const char *path, const struct result *res, int n)
{
	FILE *f = fopen(path, "w");
	int i, t;

	if (!f) {
		fprintf(stderr, "bench_cpu: cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "{\n  \"benchmark\": \"npu_cpu_conv vs oneDNN, ResNet-50 layers, batch 1\",\n");
	fprintf(f, "  \"gops\": \"2 * MACs / median seconds / 1e9\",\n");
	fprintf(f, "  \"loadavg_before\": \"%s\",\n", load_before);
	fprintf(f, "  \"avx2\": %s,\n  \"onednn_max_isa\": \"%s\",\n  \"layers\": [\n",
		npu_cpu_have_avx2() ? "true" : "false", dnnl_isa_name());
	for (i = 0; i < n; i++) {
		const struct result *r = &res[i];

		fprintf(f, "    { \"name\": \"%s\", \"h\": %d, \"w\": %d, \"c\": %d, \"k\": %d, "
			"\"kernel\": %d, \"stride\": %d, \"macs\": %llu, \"verified\": %s, "
			"\"onednn_impl\": \"%s\"", r->L->name, r->L->h, r->L->w, r->L->c, r->L->k,
			r->L->ksz, r->L->stride, (unsigned long long)r->macs,
			r->verified ? "true" : "false", r->impl);
		for (t = 0; t < NCONFIG; t++)
			fprintf(f, ", \"ours_gops_%dt\": %.2f, \"onednn_gops_%dt\": %.2f, "
				"\"ratio_%dt\": %.3f", thread_counts[t],
				gops(r->macs, r->ours[t]), thread_counts[t],
				gops(r->macs, r->dnn[t]), thread_counts[t],
				r->dnn[t] / r->ours[t]);
		fprintf(f, " }%s\n", i + 1 < n ? "," : "");
	}
	fprintf(f, "  ],\n  \"summary\": {\n");
	json_summary(f, res, n);
	fprintf(f, "\n  }\n}\n");
	fclose(f);
}

/* ------------------------------------------------------------------ */

static void parse_args(int argc, char **argv, struct options *o)
{
	int i;

	o->json = "build/bench/cpu.json";
	o->only = NULL;
	o->quick = 0;
	o->verify = 1;
	o->dnnl_native = 0;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			o->json = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			o->only = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			o->quick = 1;
		else if (!strcmp(argv[i], "--no-verify"))
			o->verify = 0;
		else if (!strcmp(argv[i], "--dnnl-native"))
			o->dnnl_native = 1;
		else {
			fprintf(stderr, "usage: %s [--json PATH] [--only SUBSTRING] [--quick] "
				"[--no-verify] [--dnnl-native]\n", argv[0]);
			exit(2);
		}
	}
}

/*
 * The first layers measured ~20% slow in whole runs but not on their own:
 * the core seems to need a moment at full load to reach its clock. Run
 * one layer for a while before the first measurement.
 */
static void warm_up(double seconds)
{
	struct bench_layer b;
	double t0 = now();

	layer_init(&b, &layers[1]);
	while (now() - t0 < seconds)
		run_ours(&b, 1);
	layer_free(&b);
}

/* Times one layer both ways; returns nonzero on a mismatch. */
static int bench_layer(const struct layer *L, const struct options *o, struct result *r)
{
	struct bench_layer b;
	struct dnn d;
	double budget = o->quick ? 0.02 : 0.1;
	int t, bad = 0;

	layer_init(&b, L);
	r->L = L;
	r->macs = npu_conv_macs(&b.s);
	r->impl = NULL;
	if (o->verify) {
		int8_t *expect = xmalloc(npu_conv_out_elems(&b.s));

		npu_ref_conv(&b.s, b.in, b.w, expect);
		for (t = 0; t < NCONFIG && !bad; t++)
			bad = verify_against_ref(&b, expect, thread_counts[t]);
		r->verified = !bad;
		free(expect);
	}
	for (t = 0; t < NCONFIG; t++) {
		omp_set_num_threads(thread_counts[t]);
		dnn_setup(&d, &b);
		/*
		 * After a parallel region libgomp's workers spin for a while
		 * before they sleep; let them stop, or they take the core our
		 * second thread needs.
		 */
		quiesce();
		if (!r->impl)
			r->impl = strdup(d.impl);
		r->ours[t] = time_median(run_ours, &b, thread_counts[t], budget);
		r->dnn[t] = time_median(run_dnn, &d, thread_counts[t], budget);
		dnn_free(&d);
	}
	if (b.err) {
		fprintf(stderr, "bench_cpu: %s: npu_cpu_conv returned %d\n", L->name, b.err);
		bad = 1;
	}
	layer_free(&b);
	return bad;
}

int main(int argc, char **argv)
{
	struct options o;
	struct result res[NLAYERS];
	int i, n = 0, bad = 0;

	parse_args(argc, argv, &o);
	if (!o.dnnl_native)
		DNNL_CHECK(dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx2));
	printf("npu_cpu_conv vs oneDNN %d.%d.%d (ISA: %s), ResNet-50 layers, batch 1, "
	       "u8 x s8 -> s8; GOPS = 2*MACs/s (median); our AVX2 kernels: %s; outputs %s\n",
	       dnnl_version()->major, dnnl_version()->minor, dnnl_version()->patch,
	       dnnl_isa_name(), npu_cpu_have_avx2() ? "yes" : "no",
	       o.verify ? "checked against npu_ref_conv" : "not checked");
	print_load();
	warm_up(o.quick ? 0.1 : 0.5);
	print_header();
	for (i = 0; i < NLAYERS; i++) {
		if (o.only && !strstr(layers[i].name, o.only))
			continue;
		bad |= bench_layer(&layers[i], &o, &res[n]);
		print_row(&res[n]);
		n++;
	}
	print_summary(res, n);
	if (o.json)
		write_json(o.json, res, n);
	for (i = 0; i < n; i++)
		free((void *)res[i].impl);
	if (bad)
		fprintf(stderr, "bench_cpu: FAILED: output differs from npu_ref_conv\n");
	return bad;
}
