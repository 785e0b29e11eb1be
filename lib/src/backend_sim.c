/* SPDX-License-Identifier: MIT */
/*
 * The in-process simulator backend. libnpusim.so (sim/, Verilator) is
 * loaded at run time, so libnpu builds and runs without Verilator on the
 * cpu and drm backends. This backend plays the driver's part: it places
 * buffers in device memory, owns the ring, checks every descriptor against
 * the job's buffers as the kernel driver does, and runs the device until
 * the job's fence.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "npu_sim.h"
#include "sim_path.h"

#define RING_ENTRIES 4096u
#define ALIGN 64u

struct sim_api {
	int (*create)(const struct npu_sim_config *, struct npu_sim **);
	void (*destroy)(struct npu_sim *);
	void *(*mem)(struct npu_sim *);
	uint64_t (*mem_size)(const struct npu_sim *);
	uint32_t (*reg_read)(struct npu_sim *, uint32_t);
	void (*reg_write)(struct npu_sim *, uint32_t, uint32_t);
	enum npu_sim_stop (*run)(struct npu_sim *, uint64_t, uint64_t *);
	uint64_t (*cycles)(const struct npu_sim *);
	uint64_t (*faults)(const struct npu_sim *);
	uint64_t (*counter)(struct npu_sim *, unsigned);
};

struct range {
	uint64_t start, size;
};

struct pending {
	uint32_t seqno;
	uint32_t first, count;		/* ring entries of the job, fence included */
	uint64_t start_cycle;
	uint64_t counters0[NPU_NUM_COUNTERS];
	struct npu_job_result res;
	int done;
};

struct sim_backend {
	struct npu_backend base;
	void *dl;
	struct sim_api api;
	struct npu_sim *sim;
	uint8_t *mem;
	struct npu_caps caps;
	uint64_t ring, heap_start, heap_end;
	struct range *used;		/* sorted by start */
	size_t n_used, cap_used;
	uint32_t tail, seqno;
	struct pending *jobs;		/* submitted, not yet waited for */
	size_t n_jobs, cap_jobs;
};

static struct sim_backend *sb(struct npu_backend *b)
{
	return (struct sim_backend *)b;
}

static uint32_t reg_rd(void *ctx, uint32_t off)
{
	struct sim_backend *s = ctx;

	return s->api.reg_read(s->sim, off);
}

/* ---- device memory: first fit over the heap ---- */
static int heap_alloc(struct sim_backend *s, uint64_t size, uint64_t *addr)
{
	uint64_t at = s->heap_start;
	size_t i;

	size = (size + ALIGN - 1) / ALIGN * ALIGN;
	for (i = 0; i <= s->n_used; i++) {
		uint64_t limit = i < s->n_used ? s->used[i].start : s->heap_end;

		if (limit >= at && limit - at >= size)
			break;
		if (i < s->n_used)
			at = s->used[i].start + s->used[i].size;
	}
	if (i > s->n_used)
		return -1;
	if (s->n_used == s->cap_used) {
		size_t nc = s->cap_used ? 2 * s->cap_used : 64;
		struct range *r = realloc(s->used, nc * sizeof(*r));
		if (!r)
			return -1;
		s->used = r;
		s->cap_used = nc;
	}
	memmove(&s->used[i + 1], &s->used[i], (s->n_used - i) * sizeof(*s->used));
	s->used[i] = (struct range){at, size};
	s->n_used++;
	*addr = at;
	return 0;
}

static void heap_free(struct sim_backend *s, uint64_t addr)
{
	for (size_t i = 0; i < s->n_used; i++)
		if (s->used[i].start == addr) {
			memmove(&s->used[i], &s->used[i + 1], (s->n_used - i - 1) * sizeof(*s->used));
			s->n_used--;
			return;
		}
}

static npu_status sim_bo_alloc(struct npu_backend *b, size_t size, struct npu_bo **out)
{
	struct sim_backend *s = sb(b);
	struct npu_bo *bo;
	uint64_t addr;

	if (!size || !out)
		return NPU_E_INVAL;
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return NPU_E_NOMEM;
	if (heap_alloc(s, size, &addr)) {
		free(bo);
		return NPU_E_NOMEM;
	}
	bo->dev_addr = addr;
	bo->size = size;
	bo->map = s->mem + addr;
	memset(bo->map, 0, size);
	*out = bo;
	return NPU_OK;
}

