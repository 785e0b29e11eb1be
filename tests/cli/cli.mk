# make test-cli: the npu command's classification features end to end
# (tests/cli/run.sh): every model in CLI_MODELS on the first 64 Fashion-MNIST
# test images on the cpu and sim backends, checked, and on one image as PGM
# and PNG; then bad files and options. A model joins the checks by being
# listed here (it must take 28x28x1 images and give 10 classes); the trained
# ONNX models of examples/fashion_mnist/ are picked up; those with a golden
# file in examples/fashion_mnist/golden/ are also compared with ONNX Runtime
# (--golden), the cpu backend (--compare-cpu) and their rewritten selves
# (--rewrite both); the float models must be refused with a clear message.
CLI_MODELS  ?= tests/cli/fmnist_small.json \
	       $(wildcard examples/fashion_mnist/*_qop.onnx examples/fashion_mnist/*_qdq.onnx)
FMNIST_DIR  ?= /usr/share/datasets/fashion-mnist
CLI_MKIMAGE := $(B)/tests/cli/mkimage

$(CLI_MKIMAGE): $(B)/tests/cli/mkimage.o $(LIBNPU_A)
	$(CC) $(CFLAGS) $< -o $@ $(LIBNPU_A) $(LIBNPU_LDFLAGS) $(LDLIBS)

build: $(CLI_MKIMAGE)

.PHONY: test-cli
test-cli: $(NPU_CLI) $(NPUSIM_SO) $(CLI_MKIMAGE)
	tests/cli/run.sh $(NPU_CLI) $(CLI_MKIMAGE) $(B)/tests/cli/out $(FMNIST_DIR) $(CLI_MODELS)

TEST_STAGES += test-cli
