// ecp5_alu: yosys techmap putting every adder, subtractor and comparison of 4 result bits or more on an ECP5 carry chain that starts itself.
//
// yosys's own ECP5 map (+/lattice/arith_map.v) leaves an $alu of 4 result bits or
// fewer to LUT4s, and ties each chain's first carry in to CI, a constant for most.
// nextpnr-ecp5 then starts every chain with a feed-in CCU2C (two LUT sites) from the
// fabric. Here the chain's first half is its own start, and the flow cuts the first
// cell's carry in (flow/netlist.rs finds the cell by its attribute
// `locus_carry_head`), so nextpnr adds nothing. The first half is either
//   - bit 0's carry alone, when CI and BI are constant (OFF = 0): its LUT2 is the
//     carry out of bit 0, and bit 0's sum is one LUT4 beside the chain; or
//   - the feed of CI (OFF = 1), bit k sitting in half k + 1: for a non-constant CI,
//     and for an add of odd width, whose cells it fills without that extra LUT4.
// A chain whose halves are odd in number has a spare half on top, whose sum reads
// the last carry off the chain, so a compare needs no feed-out cell either.
// Measured on an ECP5-85 (LUT sites; stage budget 1 unless said): digits-s 1,905
// (yosys's map) → 1,658, bc-m 480 → 434, diabetes-m with rank inputs at the default
// budget 4,466 → 4,331. Mapping 3-bit results too cost more than it saved. The flow
// runs this map between `synth_ecp5 -run :map_gates` and `synth_ecp5 -run map_gates:`
// (boards/families.toml); narrower cells go to yosys's map as before.
//
// Contract (yosys $alu): BB = BI ? ~B : B, both sign- or zero-extended to Y_WIDTH;
//   Y = A + BB + CI, X = A ^ BB, CO[i] = carry out of bit i.
// A CCU2C half computes S = LUT4(A, B, C, D) ^ carry in; with INJECT1 "NO" its carry
// out is LUT4 ? carry in : LUT2(A, B), where LUT2 is INIT[3:0] read by A and B.
//   First half: C = D = 1 and INIT[15:12] = 0, so LUT4 = 0 and the carry out is
//     LUT2, whatever comes in: INIT 16'h000A with A = CI passes CI on (nextpnr's own
//     feed-in cell is the same); INIT[3:0] = bit 0's carry for A = a[0], B = b[0].
//   Bit halves: INIT 16'h96AA with C = BI and D = 1: LUT4 = A ^ B ^ BI = A ^ BB (the
//     propagate), LUT2 = A (the carry when A == BB).
//   Spare half: A = B = 0, so LUT4 = BI and S = BI ^ carry in.
// A bit in the top half of a cell has the cell's carry out; one in the bottom half
// keeps its carry inside the cell, rebuilt in logic for CO (yosys drops it when
// nothing reads it).
//
// Checked by locus/tests/flow.rs (`ecp5_alu_map_is_equivalent`): adds, subtracts and
// compares of 3 to 9 bits, signed and unsigned, with constant and variable carry in,
// proven equal to yosys's gate-level $alu by SAT with yosys's CCU2C simulation model.

