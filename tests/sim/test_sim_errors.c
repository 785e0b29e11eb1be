/* SPDX-License-Identifier: MIT */
/*
 * Bad input to the device: every invalid descriptor field, bad channel
 * parameters, bad ring programming, an injected fault, a soft reset in the
 * middle of a job. Each must give the documented error code and ERR_INFO
 * (the same verdict as npu_check_desc() in hw/npu_hw_check.h), raise the
 * error interrupt, touch no memory for the bad descriptor, skip the rest of
 * its job, and leave the device computing correctly afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pack.h"
#include "simkit.h"

/* ---- a small valid layer the tests corrupt ---- */
struct base {
	struct npu_conv_spec s;
	int32_t bias[24], mult[24];
	int8_t shift[24];
	int8_t in[5 * 5 * 20], w[24 * 3 * 3 * 20], ref[5 * 5 * 24];
	uint32_t a_in, a_w, a_cp, a_out;
	union npu_desc d;
};

static void make_base(struct kit *k, struct base *b)
{
	const char *why;
	struct npu_pack_range r = {.ng = 1, .nk = 24};
	struct npu_chan_param cp[24];
	uint8_t wp[65536];

	memset(b, 0, sizeof(*b));
	b->s = (struct npu_conv_spec){.n = 1, .in_h = 5, .in_w = 5, .in_c = 20, .out_c = 24,
		.kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1,
		.pad_top = 1, .pad_left = 1, .pad_bottom = 1, .pad_right = 1, .groups = 1,
		.in_type = NPU_TYPE_INT8, .w_type = NPU_TYPE_INT8, .out_type = NPU_TYPE_INT8,
		.rq_mode = NPU_RQ_FIXED, .act_min = -128, .act_max = 127, .in_zp = -3, .out_zp = 2};
	for (int i = 0; i < 24; i++) {
		b->bias[i] = i * 100 - 1000;
		b->mult[i] = 1500000000 + i;
		b->shift[i] = -8;
	}
	b->s.bias = b->bias;
	b->s.rq_mult = b->mult;
	b->s.rq_shift = b->shift;
	assert_int_equal(npu_conv_spec_finish(&b->s, &why), 0);
	for (size_t i = 0; i < sizeof(b->in); i++)
		b->in[i] = (int8_t)(i * 31 + 7);
	for (size_t i = 0; i < sizeof(b->w); i++)
		b->w[i] = (int8_t)(i * 17 + 3);
	npu_ref_conv(&b->s, b->in, b->w, b->ref);

	kit_reset_heap(k);
	b->a_in = kit_alloc(k, sizeof(b->in), 64);
	b->a_w = kit_alloc(k, npu_pack_weights_bytes(&k->caps, &b->s, &r), 64);
	b->a_cp = kit_alloc(k, sizeof(cp), 64);
	b->a_out = kit_alloc(k, sizeof(b->ref), 64);
	npu_pack_weights(&k->caps, &b->s, b->w, &r, wp);
	npu_pack_chan_params(&b->s, &r, cp);
	kit_write(k, b->a_in, b->in, sizeof(b->in));
	kit_write(k, b->a_w, wp, npu_pack_weights_bytes(&k->caps, &b->s, &r));
	kit_write(k, b->a_cp, cp, sizeof(cp));

	struct npu_desc_conv *d = &b->d.conv;
	d->opcode = NPU_OP_CONV;
	d->version = NPU_DESC_VERSION;
	d->tag = 0x7a6;
	d->in_addr = b->a_in;
	d->in_row_stride = 5 * 20;
	d->in_pix_stride = 20;
	d->in_h = 5;
	d->in_w = 5;
	d->groups = 1;
	d->cin_pg = 20;
	d->cout_pg = 24;
	d->out_h = 5;
	d->out_w = 5;
	d->kh = d->kw = 3;
	d->stride_h = d->stride_w = 1;
	d->dil_h = d->dil_w = 1;
	d->pad_top = d->pad_left = d->pad_bottom = d->pad_right = 1;
	d->w_addr = b->a_w;
	d->cp_addr = b->a_cp;
	d->out_addr = b->a_out;
	d->out_row_stride = 5 * 24;
	d->out_pix_stride = 24;
	d->in_type = NPU_TYPE_INT8;
	d->w_type = NPU_TYPE_INT8;
	d->out_type = NPU_TYPE_INT8;
	d->rq_mode = NPU_RQ_FIXED;
	d->in_zp = -3;
	d->out_zp = 2;
	d->act_min = -128;
	d->act_max = 127;
}

