/* SPDX-License-Identifier: MIT */
/*
 * The npu command's parts: npu.c (options, the plain run and the summary),
 * report.c (the per-layer table and its JSON, from figures summed over
 * one or more runs), classify.c (what both classifications share: class
 * names, the model's input and output, pixels into the input; --image and
 * its top-5), images.c (--images: batches, predictions, accuracy,
 * confusion matrix), compare.c (--golden and --compare-cpu).
 */
#ifndef NPU_CLI_H
#define NPU_CLI_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "npu.h"

/* No progress line for runs shorter than this. */
#define PROGRESS_AFTER_S 3.0

struct options {
	const char *cmd, *net, *backend, *trace, *json_out;
	int check, json, threads;
	unsigned dram_bw, dram_latency;
	struct npu_load_opts load;
	/* Classification. */
	const char *images, *labels, *image, *classes, *predictions;
	unsigned long limit;		/* 0: every image */
	int batch;			/* 0: the default (min(64, images)) */
	unsigned rewrite;		/* --rewrite: NPU_REWRITE_* applied after loading */
	const char *golden;		/* --golden: ONNX Runtime's outputs to compare with */
	int compare_cpu;		/* --compare-cpu: the same images on the cpu backend */
};

/*
 * Loads o->net at a batch (0: the file's) and applies --rewrite; NULL with
 * the message on stderr (npu.c).
 */
npu_net *cli_load(npu_ctx *ctx, const struct options *o, int batch);

/*
 * A golden file of ONNX Runtime's outputs (tools/golden/fashion_golden.js):
 * a .json description beside a .bin of raw outputs, image after image.
 * Only the first output is read (compare.c).
 */
struct golden {
	json_t *j;
	size_t images;			/* images it holds */
	const char *type;		/* its first output's: "float32", "int8", ... */
	const char *ort_version;
	const char *model;		/* the file name of the model it was made from, or NULL */
	size_t img_bytes;		/* one image's first output, bytes */
	size_t offset;			/* of the first output in the .bin */
	uint8_t *data;			/* images * img_bytes */
};
/* Reads GOLDEN.json and GOLDEN.bin; -1 with a message on stderr. */
int golden_load(const char *path, struct golden *g);
void golden_free(struct golden *g);

/* How two runs' outputs agree, image by image. */
struct agreement {
	size_t n, identical;		/* images compared, byte-identical */
	uint64_t correct;		/* of b's argmaxes, when labels are given */
	long first_diff;		/* first differing image, or -1 */
};
/*
 * Compares n images of img_bytes each (a: this run, b: the other) of an
 * output of `type`; labels (n, or NULL) score b's predictions. 0 when all
 * are identical, -1 otherwise.
 */
int compare_outputs(const uint8_t *a, const uint8_t *b, size_t n, size_t img_bytes,
		    const char *type, const int *labels, struct agreement *out);

/* The default batch of --images. */
#define DEFAULT_BATCH 64

/*
 * Per-layer figures summed over every run of a classification (one run
 * for a plain `npu run`). Summary fields (name, op, out_dims, params)
 * are the first net's; macs, cycles, mac_active, dram_*, descriptors,
 * jobs, seconds and mismatches are sums; ran and on_device are "in any
 * run"; check is the worst result of any run (mismatch, pass, none), its
 * first_diff/expected/actual from the first mismatching run. `where` is
 * owned here (the text of the first run, or "A; B" when runs differed).
 */
struct layer_sum {
	struct npu_layer_report r;
	char *where;
};

struct run_stats {
	int n;				/* layers */
	struct layer_sum *layers;
	struct npu_net_totals totals;	/* summed as above; checked/mismatched per layer */
	int runs;			/* npu_net_run calls summed */
	uint64_t images;		/* images those runs processed */
};

/* Takes the summary of `net` (its layers); NULL on out of memory. */
int stats_init(struct run_stats *s, const npu_net *net);
/* Adds the figures of the run `net` just made (same layers as the first net). */
int stats_add(struct run_stats *s, const npu_net *net, uint64_t images);
void stats_free(struct run_stats *s);

/*
 * What the reports know of the device (roofline.c): its capability
 * registers and, on the in-process simulator, the DRAM model it runs
 * (--dram-bw, --dram-latency or the simulator's defaults).
 */
struct device_view {
	int have;			/* info read (0 on the cpu backend) */
	struct npu_device_info info;
	unsigned dram_bw;		/* DRAM bytes per cycle, reads and writes; 0 = unknown */
	unsigned dram_latency;		/* DRAM read latency, cycles; 0 = unknown */
};
void device_view_get(npu_ctx *ctx, const struct options *o, struct device_view *v);

/*
 * A device layer against its DRAM roofline. With P = rows * cols MACs a
 * cycle and B DRAM bytes a cycle, no schedule takes fewer than
 * max(MACs / P, compulsory bytes / B) cycles (the roofline model of
 * Williams, Waterman and Patterson, CACM 2009, in cycles).
 */
struct roofline {
	double util;			/* MACs / (P * cycles), 0..1 */
	double compute_cycles;		/* MACs / P */
	double memory_cycles;		/* compulsory bytes / B */
	double cycles;			/* the larger of the two */
	double max_util;		/* compute_cycles / cycles: the most util DRAM allows */
	double fraction;		/* cycles / measured cycles: share of the roofline reached */
	int memory_bound;		/* memory_cycles > compute_cycles */
};
/*
 * Fills r for `macs` done in `cycles` moving `compulsory` bytes at least;
 * -1 (r zeroed) when the figure is unknown: no device, no DRAM model (drm
 * backend), or no cycles or MACs.
 */
int roofline_of(const struct device_view *v, uint64_t macs, uint64_t compulsory,
		uint64_t cycles, struct roofline *r);
/* r as a JSON object (compute_cycles, memory_cycles, cycles, max_util, fraction, bound). */
json_t *json_roofline(const struct roofline *r);

/*
 * The text report: backend, per-layer table (with each device layer's
 * utilization and the most its DRAM roofline allows), totals, check
 * result, wall time.
 */
void print_report(npu_ctx *ctx, const struct run_stats *s, const struct device_view *dv);
/* The model summary table. */
void print_summary(npu_net *net);
/*
 * The JSON report (what `npu run --json` prints): ran = 0 for a summary.
 * The caller adds its own members (classification) and dumps it.
 */
json_t *json_report(npu_ctx *ctx, npu_net *net, const struct run_stats *s, int ran,
		    npu_status st, const struct device_view *dv);
/* Dumps root (indented) to f, with a final newline. */
void json_write(FILE *f, json_t *root);
/* The same to a file (--json-out); -1 with a message on stderr if it cannot be written. */
int json_write_file(const char *path, json_t *root);

/* 1234567 -> "1.23M". */
const char *human(uint64_t v, char *buf, size_t len);
/* "1x28x28x1" */
const char *shape(const int d[4], char *buf, size_t len);
/* Monotonic seconds. */
double now(void);

/* The per-layer progress line (stderr) of long runs. */
struct progress {
	double start, last;
	int shown, tty;
	int batch, batches;		/* classification: the current batch (1-based), or 0 */
};
void on_layer(void *user, int layer, int layers, const char *name);
void progress_done(struct progress *p);

/*
 * `npu run MODEL --images FILE ...` and `npu run MODEL --image FILE ...`:
 * open nothing themselves but the data; load the model (batch as needed)
 * on ctx, run, print. Return the exit status (0, or 1 on any failure).
 */
int classify_images(npu_ctx *ctx, const struct options *o);
int classify_image(npu_ctx *ctx, const struct options *o);

#endif /* NPU_CLI_H */
