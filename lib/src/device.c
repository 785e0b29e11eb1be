/* SPDX-License-Identifier: MIT */
/*
 * The device layer: opens a backend, and turns one quantized convolution
 * into a plan the device runs.
 *
 * A plan first reshapes the layer into what the device does best:
 *  - im2col on the host when the input has few channels (the 7x7 C=3 stem:
 *    the kernel taps become the reduction, so the array's rows fill up) or
 *    when the kernel, stride or dilation exceed the device's limits;
 *  - a depthwise layer (multiplier 1) runs in the device's depthwise mode
 *    (NPU_CONV_DEPTHWISE: min(ROWS, COLS) channels at a time, the kernel
 *    taps on the array's rows);
 *  - other small groups are packed into block-diagonal groups of ROWS
 *    channels, the weights outside a group's block set to its zero point
 *    so they contribute nothing;
 *  - folding of the batch into rows for 1x1, stride-1 layers (FC at batch N
 *    is one N-pixel image).
 * Then the tiler splits it into descriptors, weights and channel records
 * are packed and uploaded, and a run copies the input in, submits the
 * jobs, waits for them, and copies the output back.
 *
 * Device memory (resid.c): a plan's weights and channel records stay
 * resident while memory allows and are evicted, least recently used
 * first, when another layer needs the room; a plan whose weights were
 * evicted packs and uploads them again before it runs. Input and output
 * buffers are taken for the run only (from a small cache of released
 * ones). Descriptors are built once against buffer offsets and patched
 * whenever a buffer sits at another address than last time. A layer that
 * cannot get its buffers even with nothing else resident runs on the CPU
 * and says why (with the sizes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "device.h"
#include "npu.h"
#include "npu_cpu.h"
#include "pack.h"
#include "resid.h"
#include "tiler.h"

#define JOB_TIMEOUT_NS (600ll * 1000 * 1000 * 1000)
#define IM2COL_MAX_BYTES (64u << 20)

struct npu_device {
	enum npu_backend_kind kind;
	struct npu_backend *be;		/* NULL on the cpu backend */
	struct npu_caps caps;
	int threads;
	int dram_bw;			/* sim: DRAM bytes per cycle asked for (0: default) */
	struct npu_resid resid;		/* device memory: resident weights, scratch cache */
};

enum transform { T_DIRECT, T_IM2COL, T_GROUP_PACK, T_DEPTHWISE };

struct npu_conv_plan {
	struct npu_device *dev;
	struct npu_conv_spec spec;	/* the layer as given (owned arrays) */
	int32_t *bias, *wzp, *mult;
	int8_t *shift;
	float *scale;
	uint8_t *w;			/* OHWI copy for CPU runs */

	enum transform tf;
	int gp;				/* groups packed into one device group */
	int sub_h, sub_w;		/* 1x1 strided: the device reads every sub-th pixel */
	struct npu_conv_spec dspec;	/* the layer as the device computes it */
	struct npu_tile_geom geom;
	struct npu_tiling tiling;
	uint8_t *wpack;			/* T_GROUP_PACK: the merged groups' weights (OHWI) */

	/* resident between runs while memory allows; NULL while evicted */
	struct npu_bo *w_bo, *cp_bo;
	struct npu_resid_item res;
	int n_g, n_k, n_l;		/* weight blocks: group x output x input channel chunks */
	size_t *woff, *coff;		/* each block's offset in w_bo / cp_bo */
	size_t w_bytes, cp_bytes;

	union npu_desc *descs;
	size_t n_desc;
	size_t *job_ends;		/* descriptor index ending each job */
	size_t n_jobs;
	/* the addresses the descriptors hold now (0 before the first run) */
	uint64_t at_in, at_out, at_w, at_cp;
	size_t in_bytes, out_bytes;
	uint64_t compulsory;
	char nofit[400];		/* why the last run could not get device memory */
};

static const char *backend_name(enum npu_backend_kind k)
{
	return k == NPU_BACKEND_DRM ? "drm" : k == NPU_BACKEND_SIM ? "sim" : "cpu";
}

