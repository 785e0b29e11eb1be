/* SPDX-License-Identifier: MIT */
/*
 * npu_hw_check.h - what the device checks, written once in C.
 *
 * The device validates every descriptor before it touches memory for it;
 * this file is the executable form of those rules (in the documented
 * priority order), shared by the kernel driver (to reject a job before it
 * reaches the device), the library (to catch its own bugs) and the tests
 * (which compare the RTL's verdict with this one on random descriptors).
 * Kernel-safe: no libc, only 64-bit arithmetic.
 */
#ifndef NPU_HW_CHECK_H
#define NPU_HW_CHECK_H

#include "npu_hw.h"

#ifdef __KERNEL__
#include <linux/stddef.h>
#else
#include <stddef.h>
#endif

/* The device's limits, as read from the CAP_* registers. */
struct npu_caps {
	__u32 rows, cols;
	__u32 ibuf_bytes, wbuf_bytes, acc_depth, pbuf_depth;
	__u32 features;
	__u32 max_k, max_stride, max_dil, max_dim;
	__u32 mem_log2, mem_reserved;
	__u32 dma_beat, dma_burst_log2, dma_outstanding;
	__u32 desc_bytes, desc_version, ring_log2_max;
};

/* Fills caps from a register reader; returns 0, or -1 on a foreign ID. */
static inline int npu_caps_decode(struct npu_caps *c,
				  __u32 (*rd)(void *ctx, __u32 off), void *ctx)
{
	__u32 v;

	if (rd(ctx, NPU_REG_ID) != NPU_ID_VALUE ||
	    (rd(ctx, NPU_REG_VERSION) >> 16) != NPU_VERSION_MAJOR)
		return -1;
	v = rd(ctx, NPU_REG_CAP_ARRAY);
	c->rows = v & 0xff;
	c->cols = (v >> 8) & 0xff;
	c->ibuf_bytes = rd(ctx, NPU_REG_CAP_IBUF);
	c->wbuf_bytes = rd(ctx, NPU_REG_CAP_WBUF);
	c->acc_depth = rd(ctx, NPU_REG_CAP_ACC);
	c->pbuf_depth = rd(ctx, NPU_REG_CAP_PBUF);
	c->features = rd(ctx, NPU_REG_CAP_FEATURES);
	v = rd(ctx, NPU_REG_CAP_KERNEL);
	c->max_k = v & 0xff;
	c->max_stride = (v >> 8) & 0xff;
	c->max_dil = (v >> 16) & 0xff;
	c->mem_log2 = rd(ctx, NPU_REG_CAP_MEM) & 0xff;
	c->mem_reserved = rd(ctx, NPU_REG_CAP_MEM_RSVD);
	v = rd(ctx, NPU_REG_CAP_DMA);
	c->dma_beat = v & 0xff;
	c->dma_burst_log2 = (v >> 8) & 0xff;
	c->dma_outstanding = (v >> 16) & 0xff;
	v = rd(ctx, NPU_REG_CAP_DESC);
	c->desc_bytes = v & 0xff;
	c->desc_version = (v >> 8) & 0xff;
	c->ring_log2_max = (v >> 16) & 0xff;
	c->max_dim = rd(ctx, NPU_REG_CAP_MAX_DIM);
	if (!c->rows || !c->cols || c->desc_bytes != NPU_DESC_BYTES)
		return -1;
	return 0;
}

static inline __u32 npu_div_up(__u32 a, __u32 b)
{
	return (a + b - 1) / b;
}

static inline __u32 npu_dtype_bytes(__u32 t)
{
	return t == NPU_TYPE_INT32 ? 4 : 1;
}

/*
 * How NPU_CONV_DEPTHWISE cuts a layer (npu_hw.h, struct npu_desc_conv):
 * channels per slice, and the tap slices of the kernel.
 */
struct npu_dw_geom {
	__u32 dwc;		/* channels per slice: min(ROWS, COLS) */
	__u32 tw, th;		/* full tap slice: kernel columns and rows */
	__u32 n_sx, n_sy;	/* tap slices across and down the kernel */
	__u32 n_cs;		/* channel slices: ceil(groups / dwc) */
};

