# examples/api_example.c: the public API in a short program, built with the
# library and run (with the CLI on the small example networks) by
# test-examples.
API_EXAMPLE := $(B)/bin/api_example
BIN_PROGS += $(API_EXAMPLE)

$(API_EXAMPLE): $(B)/examples/api_example.o $(LIBNPU_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@ $(LIBNPU_A) $(LIBNPU_LDFLAGS) $(LDLIBS) -lpthread

build: $(API_EXAMPLE)

.PHONY: test-examples
test-examples: $(API_EXAMPLE) $(NPU_CLI)
	@set -e; out=$$($(API_EXAMPLE)); echo "$$out"; \
	echo "$$out" | grep -q '^probabilities: ' && \
	[ $$(echo "$$out" | grep -c ' checked$$') -eq 2 ]
	@set -e; for n in tiny_raw fc_identity lenet5; do \
		$(NPU_CLI) run examples/$$n.json --backend cpu --check >/dev/null; done; \
	$(NPU_CLI) summary examples/resnet50.json | grep -q '25530472 params'; \
	$(NPU_CLI) run examples/tiny_raw.json --backend cpu --json | grep -q '"status": "success"'; \
	printf '{"layers": [\n  {"op": }\n]}\n' > $(B)/bad.json; \
	if $(NPU_CLI) run $(B)/bad.json --backend cpu 2>$(B)/bad.err; then exit 1; fi; \
	grep -q 'bad.json:2:' $(B)/bad.err; \
	echo "examples and CLI: ok"
	@# on the simulated device, every layer checked: depthwise (MobileNet), the FC
	@# identities (the 20x20 kernel goes through im2col), raw weight files
	@set -e; for n in tiny_raw fc_identity lenet5 mobilenet_v1; do \
		$(NPU_CLI) run examples/$$n.json --backend sim --check > $(B)/$$n.sim.txt || \
			{ cat $(B)/$$n.sim.txt; exit 1; }; \
		grep -q ' 0 mismatched' $(B)/$$n.sim.txt; \
		grep -q ' 0 fallback' $(B)/$$n.sim.txt; \
		echo "$$n on the simulator: $$(grep '^device:' $(B)/$$n.sim.txt)"; done

TEST_STAGES += test-examples
