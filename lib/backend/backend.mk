# The drm backend (lib/backend/drm.c): libdrm + the npu kernel driver.
LIBNPU_SRCS += lib/backend/drm.c
$(B)/lib/backend/drm.o: CFLAGS += $(shell pkg-config --cflags libdrm 2>/dev/null || echo -I/usr/include/libdrm)
LIBNPU_LDFLAGS += -ldrm
