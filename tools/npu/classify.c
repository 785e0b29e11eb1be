/* SPDX-License-Identifier: MIT */
/*
 * Classification with `npu run`: what --images (images.c) and --image
 * share, and --image itself (one PGM or PNG: the top-5 classes).
 *
 * The model's first input takes the images and its first output gives
 * the class scores (every element of one image's output is a class).
 * Pixels p (0..255) become x = p / 255.0f in float32; an 8-bit input
 * gets q = clamp(nearbyintf(x / scale) + zero_point) (round half to
 * even, saturated: the library's quantize op, and ONNX QuantizeLinear).
 * Gray images feed a 3-channel input on every channel; RGB images feed
 * a 1-channel input as luma (299 R + 587 G + 114 B + 500) / 1000, ITU-R
 * BT.601 weights in integers, rounded half up.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "npu_data.h"

/* ---- class names ---- */

void names_free(struct names *nm)
{
	int i;

	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
	memset(nm, 0, sizeof(*nm));
}

/* Appends s[0..len) with surrounding blanks removed. */
static int names_add(struct names *nm, const char *s, size_t len)
{
	char **v;

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
		       s[len - 1] == '\n'))
		len--;
	if (!(v = realloc(nm->v, sizeof(*v) * (size_t)(nm->n + 1))))
		return -1;
	nm->v = v;
	if (!(v[nm->n] = strndup(s, len)))
		return -1;
	nm->n++;
	return 0;
}

/* One name per line; a final newline is optional, empty lines are errors. */
static int names_from_file(const char *path, struct names *nm)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;

	if (!f) {
		fprintf(stderr, "npu: %s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (names_add(nm, line, (size_t)len)) {
			fprintf(stderr, "npu: out of memory\n");
			goto fail;
		}
		if (!nm->v[nm->n - 1][0]) {
			fprintf(stderr, "npu: %s:%d: empty class name\n", path, lineno);
			goto fail;
		}
		if (nm->n > 1000000) {
			fprintf(stderr, "npu: %s: more than a million class names\n", path);
			goto fail;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "npu: %s: read error\n", path);
		goto fail;
	}
	free(line);
	fclose(f);
	nm->source = "--classes";
	return 0;
fail:
	free(line);
	fclose(f);
	names_free(nm);
	return -1;
}

/*
 * Class names for k classes: --classes (a count other than k is an error),
 * else the model's "classes" metadata (a count other than k is a warning
 * and the names are not used), else none.
 */
int class_names(const struct options *o, npu_net *net, int k, struct names *nm)
{
	const char *meta, *p, *comma;

	memset(nm, 0, sizeof(*nm));
	if (o->classes) {
		if (names_from_file(o->classes, nm))
			return -1;
		if (nm->n != k) {
			fprintf(stderr, "npu: %s has %d class names, the model's output has %d "
				"classes\n", o->classes, nm->n, k);
			names_free(nm);
			return -1;
		}
		return 0;
	}
	meta = npu_net_metadata(net, "classes");
	if (!meta)
		return 0;
	for (p = meta;; p = comma + 1) {
		comma = strchr(p, ',');
		if (names_add(nm, p, comma ? (size_t)(comma - p) : strlen(p))) {
			fprintf(stderr, "npu: out of memory\n");
			names_free(nm);
			return -1;
		}
		if (!comma)
			break;
	}
	if (nm->n != k) {
		fprintf(stderr, "npu: warning: the model's \"classes\" metadata has %d names for "
			"%d classes; using class numbers\n", nm->n, k);
		names_free(nm);
		return 0;
	}
	nm->source = "the model's metadata";
	return 0;
}

const char *class_name(const struct names *nm, int i)
{
	return nm->n ? nm->v[i] : NULL;
}

/* ---- the model's input and output ---- */

/*
 * Checks that the model takes images of h x w x c (c = 1 or 3) in a batch
 * of n and fills m. A message names both shapes when they do not fit.
 */
