/* SPDX-License-Identifier: MIT */
/*
 * PNG images through libpng (npu_data.h). libpng reports errors by
 * calling our error function, which records the message and longjmps
 * back to decode(); everything allocated is reachable from there (the
 * volatile pointers) and freed.
 */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

struct png_ctx {
	const uint8_t *p;
	size_t n, pos;
	const char *name;
	char *msg;
	size_t msglen;
	int truncated;		/* the read function ran out of input */
	char warning[96];	/* libpng's last warning: the detail of an error that follows */
	int oom;		/* an allocation failed */
};

static void read_fn(png_structp png, png_bytep out, size_t len)
{
	struct png_ctx *c = png_get_io_ptr(png);

	if (len > c->n - c->pos) {
		c->truncated = 1;
		png_error(png, "truncated");
	}
	memcpy(out, c->p + c->pos, len);
	c->pos += len;
}

static void error_fn(png_structp png, png_const_charp m)
{
	struct png_ctx *c = png_get_error_ptr(png);

	if (c->oom)
		npu_data_fail(c->msg, c->msglen, NPU_E_NOMEM, c->name,
			      "out of memory decoding the PNG");
	else if (c->truncated)
		npu_data_fail(c->msg, c->msglen, NPU_E_PARSE, c->name,
			      "truncated PNG (the file ends after %zu bytes)", c->n);
	else
		npu_data_fail(c->msg, c->msglen, NPU_E_PARSE, c->name, "corrupt PNG: %s%s%s%s", m,
			      c->warning[0] ? " (" : "", c->warning, c->warning[0] ? ")" : "");
	png_longjmp(png, 1);
}

/* Warnings are kept: libpng says e.g. "Image width is zero" before "Invalid IHDR data". */
static void warn_fn(png_structp png, png_const_charp m)
{
	struct png_ctx *c = png_get_error_ptr(png);

	snprintf(c->warning, sizeof(c->warning), "%s", m);
}

static png_voidp malloc_fn(png_structp png, png_alloc_size_t size)
{
	struct png_ctx *c = png_get_mem_ptr(png);
	void *p = malloc(size);

	if (!p && c)
		c->oom = 1;
	return p;
}

static void free_fn(png_structp png, png_voidp p)
{
	(void)png;
	free(p);
}

/* Ancillary chunks that cannot change the samples we return: never parsed. */
static const png_byte ignored_chunks[] =
	"bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0"
	"tEXt\0tIME\0tRNS\0zTXt";

/*
 * Buffers the decoder allocates. The object is volatile: it changes
 * between setjmp and a longjmp, and the handler frees what it holds.
 */
struct png_bufs {
	uint8_t *data;
	png_bytep *rows;
};

/* Everything after setjmp: libpng errors longjmp out of here. */
static npu_status decode(png_structp png, png_infop info, struct png_ctx *c, size_t limit,
			 volatile struct png_bufs *b, struct npu_image *out)
{
	png_uint_32 w, h, y;
	int depth, color, ch;
	size_t bytes;
	png_bytep *rows;

	png_set_read_fn(png, c, read_fn);
	png_set_user_limits(png, NPU_IMAGE_MAX_SIDE, NPU_IMAGE_MAX_SIDE);
#ifdef PNG_HANDLE_AS_UNKNOWN_SUPPORTED
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, ignored_chunks,
				    (int)(sizeof(ignored_chunks) / 5));
#endif
	png_read_info(png, info);
	png_get_IHDR(png, info, &w, &h, &depth, &color, NULL, NULL, NULL);
	ch = (color & PNG_COLOR_MASK_COLOR) ? 3 : 1;	/* palette included */
	bytes = (size_t)w * h * (size_t)ch;
	if ((size_t)w * h > limit / (size_t)ch)
		return npu_data_fail(c->msg, c->msglen, NPU_E_OVERFLOW, c->name,
				     "%lux%lu PNG: %zu bytes, beyond the limit of %zu bytes",
				     (unsigned long)w, (unsigned long)h, bytes, limit);
	if (color == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (depth == 16)
		png_set_scale_16(png);
	png_set_strip_alpha(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	if (png_get_bit_depth(png, info) != 8 || png_get_channels(png, info) != ch ||
	    png_get_rowbytes(png, info) != (size_t)w * (size_t)ch)
		return npu_data_fail(c->msg, c->msglen, NPU_E_PARSE, c->name,
				     "PNG of color type %d, depth %d: unexpected format after "
				     "conversion (%d channels of %d bits)", color, depth,
				     png_get_channels(png, info), png_get_bit_depth(png, info));
	b->data = malloc(bytes);
	b->rows = malloc((size_t)h * sizeof(*b->rows));
	if (!b->data || !b->rows)
		return npu_data_fail(c->msg, c->msglen, NPU_E_NOMEM, c->name,
				     "out of memory (%zu bytes)", bytes);
	rows = b->rows;
	for (y = 0; y < h; y++)
		rows[y] = b->data + (size_t)y * w * (size_t)ch;
	png_read_image(png, rows);
	png_read_end(png, NULL);
	out->width = (int)w;
	out->height = (int)h;
	out->channels = ch;
	out->format = "png";
	return NPU_OK;
}

npu_status npu_png_decode(const uint8_t *p, size_t n, const char *name, size_t limit,
			  struct npu_image *out, char *msg, size_t msglen)
{
	struct png_ctx c = { .p = p, .n = n, .name = name, .msg = msg, .msglen = msglen };
	volatile struct png_bufs b = { NULL, NULL };
	png_structp png;
	png_infop info;
	npu_status st;

	png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &c, error_fn, warn_fn, &c,
				       malloc_fn, free_fn);
	if (!png)
		return npu_data_fail(msg, msglen, NPU_E_NOMEM, name, "libpng cannot start");
	info = png_create_info_struct(png);
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		return npu_data_fail(msg, msglen, NPU_E_NOMEM, name, "libpng cannot start");
	}
	if (setjmp(png_jmpbuf(png))) {
		/* error_fn wrote the message. */
		free(b.data);
		free(b.rows);
		png_destroy_read_struct(&png, &info, NULL);
		memset(out, 0, sizeof(*out));
		return c.oom ? NPU_E_NOMEM : NPU_E_PARSE;
	}
	st = decode(png, info, &c, limit, &b, out);
	free(b.rows);
	if (st == NPU_OK)
		out->data = b.data;
	else
		free(b.data);
	png_destroy_read_struct(&png, &info, NULL);
	return st;
}
