/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the network loader on untrusted bytes (npu_net_load_buffer:
 * ONNX through the importer, JSON through the description loader, told
 * apart by content). Seeds are small single-op ONNX models and a trained
 * network's structure. Besides the sanitizers' checks it asserts the
 * loader's contract: a failure is a documented status with a message and
 * no net; a success is a net that (when small) runs on the cpu backend
 * with check mode and every conv/FC equal to the reference.
 * External data files are looked up in a directory that does not exist,
 * so no input can make the loader read a file of this machine.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npu.h"

/* The net's tensors may not take more (the loader refuses past it). */
#define FUZZ_MAX_BYTES ((size_t)64 << 20)
/* Nets up to this many MACs are also run. */
#define FUZZ_RUN_MACS 2000000u

#define CHECK(c)                                                                   \
	do {                                                                       \
		if (!(c)) {                                                        \
			fprintf(stderr, "fuzz_onnx: contract broken: %s\n", #c);   \
			abort();                                                   \
		}                                                                  \
	} while (0)

static npu_ctx *ctx;

/* A large allocation the library asks for must fail (and be handled), not kill the run. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npu_load_opts o = { .max_bytes = FUZZ_MAX_BYTES };
	struct npu_net_totals t;
	npu_net *net = (npu_net *)&net;	/* must be cleared on failure */
	npu_status st;
	int i;

	if (!ctx) {
		struct npu_ctx_opts co = { .backend = "cpu", .flags = NPU_CTX_CHECK, .threads = 1 };
		char msg[256];

		CHECK(npu_ctx_open(&co, &ctx, msg, sizeof(msg)) == NPU_OK);
	}
	st = npu_net_load_buffer(ctx, data, size, "fuzz.onnx", "/nonexistent/npu-fuzz", &o,
				 &net);
	if (st != NPU_OK) {
		CHECK(net == NULL);
		CHECK(st == NPU_E_PARSE || st == NPU_E_UNSUPPORTED || st == NPU_E_INVAL ||
		      st == NPU_E_IO || st == NPU_E_OVERFLOW || st == NPU_E_NOMEM);
		CHECK(strlen(npu_ctx_last_error(ctx)) > 0);
		return 0;
	}
	CHECK(net != NULL);
	CHECK(npu_net_num_layers(net) >= 0);
	CHECK(npu_net_totals(net, &t) == NPU_OK);
	if (t.macs <= FUZZ_RUN_MACS && npu_net_num_layers(net) > 0) {
		/* inputs at zero: the point is the arithmetic paths, not the values */
		for (i = 0; i < npu_net_num_inputs(net); i++)
			CHECK(npu_net_fill_input(net, npu_net_input_id(net, i), (uint64_t)size) ==
			      NPU_OK);
		st = npu_net_run(net);
		CHECK(st == NPU_OK || st == NPU_E_NOMEM);
	}
	npu_net_free(net);
	return 0;
}
