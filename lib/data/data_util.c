/* SPDX-License-Identifier: MIT */
/* The data readers' shared helpers: messages, limits, whole-file reads. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data_internal.h"

npu_status npu_data_fail(char *msg, size_t msglen, npu_status st, const char *name,
			 const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!msg || !msglen)
		return st;
	k = snprintf(msg, msglen, "%s: ", name ? name : NPU_DATA_MEM_NAME);
	if (k < 0 || (size_t)k >= msglen)
		return st;
	va_start(ap, fmt);
	vsnprintf(msg + k, msglen - (size_t)k, fmt, ap);
	va_end(ap);
	return st;
}

size_t npu_data_limit(size_t max_bytes)
{
	return max_bytes ? max_bytes : NPU_DATA_DEFAULT_MAX_BYTES;
}

/* The largest file the path readers read: the data limit plus header and gzip overhead. */
static size_t file_limit(size_t limit)
{
	size_t extra = limit / 64 + 65536;

	return limit > SIZE_MAX - extra ? SIZE_MAX : limit + extra;
}

npu_status npu_data_read_file(const char *path, size_t max_bytes, uint8_t **buf, size_t *n,
			      char *msg, size_t msglen)
{
	size_t cap = file_limit(npu_data_limit(max_bytes)), len = 0, alloc = 0, size;
	uint8_t *p = NULL, *q;
	struct stat sb;
	npu_status st;
	int fd;

	*buf = NULL;
	*n = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return npu_data_fail(msg, msglen, NPU_E_IO, path, "cannot open: %s",
				     strerror(errno));
	if (fstat(fd, &sb)) {
		st = npu_data_fail(msg, msglen, NPU_E_IO, path, "cannot stat: %s",
				   strerror(errno));
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		st = npu_data_fail(msg, msglen, NPU_E_IO, path, "is a directory");
		goto out;
	}
	if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > (uint64_t)cap) {
		st = npu_data_fail(msg, msglen, NPU_E_OVERFLOW, path,
				   "file of %llu bytes is beyond the limit of %zu bytes",
				   (unsigned long long)sb.st_size, cap);
		goto out;
	}
	/* Regular files: their size (+1 to see the end); pipes: grown as they come. */
	size = S_ISREG(sb.st_mode) ? (size_t)sb.st_size + 1 : 65536;
	if (size > cap + 1)
		size = cap + 1;
	for (;;) {
		ssize_t r;

		if (len == alloc) {
			/* len <= cap here, so alloc <= cap and the buffer grows. */
			size_t want = !alloc ? size : alloc > (cap + 1) / 2 ? cap + 1 : alloc * 2;

			if (!(q = realloc(p, want))) {
				st = npu_data_fail(msg, msglen, NPU_E_NOMEM, path,
						   "out of memory (%zu bytes)", want);
				goto out;
			}
			p = q;
			alloc = want;
		}
		r = read(fd, p + len, alloc - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = npu_data_fail(msg, msglen, NPU_E_IO, path, "read error: %s",
					   strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > cap) {
			st = npu_data_fail(msg, msglen, NPU_E_OVERFLOW, path,
					   "file is beyond the limit of %zu bytes", cap);
			goto out;
		}
	}
	*buf = p;
	*n = len;
	close(fd);
	return NPU_OK;
out:
	free(p);
	close(fd);
	return st;
}
