/* SPDX-License-Identifier: MIT */
/*
 * npu - run a network description or model on the accelerator (or the
 * CPU) and print the per-layer report, classify images with it, or print
 * its model summary. Options and the plain run are here; report.c prints
 * the tables and classify.c feeds images (cli.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: npu run MODEL [options]     run a network, print the per-layer report\n"
		"       npu run MODEL --images FILE [--labels FILE] [--limit N] [--batch B]\n"
		"                                   classify a data set: accuracy, confusion\n"
		"                                   matrix, per-layer figures summed over batches\n"
		"       npu run MODEL --image FILE [--classes FILE]\n"
		"                                   classify one image: the top-5 classes\n"
		"       npu summary MODEL [options] print the model summary\n"
		"\n"
		"MODEL is a network description (JSON; see lib/README.md and examples/) or an\n"
		"ONNX model, told apart by content. A plain run feeds a JSON description's\n"
		"own inputs (seeded or from its data files) and an ONNX model zeros: give an\n"
		"ONNX classifier its data with --images or --image.\n"
		"\n"
		"options:\n"
		"  --backend B        auto, drm, sim or cpu (default: $NPU_BACKEND, else auto)\n"
		"  --check            compare every conv/FC layer with the CPU reference, bit\n"
		"                     for bit (also NPU_CHECK=1); a mismatch fails the run\n"
		"  --seed N           seed of synthetic weights and inputs (default: the file's;\n"
		"                     JSON descriptions only)\n"
		"  --input-size HxW   replace the inputs' height and width (JSON only)\n"
		"  --trace FILE.fst   simulator waveform\n"
		"  --dram-bw N        simulator DRAM bytes per cycle\n"
		"  --dram-latency N   simulator DRAM read latency in cycles\n"
		"  --threads N        CPU threads (default: all cores)\n"
		"  --batch N          run N images at once: the batch dimension of every\n"
		"                     input (JSON: seeded inputs only; with --images: below)\n"
		"  --rewrite R        rewrite layers after loading: fc-to-conv (every FC as a\n"
		"                     convolution), conv-to-fc (every conv whose kernel covers\n"
		"                     its whole input as an FC) or both; outputs stay identical\n"
		"  --json             machine-readable report on stdout\n"
		"  --json-out FILE    the same report written to FILE, the table still printed\n"
		"  --help             this text\n"
		"\n"
		"classification (the model's first input takes the images, its first output\n"
		"gives the class scores; the prediction is their argmax, the lowest index on a\n"
		"tie):\n"
		"  --images FILE      IDX images (N x H x W, or N x H x W x C; u8; plain or gzip),\n"
		"                     e.g. /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz\n"
		"  --labels FILE      IDX labels (N integers, 0 .. classes - 1): top-1 accuracy\n"
		"                     and the confusion matrix\n"
		"  --limit N          the first N images only\n"
		"  --batch B          images per run (default: %d, at most the image count);\n"
		"                     a smaller last batch runs on a second copy of the model\n"
		"  --predictions FILE per-image predictions, one line each: image, predicted\n"
		"                     class, label (or -); also put into the --json report\n"
		"  --image FILE       one PGM (P2/P5) or PNG image: the top-5 classes\n"
		"  --classes FILE     class names, one per line (default: the model's \"classes\"\n"
		"                     metadata, comma separated, else the class numbers)\n"
		"  --golden FILE.json compare every image's output, byte for byte, with ONNX\n"
		"                     Runtime's in a golden file (tools/golden); a difference\n"
		"                     fails the run\n"
		"  --compare-cpu      classify the images on the cpu backend too and compare\n"
		"                     every output with this run's; a difference fails the run\n"
		"pixels p (0..255) become p / 255.0f in float32 for a float32 input, quantized\n"
		"with the input's scale and zero point (round half to even, saturated) for an\n"
		"8-bit one; gray images feed a 3-channel input on every channel, RGB images a\n"
		"1-channel input as luma (299 R + 587 G + 114 B + 500) / 1000 (BT.601, integer).\n"
		"\n"
		"exit status: 0 success, 1 failure (including a check mismatch and bad data\n"
		"files), 2 usage\n", DEFAULT_BATCH);
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
	       O_THREADS, O_SIZE, O_HELP, O_IMAGES, O_LABELS, O_LIMIT, O_BATCH, O_IMAGE,
	       O_CLASSES, O_PREDICTIONS, O_GOLDEN, O_COMPARE_CPU, O_REWRITE };
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
		{ "images", required_argument, NULL, O_IMAGES },
		{ "labels", required_argument, NULL, O_LABELS },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "image", required_argument, NULL, O_IMAGE },
		{ "classes", required_argument, NULL, O_CLASSES },
		{ "predictions", required_argument, NULL, O_PREDICTIONS },
		{ "golden", required_argument, NULL, O_GOLDEN },
		{ "compare-cpu", no_argument, NULL, O_COMPARE_CPU },
		{ "rewrite", required_argument, NULL, O_REWRITE },
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
		case O_IMAGES:
			o->images = optarg;
			break;
		case O_LABELS:
			o->labels = optarg;
			break;
		case O_LIMIT:
			if (parse_uint(optarg, 1ull << 40, &v) || !v)
				goto bad;
			o->limit = (unsigned long)v;
			break;
		case O_BATCH:
			if (parse_uint(optarg, 65536, &v) || !v)
				goto bad;
			o->batch = (int)v;
			break;
		case O_IMAGE:
			o->image = optarg;
			break;
		case O_CLASSES:
			o->classes = optarg;
			break;
		case O_PREDICTIONS:
			o->predictions = optarg;
			break;
		case O_GOLDEN:
			o->golden = optarg;
			break;
		case O_COMPARE_CPU:
			o->compare_cpu = 1;
			break;
		case O_REWRITE:
			if (!strcmp(optarg, "fc-to-conv"))
				o->rewrite = NPU_REWRITE_FC_TO_CONV;
			else if (!strcmp(optarg, "conv-to-fc"))
				o->rewrite = NPU_REWRITE_CONV_TO_FC;
			else if (!strcmp(optarg, "both"))
				o->rewrite = NPU_REWRITE_FC_TO_CONV | NPU_REWRITE_CONV_TO_FC;
			else
				goto bad;
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
	/* Options that only make sense together. */
	if ((o->images || o->image) && strcmp(o->cmd, "run")) {
		fprintf(stderr, "npu: --images and --image go with 'run'\n");
		return -1;
	}
	if (o->images && o->image) {
		fprintf(stderr, "npu: --images and --image exclude each other\n");
		return -1;
	}
	if (!o->images && (o->labels || o->limit || o->predictions || o->golden ||
			   o->compare_cpu)) {
		fprintf(stderr, "npu: --labels, --limit, --predictions, --golden and "
			"--compare-cpu need --images\n");
		return -1;
	}
	if (o->image && o->batch) {
		fprintf(stderr, "npu: --batch goes with --images or a plain run, not --image\n");
		return -1;
	}
	/* A plain run (and the summary) at batch N: the inputs get N images. */
	if (!o->images)
		o->load.batch = o->batch;
	if (o->classes && !o->images && !o->image) {
		fprintf(stderr, "npu: --classes needs --images or --image\n");
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "npu: bad value '%s' for --%s\n", optarg, longopts[c - O_BACKEND].name);
	return -1;
}

