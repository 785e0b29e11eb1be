/* SPDX-License-Identifier: MIT */
/*
 * Finding libnpusim.so (sim_path.h). The shared library looks beside itself
 * rather than at a path fixed at build time, so a tree staged under DESTDIR
 * (tests/install) or moved as a whole still loads the simulator it came with.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_path.h"

#ifndef NPU_SIM_LIB_DEFAULT
#define NPU_SIM_LIB_DEFAULT "libnpusim.so"
#endif

/* Any object of libnpu: dladdr() names the file it was loaded from. */
static const char anchor;

const char *npu_sim_lib_path(char *buf, size_t len)
{
	const char *env = getenv("NPU_SIM_LIB"), *base, *slash;
	Dl_info info;
	int n;

	if (env && *env)
		return env;
	/* In a static link dli_fname is the program: only the shared library counts. */
	if (dladdr(&anchor, &info) && info.dli_fname) {
		slash = strrchr(info.dli_fname, '/');
		base = slash ? slash + 1 : info.dli_fname;
		if (slash && !strncmp(base, "libnpu.so", 9)) {
			n = snprintf(buf, len, "%.*s/npu/libnpusim.so",
				     (int)(slash - info.dli_fname), info.dli_fname);
			if (n > 0 && (size_t)n < len && !access(buf, R_OK))
				return buf;
		}
	}
	return NPU_SIM_LIB_DEFAULT;
}