/* The base layer runs and gives the reference result. */
static void expect_base_ok(struct kit *k, struct base *b)
{
	struct kit_result r;
	int8_t out[sizeof(b->ref)];

	memset(out, 0x55, sizeof(out));
	kit_write(k, b->a_out, out, sizeof(out));
	assert_int_equal(kit_submit(k, &b->d, 1, &r), 0);
	assert_int_equal(r.err_code, 0);
	kit_read(k, b->a_out, out, sizeof(out));
	assert_memory_equal(out, b->ref, sizeof(out));
}

/* ---- memory accesses per descriptor, to prove a bad one touched nothing ---- */
struct trace {
	int watch;		/* ring index to watch, -1: none */
	unsigned data_accesses;	/* by the watched descriptor, other than its fetch */
};

static void on_access(void *ctx, const struct npu_sim_access *a)
{
	struct trace *t = ctx;

	if (t->watch >= 0 && a->ring_index == t->watch && a->kind != NPU_SIM_KIND_RING)
		t->data_accesses++;
}

/*
 * Submits [bad, good-but-skipped, fence] and checks the verdict: code, info,
 * index, tag, interrupt, halt, no memory touched, the skipped descriptor
 * left its output alone, the fence still completed.
 */
static void expect_error(struct kit *k, struct base *b, const union npu_desc *bad,
			 uint32_t code, uint32_t info, const char *what)
{
	struct trace t = {(int)k->tail, 0};
	union npu_desc f = kit_fence(k);
	uint32_t c_info, idx = k->tail;
	int c_code = npu_check_desc(&k->caps, bad, &c_info);
	int8_t out[sizeof(b->ref)], sentinel[sizeof(b->ref)];
	uint64_t ran;

	/* the C rules and the expectation agree first (a channel-parameter
	 * error is found in memory, the descriptor itself is valid) */
	if (code == NPU_ERR_CHAN_PARAM ? c_code != NPU_ERR_NONE
				       : ((uint32_t)c_code != code || c_info != info))
		fail_msg("%s: npu_check_desc says %d/0x%x, test expects %u/0x%x", what, c_code,
			 c_info, code, info);
	memset(sentinel, 0x5a, sizeof(sentinel));
	kit_write(k, b->a_out, sentinel, sizeof(sentinel));
	npu_sim_set_access_hook(k->sim, on_access, &t);
	kit_push(k, bad);
	kit_push(k, &b->d);	/* same job: must be skipped */
	kit_push(k, &f);
	kit_doorbell(k);

	assert_int_equal(npu_sim_run(k->sim, 10000000, &ran), NPU_SIM_STOP_IRQ);
	uint32_t irq = npu_sim_reg_read(k->sim, NPU_REG_IRQ_STATUS);
	if (!(irq & NPU_IRQ_ERROR))
		fail_msg("%s: no error interrupt (irq 0x%x)", what, irq);
	assert_true(npu_sim_reg_read(k->sim, NPU_REG_STATUS) & NPU_STATUS_HALTED);
	uint32_t r_code = npu_sim_reg_read(k->sim, NPU_REG_ERR_CODE);
	uint32_t r_info = npu_sim_reg_read(k->sim, NPU_REG_ERR_INFO);
	if (r_code != code || r_info != info)
		fail_msg("%s: device says %u/0x%x, expected %u/0x%x", what, r_code, r_info, code, info);
	assert_int_equal(npu_sim_reg_read(k->sim, NPU_REG_ERR_INDEX), idx);
	assert_int_equal(npu_sim_reg_read(k->sim, NPU_REG_ERR_TAG), bad->hdr.tag);
	/* halted: nothing moves until the acknowledgement */
	npu_sim_step(k->sim, 1000);
	assert_int_equal(npu_sim_reg_read(k->sim, NPU_REG_RING_HEAD), idx);

	npu_sim_reg_write(k->sim, NPU_REG_IRQ_ACK, NPU_IRQ_ERROR);
	assert_int_equal(npu_sim_run(k->sim, 10000000, &ran), NPU_SIM_STOP_IRQ);
	irq = npu_sim_reg_read(k->sim, NPU_REG_IRQ_STATUS);
	if (irq != NPU_IRQ_FENCE)
		fail_msg("%s: after the acknowledgement: irq 0x%x, error %u info 0x%x index %u head %u",
			 what, irq, npu_sim_reg_read(k->sim, NPU_REG_ERR_CODE),
			 npu_sim_reg_read(k->sim, NPU_REG_ERR_INFO),
			 npu_sim_reg_read(k->sim, NPU_REG_ERR_INDEX),
			 npu_sim_reg_read(k->sim, NPU_REG_RING_HEAD));
	assert_int_equal(npu_sim_reg_read(k->sim, NPU_REG_FENCE_SEQNO), f.fence.seqno);
	npu_sim_reg_write(k->sim, NPU_REG_IRQ_ACK, NPU_IRQ_FENCE);
	assert_int_equal(npu_sim_reg_read(k->sim, NPU_REG_RING_HEAD), k->tail);
	npu_sim_set_access_hook(k->sim, NULL, NULL);
	if (code != NPU_ERR_CHAN_PARAM && t.data_accesses)
		fail_msg("%s: the rejected descriptor made %u memory accesses", what, t.data_accesses);
	kit_read(k, b->a_out, out, sizeof(out));
	if (memcmp(out, sentinel, sizeof(out)))
		fail_msg("%s: the skipped descriptor wrote its output", what);
	assert_int_equal(npu_sim_faults(k->sim), 0);
	/* and the device still computes (with good channel records in memory) */
	if (code != NPU_ERR_CHAN_PARAM)
		expect_base_ok(k, b);
}

