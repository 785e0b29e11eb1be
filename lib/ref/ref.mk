LIBNPU_SRCS += lib/ref/requant.c lib/ref/ref_conv.c
