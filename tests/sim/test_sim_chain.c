/* SPDX-License-Identifier: MIT */
/*
 * Accumulator chains (NPU_CONV_ACC_HOLD / NPU_CONV_ACC_CONT) on the RTL.
 *
 * test_random_chains: seeded layers (FC with long reductions, 3x3 and
 * other kernels over many input channels, batches) whose reduction is cut
 * into 1 to 8 links of random lengths, each link a descriptor over its
 * input channels; the outputs must equal the C reference bit for bit.
 * Every run prints its seed; NPU_TEST_SEED replays it, NPU_TEST_CASES sets
 * the count. Built for the 16x16 and the 8x8 array.
 *
 * test_chain_rules: what breaks a chain (a CONT without a HOLD, a HOLD
 * followed by a NOP, a FENCE or a CONT of another shape; a link of two
 * groups or more than COLS channels; DEPTHWISE with a chain flag) gets the
 * error npu_check_desc() and npu_check_seq() predict, at the descriptor
 * they name; the device then runs a good chain correctly.
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

static uint64_t rng;

static uint32_t rnd(void)
{
	return kit_rand(&rng);
}

static int pick(int lo, int hi)
{
	return kit_pick(&rng, lo, hi);
}

struct cfg {
	struct npu_conv_spec s;
	int32_t *bias, *mult, *wzp;
	int8_t *shift;
	float *scale;
};

enum family { F_FC, F_3X3, F_ANY, F_COUNT };

static void draw(struct cfg *c, enum family f)
{
	struct npu_conv_spec *s = &c->s;
	int kind = pick(0, 4);

	memset(c, 0, sizeof(*c));
	s->n = pick(1, 4) == 1 ? pick(2, 4) : 1;
	s->groups = 1;
	s->stride_h = s->stride_w = s->dil_h = s->dil_w = 1;
	switch (f) {
	case F_FC:
		s->in_h = s->in_w = 1;
		s->kh = s->kw = 1;
		s->in_c = pick(1, 3000);
		s->out_c = pick(1, 40);
		break;
	case F_3X3:
		s->in_h = pick(3, 8);
		s->in_w = pick(3, 8);
		s->kh = s->kw = 3;
		s->pad_top = s->pad_left = s->pad_bottom = s->pad_right = 1;
		s->in_c = pick(17, 600);
		s->out_c = pick(1, 40);
		break;
	default:
		s->in_h = pick(1, 10);
		s->in_w = pick(1, 10);
		s->kh = pick(1, 4);
		s->kw = pick(1, 4);
		s->stride_h = pick(1, 2);
		s->stride_w = pick(1, 2);
		s->in_c = pick(1, 200);
		s->out_c = pick(1, 40);
		s->pad_top = pick(0, s->kh - 1);
		s->pad_left = pick(0, s->kw - 1);
		break;
	}
	while (s->kh > s->in_h + s->pad_top + s->pad_bottom)
		s->in_h++;
	while (s->kw > s->in_w + s->pad_left + s->pad_right)
		s->in_w++;

	int k = s->out_c;
	s->in_type = pick(0, 1) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
	s->w_type = pick(0, 3) ? NPU_TYPE_INT8 : NPU_TYPE_UINT8;
	s->in_zp = s->in_type == NPU_TYPE_INT8 ? pick(-128, 127) : pick(0, 255);
	c->bias = malloc(k * sizeof(int32_t));
	c->wzp = malloc(k * sizeof(int32_t));
	c->mult = malloc(k * sizeof(int32_t));
	c->shift = malloc(k);
	c->scale = malloc(k * sizeof(float));
	for (int i = 0; i < k; i++) {
		double m = 1.0 / (64.0 * s->kh * s->kw * s->in_c) * (0.5 + (rnd() % 1000) / 1000.0);
		int sh;

		c->bias[i] = pick(0, 3) ? pick(-20000, 20000) : 0;
		c->wzp[i] = s->w_type == NPU_TYPE_INT8 ? (pick(0, 2) ? 0 : pick(-128, 127)) :
							  pick(0, 255);
		npu_quantize_multiplier(m, &c->mult[i], &sh);
		c->shift[i] = (int8_t)sh;
		c->scale[i] = (float)m;
	}
	s->bias = c->bias;
	s->w_zp = c->wzp;
	if (kind == 0) {
		s->out_type = NPU_TYPE_INT32;
		s->rq_mode = NPU_RQ_NONE;
	} else {
		s->out_type = pick(0, 1) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
		s->rq_mode = kind <= 2 ? NPU_RQ_FIXED : NPU_RQ_FP32;
		s->rq_mult = c->mult;
		s->rq_shift = c->shift;
		s->rq_scale = c->scale;
		s->out_zp = s->out_type == NPU_TYPE_INT8 ? pick(-20, 20) : pick(0, 255);
		s->act_min = s->out_type == NPU_TYPE_INT8 ? -128 : 0;
		s->act_max = s->out_type == NPU_TYPE_INT8 ? 127 : 255;
	}
}

static void free_cfg(struct cfg *c)
{
	free(c->bias);
	free(c->wzp);
	free(c->mult);
	free(c->shift);
	free(c->scale);
}

/* Descriptors waiting for submission; a chain is never split across jobs. */
struct batch {
	union npu_desc d[KIT_RING_ENTRIES / 2];
	size_t n;
	uint64_t cycles;
	struct kit_result err;
};

