# Device tests: CMocka programs that drive the Verilated RTL through the
# simulator's C API (tests/sim/test_*.c, sharing simkit.c).
SIMT_SRCS  := $(wildcard tests/sim/test_*.c)
SIMT_PROGS := $(patsubst %.c,$(B)/%,$(SIMT_SRCS))
SIMKIT_O   := $(B)/tests/sim/simkit.o

$(B)/tests/sim/test_%: $(B)/tests/sim/test_%.o $(SIMKIT_O) $(LIBNPU_A) $(NPUSIM_A)
	$(CC) $(CFLAGS) $< $(SIMKIT_O) -o $@ $(LIBNPU_A) $(NPUSIM_LIBS) -lcmocka $(LIBNPU_LDFLAGS)

# The 8x8 model: the random layers (both modes) again, straight and through
# the library.
SIMT_8X8 := $(B)/tests/sim/test_sim_conv_random_8x8 $(B)/tests/sim/test_sim_dw_random_8x8 \
            $(B)/tests/sim/test_sim_chain_8x8
$(B)/tests/sim/%_8x8: $(B)/tests/sim/%.o $(SIMKIT_O) $(LIBNPU_A) $(NPUSIM8_A)
	$(CC) $(CFLAGS) $< $(SIMKIT_O) -o $@ $(LIBNPU_A) $(NPUSIM8_A) -lstdc++ -lz -lpthread -lm \
		-lcmocka $(LIBNPU_LDFLAGS)

build: $(SIMT_PROGS) $(SIMT_8X8)

.PHONY: test-sim
test-sim: $(SIMT_PROGS) $(SIMT_8X8) $(NPUSIM8_SO)
	@set -e; for t in $(SIMT_PROGS); do echo "--- $$t"; $$t; done
	@set -e; for t in $(SIMT_8X8); do echo "--- 8x8 array: $$t"; $$t; done
	@echo "--- 8x8 array: the library (NPU_SIM_LIB=$(NPUSIM8_SO))"; \
		NPU_SIM_LIB=$(abspath $(NPUSIM8_SO)) $(B)/tests/sim/test_lib_backends

TEST_STAGES += test-sim
# under valgrind too (quick mode): the harness, the sim backend, the device layer
VALGRIND_PROGS += $(B)/tests/sim/test_sim_smoke $(B)/tests/sim/test_sim_errors \
                  $(B)/tests/sim/test_lib_backends
$(B)/tests/sim/test_hw_consistency.o: CFLAGS += -DNPU_REGS_PKG=\"$(abspath $(HW_PKG))\"
$(B)/tests/sim/test_hw_consistency: $(HW_PKG)
$(B)/tests/sim/test_lib_backends.o: CFLAGS += -DNPU_EXAMPLES_DIR=\"$(abspath examples)\"
