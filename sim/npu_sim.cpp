// SPDX-License-Identifier: MIT
//
// The Verilator harness behind sim/npu_sim.h: clocks the RTL (npu_top) and
// plays device memory with a simple DRAM model. C++ only because Verilator's
// model is a C++ class; everything else speaks the C API.
//
// DRAM model: a shared budget of bytes per cycle for reads and writes
// (credits accrue every cycle, capped so an idle period cannot bank a
// burst), reads return their first beat `latency` cycles after the request
// and keep their order, writes land in memory when accepted.
#include "npu_sim.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "Vnpu_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"

extern "C" {
#include "npu_hw.h"
}

namespace {

constexpr unsigned kBeat = NPU_DEF_DMA_BEAT;
constexpr unsigned kReadQueue = 64;	// outstanding bursts the memory accepts

struct ReadReq {
	uint64_t addr;
	uint32_t len;
	uint32_t sent;
	uint64_t ready_at;
	bool bad;
};

}  // namespace

struct npu_sim {
	VerilatedContext *ctx;
	Vnpu_top *top;
	VerilatedFstC *fst;
	uint8_t *mem;
	uint64_t mem_size;
	bool own_mem;
	unsigned bw;
	unsigned latency;
	uint64_t cycle;
	uint64_t faults;
	int64_t credits;
	bool read_first;
	ReadReq rq[kReadQueue];
	unsigned rq_head, rq_count;
	npu_sim_access_fn hook;
	void *hook_ctx;
};

static bool in_mem(const npu_sim *s, uint64_t addr, uint64_t len)
{
	return addr <= s->mem_size && len <= s->mem_size - addr;
}

static void fault(npu_sim *s, const char *what, uint64_t addr, uint64_t len)
{
	s->faults++;
	fprintf(stderr, "npu_sim: device %s outside device memory: addr 0x%" PRIx64
		" len %" PRIu64 " (memory is 0x%" PRIx64 " bytes) at cycle %" PRIu64 "\n",
		what, addr, len, s->mem_size, s->cycle);
}

static void dump(npu_sim *s, uint64_t t)
{
	if (s->fst)
		s->fst->dump(t);
}

