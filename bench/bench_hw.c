/* SPDX-License-Identifier: MIT */
/*
 * bench-hw: the device on raw layer shapes (ResNet convolutions, the 7x7
 * stem, FC 2048->1000) with the default configuration and DRAM model.
 * Prints, per layer: cycles from doorbell to interrupt, MAC utilization
 * (MACs / (ROWS*COLS*cycles)), DRAM bytes moved against the compulsory
 * minimum, and simulated cycles per host second. Every result is checked
 * against the CPU. The tiling is the plain one of tests/sim/simkit.c; the
 * library's tiler is measured by `make bench`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npu_cpu.h"
#include "simkit.h"

struct shape {
	const char *name;
	int hw, c, k, ks, stride, pad;
	int im2col;	/* run the 7x7 stem as a 1x1 conv over host-side im2col taps */
};

static const struct shape shapes[] = {
	{"3x3 C=K=64 56x56", 56, 64, 64, 3, 1, 1, 0},
	{"3x3 C=K=128 28x28", 28, 128, 128, 3, 1, 1, 0},
	{"3x3 C=K=256 14x14", 14, 256, 256, 3, 1, 1, 0},
	{"3x3 C=K=512 7x7", 7, 512, 512, 3, 1, 1, 0},
	{"1x1 C=256 K=64 56x56", 56, 256, 64, 1, 1, 0, 0},
	{"1x1 C=1024 K=256 14x14", 14, 1024, 256, 1, 1, 0, 0},
	{"7x7/2 C=3 K=64 224x224", 224, 3, 64, 7, 2, 3, 0},
	{"7x7/2 stem as im2col", 224, 3, 64, 7, 2, 3, 1},
	{"FC 2048->1000", 1, 2048, 1000, 1, 1, 0, 0},
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/* [H][W][C] -> [OH][OW][R*S*C]: the taps of each output pixel, padding as zp. */
static uint8_t *im2col(const struct npu_conv_spec *s, const uint8_t *in)
{
	int taps = s->kh * s->kw * s->in_c;
	uint8_t *o = malloc((size_t)s->out_h * s->out_w * taps);

	for (int y = 0; y < s->out_h; y++)
		for (int x = 0; x < s->out_w; x++)
			for (int r = 0; r < s->kh; r++)
				for (int q = 0; q < s->kw; q++)
					for (int c = 0; c < s->in_c; c++) {
						int iy = y * s->stride_h + r - s->pad_top;
						int ix = x * s->stride_w + q - s->pad_left;
						int inside = iy >= 0 && iy < s->in_h && ix >= 0 && ix < s->in_w;
						o[(((size_t)y * s->out_w + x) * s->kh + r) * s->kw * s->in_c +
						  (size_t)q * s->in_c + c] =
							inside ? in[((size_t)iy * s->in_w + ix) * s->in_c + c]
							       : (uint8_t)s->in_zp;
					}
	return o;
}

int main(int argc, char **argv)
{
	const char *json = NULL;
	FILE *jf = NULL;
	int failures = 0;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
	if (json && !(jf = fopen(json, "w"))) {
		perror(json);
		return 1;
	}
	printf("bench-hw: %ux%u MAC array, DRAM 16 B/cycle, latency 100 cycles\n", NPU_DEF_ROWS,
	       NPU_DEF_COLS);
	printf("%-26s %12s %12s %7s %12s %12s %6s %10s %6s\n", "layer", "MACs", "cycles", "util",
	       "DRAM bytes", "compulsory", "ratio", "cycles/s", "check");
	if (jf)
		fprintf(jf, "{\"rows\": %u, \"cols\": %u, \"dram_bytes_per_cycle\": 16, "
			    "\"dram_latency\": 100, \"layers\": [\n", NPU_DEF_ROWS, NPU_DEF_COLS);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const struct shape *sh = &shapes[i];
		struct npu_conv_spec s = {.n = 1, .in_h = sh->hw, .in_w = sh->hw, .in_c = sh->c,
			.out_c = sh->k, .kh = sh->ks, .kw = sh->ks, .stride_h = sh->stride,
			.stride_w = sh->stride, .dil_h = 1, .dil_w = 1, .pad_top = sh->pad,
			.pad_left = sh->pad, .pad_bottom = sh->pad, .pad_right = sh->pad, .groups = 1,
			.in_type = NPU_TYPE_UINT8, .in_zp = 3, .w_type = NPU_TYPE_INT8,
			.out_type = NPU_TYPE_UINT8, .rq_mode = NPU_RQ_FIXED, .act_min = 0,
			.act_max = 255};
		int32_t *mult = malloc(sizeof(int32_t) * sh->k), *bias = malloc(sizeof(int32_t) * sh->k);
		int8_t *shift = malloc((size_t)sh->k);
		const char *why;
		struct kit k;
		struct kit_result r;

		for (int j = 0; j < sh->k; j++) {
			int sft;
			npu_quantize_multiplier(1.0 / (40.0 * sh->ks * sh->ks * sh->c), &mult[j], &sft);
			shift[j] = (int8_t)sft;
			bias[j] = j * 37 - 500;
		}
		s.rq_mult = mult;
		s.rq_shift = shift;
		s.bias = bias;
		if (npu_conv_spec_finish(&s, &why)) {
			fprintf(stderr, "%s: %s\n", sh->name, why);
			return 1;
		}
		size_t ni = npu_conv_in_elems(&s), nw = npu_conv_w_elems(&s), no = npu_conv_out_elems(&s);
		uint8_t *in = malloc(ni), *w = malloc(nw), *ref = malloc(no), *out = malloc(no);
		uint32_t x = 12345u + (uint32_t)i;
		for (size_t j = 0; j < ni; j++)
			in[j] = (uint8_t)((x = x * 1664525u + 1013904223u) >> 24);
		for (size_t j = 0; j < nw; j++)
			w[j] = (uint8_t)((x = x * 1664525u + 1013904223u) >> 24);
		npu_cpu_conv(&s, in, w, ref, 0);

		/* what the device runs: the layer itself, or its im2col form */
		struct npu_conv_spec run = s;
		uint8_t *run_in = in;
		if (sh->im2col) {
			run_in = im2col(&s, in);
			run.in_h = s.out_h;
			run.in_w = s.out_w;
			run.in_c = s.kh * s.kw * s.in_c;
			run.kh = run.kw = run.stride_h = run.stride_w = 1;
			run.pad_top = run.pad_left = run.pad_bottom = run.pad_right = 0;
			if (npu_conv_spec_finish(&run, &why))
				return 1;
		}
		if (kit_open(&k, NULL))
			return 1;
		uint64_t rd0 = npu_sim_counter(k.sim, NPU_CNT_RD_BYTES);
		uint64_t wr0 = npu_sim_counter(k.sim, NPU_CNT_WR_BYTES);
		double t0 = now();
		int rc = kit_conv(&k, &run, run_in, w, out, &r);
		double t1 = now();
		uint64_t bytes = npu_sim_counter(k.sim, NPU_CNT_RD_BYTES) - rd0 +
				 npu_sim_counter(k.sim, NPU_CNT_WR_BYTES) - wr0;
		uint64_t macs = npu_conv_macs(&s);
		uint64_t compulsory = ni + nw + (uint64_t)sh->k * NPU_CHAN_PARAM_BYTES + no;
		double util = (double)macs / ((double)k.caps.rows * k.caps.cols * (double)r.cycles);
		int ok = !rc && !r.err_code && !memcmp(out, ref, no) && !npu_sim_faults(k.sim);

		failures += !ok;
		printf("%-26s %12llu %12llu %6.1f%% %12llu %12llu %5.2fx %10.0f %6s\n", sh->name,
		       (unsigned long long)macs, (unsigned long long)r.cycles, 100.0 * util,
		       (unsigned long long)bytes, (unsigned long long)compulsory,
		       (double)bytes / (double)compulsory, (double)npu_sim_cycles(k.sim) / (t1 - t0),
		       ok ? "exact" : "FAIL");
		if (jf)
			fprintf(jf, "  {\"layer\": \"%s\", \"macs\": %llu, \"cycles\": %llu, "
				    "\"utilization\": %.4f, \"dram_bytes\": %llu, \"compulsory_bytes\": %llu, "
				    "\"sim_cycles_per_second\": %.0f, \"exact\": %s}%s\n",
				sh->name, (unsigned long long)macs, (unsigned long long)r.cycles, util,
				(unsigned long long)bytes, (unsigned long long)compulsory,
				(double)npu_sim_cycles(k.sim) / (t1 - t0), ok ? "true" : "false",
				i + 1 < sizeof(shapes) / sizeof(shapes[0]) ? "," : "");
		fflush(stdout);
		kit_close(&k);
		if (run_in != in)
			free(run_in);
		free(in);
		free(w);
		free(ref);
		free(out);
		free(mult);
		free(bias);
		free(shift);
	}
	if (jf) {
		fprintf(jf, "]}\n");
		fclose(jf);
	}
	return failures ? 1 : 0;
}
