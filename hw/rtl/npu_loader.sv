// Loader: brings one conv descriptor's data on chip while the compute
// engine works on the previous one. For each kind of data (channel
// parameters, weights, input tile) it either reuses the set that already
// holds exactly that data (a tag match: same addresses and shape since the
// last barrier) or loads the other set once the compute engine released it.
// Weights and parameters are contiguous byte ranges; the input tile is one
// burst sequence per row when rows are dense, else one per pixel, so that
// every pixel starts on a buffer word. In depthwise mode every row takes
// an odd number of words (the compute engine reads several rows of a
// kernel column at once, one per bank).
//
// Channel parameters are checked as they arrive (npu_check_chan_param());
// the first bad record travels with the descriptor as an error token.
//
// Order: parameters, input tile, weights. The descriptor is handed to the
// compute engine as soon as its parameters and input have arrived and its
// weight set is chosen; the weights keep streaming in behind it (in the
// order the engine consumes them) and w_words counts, per set, the weight
// words that have arrived, so the engine waits only for a block it is
// about to use. The weights of a descriptor thus load while the one
// before computes, and while its own first blocks compute.
module npu_loader #(
  parameter int unsigned ROWS       = 16,
  parameter int unsigned COLS       = 16,
  parameter int unsigned IBUF_BYTES = 131072,
  parameter int unsigned WBUF_BYTES = 131072,
  parameter int unsigned PBUF_DEPTH = 1024,
  parameter int unsigned BEAT       = 64,
  parameter int unsigned TAGW       = 24,
  localparam int unsigned NB  = BEAT / ROWS,
  localparam int unsigned WA  = $clog2(IBUF_BYTES / ROWS),
  localparam int unsigned BA  = $clog2(NB),
  localparam int unsigned VA  = $clog2(WBUF_BYTES / BEAT),
  localparam int unsigned NA  = $clog2(PBUF_DEPTH),
  localparam int unsigned RPB = BEAT / 16,
  localparam int unsigned CA  = $clog2(RPB)
) (
  input  logic              clk,
  input  logic              rst_n,
  input  logic              flush,
  input  logic              invalidate,     // forget what the sets hold (fence)
  // from the dispatcher
  input  logic              start,
  input  logic [1023:0]     desc,
  input  logic [15:0]       idx,
  output logic              can_accept,
  input  logic              downstream_empty,
  // to compute
  output logic              rdy_valid,
  output logic [1023:0]     rdy_desc,
  output logic [15:0]       rdy_idx,
  output logic              rdy_in_set,
  output logic              rdy_w_set,
  output logic              rdy_p_set,
  output logic              rdy_err,
  output logic [31:0]       rdy_err_info,
  input  logic              rdy_take,
  input  logic              rel_valid,
  input  logic              rel_in_set,
  input  logic              rel_w_set,
  input  logic              rel_p_set,
  // DMA read client
  output logic              req_valid,
  input  logic              req_ready,
  output logic [31:0]       req_addr,
  output logic [12:0]       req_len,
  output logic [2:0]        req_kind,
  output logic [TAGW-1:0]   req_tag,
  input  logic              beat_valid,
  input  logic [TAGW-1:0]   beat_tag,
  input  logic [12:0]       beat_len,
  input  logic [6:0]        beat_num,
  input  logic [BEAT*8-1:0] beat_data,
  // buffer writes
  output logic              ib_wr_en,
  output logic              ib_wr_set,
  output logic [WA-1:0]     ib_wr_word,
  output logic [BA:0]       ib_wr_nwords,
  output logic              wb_wr_en,
  output logic              wb_wr_set,
  output logic [VA-1:0]     wb_wr_word,
  output logic              pb_wr_en,
  output logic              pb_wr_set,
  output logic [NA-1:0]     pb_wr_rec,
  output logic [CA:0]       pb_wr_nrec,
  output logic [BEAT*8-1:0] wr_data,
  // weight words (BEAT bytes) arrived in each set since it was chosen
  output logic [2*(VA+1)-1:0] w_words,
  // what it is waiting for (stall accounting)
  output logic [1:0]        phase           // 0 idle, 1 barrier, 2 weights/params, 3 input
);
  localparam int unsigned O_FLAGS   = 8 * npu_regs_pkg::HDR_flags;
  localparam int unsigned O_IN_ADDR = 8 * npu_regs_pkg::CONV_in_addr;
  localparam int unsigned O_IRS     = 8 * npu_regs_pkg::CONV_in_row_stride;
  localparam int unsigned O_IPS     = 8 * npu_regs_pkg::CONV_in_pix_stride;
  localparam int unsigned O_IN_H    = 8 * npu_regs_pkg::CONV_in_h;
  localparam int unsigned O_IN_W    = 8 * npu_regs_pkg::CONV_in_w;
  localparam int unsigned O_GROUPS  = 8 * npu_regs_pkg::CONV_groups;
  localparam int unsigned O_CIN     = 8 * npu_regs_pkg::CONV_cin_pg;
  localparam int unsigned O_COUT    = 8 * npu_regs_pkg::CONV_cout_pg;
  localparam int unsigned O_KH      = 8 * npu_regs_pkg::CONV_kh;
  localparam int unsigned O_KW      = 8 * npu_regs_pkg::CONV_kw;
  localparam int unsigned O_W_ADDR  = 8 * npu_regs_pkg::CONV_w_addr;
  localparam int unsigned O_CP_ADDR = 8 * npu_regs_pkg::CONV_cp_addr;
  localparam int unsigned O_W_TYPE  = 8 * npu_regs_pkg::CONV_w_type;
  localparam int unsigned O_RQ_MODE = 8 * npu_regs_pkg::CONV_rq_mode;
  localparam int unsigned B_SCALE   = npu_regs_pkg::CP_scale;
  localparam int unsigned B_SHIFT   = npu_regs_pkg::CP_shift;
  localparam int unsigned B_RSV0    = npu_regs_pkg::CP_reserved0;
  localparam int unsigned B_WZP     = npu_regs_pkg::CP_w_zp;
  localparam int unsigned B_RSV1    = npu_regs_pkg::CP_reserved1;
  localparam logic [2:0]  K_INPUT   = 3'd1;
  localparam logic [2:0]  K_WEIGHTS = 3'd2;
  localparam logic [2:0]  K_PARAMS  = 3'd3;
  localparam int unsigned LR = $clog2(ROWS);
  localparam int unsigned LC = $clog2(COLS);
  localparam int unsigned LB = $clog2(BEAT);
  localparam logic [31:0] ROWSM1 = ROWS - 1;
  localparam logic [31:0] BLK = ROWS * COLS;
  localparam logic [31:0] BURST = 32'd4096;
  localparam logic [12:0] BEAT13 = BEAT[12:0];
  localparam logic [CA:0] RPB1 = RPB[CA:0];

  typedef enum logic [2:0] {L_IDLE, L_BARRIER, L_PARAMS, L_INPUT, L_WEIGHTS, L_TAIL} lstate_e;
  lstate_e st;

  logic [1023:0] d;
  logic [15:0]   d_idx;

  // descriptor-derived values
  logic [31:0] in_addr, irs, ips, w_addr, cp_addr;
  logic [15:0] in_h, in_w, groups, cin, cout;
  logic [7:0]  kh, kw, w_type, rq_mode;
  logic [31:0] ch_in, ch_out, pw, wbytes, pbytes, rwp;
  logic        dense, dwm;
  logic [7:0]  dw_nsx, dw_nsy;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [7:0]  dw_tw, dw_th;    // only the slice counts size the weights
  /* verilator lint_on UNUSEDSIGNAL */
  logic [15:0] dw_ncs;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [47:0] rw_full;     // the capacity check keeps a row far below 2^32 words
  /* verilator lint_on UNUSEDSIGNAL */
  npu_dw_geom #(.ROWS(ROWS), .COLS(COLS)) u_dw_geom (
    .kh, .kw, .groups, .tw(dw_tw), .th(dw_th), .n_sx(dw_nsx), .n_sy(dw_nsy), .n_cs(dw_ncs));
  always_comb begin
    in_addr = d[O_IN_ADDR +: 32];
    irs     = d[O_IRS +: 32];
    ips     = d[O_IPS +: 32];
    w_addr  = d[O_W_ADDR +: 32];
    cp_addr = d[O_CP_ADDR +: 32];
    in_h    = d[O_IN_H +: 16];
    in_w    = d[O_IN_W +: 16];
    groups  = d[O_GROUPS +: 16];
    cin     = d[O_CIN +: 16];
    cout    = d[O_COUT +: 16];
    kh      = d[O_KH +: 8];
    kw      = d[O_KW +: 8];
    w_type  = d[O_W_TYPE +: 8];
    rq_mode = d[O_RQ_MODE +: 8];
    ch_in   = {16'd0, groups} * {16'd0, cin};
    ch_out  = {16'd0, groups} * {16'd0, cout};
    pw      = (ch_in + ROWSM1) >> LR;
    pbytes  = ch_out << 4;
    dense   = (ips == ch_in) && (ch_in[LR-1:0] == '0);
  end
  always_comb begin
    dwm     = (d[O_FLAGS +: 16] & npu_regs_pkg::CONV_DEPTHWISE_W) != 16'd0;
    // validated: weights fit the buffer, so 32 bits are plenty
    if (dwm)
      wbytes = {16'd0, dw_ncs} * {24'd0, dw_nsx} * {24'd0, dw_nsy} * BLK;
    else
      wbytes = {16'd0, groups} * (({16'd0, cout} + COLS - 1) >> LC) * {24'd0, kh} *
               {24'd0, kw} * (({16'd0, cin} + ROWSM1) >> LR) * BLK;
    rw_full = {32'd0, in_w} * {16'd0, pw};
    rwp     = dwm ? (rw_full[31:0] | 32'd1) : rw_full[31:0];
  end

  // ---- buffer-set bookkeeping ----
  // tags: what a set holds, valid until overwritten, a barrier or a fence
  logic         in_tv [2];
  logic [159:0] in_tag [2];
  logic         w_tv [2];
  logic [63:0]  w_tag [2];
  logic         p_tv [2];
  logic [79:0]  p_tag [2];
  logic         in_cur, w_cur, p_cur;
  logic [2:0]   in_ref [2];
  logic [2:0]   w_ref [2];
  logic [2:0]   p_ref [2];

  logic [159:0] in_key;
  logic [63:0]  w_key;
  logic [79:0]  p_key;
  always_comb begin
    in_key = {in_addr, irs, ips, in_h, in_w, ch_in[30:0], dwm};
    w_key  = {w_addr, wbytes};
    p_key  = {cp_addr, pbytes, w_type, rq_mode};
  end

  // which set this descriptor uses, and whether it must be loaded
  logic set_in, set_w, set_p;
  logic ld_in, ld_w, ld_p;

  // ---- request generator ----
  logic [31:0] g_addr;      // next burst address
  logic [31:0] g_rem;       // bytes left in the current run
  logic [31:0] g_dst;       // destination word/record of the next burst
  logic [15:0] g_y, g_x;    // input run position
  logic [12:0] g_len;
  logic [5:0]  outstanding;      // bursts in flight, all kinds
  logic [5:0]  out_w;            // of which weights
  logic        handed;           // the compute engine took the descriptor
  logic [VA:0] w_cnt [2];
  logic        req_fire;
  logic [31:0] run_bytes;

  always_comb begin
    g_len = (g_rem > BURST) ? 13'd4096 : g_rem[12:0];
    req_fire = req_valid && req_ready;
    run_bytes = dense ? ({16'd0, in_w} * ch_in) : ch_in;
  end

  assign req_addr = g_addr;
  assign req_len  = g_len;

  // ---- parameter checks on arrival ----
  logic [1:0]        bt_type;
  logic              bt_set;
  logic [TAGW-4:0]   bt_off;
  logic [12:0]       bt_left;
  logic [31:0]       nw_full;
  logic [CA:0]       nrec;
  logic              perr_any;
  logic [31:0]       perr_info;
  logic              err_q;
  logic [31:0]       err_info_q;

  always_comb begin
    bt_type = beat_tag[TAGW-1 -: 2];
    bt_set  = beat_tag[TAGW-3];
    bt_off  = beat_tag[TAGW-4:0];
    bt_left = beat_len - {beat_num[5:0], {LB{1'b0}}};
    nw_full = ({19'd0, bt_left} + ROWSM1) >> LR;
    nrec    = (bt_left >= BEAT13) ? RPB1 : bt_left[CA+4:4];
  end

  /* verilator lint_off UNUSEDSIGNAL */
  function automatic logic [7:0] chan_check(input logic [127:0] rec, input logic [7:0] mode,
                                           input logic [7:0] wt);   // the bias is any value
  /* verilator lint_on UNUSEDSIGNAL */
    logic signed [15:0] zp;
    logic signed [7:0]  sh;
    zp = $signed(rec[8*B_WZP +: 16]);
    sh = $signed(rec[8*B_SHIFT +: 8]);
    chan_check = 8'hff;   // no error
    if (mode == npu_regs_pkg::RQ_FP32_W && rec[8*B_SCALE + 23 +: 8] == 8'hff)       chan_check = B_SCALE[7:0];
    else if (mode == npu_regs_pkg::RQ_NONE_W && rec[8*B_SCALE +: 32] != 32'd0)     chan_check = B_SCALE[7:0];
    else if (mode == npu_regs_pkg::RQ_FIXED_W ? (sh < -8'sd31 || sh > 8'sd30) : (sh != 8'sd0))
                                                                   chan_check = B_SHIFT[7:0];
    else if (rec[8*B_RSV0 +: 8] != 8'd0)                           chan_check = B_RSV0[7:0];
    else if (wt == npu_regs_pkg::TYPE_INT8_W ? (zp < -16'sd128 || zp > 16'sd127) : (zp < 16'sd0 || zp > 16'sd255))
                                                                   chan_check = B_WZP[7:0];
    else if (rec[8*B_RSV1 +: 32] != 32'd0)                         chan_check = B_RSV1[7:0];
  endfunction

  logic [7:0] rec_verdict [RPB];
  always_comb begin
    perr_any = 1'b0;
    perr_info = 32'd0;
    for (int i = 0; i < RPB; i++)
      rec_verdict[i] = chan_check(beat_data[i*128 +: 128], rq_mode, w_type);
    // the lowest bad record of the beat wins
    for (int i = RPB - 1; i >= 0; i--) begin
      if ({{(31-CA){1'b0}}, i[CA:0]} < {{(31-CA){1'b0}}, nrec} && rec_verdict[i] != 8'hff) begin
        perr_any = 1'b1;
        perr_info = ((pb_rec_full + {{(32-CA){1'b0}}, i[CA-1:0]}) << 8) | {24'd0, rec_verdict[i]};
      end
    end
  end

  // ---- buffer writes straight from the beats ----
  /* verilator lint_off UNUSEDSIGNAL */
  logic [31:0] ib_word_full, wb_word_full, pb_rec_full;
  /* verilator lint_on UNUSEDSIGNAL */
  always_comb begin
    ib_word_full = {{(35-TAGW){1'b0}}, bt_off} + ({25'd0, beat_num} << BA);
    wb_word_full = {{(35-TAGW){1'b0}}, bt_off} + {25'd0, beat_num};
    pb_rec_full  = {{(35-TAGW){1'b0}}, bt_off} + ({25'd0, beat_num} << CA);
    ib_wr_en     = beat_valid && bt_type == 2'd1;
    ib_wr_set    = bt_set;
    ib_wr_word   = ib_word_full[WA-1:0];
    ib_wr_nwords = (nw_full > NB) ? NB[BA:0] : nw_full[BA:0];
    wb_wr_en     = beat_valid && bt_type == 2'd2;
    wb_wr_set    = bt_set;
    wb_wr_word   = wb_word_full[VA-1:0];
    pb_wr_en     = beat_valid && bt_type == 2'd3;
    pb_wr_set    = bt_set;
    pb_wr_rec    = pb_rec_full[NA-1:0];
    pb_wr_nrec   = nrec;
    wr_data      = beat_data;
  end

  // ---- handoff ----
  assign can_accept = (st == L_IDLE);
  assign rdy_in_set = set_in;
  assign rdy_w_set  = set_w;
  assign rdy_p_set  = set_p;
  assign rdy_err    = err_q;
  assign rdy_err_info = err_info_q;
  assign rdy_desc   = d;
  assign rdy_idx    = d_idx;
  // ready: parameters and input arrived, the weight set chosen. A
  // descriptor with a bad channel record waits for all its data: the
  // engine releases its sets without reading them, and no beat may land in
  // a set after that.
  assign rdy_valid  = !handed && (err_q ? (st == L_TAIL && outstanding == 6'd0) :
                                          (outstanding == out_w &&
                                           (st == L_TAIL || (st == L_WEIGHTS && ld_w))));
  assign w_words    = {w_cnt[1], w_cnt[0]};

  always_comb begin
    case (st)
      L_BARRIER: phase = 2'd1;
      L_PARAMS, L_WEIGHTS: phase = 2'd2;
      L_INPUT, L_TAIL: phase = 2'd3;
      default: phase = 2'd0;
    endcase
  end

  // the set a kind of data goes to: the current one on a tag match, else
  // the other one once it is free
  logic in_hit, w_hit, p_hit, in_free, w_free, p_free;
  always_comb begin
    in_hit  = in_tv[in_cur] && in_tag[in_cur] == in_key;
    w_hit   = w_tv[w_cur] && w_tag[w_cur] == w_key;
    p_hit   = p_tv[p_cur] && p_tag[p_cur] == p_key;
    in_free = in_ref[~in_cur] == 3'd0;
    w_free  = w_ref[~w_cur] == 3'd0;
    p_free  = p_ref[~p_cur] == 3'd0;
  end

  // a set is taken in the cycle the decision is made
  logic [1:0] in_take, w_take, p_take;
  always_comb begin
    in_take = 2'b00;
    w_take = 2'b00;
    p_take = 2'b00;
    if (st == L_PARAMS && !ld_p) begin
      if (p_hit) p_take[p_cur] = 1'b1;
      else if (p_free) p_take[~p_cur] = 1'b1;
    end
    if (st == L_WEIGHTS && !ld_w) begin
      if (w_hit) w_take[w_cur] = 1'b1;
      else if (w_free) w_take[~w_cur] = 1'b1;
    end
    if (st == L_INPUT && !ld_in) begin
      if (in_hit) in_take[in_cur] = 1'b1;
      else if (in_free) in_take[~in_cur] = 1'b1;
    end
  end


  always_comb begin
    req_valid = 1'b0;
    req_kind  = K_INPUT;
    req_tag   = '0;
    case (st)
      L_PARAMS: if (ld_p && g_rem != 32'd0) begin
        req_valid = 1'b1;
        req_kind  = K_PARAMS;
        req_tag   = {2'd3, set_p, g_dst[TAGW-4:0]};
      end
      L_WEIGHTS: if (ld_w && g_rem != 32'd0) begin
        req_valid = 1'b1;
        req_kind  = K_WEIGHTS;
        req_tag   = {2'd2, set_w, g_dst[TAGW-4:0]};
      end
      L_INPUT: if (ld_in && g_rem != 32'd0) begin
        req_valid = 1'b1;
        req_kind  = K_INPUT;
        req_tag   = {2'd1, set_in, g_dst[TAGW-4:0]};
      end
      default: ;
    endcase
  end

  logic loader_last_beat;
  assign loader_last_beat = beat_valid && (bt_left <= BEAT13);

  always_ff @(posedge clk) begin
    if (!rst_n || flush) begin
      st <= L_IDLE;
      outstanding <= 6'd0;
      out_w <= 6'd0;
      handed <= 1'b0;
      w_cnt[0] <= '0;
      w_cnt[1] <= '0;
      err_q <= 1'b0;
      in_cur <= 1'b0;
      w_cur <= 1'b0;
      p_cur <= 1'b0;
      for (int s = 0; s < 2; s++) begin
        in_tv[s] <= 1'b0;
        w_tv[s] <= 1'b0;
        p_tv[s] <= 1'b0;
        in_ref[s] <= 3'd0;
        w_ref[s] <= 3'd0;
        p_ref[s] <= 3'd0;
      end
    end else begin
      outstanding <= outstanding + {5'd0, req_fire} - {5'd0, loader_last_beat};
      out_w <= out_w + {5'd0, req_fire && st == L_WEIGHTS} -
               {5'd0, loader_last_beat && bt_type == 2'd2};
      if (wb_wr_en) w_cnt[bt_set] <= w_cnt[bt_set] + 1'b1;
      if (rdy_take) handed <= 1'b1;
      if (invalidate)
        for (int s = 0; s < 2; s++) begin
          in_tv[s] <= 1'b0;
          w_tv[s] <= 1'b0;
          p_tv[s] <= 1'b0;
        end
      // references: +1 when a descriptor takes a set, -1 when compute is done
      for (int s = 0; s < 2; s++) begin
        in_ref[s] <= in_ref[s] + {2'd0, in_take[s]} - {2'd0, rel_valid && rel_in_set == s[0]};
        w_ref[s]  <= w_ref[s] + {2'd0, w_take[s]} - {2'd0, rel_valid && rel_w_set == s[0]};
        p_ref[s]  <= p_ref[s] + {2'd0, p_take[s]} - {2'd0, rel_valid && rel_p_set == s[0]};
      end
      if (pb_wr_en && perr_any && !err_q) begin
        err_q <= 1'b1;
        err_info_q <= perr_info;
      end

      if (req_fire) begin
        g_addr <= g_addr + {19'd0, g_len};
        g_rem  <= g_rem - {19'd0, g_len};
        case (st)
          L_PARAMS:  g_dst <= g_dst + 32'd256;            // 4096 / 16 records
          L_WEIGHTS: g_dst <= g_dst + 32'd64;             // 4096 / 64 words
          default:   g_dst <= g_dst + (BURST >> LR);      // words
        endcase
      end

      case (st)
        L_IDLE: if (start) begin
          d      <= desc;
          d_idx  <= idx;
          err_q  <= 1'b0;
          handed <= 1'b0;
          st    <= (desc[O_FLAGS +: 16] & npu_regs_pkg::CONV_BARRIER_W) != 16'd0 ? L_BARRIER : L_PARAMS;
          ld_p  <= 1'b0;
          ld_w  <= 1'b0;
          ld_in <= 1'b0;
        end
        L_BARRIER: if (downstream_empty) begin
          for (int s = 0; s < 2; s++) begin
            in_tv[s] <= 1'b0;
            w_tv[s] <= 1'b0;
            p_tv[s] <= 1'b0;
          end
          st <= L_PARAMS;
        end
        L_PARAMS: begin
          if (!ld_p) begin
            // decide: reuse or load
            if (p_hit) begin
              set_p <= p_cur;
              st <= L_INPUT;
            end else if (p_free) begin
              set_p <= ~p_cur;
              p_cur <= ~p_cur;
              p_tv[~p_cur] <= 1'b1;
              p_tag[~p_cur] <= p_key;
              ld_p   <= 1'b1;
              g_addr <= cp_addr;
              g_rem  <= pbytes;
              g_dst  <= 32'd0;
            end
          end else if (req_fire && g_rem == {19'd0, g_len}) begin
            st <= L_INPUT;
          end
        end
        L_WEIGHTS: begin
          if (!ld_w) begin
            if (w_hit) begin
              set_w <= w_cur;
              st <= L_TAIL;
            end else if (w_free) begin
              set_w <= ~w_cur;
              w_cur <= ~w_cur;
              w_tv[~w_cur] <= 1'b1;
              w_tag[~w_cur] <= w_key;
              w_cnt[~w_cur] <= '0;
              ld_w   <= 1'b1;
              g_addr <= w_addr;
              g_rem  <= wbytes;
              g_dst  <= 32'd0;
            end
          end else if (req_fire && g_rem == {19'd0, g_len}) begin
            st <= L_TAIL;
          end
        end
        L_INPUT: begin
          if (!ld_in) begin
            if (in_hit) begin
              set_in <= in_cur;
              st <= L_WEIGHTS;
            end else if (in_free) begin
              set_in <= ~in_cur;
              in_cur <= ~in_cur;
              in_tv[~in_cur] <= 1'b1;
              in_tag[~in_cur] <= in_key;
              ld_in  <= 1'b1;
              g_y    <= 16'd0;
              g_x    <= 16'd0;
              g_addr <= in_addr;
              g_rem  <= run_bytes;
              g_dst  <= 32'd0;
            end
          end else if (req_fire && g_rem == {19'd0, g_len}) begin
            // this run is done: next pixel or row
            if (!dense && g_x != in_w - 16'd1) begin
              g_x    <= g_x + 16'd1;
              g_addr <= in_addr + {16'd0, g_y} * irs + ({16'd0, g_x} + 32'd1) * ips;
              g_rem  <= run_bytes;
              g_dst  <= {16'd0, g_y} * rwp + ({16'd0, g_x} + 32'd1) * pw;
            end else if (g_y != in_h - 16'd1) begin
              g_x    <= 16'd0;
              g_y    <= g_y + 16'd1;
              g_addr <= in_addr + ({16'd0, g_y} + 32'd1) * irs;
              g_rem  <= run_bytes;
              g_dst  <= ({16'd0, g_y} + 32'd1) * rwp;
            end else begin
              st <= L_WEIGHTS;
            end
          end
        end
        // every request issued: wait until the compute engine has it
        L_TAIL: if (handed || rdy_take) st <= L_IDLE;
        default: st <= L_IDLE;
      endcase
    end
  end
endmodule
