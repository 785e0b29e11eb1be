# The fast CPU convolution path (npu_cpu.h). The AVX2 kernels get their own
# file and -mavx2 so that nothing else is compiled for AVX2: the library
# picks them at run time after a CPUID check.
LIBNPU_SRCS += lib/cpu/cpu_conv.c lib/cpu/cpu_avx2.c

ifneq ($(filter x86_64 i%86,$(shell uname -m)),)
$(B)/lib/cpu/cpu_avx2.o: CFLAGS += -mavx2
endif
