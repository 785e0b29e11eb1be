// SPDX-License-Identifier: MIT
// Drives the Verilated npu_dma_rd (TAGW 24, 32 outstanding) for test_rtl_dma.c.
#include <cstring>

#include "Vnpu_dma_rd.h"
#include "rtl_units.h"
#include "verilated.h"

struct dma_model {
	VerilatedContext ctx;
	Vnpu_dma_rd *top;
};

extern "C" struct dma_model *dma_open(void)
{
	dma_model *m = new dma_model;
	m->top = new Vnpu_dma_rd{&m->ctx};
	Vnpu_dma_rd *t = m->top;
	t->clk = 0;
	t->rst_n = 0;
	t->c_valid = 0;
	t->rd_valid = 0;
	t->rd_req_ready = 0;
	t->eval();
	for (int i = 0; i < 3; i++) {
		t->clk = 1;
		t->eval();
		t->clk = 0;
		t->eval();
	}
	t->rst_n = 1;
	t->eval();
	return m;
}

extern "C" void dma_close(struct dma_model *m)
{
	m->top->final();
	delete m->top;
	delete m;
}

extern "C" void dma_cycle(struct dma_model *m, struct dma_io *io)
{
	Vnpu_dma_rd *t = m->top;

	t->c_valid = io->c_valid[0] | io->c_valid[1] << 1;
	t->c_addr = (uint64_t)io->c_addr[1] << 32 | io->c_addr[0];
	t->c_len = (uint32_t)io->c_len[1] << 13 | io->c_len[0];
	t->c_kind = (uint32_t)io->c_kind[1] << 3 | io->c_kind[0];
	t->c_idx = (uint32_t)io->c_idx[1] << 16 | io->c_idx[0];
	t->c_tag = (uint64_t)io->c_tag[1] << 24 | io->c_tag[0];
	t->rd_req_ready = io->rd_req_ready;
	t->rd_valid = io->rd_valid;
	memcpy(&t->rd_data[0], io->rd_data, 64);
	t->drop = io->drop;
	t->hold = io->hold;
	t->mem_log2 = io->mem_log2;
	t->eval();
	io->c_ready[0] = t->c_ready & 1;
	io->c_ready[1] = t->c_ready >> 1 & 1;
	io->rd_req_valid = t->rd_req_valid;
	io->rd_req_addr = t->rd_req_addr;
	io->rd_req_len = t->rd_req_len;
	io->rd_req_kind = t->rd_req_kind;
	io->rd_req_idx = t->rd_req_idx;
	io->beat_valid = t->beat_valid;
	io->beat_client = t->beat_client;
	io->beat_tag = t->beat_tag;
	io->beat_len = t->beat_len;
	io->beat_num = t->beat_num;
	memcpy(io->beat_data, &t->beat_data[0], 64);
	io->empty = t->empty;
	t->clk = 1;
	t->eval();
	io->fault = t->fault;
	io->fault_idx = t->fault_idx;
	t->clk = 0;
	t->eval();
}