int model_io(npu_net *net, int n, int h, int w, int c, const char *data,
	     struct model_io *m)
{
	int i;

	memset(m, 0, sizeof(*m));
	if (npu_net_num_inputs(net) != 1 || npu_net_num_outputs(net) < 1) {
		fprintf(stderr, "npu: the model has %d inputs and %d outputs; classification "
			"needs one input and an output\n", npu_net_num_inputs(net),
			npu_net_num_outputs(net));
		return -1;
	}
	m->in_id = npu_net_input_id(net, 0);
	m->out_id = npu_net_output_id(net, 0);
	if (npu_net_tensor_info(net, m->in_id, &m->in) ||
	    npu_net_tensor_info(net, m->out_id, &m->out)) {
		fprintf(stderr, "npu: cannot read the model's input or output tensor\n");
		return -1;
	}
	if (m->in.type != NPU_FLOAT32 && m->in.type != NPU_INT8 && m->in.type != NPU_UINT8) {
		fprintf(stderr, "npu: the model's input '%s' is %s; images feed a float32, "
			"int8 or uint8 input\n", m->in.name, npu_type_name(m->in.type));
		return -1;
	}
	if (m->in.dims[0] != n) {
		fprintf(stderr, "npu: the model's input '%s' has a batch of %d, not the %d "
			"asked for\n", m->in.name, m->in.dims[0], n);
		return -1;
	}
	if (m->in.dims[1] != h || m->in.dims[2] != w ||
	    (m->in.dims[3] != 1 && m->in.dims[3] != 3)) {
		fprintf(stderr, "npu: %s: images are %dx%dx%d (HxWxC), the model's input "
			"'%s' takes %dx%dx%d\n", data, h, w, c, m->in.name, m->in.dims[1],
			m->in.dims[2], m->in.dims[3]);
		return -1;
	}
	if (m->out.dims[0] != n) {
		fprintf(stderr, "npu: the model's output '%s' has a batch of %d for an input "
			"batch of %d\n", m->out.name, m->out.dims[0], n);
		return -1;
	}
	m->in_bytes = m->in.bytes / (size_t)n;
	m->out_bytes = m->out.bytes / (size_t)n;
	m->classes = m->out.dims[1] * m->out.dims[2] * m->out.dims[3];
	for (i = 0; i < npu_net_num_layers(net); i++) {
		struct npu_layer_report r;

		if (!npu_net_layer_report(net, i, &r) && !strcmp(r.name, m->out.name))
			m->out_op = r.op;
	}
	return 0;
}

/*
 * One image of h*w pixels of src_c (1 or 3) channels into the input's
 * type and channel count (see the top of the file).
 */
void to_input(const uint8_t *px, size_t hw, int src_c, const struct npu_tensor_info *in,
		     void *dst)
{
	int dst_c = in->dims[3];
	float lo = in->type == NPU_INT8 ? -128.0f : 0.0f;
	float hi = in->type == NPU_INT8 ? 127.0f : 255.0f;
	size_t i;
	int c;

	for (i = 0; i < hw; i++) {
		const uint8_t *s = px + i * (size_t)src_c;
		uint8_t luma = 0;

		if (src_c == 3 && dst_c == 1)
			luma = (uint8_t)((299u * s[0] + 587u * s[1] + 114u * s[2] + 500u) / 1000u);
		for (c = 0; c < dst_c; c++) {
			uint8_t p = src_c == dst_c ? s[c] : src_c == 1 ? s[0] : luma;
			float x = (float)p / 255.0f;
			size_t k = i * (size_t)dst_c + (size_t)c;
			float q;

			if (in->type == NPU_FLOAT32) {
				((float *)dst)[k] = x;
				continue;
			}
			q = nearbyintf(x / in->scale) + (float)in->zero_point;
			q = q < lo ? lo : q > hi ? hi : q;
			if (in->type == NPU_INT8)
				((int8_t *)dst)[k] = (int8_t)q;
			else
				((uint8_t *)dst)[k] = (uint8_t)q;
		}
	}
}

