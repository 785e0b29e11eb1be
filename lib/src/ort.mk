# ONNX Runtime-exact CPU ops (ops_ort.h, lib/onnx/ORT_ARITHMETIC.md).
LIBNPU_SRCS += lib/src/ops_ort.c
# Every float operation there is one rounding: never let the compiler fuse
# a multiply and an add (ORT's own fused ones are explicit fmaf() calls).
$(B)/lib/src/ops_ort.o: CFLAGS += -ffp-contract=off
