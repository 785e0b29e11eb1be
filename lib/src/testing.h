/* SPDX-License-Identifier: MIT */
/*
 * testing.h - internal entry points for tests and tools (not installed):
 * a context over a device built elsewhere (a mock or memory-limited
 * backend through npu_device_open_backend()), and planning a net without
 * running it.
 */
#ifndef NPU_TESTING_H
#define NPU_TESTING_H

#include "device.h"
#include "npu.h"

/*
 * A context over `dev`, which it takes over (npu_ctx_close closes it, and
 * so its backend). flags as npu_ctx_opts.flags ($NPU_CHECK is not read).
 * NPU_E_INVAL for a NULL argument, NPU_E_NOMEM (dev is then closed).
 */
npu_status npu_ctx_open_device(struct npu_device *dev, unsigned flags, int threads,
			       npu_ctx **out);

/*
 * What npu_net_run does first, alone: plans every conv/FC layer (which
 * uploads their weights, evicting earlier ones when memory is short; a
 * layer that cannot fit even alone becomes a CPU fallback with the reason
 * in its report). Runs nothing. Errors as npu_net_run's planning.
 */
npu_status npu_net_prepare(npu_net *net);

#endif /* NPU_TESTING_H */
