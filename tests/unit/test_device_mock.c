/* SPDX-License-Identifier: MIT */
/*
 * The device layer over a mock backend that fails on demand: allocation
 * failure at each allocation (once: retried; from then on: the layer does
 * not fit, at planning or at run time), a refused submission, a timeout,
 * a device error. Each gives its documented status and message, and every
 * device buffer is given back (the mock counts them; ASan/valgrind see the
 * rest).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backend.h"
#include "device.h"

struct mock {
	struct npu_backend base;
	int allocs, live, fail_alloc_at;	/* fail the n-th allocation (1-based), 0: never */
	int fail_from;			/* fail every allocation from the n-th on, 0: never */
	npu_status submit_status, wait_status;
	uint32_t device_error;
	int submits, waits;
	uint64_t next_job;
};

static npu_status m_caps(struct npu_backend *b, struct npu_caps *c)
{
	(void)b;
	memset(c, 0, sizeof(*c));
	c->rows = NPU_DEF_ROWS;
	c->cols = NPU_DEF_COLS;
	c->ibuf_bytes = NPU_DEF_IBUF_BYTES;
	c->wbuf_bytes = NPU_DEF_WBUF_BYTES;
	c->acc_depth = NPU_DEF_ACC_DEPTH;
	c->pbuf_depth = NPU_DEF_PBUF_DEPTH;
	c->max_k = NPU_DEF_MAX_K;
	c->max_stride = NPU_DEF_MAX_STRIDE;
	c->max_dil = NPU_DEF_MAX_DIL;
	c->max_dim = NPU_DEF_MAX_DIM;
	c->mem_log2 = 28;
	c->mem_reserved = NPU_MEM_RESERVED;
	c->desc_bytes = NPU_DESC_BYTES;
	return NPU_OK;
}

static npu_status m_alloc(struct npu_backend *b, size_t size, struct npu_bo **out)
{
	struct mock *m = (struct mock *)b;
	struct npu_bo *bo;

	if (++m->allocs == m->fail_alloc_at || (m->fail_from && m->allocs >= m->fail_from))
		return NPU_E_NOMEM;
	bo = calloc(1, sizeof(*bo));
	bo->map = calloc(1, size);
	bo->size = size;
	bo->dev_addr = NPU_MEM_RESERVED + (uint64_t)m->allocs * (1u << 22);
	m->live++;
	*out = bo;
	return NPU_OK;
}

static void m_free(struct npu_backend *b, struct npu_bo *bo)
{
	if (!bo)
		return;
	((struct mock *)b)->live--;
	free(bo->map);
	free(bo);
}

static npu_status m_submit(struct npu_backend *b, const union npu_desc *d, size_t n,
			   struct npu_bo *const *bos, size_t nbos, uint64_t *job)
{
	struct mock *m = (struct mock *)b;

	(void)d;
	(void)bos;
	(void)nbos;
	assert_true(n > 0);
	m->submits++;
	*job = ++m->next_job;
	return m->submit_status;
}

static npu_status m_wait(struct npu_backend *b, uint64_t job, int64_t timeout_ns,
			 struct npu_job_result *res)
{
	struct mock *m = (struct mock *)b;

	(void)job;
	assert_true(timeout_ns > 0);
	m->waits++;
	memset(res, 0, sizeof(*res));
	res->cycles = 1000;
	res->err_code = m->device_error;
	res->err_index = 0;
	return m->wait_status;
}

static void m_close(struct npu_backend *b)
{
	(void)b;	/* the test owns the mock */
}

static const struct npu_backend_ops mock_ops = {
	.name = "mock", .close = m_close, .caps = m_caps, .bo_alloc = m_alloc, .bo_free = m_free,
	.submit = m_submit, .wait = m_wait, .max_job_descs = 100,
};

struct layer {
	struct npu_conv_spec s;
	int32_t mult[32];
	int8_t shift[32];
	int8_t w[32 * 3 * 3 * 16], in[10 * 10 * 16], out[10 * 10 * 32];
};

