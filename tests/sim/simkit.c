/* SPDX-License-Identifier: MIT */
#include "simkit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"

#define KIT_TIMEOUT_CYCLES (200ull * 1000 * 1000)

static uint32_t rd(void *ctx, uint32_t off)
{
	return npu_sim_reg_read(ctx, off);
}

int kit_open(struct kit *k, const struct npu_sim_config *cfg)
{
	memset(k, 0, sizeof(*k));
	if (npu_sim_create(cfg, &k->sim))
		return -1;
	if (npu_caps_decode(&k->caps, rd, k->sim))
		return -1;
	k->brk = NPU_MEM_RESERVED;
	k->ring_base = kit_alloc(k, KIT_RING_ENTRIES * NPU_DESC_BYTES, NPU_DESC_BYTES);
	k->stats_addr = kit_alloc(k, NPU_FENCE_STATS_BYTES, 64);
	k->brk_floor = k->brk;
	npu_sim_reg_write(k->sim, NPU_REG_RING_BASE, k->ring_base);
	npu_sim_reg_write(k->sim, NPU_REG_RING_SIZE, KIT_RING_ENTRIES);
	npu_sim_reg_write(k->sim, NPU_REG_IRQ_MASK, NPU_IRQ_ALL);
	npu_sim_reg_write(k->sim, NPU_REG_CTRL, NPU_CTRL_ENABLE);
	return (npu_sim_reg_read(k->sim, NPU_REG_STATUS) & NPU_STATUS_ENABLED) ? 0 : -1;
}

void kit_close(struct kit *k)
{
	npu_sim_destroy(k->sim);
	k->sim = NULL;
}

uint32_t kit_alloc(struct kit *k, size_t bytes, size_t align)
{
	uint64_t a = (k->brk + align - 1) / align * align;

	if (a + bytes > npu_sim_mem_size(k->sim)) {
		fprintf(stderr, "simkit: device memory exhausted (%zu bytes)\n", bytes);
		abort();
	}
	k->brk = a + bytes;
	return (uint32_t)a;
}

void kit_reset_heap(struct kit *k)
{
	k->brk = k->brk_floor;
}

void kit_write(struct kit *k, uint32_t addr, const void *src, size_t len)
{
	if (npu_sim_mem_write(k->sim, addr, src, len))
		abort();
}

void kit_read(struct kit *k, uint32_t addr, void *dst, size_t len)
{
	if (npu_sim_mem_read(k->sim, addr, dst, len))
		abort();
}

void kit_push(struct kit *k, const union npu_desc *d)
{
	kit_write(k, k->ring_base + k->tail * NPU_DESC_BYTES, d, NPU_DESC_BYTES);
	k->tail = (k->tail + 1) % KIT_RING_ENTRIES;
}

void kit_doorbell(struct kit *k)
{
	npu_sim_reg_write(k->sim, NPU_REG_RING_TAIL, k->tail);
}

union npu_desc kit_fence(struct kit *k)
{
	union npu_desc f;

	memset(&f, 0, sizeof(f));
	f.fence.opcode = NPU_OP_FENCE;
	f.fence.version = NPU_DESC_VERSION;
	f.fence.flags = NPU_FENCE_IRQ | NPU_FENCE_STATS;
	f.fence.seqno = ++k->seqno;
	f.fence.stats_addr = k->stats_addr;
	return f;
}

