/* SPDX-License-Identifier: MIT */
/*
 * hw/npu_hw.h is the single source of truth; this proves the RTL agrees:
 * the generated SystemVerilog package holds the header's offsets and codes,
 * the registers sit at the header's offsets with the header's values, the
 * descriptor fields are read from the header's byte positions (each field's
 * error names its offsetof()), and the counters and fence records follow
 * the header's layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "simkit.h"

#ifndef NPU_REGS_PKG
#define NPU_REGS_PKG "build/hw/npu_regs_pkg.sv"
#endif

static long pkg_value(const char *text, const char *name)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "localparam int unsigned %s = ", name);
	p = strstr(text, key);
	if (!p)
		fail_msg("%s missing from the generated package", name);
	return strtol(p + strlen(key), NULL, 10);
}

static void test_generated_package(void **state)
{
	FILE *f = fopen(NPU_REGS_PKG, "r");
	static char text[65536];
	size_t n;

	(void)state;
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
#define EQ(name, val) assert_int_equal(pkg_value(text, name), (long)(val))
	EQ("ID_VALUE", NPU_ID_VALUE);
	EQ("VERSION_VALUE", NPU_VERSION_VALUE);
	EQ("MEM_RESERVED", NPU_MEM_RESERVED);
	EQ("REG_CTRL", NPU_REG_CTRL);
	EQ("REG_RING_TAIL", NPU_REG_RING_TAIL);
	EQ("REG_IRQ_ACK", NPU_REG_IRQ_ACK);
	EQ("REG_COUNTERS", NPU_REG_COUNTERS);
	EQ("ERR_CHAN_PARAM", NPU_ERR_CHAN_PARAM);
	EQ("CONV_in_addr", offsetof(struct npu_desc_conv, in_addr));
	EQ("CONV_cout_pg", offsetof(struct npu_desc_conv, cout_pg));
	EQ("CONV_pad_right", offsetof(struct npu_desc_conv, pad_right));
	EQ("CONV_out_pix_stride", offsetof(struct npu_desc_conv, out_pix_stride));
	EQ("CONV_act_max", offsetof(struct npu_desc_conv, act_max));
	EQ("CONV_reserved", offsetof(struct npu_desc_conv, reserved));
	EQ("CONV_reserved_BITS", 8 * sizeof(((struct npu_desc_conv *)0)->reserved));
	EQ("FENCE_stats_addr", offsetof(struct npu_desc_fence, stats_addr));
	EQ("CP_w_zp", offsetof(struct npu_chan_param, w_zp));
	EQ("FENCE_STATS_BYTES", sizeof(struct npu_fence_stats));
	EQ("DEF_IBUF_BYTES", NPU_DEF_IBUF_BYTES);
#undef EQ
}

static void test_identity_and_caps(void **state)
{
	struct kit k;
	const struct npu_caps *c = &k.caps;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_ID), NPU_ID_VALUE);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_VERSION), NPU_VERSION_VALUE);
	assert_int_equal(c->rows, NPU_DEF_ROWS);
	assert_int_equal(c->cols, NPU_DEF_COLS);
	assert_int_equal(c->ibuf_bytes, NPU_DEF_IBUF_BYTES);
	assert_int_equal(c->wbuf_bytes, NPU_DEF_WBUF_BYTES);
	assert_int_equal(c->acc_depth, NPU_DEF_ACC_DEPTH);
	assert_int_equal(c->pbuf_depth, NPU_DEF_PBUF_DEPTH);
	assert_int_equal(c->features, NPU_DEF_FEATURES);
	assert_int_equal(c->max_k, NPU_DEF_MAX_K);
	assert_int_equal(c->max_stride, NPU_DEF_MAX_STRIDE);
	assert_int_equal(c->max_dil, NPU_DEF_MAX_DIL);
	assert_int_equal(c->max_dim, NPU_DEF_MAX_DIM);
	assert_int_equal(c->mem_log2, NPU_MEM_LOG2_DEFAULT);
	assert_int_equal(c->mem_reserved, NPU_MEM_RESERVED);
	assert_int_equal(c->dma_beat, NPU_DEF_DMA_BEAT);
	assert_int_equal(c->dma_burst_log2, NPU_DEF_DMA_BURST_LOG2);
	assert_int_equal(c->dma_outstanding, NPU_DEF_DMA_OUTSTANDING);
	assert_int_equal(c->desc_bytes, NPU_DESC_BYTES);
	assert_int_equal(c->desc_version, NPU_DESC_VERSION);
	assert_int_equal(c->ring_log2_max, NPU_RING_LOG2_MAX);
	kit_close(&k);

	/* the memory-size strap follows the simulator's configuration */
	struct npu_sim_config cfg = {.mem_size = 16u << 20};
	assert_int_equal(kit_open(&k, &cfg), 0);
	assert_int_equal(k.caps.mem_log2, 24);
	kit_close(&k);
}

