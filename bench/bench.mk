# make bench: the library's figures. bench-nets: ResNet-50/18, MobileNet-v1/v2
# and VGG-16 through libnpu on the simulated device (per layer and total:
# cycles, MAC utilization, DRAM bytes against the compulsory minimum, each
# layer's DRAM roofline), ResNet-50 again at 8 B/cycle DRAM, the FC
# 2048->1000 layer at batch 1 and 32; net_report prints the tables and issue
# 8's floors beside the measured values and writes the per-layer plots
# (gnuplot, bench/*_layers.svg and .png). Then the trained Fashion-MNIST
# networks on the first 1,000 test images on the simulated device against
# ONNX Runtime's golden outputs (bench-golden; the resdw run's report is
# kept), and the CPU path against oneDNN on the ResNet-50 layers; everything
# is merged into bench/results.json.
FMNIST_DATA := /usr/share/datasets/fashion-mnist
NET_REPORT  := $(B)/bench/net_report
# networks of examples/ run whole on the simulator; the ones plotted
BENCH_NETS  := resnet50 resnet18 mobilenet_v1 mobilenet_v2 vgg16
BENCH_PLOTS := resnet50 mobilenet_v1 mobilenet_v2 vgg16
# every run net_report reads: ID=report
BENCH_RUNS   = $(foreach n,$(BENCH_NETS),$(n)=$(B)/bench/$(n)_sim.json) \
	       resnet50_dram8=$(B)/bench/resnet50_dram8_sim.json \
	       fc2048_b1=$(B)/bench/fc2048_b1_sim.json fc2048_b32=$(B)/bench/fc2048_b32_sim.json

$(NET_REPORT): $(B)/bench/net_report.o
	$(CC) $(CFLAGS) $< -o $@ -ljansson -lm

build: $(NET_REPORT)

# $(1): report ID, $(2): npu run arguments. The table goes to ID_sim.txt;
# its totals are shown.
bench_net = $(B)/bin/npu run $(2) --backend sim --json-out $(B)/bench/$(1)_sim.json \
		> $(B)/bench/$(1)_sim.txt || { cat $(B)/bench/$(1)_sim.txt; exit 1; }; \
	echo "$(1): $$(grep '^device:' $(B)/bench/$(1)_sim.txt)"

.PHONY: bench bench-nets
bench-nets: $(B)/bin/npu $(NPUSIM_SO) $(NET_REPORT)
	@mkdir -p $(B)/bench/plots
	@set -e; for n in $(BENCH_NETS); do $(call bench_net,$${n},examples/$${n}.json); done
	@$(call bench_net,resnet50_dram8,examples/resnet50.json --dram-bw 8)
	@$(call bench_net,fc2048_b1,examples/fc2048.json)
	@$(call bench_net,fc2048_b32,examples/fc2048.json --batch 32)
	$(NET_REPORT) --json $(B)/bench/nets.json --plot-dir $(B)/bench/plots --plot-out bench \
		$(addprefix --plot ,$(BENCH_PLOTS)) $(BENCH_RUNS)
	@set -e; for p in $(BENCH_PLOTS); do gnuplot $(B)/bench/plots/$$p.gp; done
	@echo "bench-nets: plots in $(foreach p,$(BENCH_PLOTS),bench/$(p)_layers.svg) (and .png)"

bench: $(B)/bin/npu $(B)/bench/bench_cpu
	@mkdir -p $(B)/bench && date +%s > $(B)/bench/started
	@# one after the other: the machine's cores are shared
	+@$(MAKE) --no-print-directory -f mk/main.mk bench-nets
	+@$(MAKE) --no-print-directory -f mk/main.mk bench-golden
	$(B)/bin/npu run examples/fashion_mnist/resdw_qdq.onnx --backend sim \
		--images $(FMNIST_DATA)/t10k-images-idx3-ubyte.gz \
		--labels $(FMNIST_DATA)/t10k-labels-idx1-ubyte.gz --limit 1000 --batch 100 \
		--golden examples/fashion_mnist/golden/resdw_qdq.golden.json \
		--json-out $(B)/bench/fashion_sim.json > $(B)/bench/fashion_sim.txt
	@tail -4 $(B)/bench/fashion_sim.txt
	$(BENCH_CPU) --json $(B)/bench/cpu.json
	@{ printf '{'; for r in $(BENCH_RUNS); do \
		printf '"%s_sim": ' "$${r%%=*}"; cat "$${r#*=}"; printf ',\n'; done; \
	   printf '"issue8_floors": '; cat $(B)/bench/nets.json; \
	   printf ',\n"fashion_mnist_resdw_sim": '; cat $(B)/bench/fashion_sim.json; \
	   printf ',\n"cpu_vs_onednn": '; cat $(B)/bench/cpu.json; printf '}\n'; } > bench/results.json
	@echo "bench: wrote bench/results.json in $$(( $$(date +%s) - $$(cat $(B)/bench/started) )) s"
