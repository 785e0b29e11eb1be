/* SPDX-License-Identifier: MIT */
/*
 * The DMA engine and the memory port: results do not depend on DRAM timing,
 * traffic does not either, bursts respect the port's limits, every access
 * stays inside the byte ranges its descriptor declares (no escapes), and
 * on-chip reuse of weights and inputs saves exactly the reloads it should.
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

struct audit {
	struct kit *k;
	uint64_t accesses, escapes, max_read, max_write;
};

/* The ranges the descriptor at a ring index declares (read from the ring). */
static void on_access(void *ctx, const struct npu_sim_access *a)
{
	struct audit *au = ctx;
	union npu_desc d;
	struct npu_range r[NPU_T_COUNT];
	int ok = 0;

	au->accesses++;
	if (a->write && a->len > au->max_write)
		au->max_write = a->len;
	if (!a->write && a->len > au->max_read)
		au->max_read = a->len;
	kit_read(au->k, au->k->ring_base + a->ring_index * NPU_DESC_BYTES, &d, sizeof(d));
	switch (a->kind) {
	case NPU_SIM_KIND_RING:
		ok = a->addr == au->k->ring_base + a->ring_index * NPU_DESC_BYTES &&
		     a->len == NPU_DESC_BYTES && !a->write;
		break;
	case NPU_SIM_KIND_STATS:
		ok = d.hdr.opcode == NPU_OP_FENCE && a->write && a->addr >= d.fence.stats_addr &&
		     a->addr + a->len <= d.fence.stats_addr + NPU_FENCE_STATS_BYTES;
		break;
	default:
		if (d.hdr.opcode != NPU_OP_CONV)
			break;
		npu_conv_ranges(&au->k->caps, &d.conv, r);
		{
			int t = a->kind == NPU_SIM_KIND_INPUT ? NPU_T_INPUT
			      : a->kind == NPU_SIM_KIND_WEIGHTS ? NPU_T_WEIGHTS
			      : a->kind == NPU_SIM_KIND_PARAMS ? NPU_T_PARAMS : NPU_T_OUTPUT;
			ok = (a->write == (t == NPU_T_OUTPUT)) && a->addr >= r[t].start &&
			     a->addr + a->len <= r[t].end;
		}
		break;
	}
	if (!ok && au->escapes++ < 5)
		fprintf(stderr, "escape: %s kind %u addr 0x%llx len %u for ring entry %u\n",
			a->write ? "write" : "read", a->kind, (unsigned long long)a->addr, a->len,
			a->ring_index);
}

static struct npu_conv_spec layer(int32_t *mult, int8_t *shift)
{
	struct npu_conv_spec s = {.n = 1, .in_h = 23, .in_w = 19, .in_c = 45, .out_c = 70,
		.kh = 3, .kw = 3, .stride_h = 1, .stride_w = 2, .dil_h = 1, .dil_w = 1,
		.pad_top = 1, .pad_left = 1, .pad_bottom = 1, .pad_right = 0, .groups = 1,
		.in_type = NPU_TYPE_UINT8, .in_zp = 128, .w_type = NPU_TYPE_INT8,
		.out_type = NPU_TYPE_UINT8, .rq_mode = NPU_RQ_FIXED, .out_zp = 3, .act_min = 0,
		.act_max = 255, .rq_mult = mult, .rq_shift = shift};
	const char *why;

	for (int i = 0; i < 70; i++) {
		mult[i] = 1300000000 + i * 1000;
		shift[i] = -9;
	}
	assert_int_equal(npu_conv_spec_finish(&s, &why), 0);
	return s;
}