/* One image's output as doubles: float32 and int32 as they are, 8-bit dequantized. */
void out_values(const void *buf, const struct npu_tensor_info *t, int k, double *v)
{
	int i;

	for (i = 0; i < k; i++) {
		switch (t->type) {
		case NPU_FLOAT32:
			v[i] = ((const float *)buf)[i];
			break;
		case NPU_INT32:
			v[i] = ((const int32_t *)buf)[i];
			break;
		case NPU_INT8:
			v[i] = ((double)((const int8_t *)buf)[i] - t->zero_point) * t->scale;
			break;
		case NPU_UINT8:
			v[i] = ((double)((const uint8_t *)buf)[i] - t->zero_point) * t->scale;
			break;
		}
	}
}

/* The index of the largest value, the lowest on a tie; NaN never wins (0 if all are). */
int argmax(const double *v, int k)
{
	int i, best = -1;

	for (i = 0; i < k; i++)
		if (!isnan(v[i]) && (best < 0 || v[i] > v[best]))
			best = i;
	return best < 0 ? 0 : best;
}

npu_net *load_model(npu_ctx *ctx, const struct options *o, int batch)
{
	npu_net *net;

	if (!(net = cli_load(ctx, o, batch))) {
		if (batch > 1)
			fprintf(stderr, "npu: (the model was loaded at a batch of %d; if it "
				"fixes its batch size, try --batch 1)\n", batch);
		return NULL;
	}
	return net;
}

/* ---- --image ---- */

/* Classes --image prints. */
#define TOP_N 5

struct ranked {
	int cls;
	double score;
};

/* Descending score, then ascending class: the argmax order. */
static int by_score(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->cls - b->cls;
}

/*
 * What the scores are: the output itself when it holds probabilities (its
 * layer is a softmax, or every value is in [0, 1] and they sum to 1
 * within 1e-3), else the softmax of the (dequantized) values computed
 * here in double. Raw int32 accumulators have no known scale: as they are.
 */
static const char *scores(const struct model_io *m, double *v, int k)
{
	double mx = -INFINITY, sum = 0.0;
	int i, prob = m->out_op && !strcmp(m->out_op, "softmax");

	if (m->out.type == NPU_INT32)
		return "raw int32 accumulators of the output (no scale known)";
	if (!prob) {
		prob = 1;
		for (i = 0; i < k; i++) {
			prob &= v[i] >= 0.0 && v[i] <= 1.0;
			sum += v[i];
		}
		prob &= fabs(sum - 1.0) <= 1e-3;
	}
	if (prob)
		return m->out.type == NPU_FLOAT32 ? "probabilities (the model's output)"
						  : "probabilities (the model's output, dequantized)";
	for (i = 0; i < k; i++)
		mx = !isnan(v[i]) && v[i] > mx ? v[i] : mx;
	for (sum = 0.0, i = 0; i < k; i++) {
		v[i] = isnan(v[i]) ? 0.0 : exp(v[i] - mx);
		sum += v[i];
	}
	for (i = 0; i < k; i++)
		v[i] /= sum;
	return m->out.type == NPU_FLOAT32
		       ? "softmax of the output's logits (computed here in double)"
		       : "softmax of the dequantized output (computed here in double)";
}

