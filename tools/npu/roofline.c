/* SPDX-License-Identifier: MIT */
/*
 * What the reports know of the device (its capability registers and, on
 * the simulator, the DRAM model), and each layer's DRAM roofline: the
 * fewest cycles any schedule could take, given that the MAC array does
 * rows x cols MACs a cycle and every compulsory byte crosses the DRAM
 * port once at its bandwidth.
 */
#include <string.h>

#include "cli.h"
#include "npu_sim.h"

void device_view_get(npu_ctx *ctx, const struct options *o, struct device_view *v)
{
	memset(v, 0, sizeof(*v));
	v->have = npu_ctx_device_info(ctx, &v->info) == NPU_OK;
	/*
	 * Only the in-process simulator runs a DRAM model the CLI configured;
	 * behind the drm backend sits hardware (or the virtual platform) whose
	 * memory system the CLI does not know.
	 */
	if (v->have && !strcmp(npu_ctx_backend(ctx), "sim")) {
		v->dram_bw = o->dram_bw ? o->dram_bw : NPU_SIM_DEFAULT_DRAM_BYTES_PER_CYCLE;
		v->dram_latency = o->dram_latency ? o->dram_latency
						  : NPU_SIM_DEFAULT_DRAM_LATENCY;
	}
}

int roofline_of(const struct device_view *v, uint64_t macs, uint64_t compulsory,
		uint64_t cycles, struct roofline *r)
{
	double cap;

	memset(r, 0, sizeof(*r));
	if (!v->have || !v->dram_bw || !cycles || !macs)
		return -1;
	cap = (double)v->info.rows * v->info.cols;
	r->util = (double)macs / (cap * (double)cycles);
	r->compute_cycles = (double)macs / cap;
	r->memory_cycles = (double)compulsory / v->dram_bw;
	r->cycles = r->compute_cycles > r->memory_cycles ? r->compute_cycles : r->memory_cycles;
	r->max_util = r->compute_cycles / r->cycles;
	r->fraction = r->cycles / (double)cycles;
	r->memory_bound = r->memory_cycles > r->compute_cycles;
	return 0;
}

json_t *json_roofline(const struct roofline *r)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:s}", "compute_cycles", r->compute_cycles,
			 "memory_cycles", r->memory_cycles, "cycles", r->cycles, "max_util",
			 r->max_util, "fraction", r->fraction, "bound",
			 r->memory_bound ? "memory" : "compute");
}