static void test_timing_independence(void **state)
{
	static const unsigned bw[] = {64, 16, 4, 1};
	static const unsigned lat[] = {1, 100, 1000};
	int32_t mult[70];
	int8_t shift[70];
	struct npu_conv_spec s = layer(mult, shift);
	size_t ni = npu_conv_in_elems(&s), nw = npu_conv_w_elems(&s), no = npu_conv_out_elems(&s);
	uint8_t *in = malloc(ni), *w = malloc(nw), *ref = malloc(no), *out = malloc(no);
	uint64_t rd_first = 0, cycles_prev = 0;

	(void)state;
	for (size_t i = 0; i < ni; i++)
		in[i] = (uint8_t)(i * 2654435761u >> 24);
	for (size_t i = 0; i < nw; i++)
		w[i] = (uint8_t)(i * 40503u >> 8);
	npu_ref_conv(&s, in, w, ref);
	for (size_t b = 0; b < sizeof(bw) / sizeof(bw[0]); b++)
		for (size_t l = 0; l < sizeof(lat) / sizeof(lat[0]); l++) {
			struct npu_sim_config cfg = {.dram_bytes_per_cycle = bw[b], .dram_latency = lat[l]};
			struct kit k;
			struct kit_result r;
			struct audit au = {&k, 0, 0, 0, 0};

			assert_int_equal(kit_open(&k, &cfg), 0);
			npu_sim_set_access_hook(k.sim, on_access, &au);
			memset(out, 0, no);
			assert_int_equal(kit_conv(&k, &s, in, w, out, &r), 0);
			assert_int_equal(r.err_code, 0);
			assert_memory_equal(out, ref, no);
			uint64_t rd = npu_sim_counter(k.sim, NPU_CNT_RD_BYTES);
			if (!rd_first)
				rd_first = rd;
			assert_int_equal(rd, rd_first);	/* traffic does not depend on timing */
			assert_int_equal(au.escapes, 0);
			assert_true(au.max_read <= (1u << k.caps.dma_burst_log2));
			assert_true(au.max_write <= k.caps.dma_beat);
			if (l == 1) {	/* at the default latency: less bandwidth, more cycles */
				if (cycles_prev)
					assert_true(r.cycles > cycles_prev);
				cycles_prev = r.cycles;
			}
			printf("dram %2u B/cycle, latency %4u: %8llu cycles, %llu bytes read, "
			       "%llu accesses\n", bw[b], lat[l], (unsigned long long)r.cycles,
			       (unsigned long long)rd, (unsigned long long)au.accesses);
			assert_int_equal(npu_sim_faults(k.sim), 0);
			kit_close(&k);
		}
	free(in);
	free(w);
	free(ref);
	free(out);
}

/* Two descriptors on the same weights and inputs: loaded once, until a barrier. */
static void test_buffer_reuse(void **state)
{
	struct kit k;
	struct kit_result r;
	int32_t mult[70];
	int8_t shift[70];
	struct npu_conv_spec s = layer(mult, shift);
	union npu_desc d[1];
	union npu_desc two[2];

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	uint8_t *in = calloc(npu_conv_in_elems(&s), 1), *w = calloc(npu_conv_w_elems(&s), 1);
	uint8_t *out = calloc(npu_conv_out_elems(&s), 1);
	assert_int_equal(kit_conv(&k, &s, in, w, out, &r), 0);
	/* the kit put this layer in one descriptor; take it back from the ring */
	kit_read(&k, k.ring_base + (k.tail - 2) * NPU_DESC_BYTES, d, sizeof(d));
	assert_int_equal(d[0].hdr.opcode, NPU_OP_CONV);
	struct npu_range rg[NPU_T_COUNT];
	npu_conv_ranges(&k.caps, &d[0].conv, rg);
	uint64_t one = (rg[NPU_T_WEIGHTS].end - rg[NPU_T_WEIGHTS].start) +
		       (rg[NPU_T_PARAMS].end - rg[NPU_T_PARAMS].start);

	two[0] = d[0];
	two[1] = d[0];
	uint64_t r0 = npu_sim_counter(k.sim, NPU_CNT_RD_BYTES);
	assert_int_equal(kit_submit(&k, two, 2, &r), 0);
	uint64_t reused = npu_sim_counter(k.sim, NPU_CNT_RD_BYTES) - r0;
	two[1].conv.flags = NPU_CONV_BARRIER;
	r0 = npu_sim_counter(k.sim, NPU_CNT_RD_BYTES);
	assert_int_equal(kit_submit(&k, two, 2, &r), 0);
	uint64_t reloaded = npu_sim_counter(k.sim, NPU_CNT_RD_BYTES) - r0;
	/* the barrier costs exactly one more load of weights, params and input */
	uint64_t input = 0;
	for (int y = 0; y < d[0].conv.in_h; y++)
		input += (uint64_t)d[0].conv.in_w * d[0].conv.groups * d[0].conv.cin_pg;
	assert_int_equal(reloaded - reused, one + input);
	printf("two descriptors: %llu bytes read sharing buffers, %llu after a barrier\n",
	       (unsigned long long)reused, (unsigned long long)reloaded);
	kit_close(&k);
	free(in);
	free(w);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timing_independence),
		cmocka_unit_test(test_buffer_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