#define CONV(field) offsetof(struct npu_desc_conv, field)

static void test_conv_fields(void **state)
{
	struct kit k;
	struct base b;
	union npu_desc d;
	uint32_t top;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	make_base(&k, &b);
	expect_base_ok(&k, &b);
	top = (uint32_t)npu_sim_mem_size(k.sim);

#define BAD(mutation, code, info) do { \
	d = b.d; \
	mutation; \
	expect_error(&k, &b, &d, code, info, #mutation); \
} while (0)
	BAD(d.hdr.opcode = 9, NPU_ERR_OPCODE, 0);
	BAD(d.hdr.version = 2, NPU_ERR_VERSION, 1);
	BAD(d.conv.flags = 0x8000, NPU_ERR_RESERVED, CONV(flags));
	BAD(d.conv.reserved[0] = 1, NPU_ERR_RESERVED, CONV(reserved));
	BAD(d.conv.reserved[12] = 0x100, NPU_ERR_RESERVED, CONV(reserved) + 48);
	BAD(d.conv.in_type = 2, NPU_ERR_TYPE, CONV(in_type));
	BAD(d.conv.w_type = 7, NPU_ERR_TYPE, CONV(w_type));
	BAD(d.conv.out_type = 3, NPU_ERR_TYPE, CONV(out_type));
	BAD(d.conv.rq_mode = 3, NPU_ERR_TYPE, CONV(rq_mode));
	BAD(d.conv.out_type = NPU_TYPE_INT32, NPU_ERR_TYPE, CONV(rq_mode));
	BAD(d.conv.rq_mode = NPU_RQ_NONE, NPU_ERR_TYPE, CONV(rq_mode));
	BAD(d.conv.in_h = 0, NPU_ERR_DIM, CONV(in_h));
	BAD(d.conv.in_w = (uint16_t)(k.caps.max_dim + 1), NPU_ERR_DIM, CONV(in_w));
	BAD(d.conv.groups = 0, NPU_ERR_DIM, CONV(groups));
	BAD(d.conv.cin_pg = 0, NPU_ERR_DIM, CONV(cin_pg));
	BAD(d.conv.cout_pg = 0, NPU_ERR_DIM, CONV(cout_pg));
	BAD(d.conv.out_h = 0, NPU_ERR_DIM, CONV(out_h));
	BAD(d.conv.out_w = 0, NPU_ERR_DIM, CONV(out_w));
	BAD(d.conv.kh = 0, NPU_ERR_DIM, CONV(kh));
	BAD(d.conv.kw = (uint8_t)(k.caps.max_k + 1), NPU_ERR_DIM, CONV(kw));
	BAD(d.conv.stride_h = 0, NPU_ERR_DIM, CONV(stride_h));
	BAD(d.conv.stride_w = (uint8_t)(k.caps.max_stride + 1), NPU_ERR_DIM, CONV(stride_w));
	BAD(d.conv.dil_h = 0, NPU_ERR_DIM, CONV(dil_h));
	BAD(d.conv.dil_w = 200, NPU_ERR_DIM, CONV(dil_w));
	BAD(d.conv.in_zp = 128, NPU_ERR_ZERO_POINT, CONV(in_zp));
	BAD((d.conv.in_type = NPU_TYPE_UINT8, d.conv.in_zp = -1), NPU_ERR_ZERO_POINT, CONV(in_zp));
	BAD((d.conv.out_type = NPU_TYPE_UINT8, d.conv.out_zp = -1), NPU_ERR_ZERO_POINT, CONV(out_zp));
	BAD(d.conv.act_min = -129, NPU_ERR_CLAMP, CONV(act_min));
	BAD((d.conv.act_min = 10, d.conv.act_max = 9), NPU_ERR_CLAMP, CONV(act_max));
	BAD((d.conv.out_type = NPU_TYPE_INT32, d.conv.rq_mode = NPU_RQ_NONE, d.conv.out_zp = 0),
	    NPU_ERR_CLAMP, CONV(act_min));
	BAD(d.conv.out_h = 6, NPU_ERR_GEOMETRY, CONV(out_h));
	BAD((d.conv.pad_right = 0, d.conv.out_w = 5), NPU_ERR_GEOMETRY, CONV(out_w));
	BAD((d.conv.in_h = 200, d.conv.in_w = 200, d.conv.out_h = 1, d.conv.out_w = 1,
	     d.conv.pad_top = d.conv.pad_bottom = d.conv.pad_left = d.conv.pad_right = 0),
	    NPU_ERR_CAPACITY, NPU_CAP_IBUF);
	BAD((d.conv.cin_pg = 1000, d.conv.in_h = 1, d.conv.in_w = 1, d.conv.out_h = 1,
	     d.conv.out_w = 1, d.conv.kh = d.conv.kw = 1, d.conv.cout_pg = 200),
	    NPU_ERR_CAPACITY, NPU_CAP_WBUF);
	/* rows go in chunks that fit a bank: only a row wider than a bank is too much */
	BAD((d.conv.kh = d.conv.kw = 1, d.conv.pad_top = d.conv.pad_left = 0, d.conv.in_h = 1,
	     d.conv.in_w = (uint16_t)(k.caps.acc_depth + 1), d.conv.out_h = 1,
	     d.conv.out_w = (uint16_t)(k.caps.acc_depth + 1), d.conv.cin_pg = 1,
	     d.conv.pad_bottom = d.conv.pad_right = 0),
	    NPU_ERR_CAPACITY, NPU_CAP_ACC);
	BAD((d.conv.groups = 100, d.conv.cin_pg = 1, d.conv.cout_pg = 11, d.conv.kh = d.conv.kw = 1,
	     d.conv.pad_top = d.conv.pad_left = d.conv.pad_bottom = d.conv.pad_right = 0),
	    NPU_ERR_CAPACITY, NPU_CAP_PBUF);
	BAD(d.conv.in_addr = 0x100, NPU_ERR_ADDRESS, CONV(in_addr));
	BAD(d.conv.in_row_stride = 0x10000000, NPU_ERR_ADDRESS, CONV(in_addr));
	BAD(d.conv.w_addr = top - 64, NPU_ERR_ADDRESS, CONV(w_addr));
	BAD(d.conv.cp_addr = 0xfffffff0u, NPU_ERR_ADDRESS, CONV(cp_addr));
	BAD(d.conv.out_addr = top - 100, NPU_ERR_ADDRESS, CONV(out_addr));
	BAD(d.conv.out_pix_stride = 0x7fffffff, NPU_ERR_ADDRESS, CONV(out_addr));
#undef BAD
	kit_close(&k);
}

