/* SPDX-License-Identifier: MIT */
/*
 * C API of the RTL unit models (the tests/rtl shims): one Verilated block
 * each, driven cycle by cycle, so the tests stay in C.
 */
#ifndef NPU_RTL_UNITS_H
#define NPU_RTL_UNITS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* npu_requant: one lane of bias + requantization + clamp. */
struct rq_in {
	int32_t acc, bias;
	uint8_t mode;		/* enum npu_rq_mode */
	uint32_t scale;
	int8_t shift;
	int16_t out_zp, act_min, act_max;
};
struct rq_model;
struct rq_model *rq_open(void);
void rq_close(struct rq_model *m);
/* Streams n inputs through the pipeline (one per cycle, with random stalls). */
void rq_run(struct rq_model *m, size_t n, const struct rq_in *in, int32_t *out, uint32_t seed);

/* npu_mac_array (16 x 16): per cycle an activation vector, optionally a new weight block. */
struct mac_model;
struct mac_model *mac_open(void);
void mac_close(struct mac_model *m);
/* act: 16 bytes, keep: 16 flags, w: 256 bytes [k*16 + c], wzp: 16 values. Returns 16 sums. */
void mac_run(struct mac_model *m, size_t n, const uint8_t *act, const uint8_t *keep,
	     int act_signed, int act_zp, const uint8_t *const *w, const int *load_w,
	     int w_signed, const int16_t *wzp, int32_t *psum);

/* npu_dma_rd: one clock cycle with these inputs; outputs as sampled before the edge. */
struct dma_io {
	/* inputs */
	uint8_t c_valid[2];
	uint32_t c_addr[2];
	uint16_t c_len[2];
	uint8_t c_kind[2];
	uint16_t c_idx[2];
	uint32_t c_tag[2];
	uint8_t rd_req_ready, rd_valid, drop, hold, mem_log2;
	uint8_t rd_data[64];
	/* outputs */
	uint8_t c_ready[2];
	uint8_t rd_req_valid;
	uint32_t rd_req_addr;
	uint16_t rd_req_len;
	uint8_t rd_req_kind;
	uint16_t rd_req_idx;
	uint8_t beat_valid, beat_client;
	uint32_t beat_tag;
	uint16_t beat_len;
	uint8_t beat_num;
	uint8_t beat_data[64];
	uint8_t empty, fault;
	uint16_t fault_idx;
};
struct dma_model;
struct dma_model *dma_open(void);
void dma_close(struct dma_model *m);
void dma_cycle(struct dma_model *m, struct dma_io *io);

#ifdef __cplusplus
}
#endif

#endif