npu_status npu_device_open(const struct npu_device_opts *o, struct npu_device **out,
			   char *msg, size_t msglen)
{
	struct npu_device *d;
	npu_status st = NPU_OK;
	char why[256] = "";

	if (!o || !out || (!msg && msglen))
		return NPU_E_INVAL;
	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NPU_E_NOMEM;
	d->threads = o->threads;
	d->dram_bw = o->kind == NPU_BACKEND_CPU ? 0 : (int)o->dram_bytes_per_cycle;
	d->kind = o->kind;
	if (o->kind == NPU_BACKEND_AUTO) {
		if (npu_backend_drm_present() &&
		    npu_backend_drm_open(&d->be, why, sizeof(why)) == NPU_OK) {
			d->kind = NPU_BACKEND_DRM;
			snprintf(msg, msglen, "auto: drm (render node present): %s", why);
		} else if (npu_backend_sim_open(o->trace_path, o->dram_bytes_per_cycle,
						o->dram_latency, &d->be, why, sizeof(why)) == NPU_OK) {
			d->kind = NPU_BACKEND_SIM;
			snprintf(msg, msglen, "auto: %s (no npu render node)", why);
		} else {
			d->kind = NPU_BACKEND_CPU;
			snprintf(msg, msglen, "auto: cpu (no npu render node; simulator: %s)", why);
		}
	} else if (o->kind == NPU_BACKEND_DRM) {
		st = npu_backend_drm_open(&d->be, why, sizeof(why));
		snprintf(msg, msglen, "%s", why);
	} else if (o->kind == NPU_BACKEND_SIM) {
		st = npu_backend_sim_open(o->trace_path, o->dram_bytes_per_cycle, o->dram_latency,
					  &d->be, why, sizeof(why));
		snprintf(msg, msglen, "%s", why);
	} else if (o->kind == NPU_BACKEND_CPU) {
		snprintf(msg, msglen, "cpu (%s kernels)", npu_cpu_have_avx2() ? "AVX2" : "scalar");
	} else {
		st = NPU_E_INVAL;
		snprintf(msg, msglen, "unknown backend %d", (int)o->kind);
	}
	if (st == NPU_OK && d->be)
		st = d->be->ops->caps(d->be, &d->caps);
	if (st != NPU_OK) {
		if (d->be)
			d->be->ops->close(d->be);
		free(d);
		return st;
	}
	npu_resid_init(&d->resid, d->be);
	*out = d;
	return NPU_OK;
}

npu_status npu_device_open_backend(struct npu_backend *be, struct npu_device **out)
{
	struct npu_device *d;
	npu_status st;

	if (!be || !out)
		return NPU_E_INVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NPU_E_NOMEM;
	d->kind = NPU_BACKEND_SIM;
	d->be = be;
	st = be->ops->caps(be, &d->caps);
	if (st) {
		free(d);
		return st;
	}
	npu_resid_init(&d->resid, be);
	*out = d;
	return NPU_OK;
}

void npu_device_close(struct npu_device *d)
{
	if (!d)
		return;
	npu_resid_fini(&d->resid);
	if (d->be)
		d->be->ops->close(d->be);
	free(d);
}

void npu_device_trim(struct npu_device *d)
{
	if (d && d->be)
		npu_resid_trim(&d->resid);
}

void npu_device_mem(const struct npu_device *d, struct npu_device_mem *m)
{
	struct npu_resid_stats s;

	memset(m, 0, sizeof(*m));
	if (!d || !d->be)
		return;
	npu_resid_stats(&d->resid, &s);
	m->evictions = s.evictions;
	m->resident_bytes = s.resident_bytes;
	m->cached_bytes = s.cached_bytes;
	m->resident_plans = s.items;
	m->cached_buffers = s.cached;
}

const char *npu_device_backend(const struct npu_device *d)
{
	return d ? backend_name(d->kind) : "none";
}

npu_status npu_device_caps(const struct npu_device *d, struct npu_caps *caps)
{
	if (!d || !caps)
		return NPU_E_INVAL;
	if (!d->be)
		return NPU_E_NODEV;
	*caps = d->caps;
	return NPU_OK;
}

/* ---------------- plans ---------------- */

static void *dup_array(const void *src, size_t bytes, int *fail)
{
	void *p;

	if (!src)
		return NULL;
	p = malloc(bytes ? bytes : 1);
	if (!p) {
		*fail = 1;
		return NULL;
	}
	memcpy(p, src, bytes);
	return p;
}

/* Frees the resident buffers (evicted, or the plan goes away). */
static void drop_resident(struct npu_conv_plan *p)
{
	struct npu_backend *be = p->dev->be;

	npu_resid_remove(&p->dev->resid, &p->res);
	if (be) {
		be->ops->bo_free(be, p->w_bo);
		be->ops->bo_free(be, p->cp_bo);
	}
	p->w_bo = p->cp_bo = NULL;
	p->res.bytes = 0;
}

static void plan_evict(struct npu_resid_item *it)
{
	struct npu_conv_plan *p = (struct npu_conv_plan *)((char *)it -
							   offsetof(struct npu_conv_plan, res));

	drop_resident(p);
}

void npu_conv_plan_destroy(struct npu_conv_plan *p)
{
	if (!p)
		return;
	drop_resident(p);
	free(p->descs);
	free(p->job_ends);
	free(p->woff);
	free(p->coff);
	free(p->wpack);
	free(p->bias);
	free(p->wzp);
	free(p->mult);
	free(p->shift);
	free(p->scale);
	free(p->w);
	free(p);
}

static void geom_from_spec(const struct npu_device *d, const struct npu_conv_spec *s, int groups,
			   struct npu_tile_geom *g)
{
	memset(g, 0, sizeof(*g));
	g->dram_bw = d->dram_bw;
	g->n = s->n;
	g->in_h = s->in_h;
	g->in_w = s->in_w;
	g->groups = groups;
	g->cin_pg = s->in_c / groups;
	g->cout_pg = s->out_c / groups;
	g->kh = s->kh;
	g->kw = s->kw;
	g->sh = s->stride_h;
	g->sw = s->stride_w;
	g->dh = s->dil_h;
	g->dw = s->dil_w;
	g->pt = s->pad_top;
	g->pl = s->pad_left;
	g->pb = s->pad_bottom;
	g->pr = s->pad_right;
	g->out_h = s->out_h;
	g->out_w = s->out_w;
	g->out_esize = (int)npu_dtype_bytes(s->out_type);
}