static void test_fence_and_nop_fields(void **state)
{
	struct kit k;
	struct base b;
	union npu_desc d;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	make_base(&k, &b);
	/* A bad fence is its job's last descriptor: nothing to skip after it. */
	memset(&d, 0, sizeof(d));
	d.nop.opcode = NPU_OP_NOP;
	d.nop.version = NPU_DESC_VERSION;
	d.nop.tag = 3;
	d.nop.flags = 1;
	expect_error(&k, &b, &d, NPU_ERR_RESERVED, offsetof(struct npu_desc_nop, flags), "nop flags");
	d.nop.flags = 0;
	d.nop.reserved[29] = 1;
	expect_error(&k, &b, &d, NPU_ERR_RESERVED, 124, "nop reserved");

	for (int i = 0; i < 3; i++) {
		union npu_desc f = kit_fence(&k);
		uint32_t info;
		uint64_t ran;

		if (i == 0)
			f.fence.flags |= 0x10;
		else if (i == 1)
			f.fence.stats_addr = (uint32_t)npu_sim_mem_size(k.sim) - 8;
		else {
			f.fence.flags = NPU_FENCE_IRQ;
			f.fence.stats_addr = 0x20000;
		}
		int code = npu_check_desc(&k.caps, &f, &info);
		assert_int_equal(code, i == 1 ? NPU_ERR_ADDRESS : NPU_ERR_RESERVED);
		kit_push(&k, &b.d);
		kit_push(&k, &f);
		kit_doorbell(&k);
		assert_int_equal(npu_sim_run(k.sim, 10000000, &ran), NPU_SIM_STOP_IRQ);
		assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_ERR_CODE), (uint32_t)code);
		assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_ERR_INFO), info);
		npu_sim_reg_write(k.sim, NPU_REG_IRQ_ACK, NPU_IRQ_ERROR);
		/* no skipping after a bad fence: the device goes idle with the ring drained */
		assert_int_equal(npu_sim_run(k.sim, 10000000, &ran), NPU_SIM_STOP_IDLE);
		assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_RING_HEAD), k.tail);
		expect_base_ok(&k, &b);
	}
	kit_close(&k);
}

