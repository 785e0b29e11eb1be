/* SPDX-License-Identifier: MIT */
#include "tiler.h"

#include <string.h>

static int64_t ceil_div(int64_t a, int64_t b)
{
	return (a + b - 1) / b;
}

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t imax(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* The device's view of a depthwise descriptor of ng channels (npu_dw_geom()). */
static void dw_geom(const struct npu_caps *c, const struct npu_tile_geom *g, int ng,
		    struct npu_dw_geom *dg)
{
	struct npu_desc_conv d = {0};

	d.kh = (uint8_t)g->kh;
	d.kw = (uint8_t)g->kw;
	d.groups = (uint16_t)ng;
	npu_dw_geom(c, &d, dg);
}

/* Weight bytes of a descriptor of ng groups, nk outputs and cin inputs per group. */
static uint64_t weight_bytes_c(const struct npu_caps *c, const struct npu_tile_geom *g, int ng,
			       int nk, int cin)
{
	struct npu_dw_geom dg;

	if (g->depthwise) {
		dw_geom(c, g, ng, &dg);
		return (uint64_t)dg.n_cs * dg.n_sy * dg.n_sx * c->rows * c->cols;
	}
	return (uint64_t)ng * ceil_div(nk, c->cols) * g->kh * g->kw *
	       ceil_div(cin, c->rows) * c->rows * c->cols;
}

static uint64_t weight_bytes(const struct npu_caps *c, const struct npu_tile_geom *g, int ng, int nk)
{
	return weight_bytes_c(c, g, ng, nk, g->cin_pg);
}

/* Rows of input a window of `o` outputs starting anywhere needs (at most). */
static int64_t in_span(int o, int stride, int k, int dil, int limit)
{
	return imin((int64_t)(o - 1) * stride + (int64_t)(k - 1) * dil + 1, limit);
}

/* Input-buffer bytes of a tile of th x tw outputs, ng groups of cin inputs. */
static uint64_t ibuf_need(const struct npu_caps *c, const struct npu_tile_geom *g, int ng, int cin,
			  int th, int tw)
{
	int64_t words = ceil_div((int64_t)ng * cin, c->rows);
	int64_t row = in_span(tw, g->sw, g->kw, g->dw, g->in_w) * words;

	if (g->depthwise)
		row |= 1;	/* the device keeps rows on an odd number of words */
	return (uint64_t)(in_span(th, g->sh, g->kh, g->dh, g->in_h) * row * c->rows);
}

static int fits_spatial(const struct npu_caps *c, const struct npu_tile_geom *g, int ng, int cin,
			int th, int tw)
{
	/* the device works through a tile's rows in chunks that fit a bank;
	   an accumulator chain's link must fit one whole */
	uint64_t acc = cin < g->cin_pg ? (uint64_t)th * tw : (uint64_t)tw;

	return acc <= c->acc_depth && th <= (int)c->max_dim && tw <= (int)c->max_dim &&
	       ibuf_need(c, g, ng, cin, th, tw) <= c->ibuf_bytes &&
	       in_span(th, g->sh, g->kh, g->dh, g->in_h) <= c->max_dim &&
	       in_span(tw, g->sw, g->kw, g->dw, g->in_w) <= c->max_dim;
}

void npu_tile_get(const struct npu_tiling *t, const struct npu_tile_geom *g, uint64_t i,
		  struct npu_tile *o)
{
	uint64_t n_g = ceil_div(g->groups, t->ng), n_k = ceil_div(g->cout_pg, t->nk);
	uint64_t n_y = ceil_div(g->out_h, t->th), n_x = ceil_div(g->out_w, t->tw);
	uint64_t n_l = t->n_links > 1 ? (uint64_t)t->n_links : 1;
	uint64_t gi, ki, yi, xi, b, li, chain = i / n_l;

	/* an accumulator chain's links are consecutive; every other chain runs
	   them backwards, so that its first link reuses the input just loaded */
	li = i % n_l;
	if (chain % 2)
		li = n_l - 1 - li;
	i = chain;
	if (t->k_outer) {
		xi = i % n_x; i /= n_x;
		yi = i % n_y; i /= n_y;
		ki = i % n_k; i /= n_k;
	} else {
		ki = i % n_k; i /= n_k;
		xi = i % n_x; i /= n_x;
		yi = i % n_y; i /= n_y;
	}
	gi = i % n_g;
	b = i / n_g;

	memset(o, 0, sizeof(*o));
	o->b = (int)b;
	o->g0 = (int)gi * t->ng;
	o->ng = (int)imin(t->ng, g->groups - o->g0);
	o->k0 = (int)ki * t->nk;
	o->nk = (int)imin(t->nk, g->cout_pg - o->k0);
	o->oy0 = (int)yi * t->th;
	o->oh = (int)imin(t->th, g->out_h - o->oy0);
	o->ox0 = (int)xi * t->tw;
	o->ow = (int)imin(t->tw, g->out_w - o->ox0);
	o->n_links = (int)n_l;
	o->link = (int)(chain % 2 ? n_l - 1 - li : li);
	o->c0 = t->n_links > 1 ? (int)li * t->nc : 0;
	o->nc = t->n_links > 1 ? (int)imin(t->nc, g->cin_pg - o->c0) : g->cin_pg;

	/* the input window, clipped to the image; the rest is virtual padding */
	int64_t ys = (int64_t)o->oy0 * g->sh - g->pt;
	int64_t ye = (int64_t)(o->oy0 + o->oh - 1) * g->sh - g->pt + (int64_t)(g->kh - 1) * g->dh;
	int64_t xs = (int64_t)o->ox0 * g->sw - g->pl;
	int64_t xe = (int64_t)(o->ox0 + o->ow - 1) * g->sw - g->pl + (int64_t)(g->kw - 1) * g->dw;
	int64_t y0 = imax(ys, 0), y1 = imin(ye, g->in_h - 1);
	int64_t x0 = imax(xs, 0), x1 = imin(xe, g->in_w - 1);

	o->iy0 = (int)y0;
	o->ih = (int)(y1 - y0 + 1);
	o->ix0 = (int)x0;
	o->iw = (int)(x1 - x0 + 1);
	o->pt = (int)(y0 - ys);
	o->pb = (int)imax(ye - y1, 0);
	o->pl = (int)(x0 - xs);
	o->pr = (int)imax(xe - x1, 0);
}

void npu_tile_bytes(const struct npu_caps *c, const struct npu_tile_geom *g,
		    const struct npu_tile *tl, uint64_t *in, uint64_t *w, uint64_t *p, uint64_t *out)
{
	*in = (uint64_t)tl->ih * tl->iw * tl->ng * tl->nc;
	*w = weight_bytes_c(c, g, tl->ng, tl->nk, tl->nc);
	*p = (uint64_t)tl->ng * tl->nk * NPU_CHAN_PARAM_BYTES;
	*out = (uint64_t)tl->oh * tl->ow * tl->ng * tl->nk * g->out_esize;
}

/*
 * Compute cycles of one tile, roughly. Normal mode: one pixel per cycle per
 * (group, channel slice, tap, input slice). Depthwise: per channel slice
 * and tap slice, one read per new input column of each pixel (the stride's
 * columns when the window slides, all of them at a row's start), each
 * column in ceil(th / NB) reads.
 */
static uint64_t tile_cycles(const struct npu_caps *c, const struct npu_tile_geom *g,
			    const struct npu_tile *tl, int cc)
{
	struct npu_dw_geom dg;

	if (!g->depthwise) {
		/* per pass and row chunk: a few cycles to set up the bank */
		int64_t rows = imax(1, c->acc_depth / (uint32_t)tl->ow);
		uint64_t passes = (uint64_t)tl->ng * ceil_div(tl->nk, c->cols) * ceil_div(tl->oh, rows);
		return (uint64_t)tl->oh * tl->ow * tl->ng * ceil_div(tl->nk, c->cols) * g->kh *
			       g->kw * cc + 4ull * passes + 24;
	}
	dw_geom(c, g, tl->ng, &dg);
	int64_t nb = c->dma_beat && c->dma_beat / c->rows ? c->dma_beat / c->rows : 1;
	int64_t col = ceil_div(dg.th, nb);
	int64_t per_px = (g->dw == 1 && g->sw < (int)dg.tw) ? g->sw : (int64_t)dg.tw;
	uint64_t chunks = (uint64_t)ceil_div((int64_t)tl->oh * tl->ow, c->acc_depth) + 1;
	return (uint64_t)dg.n_cs * dg.n_sy * dg.n_sx *
		       (uint64_t)(tl->oh * ((int64_t)tl->ow * per_px + dg.tw) * col) +
	       8ull * dg.n_cs * chunks + 24;
}

/* The DRAM the estimate assumes by default: the simulated device's. */
#define EST_BW 16.0		/* bytes per cycle, reads and writes together */
#define EST_LAT 100.0		/* cycles from a read request to its first beat */
#define EST_OUTSTANDING 32.0	/* bursts in flight */

/* Read bursts of a tile's input: one per row when its rows are dense, else one per pixel. */
static uint64_t in_bursts(const struct npu_caps *c, const struct npu_tile_geom *g,
			  const struct npu_tile *tl)
{
	int64_t ch = (int64_t)tl->ng * tl->nc;
	int dense = tl->ng == g->groups && tl->nc == g->cin_pg && ch % c->rows == 0;

	return dense ? (uint64_t)tl->ih * ceil_div((int64_t)tl->iw * ch, 4096)
		     : (uint64_t)tl->ih * tl->iw * ceil_div(ch, 4096);
}

/*
 * Walks the tiles as the device will. Bytes: the loader reuses a buffer
 * when the next descriptor needs exactly what the last one loaded into it.
 * Time: a pipeline of loads and compute over two buffer sets. A tile's
 * loads start once the loader is free and the tile two before released
 * its set; it computes once its parameters and input arrived (its weights
 * stream in behind, hw/rtl/npu_loader.sv) and the tile before finished.
 * Small per-pixel bursts are bound by the read latency rather than the
 * bandwidth. The estimate is the later of the pipeline's end and the time
 * DRAM needs for every byte (outputs included), plus the last tile's drain.
 */
static void account(const struct npu_caps *c, const struct npu_tile_geom *g, struct npu_tiling *t)
{
	struct npu_tile tl, last = {0};
	uint64_t bytes = 0;
	double load_free = 0, done1 = 0, done2 = 0;	/* compute of the tile before, two before */
	double bw = g->dram_bw > 0 ? g->dram_bw : EST_BW;

	for (uint64_t i = 0; i < t->n_tiles; i++) {
		uint64_t in, w, p, out;

		npu_tile_get(t, g, i, &tl);
		npu_tile_bytes(c, g, &tl, &in, &w, &p, &out);
		int same_in = i && tl.b == last.b && tl.g0 == last.g0 && tl.iy0 == last.iy0 &&
			      tl.ih == last.ih && tl.ix0 == last.ix0 && tl.iw == last.iw &&
			      tl.c0 == last.c0;
		int same_w = i && tl.g0 == last.g0 && tl.k0 == last.k0 && tl.ng == last.ng &&
			     tl.nk == last.nk && tl.c0 == last.c0;
		int cc = (int)ceil_div(tl.nc, c->rows);
		uint64_t ld_in = same_in ? 0 : in, ld_wp = same_w ? 0 : w + p;
		bytes += NPU_DESC_BYTES + out + ld_in + ld_wp;

		double t_in = ld_in / bw, t_p = same_w ? 0 : p / bw;
		double t_w = same_w ? 0 : w / bw;
		if (ld_in && in_bursts(c, g, &tl) * (EST_LAT / EST_OUTSTANDING) > t_in)
			t_in = in_bursts(c, g, &tl) * (EST_LAT / EST_OUTSTANDING);
		double start = load_free > done2 ? load_free : done2;
		double ready = start + (ld_in || ld_wp ? EST_LAT : 0) + t_p + t_in;
		load_free = ready + t_w;
		double cstart = ready > done1 ? ready : done1;
		double cend = cstart + (double)tile_cycles(c, g, &tl, cc);
		if (cend < load_free)
			cend = load_free;
		done2 = done1;
		done1 = cend;
		last = tl;
	}
	t->planned_bytes = bytes;
	double dram = bytes / bw + EST_LAT, end = done1 > dram ? done1 : dram;
	t->est_cycles = (uint64_t)end + (uint64_t)last.oh * last.ow + 16;
}

/* Better: fewer estimated cycles, then fewer bytes, then fewer descriptors. */
static int better(const struct npu_tiling *a, const struct npu_tiling *b)
{
	if (a->est_cycles != b->est_cycles)
		return a->est_cycles < b->est_cycles;
	if (a->planned_bytes != b->planned_bytes)
		return a->planned_bytes < b->planned_bytes;
	return a->n_tiles < b->n_tiles;
}

/* Fills t for (ng, nk, nc, links, th, tw, order) and estimates it. */
static void candidate(const struct npu_caps *c, const struct npu_tile_geom *g, int ng, int nk,
		      int nc, int n_links, int th, int tw, int order, struct npu_tiling *t)
{
	memset(t, 0, sizeof(*t));
	t->ng = ng;
	t->nk = nk;
	t->nc = nc;
	t->n_links = n_links;
	t->th = th;
	t->tw = tw;
	t->k_outer = order;
	t->n_tiles = (uint64_t)g->n * ceil_div(g->groups, ng) * ceil_div(g->cout_pg, nk) *
		     ceil_div(g->out_h, th) * ceil_div(g->out_w, tw) * n_links;
	t->compulsory_bytes = (uint64_t)g->n * g->in_h * g->in_w * g->groups * g->cin_pg +
			      weight_bytes(c, g, g->groups, g->cout_pg) +
			      (uint64_t)g->groups * g->cout_pg * NPU_CHAN_PARAM_BYTES +
			      (uint64_t)g->n * g->out_h * g->out_w * g->groups * g->cout_pg *
				      g->out_esize;
	account(c, g, t);
}

int npu_tile_plan(const struct npu_caps *c, const struct npu_tile_geom *g, struct npu_tiling *best,
		  const char **why)
{
	int eff_h = (g->kh - 1) * g->dh + 1, eff_w = (g->kw - 1) * g->dw + 1;

	*why = NULL;
	if (g->kh > (int)c->max_k || g->kw > (int)c->max_k) {
		*why = "kernel larger than the device's";
		return -1;
	}
	if (g->sh > (int)c->max_stride || g->sw > (int)c->max_stride) {
		*why = "stride larger than the device's";
		return -1;
	}
	if (g->dh > (int)c->max_dil || g->dw > (int)c->max_dil) {
		*why = "dilation larger than the device's";
		return -1;
	}
	if (g->pt >= eff_h || g->pb >= eff_h || g->pl >= eff_w || g->pr >= eff_w || g->pt > 255 ||
	    g->pb > 255 || g->pl > 255 || g->pr > 255) {
		*why = "padding as wide as the kernel";
		return -1;
	}
	if (g->groups > 65535 || g->cin_pg > 65535 || g->cout_pg > 65535) {
		*why = "channel counts beyond the descriptor's fields";
		return -1;
	}

	/* channels: whole groups per descriptor when they fit, else chunks of one group */
	int ng = g->groups, nk = g->cout_pg, nc = g->cin_pg, n_links = 1;
	if (g->depthwise && (g->cin_pg != 1 || g->cout_pg != 1)) {
		*why = "depthwise mode needs one channel per group";
		return -1;
	}
	int dwc = (int)(c->rows < c->cols ? c->rows : c->cols);
	while (ng > 1 && (weight_bytes(c, g, ng, nk) > c->wbuf_bytes ||
			  (uint64_t)ng * nk > c->pbuf_depth || !fits_spatial(c, g, ng, nc, 1, 1)))
		/* depthwise: whole channel slices per descriptor */
		ng = g->depthwise && ng > dwc ? (int)(ceil_div(ceil_div(ng, 2), dwc) * dwc)
					      : (int)ceil_div(ng, 2);
	if (ng == 1 && !g->depthwise) {
		int cols = (int)c->cols;
		while (nk > cols && (weight_bytes(c, g, 1, nk) > c->wbuf_bytes ||
				     (uint64_t)nk > c->pbuf_depth))
			nk = (int)((nk - 1) / cols * cols);
		if (weight_bytes(c, g, 1, nk) > c->wbuf_bytes || (uint64_t)nk > c->pbuf_depth ||
		    !fits_spatial(c, g, 1, nc, 1, 1)) {
			/*
			 * The reduction does not fit one descriptor: an accumulator
			 * chain of links over the input channels, each a pass of
			 * at most COLS outputs (hw/npu_hw.h, NPU_CONV_ACC_HOLD).
			 */
			if (g->groups != 1 || !(c->features & NPU_FEAT_ACC_CHAIN)) {
				*why = "reduction too long for the weight buffer";
				return -1;
			}
			nk = (int)imin(nk, cols);
			for (n_links = 2;; n_links++) {
				nc = (int)(ceil_div(ceil_div(g->cin_pg, n_links), c->rows) * c->rows);
				if (weight_bytes_c(c, g, 1, nk, nc) <= c->wbuf_bytes &&
				    fits_spatial(c, g, 1, nc, 1, 1))
					break;
				if (nc <= (int)c->rows) {
					*why = "one input channel's kernel does not fit the weight buffer";
					return -1;
				}
			}
			n_links = (int)ceil_div(g->cin_pg, nc);
		} else {
			/* balance the chunks: as many as needed, each as even as the array allows */
			int64_t n_k = ceil_div(g->cout_pg, nk);
			int64_t even = ceil_div(ceil_div(g->cout_pg, n_k), cols) * cols;
			if (even < nk)
				nk = (int)even;
		}
	}
	if (!fits_spatial(c, g, ng, nc, 1, 1)) {
		*why = "one output pixel's input does not fit the input buffer";
		return -1;
	}

	/*
	 * Candidates, scored by the pipeline estimate: the widest rows that
	 * fit; the most rows that fit, and fewer (smaller tiles start computing
	 * sooner and end with a shorter tail); both loop orders; in depthwise
	 * mode also fewer channels per tile (no input loaded twice, unlike rows).
	 */
	int tw = (int)imin(g->out_w, c->acc_depth);
	while (tw > 1 && !fits_spatial(c, g, ng, nc, 1, tw))
		tw = (int)ceil_div(tw, 2);
	tw = (int)ceil_div(g->out_w, ceil_div(g->out_w, tw));
	struct npu_tiling cand;
	int have = 0;
	for (int cng = ng; cng >= 1;) {
		int th_max = n_links == 1 ? g->out_h : (int)imin(g->out_h, c->acc_depth / (uint32_t)tw);
		while (th_max > 1 && !fits_spatial(c, g, cng, nc, th_max, tw))
			th_max--;
		for (int h = th_max; h >= 1; h = h > 1 ? h / 2 : 0) {
			int bal = (int)ceil_div(g->out_h, ceil_div(g->out_h, h));
			for (int v = 0; v < 2; v++) {
				int th = v ? bal : h;

				if (v && bal == h)
					continue;
				for (int order = 0; order < 2; order++) {
					candidate(c, g, cng, nk, nc, n_links, th, tw, order, &cand);
					if (!have || better(&cand, best))
						*best = cand;
					have = 1;
				}
			}
		}
		/* depthwise: halve the channels while a pixel's bytes stay a fair burst */
		int next = (int)(ceil_div(ceil_div(cng, 2), dwc) * dwc);
		if (!g->depthwise || cng <= dwc || next < 64 || next >= cng)
			break;
		cng = next;
	}
	return 0;
}