/* The layer as a 1x1 convolution over its im2col taps. */
static int im2col_spec(const struct npu_conv_spec *s, struct npu_conv_spec *o)
{
	const char *why;

	*o = *s;
	o->in_h = s->out_h;
	o->in_w = s->out_w;
	o->in_c = s->kh * s->kw * s->in_c;
	o->kh = o->kw = o->stride_h = o->stride_w = o->dil_h = o->dil_w = 1;
	o->pad_top = o->pad_left = o->pad_bottom = o->pad_right = 0;
	return npu_conv_spec_finish(o, &why);
}

static void im2col(const struct npu_conv_spec *s, const uint8_t *in, uint8_t *o)
{
	size_t taps = (size_t)s->kh * s->kw * s->in_c;

	for (int b = 0; b < s->n; b++)
	for (int y = 0; y < s->out_h; y++)
	for (int x = 0; x < s->out_w; x++) {
		uint8_t *dst = o + (((size_t)b * s->out_h + y) * s->out_w + x) * taps;

		for (int r = 0; r < s->kh; r++) {
			int iy = y * s->stride_h + r * s->dil_h - s->pad_top;

			for (int q = 0; q < s->kw; q++, dst += s->in_c) {
				int ix = x * s->stride_w + q * s->dil_w - s->pad_left;

				if (iy < 0 || iy >= s->in_h || ix < 0 || ix >= s->in_w)
					memset(dst, s->in_zp, (size_t)s->in_c);	/* contributes 0 */
				else
					memcpy(dst, in + (((size_t)b * s->in_h + iy) * s->in_w + ix) *
							     s->in_c, (size_t)s->in_c);
			}
		}
	}
}

/* Weights of gp groups merged into one block-diagonal group (OHWI). */
static uint8_t *pack_groups(const struct npu_conv_spec *s, const uint8_t *w, int gp)
{
	int cpg = s->in_c / s->groups, kpg = s->out_c / s->groups, ncpg = cpg * gp;
	size_t taps = (size_t)s->kh * s->kw;
	uint8_t *o = malloc((size_t)s->out_c * taps * ncpg);

	if (!o)
		return NULL;
	for (int k = 0; k < s->out_c; k++) {
		int local = (k / kpg) % gp;	/* which of the merged groups */
		uint8_t zp = (uint8_t)(s->w_zp ? s->w_zp[k] : 0);

		for (size_t t = 0; t < taps; t++) {
			uint8_t *dst = o + ((size_t)k * taps + t) * ncpg;

			memset(dst, zp, (size_t)ncpg);
			memcpy(dst + (size_t)local * cpg, w + ((size_t)k * taps + t) * cpg, (size_t)cpg);
		}
	}
	return o;
}

/*
 * The weight block range of the tiling's group chunk gi, output-channel
 * chunk ki and (for accumulator chains) input-channel chunk li.
 */
static struct npu_pack_range block_range(const struct npu_conv_plan *p, int gi, int ki, int li)
{
	const struct npu_tile_geom *g = &p->geom;
	const struct npu_tiling *t = &p->tiling;
	struct npu_pack_range r = {.g0 = gi * t->ng, .k0 = ki * t->nk};

	r.ng = g->groups - r.g0 < t->ng ? g->groups - r.g0 : t->ng;
	r.nk = g->cout_pg - r.k0 < t->nk ? g->cout_pg - r.k0 : t->nk;
	if (t->n_links > 1) {
		r.c0 = li * t->nc;
		r.nc = g->cin_pg - r.c0 < t->nc ? g->cin_pg - r.c0 : t->nc;
	}
	return r;
}

/*
 * Builds the descriptors of every tile against buffer offsets (the
 * buffers' addresses are added when a run has them) and the layout of the
 * packed weights and channel records. Allocates no device memory.
 */
