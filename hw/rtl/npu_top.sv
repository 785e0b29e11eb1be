// The NPU: register file and control, descriptor fetch, loader, ROWS x COLS
// MAC array with its buffers, writeback with requantization, DMA.
//
//   ring --fetch/validate--> queue --dispatch--> loader --(sets)--> compute
//        --(accumulator banks)--> writeback --> device memory
//
// Memory ports are ready/valid, byte addressed (a realigning stage would sit
// between them and an AXI interconnect in a real SoC): reads are bursts of
// up to 4 KiB returned in order in BEAT-byte beats that the device always
// accepts; writes are single beats of up to BEAT bytes. The rd/wr kind and
// idx sidebands name what an access is for and which ring entry it serves.
module npu_top #(
  parameter int unsigned ROWS        = npu_regs_pkg::DEF_ROWS,
  parameter int unsigned COLS        = npu_regs_pkg::DEF_COLS,
  parameter int unsigned IBUF_BYTES  = npu_regs_pkg::DEF_IBUF_BYTES,
  parameter int unsigned WBUF_BYTES  = npu_regs_pkg::DEF_WBUF_BYTES,
  parameter int unsigned ACC_DEPTH   = npu_regs_pkg::DEF_ACC_DEPTH,
  parameter int unsigned PBUF_DEPTH  = npu_regs_pkg::DEF_PBUF_DEPTH,
  parameter int unsigned MAX_K       = npu_regs_pkg::DEF_MAX_K,
  parameter int unsigned MAX_STRIDE  = npu_regs_pkg::DEF_MAX_STRIDE,
  parameter int unsigned MAX_DIL     = npu_regs_pkg::DEF_MAX_DIL,
  parameter int unsigned MAX_DIM     = npu_regs_pkg::DEF_MAX_DIM,
  parameter int unsigned OUTSTANDING = npu_regs_pkg::DEF_DMA_OUTSTANDING,
  localparam int unsigned BEAT       = npu_regs_pkg::DEF_DMA_BEAT,
  localparam int unsigned BURST_LOG2 = npu_regs_pkg::DEF_DMA_BURST_LOG2
) (
  input  logic              clk,
  input  logic              rst_n,
  input  logic [4:0]        mem_log2,      // strap: device memory is 2^mem_log2 bytes
  // register bus: writes take effect at the clock edge, reads are combinational
  input  logic              reg_wr,
  input  logic [11:0]       reg_addr,
  input  logic [31:0]       reg_wdata,
  output logic [31:0]       reg_rdata,
  output logic              irq,
  output logic              idle,
  // memory read port
  output logic              rd_req_valid,
  input  logic              rd_req_ready,
  output logic [31:0]       rd_req_addr,
  output logic [12:0]       rd_req_len,
  output logic [2:0]        rd_req_kind,
  output logic [15:0]       rd_req_idx,
  input  logic              rd_valid,
  input  logic [BEAT*8-1:0] rd_data,
  // memory write port
  output logic              wr_valid,
  input  logic              wr_ready,
  output logic [31:0]       wr_addr,
  output logic [6:0]        wr_len,
  output logic [BEAT*8-1:0] wr_data,
  output logic [2:0]        wr_kind,
  output logic [15:0]       wr_idx,
  // test hook: fail the next descriptor with NPU_ERR_INTERNAL
  input  logic              dbg_inject_err
);
  localparam int unsigned NC   = npu_regs_pkg::NUM_COUNTERS;
  localparam int unsigned TAGW = 24;
  localparam int unsigned WA   = $clog2(IBUF_BYTES / ROWS);
  localparam int unsigned SA   = $clog2(ROWS);
  localparam int unsigned NB   = BEAT / ROWS;
  localparam int unsigned BA   = $clog2(NB);
  localparam int unsigned VA   = $clog2(WBUF_BYTES / BEAT);
  localparam int unsigned KA   = $clog2(WBUF_BYTES / (ROWS * COLS));
  localparam int unsigned NA   = $clog2(PBUF_DEPTH);
  localparam int unsigned CA   = $clog2(BEAT / 16);
  localparam int unsigned AW   = $clog2(ACC_DEPTH);
  localparam logic [31:0] RSVD = npu_regs_pkg::MEM_RESERVED;

  logic sreset, flush, rst_dp;
  assign rst_dp = rst_n && !sreset;

  // ---------------- control ----------------
  logic        fetch_run, restart_skip, fetch_idle;
  logic [31:0] ring_base;
  logic [15:0] ring_mask, tail, restart_ptr;
  logic        q_valid, q_pop, skip_retire;
  logic [1023:0] q_desc;
  logic [15:0] q_idx;
  logic [3:0]  q_err;
  logic [31:0] q_info;
  logic        loader_can_accept, loader_start, loader_invalidate;
  logic        pipeline_empty, downstream_empty;
  logic        wb_retire, wb_err_valid;
  logic [31:0] wb_err_info, wb_err_tag;
  logic [15:0] wb_err_idx;
  logic        rd_fault, wr_fault, dma_empty;
  logic [15:0] rd_fault_idx;
  logic [NC*64-1:0] counters;
  logic        st_wr_valid, st_wr_ready;
  logic [31:0] st_wr_addr;
  logic [6:0]  st_wr_len;
  logic [BEAT*8-1:0] st_wr_data;
  logic [15:0] st_wr_idx;
  logic        busy;
  logic [1:0]  retired;

  npu_ctrl #(
    .ROWS(ROWS), .COLS(COLS), .IBUF_BYTES(IBUF_BYTES), .WBUF_BYTES(WBUF_BYTES),
    .ACC_DEPTH(ACC_DEPTH), .PBUF_DEPTH(PBUF_DEPTH), .MAX_K(MAX_K), .MAX_STRIDE(MAX_STRIDE),
    .MAX_DIL(MAX_DIL), .MAX_DIM(MAX_DIM), .BEAT(BEAT), .BURST_LOG2(BURST_LOG2),
    .OUTSTANDING(OUTSTANDING)
  ) u_ctrl (
    .clk, .rst_n, .mem_log2, .reg_wr, .reg_addr, .reg_wdata, .reg_rdata, .irq,
    .fetch_run, .ring_base, .ring_mask, .tail, .restart_ptr, .restart_skip, .fetch_idle,
    .q_valid, .q_desc, .q_idx, .q_err, .q_info, .q_pop, .skip_retire,
    .loader_can_accept, .loader_start, .loader_invalidate, .pipeline_empty,
    .wb_retire, .wb_err_valid, .wb_err_info, .wb_err_idx, .wb_err_tag,
    .dma_fault(rd_fault || wr_fault), .dma_fault_idx(rd_fault ? rd_fault_idx : wr_idx),
    .dma_empty, .flush, .sreset, .counters,
    .st_wr_valid, .st_wr_ready, .st_wr_addr, .st_wr_len, .st_wr_data, .st_wr_idx,
    .busy, .idle, .retired);

  // ---------------- DMA read ----------------
  logic [1:0]        c_valid, c_ready;
  logic [31:0]       f_req_addr, l_req_addr;
  logic [12:0]       f_req_len, l_req_len;
  logic [2:0]        l_req_kind;
  logic [15:0]       f_req_idx;
  logic [TAGW-1:0]   l_req_tag;
  logic              beat_valid, beat_client;
  logic [TAGW-1:0]   beat_tag;
  logic [12:0]       beat_len;
  logic [6:0]        beat_num;
  logic [BEAT*8-1:0] beat_data;
  logic              rd_fire;
  logic [12:0]       rd_bytes;
  logic              f_req_valid, l_req_valid;
  logic [15:0]       l_idx;

  assign c_valid = {l_req_valid, f_req_valid};

  npu_dma_rd #(.BEAT(BEAT), .OUTSTANDING(OUTSTANDING), .TAGW(TAGW)) u_dma_rd (
    .clk, .rst_n(rst_dp), .drop(flush), .hold(flush), .mem_log2,
    .c_valid, .c_ready,
    .c_addr({l_req_addr, f_req_addr}), .c_len({l_req_len, f_req_len}),
    .c_kind({l_req_kind, 3'd0}), .c_idx({l_idx, f_req_idx}),
    .c_tag({l_req_tag, {TAGW{1'b0}}}),
    .rd_req_valid, .rd_req_ready, .rd_req_addr, .rd_req_len, .rd_req_kind, .rd_req_idx,
    .rd_valid, .rd_data,
    .beat_valid, .beat_client, .beat_tag, .beat_len, .beat_num, .beat_data,
    .empty(dma_empty), .fault(rd_fault), .fault_idx(rd_fault_idx),
    .req_fire(rd_fire), .req_bytes(rd_bytes));

  // ---------------- fetch ----------------
  npu_fetch #(
    .ROWS(ROWS), .COLS(COLS), .IBUF_BYTES(IBUF_BYTES), .WBUF_BYTES(WBUF_BYTES),
    .ACC_DEPTH(ACC_DEPTH), .PBUF_DEPTH(PBUF_DEPTH), .MAX_K(MAX_K), .MAX_STRIDE(MAX_STRIDE),
    .MAX_DIL(MAX_DIL), .MAX_DIM(MAX_DIM), .BEAT(BEAT)
  ) u_fetch (
    .clk, .rst_n(rst_dp), .flush, .restart_ptr, .restart_skip, .mem_log2,
    .run(fetch_run), .ring_base, .ring_mask, .tail, .inject(dbg_inject_err),
    .req_valid(f_req_valid), .req_ready(c_ready[0]), .req_addr(f_req_addr),
    .req_len(f_req_len), .req_idx(f_req_idx),
    .beat_valid(beat_valid && !beat_client), .beat_num, .beat_data,
    .q_valid, .q_desc, .q_idx, .q_err, .q_info, .q_pop, .skip_retire, .idle(fetch_idle));

  // ---------------- loader and buffers ----------------
  logic              rdy_valid, rdy_take, rdy_in_set, rdy_w_set, rdy_p_set, rdy_err;
  logic [1023:0]     rdy_desc;
  logic [15:0]       rdy_idx;
  logic [31:0]       rdy_err_info;
  logic              rel_valid, rel_in_set, rel_w_set, rel_p_set;
  logic              ib_wr_en, ib_wr_set, wb_wr_en, wb_wr_set, pb_wr_en, pb_wr_set;
  logic [WA-1:0]     ib_wr_word;
  logic [BA:0]       ib_wr_nwords;
  logic [VA-1:0]     wb_wr_word;
  logic [NA-1:0]     pb_wr_rec;
  logic [CA:0]       pb_wr_nrec;
  logic [BEAT*8-1:0] ld_wr_data;
  logic [1:0]        ld_phase;
  logic [2*(VA+1)-1:0] ld_w_words;

  assign l_idx = rdy_idx;

  npu_loader #(
    .ROWS(ROWS), .COLS(COLS), .IBUF_BYTES(IBUF_BYTES), .WBUF_BYTES(WBUF_BYTES),
    .PBUF_DEPTH(PBUF_DEPTH), .BEAT(BEAT), .TAGW(TAGW)
  ) u_loader (
    .clk, .rst_n(rst_dp), .flush, .invalidate(loader_invalidate),
    .start(loader_start), .desc(q_desc), .idx(q_idx), .can_accept(loader_can_accept),
    .downstream_empty,
    .rdy_valid, .rdy_desc, .rdy_idx, .rdy_in_set, .rdy_w_set, .rdy_p_set, .rdy_err,
    .rdy_err_info, .rdy_take, .rel_valid, .rel_in_set, .rel_w_set, .rel_p_set,
    .req_valid(l_req_valid), .req_ready(c_ready[1]), .req_addr(l_req_addr),
    .req_len(l_req_len), .req_kind(l_req_kind), .req_tag(l_req_tag),
    .beat_valid(beat_valid && beat_client), .beat_tag, .beat_len, .beat_num, .beat_data,
    .ib_wr_en, .ib_wr_set, .ib_wr_word, .ib_wr_nwords,
    .wb_wr_en, .wb_wr_set, .wb_wr_word, .pb_wr_en, .pb_wr_set, .pb_wr_rec, .pb_wr_nrec,
    .wr_data(ld_wr_data), .w_words(ld_w_words), .phase(ld_phase));

  logic              ib_rd_en, ib_rd_set, wb_rd_en, wb_rd_set, pb_rd_en, pb_rd_set;
  logic [WA-1:0]     ib_rd_word;
  logic [SA-1:0]     ib_rd_shift;
  logic [ROWS*8-1:0] ib_rd_data;
  logic              ib_rd_gather;
  logic [NB*(WA-BA)-1:0] ib_rd_bank_addr;
  logic [NB*ROWS*8-1:0]  ib_rd_banks;
  logic [KA-1:0]     wb_rd_block;
  logic [ROWS*COLS*8-1:0] wb_rd_data;
  logic [NA-1:0]     pb_rd_rec;
  logic [COLS*128-1:0] pb_rd_data;

  npu_ibuf #(.ROWS(ROWS), .BYTES(IBUF_BYTES), .BEAT(BEAT)) u_ibuf (
    .clk, .wr_en(ib_wr_en), .wr_set(ib_wr_set), .wr_word(ib_wr_word),
    .wr_nwords(ib_wr_nwords), .wr_data(ld_wr_data),
    .rd_en(ib_rd_en), .rd_set(ib_rd_set), .rd_word(ib_rd_word), .rd_shift(ib_rd_shift),
    .rd_data(ib_rd_data), .rd_gather(ib_rd_gather), .rd_bank_addr(ib_rd_bank_addr),
    .rd_banks(ib_rd_banks));

  npu_wbuf #(.ROWS(ROWS), .COLS(COLS), .BYTES(WBUF_BYTES), .BEAT(BEAT)) u_wbuf (
    .clk, .wr_en(wb_wr_en), .wr_set(wb_wr_set), .wr_word(wb_wr_word), .wr_data(ld_wr_data),
    .rd_en(wb_rd_en), .rd_set(wb_rd_set), .rd_block(wb_rd_block), .rd_data(wb_rd_data));

  npu_pbuf #(.COLS(COLS), .DEPTH(PBUF_DEPTH), .BEAT(BEAT)) u_pbuf (
    .clk, .wr_en(pb_wr_en), .wr_set(pb_wr_set), .wr_rec(pb_wr_rec), .wr_nrec(pb_wr_nrec),
    .wr_data(ld_wr_data), .rd_en(pb_rd_en), .rd_set(pb_rd_set), .rd_rec(pb_rd_rec),
    .rd_data(pb_rd_data));

  // ---------------- compute, accumulators, writeback ----------------
  logic               acc_c_rd_en, acc_c_rd_bank, acc_wr_en, acc_wr_bank;
  logic [AW-1:0]      acc_c_rd_addr, acc_wr_addr;
  logic [COLS*32-1:0] acc_c_rd_data, acc_wr_data;
  logic               acc_w_rd_en, acc_w_rd_bank;
  logic [AW-1:0]      acc_w_rd_addr;
  logic [COLS*32-1:0] acc_w_rd_data;
  logic [1:0]         slot_busy;
  logic               slot_setup, slot_setup_id, slot_last, slot_err, slot_commit, slot_commit_id;
  logic [1023:0]      slot_desc;
  logic [15:0]        slot_idx;
  logic [31:0]        slot_chbase, slot_err_info;
  logic [5:0]         slot_nvalid;
  logic [15:0]        slot_oy0, slot_nrows;
  logic [COLS*128-1:0] slot_prow;
  logic               comp_idle, comp_busy_desc, wait_bank, wait_weights, mac_issue;
  logic [15:0]        macs_inc;

  npu_compute #(
    .ROWS(ROWS), .COLS(COLS), .IBUF_BYTES(IBUF_BYTES), .WBUF_BYTES(WBUF_BYTES),
    .ACC_DEPTH(ACC_DEPTH), .PBUF_DEPTH(PBUF_DEPTH), .BEAT(BEAT)
  ) u_compute (
    .clk, .rst_n(rst_dp), .flush,
    .rdy_valid, .rdy_desc, .rdy_idx, .rdy_in_set, .rdy_w_set, .rdy_p_set, .rdy_err,
    .rdy_err_info, .w_words(ld_w_words), .rdy_take, .rel_valid, .rel_in_set, .rel_w_set,
    .rel_p_set,
    .ib_rd_en, .ib_rd_set, .ib_rd_word, .ib_rd_shift, .ib_rd_data,
    .ib_rd_gather, .ib_rd_bank_addr, .ib_rd_banks,
    .wb_rd_en, .wb_rd_set, .wb_rd_block, .wb_rd_data,
    .pb_rd_en, .pb_rd_set, .pb_rd_rec, .pb_rd_data,
    .acc_rd_en(acc_c_rd_en), .acc_rd_bank(acc_c_rd_bank), .acc_rd_addr(acc_c_rd_addr),
    .acc_rd_data(acc_c_rd_data), .acc_wr_en, .acc_wr_bank, .acc_wr_addr, .acc_wr_data,
    .slot_busy, .slot_setup, .slot_setup_id, .slot_desc, .slot_idx, .slot_chbase,
    .slot_nvalid, .slot_oy0, .slot_nrows, .slot_last, .slot_prow, .slot_err, .slot_err_info,
    .slot_commit, .slot_commit_id,
    .idle(comp_idle), .busy_desc(comp_busy_desc), .wait_bank, .wait_weights, .mac_issue,
    .macs_inc);

  npu_acc #(.COLS(COLS), .DEPTH(ACC_DEPTH)) u_acc (
    .clk,
    .c_rd_en(acc_c_rd_en), .c_rd_bank(acc_c_rd_bank), .c_rd_addr(acc_c_rd_addr),
    .c_rd_data(acc_c_rd_data),
    .c_wr_en(acc_wr_en), .c_wr_bank(acc_wr_bank), .c_wr_addr(acc_wr_addr),
    .c_wr_data(acc_wr_data),
    .w_rd_en(acc_w_rd_en), .w_rd_bank(acc_w_rd_bank), .w_rd_addr(acc_w_rd_addr),
    .w_rd_data(acc_w_rd_data));

  logic              o_valid, o_ready, wb_idle, stall_write;
  logic [31:0]       o_addr;
  logic [6:0]        o_len;
  logic [BEAT*8-1:0] o_data;
  logic [15:0]       o_idx;

  npu_writeback #(.COLS(COLS), .ACC_DEPTH(ACC_DEPTH), .BEAT(BEAT)) u_wb (
    .clk, .rst_n(rst_dp), .flush,
    .slot_setup, .slot_setup_id, .slot_desc, .slot_idx, .slot_chbase, .slot_nvalid,
    .slot_oy0, .slot_nrows, .slot_last, .slot_prow, .slot_err, .slot_err_info, .slot_commit, .slot_commit_id,
    .slot_busy,
    .acc_rd_en(acc_w_rd_en), .acc_rd_bank(acc_w_rd_bank), .acc_rd_addr(acc_w_rd_addr),
    .acc_rd_data(acc_w_rd_data),
    .wr_valid(o_valid), .wr_ready(o_ready), .wr_addr(o_addr), .wr_len(o_len),
    .wr_data(o_data), .wr_idx(o_idx),
    .retire(wb_retire), .err_valid(wb_err_valid), .err_info(wb_err_info),
    .err_idx(wb_err_idx), .err_tag(wb_err_tag), .idle(wb_idle), .stall_write);

  assign downstream_empty = comp_idle && wb_idle;
  assign pipeline_empty = loader_can_accept && downstream_empty;

  // ---------------- memory write port: outputs, or a fence's statistics ----------------
  logic        w_src_valid;
  logic [32:0] w_end;
  logic        w_ok;
  always_comb begin
    w_src_valid = st_wr_valid || o_valid;
    wr_addr  = st_wr_valid ? st_wr_addr : o_addr;
    wr_len   = st_wr_valid ? st_wr_len : o_len;
    wr_data  = st_wr_valid ? st_wr_data : o_data;
    wr_idx   = st_wr_valid ? st_wr_idx : o_idx;
    wr_kind  = st_wr_valid ? 3'd5 : 3'd4;
    w_end    = {1'b0, wr_addr} + {26'd0, wr_len};
    // the last line of defence: never write outside device memory
    w_ok     = wr_addr >= RSVD && w_end <= (33'd1 << mem_log2);
    wr_valid = w_src_valid && w_ok;
    o_ready     = !st_wr_valid && (w_ok ? wr_ready : 1'b1);
    st_wr_ready = w_ok ? wr_ready : 1'b1;
    wr_fault    = w_src_valid && !w_ok;
  end

  // ---------------- counters ----------------
  logic [NC*16-1:0] inc;
  logic             wr_fire;
  logic             array_idle;
  assign wr_fire = wr_valid && wr_ready;
  assign array_idle = busy && !mac_issue && !wait_bank && !comp_busy_desc;
  always_comb begin
    inc = '0;
    inc[npu_regs_pkg::CNT_CYCLES*16 +: 16]        = 16'd1;
    inc[npu_regs_pkg::CNT_BUSY*16 +: 16]          = {15'd0, busy};
    inc[npu_regs_pkg::CNT_MAC_ACTIVE*16 +: 16]    = {15'd0, mac_issue};
    inc[npu_regs_pkg::CNT_MACS*16 +: 16]          = mac_issue ? macs_inc : 16'd0;
    inc[npu_regs_pkg::CNT_RD_BYTES*16 +: 16]      = rd_fire ? {3'd0, rd_bytes} : 16'd0;
    inc[npu_regs_pkg::CNT_WR_BYTES*16 +: 16]      = wr_fire ? {9'd0, wr_len} : 16'd0;
    inc[npu_regs_pkg::CNT_DESCS*16 +: 16]         = {14'd0, retired};
    inc[npu_regs_pkg::CNT_CONVS*16 +: 16]         = {15'd0, wb_retire};
    inc[npu_regs_pkg::CNT_STALL_FETCH*16 +: 16]   = {15'd0, array_idle && ld_phase == 2'd0};
    inc[npu_regs_pkg::CNT_STALL_INPUT*16 +: 16]   = {15'd0, array_idle && ld_phase == 2'd3};
    inc[npu_regs_pkg::CNT_STALL_WEIGHT*16 +: 16]  = {15'd0, (array_idle && ld_phase == 2'd2) ||
                                                            wait_weights};
    inc[npu_regs_pkg::CNT_STALL_ACC*16 +: 16]     = {15'd0, wait_bank};
    inc[npu_regs_pkg::CNT_STALL_WRITE*16 +: 16]   = {15'd0, stall_write};
    inc[npu_regs_pkg::CNT_STALL_BARRIER*16 +: 16] = {15'd0, array_idle && ld_phase == 2'd1};
    inc[npu_regs_pkg::CNT_RD_REQS*16 +: 16]       = {15'd0, rd_fire};
    inc[npu_regs_pkg::CNT_WR_REQS*16 +: 16]       = {15'd0, wr_fire};
  end

  npu_counters u_counters (.clk, .rst_n(rst_dp), .inc, .value(counters));
endmodule
