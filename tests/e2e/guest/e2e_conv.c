// SPDX-License-Identifier: MIT
/*
 * e2e_conv.c - convolutions on the device through the UAPI, one descriptor
 * per layer (random shapes that fit the device's buffers; the library owns
 * tiling), checked element by element against npu_ref_conv().
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "e2e_conv.h"
#include "npu_ref.h"

static int32_t rnd_range(uint64_t *r, int32_t lo, int32_t hi)
{
	return lo + (int32_t)e2e_randn(r, (uint32_t)(hi - lo + 1));
}

static int type_min(enum npu_dtype t)
{
	return t == NPU_TYPE_INT8 ? -128 : 0;
}

static int type_max(enum npu_dtype t)
{
	return t == NPU_TYPE_INT8 ? 127 : 255;
}

void e2e_conv_free(struct e2e_conv *cc)
{
	free(cc->in);
	free(cc->w);
	free(cc->bias);
	free(cc->w_zp);
	free(cc->mult);
	free(cc->shift);
	free(cc->scale);
	free(cc->ref);
	memset(cc, 0, sizeof(*cc));
}

/* Fills the descriptor's geometry and types from the spec (addresses 0). */
static void conv_desc(const struct e2e_conv *cc, struct npu_desc_conv *d)
{
	const struct npu_conv_spec *s = &cc->s;

	memset(d, 0, sizeof(*d));
	d->opcode = NPU_OP_CONV;
	d->version = NPU_DESC_VERSION;
	d->in_row_stride = cc->in_row_stride;
	d->in_pix_stride = cc->in_pix_stride;
	d->in_h = (uint16_t)s->in_h;
	d->in_w = (uint16_t)s->in_w;
	d->groups = (uint16_t)s->groups;
	d->cin_pg = (uint16_t)(s->in_c / s->groups);
	d->cout_pg = (uint16_t)(s->out_c / s->groups);
	d->out_h = (uint16_t)s->out_h;
	d->out_w = (uint16_t)s->out_w;
	d->kh = (uint8_t)s->kh;
	d->kw = (uint8_t)s->kw;
	d->stride_h = (uint8_t)s->stride_h;
	d->stride_w = (uint8_t)s->stride_w;
	d->dil_h = (uint8_t)s->dil_h;
	d->dil_w = (uint8_t)s->dil_w;
	d->pad_top = (uint8_t)s->pad_top;
	d->pad_left = (uint8_t)s->pad_left;
	d->pad_bottom = (uint8_t)s->pad_bottom;
	d->pad_right = (uint8_t)s->pad_right;
	d->out_row_stride = cc->out_row_stride;
	d->out_pix_stride = cc->out_pix_stride;
	d->in_type = (uint8_t)s->in_type;
	d->w_type = (uint8_t)s->w_type;
	d->out_type = (uint8_t)s->out_type;
	d->rq_mode = (uint8_t)s->rq_mode;
	d->in_zp = (int16_t)s->in_zp;
	d->out_zp = (int16_t)s->out_zp;
	d->act_min = (int16_t)(s->out_type == NPU_TYPE_INT32 ? 0 : s->act_min);
	d->act_max = (int16_t)(s->out_type == NPU_TYPE_INT32 ? 0 : s->act_max);
	d->tag = cc->tag;
}

int e2e_conv_random(uint64_t *r, const struct npu_caps *c, unsigned max_hw,
		    struct e2e_conv *cc)
{
	struct npu_conv_spec *s = &cc->s;
	struct npu_desc_conv d;
	const char *why;
	uint32_t info;
	int tries, cin_pg, cout_pg, K, C, i;
	size_t n;

