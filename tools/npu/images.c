/* SPDX-License-Identifier: MIT */
/*
 * `npu run MODEL --images FILE`: an IDX data set in batches, predictions,
 * accuracy and confusion matrix, per-layer figures summed over the
 * batches, and the comparisons with the cpu backend and ONNX Runtime's
 * golden outputs (compare.c). Pixels become the model's input as
 * classify.c says.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "npu_data.h"

/* ---- --images ---- */

/* Confusion matrices wider than this are in --json only. */
#define MATRIX_MAX_CLASSES 32

struct dataset {
	struct npu_idx images, labels;
	size_t n, h, w, c;
	int labeled;
};

static int load_dataset(const struct options *o, struct dataset *d)
{
	char msg[512];

	memset(d, 0, sizeof(*d));
	if (npu_idx_load(o->images, 0, &d->images, msg, sizeof(msg)) != NPU_OK) {
		fprintf(stderr, "npu: %s\n", msg);
		return -1;
	}
	if (d->images.type != NPU_IDX_U8 || (d->images.ndims != 3 && d->images.ndims != 4) ||
	    (d->images.ndims == 4 && d->images.dims[3] != 1 && d->images.dims[3] != 3)) {
		fprintf(stderr, "npu: %s: %d-dimensional %s data; images are u8 N x H x W or "
			"N x H x W x C (C = 1 or 3)\n", o->images, d->images.ndims,
			npu_idx_type_name(d->images.type));
		return -1;
	}
	d->n = d->images.dims[0];
	d->h = d->images.dims[1];
	d->w = d->images.dims[2];
	d->c = d->images.ndims == 4 ? d->images.dims[3] : 1;
	if (d->h > 65535 || d->w > 65535) {
		fprintf(stderr, "npu: %s: %zux%zu images are beyond 65535 pixels a side\n",
			o->images, d->h, d->w);
		return -1;
	}
	if (!o->labels)
		return 0;
	if (npu_idx_load(o->labels, 0, &d->labels, msg, sizeof(msg)) != NPU_OK) {
		fprintf(stderr, "npu: %s\n", msg);
		return -1;
	}
	if (d->labels.ndims != 1 || d->labels.type == NPU_IDX_F32 ||
	    d->labels.type == NPU_IDX_F64) {
		fprintf(stderr, "npu: %s: %d-dimensional %s data; labels are N integers\n",
			o->labels, d->labels.ndims, npu_idx_type_name(d->labels.type));
		return -1;
	}
	if (d->labels.count != d->n) {
		fprintf(stderr, "npu: %s has %zu labels, %s has %zu images\n", o->labels,
			d->labels.count, o->images, d->n);
		return -1;
	}
	d->labeled = 1;
	return 0;
}

static void dataset_free(struct dataset *d)
{
	npu_idx_free(&d->images);
	npu_idx_free(&d->labels);
}

struct results {
	size_t n;			/* images classified */
	int k;				/* classes */
	int *pred;			/* n predictions */
	int *label;			/* n labels, or NULL */
	uint64_t *confusion;		/* k x k, row = label, column = prediction */
	uint64_t correct;
	uint8_t *outs;			/* n outputs of out_bytes, for the comparisons */
	size_t out_bytes;
};

static void print_confusion(const struct results *r, const struct names *nm)
{
	int i, j, cw = 5, lw = 4;
	uint64_t m = 0;

	for (i = 0; i < r->k * r->k; i++)
		m = r->confusion[i] > m ? r->confusion[i] : m;
	while (m >= 10000 && cw < 21) {
		m /= 10;
		cw++;
	}
	if (nm->n)
		for (i = 0; i < r->k; i++)
			lw = (int)strlen(nm->v[i]) > lw ? (int)strlen(nm->v[i]) : lw;
	lw = lw > 20 ? 20 : lw;
	printf("confusion matrix (rows: true class, columns: predicted class):\n");
	printf("%*s", 4 + (nm->n ? lw + 1 : 0), "");
	for (j = 0; j < r->k; j++)
		printf("%*d", cw, j);
	printf("%*s\n", cw + 3, "total");
	for (i = 0; i < r->k; i++) {
		uint64_t row = 0;

		printf("%3d ", i);
		if (nm->n)
			printf("%-*.*s ", lw, lw, nm->v[i]);
		for (j = 0; j < r->k; j++) {
			printf("%*llu", cw, (unsigned long long)r->confusion[i * r->k + j]);
			row += r->confusion[i * r->k + j];
		}
		printf("%*llu\n", cw + 3, (unsigned long long)row);
	}
}

