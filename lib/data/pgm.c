/* SPDX-License-Identifier: MIT */
/* PGM images, P5 (binary) and P2 (ASCII), maxval <= 255 (npu_data.h). */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

struct pgm {
	const uint8_t *p;
	size_t n, pos;
	const char *name;
	char *msg;
	size_t msglen;
};

static int is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Skips whitespace and (header) comments: '#' to the end of the line. */
static void skip_space(struct pgm *g, int comments)
{
	while (g->pos < g->n) {
		if (is_space(g->p[g->pos])) {
			g->pos++;
		} else if (comments && g->p[g->pos] == '#') {
			while (g->pos < g->n && g->p[g->pos] != '\n' && g->p[g->pos] != '\r')
				g->pos++;
		} else {
			break;
		}
	}
}

/*
 * A decimal number at pos (after skipping space and, in the header,
 * comments). Returns 1 with *v (saturated at UINT32_MAX + 1), 0 at the
 * end of the input, -1 on any other character.
 */
static int number(struct pgm *g, int comments, uint64_t *v)
{
	skip_space(g, comments);
	if (g->pos >= g->n)
		return 0;
	if (g->p[g->pos] < '0' || g->p[g->pos] > '9')
		return -1;
	*v = 0;
	while (g->pos < g->n && g->p[g->pos] >= '0' && g->p[g->pos] <= '9') {
		*v = *v * 10 + (uint64_t)(g->p[g->pos] - '0');
		if (*v > (uint64_t)UINT32_MAX + 1)
			*v = (uint64_t)UINT32_MAX + 1;
		g->pos++;
	}
	/* A number ends at whitespace, a comment (header) or the end. */
	if (g->pos < g->n && !is_space(g->p[g->pos]) && !(comments && g->p[g->pos] == '#'))
		return -1;
	return 1;
}

static npu_status header_field(struct pgm *g, const char *what, uint64_t *v)
{
	int r = number(g, 1, v);

	if (r == 0)
		return npu_data_fail(g->msg, g->msglen, NPU_E_PARSE, g->name,
				     "PGM header ends before its %s", what);
	if (r < 0)
		return npu_data_fail(g->msg, g->msglen, NPU_E_PARSE, g->name,
				     "PGM header: bad character 0x%02x at byte %zu where the "
				     "%s should be", g->p[g->pos], g->pos, what);
	return NPU_OK;
}

npu_status npu_pgm_decode(const uint8_t *p, size_t n, const char *name, size_t limit,
			  struct npu_image *out, char *msg, size_t msglen)
{
	struct pgm g = { p, n, 2, name, msg, msglen };
	uint64_t w, h, maxval, v;
	size_t pixels, i;
	npu_status st;
	uint8_t *data;
	int ascii;

	if (n < 2 || p[0] != 'P' || (p[1] != '5' && p[1] != '2'))
		return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
				     "not a PGM image (P5 or P2 magic)");
	ascii = p[1] == '2';
	if ((st = header_field(&g, "width", &w)) || (st = header_field(&g, "height", &h)) ||
	    (st = header_field(&g, "maxval", &maxval)))
		return st;
	if (!w || !h)
		return npu_data_fail(msg, msglen, NPU_E_PARSE, name, "PGM %s is zero",
				     !w ? "width" : "height");
	if (w > NPU_IMAGE_MAX_SIDE || h > NPU_IMAGE_MAX_SIDE)
		return npu_data_fail(msg, msglen, NPU_E_OVERFLOW, name,
				     "PGM size %llux%llu is beyond the limit of %d pixels a side",
				     (unsigned long long)w, (unsigned long long)h,
				     NPU_IMAGE_MAX_SIDE);
	if (!maxval || maxval > 255)
		return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
				     "PGM maxval %llu: only 8-bit PGM (maxval 1..255) is read",
				     (unsigned long long)maxval);
	pixels = (size_t)w * (size_t)h;
	if (pixels > limit)
		return npu_data_fail(msg, msglen, NPU_E_OVERFLOW, name,
				     "%llux%llu image: %zu bytes, beyond the limit of %zu bytes",
				     (unsigned long long)w, (unsigned long long)h, pixels, limit);
	if (!ascii) {
		/* Exactly one whitespace byte, then the raster and nothing more. */
		if (g.pos >= n || !is_space(p[g.pos]))
			return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
					     "PGM header: no whitespace after maxval");
		g.pos++;
		if (n - g.pos < pixels)
			return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
					     "shorter than its header says: %zu of %zu pixel bytes",
					     n - g.pos, pixels);
		if (n - g.pos > pixels)
			return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
					     "longer than its header says: %zu bytes after the %zu "
					     "pixel bytes", n - g.pos - pixels, pixels);
		for (i = 0; i < pixels; i++)
			if (p[g.pos + i] > maxval)
				return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
						     "pixel %zu is %u, above maxval %llu", i,
						     p[g.pos + i], (unsigned long long)maxval);
	}
	if (!(data = malloc(pixels)))
		return npu_data_fail(msg, msglen, NPU_E_NOMEM, name, "out of memory (%zu bytes)",
				     pixels);
	for (i = 0; i < pixels; i++) {
		if (ascii) {
			int r = number(&g, 0, &v);

			if (r <= 0) {
				free(data);
				if (r == 0)
					return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
							     "shorter than its header says: %zu "
							     "of %zu samples", i, pixels);
				return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
						     "bad character 0x%02x at byte %zu in "
						     "sample %zu", p[g.pos], g.pos, i);
			}
			if (v > maxval) {
				free(data);
				return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
						     "pixel %zu is %llu, above maxval %llu", i,
						     (unsigned long long)v,
						     (unsigned long long)maxval);
			}
		} else {
			v = p[g.pos + i];
		}
		data[i] = (uint8_t)((v * 255 + maxval / 2) / maxval);
	}
	if (ascii) {
		skip_space(&g, 0);
		if (g.pos < n) {
			free(data);
			return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
					     "longer than its header says: %zu bytes after the "
					     "%zu samples", n - g.pos, pixels);
		}
	}
	out->width = (int)w;
	out->height = (int)h;
	out->channels = 1;
	out->data = data;
	out->format = "pgm";
	return NPU_OK;
}
