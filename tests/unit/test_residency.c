/* SPDX-License-Identifier: MIT */
/*
 * Device memory residency (lib/src/resid.h, device.c): networks larger
 * than device memory run on the device layer by layer.
 *
 * The device here is a software one ("softdev", a mock backend): a
 * first-fit allocator over 2^mem_log2 bytes of address space (host memory
 * only for live buffers), job submission that checks every descriptor as
 * the driver does (npu_check_desc and the buffer ranges of the job), and
 * (optionally) execution of each CONV descriptor as hw/README.md defines
 * it, reading the packed weights and channel records at the descriptor's
 * addresses, so a descriptor left pointing at a moved or evicted buffer
 * gives wrong numbers, which check mode catches. Without execution, jobs
 * complete at once: planning and residency of ResNet-50 at 800x800
 * without simulating its cycles.
 *
 * When the simulator library can be loaded, the eviction test runs again
 * on the real RTL behind a memory budget (skipped otherwise, said so).
 */
#include <inttypes.h>

#include "backend.h"
#include "frontend_test.h"
#include "net_internal.h"
#include "rng.h"
#include "testing.h"

/* ---- the software device ------------------------------------------------ */

struct softdev {
	struct npu_backend base;
	struct npu_backend_ops ops;
	struct npu_caps caps;
	int compute;			/* execute CONV descriptors */
	struct npu_bo **live;		/* sorted by address */
	int nlive, cap;
	uint64_t live_bytes, peak_bytes;
	uint64_t allocs, failed_allocs, descs;
	uint64_t next_job;
	/* a budget in bytes over another backend instead (0: own allocator) */
	struct npu_backend *inner;
	uint64_t budget;
};

static struct softdev *sd(struct npu_backend *b)
{
	return (struct softdev *)b;
}

static npu_status s_caps(struct npu_backend *b, struct npu_caps *c)
{
	*c = sd(b)->caps;
	return NPU_OK;
}

static npu_status s_alloc(struct npu_backend *b, size_t size, struct npu_bo **out)
{
	struct softdev *m = sd(b);
	uint64_t at = NPU_MEM_RESERVED, end = (uint64_t)1 << m->caps.mem_log2;
	uint64_t need = (size + 63) / 64 * 64;
	struct npu_bo *bo;
	int i;

	m->allocs++;
	for (i = 0; i <= m->nlive; i++) {
		uint64_t limit = i < m->nlive ? m->live[i]->dev_addr : end;

		if (limit >= at && limit - at >= need)
			break;
		if (i < m->nlive)
			at = m->live[i]->dev_addr + (m->live[i]->size + 63) / 64 * 64;
	}
	if (i > m->nlive) {
		m->failed_allocs++;
		return NPU_E_NOMEM;
	}
	bo = calloc(1, sizeof(*bo));
	assert_non_null(bo);
	bo->map = calloc(1, size);
	assert_non_null(bo->map);
	bo->size = size;
	bo->dev_addr = at;
	if (m->nlive == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->live = realloc(m->live, (size_t)m->cap * sizeof(*m->live));
		assert_non_null(m->live);
	}
	memmove(&m->live[i + 1], &m->live[i], (size_t)(m->nlive - i) * sizeof(*m->live));
	m->live[i] = bo;
	m->nlive++;
	m->live_bytes += size;
	if (m->live_bytes > m->peak_bytes)
		m->peak_bytes = m->live_bytes;
	*out = bo;
	return NPU_OK;
}

static void s_free(struct npu_backend *b, struct npu_bo *bo)
{
	struct softdev *m = sd(b);
	int i;

	if (!bo)
		return;
	for (i = 0; i < m->nlive && m->live[i] != bo; i++)
		;
	assert_true(i < m->nlive);	/* a buffer of this device, freed once */
	memmove(&m->live[i], &m->live[i + 1], (size_t)(m->nlive - i - 1) * sizeof(*m->live));
	m->nlive--;
	m->live_bytes -= bo->size;
	free(bo->map);
	free(bo);
}

