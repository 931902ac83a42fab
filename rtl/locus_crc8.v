// locus_crc8: byte-wise CRC-8 register (default CRC-8/SMBUS: poly 0x07, init 0x00, no reflection, no final xor).
//
// Ports
//   clk        in   the design clock.
//   rst        in   synchronous reset, active high: crc <= INIT.
//   clear      in   synchronous clear: crc <= INIT (wins over en).
//   en         in   fold `data` into the CRC at this edge.
//   data[7:0]  in   the next message byte, most significant bit first.
//   crc[7:0]   out  CRC of the bytes folded in since the last clear, registered.
//   crc_next   out  combinational: the CRC after folding `data` into `crc`.
//
// Timing
//   One byte per clock; crc shows a byte's effect one clock after en.
//   Check value: the CRC of ASCII "123456789" is 0xF4 with the defaults.
//
// Parameters
//   POLY  generator polynomial without the x^8 term (default 8'h07).
//   INIT  initial register value (default 8'h00).
`default_nettype none

module locus_crc8 #(
    parameter [7:0] POLY = 8'h07,
    parameter [7:0] INIT = 8'h00
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       clear,
    input  wire       en,
    input  wire [7:0] data,
    output reg  [7:0] crc,
    output wire [7:0] crc_next
);
    function [7:0] fold;
        input [7:0] c;
        input [7:0] d;
        integer i;
        reg [7:0] x;
        begin
            x = c ^ d;
            for (i = 0; i < 8; i = i + 1)
                x = x[7] ? ((x << 1) ^ POLY) : (x << 1);
            fold = x;
        end
    endfunction

    assign crc_next = fold(crc, data);

    always @(posedge clk) begin
        if (rst || clear) crc <= INIT;
        else if (en) crc <= crc_next;
    end
endmodule

`default_nettype wire
