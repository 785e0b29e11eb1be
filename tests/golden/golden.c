/* SPDX-License-Identifier: MIT */
/*
 * golden - runs a Fashion-MNIST model through libnpu on the first N test
 * images and compares every output of every image, bit for bit, with the
 * golden file ONNX Runtime wrote (tools/golden/fashion_golden.js: a
 * <model>.golden.json description and a <model>.golden.bin of raw outputs).
 *
 *   golden MODEL.onnx GOLDEN.json [--backend B] [--images N] [--batch B]
 *          [--data DIR]
 *
 * Prints one line per model: images compared, how many are bit-exact,
 * the top-1 accuracy of the library's and of ONNX Runtime's outputs, and
 * (on a device backend) cycles and MAC utilization per image. Check mode
 * is on, so every conv/FC layer is also compared with the CPU reference.
 * Exit status 0 when every output of every image is identical, 1 otherwise
 * (the first difference is printed), 2 on bad usage.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npu.h"
#include "npu_data.h"

#define DATA_DIR "/usr/share/datasets/fashion-mnist"

struct out_desc {
	const char *name, *type;
	size_t img_bytes;		/* one image's bytes */
	size_t offset;			/* into the .bin */
};

static void *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc(len ? (size_t)len : 1)) && fread(buf, 1, (size_t)len, f) == (size_t)len) {
		*n = (size_t)len;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static size_t type_bytes(const char *t)
{
	return !strcmp(t, "float32") || !strcmp(t, "int32") ? 4 : 1;
}

static int argmax(const char *type, const void *p, int n)
{
	int best = 0;

	for (int i = 1; i < n; i++) {
		double a = !strcmp(type, "float32") ? ((const float *)p)[i]
			   : !strcmp(type, "int8") ? ((const int8_t *)p)[i]
						   : ((const uint8_t *)p)[i];
		double b = !strcmp(type, "float32") ? ((const float *)p)[best]
			   : !strcmp(type, "int8") ? ((const int8_t *)p)[best]
						   : ((const uint8_t *)p)[best];

		if (a > b)
			best = i;
	}
	return best;
}

static int usage(void)
{
	fprintf(stderr, "usage: golden MODEL.onnx GOLDEN.json [--backend B] [--images N] "
		"[--batch B] [--data DIR]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *model = NULL, *gpath = NULL, *backend = "cpu", *data = DATA_DIR;
	int images = 0, batch = 100, i, k, mismatched = 0, right = 0, ort_right = 0, nout;
	struct npu_ctx_opts co = { .flags = NPU_CTX_CHECK };
	struct npu_load_opts lo = { 0 };
	struct npu_idx img = { 0 }, lab = { 0 };
	struct npu_device_info dev;
	struct out_desc outs[8];
	uint64_t cycles = 0, macs = 0;
	json_t *g;
	json_error_t jerr;
	npu_ctx *ctx = NULL;
	npu_net *net = NULL;
	char msg[512], path[1024], binpath[1024];
	uint8_t *bin = NULL;
	size_t binlen = 0;
	float *x = NULL;
	void *got = NULL;
	int rc = 1, gimages, first_bad = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			backend = argv[++i];
		else if (!strcmp(argv[i], "--images") && i + 1 < argc)
			images = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			batch = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data = argv[++i];
		else if (argv[i][0] != '-' && !model)
			model = argv[i];
		else if (argv[i][0] != '-' && !gpath)
			gpath = argv[i];
		else
			return usage();
	}
	if (!model || !gpath || batch < 1)
		return usage();
	if (!(g = json_load_file(gpath, 0, &jerr))) {
		fprintf(stderr, "golden: %s:%d: %s\n", gpath, jerr.line, jerr.text);
		return 1;
	}
	gimages = (int)json_integer_value(json_object_get(g, "images"));
	if (!images || images > gimages)
		images = gimages;
	if (batch > images)
		batch = images;
	if (images % batch) {
		fprintf(stderr, "golden: %d images do not split into batches of %d\n", images,
			batch);
		goto out;
	}
	nout = (int)json_array_size(json_object_get(g, "outputs"));
	if (nout < 1 || nout > 8)
		goto out;
	for (k = 0; k < nout; k++) {
		json_t *o = json_array_get(json_object_get(g, "outputs"), (size_t)k), *d;
		size_t n = 1, j;

		json_array_foreach(json_object_get(o, "dims_per_image"), j, d)
			n *= (size_t)json_integer_value(d);
		outs[k].name = json_string_value(json_object_get(o, "name"));
		outs[k].type = json_string_value(json_object_get(o, "type"));
		outs[k].img_bytes = n * type_bytes(outs[k].type);
		outs[k].offset = (size_t)json_integer_value(json_object_get(o, "offset"));
	}
	/* the .bin beside the .json */
	snprintf(binpath, sizeof(binpath), "%.*s.bin", (int)(strlen(gpath) - 5), gpath);
	if (!(bin = read_file(binpath, &binlen))) {
		fprintf(stderr, "golden: cannot read %s\n", binpath);
		goto out;
	}
	for (k = 0; k < nout; k++)
		if (outs[k].offset + outs[k].img_bytes * (size_t)gimages > binlen) {
			fprintf(stderr, "golden: %s is shorter than %s says\n", binpath, gpath);
			goto out;
		}
	snprintf(path, sizeof(path), "%s/t10k-images-idx3-ubyte.gz", data);
	if (npu_idx_load(path, 0, &img, msg, sizeof(msg)) != NPU_OK ||
	    (snprintf(path, sizeof(path), "%s/t10k-labels-idx1-ubyte.gz", data),
	     npu_idx_load(path, 0, &lab, msg, sizeof(msg))) != NPU_OK) {
		fprintf(stderr, "golden: %s\n", msg);
		goto out;
	}
	co.backend = backend;
	if (npu_ctx_open(&co, &ctx, msg, sizeof(msg)) != NPU_OK) {
		fprintf(stderr, "golden: %s\n", msg);
		goto out;
	}
	lo.batch = batch;
	if (npu_net_load(ctx, model, &lo, &net) != NPU_OK) {
		fprintf(stderr, "golden: %s\n", npu_ctx_last_error(ctx));
		goto out;
	}
	x = malloc(28 * 28 * sizeof(float));
	got = malloc(outs[0].img_bytes > 4096 ? outs[0].img_bytes : 4096);
	for (int b0 = 0; b0 < images; b0 += batch) {
		struct npu_net_totals t;

		for (i = 0; i < batch; i++) {
			const uint8_t *p = (const uint8_t *)img.data + (size_t)(b0 + i) * 28 * 28;

			/* what an ONNX Runtime user feeds: p / 255 in float32 */
			for (k = 0; k < 28 * 28; k++)
				x[k] = (float)p[k] / 255.0f;
			if (npu_net_set_input_image(net, npu_net_input_id(net, 0), i, NPU_NCHW, x,
						    28 * 28 * sizeof(float)) != NPU_OK) {
				fprintf(stderr, "golden: %s\n", npu_ctx_last_error(ctx));
				goto out;
			}
		}
		if (npu_net_run(net) != NPU_OK) {
			fprintf(stderr, "golden: %s\n", npu_ctx_last_error(ctx));
			goto out;
		}
		npu_net_totals(net, &t);
		cycles += t.cycles;
		for (k = 0; k < npu_net_num_layers(net); k++) {
			struct npu_layer_report r;

			if (npu_net_layer_report(net, k, &r) == NPU_OK && r.on_device)
				macs += r.macs;
		}
		for (i = 0; i < batch; i++) {
			int n = b0 + i, bad = 0;

			for (k = 0; k < nout && k < npu_net_num_outputs(net); k++) {
				const uint8_t *want = bin + outs[k].offset +
						      (size_t)n * outs[k].img_bytes;

				if (npu_net_get_output_image(net, npu_net_output_id(net, k), i,
							     NPU_NCHW, got, outs[k].img_bytes)) {
					fprintf(stderr, "golden: output %d: %s\n", k,
						npu_ctx_last_error(ctx));
					goto out;
				}
				if (memcmp(got, want, outs[k].img_bytes)) {
					bad = 1;
					if (first_bad < 0) {
						size_t e = 0;

						while (((const uint8_t *)got)[e] == want[e])
							e++;
						first_bad = n;
						fprintf(stderr, "golden: image %d, output '%s': byte "
							"%zu differs from ONNX Runtime's\n", n,
							outs[k].name, e);
					}
				}
				if (k == 0) {
					int c = (int)outs[0].img_bytes / (int)type_bytes(outs[0].type);

					right += argmax(outs[0].type, got, c) ==
						 ((const uint8_t *)lab.data)[n];
					ort_right += argmax(outs[0].type, want, c) ==
						     ((const uint8_t *)lab.data)[n];
				}
			}
			mismatched += bad;
		}
	}
	printf("%s on %s: %d/%d images bit-exact with ONNX Runtime %s; accuracy %.2f%% "
	       "(ONNX Runtime %.2f%%)", model, npu_ctx_backend(ctx), images - mismatched, images,
	       json_string_value(json_object_get(g, "ort_version")), 100.0 * right / images,
	       100.0 * ort_right / images);
	if (cycles && npu_ctx_device_info(ctx, &dev) == NPU_OK)
		printf("; %.0f device cycles/image, MAC utilization %.1f%%",
		       (double)cycles / images,
		       100.0 * (double)macs / ((double)cycles * dev.rows * dev.cols));
	printf("\n");
	rc = mismatched ? 1 : 0;
out:
	free(x);
	free(got);
	free(bin);
	npu_idx_free(&img);
	npu_idx_free(&lab);
	npu_net_free(net);
	npu_ctx_close(ctx);
	json_decref(g);
	return rc;
}
