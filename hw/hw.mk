# hw/: the RTL. Its package of constants is generated from hw/npu_hw.h, so
# the header stays the single source of truth.
HW_PKG     := $(B)/hw/npu_regs_pkg.sv
HW_RTL     := hw/rtl/npu_sram.sv hw/rtl/npu_mac_array.sv hw/rtl/npu_requant.sv \
              hw/rtl/npu_ibuf.sv hw/rtl/npu_wbuf.sv hw/rtl/npu_pbuf.sv hw/rtl/npu_acc.sv \
              hw/rtl/npu_dw_geom.sv hw/rtl/npu_dw_walk.sv hw/rtl/npu_dw_window.sv \
              hw/rtl/npu_compute.sv hw/rtl/npu_writeback.sv hw/rtl/npu_dma_rd.sv \
              hw/rtl/npu_desc_check.sv hw/rtl/npu_fetch.sv hw/rtl/npu_loader.sv \
              hw/rtl/npu_ctrl.sv hw/rtl/npu_counters.sv hw/rtl/npu_top.sv
HW_SOURCES := $(HW_PKG) $(HW_RTL)

$(B)/hw/gen_hw_pkg: tools/gen_hw_pkg.c hw/npu_hw.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -Ihw $< -o $@

$(HW_PKG): $(B)/hw/gen_hw_pkg
	$< > $@

.PHONY: lint-rtl
lint-rtl: $(HW_SOURCES)
	verilator --lint-only -Wall --top-module npu_top $(HW_SOURCES)
	@echo "lint-rtl: verilator --lint-only -Wall: clean"

# Generic Yosys synthesis of the default configuration. SRAMs (npu_sram) are
# macros, as a memory compiler would provide them: read as black boxes and
# counted separately.
synth: $(HW_SOURCES) hw/synth.sh
	@mkdir -p $(B)/hw
	hw/synth.sh $(B)/hw $(HW_SOURCES)