/* The host address of device address a, inside one of the job's buffers. */
static uint8_t *host(struct npu_bo *const *bos, size_t nbos, uint64_t a)
{
	for (size_t i = 0; i < nbos; i++)
		if (a >= bos[i]->dev_addr && a < bos[i]->dev_addr + bos[i]->size)
			return (uint8_t *)bos[i]->map + (a - bos[i]->dev_addr);
	fail_msg("address 0x%" PRIx64 " is in none of the job's buffers", a);
	return NULL;
}

static int32_t ld(uint8_t type, const uint8_t *p)
{
	return type == NPU_TYPE_UINT8 ? *p : (int8_t)*p;
}

/* One CONV descriptor, as hw/README.md defines it. */
static void exec_conv(const struct npu_caps *c, const struct npu_desc_conv *d,
		      struct npu_bo *const *bos, size_t nbos)
{
	const uint8_t *in = host(bos, nbos, d->in_addr), *w = host(bos, nbos, d->w_addr);
	const uint8_t *cpb = host(bos, nbos, d->cp_addr);
	uint8_t *out = host(bos, nbos, d->out_addr);
	int rows = (int)c->rows, cols = (int)c->cols, taps = d->kh * d->kw;
	int n_kc = (d->cout_pg + cols - 1) / cols, n_cc = (d->cin_pg + rows - 1) / rows;
	size_t es = d->out_type == NPU_TYPE_INT32 ? 4 : 1, blk = (size_t)rows * cols;

	for (int g = 0; g < d->groups; g++)
	for (int k = 0; k < d->cout_pg; k++) {
		struct npu_chan_param p;
		int ch = g * d->cout_pg + k;
		/* weights of channel k for tap t, input channel ci: wk[t * n_cc * blk + ci / rows * blk + ci % rows] */
		const uint8_t *wk = w + ((size_t)g * n_kc + k / cols) * taps * n_cc * blk +
				    (size_t)(k % cols) * rows;
		float m;

		memcpy(&p, cpb + (size_t)ch * NPU_CHAN_PARAM_BYTES, sizeof(p));
		memcpy(&m, &p.scale, sizeof(m));
		for (int oy = 0; oy < d->out_h; oy++)
		for (int ox = 0; ox < d->out_w; ox++) {
			uint32_t acc = 0;
			int32_t v;

			for (int r = 0; r < d->kh; r++) {
				int iy = oy * d->stride_h + r * d->dil_h - d->pad_top;

				if (iy < 0 || iy >= d->in_h)
					continue;
				for (int s = 0; s < d->kw; s++) {
					int ix = ox * d->stride_w + s * d->dil_w - d->pad_left;
					const uint8_t *px, *wb;

					if (ix < 0 || ix >= d->in_w)
						continue;
					px = in + (size_t)iy * d->in_row_stride +
					     (size_t)ix * d->in_pix_stride + (size_t)g * d->cin_pg;
					wb = wk + (size_t)(r * d->kw + s) * n_cc * blk;
					for (int ci = 0; ci < d->cin_pg; ci++)
						acc += (uint32_t)((ld(d->in_type, px + ci) - d->in_zp) *
								  (ld(d->w_type, wb + (size_t)(ci / rows) * blk +
									     ci % rows) - p.w_zp));
				}
			}
			acc += (uint32_t)p.bias;
			v = (int32_t)acc;
			if (d->rq_mode != NPU_RQ_NONE) {
				int64_t o;

				v = d->rq_mode == NPU_RQ_FIXED ? npu_mbqm(v, (int32_t)p.scale, p.shift)
							       : npu_rq_fp32_round(v, m);
				o = (int64_t)v + d->out_zp;
				v = (int32_t)(o < d->act_min ? d->act_min : o > d->act_max ? d->act_max : o);
			}
			npu_store((enum npu_dtype)d->out_type, out + (size_t)oy * d->out_row_stride +
				  (size_t)ox * d->out_pix_stride + (size_t)ch * es, 0, v);
		}
	}
}

static npu_status s_submit(struct npu_backend *b, const union npu_desc *d, size_t n,
			   struct npu_bo *const *bos, size_t nbos, uint64_t *job)
{
	struct softdev *m = sd(b);

