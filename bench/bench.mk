# make bench: the library's figures. ResNet-50 through libnpu on the
# simulated device (per layer and total: cycles, MAC utilization, DRAM bytes
# against the compulsory minimum) and the CPU path against oneDNN on the same
# ResNet-50 layers; both tables are printed and merged into bench/results.json.
.PHONY: bench
bench: $(B)/bin/npu $(B)/bench/bench_cpu
	@mkdir -p $(B)/bench
	$(B)/bin/npu run examples/resnet50.json --backend sim --json-out $(B)/bench/resnet50_sim.json
	$(BENCH_CPU) --json $(B)/bench/cpu.json
	@{ printf '{"resnet50_sim": '; cat $(B)/bench/resnet50_sim.json; \
	   printf ',\n"cpu_vs_onednn": '; cat $(B)/bench/cpu.json; printf '}\n'; } > bench/results.json
	@echo "bench: wrote bench/results.json"