// One clock cycle: present memory responses, take the rising edge, then
// account for what was exchanged on it.
static void tick(npu_sim *s)
{
	Vnpu_top *t = s->top;
	int64_t cap = (int64_t)kBeat + s->bw;

	s->credits += s->bw;
	if (s->credits > cap)
		s->credits = cap;

	t->rd_req_ready = s->rq_count < kReadQueue;

	// Reads and writes share the bandwidth; alternate who goes first.
	bool beat = false;
	uint32_t beat_bytes = 0;
	ReadReq *front = s->rq_count ? &s->rq[s->rq_head] : nullptr;
	bool want_rd = front && front->ready_at <= s->cycle;
	bool want_wr = t->wr_valid;
	uint32_t wr_len = t->wr_len;
	if (want_rd) {
		beat_bytes = front->len - front->sent;
		if (beat_bytes > kBeat)
			beat_bytes = kBeat;
	}
	bool rd_ok = want_rd && s->credits >= (int64_t)beat_bytes;
	bool wr_ok = want_wr && s->credits >= (int64_t)wr_len;
	if (rd_ok && wr_ok && s->credits < (int64_t)(beat_bytes + wr_len)) {
		if (s->read_first)
			wr_ok = false;
		else
			rd_ok = false;
	}
	s->read_first = !s->read_first;

	if (rd_ok) {
		uint8_t bytes[kBeat] = {0};
		if (!front->bad)
			memcpy(bytes, s->mem + front->addr + front->sent, beat_bytes);
		memcpy(&t->rd_data[0], bytes, kBeat);
		t->rd_valid = 1;
		beat = true;
	} else {
		t->rd_valid = 0;
	}
	t->wr_ready = wr_ok;

	bool req_fire = t->rd_req_valid && t->rd_req_ready;
	uint64_t req_addr = t->rd_req_addr;
	uint32_t req_len = t->rd_req_len;
	uint8_t req_kind = t->rd_req_kind;
	uint16_t req_idx = t->rd_req_idx;
	bool wr_fire = want_wr && wr_ok;
	uint64_t wr_addr = t->wr_addr;
	uint8_t wr_kind = t->wr_kind;
	uint16_t wr_idx = t->wr_idx;
	uint8_t wr_bytes[kBeat];
	if (wr_fire)
		memcpy(wr_bytes, &t->wr_data[0], kBeat);

	t->clk = 1;
	t->eval();
	dump(s, 2 * s->cycle + 1);

	if (req_fire) {
		struct npu_sim_access a = {req_addr, req_len, 0, req_kind, req_idx};
		if (s->hook)
			s->hook(s->hook_ctx, &a);
		ReadReq *r = &s->rq[(s->rq_head + s->rq_count) % kReadQueue];
		r->addr = req_addr;
		r->len = req_len;
		r->sent = 0;
		r->ready_at = s->cycle + s->latency;
		r->bad = !in_mem(s, req_addr, req_len) || req_len == 0;
		if (r->bad)
			fault(s, "read", req_addr, req_len);
		s->rq_count++;
	}
	if (beat) {
		s->credits -= beat_bytes;
		front->sent += beat_bytes;
		if (front->sent >= front->len) {
			s->rq_head = (s->rq_head + 1) % kReadQueue;
			s->rq_count--;
		}
	}
	if (wr_fire) {
		struct npu_sim_access a = {wr_addr, wr_len, 1, wr_kind, wr_idx};
		if (s->hook)
			s->hook(s->hook_ctx, &a);
		s->credits -= wr_len;
		if (in_mem(s, wr_addr, wr_len) && wr_len)
			memcpy(s->mem + wr_addr, wr_bytes, wr_len);
		else
			fault(s, "write", wr_addr, wr_len);
	}

	t->dbg_inject_err = 0;
	t->reg_wr = 0;
	t->clk = 0;
	t->eval();
	s->cycle++;
	dump(s, 2 * s->cycle);
}

extern "C" int npu_sim_create(const struct npu_sim_config *cfg, struct npu_sim **out)
{
	struct npu_sim_config c = {};
	unsigned log2 = 0;

	if (!out)
		return -EINVAL;
	*out = nullptr;
	if (cfg)
		c = *cfg;
	if (!c.mem_size)
		c.mem_size = 1ull << NPU_MEM_LOG2_DEFAULT;
	if (!c.dram_bytes_per_cycle)
		c.dram_bytes_per_cycle = NPU_SIM_DEFAULT_DRAM_BYTES_PER_CYCLE;
	if (!c.dram_latency)
		c.dram_latency = NPU_SIM_DEFAULT_DRAM_LATENCY;
	while ((1ull << log2) < c.mem_size)
		log2++;
	if ((1ull << log2) != c.mem_size || log2 < NPU_MEM_LOG2_MIN || log2 > NPU_MEM_LOG2_MAX)
		return -EINVAL;
	if (c.dram_bytes_per_cycle > kBeat || c.dram_latency > 1000000)
		return -EINVAL;

	npu_sim *s = new (std::nothrow) npu_sim();
	if (!s)
		return -ENOMEM;
	s->mem_size = c.mem_size;
	s->bw = c.dram_bytes_per_cycle;
	s->latency = c.dram_latency;
	if (c.mem) {
		s->mem = static_cast<uint8_t *>(c.mem);
	} else {
		s->mem = static_cast<uint8_t *>(calloc(1, c.mem_size));
		s->own_mem = true;
		if (!s->mem) {
			delete s;
			return -ENOMEM;
		}
	}
	s->ctx = new VerilatedContext;
	s->ctx->traceEverOn(c.trace_path != nullptr);
	s->top = new Vnpu_top{s->ctx, "npu"};
	if (c.trace_path) {
		s->fst = new VerilatedFstC;
		s->top->trace(s->fst, 99);
		s->fst->open(c.trace_path);
	}
	Vnpu_top *t = s->top;
	t->mem_log2 = log2;
	t->clk = 0;
	t->rst_n = 0;
	t->reg_wr = 0;
	t->rd_req_ready = 0;
	t->rd_valid = 0;
	t->wr_ready = 0;
	t->dbg_inject_err = 0;
	t->eval();
	for (int i = 0; i < 4; i++)
		tick(s);
	t->rst_n = 1;
	t->eval();
	s->cycle = 0;
	*out = s;
	return 0;
}

