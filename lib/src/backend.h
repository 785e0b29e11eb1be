/* SPDX-License-Identifier: MIT */
/*
 * backend.h - the narrow interface between the library and a device:
 * device buffers (allocate, map, free), job submission (descriptors plus
 * the buffers they use; the backend appends the completion fence), waiting
 * with a timeout, and the job's figures. Backends: the in-process simulator
 * (backend_sim.c, libnpusim.so loaded at run time) and the kernel driver
 * through libdrm (lib/backend/drm.c).
 */
#ifndef NPU_BACKEND_H
#define NPU_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "npu_err.h"
#include "npu_hw_check.h"

struct npu_backend;

/* A device buffer: its device address and a host mapping of it. */
struct npu_bo {
	uint64_t dev_addr;
	size_t size;
	void *map;
	uint32_t handle;	/* backend's own (GEM handle for drm) */
};

struct npu_job_result {
	uint32_t err_code;	/* NPU_ERR_*; 0 when the job completed */
	uint32_t err_info;
	uint32_t err_index;	/* descriptor index within the job */
	uint32_t err_tag;
	uint64_t cycles;	/* doorbell to interrupt, device cycles */
	uint64_t counter[NPU_NUM_COUNTERS];	/* what the job added to each counter */
};

struct npu_backend_ops {
	const char *name;
	void (*close)(struct npu_backend *b);
	/* the device's capability registers */
	npu_status (*caps)(struct npu_backend *b, struct npu_caps *c);
	/* zero-filled, mapped; NPU_E_NOMEM when device memory is exhausted */
	npu_status (*bo_alloc)(struct npu_backend *b, size_t size, struct npu_bo **out);
	void (*bo_free)(struct npu_backend *b, struct npu_bo *bo);
	/*
	 * Queues descriptors (every address inside the listed buffers) and a
	 * completion fence; *job names it for wait(). NPU_E_INVAL: a descriptor
	 * the backend or driver refuses.
	 */
	npu_status (*submit)(struct npu_backend *b, const union npu_desc *d, size_t n,
			     struct npu_bo *const *bos, size_t nbos, uint64_t *job);
	/* NPU_OK with res->err_code set when the device failed the job; NPU_E_TIMEOUT */
	npu_status (*wait)(struct npu_backend *b, uint64_t job, int64_t timeout_ns,
			   struct npu_job_result *res);
	/* descriptors one job may hold; cycles a job should stay below (0: no limit) */
	size_t max_job_descs;
	uint64_t max_job_cycles;
};

struct npu_backend {
	const struct npu_backend_ops *ops;
};

/* Constructors; msg receives the reason on failure. */
npu_status npu_backend_sim_open(const char *trace_path, unsigned dram_bw, unsigned dram_latency,
				struct npu_backend **out, char *msg, size_t msglen);
npu_status npu_backend_drm_open(struct npu_backend **out, char *msg, size_t msglen);
/* Nonzero when the drm backend's render node exists (for `auto`). */
int npu_backend_drm_present(void);

#endif /* NPU_BACKEND_H */
