/* SPDX-License-Identifier: MIT */
/*
 * npu_data.h - readers for the data a classifier is fed: IDX files (the
 * MNIST / Fashion-MNIST format, plain or gzip-compressed) and single
 * images (PGM and PNG), all decoded into host memory.
 *
 * Every reader has a path version and a from-memory version (the same
 * code: the path version reads the file and calls the other). Input is
 * untrusted: every size is checked before it is used, nothing is read
 * past a buffer, and a failure frees everything it allocated and leaves
 * the output zeroed.
 *
 * Errors are npu_status codes (npu_err.h) plus a sentence in the caller's
 * message buffer (msg, msglen; msg may be NULL), which starts with the
 * file name (or the `name` given to a from-memory reader):
 *   NPU_E_INVAL     a NULL argument
 *   NPU_E_IO        the file cannot be opened or read (the message has
 *                   strerror)
 *   NPU_E_PARSE     malformed content: wrong magic, unknown type, a zero
 *                   dimension, data shorter or longer than the header
 *                   says, a truncated or corrupt gzip stream, a corrupt
 *                   PNG (libpng's message), a bad PGM header or sample
 *   NPU_E_OVERFLOW  a size that overflows size_t or exceeds the limit
 *                   (max_bytes, or one of the NPU_*_MAX constants)
 *   NPU_E_NOMEM     an allocation failed
 *
 * Limits. max_bytes bounds the decoded data (IDX: the data after the
 * header; images: width * height * channels); 0 means
 * NPU_DATA_DEFAULT_MAX_BYTES. The path versions also refuse a file
 * larger than max_bytes + max_bytes / 64 + 64 KiB (header and gzip
 * overhead) before reading it.
 *
 * No global state; every function may be called from any thread.
 */
#ifndef NPU_DATA_H
#define NPU_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "npu_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 GiB: the Fashion-MNIST training images are 47 MB. */
#define NPU_DATA_DEFAULT_MAX_BYTES ((size_t)1 << 30)

/* ------------------------------------------------------------------ */
/* IDX files                                                           */
/* ------------------------------------------------------------------ */

/*
 * IDX: bytes 0 0 TYPE NDIMS, then NDIMS big-endian uint32 dimensions
 * (outermost first), then the product of the dimensions elements of
 * TYPE, big-endian, row-major, and nothing after them. A file whose
 * first two bytes are 0x1f 0x8b is a gzip stream (one or more members)
 * holding such a file; it is decompressed with zlib (inflate), its CRC
 * checked. Every dimension is >= 1; NDIMS is 1..NPU_IDX_MAX_DIMS.
 */
#define NPU_IDX_MAX_DIMS 16

/* The type byte's values. */
enum npu_idx_type {
	NPU_IDX_U8 = 0x08,	/* uint8_t */
	NPU_IDX_I8 = 0x09,	/* int8_t */
	NPU_IDX_I16 = 0x0B,	/* int16_t */
	NPU_IDX_I32 = 0x0C,	/* int32_t */
	NPU_IDX_F32 = 0x0D,	/* float (IEEE 754 binary32) */
	NPU_IDX_F64 = 0x0E,	/* double (IEEE 754 binary64) */
};

/*
 * A decoded IDX file. data holds count elements of `type` in host byte
 * order (converted from the file's big-endian), row-major over dims[0] x
 * dims[1] x ... x dims[ndims - 1]; count = the product of the dims and
 * bytes = count * elem_size. Free with npu_idx_free().
 */
struct npu_idx {
	enum npu_idx_type type;
	int ndims;			/* 1..NPU_IDX_MAX_DIMS */
	size_t dims[NPU_IDX_MAX_DIMS];	/* dims[i] >= 1 for i < ndims, 0 after */
	size_t count;			/* elements */
	size_t elem_size;		/* bytes of one element: 1, 2, 4 or 8 */
	size_t bytes;			/* count * elem_size */
	void *data;			/* malloc'ed; never NULL after a success */
	int gzipped;			/* 1 when the input was gzip-compressed */
};