	for (size_t i = 0; i < n; i++) {
		struct npu_range r[NPU_T_COUNT];
		uint32_t info;

		if (npu_check_desc(&m->caps, &d[i], &info) || d[i].hdr.opcode != NPU_OP_CONV)
			fail_msg("descriptor %zu refused (info 0x%x)", i, info);
		npu_conv_ranges(&m->caps, &d[i].conv, r);
		for (int t = 0; t < NPU_T_COUNT; t++) {
			size_t j;

			for (j = 0; j < nbos; j++)
				if (r[t].start >= bos[j]->dev_addr &&
				    r[t].end <= bos[j]->dev_addr + bos[j]->size)
					break;
			if (j == nbos)
				fail_msg("descriptor %zu: range %d [0x%" PRIx64 ", 0x%" PRIx64
					 ") outside the job's buffers", i, t, (uint64_t)r[t].start,
					 (uint64_t)r[t].end);
		}
		if (m->inner)
			continue;
		if (m->compute)
			exec_conv(&m->caps, &d[i].conv, bos, nbos);
	}
	m->descs += n;
	if (m->inner)
		return m->inner->ops->submit(m->inner, d, n, bos, nbos, job);
	*job = ++m->next_job;
	return NPU_OK;
}

static npu_status s_wait(struct npu_backend *b, uint64_t job, int64_t timeout_ns,
			 struct npu_job_result *res)
{
	struct softdev *m = sd(b);

	if (m->inner)
		return m->inner->ops->wait(m->inner, job, timeout_ns, res);
	memset(res, 0, sizeof(*res));
	res->cycles = 1000 + job % 7;	/* distinct, deterministic figures */
	res->counter[NPU_CNT_MAC_ACTIVE] = 900;
	res->counter[NPU_CNT_RD_BYTES] = 4096 + job;
	res->counter[NPU_CNT_WR_BYTES] = 2048;
	return NPU_OK;
}

static void s_close(struct npu_backend *b)
{
	struct softdev *m = sd(b);

	if (m->inner)
		m->inner->ops->close(m->inner);
	m->inner = NULL;	/* the test owns and frees the softdev */
}

/* The budget wrapper: the real backend's buffers, at most `budget` bytes live. */
static npu_status w_alloc(struct npu_backend *b, size_t size, struct npu_bo **out)
{
	struct softdev *m = sd(b);
	npu_status st;

	m->allocs++;
	if (m->live_bytes + size > m->budget) {
		m->failed_allocs++;
		return NPU_E_NOMEM;
	}
	st = m->inner->ops->bo_alloc(m->inner, size, out);
	if (st == NPU_OK) {
		m->nlive++;
		m->live_bytes += (*out)->size;
		if (m->live_bytes > m->peak_bytes)
			m->peak_bytes = m->live_bytes;
	}
	return st;
}

static void w_free(struct npu_backend *b, struct npu_bo *bo)
{
	struct softdev *m = sd(b);

	if (!bo)
		return;
	m->nlive--;
	m->live_bytes -= bo->size;
	m->inner->ops->bo_free(m->inner, bo);
}

static void softdev_init(struct softdev *m, unsigned mem_log2, int compute)
{
	memset(m, 0, sizeof(*m));
	m->ops = (struct npu_backend_ops){ .name = "softdev", .close = s_close, .caps = s_caps,
					   .bo_alloc = s_alloc, .bo_free = s_free,
					   .submit = s_submit, .wait = s_wait,
					   .max_job_descs = 2000 };
	m->base.ops = &m->ops;
	m->compute = compute;
	m->caps.rows = NPU_DEF_ROWS;
	m->caps.cols = NPU_DEF_COLS;
	m->caps.ibuf_bytes = NPU_DEF_IBUF_BYTES;
	m->caps.wbuf_bytes = NPU_DEF_WBUF_BYTES;
	m->caps.acc_depth = NPU_DEF_ACC_DEPTH;
	m->caps.pbuf_depth = NPU_DEF_PBUF_DEPTH;
	m->caps.max_k = NPU_DEF_MAX_K;
	m->caps.max_stride = NPU_DEF_MAX_STRIDE;
	m->caps.max_dil = NPU_DEF_MAX_DIL;
	m->caps.max_dim = NPU_DEF_MAX_DIM;
	m->caps.mem_log2 = mem_log2;
	m->caps.mem_reserved = NPU_MEM_RESERVED;
	m->caps.desc_bytes = NPU_DESC_BYTES;
}

