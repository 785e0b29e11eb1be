/* SPDX-License-Identifier: MIT */
/*
 * npu - run a network description on the accelerator (or the CPU) and
 * print the per-layer report, or print its model summary.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "npu.h"

/* No progress line for runs shorter than this. */
#define PROGRESS_AFTER_S 3.0

struct options {
	const char *cmd, *net, *backend, *trace, *json_out;
	int check, json, threads;
	unsigned dram_bw, dram_latency;
	struct npu_load_opts load;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: npu run NET [options]     run a network, print the per-layer report\n"
		"       npu summary NET [options] print the model summary\n"
		"\n"
		"NET is a network description (JSON; see lib/README.md and examples/).\n"
		"\n"
		"options:\n"
		"  --backend B        auto, drm, sim or cpu (default: $NPU_BACKEND, else auto)\n"
		"  --check            compare every conv/FC layer with the CPU reference, bit\n"
		"                     for bit (also NPU_CHECK=1); a mismatch fails the run\n"
		"  --seed N           seed of synthetic weights and inputs (default: the file's)\n"
		"  --input-size HxW   replace the inputs' height and width\n"
		"  --trace FILE.fst   simulator waveform\n"
		"  --dram-bw N        simulator DRAM bytes per cycle\n"
		"  --dram-latency N   simulator DRAM read latency in cycles\n"
		"  --threads N        CPU threads (default: all cores)\n"
		"  --json             machine-readable report on stdout\n"
		"  --json-out FILE    the same report written to FILE, the table still printed\n"
		"  --help             this text\n"
		"\n"
		"exit status: 0 success, 1 failure (including a check mismatch), 2 usage\n");
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	*out = strtoull(s, &end, 0);
	return *end || *out > max ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { O_BACKEND = 256, O_CHECK, O_SEED, O_TRACE, O_JSON, O_JSON_OUT, O_BW, O_LAT,
	       O_THREADS, O_SIZE, O_HELP };
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, O_BACKEND },
		{ "check", no_argument, NULL, O_CHECK },
		{ "seed", required_argument, NULL, O_SEED },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "json", no_argument, NULL, O_JSON },
		{ "json-out", required_argument, NULL, O_JSON_OUT },
		{ "dram-bw", required_argument, NULL, O_BW },
		{ "dram-latency", required_argument, NULL, O_LAT },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "input-size", required_argument, NULL, O_SIZE },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c, h, w;
	char x;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_BACKEND:
			o->backend = optarg;
			break;
		case O_CHECK:
			o->check = 1;
			break;
		case O_SEED:
			if (parse_uint(optarg, UINT64_MAX, &v) || !v)
				goto bad;
			o->load.seed = v;
			break;
		case O_TRACE:
			o->trace = optarg;
			break;
		case O_JSON_OUT:
			o->json_out = optarg;
			break;
		case O_JSON:
			o->json = 1;
			break;
		case O_BW:
			if (parse_uint(optarg, 1u << 16, &v) || !v)
				goto bad;
			o->dram_bw = (unsigned)v;
			break;
		case O_LAT:
			if (parse_uint(optarg, 1u << 20, &v))
				goto bad;
			o->dram_latency = (unsigned)v;
			break;
		case O_THREADS:
			if (parse_uint(optarg, 1024, &v))
				goto bad;
			o->threads = (int)v;
			break;
		case O_SIZE:
			if (sscanf(optarg, "%dx%d%c", &h, &w, &x) != 2 || h < 1 || w < 1)
				goto bad;
			o->load.input_h = h;
			o->load.input_w = w;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "npu: expected a command and a network file\n");
		return -1;
	}
	o->cmd = argv[optind];
	o->net = argv[optind + 1];
	if (strcmp(o->cmd, "run") && strcmp(o->cmd, "summary")) {
		fprintf(stderr, "npu: unknown command '%s' (run or summary)\n", o->cmd);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "npu: bad value '%s' for --%s\n", optarg, longopts[c - O_BACKEND].name);
	return -1;
}