	memset(cc, 0, sizeof(*cc));
	for (tries = 0; tries < 1000; tries++) {
		memset(s, 0, sizeof(*s));
		s->n = 1;
		switch (e2e_randn(r, 6)) {
		case 0:	/* depthwise */
			s->groups = rnd_range(r, 1, 48);
			cin_pg = 1;
			cout_pg = rnd_range(r, 1, 2);
			break;
		case 1:	/* grouped */
			s->groups = rnd_range(r, 2, 4);
			cin_pg = rnd_range(r, 1, 24);
			cout_pg = rnd_range(r, 1, 24);
			break;
		case 2:	/* FC: 1x1 over 1x1 */
			s->groups = 1;
			cin_pg = rnd_range(r, 1, 300);
			cout_pg = rnd_range(r, 1, 64);
			break;
		default:
			s->groups = 1;
			cin_pg = rnd_range(r, 1, 70);
			cout_pg = rnd_range(r, 1, 40);
			break;
		}
		s->in_c = s->groups * cin_pg;
		s->out_c = s->groups * cout_pg;
		if (s->groups == 1 && cin_pg > 70) {
			s->in_h = s->in_w = 1;
			s->kh = s->kw = 1;
		} else {
			s->in_h = rnd_range(r, 1, (int)max_hw);
			s->in_w = rnd_range(r, 1, (int)max_hw);
			s->kh = rnd_range(r, 1, e2e_randn(r, 4) ? 3 : 7);
			s->kw = rnd_range(r, 1, e2e_randn(r, 4) ? 3 : 7);
		}
		s->stride_h = rnd_range(r, 1, 3);
		s->stride_w = rnd_range(r, 1, 3);
		s->dil_h = e2e_randn(r, 4) ? 1 : 2;
		s->dil_w = e2e_randn(r, 4) ? 1 : 2;
		s->pad_top = rnd_range(r, 0, s->kh / 2 + 1);
		s->pad_bottom = rnd_range(r, 0, s->kh / 2 + 1);
		s->pad_left = rnd_range(r, 0, s->kw / 2 + 1);
		s->pad_right = rnd_range(r, 0, s->kw / 2 + 1);
		s->in_type = e2e_randn(r, 2) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
		s->w_type = e2e_randn(r, 2) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
		switch (e2e_randn(r, 5)) {
		case 0:
			s->out_type = NPU_TYPE_INT32;
			s->rq_mode = NPU_RQ_NONE;
			break;
		case 1: case 2:
			s->out_type = e2e_randn(r, 2) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
			s->rq_mode = NPU_RQ_FP32;
			break;
		default:
			s->out_type = e2e_randn(r, 2) ? NPU_TYPE_UINT8 : NPU_TYPE_INT8;
			s->rq_mode = NPU_RQ_FIXED;
			break;
		}
		if (npu_conv_spec_finish(s, &why))
			continue;
		cc->in_pix_stride = (uint32_t)s->in_c + e2e_randn(r, 2) * e2e_randn(r, 9);
		cc->in_row_stride = cc->in_pix_stride * (uint32_t)s->in_w + e2e_randn(r, 2) * e2e_randn(r, 33);
		cc->out_pix_stride = (uint32_t)s->out_c * npu_dtype_bytes(s->out_type) +
				     e2e_randn(r, 2) * 4 * e2e_randn(r, 3);
		cc->out_row_stride = cc->out_pix_stride * (uint32_t)s->out_w + 4 * e2e_randn(r, 5);
		conv_desc(cc, &d);
		d.in_addr = d.w_addr = d.cp_addr = d.out_addr = c->mem_reserved;
		if (npu_check_conv(c, &d, &info) == NPU_ERR_NONE)
			break;
	}
	if (tries == 1000)
		return -1;

	/* Zero points, data and requantization parameters. */
	s->in_zp = s->in_type == NPU_TYPE_INT8 ? rnd_range(r, -20, 20) : rnd_range(r, 100, 150);
	K = s->out_c;
	C = s->in_c / s->groups;
	cc->w_zp = calloc((size_t)K, sizeof(int32_t));
	cc->bias = calloc((size_t)K, sizeof(int32_t));
	cc->mult = calloc((size_t)K, sizeof(int32_t));
	cc->shift = calloc((size_t)K, sizeof(int8_t));
	cc->scale = calloc((size_t)K, sizeof(float));
	n = npu_conv_in_elems(s);
	cc->in = malloc(n);
	for (i = 0; i < (int)n; i++)
		cc->in[i] = (uint8_t)e2e_rand(r);
	n = npu_conv_w_elems(s);
	cc->w = malloc(n);
	for (i = 0; i < (int)n; i++)
		cc->w[i] = (uint8_t)e2e_rand(r);
	for (i = 0; i < K; i++) {
		double taps = (double)s->kh * s->kw * C, m;

		cc->w_zp[i] = s->w_type == NPU_TYPE_INT8 ? rnd_range(r, -8, 8) : rnd_range(r, 110, 140);
		cc->bias[i] = rnd_range(r, -5000, 5000);
		m = (0.3 + e2e_randn(r, 1000) / 1000.0) / (sqrt(taps) * 60.0);
		{
			int sh;

			npu_quantize_multiplier(m, &cc->mult[i], &sh);
			cc->shift[i] = (int8_t)sh;
		}
		cc->scale[i] = npu_fp32_multiplier(1.0f, (float)m, 1.0f);
	}
	s->w_zp = cc->w_zp;
	s->bias = cc->bias;
	if (s->out_type == NPU_TYPE_INT32) {
		s->out_zp = 0;
		s->act_min = s->act_max = 0;
	} else {
		s->out_zp = s->out_type == NPU_TYPE_INT8 ? rnd_range(r, -10, 10) : rnd_range(r, 100, 140);
		s->rq_mult = cc->mult;
		s->rq_shift = cc->shift;
		s->rq_scale = cc->scale;
		s->act_min = type_min(s->out_type);
		s->act_max = type_max(s->out_type);
		if (e2e_randn(r, 3) == 0) {	/* fused ReLU-like clamp */
			s->act_min = rnd_range(r, type_min(s->out_type), 0 > type_min(s->out_type) ? 0 : 10);
			s->act_max = rnd_range(r, s->act_min, type_max(s->out_type));
		}
	}
	n = npu_conv_out_elems(s) * npu_dtype_bytes(s->out_type);
	cc->ref = malloc(n);
	npu_ref_conv(s, cc->in, cc->w, cc->ref);
	return 0;
}