static npu_ctx *softdev_ctx(struct softdev *m, unsigned flags)
{
	struct npu_device *dev;
	npu_ctx *ctx;

	assert_int_equal(npu_device_open_backend(&m->base, &dev), NPU_OK);
	assert_int_equal(npu_ctx_open_device(dev, flags, 0, &ctx), NPU_OK);
	return ctx;
}

/* Closes the context and checks every device buffer came back. */
static void softdev_done(struct softdev *m, npu_ctx *ctx)
{
	npu_ctx_close(ctx);
	assert_int_equal(m->nlive, 0);
	assert_int_equal(m->live_bytes, 0);
	free(m->live);
}

/* ---- helpers -------------------------------------------------------------- */

static npu_net *load_json(npu_ctx *ctx, const char *json)
{
	npu_net *net = NULL;

	if (npu_net_load_string(ctx, json, NULL, NULL, &net) != NPU_OK)
		fail_msg("%s", npu_ctx_last_error(ctx));
	return net;
}

/* Totals equal the sums of the layer reports. */
static void assert_figures_add_up(npu_net *net)
{
	struct npu_net_totals t;
	struct npu_layer_report r;
	uint64_t cycles = 0, mac = 0, rd = 0, wr = 0, comp = 0, reload = 0;
	int dev = 0, checked = 0;

	assert_int_equal(npu_net_totals(net, &t), NPU_OK);
	for (int i = 0; i < npu_net_num_layers(net); i++) {
		assert_int_equal(npu_net_layer_report(net, i, &r), NPU_OK);
		assert_true(r.ran);
		cycles += r.cycles;
		mac += r.mac_active;
		rd += r.dram_read;
		wr += r.dram_written;
		comp += r.dram_compulsory;
		reload += r.reload_bytes;
		dev += r.on_device;
		checked += r.check != NPU_CHECK_NONE;
		if (r.on_device)
			assert_true(r.cycles > 0 && r.jobs > 0 && r.descriptors >= r.jobs);
	}
	assert_int_equal(t.cycles, cycles);
	assert_int_equal(t.mac_active, mac);
	assert_int_equal(t.dram_read, rd);
	assert_int_equal(t.dram_written, wr);
	assert_int_equal(t.dram_compulsory, comp);
	assert_int_equal(t.reload_bytes, reload);
	assert_int_equal(t.device_layers, dev);
	assert_int_equal(t.checked, checked);
	assert_int_equal(t.mismatched, 0);
}

/* Every tensor of a and b holds the same bytes. */
static void assert_same_tensors(npu_net *a, npu_net *b)
{
	assert_int_equal(npu_net_num_tensors(a), npu_net_num_tensors(b));
	for (int i = 0; i < npu_net_num_tensors(a); i++) {
		size_t na, nb;
		void *x = test_read(a, i, &na), *y = test_read(b, i, &nb);

		assert_int_equal(na, nb);
		if (memcmp(x, y, na))
			fail_msg("tensor %d differs", i);
		free(x);
		free(y);
	}
}

static uint64_t mib(uint64_t n)
{
	return n << 20;
}

/* ---- tests ---------------------------------------------------------------- */

/*
 * Three 1x1 convs that each need 3/8 of device memory (96 MiB of 256 MiB:
 * input 32 MiB and output 64 MiB, or the other way round), one net, check
 * mode: every layer runs on the device. Planning all three used to keep
 * 288 MiB of buffers and fail ("out of device memory"). Quick mode: the
 * same at 1/256 (1 MiB device, 384 KiB layers).
 */
