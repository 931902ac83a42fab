// ecp5_alu: yosys techmap putting every adder, subtractor and comparison of 4 result bits or more on an ECP5 carry chain that starts with its own carry in.
//
// yosys's own ECP5 map (+/lattice/arith_map.v) leaves an $alu of 4 result bits or
// fewer to LUT4s, and ties each chain's first carry in to CI, a constant for most.
// nextpnr-ecp5 then feeds every chain from the fabric through an extra CCU2C (two LUT
// sites). Here the chain's first half is that feed itself, and the flow cuts the
// first cell's carry in (flow/netlist.rs, which finds the cell by its attribute
// `locus_carry_head`) so that nextpnr adds none. A width that is odd fills the last
// cell; an even one leaves a spare half on top, whose sum reads the last carry off the
// chain for a compare. Measured at a stage budget of 1 on an ECP5-85 (LUT sites):
// digits-s 1,905 → 1,728, bc-m 480 → 443; diabetes-m with rank inputs 4,466 → 4,371.
// Mapping 3-bit results too cost more than it saved (1,736 on digits-s). The flow
// runs this map between `synth_ecp5 -run :map_gates` and `synth_ecp5 -run map_gates:`
// (boards/families.toml); narrower cells go to yosys's map as before.
//
// Contract (yosys $alu): BB = BI ? ~B : B, both sign- or zero-extended to Y_WIDTH;
//   Y = A + BB + CI, X = A ^ BB, CO[i] = carry out of bit i.
// A CCU2C half computes S = LUT4(A, B, C, D) ^ carry in; with INJECT1 "NO" its carry
// out is LUT4 ? carry in : LUT2(A, B), where LUT2 is INIT[3:0] read by A and B.
//   Feed half: INIT 16'h000A with A = CI and C = D = 1: LUT4 = 0, so the carry out is
//     LUT2 = A = CI whatever comes in (nextpnr's own feed cell is the same).
//   Bit halves: INIT 16'h96AA with C = BI and D = 1: LUT4 = A ^ B ^ BI = A ^ BB (the
//     propagate), LUT2 = A (the carry when A == BB).
//   Spare half: A = B = 0, so LUT4 = BI and S = BI ^ carry in.
// Bit k sits in half k + 1: an even bit in the top half of a cell, whose carry out
// is the cell's; an odd bit in the bottom half, whose carry stays inside the cell
// and is rebuilt in logic for CO (yosys drops it when nothing reads it).
//
// Checked by locus/tests/flow.rs (`ecp5_alu_map_is_equivalent`): adds, subtracts and
// compares of 3 to 9 bits, signed and unsigned, with and without a carry in, proven
// equal to yosys's gate-level $alu by SAT with yosys's CCU2C simulation model.

(* techmap_celltype = "$alu" *)
module _locus_ecp5_alu (A, B, CI, BI, X, Y, CO);
    parameter A_SIGNED = 0;
    parameter B_SIGNED = 0;
    parameter A_WIDTH = 1;
    parameter B_WIDTH = 1;
    parameter Y_WIDTH = 1;

    (* force_downto *)
    input [A_WIDTH-1:0] A;
    (* force_downto *)
    input [B_WIDTH-1:0] B;
    input CI, BI;
    (* force_downto *)
    output [Y_WIDTH-1:0] X, Y, CO;

    // Narrower cells stay with yosys's map (LUT4s).
    wire _TECHMAP_FAIL_ = Y_WIDTH < 4;

    // Halves: the feed, one per result bit, and a spare when that is odd in all.
    localparam CELLS = Y_WIDTH / 2 + 1;
    localparam H = 2 * CELLS;

    (* force_downto *)
    wire [Y_WIDTH-1:0] a, b;
    \$pos #(.A_SIGNED(A_SIGNED), .A_WIDTH(A_WIDTH), .Y_WIDTH(Y_WIDTH)) a_pos (.A(A), .Y(a));
    \$pos #(.A_SIGNED(B_SIGNED), .A_WIDTH(B_WIDTH), .Y_WIDTH(Y_WIDTH)) b_pos (.A(B), .Y(b));
    (* force_downto *)
    wire [Y_WIDTH-1:0] bb = BI ? ~b : b;

    // Per half: the LUT inputs A and B (bit k in half k + 1; zero in the spare half)
    // and the sum.
    (* force_downto *)
    wire [H-1:0] ha, hb, hs;
    assign ha = {a, 1'b0};
    assign hb = {b, 1'b0};
    // cout[c]: the carry out of cell c, which is the carry out of bit 2c.
    (* force_downto *)
    wire [CELLS-1:0] cout;

    genvar c, k;
    generate
        for (c = 0; c < CELLS; c = c + 1) begin : cell
            if (c == 0) begin : head
                (* locus_carry_head *)
                CCU2C #(
                    .INIT0(16'h000A),
                    .INIT1(16'h96AA),
                    .INJECT1_0("NO"),
                    .INJECT1_1("NO")
                ) ccu (
                    .CIN(1'bx),
                    .A0(CI), .B0(1'b0), .C0(1'b1), .D0(1'b1),
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
            if (k % 2 == 0) begin : top_half
                assign CO[k] = cout[k/2];
            end else if (k == Y_WIDTH - 1) begin : last
                // The spare half above adds 0 + 0: its sum is BI ^ CO[k].
                assign CO[k] = hs[k+2] ^ BI;
            end else begin : bottom_half
                assign CO[k] = (a[k] & bb[k]) | (CO[k-1] & (a[k] | bb[k]));
            end
        end
    endgenerate

    assign Y = hs[Y_WIDTH:1];
    assign X = a ^ bb;
endmodule
