/* SPDX-License-Identifier: MIT */
/* The per-layer report of `npu run` and the model summary, as text and JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

const char *human(uint64_t v, char *buf, size_t len)
{
	static const char suffix[] = " KMGTP";
	double d = (double)v;
	int i = 0;

	/* 1234567 -> "1.23M": tables stay narrow; --json has the exact numbers. */
	while (d >= 1000.0 && i < 5) {
		d /= 1000.0;
		i++;
	}
	if (i)
		snprintf(buf, len, "%.2f%c", d, suffix[i]);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

const char *shape(const int d[4], char *buf, size_t len)
{
	snprintf(buf, len, "%dx%dx%dx%d", d[0], d[1], d[2], d[3]);
	return buf;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void on_layer(void *user, int layer, int layers, const char *name)
{
	struct progress *p = user;
	char batch[48] = "";
	double t = now();

	if (t - p->start < PROGRESS_AFTER_S)
		return;
	if (p->batches)
		snprintf(batch, sizeof(batch), "batch %d/%d, ", p->batch, p->batches);
	/* On a terminal one line is redrawn; in a log a line every few seconds. */
	if (p->tty) {
		fprintf(stderr, "\r\033[K[%s%d/%d] %s  %.1f s", batch, layer + 1, layers, name,
			t - p->start);
	} else if (t - p->last >= 5.0) {
		fprintf(stderr, "npu: %slayer %d/%d %s, %.1f s\n", batch, layer + 1, layers,
			name, t - p->start);
		p->last = t;
	}
	p->shown = 1;
}

void progress_done(struct progress *p)
{
	if (p->shown && p->tty)
		fprintf(stderr, "\r\033[K");
	p->shown = 0;
}

static const char *check_text(const struct npu_layer_report *r)
{
	if (!r->ran)
		return "not run";
	switch (r->check) {
	case NPU_CHECK_PASS:
		return "ok";
	case NPU_CHECK_MISMATCH:
		return "MISMATCH";
	default:
		return "-";
	}
}

/* ---- figures summed over runs ---- */

int stats_init(struct run_stats *s, const npu_net *net)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->n = npu_net_num_layers(net);
	s->layers = calloc(s->n ? (size_t)s->n : 1, sizeof(*s->layers));
	if (!s->layers)
		return -1;
	for (i = 0; i < s->n; i++) {
		struct npu_layer_report *r = &s->layers[i].r;

		npu_net_layer_report(net, i, r);
		/* Keep the summary; run figures start from zero. */
		r->ran = r->on_device = 0;
		r->where = NULL;
		r->macs = 0;
		r->cycles = r->mac_active = r->dram_read = r->dram_written = 0;
		r->dram_compulsory = r->dram_planned = 0;
		r->descriptors = r->jobs = 0;
		r->seconds = 0.0;
		r->check = NPU_CHECK_NONE;
		r->mismatches = 0;
	}
	npu_net_totals(net, &s->totals);
	s->totals.macs = 0;
	s->totals.cycles = s->totals.mac_active = 0;
	s->totals.dram_read = s->totals.dram_written = s->totals.dram_compulsory = 0;
	s->totals.seconds = s->totals.device_seconds = 0.0;
	s->totals.device_layers = s->totals.fallback_layers = 0;
	s->totals.checked = s->totals.mismatched = 0;
	return 0;
}

static int add_where(struct layer_sum *l, const char *where)
{
	char *w;
	size_t a, b;

	if (!where)
		return 0;
	if (!l->where)
		return (l->where = strdup(where)) ? 0 : -1;
	/* Already listed (as the whole text or one of its "; " parts)? */
	for (w = l->where; (w = strstr(w, where)); w++) {
		b = strlen(where);
		if ((w == l->where || !strncmp(w - 2, "; ", 2)) && (w[b] == '\0' || w[b] == ';'))
			return 0;
	}
	a = strlen(l->where);
	b = strlen(where);
	if (!(w = realloc(l->where, a + b + 3)))
		return -1;
	memcpy(w + a, "; ", 2);
	memcpy(w + a + 2, where, b + 1);
	l->where = w;
	return 0;
}

