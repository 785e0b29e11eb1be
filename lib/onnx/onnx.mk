# The ONNX importer (npu_net_load on .onnx files). Its protobuf code is
# generated at build time by Debian's protoc-c from the onnx.proto that
# libonnx-dev installs; nothing of it is written by hand or committed.
ONNX_PROTO   ?= /usr/include/onnx/onnx.proto
ONNX_GEN_DIR := $(B)/gen/onnx
ONNX_GEN_C   := $(ONNX_GEN_DIR)/onnx.pb-c.c
ONNX_GEN_H   := $(ONNX_GEN_DIR)/onnx.pb-c.h

$(ONNX_GEN_C) $(ONNX_GEN_H) &: $(ONNX_PROTO)
	@mkdir -p $(ONNX_GEN_DIR)
	protoc-c --proto_path=$(dir $(ONNX_PROTO)) --c_out=$(ONNX_GEN_DIR) $(ONNX_PROTO)

ONNX_SRCS := $(wildcard lib/onnx/*.c)
LIBNPU_SRCS += $(ONNX_SRCS)
LIBNPU_OBJS_EXTRA += $(B)/gen/onnx/onnx.pb-c.o

$(B)/gen/onnx/onnx.pb-c.o: $(ONNX_GEN_C)
	$(CC) $(CFLAGS) -I$(ONNX_GEN_DIR) -c $< -o $@

# The importer's sources include the generated header.
$(patsubst %.c,$(B)/%.o,$(ONNX_SRCS)): $(ONNX_GEN_H)
$(patsubst %.c,$(B)/%.o,$(ONNX_SRCS)): CFLAGS += -I$(ONNX_GEN_DIR)

LIBNPU_LDFLAGS += -lprotobuf-c -lz

# Tests that build models with the generated structures (tests/unit/onnx_build.h).
ONNX_TESTS := test_onnx_errors
$(foreach t,$(ONNX_TESTS),$(B)/tests/unit/$(t).o): $(ONNX_GEN_H)
$(foreach t,$(ONNX_TESTS),$(B)/tests/unit/$(t).o): CFLAGS += -I$(ONNX_GEN_DIR)