int classify_image(npu_ctx *ctx, const struct options *o)
{
	struct npu_image img = { 0 };
	struct model_io m;
	struct names nm = { 0 };
	struct run_stats stats = { 0 };
	struct device_view dv;
	struct progress prog = { 0 };
	struct ranked *rk = NULL;
	npu_net *net = NULL;
	void *inbuf = NULL, *outbuf = NULL;
	double *v = NULL;
	const char *what = NULL;
	npu_status st;
	int i, top, rc = 1;
	json_t *root = NULL;
	char msg[512], sh[48];

	if (npu_image_load(o->image, 0, &img, msg, sizeof(msg)) != NPU_OK) {
		fprintf(stderr, "npu: %s\n", msg);
		return 1;
	}
	if (!(net = load_model(ctx, o, 1)) ||
	    model_io(net, 1, img.height, img.width, img.channels, o->image, &m) ||
	    class_names(o, net, m.classes, &nm))
		goto out;
	inbuf = malloc(m.in_bytes);
	outbuf = malloc(m.out_bytes);
	v = malloc(sizeof(*v) * (size_t)m.classes);
	rk = malloc(sizeof(*rk) * (size_t)m.classes);
	if (!inbuf || !outbuf || !v || !rk || stats_init(&stats, net)) {
		fprintf(stderr, "npu: out of memory\n");
		goto out;
	}
	to_input(img.data, (size_t)img.width * (size_t)img.height, img.channels, &m.in, inbuf);
	prog.start = prog.last = now();
	prog.tty = isatty(STDERR_FILENO);
	npu_net_set_progress(net, on_layer, &prog);
	st = npu_net_set_input_image(net, m.in_id, 0, NPU_NHWC, inbuf, m.in_bytes);
	if (st == NPU_OK)
		st = npu_net_run(net);
	if (st == NPU_OK)
		st = npu_net_get_output_image(net, m.out_id, 0, NPU_NHWC, outbuf, m.out_bytes);
	progress_done(&prog);
	if (stats_add(&stats, net, 1)) {
		fprintf(stderr, "npu: out of memory\n");
		goto out;
	}
	top = m.classes < TOP_N ? m.classes : TOP_N;
	if (st == NPU_OK) {
		out_values(outbuf, &m.out, m.classes, v);
		what = scores(&m, v, m.classes);
		for (i = 0; i < m.classes; i++) {
			rk[i].cls = i;
			rk[i].score = isnan(v[i]) ? -INFINITY : v[i];
		}
		qsort(rk, (size_t)m.classes, sizeof(*rk), by_score);
	}
	device_view_get(ctx, o, &dv);
	root = json_report(ctx, net, &stats, 1, st, &dv);
	if (st == NPU_OK) {
		json_t *c = json_pack("{s:s, s:s, s:[iii], s:s, s:s, s:i, s:s}", "image",
				      o->image, "format", img.format, "size", img.height,
				      img.width, img.channels, "input", m.in.name, "output",
				      m.out.name, "classes", m.classes, "scores", what);
		json_t *a = json_array();

		for (i = 0; i < top; i++) {
			json_t *e = json_pack("{s:i, s:f}", "class", rk[i].cls, "score",
					      rk[i].score);

			if (nm.n)
				json_object_set_new(e, "name",
						    json_string(class_name(&nm, rk[i].cls)));
			json_array_append_new(a, e);
		}
		json_object_set_new(c, "top", a);
		json_object_set_new(root, "classification", c);
	}
	if (o->json)
		json_write(stdout, root);
	else
		print_report(ctx, &stats, &dv);
	if (st != NPU_OK) {
		fprintf(stderr, "npu: %s (%s)\n", npu_ctx_last_error(ctx), npu_strerror(st));
		goto out;
	}
	if (!o->json) {
		printf("image: %s (%dx%d %s %s) into '%s' %s %s\n", o->image, img.width,
		       img.height, img.channels == 1 ? "gray" : "RGB", img.format, m.in.name,
		       shape(m.in.dims, sh, sizeof(sh)), npu_type_name(m.in.type));
		printf("scores: %s, output '%s'\n", what, m.out.name);
		printf("top-%d:\n", top);
		for (i = 0; i < top; i++) {
			const char *name = class_name(&nm, rk[i].cls);

			printf("  %d. class %-4d %-24s %.6f\n", i + 1, rk[i].cls, name ? name : "",
			       rk[i].score);
		}
	}
	rc = 0;
out:
	if (root && o->json_out && json_write_file(o->json_out, root))
		rc = 1;
	json_decref(root);
	stats_free(&stats);
	npu_net_free(net);
	names_free(&nm);
	npu_image_free(&img);
	free(inbuf);
	free(outbuf);
	free(v);
	free(rk);
	return rc;
}