static void sim_bo_free(struct npu_backend *b, struct npu_bo *bo)
{
	if (!bo)
		return;
	heap_free(sb(b), bo->dev_addr);
	free(bo);
}

static npu_status sim_caps(struct npu_backend *b, struct npu_caps *c)
{
	*c = sb(b)->caps;
	return NPU_OK;
}

/* ---- jobs ---- */
static int in_bos(uint64_t start, uint64_t end, struct npu_bo *const *bos, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (start >= bos[i]->dev_addr && end <= bos[i]->dev_addr + bos[i]->size)
			return 1;
	return 0;
}

/* What the kernel driver checks too: valid, and inside the job's buffers. */
static npu_status check_job(struct sim_backend *s, const union npu_desc *d, size_t n,
			    struct npu_bo *const *bos, size_t nbos)
{
	for (size_t i = 0; i < n; i++) {
		struct npu_range r[NPU_T_COUNT];
		uint32_t info;

		if (npu_check_desc(&s->caps, &d[i], &info))
			return NPU_E_INVAL;
		if (d[i].hdr.opcode == NPU_OP_FENCE)
			return NPU_E_INVAL;	/* fences are the backend's */
		if (d[i].hdr.opcode != NPU_OP_CONV)
			continue;
		npu_conv_ranges(&s->caps, &d[i].conv, r);
		for (int t = 0; t < NPU_T_COUNT; t++)
			if (!in_bos(r[t].start, r[t].end, bos, nbos))
				return NPU_E_INVAL;
	}
	return NPU_OK;
}

static uint32_t ring_used(struct sim_backend *s)
{
	uint32_t head = s->api.reg_read(s->sim, NPU_REG_RING_HEAD);

	return (s->tail + RING_ENTRIES - head) % RING_ENTRIES;
}

static void read_counters(struct sim_backend *s, uint64_t *c)
{
	for (unsigned i = 0; i < NPU_NUM_COUNTERS; i++)
		c[i] = s->api.counter(s->sim, i);
}

static struct pending *job_of_index(struct sim_backend *s, uint32_t idx)
{
	for (size_t i = 0; i < s->n_jobs; i++) {
		struct pending *p = &s->jobs[i];
		uint32_t off = (idx + RING_ENTRIES - p->first) % RING_ENTRIES;

		if (off < p->count)
			return p;
	}
	return NULL;
}

/*
 * Runs the device until its interrupt and handles it (0), or for `budget`
 * cycles without one (1), or until it went idle without one (-1: a job that
 * cannot complete, never expected).
 */
static int service(struct sim_backend *s, uint64_t budget)
{
	uint64_t ran;
	enum npu_sim_stop why = s->api.run(s->sim, budget, &ran);
	uint32_t irq;

	if (why == NPU_SIM_STOP_LIMIT)
		return 1;
	if (why != NPU_SIM_STOP_IRQ)
		return -1;
	irq = s->api.reg_read(s->sim, NPU_REG_IRQ_STATUS);
	if (irq & NPU_IRQ_ERROR) {
		uint32_t idx = s->api.reg_read(s->sim, NPU_REG_ERR_INDEX);
		struct pending *p = job_of_index(s, idx);

		if (p && !p->res.err_code) {
			p->res.err_code = s->api.reg_read(s->sim, NPU_REG_ERR_CODE);
			p->res.err_info = s->api.reg_read(s->sim, NPU_REG_ERR_INFO);
			p->res.err_tag = s->api.reg_read(s->sim, NPU_REG_ERR_TAG);
			p->res.err_index = (idx + RING_ENTRIES - p->first) % RING_ENTRIES;
		}
		s->api.reg_write(s->sim, NPU_REG_IRQ_ACK, NPU_IRQ_ERROR);
	}
	if (irq & NPU_IRQ_FENCE) {
		uint32_t seq = s->api.reg_read(s->sim, NPU_REG_FENCE_SEQNO);
		uint64_t now = s->api.cycles(s->sim);
		uint64_t c[NPU_NUM_COUNTERS];

		s->api.reg_write(s->sim, NPU_REG_IRQ_ACK, NPU_IRQ_FENCE);
		read_counters(s, c);
		for (size_t i = 0; i < s->n_jobs; i++) {
			struct pending *p = &s->jobs[i];

			if (!p->done && (int32_t)(seq - p->seqno) >= 0) {
				p->done = 1;
				p->res.cycles = now - p->start_cycle;
				for (unsigned k = 0; k < NPU_NUM_COUNTERS; k++)
					p->res.counter[k] = c[k] - p->counters0[k];
			}
		}
	}
	return 0;
}