static npu_status build_device_plan(struct npu_conv_plan *p)
{
	const struct npu_caps *c = &p->dev->caps;
	const struct npu_conv_spec *s = &p->dspec;
	const struct npu_tile_geom *g = &p->geom;
	const struct npu_tiling *t = &p->tiling;
	int n_g = (g->groups + t->ng - 1) / t->ng, n_k = (g->cout_pg + t->nk - 1) / t->nk;
	int n_l = t->n_links > 1 ? t->n_links : 1;
	size_t esize = npu_dtype_bytes(s->out_type);
	uint64_t job_cycles = 0;

	p->n_g = n_g;
	p->n_k = n_k;
	p->n_l = n_l;
	p->woff = calloc((size_t)n_g * n_k * n_l, sizeof(size_t));
	p->coff = calloc((size_t)n_g * n_k, sizeof(size_t));
	if (!p->woff || !p->coff)
		return NPU_E_NOMEM;
	p->w_bytes = p->cp_bytes = 0;
	for (int gi = 0; gi < n_g; gi++)
		for (int ki = 0; ki < n_k; ki++) {
			struct npu_pack_range r = block_range(p, gi, ki, 0);

			p->coff[gi * n_k + ki] = p->cp_bytes;
			p->cp_bytes += (size_t)r.ng * r.nk * NPU_CHAN_PARAM_BYTES;
			for (int li = 0; li < n_l; li++) {
				r = block_range(p, gi, ki, li);
				p->woff[((size_t)gi * n_k + ki) * n_l + li] = p->w_bytes;
				p->w_bytes += p->tf == T_DEPTHWISE ?
						      npu_pack_dw_weights_bytes(c, s, r.ng) :
						      npu_pack_weights_bytes(c, s, &r);
			}
		}
	/* the tensor copied in: the im2col taps, else the layer's own input */
	p->in_bytes = p->tf == T_IM2COL ? npu_conv_in_elems(s) : npu_conv_in_elems(&p->spec);
	p->out_bytes = npu_conv_out_elems(s) * esize;

	p->n_desc = t->n_tiles;
	p->descs = calloc(p->n_desc, sizeof(*p->descs));
	p->job_ends = calloc(p->n_desc + 1, sizeof(size_t));
	if (!p->descs || !p->job_ends)
		return NPU_E_NOMEM;
	size_t max_descs = p->dev->be->ops->max_job_descs;
	uint64_t max_cycles = p->dev->be->ops->max_job_cycles;
	/* rows and pixels of the tensor in memory (the device may skip some) */
	int sub = p->sub_h > 1 || p->sub_w > 1;
	size_t mem_w = sub ? (size_t)p->spec.in_w : (size_t)g->in_w;
	size_t mem_h = sub ? (size_t)p->spec.in_h : (size_t)g->in_h;
	size_t in_row = mem_w * s->in_c, out_row = (size_t)g->out_w * s->out_c * esize;
	size_t job_start = 0;
	for (uint64_t i = 0; i < t->n_tiles; i++) {
		struct npu_tile tl;
		struct npu_desc_conv *d = &p->descs[i].conv;
		int gi, ki;

		npu_tile_get(t, g, i, &tl);
		gi = tl.g0 / t->ng;
		ki = tl.k0 / t->nk;
		d->opcode = NPU_OP_CONV;
		d->version = NPU_DESC_VERSION;
		d->flags = p->tf == T_DEPTHWISE ? NPU_CONV_DEPTHWISE : 0;
		if (tl.link + 1 < tl.n_links)
			d->flags |= NPU_CONV_ACC_HOLD;
		if (tl.link > 0)
			d->flags |= NPU_CONV_ACC_CONT;
		d->tag = (uint32_t)i;
		/* offsets into the input, output, weight and record buffers */
		d->in_addr = (uint32_t)((((size_t)tl.b * mem_h + (size_t)tl.iy0 * p->sub_h) * mem_w +
					 (size_t)tl.ix0 * p->sub_w) * s->in_c + (size_t)tl.g0 * g->cin_pg +
					(size_t)tl.c0);
		d->in_row_stride = (uint32_t)(in_row * p->sub_h);
		d->in_pix_stride = (uint32_t)((size_t)s->in_c * p->sub_w);
		d->in_h = (uint16_t)tl.ih;
		d->in_w = (uint16_t)tl.iw;
		d->groups = (uint16_t)tl.ng;
		d->cin_pg = (uint16_t)tl.nc;
		d->cout_pg = (uint16_t)tl.nk;
		d->out_h = (uint16_t)tl.oh;
		d->out_w = (uint16_t)tl.ow;
		d->kh = (uint8_t)g->kh;
		d->kw = (uint8_t)g->kw;
		d->stride_h = (uint8_t)g->sh;
		d->stride_w = (uint8_t)g->sw;
		d->dil_h = (uint8_t)g->dh;
		d->dil_w = (uint8_t)g->dw;
		d->pad_top = (uint8_t)tl.pt;
		d->pad_left = (uint8_t)tl.pl;
		d->pad_bottom = (uint8_t)tl.pb;
		d->pad_right = (uint8_t)tl.pr;
		d->w_addr = (uint32_t)p->woff[((size_t)gi * n_k + ki) * n_l + tl.c0 / t->nc];
		d->cp_addr = (uint32_t)p->coff[gi * n_k + ki];
		d->out_addr = (uint32_t)(tl.b * (size_t)g->out_h * out_row +
					 (size_t)tl.oy0 * out_row + (size_t)tl.ox0 * s->out_c * esize +
					 ((size_t)tl.g0 * g->cout_pg + tl.k0) * esize);
		d->out_row_stride = (uint32_t)out_row;
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

		/* jobs end where the backend wants them to */
		uint64_t cyc = (uint64_t)tl.oh * tl.ow * tl.ng * ((tl.nk + c->cols - 1) / c->cols) *
			       g->kh * g->kw * ((tl.nc + c->rows - 1) / c->rows);
		/* never inside an accumulator chain: a job ends with a fence */
		if (i > job_start && tl.link == 0 && ((max_descs && i - job_start >= max_descs) ||
				      (max_cycles && job_cycles + cyc > max_cycles))) {
			p->job_ends[p->n_jobs++] = i;
			job_start = i;
			job_cycles = 0;
		}
		job_cycles += cyc;
	}
	p->job_ends[p->n_jobs++] = p->n_desc;
	p->at_in = p->at_out = p->at_w = p->at_cp = 0;
	return NPU_OK;
}

