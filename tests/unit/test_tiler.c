/* SPDX-License-Identifier: MIT */
/*
 * Tiler properties over random layer shapes (C up to 2048, K up to 1000,
 * 1x1x1 to 224x224) and several device configurations: the tiles cover
 * every output element exactly once, every tile's descriptor fits every
 * buffer (npu_check_desc() accepts it), and the planned traffic is at least
 * what the tiles must move. Depthwise-mode layers too, and reductions too
 * long for one descriptor (accumulator chains: their links consecutive and
 * covering every input channel once).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tiler.h"

static uint64_t rng;

static uint32_t rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static int pick(int lo, int hi)
{
	return lo + (int)(rnd() % (uint32_t)(hi - lo + 1));
}

static struct npu_caps caps_default(void)
{
	struct npu_caps c = {
		.rows = NPU_DEF_ROWS, .cols = NPU_DEF_COLS, .ibuf_bytes = NPU_DEF_IBUF_BYTES,
		.wbuf_bytes = NPU_DEF_WBUF_BYTES, .acc_depth = NPU_DEF_ACC_DEPTH,
		.pbuf_depth = NPU_DEF_PBUF_DEPTH, .features = NPU_DEF_FEATURES,
		.max_k = NPU_DEF_MAX_K, .max_stride = NPU_DEF_MAX_STRIDE, .max_dil = NPU_DEF_MAX_DIL,
		.max_dim = NPU_DEF_MAX_DIM, .mem_log2 = 31, .mem_reserved = NPU_MEM_RESERVED,
		.dma_beat = NPU_DEF_DMA_BEAT, .desc_bytes = NPU_DESC_BYTES,
	};
	return c;
}

static void random_geom(struct npu_tile_geom *g)
{
	int family = pick(0, 6);

	memset(g, 0, sizeof(*g));
	g->n = pick(1, 6) == 1 ? pick(2, 3) : 1;
	g->groups = 1;
	g->sh = g->sw = g->dh = g->dw = 1;
	g->kh = g->kw = 1;
	switch (family) {
	case 0:	/* FC, up to 2048 -> 1000; some as long as VGG's 25088 (chains) */
		g->in_h = g->in_w = 1;
		g->cin_pg = pick(0, 3) ? pick(1, 2048) : pick(2048, 30000);
		g->cout_pg = pick(1, 1000);
		break;
	case 1:	/* big images, few channels */
		g->in_h = pick(100, 224);
		g->in_w = pick(100, 224);
		g->cin_pg = pick(1, 8);
		g->cout_pg = pick(1, 64);
		g->kh = g->kw = pick(1, 7);
		g->sh = g->sw = pick(1, 2);
		break;
	case 2:	/* deep layers */
		g->in_h = g->in_w = pick(1, 14);
		g->cin_pg = pick(256, 2048);
		g->cout_pg = pick(1, 1000);
		g->kh = g->kw = pick(0, 1) ? 1 : 3;
		break;
	case 3:	/* grouped */
		g->groups = pick(2, 64);
		g->cin_pg = pick(1, 32);
		g->cout_pg = pick(1, 32);
		g->in_h = pick(1, 40);
		g->in_w = pick(1, 40);
		g->kh = g->kw = pick(1, 5);
		break;
	case 4:	/* 1x1x1 */
		g->in_h = g->in_w = 1;
		g->cin_pg = g->cout_pg = 1;
		break;
	case 5:	/* depthwise mode: up to 1024 channels, 224x224, kernels up to 7x7 */
		g->depthwise = 1;
		g->groups = pick(1, 1024);
		g->cin_pg = g->cout_pg = 1;
		g->in_h = pick(1, 224);
		g->in_w = pick(1, 224);
		g->kh = pick(1, 7);
		g->kw = pick(1, 7);
		g->sh = g->sw = pick(1, 2);
		g->dh = pick(1, 4) == 1 ? 2 : 1;
		g->dw = pick(1, 4) == 1 ? 2 : 1;
		break;
	default:
		g->in_h = pick(1, 64);
		g->in_w = pick(1, 64);
		g->cin_pg = pick(1, 300);
		g->cout_pg = pick(1, 300);
		g->kh = pick(1, 11);
		g->kw = pick(1, 11);
		g->sh = pick(1, 4);
		g->sw = pick(1, 4);
		g->dh = pick(1, 3);
		g->dw = pick(1, 3);
		break;
	}
	int eh = (g->kh - 1) * g->dh + 1, ew = (g->kw - 1) * g->dw + 1;
	g->pt = pick(0, eh - 1);
	g->pb = pick(0, eh - 1);
	g->pl = pick(0, ew - 1);
	g->pr = pick(0, ew - 1);
	while (g->in_h + g->pt + g->pb < eh)
		g->in_h++;
	while (g->in_w + g->pl + g->pr < ew)
		g->in_w++;
	g->out_h = (g->in_h + g->pt + g->pb - eh) / g->sh + 1;
	g->out_w = (g->in_w + g->pl + g->pr - ew) / g->sw + 1;
	g->out_esize = pick(0, 3) ? 1 : 4;
}