static double wall(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static npu_status sim_submit(struct npu_backend *b, const union npu_desc *d, size_t n,
			     struct npu_bo *const *bos, size_t nbos, uint64_t *job)
{
	struct sim_backend *s = sb(b);
	struct pending *p;
	union npu_desc f;
	npu_status st;

	if (!job || (n && !d) || n + 1 > RING_ENTRIES / 2)
		return NPU_E_INVAL;
	st = check_job(s, d, n, bos, nbos);
	if (st)
		return st;
	/* room in the ring: older jobs complete first */
	while (ring_used(s) + n + 1 >= RING_ENTRIES)
		if (service(s, 1ull << 32))
			return NPU_E_TIMEOUT;	/* the device stopped making progress */
	if (s->n_jobs == s->cap_jobs) {
		size_t nc = s->cap_jobs ? 2 * s->cap_jobs : 8;
		struct pending *pj = realloc(s->jobs, nc * sizeof(*pj));
		if (!pj)
			return NPU_E_NOMEM;
		s->jobs = pj;
		s->cap_jobs = nc;
	}
	p = &s->jobs[s->n_jobs++];
	memset(p, 0, sizeof(*p));
	p->first = s->tail;
	p->count = (uint32_t)n + 1;
	p->seqno = ++s->seqno;
	for (size_t i = 0; i < n; i++) {
		memcpy(s->mem + s->ring + (uint64_t)s->tail * NPU_DESC_BYTES, &d[i], NPU_DESC_BYTES);
		s->tail = (s->tail + 1) % RING_ENTRIES;
	}
	memset(&f, 0, sizeof(f));
	f.fence.opcode = NPU_OP_FENCE;
	f.fence.version = NPU_DESC_VERSION;
	f.fence.flags = NPU_FENCE_IRQ;
	f.fence.seqno = p->seqno;
	memcpy(s->mem + s->ring + (uint64_t)s->tail * NPU_DESC_BYTES, &f, NPU_DESC_BYTES);
	s->tail = (s->tail + 1) % RING_ENTRIES;
	read_counters(s, p->counters0);
	p->start_cycle = s->api.cycles(s->sim);
	s->api.reg_write(s->sim, NPU_REG_RING_TAIL, s->tail);
	*job = p->seqno;
	return NPU_OK;
}

static npu_status sim_wait(struct npu_backend *b, uint64_t job, int64_t timeout_ns,
			   struct npu_job_result *res)
{
	struct sim_backend *s = sb(b);
	double deadline = timeout_ns < 0 ? 0 : wall() + (double)timeout_ns * 1e-9;
	struct pending *p = NULL;
	size_t i;

	for (i = 0; i < s->n_jobs; i++)
		if (s->jobs[i].seqno == (uint32_t)job)
			p = &s->jobs[i];
	if (!p)
		return NPU_E_INVAL;
	while (!p->done) {
		/* run in slices so the wall-clock timeout is honoured */
		int r = service(s, 4u << 20);

		if (r < 0)
			return NPU_E_DEVICE;	/* idle, yet the job's fence never came */
		if (!p->done && timeout_ns >= 0 && wall() > deadline)
			return NPU_E_TIMEOUT;
	}
	if (res)
		*res = p->res;
	if (s->api.faults(s->sim)) {
		/* the simulator saw an access outside device memory: never expected */
		if (res && !res->err_code)
			res->err_code = NPU_ERR_DMA;
	}
	i = (size_t)(p - s->jobs);
	memmove(&s->jobs[i], &s->jobs[i + 1], (s->n_jobs - i - 1) * sizeof(*s->jobs));
	s->n_jobs--;
	return NPU_OK;
}

static void sim_close(struct npu_backend *b)
{
	struct sim_backend *s = sb(b);

	if (!s)
		return;
	if (s->sim)
		s->api.destroy(s->sim);
	if (s->dl)
		dlclose(s->dl);
	free(s->used);
	free(s->jobs);
	free(s);
}

static const struct npu_backend_ops sim_ops = {
	.name = "sim",
	.close = sim_close,
	.caps = sim_caps,
	.bo_alloc = sim_bo_alloc,
	.bo_free = sim_bo_free,
	.submit = sim_submit,
	.wait = sim_wait,
	.max_job_descs = RING_ENTRIES / 2 - 1,
	.max_job_cycles = 0,
};

npu_status npu_backend_sim_open(const char *trace_path, unsigned dram_bw, unsigned dram_latency,
				struct npu_backend **out, char *msg, size_t msglen)
{
	char found[PATH_MAX];
	const char *path = npu_sim_lib_path(found, sizeof(found));
	struct sim_backend *s;
	struct npu_sim_config cfg = {0};

	s = calloc(1, sizeof(*s));
	if (!s)
		return NPU_E_NOMEM;
	s->base.ops = &sim_ops;
	s->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!s->dl) {
		snprintf(msg, msglen, "cannot load the simulator %s: %s", path, dlerror());
		free(s);
		return NPU_E_NODEV;
	}
#define SYM(field, name) do { \
	*(void **)&s->api.field = dlsym(s->dl, name); \
	if (!s->api.field) { \
		snprintf(msg, msglen, "%s lacks %s", path, name); \
		sim_close(&s->base); \
		return NPU_E_NODEV; \
	} \
} while (0)
	SYM(create, "npu_sim_create");
	SYM(destroy, "npu_sim_destroy");
	SYM(mem, "npu_sim_mem");
	SYM(mem_size, "npu_sim_mem_size");
	SYM(reg_read, "npu_sim_reg_read");
	SYM(reg_write, "npu_sim_reg_write");
	SYM(run, "npu_sim_run");
	SYM(cycles, "npu_sim_cycles");
	SYM(faults, "npu_sim_faults");
	SYM(counter, "npu_sim_counter");
