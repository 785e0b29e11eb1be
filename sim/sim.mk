# sim/: the Verilated model of hw/ plus the C API harness (npu_sim.cpp).
# Built once into libnpusim.a (static, for tests and tools) and
# libnpusim.so (loaded at run time by libnpu's sim backend).
SIM_OBJ      := $(B)/sim/obj
SIM_VFLAGS   := --cc --top-module npu_top -O3 --x-assign fast --x-initial fast \
                --noassert --trace-fst -Wall --Mdir $(SIM_OBJ) \
                -CFLAGS "-fPIC -O2 -std=c++17"
VL_INC       := /usr/share/verilator/include
# NPUSIM_PREBUILT=DIR uses the simulator built in DIR (the sanitizer build
# links the regular one: Verilator's C++ needs no instrumenting).
ifeq ($(NPUSIM_PREBUILT),)
NPUSIM_A     := $(B)/sim/libnpusim.a
NPUSIM_SO    := $(B)/sim/libnpusim.so
else
NPUSIM_A     := $(NPUSIM_PREBUILT)/sim/libnpusim.a
NPUSIM_SO    := $(NPUSIM_PREBUILT)/sim/libnpusim.so
endif
NPUSIM_LIBS   = $(NPUSIM_A) -lstdc++ -lz -lpthread -lm

ifeq ($(NPUSIM_PREBUILT),)

$(SIM_OBJ)/Vnpu_top__ALL.a: $(HW_SOURCES)
	@mkdir -p $(SIM_OBJ)
	verilator $(SIM_VFLAGS) $(abspath $(HW_SOURCES))
	$(MAKE) --no-print-directory -C $(SIM_OBJ) -f Vnpu_top.mk OPT_FAST=-O3 OPT_SLOW=-O1 \
		OPT_GLOBAL=-O2 Vnpu_top__ALL.a verilated.o verilated_fst_c.o verilated_threads.o

$(B)/sim/npu_sim.o: sim/npu_sim.cpp sim/npu_sim.h hw/npu_hw.h $(SIM_OBJ)/Vnpu_top__ALL.a
	$(CXX) -std=c++17 $(WARN) -O2 -g -fPIC -Isim -Ihw -isystem $(SIM_OBJ) -isystem $(VL_INC) \
		-isystem $(VL_INC)/vltstd -c $< -o $@

SIM_PARTS = $(B)/sim/npu_sim.o $(SIM_OBJ)/Vnpu_top__ALL.a $(SIM_OBJ)/verilated.o \
            $(SIM_OBJ)/verilated_fst_c.o $(SIM_OBJ)/verilated_threads.o

$(NPUSIM_A): $(B)/sim/npu_sim.o $(SIM_OBJ)/Vnpu_top__ALL.a
	rm -f $@
	cd $(B)/sim && rm -rf ar_tmp && mkdir ar_tmp && cd ar_tmp && ar x ../obj/Vnpu_top__ALL.a
	ar rcs $@ $(B)/sim/npu_sim.o $(B)/sim/ar_tmp/*.o $(SIM_OBJ)/verilated.o \
		$(SIM_OBJ)/verilated_fst_c.o $(SIM_OBJ)/verilated_threads.o
	rm -rf $(B)/sim/ar_tmp

$(NPUSIM_SO): $(B)/sim/npu_sim.o $(SIM_OBJ)/Vnpu_top__ALL.a
	$(CXX) -shared -o $@ $(B)/sim/npu_sim.o -Wl,--whole-archive $(SIM_OBJ)/Vnpu_top__ALL.a \
		-Wl,--no-whole-archive $(SIM_OBJ)/verilated.o $(SIM_OBJ)/verilated_fst_c.o \
		$(SIM_OBJ)/verilated_threads.o -lz -lpthread

build: $(NPUSIM_A) $(NPUSIM_SO)
endif