/* Packs the weights and channel records into the (just allocated) resident buffers. */
static void upload(struct npu_conv_plan *p)
{
	const struct npu_caps *c = &p->dev->caps;
	const uint8_t *w = p->wpack ? p->wpack : p->w;

	for (int gi = 0; gi < p->n_g; gi++)
		for (int ki = 0; ki < p->n_k; ki++)
		for (int li = 0; li < p->n_l; li++) {
			struct npu_pack_range r = block_range(p, gi, ki, li);
			size_t b = ((size_t)gi * p->n_k + ki) * p->n_l + li;

			if (p->tf == T_DEPTHWISE)
				npu_pack_dw_weights(c, &p->dspec, w, r.g0, r.ng,
						    (uint8_t *)p->w_bo->map + p->woff[b]);
			else
				npu_pack_weights(c, &p->dspec, w, &r,
						 (uint8_t *)p->w_bo->map + p->woff[b]);
			if (li == 0)
				npu_pack_chan_params(&p->dspec, &r, (struct npu_chan_param *)
						     ((uint8_t *)p->cp_bo->map +
						      p->coff[(size_t)gi * p->n_k + ki]));
		}
}

static size_t nonzero(size_t n)
{
	return n ? n : 64;
}

/* "12.3 MiB" or "4.5 KiB". */
static const char *fmt_bytes(char *buf, size_t len, uint64_t n)
{
	if (n >= (1u << 20))
		snprintf(buf, len, "%.1f MiB", (double)n / (1 << 20));
	else
		snprintf(buf, len, "%.1f KiB", (double)n / (1 << 10));
	return buf;
}

/* Why the layer does not fit, with its sizes (into p->nofit). */
static void say_nofit(struct npu_conv_plan *p)
{
	char a[32], b[32], c[32], d[32], e[32], f[32];

	snprintf(p->nofit, sizeof(p->nofit),
		 "needs %s of device memory (input %s, output %s, weights %s, channel records "
		 "%s), more than the %s device can give it with nothing else resident",
		 fmt_bytes(a, sizeof(a), (uint64_t)p->in_bytes + p->out_bytes + p->w_bytes +
					 p->cp_bytes),
		 fmt_bytes(b, sizeof(b), p->in_bytes), fmt_bytes(c, sizeof(c), p->out_bytes),
		 fmt_bytes(d, sizeof(d), p->w_bytes), fmt_bytes(e, sizeof(e), p->cp_bytes),
		 fmt_bytes(f, sizeof(f), (uint64_t)1 << p->dev->caps.mem_log2));
}

/*
 * Releases what acquire() gave: the activation buffers go back to the
 * cache, or, after a failed job (which the device may not have finished
 * with), back to the backend.
 */
static void release(struct npu_conv_plan *p, struct npu_bo *in, struct npu_bo *out,
		    int failed)
{
	struct npu_resid *r = &p->dev->resid;

	if (failed) {
		p->dev->be->ops->bo_free(p->dev->be, in);
		p->dev->be->ops->bo_free(p->dev->be, out);
	} else {
		npu_resid_scratch_put(r, in);
		npu_resid_scratch_put(r, out);
	}
	p->res.pinned = 0;
	if (p->w_bo)
		npu_resid_touch(r, &p->res);	/* most recently used */
}

/*
 * Device memory for one run: the plan's weights and records resident
 * (uploaded again when they had been evicted; *reload counts the bytes)
 * and an input and an output buffer. NPU_E_NOMEM (and p->nofit says why)
 * when the layer does not fit even with nothing else resident; other
 * backend errors as they come. On success the plan is pinned until
 * release().
 */
static npu_status acquire(struct npu_conv_plan *p, struct npu_bo **in, struct npu_bo **out,
			  uint64_t *reload)
{
	struct npu_resid *r = &p->dev->resid;
	struct npu_backend *be = p->dev->be;
	npu_status st = NPU_OK;
	int had = p->w_bo != NULL;

	*in = *out = NULL;
	p->res.pinned = 1;
	if (!p->w_bo) {
		if (!(st = npu_resid_alloc(r, nonzero(p->w_bytes), &p->w_bo)))
			st = npu_resid_alloc(r, nonzero(p->cp_bytes), &p->cp_bo);
	}
	if (!st)
		st = npu_resid_scratch_get(r, nonzero(p->in_bytes), in);
	if (!st)
		st = npu_resid_scratch_get(r, nonzero(p->out_bytes), out);
	if (st == NPU_E_NOMEM) {
		/*
		 * Everything else is gone: what is left in the way is this
		 * plan's own buffers, placed in an order that leaves no hole
		 * big enough. Start again, the largest buffer first.
		 */
		struct want { size_t size; struct npu_bo **bo; } want[4] = {
			{ nonzero(p->in_bytes), in }, { nonzero(p->out_bytes), out },
			{ nonzero(p->w_bytes), &p->w_bo }, { nonzero(p->cp_bytes), &p->cp_bo },
		};

		be->ops->bo_free(be, *in);
		be->ops->bo_free(be, *out);
		*in = *out = NULL;
		drop_resident(p);
		npu_resid_trim(r);
		for (int i = 1; i < 4; i++)	/* insertion sort, largest first */
			for (int j = i; j > 0 && want[j].size > want[j - 1].size; j--) {
				struct want t = want[j];

				want[j] = want[j - 1];
				want[j - 1] = t;
			}
		st = NPU_OK;
		for (int i = 0; i < 4 && !st; i++)
			st = npu_resid_alloc(r, want[i].size, want[i].bo);
		if (st) {
			be->ops->bo_free(be, *in);
			be->ops->bo_free(be, *out);
			*in = *out = NULL;
			drop_resident(p);
			p->res.pinned = 0;
			if (st == NPU_E_NOMEM)
				say_nofit(p);
			return st;
		}
		had = 0;
	} else if (st) {
		be->ops->bo_free(be, *in);
		*in = NULL;
		drop_resident(p);
		p->res.pinned = 0;
		return st;
	}
	if (!had) {
		upload(p);
		p->res.bytes = p->w_bo->size + p->cp_bo->size;
		if (reload)
			*reload += p->w_bytes + p->cp_bytes;
	}
	return NPU_OK;
}