int stats_add(struct run_stats *s, const npu_net *net, uint64_t images)
{
	struct npu_net_totals t;
	int i;

	if (npu_net_num_layers(net) != s->n)
		return -1;
	for (i = 0; i < s->n; i++) {
		struct npu_layer_report r, *a = &s->layers[i].r;

		npu_net_layer_report(net, i, &r);
		if (!r.ran)
			continue;
		a->ran = 1;
		a->on_device |= r.on_device;
		a->macs += r.macs;
		a->cycles += r.cycles;
		a->mac_active += r.mac_active;
		a->dram_read += r.dram_read;
		a->dram_written += r.dram_written;
		a->dram_compulsory += r.dram_compulsory;
		a->dram_planned += r.dram_planned;
		a->descriptors += r.descriptors;
		a->jobs += r.jobs;
		a->seconds += r.seconds;
		a->mismatches += r.mismatches;
		if (r.check == NPU_CHECK_MISMATCH && a->check != NPU_CHECK_MISMATCH) {
			memcpy(a->first_diff, r.first_diff, sizeof(a->first_diff));
			a->expected = r.expected;
			a->actual = r.actual;
		}
		if (r.check > a->check)
			a->check = r.check;
		if (add_where(&s->layers[i], r.where))
			return -1;
		a->where = s->layers[i].where;
	}
	npu_net_totals(net, &t);
	s->totals.macs += t.macs;
	s->totals.cycles += t.cycles;
	s->totals.mac_active += t.mac_active;
	s->totals.dram_read += t.dram_read;
	s->totals.dram_written += t.dram_written;
	s->totals.dram_compulsory += t.dram_compulsory;
	s->totals.seconds += t.seconds;
	s->totals.device_seconds += t.device_seconds;
	/* Layer counts: of the summed table. */
	s->totals.device_layers = s->totals.fallback_layers = 0;
	s->totals.checked = s->totals.mismatched = 0;
	for (i = 0; i < s->n; i++) {
		const struct npu_layer_report *a = &s->layers[i].r;

		s->totals.device_layers += a->on_device;
		s->totals.fallback_layers += a->where && strstr(a->where, "fallback") != NULL;
		s->totals.checked += a->check != NPU_CHECK_NONE;
		s->totals.mismatched += a->check == NPU_CHECK_MISMATCH;
	}
	s->runs++;
	s->images += images;
	return 0;
}

void stats_free(struct run_stats *s)
{
	int i;

	for (i = 0; s->layers && i < s->n; i++)
		free(s->layers[i].where);
	free(s->layers);
	memset(s, 0, sizeof(*s));
}

/* ---- text ---- */

void print_summary(npu_net *net)
{
	struct npu_net_totals t;
	struct npu_layer_report r;
	char s[48], a[32], b[32];
	int i, n = npu_net_num_layers(net);

	printf("%-4s %-24s %-15s %-18s %12s %10s\n", "#", "layer", "op", "output (NHWC)", "params",
	       "MACs");
	for (i = 0; i < n; i++) {
		npu_net_layer_report(net, i, &r);
		printf("%-4d %-24s %-15s %-18s %12llu %10s\n", i, r.name, r.op,
		       shape(r.out_dims, s, sizeof(s)), (unsigned long long)r.params,
		       human(r.macs, a, sizeof(a)));
	}
	npu_net_totals(net, &t);
	printf("total: %d layers, %llu params (%s), %llu MACs (%s)\n", t.layers,
	       (unsigned long long)t.params, human(t.params, a, sizeof(a)),
	       (unsigned long long)t.macs, human(t.macs, b, sizeof(b)));
}

