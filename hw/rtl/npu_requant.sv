// One lane of post-processing: bias add, then requantization in one of the
// two bit-exact modes, output zero point and the activation clamp.
//   RQ_FIXED: TFLite MultiplyByQuantizedMultiplier (SRDHM then round half
//             away from zero by a power of two); the left shift wraps as int32.
//   RQ_FP32:  ONNX Runtime: rne(fl32(fl32(acc) * M)) with a real float32
//             multiply (int->float rounding, 24x24 mantissa product, float
//             rounding, then rounding to an integer), saturating to int32.
//   RQ_NONE:  acc + bias as int32.
// Three pipeline stages; 'en' low freezes them (writeback backpressure).
module npu_requant (
  input  logic        clk,
  input  logic        en,
  input  logic        in_valid,
  input  logic [31:0] acc,
  input  logic [31:0] bias,
  input  logic [1:0]  mode,       // npu_rq_mode
  input  logic [31:0] scale,      // FIXED: q; FP32: binary32 bits of M
  input  logic [7:0]  shift,      // FIXED: signed, -31..30
  input  logic [15:0] out_zp,     // signed
  input  logic [15:0] act_min,    // signed
  input  logic [15:0] act_max,    // signed
  output logic        out_valid,
  output logic [31:0] out
);
  localparam int unsigned RQ_FIXED = npu_regs_pkg::RQ_FIXED;
  localparam int unsigned RQ_FP32  = npu_regs_pkg::RQ_FP32;

  // ---------------- stage 1: bias, pre-shift, int -> float ----------------
  logic [31:0] x;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [7:0]  neg_shift;  // only the low 5 bits matter for -31..0
  /* verilator lint_on UNUSEDSIGNAL */
  logic [4:0]  left;
  logic [4:0]  right;
  logic [31:0] mag;
  logic [5:0]  lz;
  logic [31:0] norm;
  logic [24:0] mant_r;
  logic        round_up;
  logic [9:0]  e_x;        // exponent of x as 31 - lz (+1 on carry), 0..32
  logic [9:0]  e_sum;

  always_comb begin
    x = acc + bias;
    neg_shift = -shift;
    if (shift[7]) begin
      left = 5'd0;
      right = neg_shift[4:0];
    end else begin
      left = shift[4:0];
      right = 5'd0;
    end
    mag = x[31] ? -x : x;               // INT32_MIN -> 2^31, still exact
    lz = 6'd32;
    for (int i = 0; i < 32; i++) if (mag[i]) lz = 6'd31 - i[5:0];
    norm = mag << lz[4:0];
    round_up = norm[7] & ((|norm[6:0]) | norm[8]);
    mant_r = {1'b0, norm[31:8]} + {24'd0, round_up};
    e_x = 10'd31 - {4'd0, lz} + {9'd0, mant_r[24]};
    e_sum = e_x + {2'd0, scale[30:23]} - 10'd127;
  end

  logic        s1_valid;
  logic [1:0]  s1_mode;
  logic [31:0] s1_x;
  logic [31:0] s1_xs;
  logic [31:0] s1_q;
  logic [4:0]  s1_right;
  logic        s1_sign;
  logic        s1_zero;
  logic [23:0] s1_mant;
  logic [9:0]  s1_exp;     // signed; value = s1_mant * 2^(s1_exp - 23) * M
  logic [15:0] s1_zp, s1_min, s1_max;

  always_ff @(posedge clk) if (en) begin
    s1_valid <= in_valid;
    s1_mode  <= mode;
    s1_x     <= x;
    s1_xs    <= x << left;
    s1_q     <= scale;
    s1_right <= right;
    s1_sign  <= x[31] ^ scale[31];
    // A zero or subnormal M makes |product| < 2^-94: it rounds to 0.
    s1_zero  <= (mag == 32'd0) || (scale[30:23] == 8'd0);
    s1_mant  <= mant_r[24] ? 24'h800000 : mant_r[23:0];
    s1_exp   <= e_sum;
    s1_zp    <= out_zp;
    s1_min   <= act_min;
    s1_max   <= act_max;
  end

  // ---------------- stage 2: the multiplies ----------------
  logic signed [63:0] ab;
  logic signed [64:0] nudged;
  /* verilator lint_off UNUSEDSIGNAL */
  logic signed [64:0] quot;   // SRDHM's result fits in 32 bits
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0]        srdhm;
  logic [47:0]        prod;

  always_comb begin
    ab = $signed(s1_xs) * $signed(s1_q);
    if (ab[63]) nudged = {ab[63], ab} + 65'sd1 - 65'sd1073741824;
    else        nudged = {ab[63], ab} + 65'sd1073741824;
    // Division by 2^31 truncating toward zero, as C does.
    if (nudged[64]) quot = -((-nudged) >>> 31);
    else            quot = nudged >>> 31;
    if (s1_xs == 32'h80000000 && s1_q == 32'h80000000) srdhm = 32'h7fffffff;
    else                                               srdhm = quot[31:0];
    prod = s1_mant * {1'b1, s1_q[22:0]};
  end

  logic        s2_valid;
  logic [1:0]  s2_mode;
  logic [31:0] s2_x;
  logic [31:0] s2_srdhm;
  logic [4:0]  s2_right;
  logic        s2_sign;
  logic        s2_zero;
  logic [47:0] s2_prod;    // value = s2_prod * 2^(s2_exp - 46)
  logic [9:0]  s2_exp;
  logic [15:0] s2_zp, s2_min, s2_max;

  always_ff @(posedge clk) if (en) begin
    s2_valid <= s1_valid;
    s2_mode  <= s1_mode;
    s2_x     <= s1_x;
    s2_srdhm <= srdhm;
    s2_right <= s1_right;
    s2_sign  <= s1_sign;
    s2_zero  <= s1_zero;
    s2_prod  <= prod;
    s2_exp   <= s1_exp;
    s2_zp    <= s1_zp;
    s2_min   <= s1_min;
    s2_max   <= s1_max;
  end

  // ---------------- stage 3: roundings, zero point, clamp ----------------
  logic [31:0]        mask, rem, thr, rdb;
  logic signed [31:0] sra;
  logic               fg, fs;
  logic [24:0]        fm;       // float mantissa after rounding (+ carry)
  logic [23:0]        fmant;
  logic signed [10:0] fexp;     // value = fmant * 2^(fexp - 23)
  logic signed [10:0] sh;
  logic [4:0]         shr;
  logic [31:0]        wide;
  logic [31:0]        iq;
  logic [31:0]        below;
  logic               ig, is;
  logic [31:0]        ival;
  logic [31:0]        v;
  logic signed [32:0] o, zp33, min33, max33;

  always_comb begin
    // RoundingDivideByPOT
    mask = (32'd1 << s2_right) - 32'd1;
    rem  = s2_srdhm & mask;
    thr  = (mask >> 1) + {31'd0, s2_srdhm[31]};
    // a separate signed term: in a mixed expression >>> would turn logical
    sra  = $signed(s2_srdhm) >>> s2_right;
    rdb  = sra + {31'd0, (rem > thr)};

    // float32 rounding of the mantissa product (round half to even)
    if (s2_prod[47]) begin
      fg = s2_prod[23];
      fs = |s2_prod[22:0];
      fm = {1'b0, s2_prod[47:24]} + {24'd0, fg & (fs | s2_prod[24])};
      fexp = $signed({s2_exp[9], s2_exp}) + 11'sd1;
    end else begin
      fg = s2_prod[22];
      fs = |s2_prod[21:0];
      fm = {1'b0, s2_prod[46:23]} + {24'd0, fg & (fs | s2_prod[23])};
      fexp = $signed({s2_exp[9], s2_exp});
    end
    if (fm[24]) begin
      fmant = 24'h800000;
      fexp = fexp + 11'sd1;
    end else begin
      fmant = fm[23:0];
    end

    // then to an integer, round half to even, saturating to int32
    sh = 11'sd23 - fexp;
    shr = sh[4:0];
    wide = {8'd0, fmant};
    iq = 32'd0;
    ig = 1'b0;
    is = 1'b0;
    below = 32'd0;
    if (s2_zero || fexp < -11'sd126) begin
      ival = 32'd0;                          // below 2^-126: rounds to 0
    end else if (fexp >= 11'sd31) begin
      ival = s2_sign ? 32'h80000000 : 32'h7fffffff;
    end else if (sh <= 11'sd0) begin
      iq = wide << (5'd0 - shr);
      ival = s2_sign ? -iq : iq;
    end else if (sh >= 11'sd25) begin
      ival = 32'd0;                          // below 0.5
    end else begin
      iq = wide >> shr;
      below = wide & ((32'd1 << shr) - 32'd1);
      ig = below[shr - 5'd1];
      is = |(below & ((32'd1 << (shr - 5'd1)) - 32'd1));
      iq = iq + {31'd0, ig & (is | iq[0])};
      ival = s2_sign ? -iq : iq;
    end

    if ({30'd0, s2_mode} == RQ_FIXED)     v = rdb;
    else if ({30'd0, s2_mode} == RQ_FP32) v = ival;
    else                                  v = s2_x;
    zp33  = {{17{s2_zp[15]}}, s2_zp};
    min33 = {{17{s2_min[15]}}, s2_min};
    max33 = {{17{s2_max[15]}}, s2_max};
    o = $signed({v[31], v}) + zp33;
    if (o < min33) o = min33;
    if (o > max33) o = max33;
  end

  always_ff @(posedge clk) if (en) begin
    out_valid <= s2_valid;
    if ({30'd0, s2_mode} == RQ_FIXED || {30'd0, s2_mode} == RQ_FP32) out <= o[31:0];
    else                                                           out <= s2_x;
  end
endmodule
