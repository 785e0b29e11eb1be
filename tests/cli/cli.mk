# make test-cli: the npu command's classification features end to end
# (tests/cli/run.sh): every model in CLI_MODELS on the first 64 Fashion-MNIST
# test images on the cpu and sim backends, checked, and on one image as PGM
# and PNG; then bad files and options. A model joins the checks by being
# listed here (it must take 28x28x1 images and give 10 classes); the trained
# ONNX models are picked up when they land in examples/fashion_mnist/.
CLI_MODELS  ?= tests/cli/fmnist_small.json $(wildcard examples/fashion_mnist/*.onnx)
FMNIST_DIR  ?= /usr/share/datasets/fashion-mnist
CLI_MKIMAGE := $(B)/tests/cli/mkimage

$(CLI_MKIMAGE): $(B)/tests/cli/mkimage.o $(LIBNPU_A)
	$(CC) $(CFLAGS) $< -o $@ $(LIBNPU_A) $(LIBNPU_LDFLAGS) $(LDLIBS)

build: $(CLI_MKIMAGE)

.PHONY: test-cli
test-cli: $(NPU_CLI) $(NPUSIM_SO) $(CLI_MKIMAGE)
	tests/cli/run.sh $(NPU_CLI) $(CLI_MKIMAGE) $(B)/tests/cli/out $(FMNIST_DIR) $(CLI_MODELS)

TEST_STAGES += test-cli
