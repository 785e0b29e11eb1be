# The npu command-line tool, and `make run`.
NPU_CLI := $(B)/bin/npu
BIN_PROGS += $(NPU_CLI)

# npu.c: options and the plain run; report.c: the tables; classify.c: what both
# classifications share and --image; images.c: --images;
# compare.c: --golden and --compare-cpu.
NPU_CLI_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard tools/npu/*.c))

$(NPU_CLI): $(NPU_CLI_OBJS) $(LIBNPU_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(NPU_CLI_OBJS) -o $@ $(LIBNPU_A) $(LIBNPU_LDFLAGS) $(LDLIBS) -lpthread

build: $(NPU_CLI)

# The main job: the trained residual network (examples/fashion_mnist, the
# QDQ file) classifies the first 1,000 Fashion-MNIST test images on the
# simulated device, every conv/FC layer checked against the CPU reference;
# the same images on the cpu backend and ONNX Runtime's golden outputs must
# give byte-identical outputs (their accuracies are printed beside).
RUN_DATA := /usr/share/datasets/fashion-mnist
run: $(NPU_CLI) $(NPUSIM_SO)
	$(NPU_CLI) run examples/fashion_mnist/resdw_qdq.onnx --backend sim --check \
		--images $(RUN_DATA)/t10k-images-idx3-ubyte.gz \
		--labels $(RUN_DATA)/t10k-labels-idx1-ubyte.gz --limit 1000 --batch 100 \
		--golden examples/fashion_mnist/golden/resdw_qdq.golden.json --compare-cpu
