/* SPDX-License-Identifier: MIT */
/*
 * The DMA read engine (hw/rtl/npu_dma_rd.sv) on its own: two clients with
 * random bursts, a memory with random backpressure and latency. Every
 * granted burst reaches the port in grant order with its kind and index,
 * every beat comes back labelled with the right client, tag, burst length
 * and position and the right bytes, a burst outside memory is refused with
 * a fault and never issued, a drop discards beats without losing count, and
 * the engine ends empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "npu_hw.h"
#include "rtl_units.h"

#define MAXQ 4096

static uint64_t rng;

static uint32_t rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static int kit_quick_count(void)
{
	return getenv("NPU_TEST_QUICK") ? 60 : 600;
}

struct burst {
	uint32_t addr, tag;
	uint16_t len, idx;
	uint8_t kind, client, bad;
};

static uint8_t mem_byte(uint32_t a)
{
	return (uint8_t)(a * 2654435761u >> 24);
}

static void run(int with_drop)
{
	struct dma_model *m = dma_open();
	struct dma_io io;
	static struct burst want[2][MAXQ];	/* per client, to issue */
	static struct burst issued[MAXQ];	/* granted, in order: what the port must show */
	static struct burst mem_q[MAXQ];	/* accepted by memory */
	uint64_t mem_ready_at[MAXQ];
	int nw[2] = {0, 0}, pos[2] = {0, 0}, n_issued = 0, port_seen = 0, beats_checked = 0;
	int mq_head = 0, mq_tail = 0, consumed = 0, faults = 0, expected_faults = 0;
	uint32_t sent = 0;	/* bytes of the memory queue head already returned */
	const uint32_t mem_log2 = 24;

	memset(want, 0, sizeof(want));
	for (int c = 0; c < 2; c++) {
		nw[c] = kit_quick_count();
		for (int i = 0; i < nw[c]; i++) {
			struct burst *b = &want[c][i];
			b->client = (uint8_t)c;
			b->len = (uint16_t)(c == 0 ? 128 : 1 + rnd() % 4096);
			b->addr = NPU_MEM_RESERVED + rnd() % ((1u << mem_log2) - NPU_MEM_RESERVED - 4096);
			b->kind = (uint8_t)(c == 0 ? 0 : 1 + rnd() % 3);
			b->idx = (uint16_t)rnd();
			b->tag = c == 0 ? 0 : rnd() & 0xffffff;
			if (c == 1 && rnd() % 20 == 0) {	/* outside memory, or in the reserved area */
				b->addr = rnd() & 1 ? (1u << mem_log2) - b->len / 2 : rnd() % NPU_MEM_RESERVED;
				b->bad = 1;
				expected_faults++;
			}
		}
	}
	memset(&io, 0, sizeof(io));
	io.mem_log2 = (uint8_t)mem_log2;
	for (uint64_t cyc = 0; cyc < 5000000; cyc++) {
		int busy = pos[0] < nw[0] || pos[1] < nw[1] || mq_head != mq_tail || port_seen < n_issued;
		if (!busy && io.empty)
			break;
		for (int c = 0; c < 2; c++) {
			io.c_valid[c] = pos[c] < nw[c];
			if (io.c_valid[c]) {
				const struct burst *b = &want[c][pos[c]];
				io.c_addr[c] = b->addr;
				io.c_len[c] = b->len;
				io.c_kind[c] = b->kind;
				io.c_idx[c] = b->idx;
				io.c_tag[c] = b->tag;
			}
		}
		io.rd_req_ready = rnd() % 10 < 7 && mq_tail - mq_head < 64;
		io.rd_valid = 0;
		if (mq_head != mq_tail && mem_ready_at[mq_head % MAXQ] <= cyc && rnd() % 10 < 8) {
			const struct burst *b = &mem_q[mq_head % MAXQ];
			io.rd_valid = 1;
			for (int i = 0; i < 64; i++)
				io.rd_data[i] = sent + (uint32_t)i < b->len ? mem_byte(b->addr + sent + i) : 0;
		}
		io.drop = with_drop && cyc >= 2000 && cyc < 2600;
		io.hold = io.drop;
		uint8_t presented = io.rd_valid;
		dma_cycle(m, &io);

		/* the port: in grant order, with everything it was granted with */
		if (io.rd_req_valid && io.rd_req_ready) {
			const struct burst *e = &issued[port_seen % MAXQ];
			if (getenv("DMA_TRACE"))
				printf("cyc %llu port 0x%x+%u idx %u\n", (unsigned long long)cyc,
				       io.rd_req_addr, io.rd_req_len, io.rd_req_idx);
			if (port_seen >= n_issued || io.rd_req_addr != e->addr || io.rd_req_len != e->len ||
			    io.rd_req_kind != e->kind || io.rd_req_idx != e->idx)
				fail_msg("cycle %llu: port shows 0x%x+%u kind %u idx %u, expected burst %d "
					 "(0x%x+%u idx %u) of %d granted", (unsigned long long)cyc,
					 io.rd_req_addr, io.rd_req_len, io.rd_req_kind, io.rd_req_idx,
					 port_seen, e->addr, e->len, e->idx, n_issued);
			mem_q[mq_tail % MAXQ] = *e;
			mem_ready_at[mq_tail % MAXQ] = cyc + 1 + rnd() % 150;
			mq_tail++;
			port_seen++;
		}
		/* beats: labelled and intact, unless dropped */
		if (presented) {
			const struct burst *b = &mem_q[mq_head % MAXQ];
			if (io.drop) {
				assert_int_equal(io.beat_valid, 0);
			} else {
				if (!io.beat_valid || io.beat_client != b->client || io.beat_tag != b->tag ||
				    io.beat_len != b->len || io.beat_num != sent / 64)
					fail_msg("beat %u of burst 0x%x: valid %u client %u tag 0x%x len %u num %u",
						 sent / 64, b->addr, io.beat_valid, io.beat_client, io.beat_tag,
						 io.beat_len, io.beat_num);
				for (uint32_t i = 0; i < 64 && sent + i < b->len; i++)
					assert_int_equal(io.beat_data[i], mem_byte(b->addr + sent + i));
				beats_checked++;
			}
			sent += 64;
			if (sent >= b->len) {
				sent = 0;
				mq_head++;
				consumed++;
			}
		}
		/* grants (the fault shows after the edge of a refused grant) */
		faults += io.fault;
		for (int c = 0; c < 2; c++)
			if (io.c_valid[c] && io.c_ready[c]) {
				if (getenv("DMA_TRACE"))
					printf("cyc %llu grant c%d 0x%x+%u idx %u bad %u hold %u\n",
				       (unsigned long long)cyc, c, want[c][pos[c]].addr, want[c][pos[c]].len,
				       want[c][pos[c]].idx, want[c][pos[c]].bad, io.hold);
				if (!want[c][pos[c]].bad)
					issued[n_issued++ % MAXQ] = want[c][pos[c]];
				pos[c]++;
			}
	}
	assert_int_equal(pos[0], nw[0]);
	assert_int_equal(pos[1], nw[1]);
	assert_int_equal(port_seen, n_issued);
	assert_int_equal(consumed, n_issued);
	assert_int_equal(faults, expected_faults);
	assert_true(io.empty);
	printf("test_rtl_dma: %d bursts, %d beats checked, %d refused%s\n", n_issued, beats_checked,
	       faults, with_drop ? ", with a drop window" : "");
	dma_close(m);
}

static void test_random_traffic(void **state)
{
	(void)state;
	run(0);
}

static void test_drop_window(void **state)
{
	(void)state;
	run(1);
}

int main(void)
{
	const char *e = getenv("NPU_TEST_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_traffic),
		cmocka_unit_test(test_drop_window),
	};

	rng = e ? strtoull(e, NULL, 0) : 0xd3a2026ull;
	printf("test_rtl_dma: seed 0x%llx (NPU_TEST_SEED to replay)\n", (unsigned long long)rng);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