static inline void npu_dw_geom(const struct npu_caps *c, const struct npu_desc_conv *d,
			       struct npu_dw_geom *g)
{
	g->dwc = c->rows < c->cols ? c->rows : c->cols;
	g->tw = d->kw < c->rows ? d->kw : c->rows;
	g->th = g->tw ? c->rows / g->tw : 0;
	if (g->th > d->kh)
		g->th = d->kh;
	g->n_sx = g->tw ? npu_div_up(d->kw, g->tw) : 0;
	g->n_sy = g->th ? npu_div_up(d->kh, g->th) : 0;
	g->n_cs = npu_div_up(d->groups, g->dwc);
}

/* Bytes of packed weights a conv descriptor reads. */
static inline __u64 npu_weight_bytes(const struct npu_caps *c,
				     const struct npu_desc_conv *d)
{
	struct npu_dw_geom g;

	if (d->flags & NPU_CONV_DEPTHWISE) {
		npu_dw_geom(c, d, &g);
		return (__u64)g.n_cs * g.n_sy * g.n_sx * c->rows * c->cols;
	}
	return (__u64)d->groups * npu_div_up(d->cout_pg, c->cols) *
	       d->kh * d->kw * npu_div_up(d->cin_pg, c->rows) *
	       c->rows * c->cols;
}

/*
 * Bytes of input-buffer space an input tile takes: pixels padded to ROWS
 * bytes; in depthwise mode each row padded to an odd number of ROWS-byte
 * words (so that the rows of a kernel column sit in different banks).
 */
static inline __u64 npu_ibuf_bytes(const struct npu_caps *c,
				   const struct npu_desc_conv *d)
{
	__u32 ch = (__u32)d->groups * d->cin_pg;
	__u64 row = (__u64)d->in_w * npu_div_up(ch, c->rows);

	if (d->flags & NPU_CONV_DEPTHWISE)
		row |= 1;
	return (__u64)d->in_h * row * c->rows;
}

/* A half-open byte range [start, end) in device memory. */
struct npu_range {
	__u64 start, end;
};

enum npu_conv_tensor {
	NPU_T_INPUT = 0,
	NPU_T_WEIGHTS,
	NPU_T_PARAMS,
	NPU_T_OUTPUT,
	NPU_T_COUNT
};

/* Byte ranges a (dimension-valid) conv descriptor reads and writes. */
static inline void npu_conv_ranges(const struct npu_caps *c,
				   const struct npu_desc_conv *d,
				   struct npu_range r[NPU_T_COUNT])
{
	__u64 ch_in = (__u64)d->groups * d->cin_pg;
	__u64 ch_out = (__u64)d->groups * d->cout_pg;

	r[NPU_T_INPUT].start = d->in_addr;
	r[NPU_T_INPUT].end = (__u64)d->in_addr +
			     (__u64)(d->in_h - 1) * d->in_row_stride +
			     (__u64)(d->in_w - 1) * d->in_pix_stride + ch_in;
	r[NPU_T_WEIGHTS].start = d->w_addr;
	r[NPU_T_WEIGHTS].end = (__u64)d->w_addr + npu_weight_bytes(c, d);
	r[NPU_T_PARAMS].start = d->cp_addr;
	r[NPU_T_PARAMS].end = (__u64)d->cp_addr + ch_out * NPU_CHAN_PARAM_BYTES;
	r[NPU_T_OUTPUT].start = d->out_addr;
	r[NPU_T_OUTPUT].end = (__u64)d->out_addr +
			      (__u64)(d->out_h - 1) * d->out_row_stride +
			      (__u64)(d->out_w - 1) * d->out_pix_stride +
			      ch_out * npu_dtype_bytes(d->out_type);
}

static inline int npu_range_ok(const struct npu_caps *c, __u64 start, __u64 end)
{
	return start >= c->mem_reserved && end <= (1ull << c->mem_log2) &&
	       start < end;
}

static inline int npu_zp_ok(__u32 type, __s32 zp)
{
	if (type == NPU_TYPE_INT8)
		return zp >= -128 && zp <= 127;
	if (type == NPU_TYPE_UINT8)
		return zp >= 0 && zp <= 255;
	return zp == 0;
}

#define NPU_CHECK_FAIL(code, field) \
	do { *info = (field); return (code); } while (0)

