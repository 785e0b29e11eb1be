/* SPDX-License-Identifier: MIT */
/*
 * Internals of the fast CPU path, shared by the portable driver
 * (cpu_conv.c) and the AVX2 kernels (cpu_avx2.c), and visible to the unit
 * tests so they can check each kernel against the reference directly.
 *
 * Every method works on int16 copies with the zero points
 * already subtracted: (in - in_zp) and (w - w_zp) are in [-255, 255]
 * (npu_conv_spec_finish() keeps zero points inside their types), so an
 * int16 x int16 -> int32 multiply-add (vpmaddwd) is exact and padded taps
 * are simply zeros in the input copy.
 */
#ifndef NPU_CPU_INTERNAL_H
#define NPU_CPU_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "npu_cpu.h"
#include "npu_ref.h"

#define CPU_NR	16	/* output channels per packed weight block */
#define CPU_MR	6	/* output pixels per GEMM microkernel call */
#define CPU_ALIGN 64

enum cpu_method {
	CPU_GEMM,	/* packed weights, MR x NR register tiles */
	CPU_DW,		/* one input channel per group: vectorize over channels */
	CPU_GEMV,	/* few output pixels: raw weights, no packing */
};

/* Per-channel requantization parameters, padded to a whole CPU_NR block. */
struct cpu_rq {
	enum npu_rq_mode mode;
	enum npu_dtype out_type;
	int vec;		/* the AVX2 requantizer is exact for these parameters */
	int q_min;		/* some multiplier is INT32_MIN: SRDHM may saturate */
	/* NPU_RQ_FIXED: multiplier, shifts, and RDBPOT's per-channel constants */
	int32_t *q, *left, *right;
	int32_t *mask;		/* 2^right - 1 */
	int32_t *half;		/* 2^(right-1), 0 when right == 0 */
	int32_t *fshift;	/* right, or 32 (shifts everything out) when 0 */
	float *scale;		/* NPU_RQ_FP32 */
	int32_t lo, hi;		/* act_min/act_max minus out_zp */
	int32_t zp;
};

struct cpu_plan {
	const struct npu_conv_spec *s;
	const void *in, *w;
	void *out;
	enum cpu_method method;
	int avx2;

	int taps, cpg, kpg;
	int cpgp;		/* cpg rounded up to even: vpmaddwd eats pairs */
	int ngroups;

	/*
	 * xin: the input as int16 minus in_zp, zero-padded, one image after
	 * the other. The convolution runs over it with stride (xsh, xsw) and
	 * no padding. For a 1x1 kernel it holds only the sampled pixels.
	 */
	int16_t *xin;
	int xh, xw, xsh, xsw;
	size_t xpix;		/* int16 per xin pixel */
	size_t ximg;		/* int16 per xin image */
	ptrdiff_t *tap_off;	/* int16 offset of each tap from a pixel's base */
	/* CPU_GEMM walks nruns runs of run_pairs channel pairs; run t starts
	 * at tap t * run_step */
	int nruns, run_pairs, run_step;

	/*
	 * Packed weights in blocks of CPU_NR channels: all of them for CPU_DW,
	 * one block per thread for CPU_GEMM (each packs the one it uses).
	 */
	int16_t *wpk;
	int nblk;		/* blocks per group (CPU_DW: in all) */
	size_t blk_elems;	/* int16 per block */

	int32_t *bias;		/* K + CPU_NR entries, 0 past K */
	int32_t *wzp;		/* K + CPU_NR entries */
	void *scratch;		/* the block all of the above are carved from */
	int scratch_cached;	/* it is the calling thread's cached block */

	size_t m;		/* output pixels over the whole batch */
	size_t ohw;		/* output pixels per image */
	size_t chunk;		/* CPU_DW: output pixels per work item */
	size_t nchunks;
	size_t nseg;		/* CPU_GEMM: pixel segments per weight block */
	int nthreads;

	struct cpu_rq rq;
};

/* Start of pixel P's receptive field in xin (group 0, tap 0). */
static inline const int16_t *cpu_pixel_base(const struct cpu_plan *p, size_t P)
{
	const struct npu_conv_spec *s = p->s;
	size_t b = P / p->ohw, r = P % p->ohw;
	size_t oy = r / (size_t)s->out_w, ox = r % (size_t)s->out_w;

	return p->xin + b * p->ximg +
	       (oy * (size_t)p->xsh * (size_t)p->xw + ox * (size_t)p->xsw) * p->xpix;
}

/* Requantizes and stores n <= CPU_NR accumulators of pixel P from channel k0. */
void cpu_emit_row(const struct cpu_plan *p, size_t P, int k0, int n,
		  const int32_t *acc);

/*
 * The AVX2 kernels (cpu_avx2.c). Only called when the CPU has AVX2.
 * bases[i] is the cpu_pixel_base() of pixel P0 + i, wb the packed block. cpu_requant16_avx2
 * computes npu_requant(s, k0 + j, acc[j]) for j < 16 into res, valid when
 * rq->vec is set. The packer and the converter do a prefix of their work
 * (whole 16-channel runs) and return how many input channels they did.
 */
void cpu_gemm_tile_avx2(const struct cpu_plan *p, const int16_t *wb,
			const int16_t *const *bases, size_t P0, int mr, int g, int blk);
void cpu_dw_pixel_avx2(const struct cpu_plan *p, const int16_t *base, size_t P, int kb);
void cpu_gemv_block_avx2(const struct cpu_plan *p, size_t P, int g, int blk);
void cpu_requant16_avx2(const struct cpu_rq *rq, int k0, const int32_t *acc,
			int32_t *res);
int cpu_pack_gemm_avx2(const struct cpu_plan *p, size_t cb, int16_t *dst);
int cpu_convert_avx2(int16_t *d, const uint8_t *src, int n, int zp, int is_u8);

/*
 * npu_cpu_conv_isa() on exactly nthreads threads (at most one per work
 * item), without the minimum work per thread: tests run tiny shapes on
 * several threads with it.
 */
int cpu_conv_threads(const struct npu_conv_spec *s, const void *in, const void *w,
		     void *out, int nthreads, enum npu_cpu_isa isa);

/* Stops the helper threads (registered with atexit); the pool regrows on use. */
void cpu_pool_shutdown(void);

/* The method npu_cpu_conv() uses for s (tests check they all get exercised). */
enum cpu_method cpu_method_of(const struct npu_conv_spec *s);

/* Fills rq from s (allocating its tables); 0 or -ENOMEM. */
int cpu_rq_init(struct cpu_rq *rq, const struct npu_conv_spec *s);
void cpu_rq_free(struct cpu_rq *rq);

#endif /* NPU_CPU_INTERNAL_H */
