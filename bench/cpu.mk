# bench-cpu: the fast CPU convolution (lib/cpu) against oneDNN on ResNet-50
# layers, 1 and 2 threads; writes $(B)/bench/cpu.json. oneDNN's CPU runtime
# is OpenMP, so the program is built with -fopenmp to set its thread count.
BENCH_CPU := $(B)/bench/bench_cpu

$(B)/bench/bench_cpu.o: CFLAGS += -fopenmp

$(BENCH_CPU): $(B)/bench/bench_cpu.o $(LIBNPU_A)
	$(CC) $(CFLAGS) -fopenmp $< -o $@ $(LIBNPU_A) -ldnnl -lpthread -lm

.PHONY: bench-cpu
bench-cpu: $(BENCH_CPU)
	@mkdir -p $(B)/bench
	$(BENCH_CPU) --json $(B)/bench/cpu.json

# bench/bench.mk (read before this file) runs $(BENCH_CPU) in `make bench`;
# its prerequisite list was expanded while BENCH_CPU was still empty, so
# the dependency is added here.
bench: $(BENCH_CPU)