static void test_register_offsets(void **state)
{
	struct kit k;
	uint32_t before[NPU_REG_WINDOW / 4];

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	npu_sim_reg_write(k.sim, NPU_REG_SCRATCH, 0xdeadbeef);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_SCRATCH), 0xdeadbeef);
	npu_sim_reg_write(k.sim, NPU_REG_IRQ_MASK, 0xffffffff);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_IRQ_MASK), NPU_IRQ_ALL);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_RING_BASE), k.ring_base);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_RING_SIZE), KIT_RING_ENTRIES);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_CTRL), NPU_CTRL_ENABLE);
	/* ring registers do not move while enabled */
	npu_sim_reg_write(k.sim, NPU_REG_RING_BASE, 0x80000);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_RING_BASE), k.ring_base);
	/* reads have no side effects: reading the whole window twice agrees */
	for (uint32_t off = 0; off < NPU_REG_WINDOW; off += 4)
		before[off / 4] = npu_sim_reg_read(k.sim, off);
	for (uint32_t off = 0; off < NPU_REG_WINDOW; off += 4)
		if (off != NPU_REG_COUNTER_LO(NPU_CNT_CYCLES) && off != NPU_REG_COUNTER_LO(NPU_CNT_BUSY))
			assert_int_equal(npu_sim_reg_read(k.sim, off), before[off / 4]);
	/* holes and write-only registers read as zero */
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_IRQ_ACK), 0);
	assert_int_equal(npu_sim_reg_read(k.sim, 0x0fc), 0);
	assert_int_equal(npu_sim_reg_read(k.sim, NPU_REG_COUNTER_LO(NPU_NUM_COUNTERS)), 0);
	/* the cycle counter counts clocks */
	uint64_t c0 = npu_sim_counter(k.sim, NPU_CNT_CYCLES);
	npu_sim_step(k.sim, 1234);
	assert_int_equal(npu_sim_counter(k.sim, NPU_CNT_CYCLES) - c0, 1234);
	kit_close(&k);
}

/* Each checked conv field, made invalid on its own: ERR_INFO is its offsetof(). */
static void test_descriptor_positions(void **state)
{
	struct kit k;
	struct kit_result r;
	union npu_desc base, d;
	static const struct {
		size_t off, size;
		uint32_t bad;
		uint32_t code;
	} f[] = {
		{offsetof(struct npu_desc_conv, in_h), 2, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, in_w), 2, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, groups), 2, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, cin_pg), 2, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, cout_pg), 2, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, out_h), 2, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, out_w), 2, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, kh), 1, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, kw), 1, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, stride_h), 1, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, stride_w), 1, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, dil_h), 1, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, dil_w), 1, 0, NPU_ERR_DIM},
		{offsetof(struct npu_desc_conv, in_addr), 4, 16, NPU_ERR_ADDRESS},
		{offsetof(struct npu_desc_conv, w_addr), 4, 16, NPU_ERR_ADDRESS},
		{offsetof(struct npu_desc_conv, cp_addr), 4, 16, NPU_ERR_ADDRESS},
		{offsetof(struct npu_desc_conv, out_addr), 4, 16, NPU_ERR_ADDRESS},
		{offsetof(struct npu_desc_conv, in_type), 1, 9, NPU_ERR_TYPE},
		{offsetof(struct npu_desc_conv, w_type), 1, 9, NPU_ERR_TYPE},
		{offsetof(struct npu_desc_conv, out_type), 1, 9, NPU_ERR_TYPE},
		{offsetof(struct npu_desc_conv, rq_mode), 1, 9, NPU_ERR_TYPE},
		{offsetof(struct npu_desc_conv, in_zp), 2, 300, NPU_ERR_ZERO_POINT},
		{offsetof(struct npu_desc_conv, out_zp), 2, 300, NPU_ERR_ZERO_POINT},
		{offsetof(struct npu_desc_conv, act_min), 2, 300, NPU_ERR_CLAMP},
		{offsetof(struct npu_desc_conv, act_max), 2, 300, NPU_ERR_CLAMP},
		{offsetof(struct npu_desc_conv, reserved) + 4, 4, 1, NPU_ERR_RESERVED},
	};

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	memset(&base, 0, sizeof(base));
	base.conv.opcode = NPU_OP_CONV;
	base.conv.version = NPU_DESC_VERSION;
	base.conv.in_h = base.conv.in_w = base.conv.out_h = base.conv.out_w = 1;
	base.conv.groups = base.conv.cin_pg = base.conv.cout_pg = 1;
	base.conv.kh = base.conv.kw = base.conv.stride_h = base.conv.stride_w = 1;
	base.conv.dil_h = base.conv.dil_w = 1;
	base.conv.in_addr = kit_alloc(&k, 64, 64);
	base.conv.w_addr = kit_alloc(&k, 256, 64);
	base.conv.cp_addr = kit_alloc(&k, 64, 64);
	base.conv.out_addr = kit_alloc(&k, 64, 64);
	base.conv.rq_mode = NPU_RQ_FIXED;
	base.conv.act_min = -128;
	base.conv.act_max = 127;
	assert_int_equal(kit_submit(&k, &base, 1, &r), 0);
	assert_int_equal(r.err_code, 0);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		d = base;
		memcpy(&d.bytes[f[i].off], &f[i].bad, f[i].size);
		assert_int_equal(kit_submit(&k, &d, 1, &r), 0);
		if (r.err_code != f[i].code || r.err_info != f[i].off)
			fail_msg("field at byte %zu: device says %u/0x%x, header says %u/0x%zx", f[i].off,
				 r.err_code, r.err_info, f[i].code, f[i].off);
	}
	kit_close(&k);
}

