# The data readers (lib/include/npu_data.h): IDX files (plain or gzip, with
# zlib), PGM, and PNG (with libpng).
LIBNPU_SRCS += lib/data/data_util.c lib/data/idx.c lib/data/image.c lib/data/pgm.c \
	       lib/data/png.c
LIBNPU_LDFLAGS += -lpng -lz
