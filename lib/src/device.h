/* SPDX-License-Identifier: MIT */
/*
 * device.h - the library's device layer: opening a backend and running one
 * quantized convolution (or FC, as a 1x1 convolution) on it. The network
 * executor (net.c) calls only this; tiling, weight packing, descriptors and
 * backends live behind it.
 */
#ifndef NPU_DEVICE_H
#define NPU_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "npu_err.h"
#include "npu_hw_check.h"
#include "npu_ref.h"

enum npu_backend_kind {
	NPU_BACKEND_AUTO = 0,	/* drm if its render node exists, else sim, else cpu */
	NPU_BACKEND_DRM,
	NPU_BACKEND_SIM,
	NPU_BACKEND_CPU,
};

struct npu_device_opts {
	enum npu_backend_kind kind;
	unsigned dram_bytes_per_cycle;	/* sim only; 0 = default */
	unsigned dram_latency;		/* sim only; 0 = default */
	const char *trace_path;		/* sim only: FST waveform, or NULL */
	int threads;			/* cpu paths; <= 0 = all cores */
};

struct npu_device;

/*
 * Opens a backend. On failure returns an npu_status and writes the reason
 * into msg; on success msg says which backend was picked and why (auto).
 */
npu_status npu_device_open(const struct npu_device_opts *o, struct npu_device **out,
			   char *msg, size_t msglen);
void npu_device_close(struct npu_device *d);
/* A device over a backend built elsewhere (tests use mock backends). */
struct npu_backend;
npu_status npu_device_open_backend(struct npu_backend *be, struct npu_device **out);
const char *npu_device_backend(const struct npu_device *d);	/* "drm", "sim", "cpu" */
/* The device's capability registers; NPU_E_NODEV on the cpu backend. */
npu_status npu_device_caps(const struct npu_device *d, struct npu_caps *caps);

/*
 * Device memory as the device layer holds it (see lib/src/resid.h): plans'
 * weights and channel records stay resident while memory allows and are
 * evicted least recently used first; activation buffers exist only for a
 * run and are then cached for reuse. All zero on the cpu backend.
 */
struct npu_device_mem {
	uint64_t evictions;		/* plans' weights evicted to make room, so far */
	uint64_t resident_bytes;	/* weights and records resident now */
	uint64_t cached_bytes;		/* released activation buffers kept for reuse */
	int resident_plans, cached_buffers;
};
void npu_device_mem(const struct npu_device *d, struct npu_device_mem *m);
/* Frees the cached activation buffers (resident weights stay). */
void npu_device_trim(struct npu_device *d);

/* Figures for one run of one layer. */
struct npu_run_stats {
	int on_device;			/* 0: ran on the CPU (fallback or cpu backend) */
	uint64_t macs;			/* MACs of the layer (npu_conv_macs) */
	uint64_t cycles;		/* device cycles, doorbell to interrupt */
	uint64_t mac_active;		/* device counter NPU_CNT_MAC_ACTIVE */
	uint64_t rd_bytes, wr_bytes;	/* device memory traffic */
	uint64_t compulsory_bytes;	/* input + weights + params + output, once */
	uint64_t planned_bytes;		/* what the tiler planned to move */
	uint32_t descriptors;
	uint32_t jobs;
	double wall_seconds;
	uint64_t reload_bytes;		/* weights + records uploaded again (they had been evicted) */
	/*
	 * NULL, or why a plan of a device backend ran on the CPU this time:
	 * its buffers did not fit even with nothing else resident (with the
	 * sizes). Owned by the plan, valid until its next run.
	 */
	const char *fallback;
};

struct npu_conv_plan;

/*
 * Prepares a convolution for the device: checks it fits, tiles it, builds
 * its descriptors, packs and uploads weights and channel parameters (which
 * stay resident until evicted for another plan's room). w is OHWI, the
 * spec's pointers (bias, zero points, multipliers) are copied. Returns
 * NPU_E_UNSUPPORTED with the reason in why when the device cannot run this
 * layer (the caller then runs it on the CPU and reports why), including a
 * layer whose input, output, weights and records do not fit in device
 * memory even with nothing else resident ("needs X MiB of device memory
 * (input ..., output ..., weights ..., channel records ...) ...").
 * NPU_E_NOMEM: host memory.
 */
npu_status npu_conv_plan_create(struct npu_device *d, const struct npu_conv_spec *s,
				const void *w, struct npu_conv_plan **out,
				char *why, size_t whylen);
/*
 * Runs it: in is NHWC (in_type), out NHWC (out_type). Takes input and
 * output buffers for the run (evicting other plans' weights when memory
 * is short) and uploads its own weights again if they were evicted
 * (st->reload_bytes). When the buffers cannot be had even then, computes
 * the layer on the CPU: NPU_OK with st->on_device = 0 and st->fallback
 * saying why.
 */
npu_status npu_conv_plan_run(struct npu_conv_plan *p, const void *in, void *out,
			     struct npu_run_stats *st, char *msg, size_t msglen);
void npu_conv_plan_destroy(struct npu_conv_plan *p);

#endif /* NPU_DEVICE_H */
