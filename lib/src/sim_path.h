/* SPDX-License-Identifier: MIT */
/*
 * sim_path.h - where the sim backend finds the simulator (libnpusim.so).
 */
#ifndef NPU_SIM_PATH_H
#define NPU_SIM_PATH_H

#include <stddef.h>

/*
 * The path to dlopen(), in this order:
 *  1. $NPU_SIM_LIB when set and not empty;
 *  2. when this code runs inside the shared libnpu (libnpu.so.*): npu/libnpusim.so
 *     in the directory the library was loaded from, if that file exists, so an
 *     installed tree (LIBDIR/npu/, `make install`, the Debian package) or one
 *     staged under a DESTDIR loads its own simulator;
 *  3. NPU_SIM_LIB_DEFAULT, compiled in (lib/src/src.mk): the simulator this
 *     tree built for build/libnpu.a, LIBDIR/npu/libnpusim.so for the libraries
 *     `make install` installs (mk/install.mk).
 * buf (len bytes) holds the path of case 2; the result is never NULL.
 */
const char *npu_sim_lib_path(char *buf, size_t len);

#endif /* NPU_SIM_PATH_H */