static void test_three_big_layers(void **state)
{
	int quick = test_quick(), side = quick ? 256 : 4096;
	struct softdev m;
	char json[1024];
	npu_ctx *ctx;
	npu_net *net;
	struct npu_layer_report r;

	(void)state;
	softdev_init(&m, quick ? 20 : 28, 1);
	ctx = softdev_ctx(&m, NPU_CTX_CHECK);
	snprintf(json, sizeof(json),
		 "{\"version\": 1, \"seed\": 5, \"inputs\": [{\"name\": \"x\", \"shape\": [1, %d, %d, 2]}],"
		 "\"layers\": [{\"name\": \"a\", \"op\": \"conv2d\", \"filters\": 4, \"kernel\": 1},"
		 "{\"name\": \"b\", \"op\": \"conv2d\", \"filters\": 2, \"kernel\": 1, \"act\": \"relu\"},"
		 "{\"name\": \"c\", \"op\": \"conv2d\", \"filters\": 4, \"kernel\": 1}]}", side, side);
	net = load_json(ctx, json);
	if (npu_net_run(net) != NPU_OK)
		fail_msg("%s", npu_ctx_last_error(ctx));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(npu_net_layer_report(net, i, &r), NPU_OK);
		if (!r.on_device || strcmp(r.where, "sim"))
			fail_msg("layer %s ran on %s", r.name, r.where);
		assert_int_equal(r.check, NPU_CHECK_PASS);
	}
	assert_figures_add_up(net);
	/* three layers of 3/8 each never all at once; no eviction was needed */
	assert_true(m.peak_bytes <= (uint64_t)1 << m.caps.mem_log2);
	assert_true(m.peak_bytes >= (quick ? 384u << 10 : mib(96)));
	printf("[ residency] 3 layers of %s: device peak %.1f MiB of %.0f MiB\n",
	       quick ? "384 KiB" : "96 MiB", (double)m.peak_bytes / (1 << 20),
	       (double)((uint64_t)1 << m.caps.mem_log2) / (1 << 20));
	/* and again (unchecked: the same bytes as the checked run) */
	{
		size_t n;
		void *first = test_read(net, npu_net_output_id(net, 0), &n), *again;

		ctx->checking = 0;
		assert_int_equal(npu_net_run(net), NPU_OK);
		assert_figures_add_up(net);
		again = test_read(net, npu_net_output_id(net, 0), NULL);
		assert_memory_equal(first, again, n);
		free(first);
		free(again);
	}
	npu_net_free(net);
	softdev_done(&m, ctx);
}

/*
 * A layer larger than the device (input 4 MiB, int32 output 16 MiB: 20 MiB
 * on a 16 MiB device; quick: 1.25 MiB on 1 MiB) runs on the CPU with the
 * sizes in its report; the layers around it stay on the device; check
 * mode passes.
 */