/* The descriptor a tile becomes, with addresses anywhere valid. */
static void tile_desc(const struct npu_tile_geom *g, const struct npu_tile *t, union npu_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->conv.opcode = NPU_OP_CONV;
	d->conv.version = NPU_DESC_VERSION;
	d->conv.flags = g->depthwise ? NPU_CONV_DEPTHWISE : 0;
	if (t->link + 1 < t->n_links)
		d->conv.flags |= NPU_CONV_ACC_HOLD;
	if (t->link > 0)
		d->conv.flags |= NPU_CONV_ACC_CONT;
	d->conv.in_addr = NPU_MEM_RESERVED;
	d->conv.in_row_stride = (uint32_t)((size_t)g->in_w * g->groups * g->cin_pg);
	d->conv.in_pix_stride = (uint32_t)(g->groups * g->cin_pg);
	d->conv.in_h = (uint16_t)t->ih;
	d->conv.in_w = (uint16_t)t->iw;
	d->conv.groups = (uint16_t)t->ng;
	d->conv.cin_pg = (uint16_t)t->nc;
	d->conv.cout_pg = (uint16_t)t->nk;
	d->conv.out_h = (uint16_t)t->oh;
	d->conv.out_w = (uint16_t)t->ow;
	d->conv.kh = (uint8_t)g->kh;
	d->conv.kw = (uint8_t)g->kw;
	d->conv.stride_h = (uint8_t)g->sh;
	d->conv.stride_w = (uint8_t)g->sw;
	d->conv.dil_h = (uint8_t)g->dh;
	d->conv.dil_w = (uint8_t)g->dw;
	d->conv.pad_top = (uint8_t)t->pt;
	d->conv.pad_left = (uint8_t)t->pl;
	d->conv.pad_bottom = (uint8_t)t->pb;
	d->conv.pad_right = (uint8_t)t->pr;
	d->conv.w_addr = NPU_MEM_RESERVED;
	d->conv.cp_addr = NPU_MEM_RESERVED;
	d->conv.out_addr = NPU_MEM_RESERVED;
	d->conv.out_row_stride = (uint32_t)((size_t)g->out_w * g->groups * g->cout_pg * g->out_esize);
	d->conv.out_pix_stride = (uint32_t)((size_t)g->groups * g->cout_pg * g->out_esize);
	d->conv.out_type = g->out_esize == 4 ? NPU_TYPE_INT32 : NPU_TYPE_INT8;
	d->conv.rq_mode = g->out_esize == 4 ? NPU_RQ_NONE : NPU_RQ_FIXED;
	if (g->out_esize == 1) {
		d->conv.act_min = -128;
		d->conv.act_max = 127;
	}
}

static void check_plan(const struct npu_caps *c, const struct npu_tile_geom *g, int t_idx)
{
	struct npu_tiling t;
	const char *why;
	size_t nout = (size_t)g->n * g->out_h * g->out_w * g->groups * g->cout_pg;

	if (npu_tile_plan(c, g, &t, &why)) {
		/* refusing is allowed only for the documented reasons */
		int cc = (g->cin_pg + (int)c->rows - 1) / (int)c->rows;
		uint64_t one_slice = (uint64_t)g->kh * g->kw * cc * c->rows * c->cols;
		/* ungrouped layers chain their reduction: only one ROWS slice must fit */
		uint64_t one_link = (uint64_t)g->kh * g->kw * c->rows * c->cols;
		if ((one_slice <= c->wbuf_bytes || (g->groups == 1 && one_link <= c->wbuf_bytes)) &&
		    g->kh <= (int)c->max_k && g->kw <= (int)c->max_k)
			fail_msg("case %d: refused (%s) a layer whose weights fit", t_idx, why);
		return;
	}
	uint8_t *seen = calloc(nout, 1);
	uint64_t must = 0, chain_cover = 0;
	assert_non_null(seen);
	for (uint64_t i = 0; i < t.n_tiles; i++) {
		struct npu_tile tl;
		union npu_desc d;
		uint32_t info;
		uint64_t in, w, p, out;

		npu_tile_get(&t, g, i, &tl);
		tile_desc(g, &tl, &d);
		/* an accumulator chain's links: consecutive, covering the reduction */
		if (t.n_links > 1) {
			assert_int_equal(tl.n_links, t.n_links);
			assert_true(tl.nc >= 1 && tl.c0 + tl.nc <= g->cin_pg);
			if (tl.link == 0)
				chain_cover = 0;
			chain_cover += (uint64_t)tl.nc;
			if (tl.link + 1 == tl.n_links && chain_cover != (uint64_t)g->cin_pg)
				fail_msg("case %d tile %llu: a chain covers %llu of %d input channels",
					 t_idx, (unsigned long long)i, (unsigned long long)chain_cover,
					 g->cin_pg);
			if (tl.link + 1 < tl.n_links)
				continue;	/* the outputs count once, at the last link */
		}
		int e = npu_check_desc(c, &d, &info);
		if (e)
			fail_msg("case %d tile %llu: the device would refuse it: error %d info 0x%x", t_idx,
				 (unsigned long long)i, e, info);
		npu_tile_bytes(c, g, &tl, &in, &w, &p, &out);
		must += out;
		/* the tile's window, as the device computes it, maps onto the layer's */
		assert_int_equal(tl.iy0 - tl.pt, tl.oy0 * g->sh - g->pt);
		assert_int_equal(tl.ix0 - tl.pl, tl.ox0 * g->sw - g->pl);
		for (int y = tl.oy0; y < tl.oy0 + tl.oh; y++)
			for (int x = tl.ox0; x < tl.ox0 + tl.ow; x++)
				for (int gg = tl.g0; gg < tl.g0 + tl.ng; gg++)
					for (int k = tl.k0; k < tl.k0 + tl.nk; k++) {
						size_t e2 = ((((size_t)tl.b * g->out_h + y) * g->out_w + x) *
							     g->groups + gg) * g->cout_pg + k;
						if (seen[e2]++)
							fail_msg("case %d: output (%d,%d,%d,%d,%d) computed twice",
								 t_idx, tl.b, y, x, gg, k);
					}
	}
	for (size_t e = 0; e < nout; e++)
		if (!seen[e])
			fail_msg("case %d: output element %zu never computed", t_idx, e);
	assert_true(t.planned_bytes >= must);
	free(seen);
}