static void flush_batch(struct kit *k, struct batch *b)
{
	struct kit_result r;

	if (!b->n)
		return;
	assert_int_equal(kit_submit(k, b->d, b->n, &r), 0);
	b->cycles += r.cycles;
	if (r.err_code && !b->err.err_code)
		b->err = r;
	b->n = 0;
}

/*
 * The layer as chains: per image, per output-channel slice of <= COLS, per
 * output row tile, the reduction cut at `cuts` (links[i] input channels
 * each, summing to in_c). Returns the number of descriptors.
 */
static size_t run_chains(struct kit *k, const struct npu_conv_spec *s, const uint8_t *in,
			 const uint8_t *w, uint8_t *out, const int *links, int nlinks,
			 struct batch *b)
{
	const struct npu_caps *c = &k->caps;
	size_t esize = npu_dtype_bytes(s->out_type);
	size_t in_bytes = npu_conv_in_elems(s), out_bytes = npu_conv_out_elems(s) * esize;
	size_t ndesc = 0;
	uint32_t a_in, a_out;

	kit_reset_heap(k);
	a_in = kit_alloc(k, in_bytes, 64);
	a_out = kit_alloc(k, out_bytes, 64);
	kit_write(k, a_in, in, in_bytes);

	/* rows per tile: pixels fit a bank, every link's input fits the buffer */
	int maxnc = 0;
	for (int j = 0; j < nlinks; j++)
		maxnc = links[j] > maxnc ? links[j] : maxnc;
	int th = (int)c->acc_depth / s->out_w;
	if (th > s->out_h)
		th = s->out_h;
	for (;;) {
		int ih = (th - 1) * s->stride_h + s->kh;
		size_t need = (size_t)(ih < s->in_h ? ih : s->in_h) * s->in_w *
			      ((maxnc + c->rows - 1) / c->rows * c->rows);
		if (need <= c->ibuf_bytes || th == 1)
			break;
		th = (th + 1) / 2;
	}
	assert_true(s->out_w <= (int)c->acc_depth);

