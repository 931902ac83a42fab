// ecp5_small_alu: yosys techmap putting 4-bit adders, subtractors and comparisons on the ECP5 carry chain.
//
// yosys's own ECP5 map (+/lattice/arith_map.v) declines an $alu whose result is 4 bits
// or narrower and leaves it to LUT4s. Trees are full of 4-bit sums and compares, and
// there two CCU2C (four LUT sites) beat the LUT4s: at a stage budget of 1, digits-s
// 1,905 → 1,810 LUT sites and bc-m 480 → 449 on an ECP5-85. Narrower ones stay in
// LUT4s: mapping 3-bit results too cost more than it saved (1,832 and 484). The flow
// runs this map between `synth_ecp5 -run :map_gates` and `synth_ecp5 -run map_gates:`
// (boards/families.toml); wider cells go to yosys's map as before.
//
// Contract (yosys $alu): BB = BI ? ~B : B, both sign- or zero-extended to Y_WIDTH;
//   Y = A + BB + CI, X = A ^ BB, CO[i] = carry out of bit i.
// Each CCU2C half computes S = LUT4(A, B, C, D) ^ carry in; with INJECT1 "NO" its carry
// out is LUT4 ? carry in : LUT2(A, B). INIT 16'h96AA, read with C = BI and D = 1:
//   LUT4 = A ^ B ^ BI = A ^ BB (the propagate), LUT2 = A (the carry when A == BB).
// The carry between a cell's two halves stays inside it, so CO of the lower half is
// rebuilt in logic from the bit's inputs (yosys drops it when nothing reads it).
//
// Checked by locus/tests/flow.rs (`ecp5_alu_map_is_equivalent`): adds, subtracts and
// compares, signed and unsigned, with and without a carry in, proven equal to yosys's
// gate-level $alu by SAT.

(* techmap_celltype = "$alu" *)
module _locus_ecp5_alu4 (A, B, CI, BI, X, Y, CO);
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

    // Only 4-bit results; the rest go to yosys's map.
    wire _TECHMAP_FAIL_ = Y_WIDTH != 4;

    (* force_downto *)
    wire [3:0] a, b;
    \$pos #(.A_SIGNED(A_SIGNED), .A_WIDTH(A_WIDTH), .Y_WIDTH(4)) a_pos (.A(A), .Y(a));
    \$pos #(.A_SIGNED(B_SIGNED), .A_WIDTH(B_WIDTH), .Y_WIDTH(4)) b_pos (.A(B), .Y(b));
    (* force_downto *)
    wire [3:0] bb = BI ? ~b : b;
    (* force_downto *)
    wire [3:0] sum;
    // carry[i] enters bit i.
    (* force_downto *)
    wire [4:0] carry;
    assign carry[0] = CI;

    genvar i;
    generate
        for (i = 0; i < 4; i = i + 2) begin : cell
            CCU2C #(
                .INIT0(16'h96AA),
                .INIT1(16'h96AA),
                .INJECT1_0("NO"),
                .INJECT1_1("NO")
            ) ccu (
                .CIN(carry[i]),
                .A0(a[i]), .B0(b[i]), .C0(BI), .D0(1'b1),
                .A1(a[i+1]), .B1(b[i+1]), .C1(BI), .D1(1'b1),
                .S0(sum[i]), .S1(sum[i+1]),
                .COUT(carry[i+2])
            );
            // Inside the cell: rebuilt for CO.
            assign carry[i+1] = (a[i] & bb[i]) | (carry[i] & (a[i] | bb[i]));
        end
    endgenerate

    assign Y = sum;
    assign CO = carry[4:1];
    assign X = a ^ bb;
endmodule
