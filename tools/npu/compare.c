/* SPDX-License-Identifier: MIT */
/*
 * Comparing a classification with other answers (cli.h): a golden file
 * of ONNX Runtime's outputs (tools/golden/fashion_golden.js writes a
 * <model>.golden.json description and a <model>.golden.bin of raw
 * outputs, image after image) and the same images on the cpu backend.
 * Outputs are compared byte for byte: the device, the CPU and ONNX Runtime
 * must give the same bits, not merely the same classes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int golden_load(const char *path, struct golden *g)
{
	json_error_t err;
	json_t *outs, *o0, *d;
	char *bin;
	size_t n = 1, i, len = strlen(path);
	FILE *f;
	long size;

	memset(g, 0, sizeof(*g));
	if (len < 6 || strcmp(path + len - 5, ".json")) {
		fprintf(stderr, "npu: --golden %s: a golden description ends in .json\n", path);
		return -1;
	}
	if (!(g->j = json_load_file(path, 0, &err))) {
		fprintf(stderr, "npu: %s:%d: %s\n", path, err.line, err.text);
		return -1;
	}
	outs = json_object_get(g->j, "outputs");
	o0 = json_array_get(outs, 0);
	g->images = (size_t)json_integer_value(json_object_get(g->j, "images"));
	g->type = json_string_value(json_object_get(o0, "type"));
	g->ort_version = json_string_value(json_object_get(g->j, "ort_version"));
	json_array_foreach(json_object_get(o0, "dims_per_image"), i, d)
		n *= (size_t)json_integer_value(d);
	g->model = json_string_value(json_object_get(g->j, "model"));
	if (!g->images || !g->type || !g->ort_version || !n) {
		fprintf(stderr, "npu: %s: not a golden description (images, outputs[0] with "
			"type and dims_per_image, ort_version)\n", path);
		goto fail;
	}
	g->img_bytes = n * (!strcmp(g->type, "float32") || !strcmp(g->type, "int32") ? 4 : 1);
	g->offset = (size_t)json_integer_value(json_object_get(o0, "offset"));
	if (!(bin = malloc(len + 1)))
		goto fail;
	memcpy(bin, path, len - 5);
	strcpy(bin + len - 5, ".bin");
	f = fopen(bin, "rb");
	if (!f) {
		fprintf(stderr, "npu: %s: cannot open: %s\n", bin, strerror(errno));
		free(bin);
		goto fail;
	}
	size = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
	if (size < 0 || (uint64_t)size < g->offset + g->img_bytes * g->images ||
	    fseek(f, (long)g->offset, SEEK_SET) ||
	    !(g->data = malloc(g->img_bytes * g->images)) ||
	    fread(g->data, g->img_bytes, g->images, f) != g->images) {
		fprintf(stderr, "npu: %s: shorter than %s says\n", bin, path);
		fclose(f);
		free(bin);
		goto fail;
	}
	fclose(f);
	free(bin);
	return 0;
fail:
	golden_free(g);
	return -1;
}

void golden_free(struct golden *g)
{
	json_decref(g->j);
	free(g->data);
	memset(g, 0, sizeof(*g));
}

/* The argmax of one image's output bytes (float32, int8, uint8, int32). */
static int argmax_bytes(const char *type, const void *p, size_t bytes)
{
	size_t i, k = !strcmp(type, "float32") || !strcmp(type, "int32") ? bytes / 4 : bytes;
	size_t best = 0;

	for (i = 1; i < k; i++) {
		double a, b;

		if (!strcmp(type, "float32")) {
			a = ((const float *)p)[i];
			b = ((const float *)p)[best];
		} else if (!strcmp(type, "int32")) {
			a = ((const int32_t *)p)[i];
			b = ((const int32_t *)p)[best];
		} else if (!strcmp(type, "int8")) {
			a = ((const int8_t *)p)[i];
			b = ((const int8_t *)p)[best];
		} else {
			a = ((const uint8_t *)p)[i];
			b = ((const uint8_t *)p)[best];
		}
		if (a > b)
			best = i;
	}
	return (int)best;
}

int compare_outputs(const uint8_t *a, const uint8_t *b, size_t n, size_t img_bytes,
		    const char *type, const int *labels, struct agreement *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->first_diff = -1;
	for (i = 0; i < n; i++) {
		const uint8_t *x = a + i * img_bytes, *y = b + i * img_bytes;

		if (!memcmp(x, y, img_bytes))
			out->identical++;
		else if (out->first_diff < 0)
			out->first_diff = (long)i;
		if (labels)
			out->correct += argmax_bytes(type, y, img_bytes) == labels[i];
	}
	out->n = n;
	return out->identical == n ? 0 : -1;
}