	int cols = (int)c->cols;
	for (int k0 = 0; k0 < s->out_c; k0 += cols) {
		int nk = s->out_c - k0 < cols ? s->out_c - k0 : cols;
		struct npu_pack_range pr = {.ng = 1, .k0 = k0, .nk = nk};
		struct npu_chan_param cp[32];
		uint32_t a_cp = kit_alloc(k, sizeof(cp), 64), a_w[64];

		npu_pack_chan_params(s, &pr, cp);
		kit_write(k, a_cp, cp, (size_t)nk * sizeof(*cp));
		for (int j = 0, c0 = 0; j < nlinks; c0 += links[j++]) {
			pr.c0 = c0;
			pr.nc = links[j];
			size_t wb = npu_pack_weights_bytes(c, s, &pr);
			uint8_t *wbuf = malloc(wb);

			npu_pack_weights(c, s, w, &pr, wbuf);
			a_w[j] = kit_alloc(k, wb, 64);
			kit_write(k, a_w[j], wbuf, wb);
			free(wbuf);
		}
		for (int bi = 0; bi < s->n; bi++)
		for (int oy0 = 0; oy0 < s->out_h; oy0 += th) {
			int oh = oy0 + th > s->out_h ? s->out_h - oy0 : th;
			int ys = oy0 * s->stride_h - s->pad_top;
			int ye = (oy0 + oh - 1) * s->stride_h - s->pad_top + s->kh - 1;
			int y0 = ys < 0 ? 0 : ys, y1 = ye > s->in_h - 1 ? s->in_h - 1 : ye;
			int xe = (s->out_w - 1) * s->stride_w - s->pad_left + s->kw - 1;

			if (b->n + (size_t)nlinks > sizeof(b->d) / sizeof(b->d[0]))
				flush_batch(k, b);
			for (int j = 0, c0 = 0; j < nlinks; c0 += links[j++]) {
				struct npu_desc_conv *d = &b->d[b->n++].conv;

				memset(d, 0, sizeof(*d));
				d->opcode = NPU_OP_CONV;
				d->version = NPU_DESC_VERSION;
				d->flags = (uint16_t)((j + 1 < nlinks ? NPU_CONV_ACC_HOLD : 0) |
						      (j ? NPU_CONV_ACC_CONT : 0));
				d->tag = (uint32_t)ndesc++;
				d->in_addr = a_in + (uint32_t)(((size_t)bi * s->in_h + y0) * s->in_w *
							       s->in_c + (size_t)c0);
				d->in_row_stride = (uint32_t)((size_t)s->in_w * s->in_c);
				d->in_pix_stride = (uint32_t)s->in_c;
				d->in_h = (uint16_t)(y1 - y0 + 1);
				d->in_w = (uint16_t)s->in_w;
				d->groups = 1;
				d->cin_pg = (uint16_t)links[j];
				d->cout_pg = (uint16_t)nk;
				d->out_h = (uint16_t)oh;
				d->out_w = (uint16_t)s->out_w;
				d->kh = (uint8_t)s->kh;
				d->kw = (uint8_t)s->kw;
				d->stride_h = (uint8_t)s->stride_h;
				d->stride_w = (uint8_t)s->stride_w;
				d->dil_h = d->dil_w = 1;
				d->pad_top = (uint8_t)(y0 - ys);
				d->pad_left = (uint8_t)s->pad_left;
				d->pad_bottom = (uint8_t)(ye > y1 ? ye - y1 : 0);
				d->pad_right = (uint8_t)(xe > s->in_w - 1 ? xe - (s->in_w - 1) : 0);
				d->w_addr = a_w[j];
				d->cp_addr = a_cp;
				d->out_addr = a_out + (uint32_t)(((((size_t)bi * s->out_h + oy0) *
								   s->out_w) * s->out_c + k0) * esize);
				d->out_row_stride = (uint32_t)((size_t)s->out_w * s->out_c * esize);
				d->out_pix_stride = (uint32_t)((size_t)s->out_c * esize);
				d->in_type = (uint8_t)s->in_type;
				d->w_type = (uint8_t)s->w_type;
				d->out_type = (uint8_t)s->out_type;
				d->rq_mode = (uint8_t)s->rq_mode;
				d->in_zp = (int16_t)s->in_zp;
				d->out_zp = (int16_t)s->out_zp;
				d->act_min = (int16_t)s->act_min;
				d->act_max = (int16_t)s->act_max;
			}
		}
		flush_batch(k, b);	/* the weights above are reused by the next slice's heap */
	}
	kit_read(k, a_out, out, out_bytes);
	return ndesc;
}