/* MACS == the layer's MACs; fence records hold the counters in header order. */
static void test_counters_and_fence_record(void **state)
{
	struct kit k;
	struct kit_result r;
	struct npu_conv_spec s = {.n = 1, .in_h = 9, .in_w = 7, .in_c = 37, .out_c = 21, .kh = 3,
		.kw = 2, .stride_h = 2, .stride_w = 1, .dil_h = 1, .dil_w = 2, .pad_top = 1,
		.pad_left = 0, .pad_bottom = 2, .pad_right = 1, .groups = 1,
		.in_type = NPU_TYPE_UINT8, .w_type = NPU_TYPE_INT8, .out_type = NPU_TYPE_INT32,
		.rq_mode = NPU_RQ_NONE};
	const char *why;

	(void)state;
	assert_int_equal(npu_conv_spec_finish(&s, &why), 0);
	uint8_t *in = calloc(npu_conv_in_elems(&s), 1), *w = calloc(npu_conv_w_elems(&s), 1);
	int32_t *out = calloc(npu_conv_out_elems(&s), 4);
	assert_int_equal(kit_open(&k, NULL), 0);
	uint64_t m0 = npu_sim_counter(k.sim, NPU_CNT_MACS);
	uint64_t w0 = npu_sim_counter(k.sim, NPU_CNT_WR_BYTES);
	assert_int_equal(kit_conv(&k, &s, in, w, out, &r), 0);
	assert_int_equal(npu_sim_counter(k.sim, NPU_CNT_MACS) - m0, npu_conv_macs(&s));
	/* every output byte once, plus the fence's record */
	assert_int_equal(npu_sim_counter(k.sim, NPU_CNT_WR_BYTES) - w0,
			 npu_conv_out_elems(&s) * 4 + NPU_FENCE_STATS_BYTES);

	struct npu_fence_stats st;
	kit_read(&k, k.stats_addr, &st, sizeof(st));
	assert_int_equal(st.seqno, k.seqno);
	assert_int_equal(st.reserved, 0);
	assert_int_equal(st.counter[NPU_CNT_MACS], npu_sim_counter(k.sim, NPU_CNT_MACS));
	assert_int_equal(st.counter[NPU_CNT_CONVS], npu_sim_counter(k.sim, NPU_CNT_CONVS));
	assert_true(st.counter[NPU_CNT_CYCLES] < npu_sim_counter(k.sim, NPU_CNT_CYCLES));
	assert_true(st.counter[NPU_CNT_RD_BYTES] > 0);
	assert_true(st.counter[NPU_CNT_MAC_ACTIVE] * k.caps.rows * k.caps.cols >=
		    st.counter[NPU_CNT_MACS]);
	kit_close(&k);
	free(in);
	free(w);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_package),
		cmocka_unit_test(test_identity_and_caps),
		cmocka_unit_test(test_register_offsets),
		cmocka_unit_test(test_descriptor_positions),
		cmocka_unit_test(test_counters_and_fence_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
