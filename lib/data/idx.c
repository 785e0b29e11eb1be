/* SPDX-License-Identifier: MIT */
/*
 * IDX files (npu_data.h), plain or gzip-compressed. Both go through one
 * byte source: plain bytes are copied, gzip members are inflated by zlib
 * as the parser asks for bytes, so a gzip file's data is never allocated
 * before it has been decompressed (a small corrupt file cannot make the
 * reader allocate what its header claims).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "data_internal.h"

/* First allocation for gzip data; it doubles up to the header's size. */
#define GZ_FIRST_ALLOC ((size_t)1 << 20)

struct src {
	const uint8_t *p;
	size_t n, pos;		/* input bytes; pos: the next one not yet handed out / fed */
	int gz;			/* gzip: p is compressed */
	int zopen;		/* inflateInit2 done */
	int end;		/* gzip: the last member ended */
	z_stream z;
	const char *name;
	char *msg;
	size_t msglen;
};

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Input bytes not yet consumed (gzip: those zlib holds plus those not fed yet). */
static size_t src_left(const struct src *s)
{
	return (s->gz ? s->z.avail_in : 0) + (s->n - s->pos);
}

/*
 * Reads up to len bytes into buf; *got < len only at the end of the data.
 * gzip: a member's end must be followed by another member or by nothing.
 */
static npu_status src_read(struct src *s, uint8_t *buf, size_t len, size_t *got)
{
	*got = 0;
	if (!s->gz) {
		*got = min_size(len, s->n - s->pos);
		memcpy(buf, s->p + s->pos, *got);
		s->pos += *got;
		return NPU_OK;
	}
	while (*got < len && !s->end) {
		uInt before;
		int r;

		if (!s->z.avail_in && s->pos < s->n) {
			s->z.next_in = (Bytef *)(uintptr_t)(s->p + s->pos);
			s->z.avail_in = (uInt)min_size(s->n - s->pos, UINT_MAX);
			s->pos += s->z.avail_in;
		}
		s->z.next_out = buf + *got;
		s->z.avail_out = before = (uInt)min_size(len - *got, UINT_MAX);
		r = inflate(&s->z, Z_NO_FLUSH);
		*got += before - s->z.avail_out;
		switch (r) {
		case Z_OK:
			break;
		case Z_STREAM_END:
			if (!src_left(s)) {
				s->end = 1;
				break;
			}
			if (!s->z.avail_in) {	/* the next member starts at pos */
				s->z.next_in = (Bytef *)(uintptr_t)(s->p + s->pos);
				s->z.avail_in = (uInt)min_size(s->n - s->pos, UINT_MAX);
				s->pos += s->z.avail_in;
			}
			if (s->z.avail_in >= 2 && s->z.next_in[0] == 0x1f &&
			    s->z.next_in[1] == 0x8b) {
				if (inflateReset(&s->z) != Z_OK)
					return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE,
							     s->name, "gzip reset failed");
				break;
			}
			return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
					     "%zu bytes after the end of the gzip stream are not "
					     "another gzip member", src_left(s));
		case Z_BUF_ERROR:
			if (!src_left(s))
				return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
						     "truncated gzip stream (it ends before its "
						     "end marker and checksum)");
			return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
					     "corrupt gzip stream (no progress)");
		case Z_MEM_ERROR:
			return npu_data_fail(s->msg, s->msglen, NPU_E_NOMEM, s->name,
					     "out of memory in zlib");
		case Z_DATA_ERROR:
		default:
			return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
					     "corrupt gzip stream: %s",
					     s->z.msg ? s->z.msg : "zlib error");
		}
	}
	return NPU_OK;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t type_size(int t)
{
	switch (t) {
	case NPU_IDX_U8:
	case NPU_IDX_I8:
		return 1;
	case NPU_IDX_I16:
		return 2;
	case NPU_IDX_I32:
	case NPU_IDX_F32:
		return 4;
	case NPU_IDX_F64:
		return 8;
	default:
		return 0;
	}
}

const char *npu_idx_type_name(enum npu_idx_type t)
{
	switch (t) {
	case NPU_IDX_U8:
		return "u8";
	case NPU_IDX_I8:
		return "i8";
	case NPU_IDX_I16:
		return "i16";
	case NPU_IDX_I32:
		return "i32";
	case NPU_IDX_F32:
		return "f32";
	case NPU_IDX_F64:
		return "f64";
	}
	return "?";
}

/* Big-endian elements to host order, in place. */
static void to_host(uint8_t *p, size_t count, size_t es)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	(void)p;
	(void)count;
	(void)es;