static void test_random_chains(void **state)
{
	uint64_t seed = kit_seed();
	const char *e = getenv("NPU_TEST_CASES");
	int cases = e ? atoi(e) : kit_quick() ? 24 : 300;
	struct kit k;
	static struct batch b;
	int links_total = 0, counts[F_COUNT] = {0};
	size_t descs = 0;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	printf("test_sim_chain: %ux%u array, seed %llu, %d cases (NPU_TEST_SEED, NPU_TEST_CASES)\n",
	       k.caps.rows, k.caps.cols, (unsigned long long)seed, cases);
	assert_true(k.caps.features & NPU_FEAT_ACC_CHAIN);
	memset(&b, 0, sizeof(b));
	for (int t = 0; t < cases; t++) {
		struct cfg c;
		const char *why;
		enum family f = (enum family)(t % F_COUNT);
		int links[8], nlinks;

		rng = seed * 1000003ull + (uint64_t)t;
		draw(&c, f);
		if (npu_conv_spec_finish(&c.s, &why))
			fail_msg("case %d: generator made a bad spec: %s", t, why);
		/* cut the reduction into 1..8 links of random lengths */
		nlinks = pick(1, c.s.in_c < 8 ? c.s.in_c : 8);
		for (int j = 0, left = c.s.in_c; j < nlinks; j++) {
			links[j] = j + 1 == nlinks ? left : pick(1, left - (nlinks - 1 - j));
			left -= links[j];
		}
		/* a link's weights must fit the buffer: split the longest ones further */
		for (int j = 0; j < nlinks; j++) {
			size_t blk = (size_t)k.caps.rows * k.caps.cols;
			while ((size_t)c.s.kh * c.s.kw * ((links[j] + k.caps.rows - 1) / k.caps.rows) *
				       blk > k.caps.wbuf_bytes && nlinks < 8) {
				memmove(&links[j + 1], &links[j], (size_t)(nlinks - j) * sizeof(int));
				links[j] = links[j + 1] / 2;
				links[j + 1] -= links[j];
				nlinks++;
			}
		}

		size_t ni = npu_conv_in_elems(&c.s), nw = npu_conv_w_elems(&c.s);
		size_t no = npu_conv_out_elems(&c.s) * npu_dtype_bytes(c.s.out_type);
		uint8_t *in = malloc(ni), *w = malloc(nw), *o_ref = malloc(no), *o_dev = malloc(no);
		for (size_t i = 0; i < ni; i++)
			in[i] = (uint8_t)rnd();
		for (size_t i = 0; i < nw; i++)
			w[i] = (uint8_t)rnd();
		memset(o_dev, 0xa5, no);
		npu_ref_conv(&c.s, in, w, o_ref);
		memset(&b.err, 0, sizeof(b.err));
		descs += run_chains(&k, &c.s, in, w, o_dev, links, nlinks, &b);
		if (b.err.err_code)
			fail_msg("case %d: device error %u info 0x%x at descriptor %u", t, b.err.err_code,
				 b.err.err_info, b.err.err_index);
		size_t nel = npu_conv_out_elems(&c.s), bad = 0, first = 0;
		for (size_t i = 0; i < nel; i++)
			if (npu_load(c.s.out_type, o_ref, i) != npu_load(c.s.out_type, o_dev, i) && !bad++)
				first = i;
		if (bad)
			fail_msg("case %d (n%d %dx%dx%d -> %d k%dx%d, %d links): %zu of %zu outputs "
				 "differ, first element %zu: expected %d, device %d", t, c.s.n, c.s.in_h,
				 c.s.in_w, c.s.in_c, c.s.out_c, c.s.kh, c.s.kw, nlinks, bad, nel, first,
				 npu_load(c.s.out_type, o_ref, first), npu_load(c.s.out_type, o_dev, first));
		links_total += nlinks;
		counts[f]++;
		free(in);
		free(w);
		free(o_ref);
		free(o_dev);
		free_cfg(&c);
	}
	assert_int_equal(npu_sim_faults(k.sim), 0);
	printf("test_sim_chain: %d FC, %d 3x3, %d other layers bit-exact as chains of %.1f links on "
	       "average (%zu descriptors, %llu cycles)\n", counts[F_FC], counts[F_3X3], counts[F_ANY],
	       (double)links_total / cases, descs, (unsigned long long)b.cycles);
	kit_close(&k);
}

