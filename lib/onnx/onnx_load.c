/* SPDX-License-Identifier: MIT */
/* Placeholder until the importer lands: ONNX files are recognised and refused. */
#include "net_internal.h"
#include "onnx.pb-c.h"

npu_status npu_onnx_load(npu_ctx *ctx, const void *data, size_t bytes, const char *name,
			 const char *base_dir, const struct npu_load_opts *o, npu_net **out)
{
	(void)data;
	(void)bytes;
	(void)base_dir;
	(void)o;
	*out = NULL;
	return npu_fail(ctx, NPU_E_UNSUPPORTED, "%s: ONNX import is not built yet", name);
}