void print_report(npu_ctx *ctx, const struct run_stats *st, const struct device_view *dv)
{
	const struct npu_net_totals *t = &st->totals;
	char s[48], a[32], b[32], c[32], util[16], roof[16], dram[48];
	double cap = dv->have ? (double)dv->info.rows * dv->info.cols : 0.0;
	double roof_cycles = 0.0;
	uint64_t dev_macs = 0;
	struct roofline rl;
	int i;

	const char *be = npu_ctx_backend(ctx), *why = npu_ctx_backend_reason(ctx);

	/* the reason may name the backend already ("sim (...)", "auto: sim ...") */
	if (!strncmp(why, be, strlen(be)) || !strncmp(why, "auto:", 5))
		printf("backend: %s", why);
	else
		printf("backend: %s (%s)", be, why);
	printf("%s\n", npu_ctx_checking(ctx) ? ", checking against the reference" : "");
	if (dv->dram_bw)
		printf("DRAM model: %u bytes/cycle, %u cycles latency; 'roof' is the most MAC "
		       "utilization DRAM allows (compulsory bytes at %u bytes/cycle)\n",
		       dv->dram_bw, dv->dram_latency, dv->dram_bw);
	if (st->runs > 1)
		printf("figures summed over %d runs (%llu images); output shapes of the first "
		       "run\n", st->runs, (unsigned long long)st->images);
	printf("%-4s %-24s %-14s %-16s %9s %9s %6s %6s %-23s %-9s %s\n", "#", "layer", "op",
	       "output (NHWC)", "MACs", "cycles", "util", "roof", "DRAM bytes / compulsory",
	       "check", "where");
	for (i = 0; i < st->n; i++) {
		const struct npu_layer_report *r = &st->layers[i].r;

		snprintf(util, sizeof(util), "-");
		snprintf(roof, sizeof(roof), "-");
		snprintf(dram, sizeof(dram), "-");
		if (r->on_device && r->cycles && cap > 0)
			snprintf(util, sizeof(util), "%.1f%%",
				 100.0 * (double)r->macs / (cap * (double)r->cycles));
		if (r->on_device &&
		    !roofline_of(dv, r->macs, r->dram_compulsory, r->cycles, &rl)) {
			snprintf(roof, sizeof(roof), "%.1f%%", 100.0 * rl.max_util);
			roof_cycles += rl.cycles;
		}
		if (r->on_device && r->dram_compulsory)
			snprintf(dram, sizeof(dram), "%s / %s (%.2fx)",
				 human(r->dram_read + r->dram_written, b, sizeof(b)),
				 human(r->dram_compulsory, c, sizeof(c)),
				 (double)(r->dram_read + r->dram_written) /
					 (double)r->dram_compulsory);
		printf("%-4d %-24s %-14s %-16s %9s %9s %6s %6s %-23s %-9s %s\n", i, r->name, r->op,
		       shape(r->out_dims, s, sizeof(s)),
		       r->macs ? human(r->macs, a, sizeof(a)) : "-",
		       r->on_device ? human(r->cycles, c, sizeof(c)) : "-", util, roof, dram,
		       check_text(r), r->ran ? r->where : "-");
		if (r->on_device)
			dev_macs += r->macs;	/* CPU layers have no cycles to weigh */
	}
	printf("total: %s MACs in %d layers (%d on the device, %d fallback to the CPU)\n",
	       human(t->macs, a, sizeof(a)), t->layers, t->device_layers, t->fallback_layers);
	if (t->device_layers)
		printf("device: %s cycles, MAC utilization %.1f%%, DRAM %s / compulsory %s "
		       "(%.2fx), %.0f simulated cycles/s\n",
		       human(t->cycles, a, sizeof(a)),
		       t->cycles && cap > 0 ? 100.0 * (double)dev_macs / (cap * (double)t->cycles)
					    : 0.0,
		       human(t->dram_read + t->dram_written, b, sizeof(b)),
		       human(t->dram_compulsory, c, sizeof(c)),
		       t->dram_compulsory ? (double)(t->dram_read + t->dram_written) /
						    (double)t->dram_compulsory : 0.0,
		       t->device_seconds > 0 ? (double)t->cycles / t->device_seconds : 0.0);
	if (t->device_layers && roof_cycles > 0 && t->cycles)
		printf("roofline: the device layers need at least %s cycles (MAC utilization "
		       "at most %.1f%%); %.1f%% of it reached\n",
		       human((uint64_t)(roof_cycles + 0.5), a, sizeof(a)),
		       100.0 * (double)dev_macs / (cap * roof_cycles),
		       100.0 * roof_cycles / (double)t->cycles);
	if (npu_ctx_checking(ctx))
		printf("check: %d layers compared with the reference, %d mismatched\n",
		       t->checked, t->mismatched);
	printf("wall time: %.3f s\n", t->seconds);
}

/* ---- JSON ---- */

static json_t *json_dims(const int d[4])
{
	return json_pack("[iiii]", d[0], d[1], d[2], d[3]);
}