/* 1234567 -> "1.23M": tables stay narrow; --json has the exact numbers. */
static const char *human(uint64_t v, char *buf, size_t len)
{
	static const char suffix[] = " KMGTP";
	double d = (double)v;
	int i = 0;

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

static const char *shape(const int d[4], char *buf, size_t len)
{
	snprintf(buf, len, "%dx%dx%dx%d", d[0], d[1], d[2], d[3]);
	return buf;
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

struct progress {
	double start, last;
	int shown, tty;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void on_layer(void *user, int layer, int layers, const char *name)
{
	struct progress *p = user;
	double t = now();

	if (t - p->start < PROGRESS_AFTER_S)
		return;
	/* On a terminal one line is redrawn; in a log a line every few seconds. */
	if (p->tty) {
		fprintf(stderr, "\r\033[K[%d/%d] %s  %.1f s", layer + 1, layers, name,
			t - p->start);
	} else if (t - p->last >= 5.0) {
		fprintf(stderr, "npu: layer %d/%d %s, %.1f s\n", layer + 1, layers, name,
			t - p->start);
		p->last = t;
	}
	p->shown = 1;
}

static void print_summary(npu_net *net)
{
	struct npu_net_totals t;
	struct npu_layer_report r;
	char s[48], a[32], b[32];
	int i, n = npu_net_num_layers(net);

	printf("%-4s %-24s %-15s %-18s %12s %10s\n", "#", "layer", "op", "output", "params",
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

static void print_report(npu_ctx *ctx, npu_net *net, const struct npu_device_info *dev,
			 int have_dev)
{
	struct npu_net_totals t;
	struct npu_layer_report r;
	char s[48], a[32], b[32], c[32], util[16], dram[48];
	int i, n = npu_net_num_layers(net);
	double cap = have_dev ? (double)dev->rows * dev->cols : 0.0;

	printf("backend: %s (%s)%s\n", npu_ctx_backend(ctx), npu_ctx_backend_reason(ctx),
	       npu_ctx_checking(ctx) ? ", checking against the reference" : "");
	printf("%-4s %-24s %-14s %-16s %9s %9s %6s %-23s %-9s %s\n", "#", "layer", "op",
	       "output", "MACs", "cycles", "util", "DRAM bytes / compulsory", "check",
	       "where");
	for (i = 0; i < n; i++) {
		npu_net_layer_report(net, i, &r);
		snprintf(util, sizeof(util), "-");
		snprintf(dram, sizeof(dram), "-");
		if (r.on_device && r.cycles && cap > 0)
			snprintf(util, sizeof(util), "%.1f%%",
				 100.0 * (double)r.macs / (cap * (double)r.cycles));
		if (r.on_device && r.dram_compulsory)
			snprintf(dram, sizeof(dram), "%s / %s (%.2fx)",
				 human(r.dram_read + r.dram_written, b, sizeof(b)),
				 human(r.dram_compulsory, c, sizeof(c)),
				 (double)(r.dram_read + r.dram_written) /
					 (double)r.dram_compulsory);
		printf("%-4d %-24s %-14s %-16s %9s %9s %6s %-23s %-9s %s\n", i, r.name, r.op,
		       shape(r.out_dims, s, sizeof(s)), r.macs ? human(r.macs, a, sizeof(a)) : "-",
		       r.on_device ? human(r.cycles, c, sizeof(c)) : "-", util, dram,
		       check_text(&r), r.ran ? r.where : "-");
	}
	npu_net_totals(net, &t);
	printf("total: %s MACs in %d layers (%d on the device, %d fallback to the CPU)\n",
	       human(t.macs, a, sizeof(a)), t.layers, t.device_layers, t.fallback_layers);
	if (t.device_layers) {
		/* Device MACs only: CPU layers have no cycles to weigh. */
		uint64_t dev_macs = 0;

		for (i = 0; i < n; i++) {
			npu_net_layer_report(net, i, &r);
			if (r.on_device)
				dev_macs += r.macs;
		}
		printf("device: %s cycles, MAC utilization %.1f%%, DRAM %s / compulsory %s "
		       "(%.2fx), %.0f simulated cycles/s\n",
		       human(t.cycles, a, sizeof(a)),
		       t.cycles && cap > 0 ? 100.0 * (double)dev_macs / (cap * (double)t.cycles)
					   : 0.0,
		       human(t.dram_read + t.dram_written, b, sizeof(b)),
		       human(t.dram_compulsory, c, sizeof(c)),
		       t.dram_compulsory ? (double)(t.dram_read + t.dram_written) /
						   (double)t.dram_compulsory : 0.0,
		       t.device_seconds > 0 ? (double)t.cycles / t.device_seconds : 0.0);
	}
	if (npu_ctx_checking(ctx))
		printf("check: %d layers compared with the reference, %d mismatched\n",
		       t.checked, t.mismatched);
	printf("wall time: %.3f s\n", t.seconds);
}

static json_t *json_dims(const int d[4])
{
	return json_pack("[iiii]", d[0], d[1], d[2], d[3]);
}

static void print_json(FILE *f, npu_ctx *ctx, npu_net *net, int ran, npu_status st,
		       const struct npu_device_info *dev, int have_dev)
{
	struct npu_net_totals t;
	struct npu_layer_report r;
	json_t *root, *layers = json_array();
	int i, n = npu_net_num_layers(net);

	for (i = 0; i < n; i++) {
		json_t *l;

		npu_net_layer_report(net, i, &r);
		l = json_pack("{s:s, s:s, s:o, s:s, s:I, s:I}", "name", r.name, "op", r.op,
			      "output", json_dims(r.out_dims), "type", npu_type_name(r.out_type),
			      "params", (json_int_t)r.params, "macs", (json_int_t)r.macs);
		if (ran && r.ran) {
			json_object_set_new(l, "where", json_string(r.where));
			json_object_set_new(l, "on_device", json_boolean(r.on_device));
			json_object_set_new(l, "cycles", json_integer((json_int_t)r.cycles));
			json_object_set_new(l, "mac_active", json_integer((json_int_t)r.mac_active));
			json_object_set_new(l, "dram_read", json_integer((json_int_t)r.dram_read));
			json_object_set_new(l, "dram_written",
					    json_integer((json_int_t)r.dram_written));
			json_object_set_new(l, "dram_compulsory",
					    json_integer((json_int_t)r.dram_compulsory));
			json_object_set_new(l, "dram_planned",
					    json_integer((json_int_t)r.dram_planned));
			json_object_set_new(l, "descriptors", json_integer(r.descriptors));
			json_object_set_new(l, "seconds", json_real(r.seconds));
			json_object_set_new(l, "check", json_string(check_text(&r)));
			if (r.check == NPU_CHECK_MISMATCH)
				json_object_set_new(l, "mismatch",
						    json_pack("{s:I, s:o, s:i, s:i}", "count",
							      (json_int_t)r.mismatches, "first",
							      json_dims(r.first_diff), "expected",
							      (int)r.expected, "actual",
							      (int)r.actual));
		} else if (ran) {
			json_object_set_new(l, "check", json_string("not run"));
		}
		json_array_append_new(layers, l);
	}
	npu_net_totals(net, &t);
	root = json_pack("{s:s, s:s, s:b, s:o, s:{s:i, s:I, s:I}}", "backend",
			 npu_ctx_backend(ctx), "backend_reason", npu_ctx_backend_reason(ctx),
			 "check", npu_ctx_checking(ctx), "layers", layers, "totals", "layers",
			 t.layers, "params", (json_int_t)t.params, "macs", (json_int_t)t.macs);
	if (have_dev)
		json_object_set_new(root, "device", json_pack("{s:i, s:i}", "rows", dev->rows,
							      "cols", dev->cols));
	if (ran) {
		json_t *tot = json_object_get(root, "totals");

		json_object_set_new(tot, "cycles", json_integer((json_int_t)t.cycles));
		json_object_set_new(tot, "device_layers", json_integer(t.device_layers));
		json_object_set_new(tot, "fallback_layers", json_integer(t.fallback_layers));
		json_object_set_new(tot, "dram_read", json_integer((json_int_t)t.dram_read));
		json_object_set_new(tot, "dram_written", json_integer((json_int_t)t.dram_written));
		json_object_set_new(tot, "dram_compulsory",
				    json_integer((json_int_t)t.dram_compulsory));
		json_object_set_new(tot, "seconds", json_real(t.seconds));
		json_object_set_new(tot, "device_seconds", json_real(t.device_seconds));
		json_object_set_new(tot, "checked", json_integer(t.checked));
		json_object_set_new(tot, "mismatched", json_integer(t.mismatched));
		json_object_set_new(root, "status", json_string(npu_strerror(st)));
		if (st != NPU_OK)
			json_object_set_new(root, "error", json_string(npu_ctx_last_error(ctx)));
	}
	json_dumpf(root, f, JSON_INDENT(2));
	fputc('\n', f);
	json_decref(root);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct npu_ctx_opts co = { 0 };
	struct npu_device_info dev;
	struct progress prog = { 0 };
	char msg[512];
	npu_ctx *ctx;
	npu_net *net;
	npu_status st;
	int have_dev, summary;

	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	summary = !strcmp(o.cmd, "summary");
	/* A summary needs no device: the CPU backend is always there. */
	co.backend = summary ? "cpu" : o.backend;
	co.flags = o.check ? NPU_CTX_CHECK : 0;
	co.trace_path = o.trace;
	co.dram_bytes_per_cycle = o.dram_bw;
	co.dram_latency = o.dram_latency;
	co.threads = o.threads;
	st = npu_ctx_open(&co, &ctx, msg, sizeof(msg));
	if (st != NPU_OK) {
		fprintf(stderr, "npu: %s (%s)\n", msg, npu_strerror(st));
		return 1;
	}
	st = npu_net_load(ctx, o.net, &o.load, &net);
	if (st != NPU_OK) {
		fprintf(stderr, "npu: %s\n", npu_ctx_last_error(ctx));
		npu_ctx_close(ctx);
		return 1;
	}
	have_dev = npu_ctx_device_info(ctx, &dev) == NPU_OK;
	if (summary) {
		if (o.json)
			print_json(stdout, ctx, net, 0, NPU_OK, &dev, have_dev);
		else
			print_summary(net);
	} else {
		prog.start = prog.last = now();
		prog.tty = isatty(STDERR_FILENO);
		npu_net_set_progress(net, on_layer, &prog);
		st = npu_net_run(net);
		if (prog.shown && prog.tty)
			fprintf(stderr, "\r\033[K");
		if (o.json)
			print_json(stdout, ctx, net, 1, st, &dev, have_dev);
		else
			print_report(ctx, net, &dev, have_dev);
		if (o.json_out) {
			FILE *jf = fopen(o.json_out, "w");

			if (!jf) {
				fprintf(stderr, "npu: cannot write %s\n", o.json_out);
				st = NPU_E_IO;
			} else {
				print_json(jf, ctx, net, 1, st, &dev, have_dev);
				fclose(jf);
			}
		}
		if (st != NPU_OK)
			fprintf(stderr, "npu: %s (%s)\n", npu_ctx_last_error(ctx),
				npu_strerror(st));
	}
	npu_net_free(net);
	npu_ctx_close(ctx);
	return st == NPU_OK ? 0 : 1;
}
