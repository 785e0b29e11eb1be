/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "pack.h"

static size_t div_up(size_t a, size_t b)
{
	return (a + b - 1) / b;
}

/* Input channels of the range within a group. */
static int range_cin(const struct npu_conv_spec *s, const struct npu_pack_range *r)
{
	return r->nc ? r->nc : s->in_c / s->groups;
}

size_t npu_pack_weights_bytes(const struct npu_caps *c, const struct npu_conv_spec *s,
			      const struct npu_pack_range *r)
{
	size_t cin_pg = (size_t)range_cin(s, r);

	return (size_t)r->ng * div_up((size_t)r->nk, c->cols) * (size_t)s->kh * s->kw *
	       div_up(cin_pg, c->rows) * c->rows * c->cols;
}

void npu_pack_weights(const struct npu_caps *c, const struct npu_conv_spec *s,
		      const void *w_ohwi, const struct npu_pack_range *r, uint8_t *dst)
{
	const uint8_t *w = w_ohwi;
	int cin_pg = s->in_c / s->groups, kpg = s->out_c / s->groups, nc = range_cin(s, r);
	int n_kc = (int)div_up((size_t)r->nk, c->cols), n_cc = (int)div_up((size_t)nc, c->rows);
	int rows = (int)c->rows, cols = (int)c->cols;
	size_t blk = (size_t)rows * cols;

	memset(dst, 0, npu_pack_weights_bytes(c, s, r));
	for (int g = 0; g < r->ng; g++)
	for (int kc = 0; kc < n_kc; kc++)
	for (int t = 0; t < s->kh * s->kw; t++)
	for (int cc = 0; cc < n_cc; cc++) {
		uint8_t *b = dst + ((((size_t)g * n_kc + kc) * s->kh * s->kw + t) * n_cc + cc) * blk;

		for (int j = 0; j < cols && kc * cols + j < r->nk; j++) {
			/* OHWI row of output channel k: [kh][kw][cin_pg] */
			int k = (r->g0 + g) * kpg + r->k0 + kc * cols + j;
			const uint8_t *src = w + ((size_t)k * s->kh * s->kw + t) * cin_pg + r->c0;

			for (int i = 0; i < rows && cc * rows + i < nc; i++)
				b[j * rows + i] = src[cc * rows + i];
		}
	}
}

/* The tap slices of a depthwise descriptor for this kernel (npu_dw_geom()). */
static void dw_geom(const struct npu_caps *c, const struct npu_conv_spec *s, int ng,
		    struct npu_dw_geom *g)
{
	struct npu_desc_conv d = {0};

	d.kh = (uint8_t)s->kh;
	d.kw = (uint8_t)s->kw;
	d.groups = (uint16_t)ng;
	npu_dw_geom(c, &d, g);
}

size_t npu_pack_dw_weights_bytes(const struct npu_caps *c, const struct npu_conv_spec *s,
				 int ng)
{
	struct npu_dw_geom g;

	dw_geom(c, s, ng, &g);
	return (size_t)g.n_cs * g.n_sy * g.n_sx * c->rows * c->cols;
}

void npu_pack_dw_weights(const struct npu_caps *c, const struct npu_conv_spec *s,
			 const void *w_ohwi, int g0, int ng, uint8_t *dst)
{
	const uint8_t *w = w_ohwi;
	struct npu_dw_geom g;
	size_t blk = (size_t)c->rows * c->cols, b = 0;

	dw_geom(c, s, ng, &g);
	memset(dst, 0, npu_pack_dw_weights_bytes(c, s, ng));
	for (uint32_t cs = 0; cs < g.n_cs; cs++)
	for (uint32_t sy = 0; sy < g.n_sy; sy++)
	for (uint32_t sx = 0; sx < g.n_sx; sx++, b++) {
		uint32_t r0 = sy * g.th, s0 = sx * g.tw;
		uint32_t th = s->kh - r0 < g.th ? s->kh - r0 : g.th;
		uint32_t tw = s->kw - s0 < g.tw ? s->kw - s0 : g.tw;

		for (uint32_t j = 0; j < g.dwc && cs * g.dwc + j < (uint32_t)ng; j++) {
			/* OHWI row of channel k: [kh][kw][1] */
			const uint8_t *src = w + (size_t)(g0 + cs * g.dwc + j) * s->kh * s->kw;

			for (uint32_t t = 0; t < th * tw; t++)
				dst[b * blk + j * c->rows + t] =
					src[(r0 + t % th) * s->kw + s0 + t / th];
		}
	}
}

void npu_pack_chan_params(const struct npu_conv_spec *s, const struct npu_pack_range *r,
			  struct npu_chan_param *dst)
{
	int kpg = s->out_c / s->groups;

	for (int g = 0; g < r->ng; g++)
		for (int j = 0; j < r->nk; j++) {
			int k = (r->g0 + g) * kpg + r->k0 + j;
			struct npu_chan_param *p = &dst[(size_t)g * r->nk + j];
			float m;

			memset(p, 0, sizeof(*p));
			p->bias = s->bias ? s->bias[k] : 0;
			p->w_zp = (int16_t)(s->w_zp ? s->w_zp[k] : 0);
			switch (s->rq_mode) {
			case NPU_RQ_FIXED:
				p->scale = (uint32_t)s->rq_mult[k];
				p->shift = s->rq_shift[k];
				break;
			case NPU_RQ_FP32:
				m = s->rq_scale[k];
				memcpy(&p->scale, &m, sizeof(m));
				break;
			default:
				break;
			}
		}
}
