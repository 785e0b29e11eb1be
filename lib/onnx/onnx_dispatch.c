/* SPDX-License-Identifier: MIT */
/*
 * Which handler translates which op. Anything not listed is refused with
 * its node name, op type, domain and opset: a graph is never imported with
 * an op silently left out.
 */
#include <string.h>

#include "onnx_ops.h"

struct ox_op {
	const char *op_type;
	int ms;				/* 1: com.microsoft, 0: the default domain */
	npu_status (*fn)(struct ox_imp *im);
};

static const struct ox_op ops[] = {
	/* QOperator form */
	{ "QuantizeLinear", 0, ox_op_quantize },
	{ "DequantizeLinear", 0, ox_op_dequantize },
	{ "QLinearConv", 0, ox_op_qlinearconv },
	{ "QLinearMatMul", 0, ox_op_qlinearmatmul },
	{ "ConvInteger", 0, ox_op_convinteger },
	{ "MatMulInteger", 0, ox_op_matmulinteger },
	{ "QGemm", 1, ox_op_qgemm },
	{ "QLinearAdd", 1, ox_op_qlinearadd },
	{ "QLinearAveragePool", 1, ox_op_qlinearavgpool },
	{ "QLinearGlobalAveragePool", 1, ox_op_qlinearglobalavgpool },
	{ "QLinearConcat", 1, ox_op_qlinearconcat },
	{ "QLinearSigmoid", 1, ox_op_qlinearsigmoid },
	/* com.microsoft also registers these two (older quantizers wrote them there) */
	{ "QuantizeLinear", 1, ox_op_quantize },
	{ "DequantizeLinear", 1, ox_op_dequantize },
	/* float ops: QDQ groups, or activations on quantized tensors */
	{ "Conv", 0, ox_op_conv },
	{ "Gemm", 0, ox_op_gemm },
	{ "MatMul", 0, ox_op_matmul },
	{ "Add", 0, ox_op_add },
	{ "AveragePool", 0, ox_op_averagepool },
	{ "GlobalAveragePool", 0, ox_op_globalaveragepool },
	{ "Concat", 0, ox_op_concat },
	{ "Sigmoid", 0, ox_op_sigmoid },
	{ "Relu", 0, ox_op_relu },
	{ "Clip", 0, ox_op_clip },
	/* layout and data movement */
	{ "MaxPool", 0, ox_op_maxpool },
	{ "Identity", 0, ox_op_identity },
	{ "Dropout", 0, ox_op_identity },
	{ "Constant", 0, ox_op_constant },
	{ "Flatten", 0, ox_op_flatten },
	{ "Reshape", 0, ox_op_reshape },
	{ "Transpose", 0, ox_op_transpose },
	{ "Squeeze", 0, ox_op_squeeze },
	{ "Unsqueeze", 0, ox_op_unsqueeze },
	{ "Pad", 0, ox_op_pad },
	{ "Softmax", 0, ox_op_softmax },
};

npu_status ox_translate(struct ox_imp *im)
{
	const char *d = S(im->node->domain), *op = S(im->node->op_type);
	int ms;
	size_t i;

	if (!*d || !strcmp(d, "ai.onnx"))
		ms = 0;
	else if (!strcmp(d, "com.microsoft"))
		ms = 1;
	else
		return ox_fail(im, NPU_E_UNSUPPORTED, "this op domain is not supported (the "
			       "default domain and com.microsoft are)");
	if (ms && !im->ms_opset)
		return ox_fail(im, NPU_E_PARSE, "the model does not import the com.microsoft "
			       "domain it uses");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].ms == ms && !strcmp(ops[i].op_type, op))
			return ops[i].fn(im);
	return ox_fail(im, NPU_E_UNSUPPORTED, "this op is not supported by the importer "
		       "(lib/README.md lists the ops it reads)");
}