#else
	size_t i, j;

	if (es == 1)
		return;
	for (i = 0; i < count; i++, p += es)
		for (j = 0; j < es / 2; j++) {
			uint8_t t = p[j];

			p[j] = p[es - 1 - j];
			p[es - 1 - j] = t;
		}
#endif
}

/* Counts what follows the data (up to just over limit) for the message. */
static npu_status count_rest(struct src *s, size_t limit, size_t *extra, int *more)
{
	uint8_t scratch[16384];
	npu_status st;
	size_t got;

	*extra = 0;
	*more = 0;
	if (!s->gz) {
		*extra = s->n - s->pos;
		return NPU_OK;
	}
	do {
		if ((st = src_read(s, scratch, sizeof(scratch), &got)) != NPU_OK)
			return st;
		*extra += got;
		if (*extra > limit) {
			*extra = limit;
			*more = 1;
			break;
		}
	} while (got == sizeof(scratch));
	return NPU_OK;
}

/* Reads the data after the header into a fresh buffer of exactly `bytes`. */
static npu_status read_data(struct src *s, size_t bytes, uint8_t **out)
{
	size_t have = 0, alloc, got;
	uint8_t *p = NULL, *q;
	npu_status st;

	*out = NULL;
	/* Plain input: the length is known, so a short file allocates nothing. */
	if (!s->gz && s->n - s->pos < bytes)
		return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
				     "shorter than its header says: %zu of %zu data bytes",
				     s->n - s->pos, bytes);
	alloc = s->gz ? min_size(bytes, GZ_FIRST_ALLOC) : bytes;
	for (;;) {
		if (!(q = realloc(p, alloc))) {
			free(p);
			return npu_data_fail(s->msg, s->msglen, NPU_E_NOMEM, s->name,
					     "out of memory (%zu bytes)", alloc);
		}
		p = q;
		if ((st = src_read(s, p + have, alloc - have, &got)) != NPU_OK) {
			free(p);
			return st;
		}
		have += got;
		if (have < alloc) {
			free(p);
			return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
					     "shorter than its header says: %zu of %zu data "
					     "bytes%s", have, bytes,
					     s->gz ? " after decompression" : "");
		}
		if (have == bytes)
			break;
		alloc = alloc > bytes / 2 ? bytes : alloc * 2;
	}
	*out = p;
	return NPU_OK;
}

static npu_status parse(struct src *s, size_t limit, struct npu_idx *out)
{
	uint8_t hdr[4 + 4 * NPU_IDX_MAX_DIMS];
	size_t got, count = 1, bytes, extra;
	npu_status st;
	uint8_t *data;
	int i, more;

	if ((st = src_read(s, hdr, 4, &got)) != NPU_OK)
		return st;
	if (got < 4)
		return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
				     "%zu bytes: too short for an IDX header", got);
	if (hdr[0] || hdr[1])
		return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
				     "wrong magic %02x %02x %02x %02x: an IDX file starts "
				     "with 00 00 TYPE NDIMS (or is gzip: 1f 8b)",
				     hdr[0], hdr[1], hdr[2], hdr[3]);
	if (!type_size(hdr[2]))
		return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
				     "unknown type 0x%02x (u8 08, i8 09, i16 0b, i32 0c, "
				     "f32 0d, f64 0e)", hdr[2]);
	if (!hdr[3])
		return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
				     "no dimensions (NDIMS is 0)");
	if (hdr[3] > NPU_IDX_MAX_DIMS)
		return npu_data_fail(s->msg, s->msglen, NPU_E_OVERFLOW, s->name,
				     "%d dimensions, beyond the limit of %d", hdr[3],
				     NPU_IDX_MAX_DIMS);
	out->type = (enum npu_idx_type)hdr[2];
	out->ndims = hdr[3];
	out->elem_size = type_size(hdr[2]);
	if ((st = src_read(s, hdr + 4, 4 * (size_t)out->ndims, &got)) != NPU_OK)
		return st;
	if (got < 4 * (size_t)out->ndims)
		return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
				     "shorter than its header says: the file ends inside "
				     "the dimensions (%zu of %d bytes)", got, 4 * out->ndims);
	for (i = 0; i < out->ndims; i++) {
		out->dims[i] = be32(hdr + 4 + 4 * i);
		if (!out->dims[i])
			return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
					     "dimension %d is zero", i);
		if (__builtin_mul_overflow(count, out->dims[i], &count))
			return npu_data_fail(s->msg, s->msglen, NPU_E_OVERFLOW, s->name,
					     "the dimensions' product overflows size_t");
	}
	if (__builtin_mul_overflow(count, out->elem_size, &bytes))
		return npu_data_fail(s->msg, s->msglen, NPU_E_OVERFLOW, s->name,
				     "the data size overflows size_t");
	if (bytes > limit)
		return npu_data_fail(s->msg, s->msglen, NPU_E_OVERFLOW, s->name,
				     "%zu data bytes, beyond the limit of %zu bytes", bytes,
				     limit);
	if ((st = read_data(s, bytes, &data)) != NPU_OK)
		return st;
	if ((st = count_rest(s, limit, &extra, &more)) != NPU_OK) {
		free(data);
		return st;
	}
	if (extra) {
		free(data);
		return npu_data_fail(s->msg, s->msglen, NPU_E_PARSE, s->name,
				     "longer than its header says: %s%zu bytes after the %zu "
				     "data bytes", more ? "more than " : "", extra, bytes);
	}
	to_host(data, count, out->elem_size);
	out->count = count;
	out->bytes = bytes;
	out->data = data;
	return NPU_OK;
}

