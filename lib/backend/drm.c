/* SPDX-License-Identifier: MIT */
/*
 * The drm backend (libdrm + npu.ko). Placeholder until the driver lands:
 * it reports the backend as not available, so `auto` moves on to the
 * simulator.
 */
#include <stdio.h>

#include "backend.h"

int npu_backend_drm_present(void)
{
	return 0;
}

npu_status npu_backend_drm_open(struct npu_backend **out, char *msg, size_t msglen)
{
	(void)out;
	snprintf(msg, msglen, "drm backend not available (no npu driver support built)");
	return NPU_E_NODEV;
}