json_t *json_report(npu_ctx *ctx, npu_net *net, const struct run_stats *s, int ran,
		    npu_status st, const struct device_view *dv)
{
	struct npu_net_totals sum;
	struct roofline rl;
	json_t *root, *layers = json_array();
	double cap = dv->have ? (double)dv->info.rows * dv->info.cols : 0.0;
	double roof_cycles = 0.0;
	uint64_t dev_macs = 0;
	int i, n = npu_net_num_layers(net);

	for (i = 0; i < n; i++) {
		struct npu_layer_report rep;
		const struct npu_layer_report *r = &rep;
		json_t *l;

		npu_net_layer_report(net, i, &rep);
		if (ran && s && i < s->n)
			r = &s->layers[i].r;
		l = json_pack("{s:s, s:s, s:o, s:s, s:I, s:I}", "name", rep.name, "op", rep.op,
			      "output", json_dims(rep.out_dims), "type",
			      npu_type_name(rep.out_type), "params", (json_int_t)rep.params,
			      "macs", (json_int_t)(ran && r->ran ? r->macs : rep.macs));
		if (ran && r->ran) {
			json_object_set_new(l, "where", json_string(r->where));
			json_object_set_new(l, "on_device", json_boolean(r->on_device));
			json_object_set_new(l, "cycles", json_integer((json_int_t)r->cycles));
			json_object_set_new(l, "mac_active",
					    json_integer((json_int_t)r->mac_active));
			json_object_set_new(l, "dram_read", json_integer((json_int_t)r->dram_read));
			json_object_set_new(l, "dram_written",
					    json_integer((json_int_t)r->dram_written));
			json_object_set_new(l, "dram_compulsory",
					    json_integer((json_int_t)r->dram_compulsory));
			json_object_set_new(l, "dram_planned",
					    json_integer((json_int_t)r->dram_planned));
			json_object_set_new(l, "descriptors", json_integer(r->descriptors));
			if (r->on_device && r->cycles && cap > 0) {
				json_object_set_new(l, "util",
						    json_real((double)r->macs /
							      (cap * (double)r->cycles)));
				dev_macs += r->macs;
			}
			if (r->on_device && !roofline_of(dv, r->macs, r->dram_compulsory,
							 r->cycles, &rl)) {
				json_object_set_new(l, "roofline", json_roofline(&rl));
				roof_cycles += rl.cycles;
			}
			json_object_set_new(l, "seconds", json_real(r->seconds));
			json_object_set_new(l, "check", json_string(check_text(r)));
			if (r->check == NPU_CHECK_MISMATCH)
				json_object_set_new(l, "mismatch",
						    json_pack("{s:I, s:o, s:i, s:i}", "count",
							      (json_int_t)r->mismatches, "first",
							      json_dims(r->first_diff), "expected",
							      (int)r->expected, "actual",
							      (int)r->actual));
		} else if (ran) {
			json_object_set_new(l, "check", json_string("not run"));
		}
		json_array_append_new(layers, l);
	}
	npu_net_totals(net, &sum);
	root = json_pack("{s:s, s:s, s:b, s:o, s:{s:i, s:I, s:I}}", "backend",
			 npu_ctx_backend(ctx), "backend_reason", npu_ctx_backend_reason(ctx),
			 "check", npu_ctx_checking(ctx), "layers", layers, "totals", "layers",
			 sum.layers, "params", (json_int_t)sum.params, "macs",
			 (json_int_t)(ran && s ? s->totals.macs : sum.macs));
	if (dv->have) {
		json_t *d = json_pack("{s:i, s:i}", "rows", dv->info.rows, "cols", dv->info.cols);

		if (dv->dram_bw) {
			json_object_set_new(d, "dram_bytes_per_cycle", json_integer(dv->dram_bw));
			json_object_set_new(d, "dram_latency", json_integer(dv->dram_latency));
		}
		json_object_set_new(root, "device", d);
	}
	if (ran && s) {
		const struct npu_net_totals *t = &s->totals;
		json_t *tot = json_object_get(root, "totals");

		json_object_set_new(tot, "cycles", json_integer((json_int_t)t->cycles));
		json_object_set_new(tot, "device_layers", json_integer(t->device_layers));
		json_object_set_new(tot, "fallback_layers", json_integer(t->fallback_layers));
		json_object_set_new(tot, "dram_read", json_integer((json_int_t)t->dram_read));
		json_object_set_new(tot, "dram_written",
				    json_integer((json_int_t)t->dram_written));
		json_object_set_new(tot, "dram_compulsory",
				    json_integer((json_int_t)t->dram_compulsory));
		json_object_set_new(tot, "seconds", json_real(t->seconds));
		json_object_set_new(tot, "device_seconds", json_real(t->device_seconds));
		if (t->cycles && cap > 0 && dev_macs)
			json_object_set_new(tot, "util", json_real((double)dev_macs /
								   (cap * (double)t->cycles)));
		/* the device layers' rooflines summed: the fewest cycles for all of them */
		if (t->cycles && roof_cycles > 0)
			json_object_set_new(tot, "roofline",
					    json_pack("{s:f, s:f, s:f}", "cycles", roof_cycles,
						      "max_util", (double)dev_macs /
								  (cap * roof_cycles),
						      "fraction", roof_cycles / (double)t->cycles));
		json_object_set_new(tot, "checked", json_integer(t->checked));
		json_object_set_new(tot, "mismatched", json_integer(t->mismatched));
		if (s->runs > 1 || s->images) {
			json_object_set_new(tot, "runs", json_integer(s->runs));
			json_object_set_new(tot, "images", json_integer((json_int_t)s->images));
		}
		json_object_set_new(root, "status", json_string(npu_strerror(st)));
		if (st != NPU_OK)
			json_object_set_new(root, "error", json_string(npu_ctx_last_error(ctx)));
	}
	return root;
}

void json_write(FILE *f, json_t *root)
{
	json_dumpf(root, f, JSON_INDENT(2));
	fputc('\n', f);
}

int json_write_file(const char *path, json_t *root)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "npu: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	json_write(f, root);
	if (fclose(f)) {
		fprintf(stderr, "npu: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}
