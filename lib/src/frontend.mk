# The library front end: public API (lib/include/npu.h), networks, CPU ops,
# checking, the JSON network loader. The device layer is src.mk's.
LIBNPU_SRCS += lib/src/ctx.c lib/src/net.c lib/src/layers.c lib/src/exec.c \
	       lib/src/ops_cpu.c lib/src/check.c lib/src/layout.c \
	       lib/src/synth.c lib/src/netfile.c lib/src/layers_ext.c

# Float steps that copy ONNX Runtime (the unfused add) must not become FMAs.
$(B)/lib/src/ops_cpu.o: CFLAGS += -ffp-contract=off

# What a program linking libnpu.a needs besides it (the JSON parser).
LIBNPU_LDFLAGS += -ljansson
UNIT_EXTRA_LIBS += $(LIBNPU_LDFLAGS)

# test_check_mode replaces the device layer's plan calls with its own.
$(B)/tests/unit/test_check_mode: UNIT_EXTRA_LIBS += \
	-Wl,--wrap=npu_conv_plan_run -Wl,--wrap=npu_conv_plan_create
