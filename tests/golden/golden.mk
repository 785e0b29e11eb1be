# Golden files: the trained Fashion-MNIST models (examples/fashion_mnist) must
# give ONNX Runtime's outputs bit for bit on the first 1,000 test images
# (examples/fashion_mnist/golden/, made by tools/golden/fashion_golden.js).
# test-golden: all 1,000 images on the cpu backend and GOLDEN_SIM_IMAGES on
# the simulated device, every model; bench-golden: all 1,000 on the device.
GOLDEN_PROG   := $(B)/bin/golden
GOLDEN_DIR    := examples/fashion_mnist/golden
GOLDEN_MODELS := $(sort $(wildcard examples/fashion_mnist/*_qop.onnx examples/fashion_mnist/*_qdq.onnx))
GOLDEN_SIM_IMAGES ?= 100
BIN_PROGS += $(GOLDEN_PROG)

$(GOLDEN_PROG): $(B)/tests/golden/golden.o $(LIBNPU_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@ $(LIBNPU_A) $(LIBNPU_LDFLAGS) $(LDLIBS) -lpthread

build: $(GOLDEN_PROG)

# $(1): backend, $(2): images. The golden file must describe this very model.
golden_run = set -e; [ -n "$(GOLDEN_MODELS)" ] || { echo "no models in examples/fashion_mnist"; exit 1; }; \
	for m in $(GOLDEN_MODELS); do \
		g=$(GOLDEN_DIR)/$$(basename $$m .onnx).golden.json; \
		want=$$(sed -n 's/.*"model_sha256": *"\([0-9a-f]*\)".*/\1/p' $$g); \
		[ "$$want" = "$$(sha256sum $$m | cut -d' ' -f1)" ] || \
			{ echo "$$g was made from another $$m (sha256 differs)"; exit 1; }; \
		$(GOLDEN_PROG) $$m $$g --backend $(1) --images $(2) --batch 100; done

.PHONY: test-golden bench-golden
test-golden: $(GOLDEN_PROG) $(NPUSIM_SO)
	@$(call golden_run,cpu,1000)
	@$(call golden_run,sim,$(GOLDEN_SIM_IMAGES))

bench-golden: $(GOLDEN_PROG) $(NPUSIM_SO)
	@$(call golden_run,sim,1000)

TEST_STAGES += test-golden
