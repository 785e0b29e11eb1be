/* SPDX-License-Identifier: MIT */
/*
 * simkit: what the device tests share. A simulator with a ring set up, a
 * bump allocator for device memory, job submission (descriptors + a fence)
 * and a convolution runner that maps a layer onto descriptors with a plain
 * tiling (the library's tiler is tested on its own).
 */
#ifndef NPU_SIMKIT_H
#define NPU_SIMKIT_H

#include <stddef.h>
#include <stdint.h>

#include "npu_hw_check.h"
#include "npu_ref.h"
#include "npu_sim.h"

#define KIT_RING_ENTRIES 1024u

struct kit {
	struct npu_sim *sim;
	struct npu_caps caps;
	uint32_t ring_base;
	uint32_t tail;
	uint32_t seqno;
	uint64_t brk;		/* next free device address */
	uint64_t brk_floor;	/* allocations above it are released by kit_reset_heap() */
	uint32_t stats_addr;
	int big_tiles;		/* kit_conv: tiles of all rows that fit the input buffer
				   (the device then works through them in row chunks) */
};

struct kit_result {
	uint32_t err_code, err_index, err_info, err_tag;
	uint64_t cycles;	/* doorbell to interrupt */
};

int kit_open(struct kit *k, const struct npu_sim_config *cfg);
void kit_close(struct kit *k);
uint32_t kit_alloc(struct kit *k, size_t bytes, size_t align);
void kit_reset_heap(struct kit *k);
void kit_write(struct kit *k, uint32_t addr, const void *src, size_t len);
void kit_read(struct kit *k, uint32_t addr, void *dst, size_t len);

/*
 * Puts n descriptors and a fence (IRQ + stats) in the ring, rings the
 * doorbell, runs to the interrupt and acknowledges it. When the device
 * reports an error, acknowledges that too (the device then skips to the
 * fence) and keeps going until the fence completes. Returns 0 when the
 * fence completed, -1 on a timeout or a wrong seqno.
 */
int kit_submit(struct kit *k, const union npu_desc *d, size_t n, struct kit_result *res);

/* Lower level: put one descriptor in the ring / publish the tail. */
void kit_push(struct kit *k, const union npu_desc *d);
void kit_doorbell(struct kit *k);
/* A fence descriptor with the next seqno (IRQ + stats). */
union npu_desc kit_fence(struct kit *k);

/* Runs a whole conv on the device: uploads, tiles, submits, downloads. */
int kit_conv(struct kit *k, const struct npu_conv_spec *s, const void *in, const void *w,
	     void *out, struct kit_result *res);
/*
 * The same with descriptor flags; NPU_CONV_DEPTHWISE needs in_c = out_c =
 * groups (-1 otherwise) and packs the weights for that mode.
 */
int kit_conv_flags(struct kit *k, const struct npu_conv_spec *s, const void *in, const void *w,
		   void *out, struct kit_result *res, unsigned flags);

/* The tests' random numbers: a 64-bit LCG, seeded and reproducible. */
static inline uint32_t kit_rand(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

static inline int kit_pick(uint64_t *state, int lo, int hi)
{
	return lo + (int)(kit_rand(state) % (uint32_t)(hi - lo + 1));
}

uint64_t kit_seed(void);
int kit_quick(void);

#endif