int kit_submit(struct kit *k, const union npu_desc *d, size_t n, struct kit_result *res)
{
	union npu_desc f;
	uint64_t start = npu_sim_cycles(k->sim), ran;
	struct kit_result r = {0};
	int done = 0;

	if (n + 1 >= KIT_RING_ENTRIES)
		return -1;
	/* Wait for ring room: the previous job has always completed here. */
	for (size_t i = 0; i < n; i++)
		kit_push(k, &d[i]);
	f = kit_fence(k);
	kit_push(k, &f);
	kit_doorbell(k);

	while (!done) {
		enum npu_sim_stop why = npu_sim_run(k->sim, KIT_TIMEOUT_CYCLES, &ran);
		uint32_t irq = npu_sim_reg_read(k->sim, NPU_REG_IRQ_STATUS);

		if (why != NPU_SIM_STOP_IRQ) {
			fprintf(stderr, "simkit: no interrupt (stop %d, status 0x%x, head %u tail %u)\n",
				why, npu_sim_reg_read(k->sim, NPU_REG_STATUS),
				npu_sim_reg_read(k->sim, NPU_REG_RING_HEAD), k->tail);
			return -1;
		}
		if (irq & NPU_IRQ_ERROR) {
			if (!r.err_code) {
				r.err_code = npu_sim_reg_read(k->sim, NPU_REG_ERR_CODE);
				r.err_index = npu_sim_reg_read(k->sim, NPU_REG_ERR_INDEX);
				r.err_info = npu_sim_reg_read(k->sim, NPU_REG_ERR_INFO);
				r.err_tag = npu_sim_reg_read(k->sim, NPU_REG_ERR_TAG);
			}
			npu_sim_reg_write(k->sim, NPU_REG_IRQ_ACK, NPU_IRQ_ERROR);
		}
		if (irq & NPU_IRQ_FENCE) {
			npu_sim_reg_write(k->sim, NPU_REG_IRQ_ACK, NPU_IRQ_FENCE);
			if (npu_sim_reg_read(k->sim, NPU_REG_FENCE_SEQNO) == k->seqno) {
				r.cycles = npu_sim_cycles(k->sim) - start;
				done = 1;
			}
		}
	}
	if (npu_sim_reg_read(k->sim, NPU_REG_RING_HEAD) != k->tail) {
		fprintf(stderr, "simkit: head %u != tail %u after the fence\n",
			npu_sim_reg_read(k->sim, NPU_REG_RING_HEAD), k->tail);
		return -1;
	}
	if (res)
		*res = r;
	return 0;
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * A plain tiling: all groups per descriptor when the weights fit (else one
 * group), output channels in COLS multiples that fit the weight buffer,
 * output rows (and columns, for wide rows) so pixels fit the accumulators
 * and the input tile fits its buffer.
 */
int kit_conv(struct kit *k, const struct npu_conv_spec *s, const void *in, const void *w,
	     void *out, struct kit_result *res)
{
	return kit_conv_flags(k, s, in, w, out, res, 0);
}

/* Input-buffer bytes of an ih x iw tile of ch channels (npu_ibuf_bytes()). */
static size_t kit_ibuf_need(const struct npu_caps *c, int ih, int iw, int ch, int dwm)
{
	size_t row = (size_t)iw * ((size_t)(ch + (int)c->rows - 1) / c->rows);

	if (dwm)
		row |= 1;
	return (size_t)ih * row * c->rows;
}

int kit_conv_flags(struct kit *k, const struct npu_conv_spec *s, const void *in, const void *w,
		   void *out, struct kit_result *res, unsigned flags)
{
	const struct npu_caps *c = &k->caps;
	int dwm = !!(flags & NPU_CONV_DEPTHWISE);
	int cin_pg = s->in_c / s->groups, kpg = s->out_c / s->groups;
	size_t esize = npu_dtype_bytes(s->out_type);
	size_t in_bytes = npu_conv_in_elems(s), out_bytes = npu_conv_out_elems(s) * esize;
	union npu_desc *descs = NULL;
	size_t nd = 0, cap = 0;
	struct kit_result total = {0}, r;
	uint32_t a_in, a_out;
	int rc = 0;

	kit_reset_heap(k);
	a_in = kit_alloc(k, in_bytes, 64);
	a_out = kit_alloc(k, out_bytes, 64);
	kit_write(k, a_in, in, in_bytes);

	struct npu_pack_range pr = {.ng = s->groups, .nk = kpg};
	int ng = s->groups, nk = kpg;
	if (dwm) {
		int dwc = (int)(c->rows < c->cols ? c->rows : c->cols);

		if (cin_pg != 1 || kpg != 1)
			return -1;
		while (ng > dwc && (npu_pack_dw_weights_bytes(c, s, ng) > c->wbuf_bytes ||
				    ng > (int)c->pbuf_depth ||
				    kit_ibuf_need(c, 1, 1, ng, 1) * 64 > c->ibuf_bytes))
			ng = (ng / 2 + dwc - 1) / dwc * dwc;
	} else if (npu_pack_weights_bytes(c, s, &pr) > c->wbuf_bytes) {
		ng = 1;
		pr.ng = 1;
		while (nk > (int)c->cols && npu_pack_weights_bytes(c, s, &pr) > c->wbuf_bytes) {
			nk = (nk - 1) / (int)c->cols * (int)c->cols;
			pr.nk = nk;
		}
		if (npu_pack_weights_bytes(c, s, &pr) > c->wbuf_bytes)
			return -1;
	}
	if (!dwm && ng * kpg > (int)c->pbuf_depth) {
		ng = 1;
		while (nk > (int)c->cols && nk > (int)c->pbuf_depth)
			nk -= (int)c->cols;
	}

	int tw = s->out_w;
	while ((size_t)tw > c->acc_depth)
		tw = (tw + 1) / 2;
	/* depthwise: the device walks the rows in chunks, only out_w is bounded */
	int th = (dwm || k->big_tiles) ? s->out_h : (int)c->acc_depth / tw;
	if (th > s->out_h)
		th = s->out_h;
	for (;;) {
		int ih = (th - 1) * s->stride_h + (s->kh - 1) * s->dil_h + 1;
		int iw = (tw - 1) * s->stride_w + (s->kw - 1) * s->dil_w + 1;
		size_t need = kit_ibuf_need(c, clampi(ih, 1, s->in_h), clampi(iw, 1, s->in_w),
					    ng * cin_pg, dwm);

		if (need <= c->ibuf_bytes)
			break;
		if (th > 1)
			th = (th + 1) / 2;
		else if (tw > 1)
			tw = (tw + 1) / 2;
		else
			return -1;
	}

	for (int g0 = 0; g0 < s->groups; g0 += ng)
	for (int k0 = 0; k0 < kpg; k0 += nk) {
		struct npu_pack_range rr = {.g0 = g0, .ng = g0 + ng > s->groups ? s->groups - g0 : ng,
					    .k0 = k0, .nk = k0 + nk > kpg ? kpg - k0 : nk};
		size_t wb = dwm ? npu_pack_dw_weights_bytes(c, s, rr.ng) :
				  npu_pack_weights_bytes(c, s, &rr);
		size_t nrec = (size_t)rr.ng * rr.nk;
		uint8_t *wbuf = malloc(wb);
		struct npu_chan_param *cp = malloc(nrec * sizeof(*cp));
		uint32_t a_w = kit_alloc(k, wb, 64), a_cp = kit_alloc(k, nrec * sizeof(*cp), 64);

		if (dwm)
			npu_pack_dw_weights(c, s, w, rr.g0, rr.ng, wbuf);
		else
			npu_pack_weights(c, s, w, &rr, wbuf);
		npu_pack_chan_params(s, &rr, cp);
		kit_write(k, a_w, wbuf, wb);
		kit_write(k, a_cp, cp, nrec * sizeof(*cp));
		free(wbuf);
		free(cp);

		for (int b = 0; b < s->n; b++)
		for (int oy0 = 0; oy0 < s->out_h; oy0 += th)
		for (int ox0 = 0; ox0 < s->out_w; ox0 += tw) {
			int oh = oy0 + th > s->out_h ? s->out_h - oy0 : th;
			int ow = ox0 + tw > s->out_w ? s->out_w - ox0 : tw;
			int ys = oy0 * s->stride_h - s->pad_top;
			int ye = (oy0 + oh - 1) * s->stride_h - s->pad_top + (s->kh - 1) * s->dil_h;
			int xs = ox0 * s->stride_w - s->pad_left;
			int xe = (ox0 + ow - 1) * s->stride_w - s->pad_left + (s->kw - 1) * s->dil_w;
			int y0 = clampi(ys, 0, s->in_h - 1), y1 = clampi(ye, 0, s->in_h - 1);
			int x0 = clampi(xs, 0, s->in_w - 1), x1 = clampi(xe, 0, s->in_w - 1);
			struct npu_desc_conv *d;

			if (nd == cap) {
				cap = cap ? cap * 2 : 64;
				descs = realloc(descs, cap * sizeof(*descs));
			}
			d = &descs[nd++].conv;
			memset(d, 0, sizeof(*d));
			d->opcode = NPU_OP_CONV;
			d->version = NPU_DESC_VERSION;
			d->flags = (uint16_t)flags;
			d->tag = (uint32_t)nd;
			d->in_addr = a_in + (uint32_t)((((size_t)b * s->in_h + y0) * s->in_w + x0) * s->in_c +
						       (size_t)g0 * cin_pg);
			d->in_row_stride = (uint32_t)((size_t)s->in_w * s->in_c);
			d->in_pix_stride = (uint32_t)s->in_c;
			d->in_h = (uint16_t)(y1 - y0 + 1);
			d->in_w = (uint16_t)(x1 - x0 + 1);
			d->groups = (uint16_t)rr.ng;
			d->cin_pg = (uint16_t)cin_pg;
			d->cout_pg = (uint16_t)rr.nk;
			d->out_h = (uint16_t)oh;
			d->out_w = (uint16_t)ow;
			d->kh = (uint8_t)s->kh;
			d->kw = (uint8_t)s->kw;
			d->stride_h = (uint8_t)s->stride_h;
			d->stride_w = (uint8_t)s->stride_w;
			d->dil_h = (uint8_t)s->dil_h;
			d->dil_w = (uint8_t)s->dil_w;
			d->pad_top = (uint8_t)(y0 - ys);
			d->pad_left = (uint8_t)(x0 - xs);
			d->pad_bottom = (uint8_t)(ye > y1 ? ye - y1 : 0);
			d->pad_right = (uint8_t)(xe > x1 ? xe - x1 : 0);
			d->w_addr = a_w;
			d->cp_addr = a_cp;
			d->out_addr = a_out + (uint32_t)(((((size_t)b * s->out_h + oy0) * s->out_w + ox0) *
							  s->out_c + (size_t)g0 * kpg + k0) * esize);
			d->out_row_stride = (uint32_t)((size_t)s->out_w * s->out_c * esize);
			d->out_pix_stride = (uint32_t)((size_t)s->out_c * esize);
			d->in_type = (uint8_t)s->in_type;
			d->w_type = (uint8_t)s->w_type;
			d->out_type = (uint8_t)s->out_type;
			d->rq_mode = (uint8_t)s->rq_mode;
			d->in_zp = (int16_t)s->in_zp;
			d->out_zp = (int16_t)s->out_zp;
			if (s->out_type != NPU_TYPE_INT32) {
				d->act_min = (int16_t)s->act_min;
				d->act_max = (int16_t)s->act_max;
			}
		}
	}

	for (size_t i = 0; i < nd && !rc; i += KIT_RING_ENTRIES / 2) {
		size_t m = nd - i < KIT_RING_ENTRIES / 2 ? nd - i : KIT_RING_ENTRIES / 2;

		rc = kit_submit(k, descs + i, m, &r);
		total.cycles += r.cycles;
		if (!rc && r.err_code && !total.err_code)
			total = (struct kit_result){r.err_code, r.err_index, r.err_info, r.err_tag,
						    total.cycles};
	}
	free(descs);
	kit_read(k, a_out, out, out_bytes);
	if (res)
		*res = total;
	return rc;
}

uint64_t kit_seed(void)
{
	const char *e = getenv("NPU_TEST_SEED");

	return e ? strtoull(e, NULL, 0) : 20261125ull;
}

int kit_quick(void)
{
	const char *e = getenv("NPU_TEST_QUICK");

	return e && *e && *e != '0';
}