static void make_layer(struct layer *l)
{
	const char *why;

	memset(l, 0, sizeof(*l));
	l->s = (struct npu_conv_spec){.n = 1, .in_h = 10, .in_w = 10, .in_c = 16, .out_c = 32,
		.kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1, .pad_top = 1,
		.pad_left = 1, .pad_bottom = 1, .pad_right = 1, .groups = 1, .in_type = NPU_TYPE_INT8,
		.w_type = NPU_TYPE_INT8, .out_type = NPU_TYPE_INT8, .rq_mode = NPU_RQ_FIXED,
		.act_min = -128, .act_max = 127, .rq_mult = l->mult, .rq_shift = l->shift};
	for (int i = 0; i < 32; i++)
		l->mult[i] = 1 << 30;
	assert_int_equal(npu_conv_spec_finish(&l->s, &why), 0);
}

static struct npu_device *open_mock(struct mock *m)
{
	struct npu_device *d;

	memset(m, 0, sizeof(*m));
	m->base.ops = &mock_ops;
	assert_int_equal(npu_device_open_backend(&m->base, &d), NPU_OK);
	return d;
}

/* The reference output of the mock layer, for CPU fallbacks. */
static void ref_out(struct layer *l, int8_t *ref)
{
	npu_ref_conv(&l->s, l->in, l->w, ref);
}

static void test_allocation_failures(void **state)
{
	struct mock m;
	struct layer l;
	struct npu_conv_plan *p;
	struct npu_run_stats st;
	char why[400], msg[200];
	static int8_t ref[10 * 10 * 32];

	(void)state;
	make_layer(&l);
	for (int i = 0; i < (int)sizeof(l.in); i++)
		l.in[i] = (int8_t)(i * 7);
	for (int i = 0; i < (int)sizeof(l.w); i++)
		l.w[i] = (int8_t)(i * 13);
	ref_out(&l, ref);
	/* The plan takes weights, records, input and output: four allocations. */
	for (int at = 1; at <= 4; at++) {
		struct npu_device *d = open_mock(&m);

		/* once: the plan starts again from nothing and gets them */
		m.fail_alloc_at = at;
		assert_int_equal(npu_conv_plan_create(d, &l.s, l.w, &p, why, sizeof(why)), NPU_OK);
		npu_conv_plan_destroy(p);
		npu_device_trim(d);
		/* from there on: the layer does not fit, the caller runs it on the CPU */
		m.fail_alloc_at = 0;
		m.fail_from = m.allocs + at;
		assert_int_equal(npu_conv_plan_create(d, &l.s, l.w, &p, why, sizeof(why)),
				 NPU_E_UNSUPPORTED);
		assert_null(p);
		if (!strstr(why, "needs 9.7 KiB of device memory (input 1.6 KiB, output 3.1 KiB, "
			    "weights 4.5 KiB, channel records 0.5 KiB), more than the 256.0 MiB device"))
			fail_msg("why: %s", why);
		npu_device_close(d);
		assert_int_equal(m.live, 0);
	}
	/* At run time, when its evicted weights cannot come back: the CPU computes it. */
	for (int at = 1; at <= 4; at++) {
		struct npu_device *d = open_mock(&m);
		struct npu_device_mem mem;

		assert_int_equal(npu_conv_plan_create(d, &l.s, l.w, &p, why, sizeof(why)), NPU_OK);
		npu_device_mem(d, &mem);
		assert_int_equal(mem.resident_plans, 1);
		assert_int_equal(mem.cached_buffers, 2);
		npu_device_trim(d);	/* input and output must be allocated again */
		m.fail_from = m.allocs + 1;
		memset(l.out, 0, sizeof(l.out));
		assert_int_equal(npu_conv_plan_run(p, l.in, l.out, &st, msg, sizeof(msg)), NPU_OK);
		assert_int_equal(st.on_device, 0);
		assert_non_null(st.fallback);
		assert_non_null(strstr(st.fallback, "needs 9.7 KiB of device memory"));
		assert_memory_equal(l.out, ref, sizeof(ref));
		/* the retry dropped the plan's own weights; with memory back, they return */
		m.fail_from = 0;
		m.fail_alloc_at = m.allocs + at;
		memset(l.out, 0, sizeof(l.out));
		assert_int_equal(npu_conv_plan_run(p, l.in, l.out, &st, msg, sizeof(msg)), NPU_OK);
		assert_int_equal(st.on_device, 1);
		assert_null(st.fallback);
		assert_int_equal(st.reload_bytes, 4608 + 512);
		npu_conv_plan_destroy(p);
		npu_device_close(d);
		assert_int_equal(m.live, 0);
	}
}