/*
 * Reads an IDX file (plain or gzip, told apart by content) into *out.
 * Errors as above (the message says which check failed: "wrong magic",
 * "unknown type", "dimension N is zero", "shorter than its header says",
 * "longer than its header says", "truncated gzip stream", "corrupt gzip
 * stream", "beyond the limit"); *out is zeroed on failure.
 */
npu_status npu_idx_load(const char *path, size_t max_bytes, struct npu_idx *out,
			char *msg, size_t msglen);
/* The same from bytes in memory; name is used in messages (NULL: "<memory>"). */
npu_status npu_idx_load_mem(const void *data, size_t bytes, const char *name,
			    size_t max_bytes, struct npu_idx *out, char *msg, size_t msglen);
/* Frees the data and zeroes *idx. NULL, or a zeroed struct, is a no-op. */
void npu_idx_free(struct npu_idx *idx);
/* "u8", "i8", "i16", "i32", "f32", "f64", or "?" for another value. */
const char *npu_idx_type_name(enum npu_idx_type t);
/*
 * Element i (0 <= i < count) as a double (exact for every type but
 * NaN-preserving for floats). Returns 0 for a NULL idx or i out of range.
 */
double npu_idx_value(const struct npu_idx *idx, size_t i);

/* ------------------------------------------------------------------ */
/* Images                                                              */
/* ------------------------------------------------------------------ */

/* Largest width or height accepted (also libpng's user limit). */
#define NPU_IMAGE_MAX_SIDE 65535

/*
 * A decoded image: height rows of width pixels of `channels` bytes,
 * uint8, HWC (row-major, channels interleaved, no row padding): pixel
 * (y, x) channel c is data[(y * width + x) * channels + c]. channels is 1
 * (gray) or 3 (RGB). Free with npu_image_free().
 */
struct npu_image {
	int width, height;		/* 1..NPU_IMAGE_MAX_SIDE */
	int channels;			/* 1 or 3 */
	uint8_t *data;			/* malloc'ed, height * width * channels bytes */
	const char *format;		/* "pgm" or "png" (static string) */
};

/*
 * Reads a PGM or PNG image, told apart by content (not by name):
 *   PGM  "P5" (binary) or "P2" (ASCII) magic, width, height, maxval
 *        (1..255) as decimal numbers separated by whitespace, '#' comments
 *        in the header; P5: exactly one whitespace byte after maxval, then
 *        width * height bytes and nothing more; P2: width * height decimal
 *        samples, whitespace-separated, nothing but whitespace after them.
 *        Every sample must be <= maxval. Samples are scaled to 0..255 as
 *        (v * 255 + maxval / 2) / maxval in integers (identity for
 *        maxval 255). channels = 1.
 *   PNG  decoded by libpng (its errors, e.g. a bad CRC, reach the message
 *        through setjmp/longjmp): gray (1, 2, 4, 8 or 16 bits) and gray +
 *        alpha give channels = 1; RGB, RGBA and palette images give
 *        channels = 3. 16-bit samples are reduced to 8 bits with libpng's
 *        png_set_scale_16 (round(v * 255 / 65535)); alpha channels and
 *        tRNS transparency are dropped (not composited); gamma and colour
 *        profiles are ignored (samples are taken as stored); interlaced
 *        images are de-interlaced.
 * Any other content: NPU_E_PARSE ("not a PGM (P2/P5) or PNG image").
 * Errors as at the top of this file; *out is zeroed on failure.
 */
npu_status npu_image_load(const char *path, size_t max_bytes, struct npu_image *out,
			  char *msg, size_t msglen);
/* The same from bytes in memory; name is used in messages (NULL: "<memory>"). */
npu_status npu_image_load_mem(const void *data, size_t bytes, const char *name,
			      size_t max_bytes, struct npu_image *out, char *msg,
			      size_t msglen);
/* Frees the pixels and zeroes *img. NULL, or a zeroed struct, is a no-op. */
void npu_image_free(struct npu_image *img);

#ifdef __cplusplus
}
#endif

#endif /* NPU_DATA_H */
