# RTL unit tests: single blocks Verilated on their own (requantizer, MAC
# array, DMA read engine) and driven from C through thin shims.
RTL_UNIT_VFLAGS := --cc -O3 --x-assign fast --x-initial fast -Wall

define rtl_unit
$(B)/tests/rtl/obj_$(1)/V$(1)__ALL.a: $(HW_PKG) hw/rtl/$(1).sv
	@mkdir -p $$(dir $$@)
	verilator $(RTL_UNIT_VFLAGS) --top-module $(1) --Mdir $(B)/tests/rtl/obj_$(1) \
		$(abspath $(HW_PKG) hw/rtl/$(1).sv)
	$$(MAKE) --no-print-directory -C $(B)/tests/rtl/obj_$(1) -f V$(1).mk OPT_FAST=-O2 \
		V$(1)__ALL.a verilated.o verilated_threads.o

$(B)/tests/rtl/$(2).o: tests/rtl/$(2).cpp tests/rtl/rtl_units.h $(B)/tests/rtl/obj_$(1)/V$(1)__ALL.a
	$$(CXX) -std=c++17 $(WARN) -O2 -Itests/rtl -isystem $(B)/tests/rtl/obj_$(1) \
		-isystem $(VL_INC) -c $$< -o $$@

$(B)/tests/rtl/$(3): $(B)/tests/rtl/$(3).o $(B)/tests/rtl/$(2).o $(LIBNPU_A)
	$$(CC) $$(CFLAGS) $$^ $(B)/tests/rtl/obj_$(1)/V$(1)__ALL.a \
		$(B)/tests/rtl/obj_$(1)/verilated.o $(B)/tests/rtl/obj_$(1)/verilated_threads.o -o $$@ -lcmocka -lstdc++ -lpthread $(LIBNPU_LDFLAGS) -lm
RTL_UNIT_PROGS += $(B)/tests/rtl/$(3)
endef

RTL_UNIT_PROGS :=
$(eval $(call rtl_unit,npu_requant,rq_shim,test_rtl_requant))
$(eval $(call rtl_unit,npu_mac_array,mac_shim,test_rtl_mac))
$(eval $(call rtl_unit,npu_dma_rd,dma_shim,test_rtl_dma))

$(B)/tests/rtl/%.o: CFLAGS += -Itests/rtl

build: $(RTL_UNIT_PROGS)

.PHONY: test-rtl
test-rtl: $(RTL_UNIT_PROGS) lint-rtl
	@set -e; for t in $(RTL_UNIT_PROGS); do echo "--- $$t"; $$t; done

TEST_STAGES += test-rtl
