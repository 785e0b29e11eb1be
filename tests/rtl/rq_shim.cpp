// SPDX-License-Identifier: MIT
// Drives the Verilated npu_requant lane for tests/rtl/test_rtl_requant.c.
#include <cstdlib>
#include <vector>

#include "Vnpu_requant.h"
#include "rtl_units.h"
#include "verilated.h"

struct rq_model {
	VerilatedContext ctx;
	Vnpu_requant *top;
};

extern "C" struct rq_model *rq_open(void)
{
	rq_model *m = new rq_model;
	m->top = new Vnpu_requant{&m->ctx};
	m->top->clk = 0;
	m->top->en = 1;
	m->top->in_valid = 0;
	m->top->eval();
	return m;
}

extern "C" void rq_close(struct rq_model *m)
{
	m->top->final();
	delete m->top;
	delete m;
}

static void clock(Vnpu_requant *t)
{
	t->clk = 1;
	t->eval();
	t->clk = 0;
	t->eval();
}

extern "C" void rq_run(struct rq_model *m, size_t n, const struct rq_in *in, int32_t *out,
		       uint32_t seed)
{
	Vnpu_requant *t = m->top;
	size_t issued = 0, got = 0;

	while (got < n) {
		// Stall now and then: a frozen pipeline must not lose or repeat values.
		seed = seed * 1103515245u + 12345u;
		bool stall = (seed >> 16) % 5 == 0;
		t->en = !stall;
		if (!stall && issued < n) {
			const rq_in &x = in[issued++];
			t->in_valid = 1;
			t->acc = (uint32_t)x.acc;
			t->bias = (uint32_t)x.bias;
			t->mode = x.mode;
			t->scale = x.scale;
			t->shift = (uint8_t)x.shift;
			t->out_zp = (uint16_t)x.out_zp;
			t->act_min = (uint16_t)x.act_min;
			t->act_max = (uint16_t)x.act_max;
		} else {
			t->in_valid = 0;
		}
		clock(t);
		if (t->en && t->out_valid)
			out[got++] = (int32_t)t->out;
		// out_valid belongs to the value just clocked out: sample only on enabled edges
	}
}
