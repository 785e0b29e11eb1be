/* SPDX-License-Identifier: MIT */
/*
 * tiler.h - splitting one convolution into device descriptors.
 *
 * The tiler works on the geometry the device sees (after the plan's host
 * transformations: im2col, group packing, batch folding). It sizes tiles
 * from the buffer capacities the device reports (input, weight,
 * accumulator and parameter buffers), chooses the loop order that moves
 * the fewest DRAM bytes (weights stationary across spatial tiles, or input
 * tiles stationary across output-channel chunks), and enumerates tiles in
 * that order so the device's loader can reuse what it already holds and
 * prefetch the next tile while the current one computes.
 *
 * A reduction too long for one descriptor (a COLS-output weight slice
 * beyond the weight buffer) becomes accumulator chains: per output tile,
 * links over the input channels, consecutive, HOLD then CONT
 * (hw/npu_hw.h); every other chain runs its links backwards so that its
 * first link reuses the input the last chain's last link loaded.
 *
 * The device walks a tile's rows in chunks that fit an accumulator bank,
 * so a tile may hold as many rows as the input buffer does: fewer tiles,
 * fewer input rows loaded twice (an accumulator chain's link excepted).
 */
#ifndef NPU_TILER_H
#define NPU_TILER_H

#include <stddef.h>
#include <stdint.h>

#include "npu_hw_check.h"

struct npu_tile_geom {
	int n, in_h, in_w;
	int groups, cin_pg, cout_pg;	/* as the device sees them */
	int kh, kw, sh, sw, dh, dw;
	int pt, pl, pb, pr;
	int out_h, out_w;
	int out_esize;			/* bytes per output element */
	int depthwise;			/* NPU_CONV_DEPTHWISE: cin_pg = cout_pg = 1 */
	int dram_bw;			/* bytes per cycle the estimate assumes (0: 16) */
};

struct npu_tiling {
	int ng;			/* groups per descriptor */
	int nk;			/* output channels per group per descriptor */
	int nc;			/* input channels per group per descriptor (cin_pg, or
				   a chain link's share) */
	int n_links;		/* descriptors per accumulator chain (1: no chains) */
	int th, tw;		/* output rows and columns per tile */
	int k_outer;		/* loop k-chunks outside spatial tiles (weights stay) */
	uint64_t n_tiles;	/* descriptors */
	uint64_t planned_bytes;	/* DRAM bytes the descriptors will move */
	uint64_t compulsory_bytes;
	uint64_t est_cycles;	/* pipeline estimate of the device's cycles (tiler.c) */
};

/* One descriptor's worth of work. */
struct npu_tile {
	int b;			/* image */
	int g0, ng;		/* groups */
	int k0, nk;		/* output channels within each group */
	int c0, nc;		/* input channels within each group (a chain link's) */
	int link, n_links;	/* link of its accumulator chain (n_links 1: none) */
	int oy0, oh, ox0, ow;	/* output window */
	int iy0, ih, ix0, iw;	/* input rows/columns present in memory */
	int pt, pb, pl, pr;	/* virtual padding around them */
};

/*
 * Picks the tiling. Returns 0, or -1 with *why when the layer cannot run on
 * the device (a reduction too long for the weight buffer, padding wider than
 * the kernel, dimensions beyond the device's limits).
 */
int npu_tile_plan(const struct npu_caps *c, const struct npu_tile_geom *g,
		  struct npu_tiling *t, const char **why);

/* The i-th descriptor's tile, in submission order (0 <= i < t->n_tiles). */
void npu_tile_get(const struct npu_tiling *t, const struct npu_tile_geom *g, uint64_t i,
		  struct npu_tile *out);

/* Bytes one tile moves when nothing is reused (its input, weights, params, output). */
void npu_tile_bytes(const struct npu_caps *c, const struct npu_tile_geom *g,
		    const struct npu_tile *tl, uint64_t *in, uint64_t *w, uint64_t *p,
		    uint64_t *out);

#endif /* NPU_TILER_H */
