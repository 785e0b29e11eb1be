/* SPDX-License-Identifier: MIT */
/* Shared by the data readers (npu_data.h): messages, limits, whole-file reads. */
#ifndef NPU_DATA_INTERNAL_H
#define NPU_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "npu_data.h"

/* The name used in messages of the from-memory readers given NULL. */
#define NPU_DATA_MEM_NAME "<memory>"

/*
 * Writes "name: <formatted text>" to msg (when msg and msglen are set)
 * and returns st.
 */
npu_status npu_data_fail(char *msg, size_t msglen, npu_status st, const char *name,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* max_bytes, or the default when it is 0. */
size_t npu_data_limit(size_t max_bytes);

/*
 * Reads a whole file into a malloc'ed buffer (*buf, *n; *buf is not NULL
 * on success, even for an empty file). Files larger than
 * limit + limit / 64 + 64 KiB are refused (NPU_E_OVERFLOW) before
 * anything is read. NPU_E_IO (with strerror), NPU_E_NOMEM.
 */
npu_status npu_data_read_file(const char *path, size_t max_bytes, uint8_t **buf, size_t *n,
			      char *msg, size_t msglen);

/* The image decoders behind npu_image_load_mem(); out is zeroed on entry. */
npu_status npu_pgm_decode(const uint8_t *p, size_t n, const char *name, size_t limit,
			  struct npu_image *out, char *msg, size_t msglen);
npu_status npu_png_decode(const uint8_t *p, size_t n, const char *name, size_t limit,
			  struct npu_image *out, char *msg, size_t msglen);

#endif /* NPU_DATA_INTERNAL_H */