static void test_chan_params(void **state)
{
	struct kit k;
	struct base b;
	struct npu_chan_param cp[24], bad[24];
	union npu_desc fp32;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	make_base(&k, &b);
	kit_read(&k, b.a_cp, cp, sizeof(cp));
	fp32 = b.d;
	fp32.conv.rq_mode = NPU_RQ_FP32;
	for (int i = 0; i < 6; i++) {
		union npu_desc d = b.d;
		int ch = 3 + i * 3;
		uint32_t field;

		memcpy(bad, cp, sizeof(bad));
		switch (i) {
		case 0: bad[ch].shift = 31; field = 8; break;
		case 1: bad[ch].reserved0 = 1; field = 9; break;
		case 2: bad[ch].w_zp = 128; field = 10; break;
		case 3: bad[ch].reserved1 = 5; field = 12; break;
		case 4: d = fp32; bad[ch].shift = 0; bad[ch].scale = 0x7f800000u; field = 4; break;
		default: d = fp32; bad[ch].shift = 0; bad[ch].scale = 0xffc00001u; field = 4; break;
		}
		if (d.conv.rq_mode == NPU_RQ_FP32)
			for (int j = 0; j < 24; j++)
				if (j != ch)
					bad[j].shift = 0, bad[j].scale = 0x3c000000u;
		/* a later bad record must not mask the first one */
		bad[23].reserved1 = 1;
		kit_write(&k, b.a_cp, bad, sizeof(bad));
		/* the C rule for records agrees with the expectation */
		uint32_t c_info;
		assert_int_equal(npu_check_chan_param(&d.conv, &bad[ch], &c_info), NPU_ERR_CHAN_PARAM);
		assert_int_equal(c_info, field);
		expect_error(&k, &b, &d, NPU_ERR_CHAN_PARAM, ((uint32_t)ch << 8) | field, "channel record");
		kit_write(&k, b.a_cp, cp, sizeof(cp));
		expect_base_ok(&k, &b);
	}
	kit_close(&k);
}