/* ---- chain rules ---- */

/* A valid 1x1 link: 4x4 pixels, 32 input channels at in, 8 outputs. */
static union npu_desc link_desc(struct kit *k, uint32_t a_in, uint32_t a_w, uint32_t a_cp,
				uint32_t a_out, uint16_t flags)
{
	union npu_desc u;
	struct npu_desc_conv *d = &u.conv;

	(void)k;
	memset(&u, 0, sizeof(u));
	d->opcode = NPU_OP_CONV;
	d->version = NPU_DESC_VERSION;
	d->flags = flags;
	d->in_addr = a_in;
	d->in_row_stride = 4 * 32;
	d->in_pix_stride = 32;
	d->in_h = d->in_w = 4;
	d->groups = 1;
	d->cin_pg = 32;
	d->cout_pg = 8;
	d->out_h = d->out_w = 4;
	d->kh = d->kw = d->stride_h = d->stride_w = d->dil_h = d->dil_w = 1;
	d->w_addr = a_w;
	d->cp_addr = a_cp;
	d->out_addr = a_out;
	d->out_row_stride = 4 * 8 * 4;
	d->out_pix_stride = 8 * 4;
	d->in_type = NPU_TYPE_INT8;
	d->w_type = NPU_TYPE_INT8;
	d->out_type = NPU_TYPE_INT32;
	d->rq_mode = NPU_RQ_NONE;
	return u;
}

/* The verdict of a sequence as the C rules give it: first error, its index. */
static int predict(const struct npu_caps *c, const union npu_desc *d, size_t n, uint32_t *idx,
		   uint32_t *info)
{
	struct npu_chain_state cs = {0};

	for (size_t i = 0; i < n; i++) {
		int e = npu_check_desc(c, &d[i], info);

		if (!e)
			e = npu_check_seq(&cs, &d[i], info);
		if (e) {
			*idx = (uint32_t)i;
			return e;
		}
	}
	return NPU_ERR_NONE;
}

