/* SPDX-License-Identifier: MIT */
/* Layout conversions: a transpose of the channel axis, element by element. */
#include <string.h>

#include "layout.h"

void npu_nchw_to_nhwc(const void *src, void *dst, size_t n, size_t c, size_t hw,
		      size_t size)
{
	const char *s = src;
	char *d = dst;
	size_t b, ch, p;

	for (b = 0; b < n; b++)
		for (ch = 0; ch < c; ch++)
			for (p = 0; p < hw; p++)
				memcpy(d + ((b * hw + p) * c + ch) * size,
				       s + ((b * c + ch) * hw + p) * size, size);
}

void npu_nhwc_to_nchw(const void *src, void *dst, size_t n, size_t c, size_t hw,
		      size_t size)
{
	const char *s = src;
	char *d = dst;
	size_t b, ch, p;

	for (b = 0; b < n; b++)
		for (ch = 0; ch < c; ch++)
			for (p = 0; p < hw; p++)
				memcpy(d + ((b * c + ch) * hw + p) * size,
				       s + ((b * hw + p) * c + ch) * size, size);
}
