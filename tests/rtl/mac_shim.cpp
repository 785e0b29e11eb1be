// SPDX-License-Identifier: MIT
// Drives the Verilated 16x16 npu_mac_array for tests/rtl/test_rtl_mac.c.
#include <cstring>

#include "Vnpu_mac_array.h"
#include "rtl_units.h"
#include "verilated.h"

struct mac_model {
	VerilatedContext ctx;
	Vnpu_mac_array *top;
};

extern "C" struct mac_model *mac_open(void)
{
	mac_model *m = new mac_model;
	m->top = new Vnpu_mac_array{&m->ctx};
	m->top->clk = 0;
	m->top->in_valid = 0;
	m->top->load_w = 0;
	m->top->eval();
	return m;
}

extern "C" void mac_close(struct mac_model *m)
{
	m->top->final();
	delete m->top;
	delete m;
}

extern "C" void mac_run(struct mac_model *m, size_t n, const uint8_t *act, const uint8_t *keep,
			int act_signed, int act_zp, const uint8_t *const *w, const int *load_w,
			int w_signed, const int16_t *wzp, int32_t *psum)
{
	Vnpu_mac_array *t = m->top;
	size_t got = 0;

	t->act_signed = act_signed;
	t->act_zp = (uint32_t)act_zp & 0x1ff;
	t->w_signed = w_signed;
	for (int k = 0; k < 16; k++) {
		uint32_t v = (uint32_t)wzp[k] & 0x1ff;
		int bit = k * 9;
		for (int b = 0; b < 9; b++) {
			uint32_t &word = t->w_zp[(bit + b) / 32];
			uint32_t mask = 1u << ((bit + b) % 32);
			word = (v >> b & 1) ? (word | mask) : (word & ~mask);
		}
	}
	for (size_t i = 0; i < n + 2; i++) {
		if (i < n) {
			t->in_valid = 1;
			memcpy(&t->act_raw, act + 16 * i, 16);
			uint32_t kv = 0;
			for (int c = 0; c < 16; c++)
				kv |= (uint32_t)(keep[16 * i + c] != 0) << c;
			t->act_keep = kv;
			t->load_w = load_w[i];
			if (load_w[i])
				memcpy(&t->w_raw[0], w[i], 256);
		} else {
			t->in_valid = 0;
			t->load_w = 0;
		}
		t->clk = 1;
		t->eval();
		t->clk = 0;
		t->eval();
		if (t->out_valid && got < n) {
			memcpy(psum + 16 * got, &t->psum[0], 64);
			got++;
		}
	}
}
