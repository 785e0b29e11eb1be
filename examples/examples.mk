# examples/api_example.c: the public API in a short program, built with the
# library and run (with the CLI on the example networks) by test-examples.
API_EXAMPLE := $(B)/bin/api_example
BIN_PROGS += $(API_EXAMPLE)

$(API_EXAMPLE): $(B)/examples/api_example.o $(LIBNPU_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@ $(LIBNPU_A) $(LIBNPU_LDFLAGS) $(LDLIBS) -lpthread

build: $(API_EXAMPLE)

.PHONY: test-examples
test-examples: $(API_EXAMPLE) $(NPU_CLI) $(NET_REPORT)
	@set -e; out=$$($(API_EXAMPLE)); echo "$$out"; \
	echo "$$out" | grep -q '^probabilities: ' && \
	[ $$(echo "$$out" | grep -c ' checked$$') -eq 2 ]
	@set -e; for n in tiny_raw fc_identity lenet5; do \
		$(NPU_CLI) run examples/$$n.json --backend cpu --check >/dev/null; done; \
	$(NPU_CLI) summary examples/resnet50.json | grep -q '25530472 params'; \
	$(NPU_CLI) summary examples/mobilenet_v2.json | \
		grep -q '^total: 65 layers, 3487816 params (3.49M), 300774272 MACs'; \
	$(NPU_CLI) summary examples/vgg16.json | \
		grep -q '^total: 22 layers, 138357544 params (138.36M), 15470264320 MACs'; \
	$(NPU_CLI) summary examples/fc2048.json --batch 32 | grep -q ' 65536000 MACs'; \
	$(NPU_CLI) run examples/tiny_raw.json --backend cpu --json | grep -q '"status": "success"'; \
	printf '{"layers": [\n  {"op": }\n]}\n' > $(B)/bad.json; \
	if $(NPU_CLI) run $(B)/bad.json --backend cpu 2>$(B)/bad.err; then exit 1; fi; \
	grep -q 'bad.json:2:' $(B)/bad.err; \
	echo "examples and CLI: ok"
	@# the new networks whole on the cpu backend, bit-exact against the reference
	@set -e; for n in mobilenet_v2 vgg16; do \
		$(NPU_CLI) run examples/$$n.json --backend cpu --check > $(B)/$$n.cpu.txt 2>&1 || \
			{ cat $(B)/$$n.cpu.txt; exit 1; }; \
		grep -q ' 0 mismatched' $(B)/$$n.cpu.txt; echo "$$n on the cpu: bit-exact"; done
	@# on the simulated device, every layer checked: depthwise (MobileNet), the FC
	@# identities (the 20x20 kernel goes through im2col), raw weight files,
	@# inverted residuals (MobileNet-v2), VGG-16's convs at 32x32 (the whole
	@# 224 network is in make bench), an FC layer at batch 32
	@set -e; for n in tiny_raw fc_identity lenet5 mobilenet_v1 mobilenet_v2 \
		"vgg16 --input-size 32x32" "fc2048 --batch 32"; do \
		set -- $$n; \
		$(NPU_CLI) run examples/$$1.json --backend sim --check "$${@:2}" > $(B)/$$1.sim.txt \
			|| { cat $(B)/$$1.sim.txt; exit 1; }; \
		grep -q ' 0 mismatched' $(B)/$$1.sim.txt; \
		grep -q ' 0 fallback' $(B)/$$1.sim.txt; \
		echo "$$n on the simulator: $$(grep '^device:' $(B)/$$1.sim.txt)"; done
	@grep -q '^0 .* 32x1x1x1000 ' $(B)/fc2048.sim.txt
	@# VGG-16's classifier at full size: FC 25088 -> 4096 is a reduction longer
	@# than a weight slice, so it runs as accumulator chains (NPU_CONV_ACC_HOLD /
	@# CONT); nothing may fall back to the CPU
	@set -e; f=$(B)/vgg16_classifier.sim.txt; \
	$(NPU_CLI) run examples/vgg16_classifier.json --backend sim --check > $$f || \
		{ cat $$f; exit 1; }; \
	grep -q ' 0 mismatched' $$f; \
	grep -q ' 0 fallback' $$f; \
	echo "vgg16_classifier on the simulator: $$(grep '^total:' $$f)"
	@# the DRAM roofline in the JSON report: FC 2048 -> 1000 needs 2048000 / 256
	@# = 8000 compute cycles and moves 2067048 compulsory bytes (weights
	@# 2048000, 16-byte channel records 16000, input 2048, output 1000):
	@# 129190.5 cycles at the default 16 B/cycle, 258381 at 8
	@set -e; for bw in 16 8; do \
		$(NPU_CLI) run examples/fc2048.json --backend sim --dram-bw $$bw --json \
			> $(B)/fc2048.bw$$bw.json; done; \
	grep -q '"dram_bytes_per_cycle": 16,' $(B)/fc2048.bw16.json; \
	grep -q '"dram_bytes_per_cycle": 8,' $(B)/fc2048.bw8.json; \
	grep -q '"dram_compulsory": 2067048,' $(B)/fc2048.bw16.json; \
	grep -q '"compute_cycles": 8000.0,' $(B)/fc2048.bw16.json; \
	grep -q '"memory_cycles": 129190.5,' $(B)/fc2048.bw16.json; \
	grep -q '"memory_cycles": 258381.0,' $(B)/fc2048.bw8.json; \
	grep -q '"cycles": 258381.0,' $(B)/fc2048.bw8.json; \
	grep -q '"bound": "memory"' $(B)/fc2048.bw8.json; \
	$(NPU_CLI) run examples/fc2048.json --backend sim --batch 32 --json | \
		grep -q '"bound": "compute"'; \
	echo "roofline figures of the JSON report: ok"
	@# make bench's reader of those reports: the same figures in its floor line
	@# and its plot data (max utilization 8000 / 129190.5 = 6.192 %)
	@set -e; mkdir -p $(B)/bench/test; \
	$(NET_REPORT) --plot-dir $(B)/bench/test --plot fc2048_b1 \
		fc2048_b1=$(B)/fc2048.bw16.json > $(B)/bench/test/out.txt; \
	grep -q '^FC 2048->1000, batch 1: share of its DRAM roofline reached: floor >= 95%, measured [0-9.]*% ([0-9]* cycles, roofline 129190 cycles, memory-bound' \
		$(B)/bench/test/out.txt; \
	grep -q '^0 "fc" [0-9.]* 6.192 [0-9.]* 1$$' $(B)/bench/test/fc2048_b1.dat; \
	grep -q "^load 'bench/layers.gp'" $(B)/bench/test/fc2048_b1.gp; \
	if $(NET_REPORT) x=$(B)/bad.json 2>$(B)/bench/test/err.txt; then exit 1; fi; \
	grep -q 'bad.json:2:' $(B)/bench/test/err.txt; \
	echo "net_report: ok"

TEST_STAGES += test-examples
