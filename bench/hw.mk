# bench-hw: the device alone on ResNet layer shapes (prints a table, writes
# $(B)/bench/hw.json). Not a test: it reports figures.
BENCH_HW := $(B)/bench/bench_hw

$(B)/bench/bench_hw.o: CFLAGS += -Itests/sim

$(BENCH_HW): $(B)/bench/bench_hw.o $(SIMKIT_O) $(LIBNPU_A) $(NPUSIM_A)
	$(CC) $(CFLAGS) $< $(SIMKIT_O) -o $@ $(LIBNPU_A) $(NPUSIM_LIBS) $(LIBNPU_LDFLAGS)

build: $(BENCH_HW)

.PHONY: bench-hw
bench-hw: $(BENCH_HW)
	@mkdir -p $(B)/bench
	$(BENCH_HW) --json $(B)/bench/hw.json