/* First nonzero 32-bit reserved word, as a byte offset; 0 if none. */
static inline __u32 npu_first_reserved(const union npu_desc *d, __u32 from)
{
	__u32 off;

	for (off = from; off < NPU_DESC_BYTES; off += 4)
		if (d->bytes[off] | d->bytes[off + 1] | d->bytes[off + 2] |
		    d->bytes[off + 3])
			return off;
	return 0;
}

static inline int npu_check_conv(const struct npu_caps *c,
				 const struct npu_desc_conv *d, __u32 *info)
{
	struct npu_range r[NPU_T_COUNT];
	__u32 off;
	int lo, hi, i;
	const __u32 chain = NPU_CONV_ACC_HOLD | NPU_CONV_ACC_CONT;
	static const __u32 roff[NPU_T_COUNT] = {
		offsetof(struct npu_desc_conv, in_addr),
		offsetof(struct npu_desc_conv, w_addr),
		offsetof(struct npu_desc_conv, cp_addr),
		offsetof(struct npu_desc_conv, out_addr),
	};

	if ((d->flags & ~NPU_CONV_FLAGS_ALL) ||
	    ((d->flags & NPU_CONV_DEPTHWISE) && (d->flags & chain)))
		NPU_CHECK_FAIL(NPU_ERR_RESERVED, offsetof(struct npu_desc_conv, flags));
	off = npu_first_reserved((const union npu_desc *)d,
				 offsetof(struct npu_desc_conv, reserved));
	if (off)
		NPU_CHECK_FAIL(NPU_ERR_RESERVED, off);

	if (d->in_type > NPU_TYPE_UINT8)
		NPU_CHECK_FAIL(NPU_ERR_TYPE, offsetof(struct npu_desc_conv, in_type));
	if (d->w_type > NPU_TYPE_UINT8)
		NPU_CHECK_FAIL(NPU_ERR_TYPE, offsetof(struct npu_desc_conv, w_type));
	if (d->out_type > NPU_TYPE_INT32)
		NPU_CHECK_FAIL(NPU_ERR_TYPE, offsetof(struct npu_desc_conv, out_type));
	if (d->rq_mode > NPU_RQ_FP32 ||
	    (d->out_type == NPU_TYPE_INT32) != (d->rq_mode == NPU_RQ_NONE))
		NPU_CHECK_FAIL(NPU_ERR_TYPE, offsetof(struct npu_desc_conv, rq_mode));

	if (!d->in_h || d->in_h > c->max_dim)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, in_h));
	if (!d->in_w || d->in_w > c->max_dim)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, in_w));
	if (!d->groups)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, groups));
	if (!d->cin_pg)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, cin_pg));
	if (!d->cout_pg)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, cout_pg));
	if ((d->flags & NPU_CONV_DEPTHWISE) && d->cin_pg != 1)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, cin_pg));
	if ((d->flags & NPU_CONV_DEPTHWISE) && d->cout_pg != 1)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, cout_pg));
	/* a link of an accumulator chain is one pass of the array */
	if ((d->flags & chain) && d->groups != 1)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, groups));
	if ((d->flags & chain) && d->cout_pg > c->cols)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, cout_pg));
	if (!d->out_h || d->out_h > c->max_dim)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, out_h));
	if (!d->out_w || d->out_w > c->max_dim)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, out_w));
	if (!d->kh || d->kh > c->max_k)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, kh));
	if (!d->kw || d->kw > c->max_k)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, kw));
	if (!d->stride_h || d->stride_h > c->max_stride)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, stride_h));
	if (!d->stride_w || d->stride_w > c->max_stride)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, stride_w));
	if (!d->dil_h || d->dil_h > c->max_dil)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, dil_h));
	if (!d->dil_w || d->dil_w > c->max_dil)
		NPU_CHECK_FAIL(NPU_ERR_DIM, offsetof(struct npu_desc_conv, dil_w));

	if (!npu_zp_ok(d->in_type, d->in_zp))
		NPU_CHECK_FAIL(NPU_ERR_ZERO_POINT, offsetof(struct npu_desc_conv, in_zp));
	if (!npu_zp_ok(d->out_type, d->out_zp))
		NPU_CHECK_FAIL(NPU_ERR_ZERO_POINT, offsetof(struct npu_desc_conv, out_zp));

	if (d->out_type == NPU_TYPE_INT32) {
		if (d->act_min)
			NPU_CHECK_FAIL(NPU_ERR_CLAMP, offsetof(struct npu_desc_conv, act_min));
		if (d->act_max)
			NPU_CHECK_FAIL(NPU_ERR_CLAMP, offsetof(struct npu_desc_conv, act_max));
	} else {
		lo = d->out_type == NPU_TYPE_INT8 ? -128 : 0;
		hi = d->out_type == NPU_TYPE_INT8 ? 127 : 255;
		if (d->act_min < lo || d->act_min > hi)
			NPU_CHECK_FAIL(NPU_ERR_CLAMP, offsetof(struct npu_desc_conv, act_min));
		if (d->act_max < lo || d->act_max > hi || d->act_max < d->act_min)
			NPU_CHECK_FAIL(NPU_ERR_CLAMP, offsetof(struct npu_desc_conv, act_max));
	}

	if ((__u32)(d->out_h - 1) * d->stride_h + (__u32)(d->kh - 1) * d->dil_h + 1 >
	    (__u32)d->pad_top + d->in_h + d->pad_bottom)
		NPU_CHECK_FAIL(NPU_ERR_GEOMETRY, offsetof(struct npu_desc_conv, out_h));
	if ((__u32)(d->out_w - 1) * d->stride_w + (__u32)(d->kw - 1) * d->dil_w + 1 >
	    (__u32)d->pad_left + d->in_w + d->pad_right)
		NPU_CHECK_FAIL(NPU_ERR_GEOMETRY, offsetof(struct npu_desc_conv, out_w));

	if (npu_ibuf_bytes(c, d) > c->ibuf_bytes)
		NPU_CHECK_FAIL(NPU_ERR_CAPACITY, NPU_CAP_IBUF);
	if (npu_weight_bytes(c, d) > c->wbuf_bytes)
		NPU_CHECK_FAIL(NPU_ERR_CAPACITY, NPU_CAP_WBUF);
	/* the device works through a tile's rows in chunks that fit a bank;
	   a chain's link must be one pass */
	if ((d->flags & chain) ? (__u32)d->out_h * d->out_w > c->acc_depth :
	    d->out_w > c->acc_depth)
		NPU_CHECK_FAIL(NPU_ERR_CAPACITY, NPU_CAP_ACC);
	if ((__u32)d->groups * d->cout_pg > c->pbuf_depth)
		NPU_CHECK_FAIL(NPU_ERR_CAPACITY, NPU_CAP_PBUF);

	npu_conv_ranges(c, d, r);
	for (i = 0; i < NPU_T_COUNT; i++)
		if (!npu_range_ok(c, r[i].start, r[i].end))
			NPU_CHECK_FAIL(NPU_ERR_ADDRESS, roff[i]);
	return NPU_ERR_NONE;
}