/* Adds each buffer's move since the descriptors were last written to their addresses. */
static void patch(struct npu_conv_plan *p, const struct npu_bo *in, const struct npu_bo *out)
{
	uint32_t din = (uint32_t)(in->dev_addr - p->at_in);
	uint32_t dout = (uint32_t)(out->dev_addr - p->at_out);
	uint32_t dw = (uint32_t)(p->w_bo->dev_addr - p->at_w);
	uint32_t dcp = (uint32_t)(p->cp_bo->dev_addr - p->at_cp);

	if (!din && !dout && !dw && !dcp)
		return;
	for (size_t i = 0; i < p->n_desc; i++) {
		struct npu_desc_conv *d = &p->descs[i].conv;

		d->in_addr += din;
		d->out_addr += dout;
		d->w_addr += dw;
		d->cp_addr += dcp;
	}
	p->at_in = in->dev_addr;
	p->at_out = out->dev_addr;
	p->at_w = p->w_bo->dev_addr;
	p->at_cp = p->cp_bo->dev_addr;
}

/*
 * Input rows (or columns) some tap of some output reads: the compulsory
 * input is these, not the whole tensor (a 1x1 stride-2 conv needs a
 * quarter of its input; a stride beyond the kernel skips pixels).
 */
static uint64_t taps_used(int in, int out, int k, int stride, int dil, int pad)
{
	uint64_t used = 0;

	for (int i = 0; i < in; i++) {
		for (int r = 0; r < k; r++) {
			int o = i + pad - r * dil;

			if (o >= 0 && o % stride == 0 && o / stride < out) {
				used++;
				break;
			}
		}
	}
	return used;
}