void e2e_conv_describe(const struct e2e_conv *cc, char *buf, size_t len)
{
	const struct npu_conv_spec *s = &cc->s;

	snprintf(buf, len, "in %dx%dx%d K=%d g=%d k=%dx%d s=%d,%d d=%d,%d pad=%d,%d,%d,%d "
		 "types in%d w%d out%d rq%d zp in%d out%d clamp [%d,%d] -> %dx%d",
		 s->in_h, s->in_w, s->in_c, s->out_c, s->groups, s->kh, s->kw,
		 s->stride_h, s->stride_w, s->dil_h, s->dil_w, s->pad_top, s->pad_left,
		 s->pad_bottom, s->pad_right, s->in_type, s->w_type, s->out_type,
		 s->rq_mode, s->in_zp, s->out_zp, s->act_min, s->act_max, s->out_h, s->out_w);
}

/* Packs weights as npu_hw.h describes (COLS x ROWS blocks). */
static void pack_weights(const struct npu_caps *c, const struct e2e_conv *cc, uint8_t *dst)
{
	const struct npu_conv_spec *s = &cc->s;
	uint32_t cin_pg = (uint32_t)(s->in_c / s->groups), cout_pg = (uint32_t)(s->out_c / s->groups);
	uint32_t g, kc, tap, ci, i, j, rows = c->rows, cols = c->cols;
	size_t o = 0;

	for (g = 0; g < (uint32_t)s->groups; g++)
		for (kc = 0; kc < npu_div_up(cout_pg, cols); kc++)
			for (tap = 0; tap < (uint32_t)(s->kh * s->kw); tap++)
				for (ci = 0; ci < npu_div_up(cin_pg, rows); ci++) {
					for (j = 0; j < cols; j++)
						for (i = 0; i < rows; i++) {
							uint32_t k = kc * cols + j, ch = ci * rows + i;
							uint8_t v = 0;

							if (k < cout_pg && ch < cin_pg)
								v = cc->w[(((size_t)(g * cout_pg + k) * s->kh * s->kw) + tap) * cin_pg + ch];
							dst[o + j * rows + i] = v;
						}
					o += (size_t)rows * cols;
				}
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

int e2e_conv_place(struct e2e_dev *d, struct e2e_conv *cc, struct e2e_bo *bo)
{
	const struct npu_caps *c = &d->caps;
	const struct npu_conv_spec *s = &cc->s;
	struct npu_desc_conv *dc = &cc->desc.conv;
	struct npu_range r[NPU_T_COUNT];
	uint64_t in_off, w_off, cp_off, out_off, total;
	size_t y, x, k;
	int ret;

	conv_desc(cc, dc);
	dc->in_addr = dc->w_addr = dc->cp_addr = dc->out_addr = 0;
	npu_conv_ranges(c, dc, r);
	in_off = 0;
	w_off = align_up(r[NPU_T_INPUT].end, 64);
	cp_off = align_up(w_off + r[NPU_T_WEIGHTS].end, 64);
	out_off = align_up(cp_off + r[NPU_T_PARAMS].end, 64);
	total = out_off + r[NPU_T_OUTPUT].end;
	ret = e2e_bo_new(d, total, bo);
	if (ret)
		return ret;
	dc->in_addr = (uint32_t)(bo->addr + in_off);
	dc->w_addr = (uint32_t)(bo->addr + w_off);
	dc->cp_addr = (uint32_t)(bo->addr + cp_off);
	dc->out_addr = (uint32_t)(bo->addr + out_off);
	cc->out_off = out_off;

	for (y = 0; y < (size_t)s->in_h; y++)
		for (x = 0; x < (size_t)s->in_w; x++)
			memcpy(bo->map + in_off + y * cc->in_row_stride + x * cc->in_pix_stride,
			       cc->in + (y * (size_t)s->in_w + x) * (size_t)s->in_c, (size_t)s->in_c);
	pack_weights(c, cc, bo->map + w_off);
	for (k = 0; k < (size_t)s->out_c; k++) {
		struct npu_chan_param p = { 0 };

		p.bias = cc->bias[k];
		p.w_zp = (int16_t)cc->w_zp[k];
		if (s->rq_mode == NPU_RQ_FIXED) {
			p.scale = (uint32_t)cc->mult[k];
			p.shift = cc->shift[k];
		} else if (s->rq_mode == NPU_RQ_FP32) {
			memcpy(&p.scale, &cc->scale[k], 4);
		}
		memcpy(bo->map + cp_off + k * NPU_CHAN_PARAM_BYTES, &p, sizeof(p));
	}
	/* Poison the output so a descriptor that writes nothing fails. */
	memset(bo->map + out_off, 0xa5, r[NPU_T_OUTPUT].end);
	return 0;
}

int e2e_conv_compare(const struct e2e_conv *cc, const struct e2e_bo *bo,
		     char *msg, size_t len)
{
	const struct npu_conv_spec *s = &cc->s;
	uint32_t eb = npu_dtype_bytes(s->out_type);
	size_t y, x, k;

	for (y = 0; y < (size_t)s->out_h; y++)
		for (x = 0; x < (size_t)s->out_w; x++)
			for (k = 0; k < (size_t)s->out_c; k++) {
				size_t i = (y * (size_t)s->out_w + x) * (size_t)s->out_c + k;
				const uint8_t *p = bo->map + cc->out_off + y * cc->out_row_stride +
						   x * cc->out_pix_stride + k * eb;
				int32_t want = npu_load(s->out_type, cc->ref, i), got;

				if (eb == 4) {
					memcpy(&got, p, 4);
				} else {
					got = s->out_type == NPU_TYPE_INT8 ? (int8_t)*p : *p;
				}
				if (got != want) {
					snprintf(msg, len, "first difference at (y=%zu, x=%zu, k=%zu): device %d, reference %d",
						 y, x, k, got, want);
					return -1;
				}
			}
	return 0;
}

int e2e_test_conv(uint64_t seed, unsigned cases)
{
	struct e2e_dev d;
	uint64_t r = e2e_seed_state(seed), job, cnt[NPU_NUM_COUNTERS], macs_total = 0, cycles_total = 0;
	struct drm_npu_wait w;
	unsigned i, ok = 0;
	char desc[256], msg[160];
	int ret;

	printf("conv: seed %llu, %u random layers\n", (unsigned long long)seed, cases);
	if (e2e_open(&d))
		return 1;
	for (i = 0; i < cases; i++) {
		struct e2e_conv cc;
		struct e2e_bo bo;

		if (e2e_conv_random(&r, &d.caps, 12, &cc)) {
			CHECK(0, "case %u: no shape found", i);
			continue;
		}
		cc.tag = i;
		e2e_conv_describe(&cc, desc, sizeof(desc));
		ret = e2e_conv_place(&d, &cc, &bo);
		CHECK_EQ(ret, 0, "case %u: placing %s", i, desc);
		if (ret) {
			e2e_conv_free(&cc);
			continue;
		}
		ret = e2e_submit(&d, &cc.desc, 1, &bo.handle, 1, &job, NULL);
		CHECK_EQ(ret, 0, "case %u: submit %s", i, desc);
		if (!ret) {
			memset(cnt, 0, sizeof(cnt));
			ret = e2e_wait(&d, job, 30000, &w, cnt, NPU_NUM_COUNTERS);
			CHECK_EQ(ret, 0, "case %u: wait %s", i, desc);
			if (!ret) {
				CHECK_EQ(w.status, DRM_NPU_JOB_OK, "case %u (%s): err %u info %u",
					 i, desc, w.err_code, w.err_info);
				if (w.status == DRM_NPU_JOB_OK) {
					if (e2e_conv_compare(&cc, &bo, msg, sizeof(msg)))
						CHECK(0, "case %u (seed %llu) %s: %s", i,
						      (unsigned long long)seed, desc, msg);
					else
						ok++;
					CHECK_EQ(cnt[NPU_CNT_CONVS], 1, "case %u: conv counter", i);
					CHECK_EQ(cnt[NPU_CNT_MACS] > 0, 1, "case %u: MAC counter", i);
					macs_total += npu_conv_macs(&cc.s);
					cycles_total += cnt[NPU_CNT_BUSY];
				}
			}
		}
		e2e_bo_free(&d, &bo);
		e2e_conv_free(&cc);
	}
	printf("conv: %u/%u layers bit-exact, %llu MACs in %llu busy cycles\n", ok, cases,
	       (unsigned long long)macs_total, (unsigned long long)cycles_total);
	e2e_close(&d);
	return e2e_failures;
}