npu_net *cli_load(npu_ctx *ctx, const struct options *o, int batch)
{
	static int said;
	struct npu_load_opts lo = o->load;
	npu_net *net;
	int n;

	lo.batch = batch;
	if (npu_net_load(ctx, o->net, &lo, &net) != NPU_OK) {
		fprintf(stderr, "npu: %s\n", npu_ctx_last_error(ctx));
		return NULL;
	}
	if (o->rewrite && npu_net_rewrite(net, o->rewrite, &n) != NPU_OK) {
		fprintf(stderr, "npu: --rewrite: %s\n", npu_ctx_last_error(ctx));
		npu_net_free(net);
		return NULL;
	}
	/* said once: classification loads the model again for a last batch */
	if (o->rewrite && !said++)
		fprintf(stderr, "npu: --rewrite rewrote %d layer%s\n", n, n == 1 ? "" : "s");
	return net;
}

/* `npu summary` and the plain `npu run`: one run with the file's inputs. */
static int run_plain(npu_ctx *ctx, const struct options *o, int summary)
{
	struct device_view dv;
	struct progress prog = { 0 };
	struct run_stats stats;
	npu_net *net;
	npu_status st;
	json_t *root;
	int rc;

	if (!(net = cli_load(ctx, o, o->load.batch)))
		return 1;
	device_view_get(ctx, o, &dv);
	if (summary) {
		if (o->json) {
			root = json_report(ctx, net, NULL, 0, NPU_OK, &dv);
			json_write(stdout, root);
			json_decref(root);
		} else {
			print_summary(net);
		}
		npu_net_free(net);
		return 0;
	}
	if (stats_init(&stats, net)) {
		fprintf(stderr, "npu: out of memory\n");
		npu_net_free(net);
		return 1;
	}
	prog.start = prog.last = now();
	prog.tty = isatty(STDERR_FILENO);
	npu_net_set_progress(net, on_layer, &prog);
	st = npu_net_run(net);
	progress_done(&prog);
	if (stats_add(&stats, net, 0)) {
		fprintf(stderr, "npu: out of memory\n");
		st = NPU_E_NOMEM;
	}
	root = json_report(ctx, net, &stats, 1, st, &dv);
	if (o->json)
		json_write(stdout, root);
	else
		print_report(ctx, &stats, &dv);
	if (st != NPU_OK)
		fprintf(stderr, "npu: %s (%s)\n", npu_ctx_last_error(ctx), npu_strerror(st));
	rc = st == NPU_OK ? 0 : 1;
	if (o->json_out && json_write_file(o->json_out, root))
		rc = 1;
	json_decref(root);
	stats_free(&stats);
	npu_net_free(net);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct npu_ctx_opts co = { 0 };
	char msg[512];
	npu_ctx *ctx;
	npu_status st;
	int summary, rc;

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
	if (o.images)
		rc = classify_images(ctx, &o);
	else if (o.image)
		rc = classify_image(ctx, &o);
	else
		rc = run_plain(ctx, &o, summary);
	npu_ctx_close(ctx);
	return rc;
}
