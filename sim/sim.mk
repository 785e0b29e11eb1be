# sim/: the Verilated model of hw/ plus the C API harness (npu_sim.cpp).
# Built once into libnpusim.a (static, for tests and tools) and
# libnpusim.so (loaded at run time by libnpu's sim backend).
# A second model, the 8x8 array (build/sim8x8/), proves the parameters: the
# device tests run on it too.
VL_INC       := /usr/share/verilator/include
# NPUSIM_PREBUILT=DIR uses the simulator built in DIR (the sanitizer build
# links the regular one: Verilator's C++ needs no instrumenting).
SIM_DIR      := $(or $(NPUSIM_PREBUILT),$(B))
NPUSIM_A     := $(SIM_DIR)/sim/libnpusim.a
NPUSIM_SO    := $(SIM_DIR)/sim/libnpusim.so
NPUSIM8_A    := $(SIM_DIR)/sim8x8/libnpusim.a
NPUSIM8_SO   := $(SIM_DIR)/sim8x8/libnpusim.so
NPUSIM_LIBS   = $(NPUSIM_A) -lstdc++ -lz -lpthread -lm

ifeq ($(NPUSIM_PREBUILT),)

# $(1): output directory, $(2): Verilator parameter overrides
define sim_model
$(1)/obj/Vnpu_top__ALL.a: $(HW_SOURCES)
	@mkdir -p $(1)/obj
	verilator --cc --top-module npu_top -O3 --x-assign fast --x-initial fast --noassert \
		--trace-fst -Wall $(2) --Mdir $(1)/obj -CFLAGS "-fPIC -O2 -std=c++17" \
		$$(abspath $(HW_SOURCES))
	$$(MAKE) --no-print-directory -C $(1)/obj -f Vnpu_top.mk OPT_FAST=-O3 OPT_SLOW=-O1 \
		OPT_GLOBAL=-O2 Vnpu_top__ALL.a verilated.o verilated_fst_c.o verilated_threads.o

$(1)/npu_sim.o: sim/npu_sim.cpp sim/npu_sim.h hw/npu_hw.h $(1)/obj/Vnpu_top__ALL.a
	$$(CXX) -std=c++17 $(WARN) -O2 -g -fPIC -Isim -Ihw -isystem $(1)/obj -isystem $(VL_INC) \
		-isystem $(VL_INC)/vltstd -c $$< -o $$@

$(1)/libnpusim.a: $(1)/npu_sim.o $(1)/obj/Vnpu_top__ALL.a
	rm -f $$@
	cd $(1) && rm -rf ar_tmp && mkdir ar_tmp && cd ar_tmp && ar x ../obj/Vnpu_top__ALL.a
	ar rcs $$@ $(1)/npu_sim.o $(1)/ar_tmp/*.o $(1)/obj/verilated.o \
		$(1)/obj/verilated_fst_c.o $(1)/obj/verilated_threads.o
	rm -rf $(1)/ar_tmp

$(1)/libnpusim.so: $(1)/npu_sim.o $(1)/obj/Vnpu_top__ALL.a
	$$(CXX) -shared $$(LDFLAGS) -o $$@ $(1)/npu_sim.o -Wl,--whole-archive $(1)/obj/Vnpu_top__ALL.a \
		-Wl,--no-whole-archive $(1)/obj/verilated.o $(1)/obj/verilated_fst_c.o \
		$(1)/obj/verilated_threads.o -lz -lpthread
endef

$(eval $(call sim_model,$(B)/sim,))
$(eval $(call sim_model,$(B)/sim8x8,-GROWS=8 -GCOLS=8))

build: $(NPUSIM_A) $(NPUSIM_SO) $(NPUSIM8_A) $(NPUSIM8_SO)
endif
