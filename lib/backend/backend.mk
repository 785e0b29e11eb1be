LIBNPU_SRCS += lib/backend/drm.c