/* Without labels: how many images went to each class. */
static void print_histogram(const struct results *r, const struct names *nm)
{
	uint64_t *count = calloc((size_t)r->k, sizeof(*count));
	size_t i;
	int k, shown = 0;

	if (!count)
		return;
	for (i = 0; i < r->n; i++)
		count[r->pred[i]]++;
	printf("predicted classes (no labels given):");
	for (k = 0; k < r->k; k++) {
		if (!count[k])
			continue;
		if (shown++ == 64) {
			printf(" ...");
			break;
		}
		printf(" %d%s%s%s: %llu", k, nm->n ? " (" : "", nm->n ? nm->v[k] : "",
		       nm->n ? ")" : "", (unsigned long long)count[k]);
	}
	printf("\n");
	free(count);
}

static json_t *json_classification(const struct options *o, const struct model_io *m,
				   const struct results *r, const struct names *nm, int batch,
				   const struct run_stats *s)
{
	json_t *c = json_pack("{s:s, s:I, s:i, s:i, s:s, s:s, s:i}", "images_file", o->images,
			      "images", (json_int_t)r->n, "batch", batch, "runs", s->runs,
			      "input", m->in.name, "output", m->out.name, "classes", r->k);
	int i, j;

	if (nm->n) {
		json_t *a = json_array();

		for (i = 0; i < nm->n; i++)
			json_array_append_new(a, json_string(nm->v[i]));
		json_object_set_new(c, "class_names", a);
	}
	if (r->label) {
		json_t *rows = json_array();

		json_object_set_new(c, "labels_file", json_string(o->labels));
		json_object_set_new(c, "correct", json_integer((json_int_t)r->correct));
		json_object_set_new(c, "accuracy",
				    json_real(r->n ? (double)r->correct / (double)r->n : 0.0));
		for (i = 0; i < r->k; i++) {
			json_t *row = json_array();

			for (j = 0; j < r->k; j++)
				json_array_append_new(row, json_integer(
					(json_int_t)r->confusion[i * r->k + j]));
			json_array_append_new(rows, row);
		}
		json_object_set_new(c, "confusion", rows);
	}
	json_object_set_new(c, "device_cycles_per_image",
			    json_real(r->n ? (double)s->totals.cycles / (double)r->n : 0.0));
	json_object_set_new(c, "seconds_per_image",
			    json_real(r->n ? s->totals.seconds / (double)r->n : 0.0));
	if (o->predictions) {
		json_t *p = json_array();
		size_t k;

		for (k = 0; k < r->n; k++)
			json_array_append_new(p, json_integer(r->pred[k]));
		json_object_set_new(c, "predictions", p);
	}
	return c;
}