#undef SYM
	cfg.dram_bytes_per_cycle = dram_bw;
	cfg.dram_latency = dram_latency;
	cfg.trace_path = trace_path;
	if (s->api.create(&cfg, &s->sim)) {
		snprintf(msg, msglen, "the simulator refused its configuration (DRAM %u B/cycle, "
			 "latency %u)", dram_bw, dram_latency);
		sim_close(&s->base);
		return NPU_E_INVAL;
	}
	if (npu_caps_decode(&s->caps, reg_rd, s)) {
		snprintf(msg, msglen, "the simulated device does not identify as an NPU");
		sim_close(&s->base);
		return NPU_E_NODEV;
	}
	s->mem = s->api.mem(s->sim);
	s->ring = NPU_MEM_RESERVED;
	s->heap_start = s->ring + (uint64_t)RING_ENTRIES * NPU_DESC_BYTES;
	s->heap_end = s->api.mem_size(s->sim);
	s->api.reg_write(s->sim, NPU_REG_RING_BASE, (uint32_t)s->ring);
	s->api.reg_write(s->sim, NPU_REG_RING_SIZE, RING_ENTRIES);
	s->api.reg_write(s->sim, NPU_REG_IRQ_MASK, NPU_IRQ_ALL);
	s->api.reg_write(s->sim, NPU_REG_CTRL, NPU_CTRL_ENABLE);
	if (!(s->api.reg_read(s->sim, NPU_REG_STATUS) & NPU_STATUS_ENABLED)) {
		snprintf(msg, msglen, "the simulated device did not accept its ring");
		sim_close(&s->base);
		return NPU_E_DEVICE;
	}
	snprintf(msg, msglen, "sim (%s, %ux%u MACs)", path, s->caps.rows, s->caps.cols);
	*out = &s->base;
	return NPU_OK;
}