static void test_job_failures(void **state)
{
	static const struct {
		npu_status submit, wait;
		uint32_t dev_err;
		npu_status expect;
		const char *msg;
	} cases[] = {
		{NPU_E_INVAL, NPU_OK, 0, NPU_E_INVAL, "refused job"},
		{NPU_OK, NPU_E_TIMEOUT, 0, NPU_E_TIMEOUT, "job 1 of"},
		{NPU_OK, NPU_OK, NPU_ERR_ADDRESS, NPU_E_DEVICE, "device error 8 (address)"},
		{NPU_OK, NPU_OK, NPU_ERR_CHAN_PARAM, NPU_E_DEVICE, "channel parameter"},
		{NPU_OK, NPU_OK, 0, NPU_OK, ""},
	};
	struct layer l;

	(void)state;
	make_layer(&l);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mock m;
		struct npu_device *d = open_mock(&m);
		struct npu_conv_plan *p;
		struct npu_run_stats st;
		char why[200] = "", msg[200] = "";

		assert_int_equal(npu_conv_plan_create(d, &l.s, l.w, &p, why, sizeof(why)), NPU_OK);
		m.submit_status = cases[i].submit;
		m.wait_status = cases[i].wait;
		m.device_error = cases[i].dev_err;
		assert_int_equal(npu_conv_plan_run(p, l.in, l.out, &st, msg, sizeof(msg)),
				 cases[i].expect);
		if (!strstr(msg, cases[i].msg))
			fail_msg("case %zu: message '%s' lacks '%s'", i, msg, cases[i].msg);
		if (cases[i].expect == NPU_OK) {
			assert_int_equal(st.on_device, 1);
			assert_int_equal(st.jobs, m.waits);
			assert_int_equal(st.cycles, 1000ull * m.waits);
			assert_true(st.descriptors >= 1);
			assert_int_equal(st.macs, npu_conv_macs(&l.s));
		}
		npu_conv_plan_destroy(p);
		npu_device_trim(d);	/* the cached input and output buffers */
		assert_int_equal(m.live, 0);
		npu_device_close(d);
	}
}

static void test_bad_arguments(void **state)
{
	struct mock m;
	struct npu_device *d = open_mock(&m);
	struct layer l;
	struct npu_conv_plan *p = NULL;
	char why[200];

	(void)state;
	make_layer(&l);
	assert_int_equal(npu_conv_plan_create(NULL, &l.s, l.w, &p, why, sizeof(why)), NPU_E_INVAL);
	assert_int_equal(npu_conv_plan_create(d, NULL, l.w, &p, why, sizeof(why)), NPU_E_INVAL);
	assert_int_equal(npu_conv_plan_create(d, &l.s, NULL, &p, why, sizeof(why)), NPU_E_INVAL);
	assert_int_equal(npu_conv_plan_create(d, &l.s, l.w, NULL, why, sizeof(why)), NPU_E_INVAL);
	l.s.groups = 3;	/* does not divide 16 */
	assert_int_equal(npu_conv_plan_create(d, &l.s, l.w, &p, why, sizeof(why)), NPU_E_INVAL);
	assert_non_null(strstr(why, "groups"));
	make_layer(&l);
	/* a grouped 17x17 kernel: beyond the device, and not an im2col candidate */
	l.s.groups = 2;
	l.s.kh = l.s.kw = 17;
	l.s.in_h = l.s.in_w = 17;
	l.s.pad_top = l.s.pad_left = l.s.pad_bottom = l.s.pad_right = 0;
	{
		const char *r;
		assert_int_equal(npu_conv_spec_finish(&l.s, &r), 0);
	}
	int8_t *w = calloc(npu_conv_w_elems(&l.s), 1);
	assert_int_equal(npu_conv_plan_create(d, &l.s, w, &p, why, sizeof(why)), NPU_E_UNSUPPORTED);
	assert_non_null(strstr(why, "kernel"));
	assert_int_equal(m.live, 0);
	assert_int_equal(npu_conv_plan_run(NULL, l.in, l.out, NULL, why, sizeof(why)), NPU_E_INVAL);
	free(w);
	npu_device_close(d);
}

