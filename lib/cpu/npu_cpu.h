/* SPDX-License-Identifier: MIT */
/*
 * The fast CPU convolution path. It computes exactly what npu_ref_conv()
 * computes, bit for bit, for every spec npu_conv_spec_finish() accepts; it
 * is only faster (packed int16 weights, register-blocked AVX2 kernels when
 * the CPU has AVX2, several threads).
 */
#ifndef NPU_CPU_H
#define NPU_CPU_H

#include "npu_ref.h"

/*
 * Same semantics as npu_ref_conv(): NHWC input, OHWI weights, NHWC output,
 * any dtype / rq_mode / groups / dilation / padding / stride combination.
 * s must have been completed by npu_conv_spec_finish(). threads <= 0 means
 * one thread per online core; a convolution gets at most one thread per 4M
 * MACs. The extra threads come from a process-wide pool started on first
 * use: they spin for ~0.3 ms after a call (for the next layer), then sleep,
 * and are joined at exit. While one caller uses the pool, a concurrent
 * caller starts threads of its own for its call.
 *
 * Scratch: an int16 copy of the zero-padded input (2 bytes per element of
 * the padded image; for a 1x1 kernel only the sampled pixels) plus one
 * packed block of 16 output channels' weights per thread (a depthwise
 * convolution packs all its weights, 2 bytes each). The calling thread
 * keeps this block for its next call (fresh pages are expensive to fault
 * in); it is freed when the thread exits or by npu_cpu_release_scratch().
 *
 * Returns 0 on success. Returns -ENOMEM if a scratch allocation fails, and
 * -EINVAL if s is not a spec npu_conv_spec_finish() accepts (or its out_h /
 * out_w disagree with it). On either error, out is untouched: every scratch
 * buffer is allocated before the first output element is written.
 *
 * Thread-safe: any number of concurrent calls, from any threads.
 */
int npu_cpu_conv(const struct npu_conv_spec *s, const void *in, const void *w,
		 void *out, int threads);

/* Frees the calling thread's cached scratch block now (see above). */
void npu_cpu_release_scratch(void);

/* Which kernels npu_cpu_conv_isa() may use. */
enum npu_cpu_isa {
	NPU_CPU_ISA_BEST = 0,	/* AVX2 when the CPU has it, else portable C */
	NPU_CPU_ISA_SCALAR = 1,	/* portable C only (for tests and non-x86) */
};

/* npu_cpu_conv() with the kernel choice forced; mostly for tests. */
int npu_cpu_conv_isa(const struct npu_conv_spec *s, const void *in,
		     const void *w, void *out, int threads, enum npu_cpu_isa isa);

/* Nonzero when npu_cpu_conv() runs AVX2 kernels on this CPU. */
int npu_cpu_have_avx2(void);

#endif /* NPU_CPU_H */