static int write_predictions(const char *path, const struct results *r)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f) {
		fprintf(stderr, "npu: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		if (r->label)
			fprintf(f, "%zu %d %d\n", i, r->pred[i], r->label[i]);
		else
			fprintf(f, "%zu %d -\n", i, r->pred[i]);
	}
	if (fclose(f)) {
		fprintf(stderr, "npu: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Runs images [first, first + count) on net (a batch of count) and
 * records their predictions.
 */
static npu_status run_batch(npu_net *net, const struct model_io *m, const struct dataset *d,
			    size_t first, int count, void *inbuf, void *outbuf, double *v,
			    struct results *r)
{
	size_t hw = d->h * d->w, img = hw * d->c;
	npu_status st;
	int i;

	for (i = 0; i < count; i++) {
		to_input((const uint8_t *)d->images.data + (first + (size_t)i) * img, hw,
			 (int)d->c, &m->in, inbuf);
		if ((st = npu_net_set_input_image(net, m->in_id, i, NPU_NHWC, inbuf,
						  m->in_bytes)) != NPU_OK)
			return st;
	}
	if ((st = npu_net_run(net)) != NPU_OK)
		return st;
	for (i = 0; i < count; i++) {
		size_t k = first + (size_t)i;

		if ((st = npu_net_get_output_image(net, m->out_id, i, NPU_NHWC, outbuf,
						   m->out_bytes)) != NPU_OK)
			return st;
		memcpy(r->outs + k * r->out_bytes, outbuf, r->out_bytes);
		out_values(outbuf, &m->out, r->k, v);
		r->pred[k] = argmax(v, r->k);
		if (r->label) {
			r->confusion[(size_t)r->label[k] * (size_t)r->k + (size_t)r->pred[k]]++;
			r->correct += r->pred[k] == r->label[k];
		}
	}
	r->n = first + (size_t)count;
	return NPU_OK;
}

/* The buffers of a classification of n images in k classes (labels: NULL or n). */
static int results_init(struct results *r, size_t n, int k, const struct model_io *m,
			const int *labels)
{
	memset(r, 0, sizeof(*r));
	r->k = k;
	r->out_bytes = m->out_bytes;
	r->pred = calloc(n, sizeof(*r->pred));
	r->outs = malloc(n * m->out_bytes);
	if (labels) {
		r->label = malloc(n * sizeof(*r->label));
		r->confusion = calloc((size_t)k * (size_t)k, sizeof(*r->confusion));
		if (r->label)
			memcpy(r->label, labels, n * sizeof(*r->label));
	}
	return !r->pred || !r->outs || (labels && (!r->label || !r->confusion)) ? -1 : 0;
}

static void results_free(struct results *r)
{
	free(r->pred);
	free(r->label);
	free(r->confusion);
	free(r->outs);
	memset(r, 0, sizeof(*r));
}

/*
 * Classifies images [0, n) of d with net (loaded at `batch`; a smaller
 * last batch gets a second copy of the model) into r, adding every run's
 * figures to stats. Returns 0; 1 when a run failed (*st, *failed_batch);
 * -1 after a setup error (message printed).
 */
static int run_images(npu_ctx *ctx, const struct options *o, const struct dataset *d,
		      size_t n, int batch, npu_net *net, const struct model_io *m,
		      struct results *r, struct run_stats *stats, struct progress *prog,
		      npu_status *st, int *failed_batch)
{
	int batches = (int)((n + (size_t)batch - 1) / (size_t)batch), b, rc = 0;
	void *inbuf = malloc(m->in_bytes), *outbuf = malloc(m->out_bytes);
	double *v = malloc(sizeof(*v) * (size_t)r->k);
	npu_net *last = NULL;
	struct model_io m2;
	size_t first;

	*st = NPU_OK;
	if (!inbuf || !outbuf || !v) {
		fprintf(stderr, "npu: out of memory\n");
		rc = -1;
		goto out;
	}
	if (prog) {
		prog->batches = batches;
		npu_net_set_progress(net, on_layer, prog);
	}
	for (b = 0, first = 0; b < batches; b++, first += (size_t)batch) {
		int count = (int)(n - first < (size_t)batch ? n - first : (size_t)batch);
		npu_net *rn = net;
		const struct model_io *rm = m;

		if (prog)
			prog->batch = b + 1;
		if (count < batch) {
			/* The last, smaller batch: the model again at that batch size. */
			if (!(last = load_model(ctx, o, count)) ||
			    model_io(last, count, (int)d->h, (int)d->w, (int)d->c, o->images,
				     &m2)) {
				rc = -1;
				goto out;
			}
			if (m2.classes != m->classes || m2.in.type != m->in.type ||
			    m2.out.type != m->out.type) {
				fprintf(stderr, "npu: the model at batch %d differs from batch %d\n",
					count, batch);
				rc = -1;
				goto out;
			}
			if (prog)
				npu_net_set_progress(last, on_layer, prog);
			rn = last;
			rm = &m2;
		}
		*st = run_batch(rn, rm, d, first, count, inbuf, outbuf, v, r);
		if (stats_add(stats, rn, (uint64_t)count)) {
			fprintf(stderr, "npu: out of memory\n");
			rc = -1;
			goto out;
		}
		if (*st != NPU_OK) {
			*failed_batch = b + 1;
			rc = 1;
			goto out;
		}
	}
out:
	npu_net_free(last);
	free(inbuf);
	free(outbuf);
	free(v);
	return rc;
}

/*
 * --compare-cpu: the same images through the cpu backend (same check
 * mode and threads) into r2; prints nothing, -1 on failure with a message.
 */
static int cpu_pass(const struct options *o, const struct dataset *d, size_t n, int batch,
		    const int *labels, struct results *r2)
{
	struct npu_ctx_opts co = { .backend = "cpu", .flags = o->check ? NPU_CTX_CHECK : 0,
				   .threads = o->threads };
	struct run_stats stats = { 0 };
	struct model_io m;
	npu_ctx *ctx = NULL;
	npu_net *net = NULL;
	npu_status st;
	char msg[512];
	int rc = -1, fb = 0;

	if (npu_ctx_open(&co, &ctx, msg, sizeof(msg)) != NPU_OK) {
		fprintf(stderr, "npu: --compare-cpu: %s\n", msg);
		return -1;
	}
	if (!(net = load_model(ctx, o, batch)) ||
	    model_io(net, batch, (int)d->h, (int)d->w, (int)d->c, o->images, &m))
		goto out;
	if (results_init(r2, n, m.classes, &m, labels) || stats_init(&stats, net)) {
		fprintf(stderr, "npu: out of memory\n");
		goto out;
	}
	rc = run_images(ctx, o, d, n, batch, net, &m, r2, &stats, NULL, &st, &fb);
	if (rc > 0)
		fprintf(stderr, "npu: --compare-cpu: batch %d: %s (%s)\n", fb,
			npu_ctx_last_error(ctx), npu_strerror(st));
	rc = rc ? -1 : 0;
out:
	stats_free(&stats);
	npu_net_free(net);
	npu_ctx_close(ctx);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Prints (and puts into c) how `other`'s outputs agree with this run's; -1 if any differs. */
static int agreement_report(const char *who, const struct agreement *ag, int labeled,
			    json_t *c, const char *key, json_t *extra)
{
	json_t *j = extra ? extra : json_object();

	printf("%s: ", who);
	if (labeled)
		printf("top-1 accuracy %.2f%% (%llu of %zu images); ",
		       100.0 * (double)ag->correct / (double)ag->n,
		       (unsigned long long)ag->correct, ag->n);
	printf("outputs byte-identical to this run's for %zu of %zu images\n", ag->identical,
	       ag->n);
	json_object_set_new(j, "images", json_integer((json_int_t)ag->n));
	json_object_set_new(j, "identical", json_integer((json_int_t)ag->identical));
	if (labeled)
		json_object_set_new(j, "accuracy",
				    json_real((double)ag->correct / (double)ag->n));
	json_object_set_new(c, key, j);
	if (ag->identical == ag->n)
		return 0;
	fprintf(stderr, "npu: %s: image %ld is the first whose output differs\n", who,
		ag->first_diff);
	return -1;
}

int classify_images(npu_ctx *ctx, const struct options *o)
{
	struct dataset d;
	struct model_io m;
	struct results r = { 0 }, r2 = { 0 };
	struct names nm = { 0 };
	struct run_stats stats = { 0 };
	struct device_view dv;
	struct progress prog = { 0 };
	struct golden g = { 0 };
	npu_net *net = NULL;
	double t0 = now();
	npu_status st = NPU_OK;
	size_t n, i;
	int batch, rc = 1, fb = 0, run;
	int *labels = NULL;
	json_t *root = NULL, *cls = NULL;
	char a[32], sh[48];

	if (load_dataset(o, &d) || (o->golden && golden_load(o->golden, &g)))
		goto out;
	n = o->limit && o->limit < d.n ? o->limit : d.n;
	batch = (int)(n < (size_t)(o->batch ? o->batch : DEFAULT_BATCH) ? n
			: (size_t)(o->batch ? o->batch : DEFAULT_BATCH));
	if (!(net = load_model(ctx, o, batch)) ||
	    model_io(net, batch, (int)d.h, (int)d.w, (int)d.c, o->images, &m) ||
	    class_names(o, net, m.classes, &nm))
		goto out;
	if (o->golden && g.model && strcmp(g.model, base_name(o->net))) {
		fprintf(stderr, "npu: %s was made from %s, not %s\n", o->golden, g.model,
			base_name(o->net));
		goto out;
	}
	if (o->golden && (g.img_bytes != m.out_bytes || strcmp(g.type, npu_type_name(m.out.type)))) {
		fprintf(stderr, "npu: %s holds %zu-byte %s outputs, the model's '%s' is %zu bytes "
			"of %s per image\n", o->golden, g.img_bytes, g.type, m.out.name,
			m.out_bytes, npu_type_name(m.out.type));
		goto out;
	}
	if (d.labeled) {
		if (!(labels = malloc(n * sizeof(*labels)))) {
			fprintf(stderr, "npu: out of memory\n");
			goto out;
		}
		for (i = 0; i < n; i++) {
			double l = npu_idx_value(&d.labels, i);

			if (l < 0 || l >= m.classes) {
				fprintf(stderr, "npu: %s: label %g of image %zu is not a class of "
					"the model's output (0..%d)\n", o->labels, l, i,
					m.classes - 1);
				goto out;
			}
			labels[i] = (int)l;
		}
	}
	if (results_init(&r, n, m.classes, &m, labels) || stats_init(&stats, net)) {
		fprintf(stderr, "npu: out of memory\n");
		goto out;
	}
	prog.start = prog.last = now();
	prog.tty = isatty(STDERR_FILENO);
	run = run_images(ctx, o, &d, n, batch, net, &m, &r, &stats, &prog, &st, &fb);
	progress_done(&prog);
	if (run < 0)
		goto out;
	device_view_get(ctx, o, &dv);
	root = json_report(ctx, net, &stats, 1, st, &dv);
	if (st == NPU_OK) {
		cls = json_classification(o, &m, &r, &nm, batch, &stats);
		json_object_set_new(root, "classification", cls);
	}
	if (o->json)
		json_write(stdout, root);
	else
		print_report(ctx, &stats, &dv);
	if (st != NPU_OK) {
		fprintf(stderr, "npu: %s (%s); stopped at batch %d of %d\n",
			npu_ctx_last_error(ctx), npu_strerror(st), fb,
			(int)((n + (size_t)batch - 1) / (size_t)batch));
		goto out;
	}
	if (!o->json) {
		printf("images: %zu of %zu from %s (%zux%zux%zu u8) into '%s' %s %s, "
		       "batch %d: %d run%s\n", n, d.n, o->images, d.h, d.w, d.c, m.in.name,
		       shape(m.in.dims, sh, sizeof(sh)), npu_type_name(m.in.type), batch,
		       stats.runs, stats.runs == 1 ? "" : "s");
		if (nm.n)
			printf("classes: %d, names from %s\n", r.k, nm.source);
		if (d.labeled) {
			printf("top-1 accuracy: %.2f%% (%llu of %zu images)\n",
			       100.0 * (double)r.correct / (double)n,
			       (unsigned long long)r.correct, n);
			if (r.k <= MATRIX_MAX_CLASSES)
				print_confusion(&r, &nm);
			else
				printf("confusion matrix: %d classes, in --json only\n", r.k);
		} else {
			print_histogram(&r, &nm);
		}
		printf("per image: %s device cycles, %.3f ms wall time of the runs "
		       "(%.3f ms in all, loading and conversion included)\n",
		       stats.totals.cycles ? human(stats.totals.cycles / n, a, sizeof(a)) : "-",
		       1e3 * stats.totals.seconds / (double)n, 1e3 * (now() - t0) / (double)n);
	}
	rc = 0;
	if (o->compare_cpu) {
		struct agreement ag;

		if (cpu_pass(o, &d, n, batch, labels, &r2)) {
			rc = 1;
		} else {
			compare_outputs(r.outs, r2.outs, n, r.out_bytes,
					npu_type_name(m.out.type), labels, &ag);
			if (agreement_report("cpu backend", &ag, d.labeled, cls, "cpu", NULL))
				rc = 1;
		}
	}
	if (o->golden) {
		struct agreement ag;
		size_t k = n < g.images ? n : g.images;
		char who[256];

		snprintf(who, sizeof(who), "ONNX Runtime %s (%s)", g.ort_version, o->golden);
		if (k < n)
			fprintf(stderr, "npu: warning: %s holds %zu images; only those are compared\n",
				o->golden, g.images);
		compare_outputs(r.outs, g.data, k, r.out_bytes, g.type, labels, &ag);
		if (agreement_report(who, &ag, d.labeled, cls, "golden",
				     json_pack("{s:s, s:s}", "file", o->golden, "ort_version",
					       g.ort_version)))
			rc = 1;
	}
	if (o->predictions && write_predictions(o->predictions, &r))
		rc = 1;
out:
	if (root && o->json_out && json_write_file(o->json_out, root))
		rc = 1;
	json_decref(root);
	stats_free(&stats);
	npu_net_free(net);
	names_free(&nm);
	results_free(&r);
	results_free(&r2);
	golden_free(&g);
	free(labels);
	dataset_free(&d);
	return rc;
}

