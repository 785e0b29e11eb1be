/* SPDX-License-Identifier: MIT */
/*
 * npu_sim.h - C API of the cycle-accurate simulator of hw/ (Verilator).
 *
 * The simulator is the RTL plus a model of device memory: a flat buffer
 * (owned by the simulator or supplied by the caller, e.g. a shared-memory
 * mapping), with a DRAM model of bandwidth (bytes per cycle, shared by
 * reads and writes) and read latency (cycles from request to first beat).
 * Nothing here knows who rings the doorbell: a library, a test or the
 * virtual-platform server all drive the device through its registers.
 *
 * A memory access by the device outside device memory is a simulator
 * error: it is not performed, it is counted (npu_sim_faults()) and printed
 * to stderr. Tests fail when the count is not zero.
 *
 * Not thread-safe: one thread per npu_sim at a time. Several instances
 * may coexist.
 */
#ifndef NPU_SIM_H
#define NPU_SIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct npu_sim;

/* The DRAM model when npu_sim_config leaves it 0 (reports quote these). */
#define NPU_SIM_DEFAULT_DRAM_BYTES_PER_CYCLE 16
#define NPU_SIM_DEFAULT_DRAM_LATENCY 100

struct npu_sim_config {
	uint64_t mem_size;		/* bytes, power of two; 0 = 256 MiB */
	void *mem;			/* mem_size bytes supplied by the caller, or NULL */
	unsigned dram_bytes_per_cycle;	/* 1..64; 0 = the default (16) */
	unsigned dram_latency;		/* read latency in cycles; 0 = the default (100) */
	const char *trace_path;		/* FST waveform file, or NULL */
};

/* What a device memory access was for (the RTL's memory-port sideband). */
enum npu_sim_kind {
	NPU_SIM_KIND_RING = 0,		/* descriptor fetch */
	NPU_SIM_KIND_INPUT = 1,
	NPU_SIM_KIND_WEIGHTS = 2,
	NPU_SIM_KIND_PARAMS = 3,
	NPU_SIM_KIND_OUTPUT = 4,
	NPU_SIM_KIND_STATS = 5,		/* fence counter snapshot */
};

struct npu_sim_access {
	uint64_t addr;
	uint32_t len;
	uint8_t write;
	uint8_t kind;			/* enum npu_sim_kind */
	uint16_t ring_index;		/* descriptor the access belongs to */
};

/* Called for every request the device issues (before it is performed). */
typedef void (*npu_sim_access_fn)(void *ctx, const struct npu_sim_access *a);

enum npu_sim_stop {
	NPU_SIM_STOP_IRQ = 1,		/* the interrupt line is asserted */
	NPU_SIM_STOP_IDLE = 2,		/* nothing to do and no memory traffic */
	NPU_SIM_STOP_LIMIT = 3,		/* max_cycles ran out */
};

/* Returns 0 or a negative errno (-EINVAL: bad config, -ENOMEM). */
int npu_sim_create(const struct npu_sim_config *cfg, struct npu_sim **out);
void npu_sim_destroy(struct npu_sim *sim);

void *npu_sim_mem(struct npu_sim *sim);
uint64_t npu_sim_mem_size(const struct npu_sim *sim);
/* Host-side copies; -EINVAL when the range is outside device memory. */
int npu_sim_mem_write(struct npu_sim *sim, uint64_t addr, const void *src, size_t len);
int npu_sim_mem_read(struct npu_sim *sim, uint64_t addr, void *dst, size_t len);

uint32_t npu_sim_reg_read(struct npu_sim *sim, uint32_t off);
/* A register write takes one clock cycle. */
void npu_sim_reg_write(struct npu_sim *sim, uint32_t off, uint32_t val);

/*
 * Runs until the interrupt line is asserted, the device is idle, or
 * max_cycles have passed (whichever comes first; the check happens every
 * cycle, so an already-asserted interrupt returns after 0 cycles).
 * *ran receives the cycles simulated (may be NULL).
 */
enum npu_sim_stop npu_sim_run(struct npu_sim *sim, uint64_t max_cycles, uint64_t *ran);
/* Runs exactly n cycles. */
void npu_sim_step(struct npu_sim *sim, uint64_t n);

int npu_sim_irq(struct npu_sim *sim);
uint64_t npu_sim_cycles(const struct npu_sim *sim);
/* Accesses outside device memory so far (must stay 0). */
uint64_t npu_sim_faults(const struct npu_sim *sim);
/* Reads a 64-bit device counter (enum npu_counter) consistently. */
uint64_t npu_sim_counter(struct npu_sim *sim, unsigned idx);

void npu_sim_set_access_hook(struct npu_sim *sim, npu_sim_access_fn fn, void *ctx);

/* Test hooks: make the device raise NPU_ERR_INTERNAL on its next descriptor. */
void npu_sim_inject_error(struct npu_sim *sim);

#ifdef __cplusplus
}
#endif

#endif /* NPU_SIM_H */