static void sweep(struct npu_caps c, int cases, const char *what)
{
	uint64_t seed = getenv("NPU_TEST_SEED") ? strtoull(getenv("NPU_TEST_SEED"), NULL, 0) : 77;

	printf("test_tiler %s: seed %llu, %d shapes\n", what, (unsigned long long)seed, cases);
	rng = seed;
	for (int i = 0; i < cases; i++) {
		struct npu_tile_geom g;

		random_geom(&g);
		check_plan(&c, &g, i);
	}
}

static void test_default_device(void **state)
{
	(void)state;
	sweep(caps_default(), getenv("NPU_TEST_QUICK") ? 120 : 1200, "16x16 default");
}

static void test_other_configurations(void **state)
{
	struct npu_caps small = caps_default(), wide = caps_default();

	(void)state;
	small.rows = small.cols = 8;
	small.ibuf_bytes = 16384;
	small.wbuf_bytes = 8192;
	small.acc_depth = 64;
	small.pbuf_depth = 128;
	wide.rows = 32;
	wide.cols = 16;
	wide.ibuf_bytes = 262144;
	sweep(small, getenv("NPU_TEST_QUICK") ? 40 : 300, "8x8 small buffers");
	sweep(wide, getenv("NPU_TEST_QUICK") ? 40 : 300, "32x16");
}

/* Named shapes from the issue, with what the plan should look like. */
static void test_known_layers(void **state)
{
	struct npu_caps c = caps_default();
	struct npu_tiling t;
	const char *why;
	struct npu_tile_geom fc = {.n = 1, .in_h = 1, .in_w = 1, .groups = 1, .cin_pg = 2048,
		.cout_pg = 1000, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .out_h = 1,
		.out_w = 1, .out_esize = 1};
	struct npu_tile_geom r3 = {.n = 1, .in_h = 56, .in_w = 56, .groups = 1, .cin_pg = 64,
		.cout_pg = 64, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .pt = 1,
		.pl = 1, .pb = 1, .pr = 1, .out_h = 56, .out_w = 56, .out_esize = 1};

	(void)state;
	assert_int_equal(npu_tile_plan(&c, &fc, &t, &why), 0);
	check_plan(&c, &fc, -1);
	/* FC: every weight byte once (it is memory bound) */
	assert_true(t.planned_bytes < t.compulsory_bytes + t.n_tiles * (NPU_DESC_BYTES + 2048));
	assert_int_equal(npu_tile_plan(&c, &r3, &t, &why), 0);
	check_plan(&c, &r3, -2);
	/*
	 * all 64 output channels in one chunk: weights loaded once, input once
	 * plus halos (tiles of a few rows, so the first computes early and the
	 * last ends soon); compute bound, and estimated within 1% of the array
	 * doing nothing but this layer's MACs (56*56*64*64*9 / 256 cycles)
	 */
	assert_int_equal(t.nk, 64);
	assert_true(t.planned_bytes < t.compulsory_bytes * 13 / 10);
	assert_true(t.est_cycles <= 56ull * 56 * 64 * 64 * 9 / 256 * 101 / 100);
	/* a 20x20 kernel is beyond the device: refused with a reason */
	r3.kh = r3.kw = 20;
	r3.in_h = r3.in_w = 20;
	r3.pt = r3.pl = r3.pb = r3.pr = 0;
	r3.out_h = r3.out_w = 1;
	assert_int_equal(npu_tile_plan(&c, &r3, &t, &why), -1);
	assert_non_null(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_device),
		cmocka_unit_test(test_other_configurations),
		cmocka_unit_test(test_known_layers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