/* A layer of many descriptors is cut into jobs of at most max_job_descs. */
static void test_job_splitting(void **state)
{
	struct mock m;
	struct npu_device *d = open_mock(&m);
	struct npu_conv_spec s = {.n = 1, .in_h = 64, .in_w = 64, .in_c = 512, .out_c = 512,
		.kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1, .pad_top = 1,
		.pad_left = 1, .pad_bottom = 1, .pad_right = 1, .groups = 1, .in_type = NPU_TYPE_INT8,
		.w_type = NPU_TYPE_INT8, .out_type = NPU_TYPE_INT32, .rq_mode = NPU_RQ_NONE};
	struct npu_conv_plan *p;
	struct npu_run_stats st;
	char why[200] = "", msg[200] = "";
	const char *r;

	(void)state;
	assert_int_equal(npu_conv_spec_finish(&s, &r), 0);
	int8_t *w = calloc(npu_conv_w_elems(&s), 1), *in = calloc(npu_conv_in_elems(&s), 1);
	int32_t *out = calloc(npu_conv_out_elems(&s), 4);
	assert_int_equal(npu_conv_plan_create(d, &s, w, &p, why, sizeof(why)), NPU_OK);
	assert_int_equal(npu_conv_plan_run(p, in, out, &st, msg, sizeof(msg)), NPU_OK);
	assert_true(st.descriptors > 100);
	assert_int_equal(st.jobs, (st.descriptors + 99) / 100);
	assert_int_equal(m.submits, (int)st.jobs);
	npu_conv_plan_destroy(p);
	npu_device_close(d);
	assert_int_equal(m.live, 0);
	free(w);
	free(in);
	free(out);
}

/*
 * The compulsory bytes count only the input pixels some tap reads: a 1x1
 * stride-2 conv needs a quarter of its input, a 2x2 stride-4 one half of
 * each axis; a padded 3x3 stride-1 conv all of it.
 */
static void test_compulsory(void **state)
{
	static const struct { int k, s, pad, used; } cases[] = {
		{ 1, 2, 0, 4 },	/* rows 0, 2, 4, 6 of 8 */
		{ 2, 4, 0, 4 },	/* rows 0, 1, 4, 5 */
		{ 3, 1, 1, 8 },	/* every row */
		{ 1, 3, 0, 3 },	/* rows 0, 3, 6 */
	};
	struct npu_device_opts o = { .kind = NPU_BACKEND_CPU };
	struct npu_device *d;
	char msg[200];
	size_t i;

	(void)state;
	assert_int_equal(npu_device_open(&o, &d, msg, sizeof(msg)), NPU_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct npu_conv_spec s = {.n = 2, .in_h = 8, .in_w = 8, .in_c = 16, .out_c = 32,
			.kh = cases[i].k, .kw = cases[i].k, .stride_h = cases[i].s,
			.stride_w = cases[i].s, .dil_h = 1, .dil_w = 1, .pad_top = cases[i].pad,
			.pad_left = cases[i].pad, .pad_bottom = cases[i].pad,
			.pad_right = cases[i].pad, .groups = 1, .in_type = NPU_TYPE_INT8,
			.w_type = NPU_TYPE_INT8, .out_type = NPU_TYPE_INT32, .rq_mode = NPU_RQ_NONE};
		struct npu_conv_plan *p;
		struct npu_run_stats st;
		const char *r;
		uint64_t want;

		assert_int_equal(npu_conv_spec_finish(&s, &r), 0);
		int8_t *w = calloc(npu_conv_w_elems(&s), 1), *in = calloc(npu_conv_in_elems(&s), 1);
		int32_t *out = calloc(npu_conv_out_elems(&s), 4);

		assert_int_equal(npu_conv_plan_create(d, &s, w, &p, msg, sizeof(msg)), NPU_OK);
		assert_int_equal(npu_conv_plan_run(p, in, out, &st, msg, sizeof(msg)), NPU_OK);
		want = 2ull * cases[i].used * cases[i].used * 16 + npu_conv_w_elems(&s) +
		       32ull * NPU_CHAN_PARAM_BYTES + npu_conv_out_elems(&s) * 4;
		assert_int_equal(st.compulsory_bytes, want);
		npu_conv_plan_destroy(p);
		free(w);
		free(in);
		free(out);
	}
	npu_device_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compulsory),
		cmocka_unit_test(test_allocation_failures),
		cmocka_unit_test(test_job_failures),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_job_splitting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
