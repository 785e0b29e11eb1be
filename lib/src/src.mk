LIBNPU_SRCS += lib/src/device.c