(* techmap_celltype = "$alu" *)
module _locus_ecp5_alu (A, B, CI, BI, X, Y, CO);
    parameter A_SIGNED = 0;
    parameter B_SIGNED = 0;
    parameter A_WIDTH = 1;
    parameter B_WIDTH = 1;
    parameter Y_WIDTH = 1;
    parameter _TECHMAP_CONSTMSK_CI_ = 0;
    parameter _TECHMAP_CONSTVAL_CI_ = 0;
    parameter _TECHMAP_CONSTMSK_BI_ = 0;
    parameter _TECHMAP_CONSTVAL_BI_ = 0;

    (* force_downto *)
    input [A_WIDTH-1:0] A;
    (* force_downto *)
    input [B_WIDTH-1:0] B;
    input CI, BI;
    (* force_downto *)
    output [Y_WIDTH-1:0] X, Y, CO;

    // Narrower cells stay with yosys's map (LUT4s).
    wire _TECHMAP_FAIL_ = Y_WIDTH < 4;

    // With CI and BI constant the first half is bit 0's carry alone (OFF = 0);
    // otherwise it is the feed of CI and bit k sits one half up (OFF = 1).
    localparam OFF = _TECHMAP_CONSTMSK_CI_ && _TECHMAP_CONSTMSK_BI_
        && (Y_WIDTH % 2 == 0 || _TECHMAP_CONSTVAL_BI_) ? 0 : 1;
    localparam CELLS = (Y_WIDTH + OFF + 1) / 2;
    localparam H = 2 * CELLS;

    // The carry out of bit 0, for a[0] = x and b[0] = y, when CI and BI are constant.
    function carry0(input x, input y);
        reg yy;
        begin
            yy = _TECHMAP_CONSTVAL_BI_ ? ~y : y;
            carry0 = (x & yy) | (_TECHMAP_CONSTVAL_CI_ & (x | yy));
        end
    endfunction
    localparam [15:0] HEAD_INIT = OFF ? 16'h000A
        : {12'h000, carry0(1, 1), carry0(0, 1), carry0(1, 0), carry0(0, 0)};

    (* force_downto *)
    wire [Y_WIDTH-1:0] a, b;
    \$pos #(.A_SIGNED(A_SIGNED), .A_WIDTH(A_WIDTH), .Y_WIDTH(Y_WIDTH)) a_pos (.A(A), .Y(a));
    \$pos #(.A_SIGNED(B_SIGNED), .A_WIDTH(B_WIDTH), .Y_WIDTH(Y_WIDTH)) b_pos (.A(B), .Y(b));
    (* force_downto *)
    wire [Y_WIDTH-1:0] bb = BI ? ~b : b;

    // Per half: the LUT inputs A and B (zero in a spare half) and the sum.
    (* force_downto *)
    wire [H-1:0] ha, hb, hs;
    // cout[c]: the carry out of cell c.
    (* force_downto *)
    wire [CELLS-1:0] cout;

    genvar c, k;
    generate
        if (OFF) begin : feed
            assign ha = {a, CI};
            assign hb = {b, 1'b0};
            assign Y = hs[Y_WIDTH:1];
        end else begin : first_carry
            assign ha = a;
            assign hb = b;
            // Bit 0's sum is not on the chain.
            assign Y = {hs[Y_WIDTH-1:1], a[0] ^ bb[0] ^ CI};
        end
        for (c = 0; c < CELLS; c = c + 1) begin : cell
            if (c == 0) begin : head
                (* locus_carry_head *)
                CCU2C #(
                    .INIT0(HEAD_INIT),
                    .INIT1(16'h96AA),
                    .INJECT1_0("NO"),
                    .INJECT1_1("NO")
                ) ccu (
                    .CIN(1'bx),
                    .A0(ha[0]), .B0(hb[0]), .C0(1'b1), .D0(1'b1),
                    .A1(ha[1]), .B1(hb[1]), .C1(BI), .D1(1'b1),
                    .S0(hs[0]), .S1(hs[1]),
                    .COUT(cout[0])
                );
            end else begin : body
                CCU2C #(
                    .INIT0(16'h96AA),
                    .INIT1(16'h96AA),
                    .INJECT1_0("NO"),
                    .INJECT1_1("NO")
                ) ccu (
                    .CIN(cout[c-1]),
                    .A0(ha[2*c]), .B0(hb[2*c]), .C0(BI), .D0(1'b1),
                    .A1(ha[2*c+1]), .B1(hb[2*c+1]), .C1(BI), .D1(1'b1),
                    .S0(hs[2*c]), .S1(hs[2*c+1]),
                    .COUT(cout[c])
                );
            end
        end
        for (k = 0; k < Y_WIDTH; k = k + 1) begin : carry_out
            if ((k + OFF) % 2 == 1) begin : top_half
                // The cell's carry out.
                assign CO[k] = cout[(k + OFF) / 2];
            end else if (k == Y_WIDTH - 1) begin : last
                // The spare half above adds 0 + 0: its sum is BI ^ CO[k].
                assign CO[k] = hs[k+OFF+1] ^ BI;
            end else if (k == 0) begin : bit0
                // Inside the cell: rebuilt in logic.
                assign CO[k] = (a[k] & bb[k]) | (CI & (a[k] | bb[k]));
            end else begin : bottom_half
                assign CO[k] = (a[k] & bb[k]) | (CO[k-1] & (a[k] | bb[k]));
            end
        end
    endgenerate

    assign X = a ^ bb;
endmodule