static void test_layer_larger_than_device(void **state)
{
	int quick = test_quick(), side = quick ? 256 : 1024;
	struct softdev m;
	char json[1024], want[256];
	npu_ctx *ctx;
	npu_net *net;
	struct npu_layer_report r;
	struct npu_net_totals t;

	(void)state;
	softdev_init(&m, quick ? 20 : 24, 1);
	ctx = softdev_ctx(&m, NPU_CTX_CHECK);
	snprintf(json, sizeof(json),
		 "{\"version\": 1, \"seed\": 6, \"inputs\": [{\"name\": \"x\", \"shape\": [1, %d, %d, 2]}],"
		 "\"layers\": [{\"name\": \"small\", \"op\": \"conv2d\", \"filters\": 4, \"kernel\": 1},"
		 "{\"name\": \"huge\", \"op\": \"conv2d\", \"filters\": 4, \"kernel\": 1, "
		 "\"output\": {\"type\": \"int32\"}},"
		 "{\"name\": \"after\", \"op\": \"conv2d\", \"input\": \"small\", \"filters\": 2, "
		 "\"kernel\": 1}]}", side, side);
	net = load_json(ctx, json);
	if (npu_net_run(net) != NPU_OK)
		fail_msg("%s", npu_ctx_last_error(ctx));
	assert_int_equal(npu_net_layer_report(net, 1, &r), NPU_OK);
	assert_int_equal(r.on_device, 0);
	assert_int_equal(r.check, NPU_CHECK_PASS);
	snprintf(want, sizeof(want),
		 "cpu (fallback: needs %s of device memory (input %s, output %s, weights ...",
		 quick ? "1.3 MiB" : "20.0 MiB", quick ? "256.0 KiB" : "4.0 MiB",
		 quick ? "1.0 MiB" : "16.0 MiB");
	printf("[ residency] %s: %s\n", r.name, r.where);
	if (strncmp(r.where, "cpu (fallback: needs ", 21) || !strstr(r.where, "of device memory") ||
	    !strstr(r.where, quick ? "input 256.0 KiB, output 1.0 MiB" : "input 4.0 MiB, output 16.0 MiB") ||
	    !strstr(r.where, quick ? "the 1.0 MiB device" : "the 16.0 MiB device"))
		fail_msg("where: '%s' (wanted something like '%s')", r.where, want);
	for (int i = 0; i < 3; i += 2) {
		assert_int_equal(npu_net_layer_report(net, i, &r), NPU_OK);
		assert_int_equal(r.on_device, 1);
		assert_int_equal(r.check, NPU_CHECK_PASS);
	}
	assert_int_equal(npu_net_totals(net, &t), NPU_OK);
	assert_int_equal(t.fallback_layers, 1);
	assert_figures_add_up(net);
	npu_net_free(net);
	softdev_done(&m, ctx);
}

/*
 * Four FC layers of 320 KiB of weights each on a 1 MiB device: at most
 * two are resident, so every run evicts and reloads. Two runs, check
 * mode, the same bytes as the cpu backend everywhere, reloads reported,
 * figures that add up, nothing leaked.
 */
static const char *fc_chain =
	"{\"version\": 1, \"seed\": 8, \"requant\": \"onnx\", \"inputs\": [{\"name\": \"x\", "
	"\"shape\": [2, 1, 1, 1024]}], \"layers\": ["
	"{\"name\": \"f1\", \"op\": \"fc\", \"units\": 320, \"act\": \"relu\"},"
	"{\"name\": \"f2\", \"op\": \"fc\", \"units\": 1024, \"requant\": \"tflite\"},"
	"{\"name\": \"f3\", \"op\": \"fc\", \"units\": 320, \"act\": \"relu6\"},"
	"{\"name\": \"f4\", \"op\": \"conv2d\", \"filters\": 1024, \"kernel\": 1, \"act\": \"clip\", "
	"\"clip\": [-1, 2]}]}";

static void run_evicting(struct softdev *m, npu_ctx *ctx, int expect_evictions)
{
	npu_ctx *cpu = test_ctx(0);
	npu_net *net = load_json(ctx, fc_chain), *ref = load_json(cpu, fc_chain);
	struct npu_device_mem mem;
	struct npu_layer_report r;

	assert_int_equal(npu_net_run(ref), NPU_OK);
	for (int run = 0; run < 2; run++) {
		uint64_t reloaded = 0;

		if (npu_net_run(net) != NPU_OK)
			fail_msg("run %d: %s", run, npu_ctx_last_error(ctx));
		for (int i = 0; i < 4; i++) {
			assert_int_equal(npu_net_layer_report(net, i, &r), NPU_OK);
			assert_int_equal(r.on_device, 1);
			assert_int_equal(r.check, NPU_CHECK_PASS);
			reloaded += r.reload_bytes;
		}
		assert_figures_add_up(net);
		assert_same_tensors(net, ref);
		if (expect_evictions && !reloaded)
			fail_msg("run %d: no layer had to reload its weights", run);
		printf("[ residency] run %d: %" PRIu64 " KiB of weights reloaded\n", run,
		       reloaded >> 10);
	}
	npu_device_mem(ctx->dev, &mem);
	if (expect_evictions)
		assert_true(mem.evictions >= 4);
	assert_true(mem.resident_plans <= 3);
	assert_true(m->peak_bytes <= (m->budget ? m->budget : (uint64_t)1 << m->caps.mem_log2));
	npu_net_free(net);
	npu_net_free(ref);
	npu_ctx_close(cpu);
}

