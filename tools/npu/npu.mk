# The npu command-line tool, and `make run`: ResNet-18 on the simulated
# accelerator with every layer checked against the reference.
NPU_CLI := $(B)/bin/npu
BIN_PROGS += $(NPU_CLI)

# npu.c: options and the plain run; report.c: the tables; classify.c: --images, --image;
# compare.c: --golden and --compare-cpu.
NPU_CLI_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard tools/npu/*.c))

$(NPU_CLI): $(NPU_CLI_OBJS) $(LIBNPU_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(NPU_CLI_OBJS) -o $@ $(LIBNPU_A) $(LIBNPU_LDFLAGS) $(LDLIBS) -lpthread

build: $(NPU_CLI)

run: $(NPU_CLI) $(NPUSIM_SO)
	$(NPU_CLI) run examples/resnet18.json --backend sim --check