static void test_ring_programming(void **state)
{
	struct kit k;
	struct base b;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	make_base(&k, &b);
	/* a tail beyond the ring */
	npu_sim_reg_write(k.sim, NPU_REG_RING_TAIL, KIT_RING_ENTRIES + 3);
	assert_true(npu_sim_irq(k.sim));
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_ERR_CODE), NPU_ERR_RING);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_ERR_INFO), NPU_REG_RING_TAIL);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_RING_TAIL), k.tail);
	npu_sim_reg_write(k.sim, NPU_REG_IRQ_ACK, NPU_IRQ_ERROR);
	expect_base_ok(&k, &b);

	/* disable, then enable with bad rings: refused with the culprit register */
	static const struct { uint32_t base, size, info; } rings[] = {
		{0x40000 + 64, 64, NPU_REG_RING_BASE},	/* misaligned */
		{0x100, 64, NPU_REG_RING_BASE},		/* reserved area */
		{0x40000, 48, NPU_REG_RING_SIZE},		/* not a power of two */
		{0x40000, 1, NPU_REG_RING_SIZE},
		{0x40000, 1u << 17, NPU_REG_RING_SIZE},	/* above the maximum */
		{(256u << 20) - 4096, 64, NPU_REG_RING_SIZE},	/* runs past the end */
	};
	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		npu_sim_reg_write(k.sim, NPU_REG_CTRL, 0);
		npu_sim_run(k.sim, 100000, NULL);
		npu_sim_reg_write(k.sim, NPU_REG_RING_BASE, rings[i].base);
		npu_sim_reg_write(k.sim, NPU_REG_RING_SIZE, rings[i].size);
		npu_sim_reg_write(k.sim, NPU_REG_CTRL, NPU_CTRL_ENABLE);
		assert_false(npu_sim_reg_read(k.sim, NPU_REG_STATUS) & NPU_STATUS_ENABLED);
		assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_ERR_CODE), NPU_ERR_RING);
		assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_ERR_INFO), rings[i].info);
		npu_sim_reg_write(k.sim, NPU_REG_IRQ_ACK, NPU_IRQ_ERROR);
	}
	/* the good ring again: the programming takes and jobs run */
	npu_sim_reg_write(k.sim, NPU_REG_RING_BASE, k.ring_base);
	npu_sim_reg_write(k.sim, NPU_REG_RING_SIZE, KIT_RING_ENTRIES);
	npu_sim_reg_write(k.sim, NPU_REG_CTRL, NPU_CTRL_ENABLE);
	k.tail = 0;
	assert_true(npu_sim_reg_read(k.sim, NPU_REG_STATUS) & NPU_STATUS_ENABLED);
	expect_base_ok(&k, &b);
	kit_close(&k);
}

static void test_injected_fault(void **state)
{
	struct kit k;
	struct base b;
	struct kit_result r;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	make_base(&k, &b);
	npu_sim_inject_error(k.sim);
	assert_int_equal(kit_submit(&k, &b.d, 1, &r), 0);
	assert_int_equal(r.err_code, NPU_ERR_INTERNAL);
	expect_base_ok(&k, &b);
	kit_close(&k);
}