static void test_chain_rules(void **state)
{
	struct kit k;
	uint32_t a_in, a_w, a_cp, a_out;
	int8_t in[4 * 4 * 32], w[8 * 32];
	int32_t out[4 * 4 * 8];
	uint8_t wp[4096];
	struct npu_chan_param cp[8];
	const uint16_t H = NPU_CONV_ACC_HOLD, C = NPU_CONV_ACC_CONT;

	(void)state;
	assert_int_equal(kit_open(&k, NULL), 0);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (int8_t)(i * 7 % 23 - 11);
	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = (int8_t)(i * 5 % 19 - 9);
	struct npu_conv_spec s = {.n = 1, .in_h = 4, .in_w = 4, .in_c = 32, .out_c = 8, .kh = 1,
				  .kw = 1, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1,
				  .groups = 1, .in_type = NPU_TYPE_INT8, .w_type = NPU_TYPE_INT8,
				  .out_type = NPU_TYPE_INT32, .rq_mode = NPU_RQ_NONE};
	const char *why;
	assert_int_equal(npu_conv_spec_finish(&s, &why), 0);
	struct npu_pack_range pr = {.ng = 1, .nk = 8, .nc = 16};
	a_in = kit_alloc(&k, sizeof(in), 64);
	kit_write(&k, a_in, in, sizeof(in));
	a_w = kit_alloc(&k, 2 * 4096, 64);
	for (int j = 0; j < 2; j++) {
		pr.c0 = 16 * j;
		npu_pack_weights(&k.caps, &s, w, &pr, wp);
		kit_write(&k, a_w + 4096u * (uint32_t)j, wp, npu_pack_weights_bytes(&k.caps, &s, &pr));
	}
	pr.c0 = pr.nc = 0;
	npu_pack_chan_params(&s, &pr, cp);
	a_cp = kit_alloc(&k, sizeof(cp), 64);
	kit_write(&k, a_cp, cp, sizeof(cp));
	a_out = kit_alloc(&k, sizeof(out), 64);

	/* two links over channels 0..15 and 16..31 */
	union npu_desc l0 = link_desc(&k, a_in, a_w, a_cp, a_out, H);
	union npu_desc l1 = link_desc(&k, a_in + 16, a_w + 4096, a_cp, a_out, C);
	l0.conv.cin_pg = l1.conv.cin_pg = 16;
	union npu_desc nop = {.nop = {.opcode = NPU_OP_NOP, .version = NPU_DESC_VERSION}};
	union npu_desc fence = kit_fence(&k);
	union npu_desc wide = l1, grp = l0, dwc = l0, mism = l1;
	wide.conv.cout_pg = (uint16_t)(k.caps.cols + 1);
	grp.conv.groups = 2;
	grp.conv.cin_pg = 8;
	dwc.conv.flags |= NPU_CONV_DEPTHWISE;
	mism.conv.out_w = 3;
	struct {
		const char *what;
		union npu_desc d[3];
		size_t n;
	} bad[] = {
		{"CONT without a HOLD", {l1}, 1},
		{"HOLD, then a NOP", {l0, nop}, 2},
		{"HOLD, then the job's FENCE", {l0, fence}, 2},
		{"HOLD, then a plain CONV", {l0, link_desc(&k, a_in, a_w, a_cp, a_out, 0)}, 2},
		{"CONT of another out_w", {l0, mism}, 2},
		{"a link of more than COLS channels", {l0, wide}, 2},
		{"a link of two groups", {grp, l1}, 2},
		{"DEPTHWISE with HOLD", {dwc, l1}, 2},
		{"CONT, CONT", {l0, l1, l1}, 3},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kit_result r;
		uint32_t idx = 0, info = 0;
		int want = predict(&k.caps, bad[i].d, bad[i].n, &idx, &info);

		assert_int_not_equal(want, NPU_ERR_NONE);
		assert_int_equal(kit_submit(&k, bad[i].d, bad[i].n, &r), 0);
		if (r.err_code != (uint32_t)want || r.err_info != info ||
		    (r.err_index - (k.tail - (uint32_t)bad[i].n - 1)) % KIT_RING_ENTRIES != idx)
			fail_msg("%s: device error %u info 0x%x at %u, the C rules say %d info 0x%x at "
				 "%u", bad[i].what, r.err_code, r.err_info,
				 (r.err_index - (k.tail - (uint32_t)bad[i].n - 1)) % KIT_RING_ENTRIES,
				 want, info, idx);
		printf("test_chain_rules: %-36s -> error %u info 0x%x at descriptor %u, as predicted\n",
		       bad[i].what, r.err_code, r.err_info, idx);
	}

	/* after all that, a good chain: the sum over both links */
	union npu_desc good[2] = {l0, l1};
	struct kit_result r;
	int32_t ref[4 * 4 * 8];
	memset(out, 0x5a, sizeof(out));
	kit_write(&k, a_out, out, sizeof(out));
	assert_int_equal(kit_submit(&k, good, 2, &r), 0);
	assert_int_equal(r.err_code, 0);
	kit_read(&k, a_out, out, sizeof(out));
	npu_ref_conv(&s, in, w, ref);
	assert_memory_equal(out, ref, sizeof(out));
	assert_int_equal(npu_sim_faults(k.sim), 0);
	kit_close(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_rules),
		cmocka_unit_test(test_random_chains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