static void test_eviction_reload(void **state)
{
	struct softdev m;
	npu_ctx *ctx;

	(void)state;
	softdev_init(&m, 20, 1);
	ctx = softdev_ctx(&m, NPU_CTX_CHECK);
	run_evicting(&m, ctx, 1);
	softdev_done(&m, ctx);
}

/* The same on the simulated RTL, behind a 1 MiB budget (when the simulator loads). */
static void test_eviction_reload_sim(void **state)
{
	struct softdev m;
	struct npu_backend *sim;
	char msg[256];
	npu_ctx *ctx;

	(void)state;
	if (npu_backend_sim_open(NULL, 0, 0, &sim, msg, sizeof(msg)) != NPU_OK) {
		printf("[ residency] simulator not available (%s): skipped\n", msg);
		skip();
	}
	softdev_init(&m, 20, 0);
	m.inner = sim;
	m.budget = 1u << 20;
	m.ops.bo_alloc = w_alloc;
	m.ops.bo_free = w_free;
	m.ops.max_job_descs = sim->ops->max_job_descs;
	assert_int_equal(sim->ops->caps(sim, &m.caps), NPU_OK);
	ctx = softdev_ctx(&m, NPU_CTX_CHECK);
	run_evicting(&m, ctx, 1);
	npu_ctx_close(ctx);
	assert_int_equal(m.nlive, 0);
}

/*
 * Random nets of convs and FCs on small random devices, twice each, check
 * mode: whatever gets evicted, moved or reused, the numbers are the
 * reference's and those of the cpu backend.
 */
static void test_random_nets(void **state)
{
	uint64_t seed = test_seed("residency: random nets");
	struct npu_rng rng = { seed };
	int nets = test_quick() ? 3 : 12;

	(void)state;
	for (int it = 0; it < nets; it++) {
		char json[4096];
		int len, c = (int)npu_rng_range(&rng, 1, 24), hw = (int)npu_rng_range(&rng, 4, 24);
		int layers = (int)npu_rng_range(&rng, 3, 6);
		struct softdev m;
		npu_ctx *ctx, *cpu;
		npu_net *net, *ref;

		len = snprintf(json, sizeof(json),
			       "{\"version\": 1, \"seed\": %d, \"requant\": \"%s\", \"inputs\": [{\"name\": "
			       "\"x\", \"shape\": [%d, %d, %d, %d]}], \"layers\": [",
			       (int)npu_rng_range(&rng, 1, 1000), npu_rng_range(&rng, 0, 1) ? "onnx" : "tflite",
			       (int)npu_rng_range(&rng, 1, 2), hw, hw, c);
		for (int l = 0; l < layers; l++) {
			int k = (int)npu_rng_range(&rng, 1, 48), f = (int)npu_rng_range(&rng, 1, 3) * 2 - 1;

			if (l == layers - 1 && npu_rng_range(&rng, 0, 1))
				len += snprintf(json + len, sizeof(json) - (size_t)len,
						"{\"name\": \"l%d\", \"op\": \"fc\", \"units\": %d}", l, k);
			else
				len += snprintf(json + len, sizeof(json) - (size_t)len,
						"{\"name\": \"l%d\", \"op\": \"conv2d\", \"filters\": %d, "
						"\"kernel\": %d, \"pad\": \"same\", \"act\": \"relu\"}%s", l, k, f,
						l == layers - 1 ? "" : ",");
		}
		snprintf(json + len, sizeof(json) - (size_t)len, "]}");
		/* 64 KiB .. 1 MiB devices: the reserved 64 KiB leave little room */
		softdev_init(&m, (unsigned)npu_rng_range(&rng, 17, 20), 1);
		ctx = softdev_ctx(&m, NPU_CTX_CHECK);
		cpu = test_ctx(0);
		net = load_json(ctx, json);
		ref = load_json(cpu, json);
		assert_int_equal(npu_net_run(ref), NPU_OK);
		for (int run = 0; run < 2; run++) {
			if (npu_net_run(net) != NPU_OK)
				fail_msg("net %d run %d (%s): %s", it, run, json, npu_ctx_last_error(ctx));
			assert_same_tensors(net, ref);
			assert_figures_add_up(net);
		}
		npu_net_free(net);
		npu_net_free(ref);
		npu_ctx_close(cpu);
		softdev_done(&m, ctx);
	}
}