static void test_soft_reset_mid_job(void **state)
{
	struct kit k;
	struct base b;
	union npu_desc many[200], f;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	make_base(&k, &b);
	for (int i = 0; i < 200; i++)
		many[i] = b.d;
	for (int i = 0; i < 200; i++)
		kit_push(&k, &many[i]);
	f = kit_fence(&k);
	kit_push(&k, &f);
	kit_doorbell(&k);
	npu_sim_step(k.sim, 20000);	/* well inside the job */
	assert_true(npu_sim_reg_read(k.sim, NPU_REG_STATUS) & NPU_STATUS_BUSY);
	npu_sim_reg_write(k.sim, NPU_REG_CTRL, NPU_CTRL_SOFT_RESET);
	assert_int_equal(npu_sim_run(k.sim, 100000, NULL), NPU_SIM_STOP_IDLE);
	/* everything is back to its reset value */
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_STATUS) & ~NPU_STATUS_IDLE, 0);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_RING_BASE), 0);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_RING_HEAD), 0);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_IRQ_MASK), 0);
	assert_true(npu_sim_counter(k.sim, NPU_CNT_CYCLES) < 1000);
	/* reprogram and compute */
	npu_sim_reg_write(k.sim, NPU_REG_RING_BASE, k.ring_base);
	npu_sim_reg_write(k.sim, NPU_REG_RING_SIZE, KIT_RING_ENTRIES);
	npu_sim_reg_write(k.sim, NPU_REG_IRQ_MASK, NPU_IRQ_ALL);
	npu_sim_reg_write(k.sim, NPU_REG_CTRL, NPU_CTRL_ENABLE);
	k.tail = 0;
	expect_base_ok(&k, &b);
	assert_int_equal(npu_sim_faults(k.sim), 0);
	kit_close(&k);
}

/*
 * Random mutations of a valid descriptor: the device's verdict (error code
 * and ERR_INFO, or success) must equal npu_check_desc()'s on every one. This
 * is what keeps the RTL's validator and the driver's/library's C copy of the
 * rules in step.
 */
static uint64_t fz;

static uint32_t frnd(void)
{
	fz = fz * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(fz >> 32);
}

static void mutate(union npu_desc *d, const struct kit *k, uint32_t data_base)
{
	static const struct { uint8_t off, size; } fields[] = {
		{0, 1}, {1, 1}, {2, 2}, {8, 4}, {12, 4}, {16, 4}, {20, 2}, {22, 2}, {24, 2},
		{26, 2}, {28, 2}, {30, 2}, {32, 2}, {34, 1}, {35, 1}, {36, 1}, {37, 1}, {38, 1},
		{39, 1}, {40, 1}, {41, 1}, {42, 1}, {43, 1}, {44, 4}, {48, 4}, {52, 4}, {56, 4},
		{60, 4}, {64, 1}, {65, 1}, {66, 1}, {67, 1}, {68, 2}, {70, 2}, {72, 2}, {74, 2},
	};
	int n = 1 + (int)(frnd() % 3);

	for (int i = 0; i < n; i++) {
		uint32_t v;
		int f = (int)(frnd() % (sizeof(fields) / sizeof(fields[0]) + 2));

		if (f >= (int)(sizeof(fields) / sizeof(fields[0]))) {
			/* anywhere, reserved words included */
			d->bytes[frnd() % NPU_DESC_BYTES] ^= (uint8_t)(1u << (frnd() % 8));
			continue;
		}
		switch (frnd() % 6) {
		case 0: v = 0; break;
		case 1: v = 1 + frnd() % 3; break;
		case 2: v = frnd(); break;
		case 3: v = 0xffffffffu; break;
		case 4: /* near a capability limit */
			v = (frnd() & 1 ? k->caps.max_k : frnd() & 1 ? k->caps.max_dim : 255) +
			    (frnd() % 3) - 1;
			break;
		default: /* an address in the data area, the reserved area or past the end */
			v = frnd() % 3 == 0 ? data_base + frnd() % 65536
			  : frnd() & 1 ? frnd() % NPU_MEM_RESERVED
			  : (uint32_t)npu_sim_mem_size(k->sim) - frnd() % 4096;
			break;
		}
		if (fields[f].size == 4 && fields[f].off >= 8 && fields[f].off <= 60 &&
		    fields[f].off != 20 && frnd() % 2) {
			/* keep outputs away from the ring: only addresses past data_base */
			v = data_base + frnd() % 65536;
		}
		memcpy(&d->bytes[fields[f].off], &v, fields[f].size);
	}
}

