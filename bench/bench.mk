# make bench: the library's figures. ResNet-50 through libnpu on the
# simulated device (per layer and total: cycles, MAC utilization, DRAM bytes
# against the compulsory minimum), the trained Fashion-MNIST networks on the
# first 1,000 test images on the simulated device against ONNX Runtime's
# golden outputs (bench-golden; the resdw run's report is kept), and the CPU
# path against oneDNN on the ResNet-50 layers; the tables are printed and
# merged into bench/results.json.
FMNIST_DATA := /usr/share/datasets/fashion-mnist
.PHONY: bench
bench: $(B)/bin/npu $(B)/bench/bench_cpu bench-golden
	@mkdir -p $(B)/bench
	$(B)/bin/npu run examples/resnet50.json --backend sim --json-out $(B)/bench/resnet50_sim.json
	$(B)/bin/npu run examples/fashion_mnist/resdw_qdq.onnx --backend sim \
		--images $(FMNIST_DATA)/t10k-images-idx3-ubyte.gz \
		--labels $(FMNIST_DATA)/t10k-labels-idx1-ubyte.gz --limit 1000 --batch 100 \
		--golden examples/fashion_mnist/golden/resdw_qdq.golden.json \
		--json-out $(B)/bench/fashion_sim.json > $(B)/bench/fashion_sim.txt
	@tail -4 $(B)/bench/fashion_sim.txt
	$(BENCH_CPU) --json $(B)/bench/cpu.json
	@{ printf '{"resnet50_sim": '; cat $(B)/bench/resnet50_sim.json; \
	   printf ',\n"fashion_mnist_resdw_sim": '; cat $(B)/bench/fashion_sim.json; \
	   printf ',\n"cpu_vs_onednn": '; cat $(B)/bench/cpu.json; printf '}\n'; } > bench/results.json
	@echo "bench: wrote bench/results.json"