extern "C" void npu_sim_destroy(struct npu_sim *s)
{
	if (!s)
		return;
	if (s->fst) {
		s->fst->close();
		delete s->fst;
	}
	s->top->final();
	delete s->top;
	delete s->ctx;
	if (s->own_mem)
		free(s->mem);
	delete s;
}

extern "C" void *npu_sim_mem(struct npu_sim *s)
{
	return s->mem;
}

extern "C" uint64_t npu_sim_mem_size(const struct npu_sim *s)
{
	return s->mem_size;
}

extern "C" int npu_sim_mem_write(struct npu_sim *s, uint64_t addr, const void *src, size_t len)
{
	if (!in_mem(s, addr, len) || (len && !src))
		return -EINVAL;
	memcpy(s->mem + addr, src, len);
	return 0;
}

extern "C" int npu_sim_mem_read(struct npu_sim *s, uint64_t addr, void *dst, size_t len)
{
	if (!in_mem(s, addr, len) || (len && !dst))
		return -EINVAL;
	memcpy(dst, s->mem + addr, len);
	return 0;
}

extern "C" uint32_t npu_sim_reg_read(struct npu_sim *s, uint32_t off)
{
	if (off >= NPU_REG_WINDOW)
		return 0;
	s->top->reg_addr = off;
	s->top->eval();
	return s->top->reg_rdata;
}

extern "C" void npu_sim_reg_write(struct npu_sim *s, uint32_t off, uint32_t val)
{
	if (off >= NPU_REG_WINDOW)
		return;
	s->top->reg_wr = 1;
	s->top->reg_addr = off;
	s->top->reg_wdata = val;
	tick(s);
}

extern "C" enum npu_sim_stop npu_sim_run(struct npu_sim *s, uint64_t max_cycles, uint64_t *ran)
{
	uint64_t n = 0;
	enum npu_sim_stop why = NPU_SIM_STOP_LIMIT;

	for (;;) {
		if (s->top->irq) {
			why = NPU_SIM_STOP_IRQ;
			break;
		}
		if (s->top->idle && s->rq_count == 0) {
			why = NPU_SIM_STOP_IDLE;
			break;
		}
		if (n >= max_cycles)
			break;
		tick(s);
		n++;
	}
	if (ran)
		*ran = n;
	return why;
}

extern "C" void npu_sim_step(struct npu_sim *s, uint64_t n)
{
	while (n--)
		tick(s);
}

extern "C" int npu_sim_irq(struct npu_sim *s)
{
	return s->top->irq;
}

extern "C" uint64_t npu_sim_cycles(const struct npu_sim *s)
{
	return s->cycle;
}

extern "C" uint64_t npu_sim_faults(const struct npu_sim *s)
{
	return s->faults;
}

extern "C" uint64_t npu_sim_counter(struct npu_sim *s, unsigned idx)
{
	if (idx >= NPU_NUM_COUNTERS)
		return 0;
	uint64_t lo = npu_sim_reg_read(s, NPU_REG_COUNTER_LO(idx));
	uint64_t hi = npu_sim_reg_read(s, NPU_REG_COUNTER_HI(idx));
	return hi << 32 | lo;
}

extern "C" void npu_sim_set_access_hook(struct npu_sim *s, npu_sim_access_fn fn, void *ctx)
{
	s->hook = fn;
	s->hook_ctx = ctx;
}

extern "C" void npu_sim_inject_error(struct npu_sim *s)
{
	s->top->dbg_inject_err = 1;
	tick(s);
}