static void test_fuzz_verdicts(void **state)
{
	struct kit k;
	struct base b;
	uint64_t seed = kit_seed();
	int cases = kit_quick() ? 40 : 600, errors = 0;

	(void)state;
	fz = seed;
	printf("test_fuzz_verdicts: seed %llu, %d mutations\n", (unsigned long long)seed, cases);
	assert_int_equal(kit_open(&k, NULL), 0);
	make_base(&k, &b);
	uint32_t data_base = b.a_out + 4096;
	for (int t = 0; t < cases; t++) {
		union npu_desc d = b.d, f = kit_fence(&k);
		uint32_t c_info, idx = k.tail;
		uint64_t ran;

		mutate(&d, &k, data_base);
		/* whatever the mutation did to the output, never aim it at the ring */
		if (d.hdr.opcode == NPU_OP_CONV && d.conv.out_addr < data_base &&
		    d.conv.out_addr >= NPU_MEM_RESERVED)
			d.conv.out_addr = data_base;
		int c_code = npu_check_desc(&k.caps, &d, &c_info);
		if (c_code == NPU_ERR_NONE && d.hdr.opcode == NPU_OP_CONV) {
			/* the records it will load are checked too, first bad one wins */
			uint32_t nrec = (uint32_t)d.conv.groups * d.conv.cout_pg;
			for (uint32_t ch = 0; ch < nrec && !c_code; ch++) {
				struct npu_chan_param p;
				uint32_t fi;
				kit_read(&k, d.conv.cp_addr + ch * NPU_CHAN_PARAM_BYTES, &p, sizeof(p));
				if (npu_check_chan_param(&d.conv, &p, &fi)) {
					c_code = NPU_ERR_CHAN_PARAM;
					c_info = ch << 8 | fi;
				}
			}
		}
		kit_push(&k, &d);
		kit_push(&k, &f);
		kit_doorbell(&k);
		assert_int_equal(npu_sim_run(k.sim, 50000000, &ran), NPU_SIM_STOP_IRQ);
		uint32_t irq = npu_sim_reg_read(k.sim, NPU_REG_IRQ_STATUS);
		uint32_t r_code = (irq & NPU_IRQ_ERROR) ? npu_sim_reg_read(k.sim, NPU_REG_ERR_CODE) : 0;
		uint32_t r_info = (irq & NPU_IRQ_ERROR) ? npu_sim_reg_read(k.sim, NPU_REG_ERR_INFO) : 0;
		if (r_code != (uint32_t)c_code || (c_code && r_info != c_info))
			fail_msg("mutation %d: C verdict %d/0x%x, device %u/0x%x (index %u)", t, c_code,
				 c_info, r_code, r_info, idx);
		errors += c_code != 0;
		if (irq & NPU_IRQ_ERROR) {
			npu_sim_reg_write(k.sim, NPU_REG_IRQ_ACK, NPU_IRQ_ERROR);
			assert_int_equal(npu_sim_run(k.sim, 50000000, &ran), NPU_SIM_STOP_IRQ);
		}
		assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_FENCE_SEQNO), f.fence.seqno);
		npu_sim_reg_write(k.sim, NPU_REG_IRQ_ACK, NPU_IRQ_ALL);
	}
	printf("test_fuzz_verdicts: %d rejected, %d accepted, verdicts identical\n", errors,
	       cases - errors);
	assert_int_equal(npu_sim_faults(k.sim), 0);
	expect_base_ok(&k, &b);
	kit_close(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conv_fields),
		cmocka_unit_test(test_fence_and_nop_fields),
		cmocka_unit_test(test_chan_params),
		cmocka_unit_test(test_ring_programming),
		cmocka_unit_test(test_injected_fault),
		cmocka_unit_test(test_soft_reset_mid_job),
		cmocka_unit_test(test_fuzz_verdicts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