npu_status npu_idx_load_mem(const void *data, size_t bytes, const char *name,
			    size_t max_bytes, struct npu_idx *out, char *msg, size_t msglen)
{
	struct src s = { 0 };
	npu_status st;

	if (msg && msglen)
		msg[0] = '\0';
	if (!name)
		name = NPU_DATA_MEM_NAME;
	if (!out)
		return npu_data_fail(msg, msglen, NPU_E_INVAL, name, "NULL output");
	memset(out, 0, sizeof(*out));
	if (!data && bytes)
		return npu_data_fail(msg, msglen, NPU_E_INVAL, name, "NULL data");
	s.p = data;
	s.n = bytes;
	s.name = name;
	s.msg = msg;
	s.msglen = msglen;
	if (bytes >= 2 && s.p[0] == 0x1f && s.p[1] == 0x8b) {
		s.gz = 1;
		/* 16 + MAX_WBITS: a gzip wrapper, its CRC-32 and length checked. */
		switch (inflateInit2(&s.z, 16 + MAX_WBITS)) {
		case Z_OK:
			s.zopen = 1;
			break;
		case Z_MEM_ERROR:
			return npu_data_fail(msg, msglen, NPU_E_NOMEM, name,
					     "out of memory in zlib");
		default:
			return npu_data_fail(msg, msglen, NPU_E_PARSE, name,
					     "zlib cannot be initialised");
		}
	}
	st = parse(&s, npu_data_limit(max_bytes), out);
	if (s.zopen)
		inflateEnd(&s.z);
	if (st != NPU_OK) {
		memset(out, 0, sizeof(*out));
		return st;
	}
	out->gzipped = s.gz;
	return NPU_OK;
}

npu_status npu_idx_load(const char *path, size_t max_bytes, struct npu_idx *out, char *msg,
			size_t msglen)
{
	uint8_t *buf;
	size_t n;
	npu_status st;

	if (msg && msglen)
		msg[0] = '\0';
	if (out)
		memset(out, 0, sizeof(*out));
	if (!path || !out)
		return npu_data_fail(msg, msglen, NPU_E_INVAL, path, "NULL %s",
				     path ? "output" : "path");
	if ((st = npu_data_read_file(path, max_bytes, &buf, &n, msg, msglen)) != NPU_OK)
		return st;
	st = npu_idx_load_mem(buf, n, path, max_bytes, out, msg, msglen);
	free(buf);
	return st;
}

void npu_idx_free(struct npu_idx *idx)
{
	if (!idx)
		return;
	free(idx->data);
	memset(idx, 0, sizeof(*idx));
}

double npu_idx_value(const struct npu_idx *idx, size_t i)
{
	const uint8_t *p;

	if (!idx || !idx->data || i >= idx->count)
		return 0.0;
	p = (const uint8_t *)idx->data + i * idx->elem_size;
	switch (idx->type) {
	case NPU_IDX_U8:
		return *p;
	case NPU_IDX_I8:
		return (int8_t)*p;
	case NPU_IDX_I16: {
		int16_t v;

		memcpy(&v, p, 2);
		return v;
	}
	case NPU_IDX_I32: {
		int32_t v;

		memcpy(&v, p, 4);
		return v;
	}
	case NPU_IDX_F32: {
		float v;

		memcpy(&v, p, 4);
		return v;
	}
	case NPU_IDX_F64: {
		double v;

		memcpy(&v, p, 8);
		return v;
	}
	}
	return 0.0;
}
