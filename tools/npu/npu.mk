# The npu command-line tool, and `make run`: ResNet-18 on the simulated
# accelerator with every layer checked against the reference.
NPU_CLI := $(B)/bin/npu
BIN_PROGS += $(NPU_CLI)

$(NPU_CLI): $(B)/tools/npu/npu.o $(LIBNPU_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@ $(LIBNPU_A) $(LIBNPU_LDFLAGS) $(LDLIBS) -lpthread

build: $(NPU_CLI)

run: $(NPU_CLI) $(NPUSIM_SO)
	$(NPU_CLI) run examples/resnet18.json --backend sim --check