static inline int npu_check_fence(const struct npu_caps *c,
				  const struct npu_desc_fence *d, __u32 *info)
{
	__u32 off;

	if (d->flags & ~NPU_FENCE_FLAGS_ALL)
		NPU_CHECK_FAIL(NPU_ERR_RESERVED, offsetof(struct npu_desc_fence, flags));
	off = npu_first_reserved((const union npu_desc *)d,
				 offsetof(struct npu_desc_fence, reserved));
	if (off)
		NPU_CHECK_FAIL(NPU_ERR_RESERVED, off);
	if (d->flags & NPU_FENCE_STATS) {
		if (!npu_range_ok(c, d->stats_addr,
				  (__u64)d->stats_addr + NPU_FENCE_STATS_BYTES))
			NPU_CHECK_FAIL(NPU_ERR_ADDRESS,
				       offsetof(struct npu_desc_fence, stats_addr));
	} else if (d->stats_addr) {
		NPU_CHECK_FAIL(NPU_ERR_RESERVED, offsetof(struct npu_desc_fence, stats_addr));
	}
	return NPU_ERR_NONE;
}

/*
 * The verdict the device gives a descriptor: NPU_ERR_NONE or the error it
 * raises, with *info set to what ERR_INFO will hold.
 */
static inline int npu_check_desc(const struct npu_caps *c,
				 const union npu_desc *d, __u32 *info)
{
	__u32 off;

	*info = 0;
	if (d->hdr.opcode > NPU_OP_FENCE)
		NPU_CHECK_FAIL(NPU_ERR_OPCODE, offsetof(struct npu_desc_hdr, opcode));
	if (d->hdr.version != NPU_DESC_VERSION)
		NPU_CHECK_FAIL(NPU_ERR_VERSION, offsetof(struct npu_desc_hdr, version));
	switch (d->hdr.opcode) {
	case NPU_OP_CONV:
		return npu_check_conv(c, &d->conv, info);
	case NPU_OP_FENCE:
		return npu_check_fence(c, &d->fence, info);
	default:
		if (d->nop.flags)
			NPU_CHECK_FAIL(NPU_ERR_RESERVED, offsetof(struct npu_desc_nop, flags));
		off = npu_first_reserved(d, offsetof(struct npu_desc_nop, reserved));
		if (off)
			NPU_CHECK_FAIL(NPU_ERR_RESERVED, off);
		return NPU_ERR_NONE;
	}
}

