LIBNPU_SRCS += lib/src/device.c
LIBNPU_SRCS += lib/src/pack.c