/*
 * ResNet-50 at 800x800 on a 256 MiB device: planning used to fail ("out of
 * device memory") before any layer ran. Now every conv and FC layer is
 * planned on the device; then (not in quick mode) the whole net runs with
 * jobs that complete at once. The same planning on the real simulator
 * backend when it loads (planning simulates nothing).
 */
static void check_all_planned(npu_net *net)
{
	int convs = 0;

	for (int i = 0; i < net->nlayers; i++) {
		struct npu_layer *l = &net->layers[i];

		if (l->op != NPU_LAYER_CONV2D && l->op != NPU_LAYER_FC)
			continue;
		convs++;
		if (!l->u.conv.plan)
			fail_msg("layer %s not planned on the device: %s", l->name,
				 l->u.conv.fallback ? l->u.conv.fallback : "?");
	}
	assert_int_equal(convs, 54);	/* 53 convs and the FC */
}

static void test_resnet50_800(void **state)
{
	struct npu_load_opts o = { .input_h = 800, .input_w = 800 };
	struct softdev m;
	struct npu_backend *sim;
	struct npu_device *dev;
	struct npu_device_mem mem;
	char msg[256];
	npu_ctx *ctx;
	npu_net *net;

	(void)state;
	softdev_init(&m, 28, 0);
	ctx = softdev_ctx(&m, 0);
	assert_int_equal(npu_net_load(ctx, EXAMPLE("resnet50.json"), &o, &net), NPU_OK);
	if (npu_net_prepare(net) != NPU_OK)
		fail_msg("%s", npu_ctx_last_error(ctx));
	check_all_planned(net);
	npu_device_mem(ctx->dev, &mem);
	printf("[ residency] ResNet-50 800x800 planned: %d plans resident (%.1f MiB), %" PRIu64
	       " evictions, device peak %.1f MiB\n", mem.resident_plans,
	       (double)mem.resident_bytes / (1 << 20), mem.evictions,
	       (double)m.peak_bytes / (1 << 20));
	if (!test_quick()) {
		struct npu_net_totals t;

		if (npu_net_run(net) != NPU_OK)
			fail_msg("%s", npu_ctx_last_error(ctx));
		assert_int_equal(npu_net_totals(net, &t), NPU_OK);
		assert_int_equal(t.device_layers, 54);
		assert_int_equal(t.fallback_layers, 0);
		assert_figures_add_up(net);
	}
	npu_net_free(net);
	softdev_done(&m, ctx);

	if (npu_backend_sim_open(NULL, 0, 0, &sim, msg, sizeof(msg)) != NPU_OK) {
		printf("[ residency] simulator not available (%s): its planning skipped\n", msg);
		return;
	}
	assert_int_equal(npu_device_open_backend(sim, &dev), NPU_OK);
	assert_int_equal(npu_ctx_open_device(dev, 0, 0, &ctx), NPU_OK);
	assert_int_equal(npu_net_load(ctx, EXAMPLE("resnet50.json"), &o, &net), NPU_OK);
	if (npu_net_prepare(net) != NPU_OK)
		fail_msg("sim: %s", npu_ctx_last_error(ctx));
	check_all_planned(net);
	npu_net_free(net);
	npu_ctx_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_big_layers),
		cmocka_unit_test(test_layer_larger_than_device),
		cmocka_unit_test(test_eviction_reload),
		cmocka_unit_test(test_eviction_reload_sim),
		cmocka_unit_test(test_random_nets),
		cmocka_unit_test(test_resnet50_800),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