/*
 * Accumulator chains (NPU_CONV_ACC_HOLD / _CONT), checked in ring order on
 * descriptors npu_check_desc() accepted, as the device does when it fetches
 * them: a CONT must directly follow a HOLD of the same out_h, out_w and
 * cout_pg; a HOLD must be followed by a CONT. s carries the state from one
 * descriptor to the next (zero it at the start of a job, and after an
 * error: the device then skips to the job's fence). Returns NPU_ERR_NONE or
 * NPU_ERR_SEQUENCE with *info = the flags' offset.
 */
struct npu_chain_state {
	int held;
	__u16 out_h, out_w, cout_pg;
};

static inline int npu_check_seq(struct npu_chain_state *s, const union npu_desc *d, __u32 *info)
{
	int conv = d->hdr.opcode == NPU_OP_CONV;
	int cont = conv && (d->conv.flags & NPU_CONV_ACC_CONT);

	*info = 0;
	if (s->held != cont ||
	    (cont && (d->conv.out_h != s->out_h || d->conv.out_w != s->out_w ||
		      d->conv.cout_pg != s->cout_pg))) {
		s->held = 0;
		*info = offsetof(struct npu_desc_hdr, flags);
		return NPU_ERR_SEQUENCE;
	}
	s->held = conv && (d->conv.flags & NPU_CONV_ACC_HOLD);
	s->out_h = d->conv.out_h;
	s->out_w = d->conv.out_w;
	s->cout_pg = d->conv.cout_pg;
	return NPU_ERR_NONE;
}

/*
 * The verdict on one channel-parameter record (checked by the device when
 * it loads the record). On error *info = field offset within the record.
 */
static inline int npu_check_chan_param(const struct npu_desc_conv *d,
				       const struct npu_chan_param *p, __u32 *info)
{
	*info = 0;
	if (d->rq_mode == NPU_RQ_FP32 && ((p->scale >> 23) & 0xff) == 0xff)
		NPU_CHECK_FAIL(NPU_ERR_CHAN_PARAM, offsetof(struct npu_chan_param, scale));
	if (d->rq_mode == NPU_RQ_NONE && p->scale)
		NPU_CHECK_FAIL(NPU_ERR_CHAN_PARAM, offsetof(struct npu_chan_param, scale));
	if (d->rq_mode == NPU_RQ_FIXED ?
	    (p->shift < NPU_SHIFT_MIN || p->shift > NPU_SHIFT_MAX) : p->shift != 0)
		NPU_CHECK_FAIL(NPU_ERR_CHAN_PARAM, offsetof(struct npu_chan_param, shift));
	if (p->reserved0)
		NPU_CHECK_FAIL(NPU_ERR_CHAN_PARAM, offsetof(struct npu_chan_param, reserved0));
	if (!npu_zp_ok(d->w_type, p->w_zp))
		NPU_CHECK_FAIL(NPU_ERR_CHAN_PARAM, offsetof(struct npu_chan_param, w_zp));
	if (p->reserved1)
		NPU_CHECK_FAIL(NPU_ERR_CHAN_PARAM, offsetof(struct npu_chan_param, reserved1));
	return NPU_ERR_NONE;
}

#undef NPU_CHECK_FAIL

#endif /* NPU_HW_CHECK_H */