npu_status npu_conv_plan_create(struct npu_device *d, const struct npu_conv_spec *s,
				const void *w, struct npu_conv_plan **out,
				char *why, size_t whylen)
{
	struct npu_conv_plan *p;
	const char *reason = NULL;
	int fail = 0;
	size_t k = s ? (size_t)s->out_c : 0;
	npu_status st;

	if (!d || !s || !w || !out || (!why && whylen))
		return NPU_E_INVAL;
	*out = NULL;
	{
		struct npu_conv_spec chk = *s;
		if (npu_conv_spec_finish(&chk, &reason)) {
			snprintf(why, whylen, "%s", reason);
			return NPU_E_INVAL;
		}
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NPU_E_NOMEM;
	p->dev = d;
	p->spec = *s;
	p->bias = dup_array(s->bias, k * sizeof(int32_t), &fail);
	p->wzp = dup_array(s->w_zp, k * sizeof(int32_t), &fail);
	p->mult = dup_array(s->rq_mult, k * sizeof(int32_t), &fail);
	p->shift = dup_array(s->rq_shift, k, &fail);
	p->scale = dup_array(s->rq_scale, k * sizeof(float), &fail);
	p->w = dup_array(w, npu_conv_w_elems(s), &fail);
	if (fail) {
		npu_conv_plan_destroy(p);
		return NPU_E_NOMEM;
	}
	p->spec.bias = p->bias;
	p->spec.w_zp = p->wzp;
	p->spec.rq_mult = p->mult;
	p->spec.rq_shift = p->shift;
	p->spec.rq_scale = p->scale;
	npu_conv_spec_finish(&p->spec, &reason);
	p->compulsory = (uint64_t)p->spec.n * taps_used(p->spec.in_h, p->spec.out_h, p->spec.kh,
							  p->spec.stride_h, p->spec.dil_h,
							  p->spec.pad_top) *
			taps_used(p->spec.in_w, p->spec.out_w, p->spec.kw, p->spec.stride_w,
				  p->spec.dil_w, p->spec.pad_left) * (uint64_t)p->spec.in_c +
			npu_conv_w_elems(&p->spec) + (uint64_t)k * NPU_CHAN_PARAM_BYTES +
			npu_conv_out_elems(&p->spec) * npu_dtype_bytes(p->spec.out_type);
	if (!d->be) {	/* cpu backend: plans run on the fast CPU path */
		*out = p;
		return NPU_OK;
	}

	/* candidate device forms of the layer */
	const struct npu_caps *c = &d->caps;
	struct npu_conv_spec direct = p->spec, i2c;
	struct npu_tile_geom g_direct, g_i2c, g_dw;
	struct npu_tiling t_direct, t_i2c, t_dw;
	const char *why_direct = NULL, *why_i2c = NULL, *why_dw = NULL;
	int ok_direct, ok_i2c = 0, ok_dw = 0, gp = 1;
	int cpg = s->in_c / s->groups;

	/* depthwise, multiplier 1: the device's own mode */
	if ((c->features & NPU_FEAT_DEPTHWISE) && s->groups > 1 && s->in_c == s->groups &&
	    s->out_c == s->groups) {
		geom_from_spec(d, &direct, s->groups, &g_dw);
		g_dw.depthwise = 1;
		ok_dw = !npu_tile_plan(c, &g_dw, &t_dw, &why_dw);
	}

	/* small groups share one block-diagonal device group */
	if (s->groups > 1 && cpg < (int)c->rows)
		for (int cand = (int)c->rows / cpg; cand > 1; cand--)
			if (s->groups % cand == 0) {
				gp = cand;
				break;
			}
	geom_from_spec(d, &direct, s->groups / gp, &g_direct);
	g_direct.cin_pg = cpg * gp;
	g_direct.cout_pg = (s->out_c / s->groups) * gp;
	/* 1x1, stride 1, unpadded: the batch is just more rows */
	if (s->kh == 1 && s->kw == 1 && s->stride_h == 1 && s->stride_w == 1 && s->n > 1 &&
	    !s->pad_top && !s->pad_left && !s->pad_bottom && !s->pad_right) {
		g_direct.in_h *= g_direct.n;
		g_direct.out_h *= g_direct.n;
		g_direct.n = 1;
	}
	/* 1x1 strided, unpadded: read only the pixels the kernel lands on */
	p->sub_h = p->sub_w = 1;
	if (s->kh == 1 && s->kw == 1 && (s->stride_h > 1 || s->stride_w > 1) &&
	    !s->pad_top && !s->pad_left && !s->pad_bottom && !s->pad_right) {
		p->sub_h = s->stride_h;
		p->sub_w = s->stride_w;
		g_direct.in_h = s->out_h;
		g_direct.in_w = s->out_w;
		g_direct.sh = g_direct.sw = 1;
	}
	ok_direct = !npu_tile_plan(c, &g_direct, &t_direct, &why_direct);
	if (s->groups == 1 && (s->kh > 1 || s->kw > 1) &&
	    npu_conv_out_elems(s) / (size_t)s->out_c * s->kh * s->kw * s->in_c <= IM2COL_MAX_BYTES &&
	    !im2col_spec(s, &i2c)) {
		geom_from_spec(d, &i2c, 1, &g_i2c);
		if (i2c.n > 1) {
			g_i2c.in_h *= g_i2c.n;
			g_i2c.out_h *= g_i2c.n;
			g_i2c.n = 1;
		}
		ok_i2c = !npu_tile_plan(c, &g_i2c, &t_i2c, &why_i2c);
	}
	/* im2col when the direct form cannot run, or runs far slower */
	if (ok_dw) {
		p->tf = T_DEPTHWISE;
		p->sub_h = p->sub_w = 1;
		p->dspec = p->spec;
		p->geom = g_dw;
		p->tiling = t_dw;
	} else if (ok_i2c && (!ok_direct || t_direct.est_cycles > t_i2c.est_cycles * 3 / 2)) {
		p->tf = T_IM2COL;
		p->sub_h = p->sub_w = 1;
		p->dspec = i2c;
		p->geom = g_i2c;
		p->tiling = t_i2c;
	} else if (ok_direct) {
		p->tf = gp > 1 ? T_GROUP_PACK : T_DIRECT;
		p->gp = gp;
		p->dspec = p->spec;
		p->dspec.groups = s->groups / gp;
		p->geom = g_direct;
		p->tiling = t_direct;
	} else {
		snprintf(why, whylen, "%s", why_direct ? why_direct : "not supported by the device");
		npu_conv_plan_destroy(p);
		return NPU_E_UNSUPPORTED;
	}
	/* device geometry with the batch folded: a matching spec for packing and sizes */
	if (p->geom.n != p->dspec.n) {
		p->dspec.in_h = p->geom.in_h;
		p->dspec.out_h = p->geom.out_h;
		p->dspec.n = 1;
	}

	if (p->tf == T_GROUP_PACK) {
		/* kept: an evicted plan packs its weights again from it */
		p->wpack = pack_groups(&p->spec, p->w, gp);
		if (!p->wpack) {
			npu_conv_plan_destroy(p);
			return NPU_E_NOMEM;
		}
		p->dspec.in_c = p->spec.in_c;	/* unchanged: groups are contiguous */
	}
	p->res.evict = plan_evict;
	st = build_device_plan(p);
	if (st) {
		snprintf(why, whylen, "out of memory for the plan's descriptors");
		npu_conv_plan_destroy(p);
		return st;
	}
	/*
	 * Does the layer fit at all? Take its weights, records, input and
	 * output (making room as a run would); the weights stay resident,
	 * the activation buffers go to the cache for the next layer.
	 */
	{
		struct npu_bo *in_bo, *out_bo;

		st = acquire(p, &in_bo, &out_bo, NULL);
		if (st == NPU_E_NOMEM) {
			snprintf(why, whylen, "%s", p->nofit);
			npu_conv_plan_destroy(p);
			return NPU_E_UNSUPPORTED;
		}
		if (st) {
			snprintf(why, whylen, "device memory: %s", npu_strerror(st));
			npu_conv_plan_destroy(p);
			return st;
		}
		release(p, in_bo, out_bo, 0);
	}
	*out = p;
	return NPU_OK;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static const char *err_name(uint32_t e)
{
	static const char *const names[] = {"none", "opcode", "version", "reserved field",
		"type", "dimension", "geometry", "capacity", "address", "zero point", "clamp",
		"channel parameter", "ring", "dma", "internal", "accumulator chain sequence"};

	return e < sizeof(names) / sizeof(names[0]) ? names[e] : "unknown";
}

npu_status npu_conv_plan_run(struct npu_conv_plan *p, const void *in, void *out,
			     struct npu_run_stats *st, char *msg, size_t msglen)
{
	struct npu_backend *be;
	struct npu_bo *bos[4], *in_bo, *out_bo;
	double t0 = now_s();
	struct npu_run_stats s = {0};
	npu_status e;

	if (!p || !in || !out || (!msg && msglen))
		return NPU_E_INVAL;
	s.macs = npu_conv_macs(&p->spec);
	s.compulsory_bytes = p->compulsory;
	if (!p->dev->be) {
		int rc = npu_cpu_conv(&p->spec, in, p->w, out, p->dev->threads);

		if (rc) {
			snprintf(msg, msglen, "the CPU path failed: %s", strerror(-rc));
			return rc == -ENOMEM ? NPU_E_NOMEM : NPU_E_INVAL;
		}
		s.wall_seconds = now_s() - t0;
		if (st)
			*st = s;
		return NPU_OK;
	}
	be = p->dev->be;
	e = acquire(p, &in_bo, &out_bo, &s.reload_bytes);
	if (e == NPU_E_NOMEM) {
		/* no room even alone (now): the CPU computes it, and says why */
		int rc = npu_cpu_conv(&p->spec, in, p->w, out, p->dev->threads);

		if (rc) {
			snprintf(msg, msglen, "the CPU path failed: %s", strerror(-rc));
			return rc == -ENOMEM ? NPU_E_NOMEM : NPU_E_INVAL;
		}
		s.fallback = p->nofit;
		s.wall_seconds = now_s() - t0;
		if (st)
			*st = s;
		return NPU_OK;
	}
	if (e) {
		snprintf(msg, msglen, "device memory for the layer: %s", npu_strerror(e));
		return e;
	}
	patch(p, in_bo, out_bo);
	if (p->tf == T_IM2COL)
		im2col(&p->spec, in, in_bo->map);
	else
		memcpy(in_bo->map, in, p->in_bytes);
	bos[0] = in_bo;
	bos[1] = out_bo;
	bos[2] = p->w_bo;
	bos[3] = p->cp_bo;
	s.on_device = 1;
	s.planned_bytes = p->tiling.planned_bytes;
	s.descriptors = (uint32_t)p->n_desc;
	for (size_t j = 0, first = 0; j < p->n_jobs; first = p->job_ends[j++]) {
		struct npu_job_result r;
		uint64_t job;

		e = be->ops->submit(be, p->descs + first, p->job_ends[j] - first, bos, 4, &job);
		if (e) {
			snprintf(msg, msglen, "the %s backend refused job %zu: %s", be->ops->name, j,
				 npu_strerror(e));
			release(p, in_bo, out_bo, 1);
			return e;
		}
		e = be->ops->wait(be, job, JOB_TIMEOUT_NS, &r);
		if (e) {
			snprintf(msg, msglen, "job %zu of %zu: %s", j + 1, p->n_jobs, npu_strerror(e));
			release(p, in_bo, out_bo, 1);
			return e;
		}
		if (r.err_code) {
			snprintf(msg, msglen, "device error %u (%s) at descriptor %zu, info 0x%x",
				 r.err_code, err_name(r.err_code), first + r.err_index, r.err_info);
			release(p, in_bo, out_bo, 1);
			return NPU_E_DEVICE;
		}
		s.jobs++;
		s.cycles += r.cycles;
		s.mac_active += r.counter[NPU_CNT_MAC_ACTIVE];
		s.rd_bytes += r.counter[NPU_CNT_RD_BYTES];
		s.wr_bytes += r.counter[NPU_CNT_WR_BYTES];
	}
	memcpy(out, out_bo->map, p->out_bytes);
	release(p, in_bo, out_bo, 0);
	s.wall_seconds = now_s() - t0;
	if (st)
		*st = s;
	return NPU_OK;
}
