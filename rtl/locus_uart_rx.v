// locus_uart_rx: 8N1 UART receiver with a two-flop synchroniser, mid-bit sampling and framing-error detection.
//
// Ports
//   clk        in   the design clock (CLK_HZ).
//   rst        in   synchronous reset, active high.
//   rx         in   serial line, idle high, asynchronous to clk.
//   data[7:0]  out  the last byte received (bit 0 arrives first); holds its value
//                   until the next byte completes.
//   valid      out  one-clock pulse: `data` holds a byte whose stop bit was 1.
//   frame_err  out  one-clock pulse: a byte's stop bit was 0 (framing error or
//                   break); `data` is not updated. The receiver then waits for
//                   the line to return high before looking for a start bit, so
//                   a line held low gives one error, not one per 10 bit times.
//   busy       out  high while a byte is being received (start bit seen).
//
// Timing
//   CLKS_PER_BIT = round(CLK_HZ / BAUD), at least 4 (8 or more recommended).
//   rx passes two flops. A falling edge starts a byte; the start bit is checked
//   CLKS_PER_BIT/2 clocks later (a high level there is a glitch and is ignored),
//   then each data bit and the stop bit are sampled one bit period apart, i.e.
//   near the middle of each bit. valid/frame_err pulse at the middle of the
//   stop bit, 2 + CLKS_PER_BIT/2 + 9 * CLKS_PER_BIT clocks after the start edge,
//   and the receiver is ready for the next start edge from then on, so a
//   transmitter up to ~4% fast or slow is tolerated.
//
// Parameters
//   CLK_HZ  clock frequency in Hz.
//   BAUD    bit rate in bits per second.
`default_nettype none

module locus_uart_rx #(
    parameter CLK_HZ = 12000000,
    parameter BAUD = 115200
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       rx,
    output reg  [7:0] data,
    output reg        valid,
    output reg        frame_err,
    output wire       busy
);
    localparam integer CLKS_PER_BIT = (CLK_HZ + BAUD / 2) / BAUD;
    localparam integer CW = $clog2(CLKS_PER_BIT);
    localparam integer LAST_I = CLKS_PER_BIT - 1;
    localparam [CW-1:0] LAST = LAST_I[CW-1:0];
    localparam integer HALF_I = CLKS_PER_BIT / 2 - 1;
    localparam [CW-1:0] HALF = HALF_I[CW-1:0];

    generate
        if (CLKS_PER_BIT < 4) begin : g_check
            // Elaboration fails here: CLK_HZ / BAUD must be at least 4.
            locus_uart_rx_error_clk_hz_over_baud_must_be_at_least_4 u_error ();
        end
    endgenerate

    localparam [1:0] S_IDLE = 2'd0, S_START = 2'd1, S_BITS = 2'd2, S_BREAK = 2'd3;

    reg [1:0] sync = 2'b11;
    wire      rx_s = sync[1];
    reg [1:0] state;
    reg [CW-1:0] cnt;
    reg [3:0] nbit;     // bits sampled so far in S_BITS: 0..7 data, 8 stop
    reg [7:0] shift;

    assign busy = (state == S_START) || (state == S_BITS);

    always @(posedge clk) begin
        sync <= {sync[0], rx};
        valid <= 1'b0;
        frame_err <= 1'b0;
        if (rst) begin
            sync <= 2'b11;
            state <= S_IDLE;
            cnt <= {CW{1'b0}};
            nbit <= 4'd0;
        end else begin
            case (state)
                S_IDLE:
                    if (!rx_s) begin
                        state <= S_START;
                        cnt <= HALF;
                    end
                S_START:
                    if (cnt != {CW{1'b0}}) begin
                        cnt <= cnt - 1'b1;
                    end else if (!rx_s) begin
                        state <= S_BITS;
                        cnt <= LAST;
                        nbit <= 4'd0;
                    end else begin
                        state <= S_IDLE;  // glitch, not a start bit
                    end
                S_BITS:
                    if (cnt != {CW{1'b0}}) begin
                        cnt <= cnt - 1'b1;
                    end else if (nbit != 4'd8) begin
                        shift <= {rx_s, shift[7:1]};
                        nbit <= nbit + 1'b1;
                        cnt <= LAST;
                    end else if (rx_s) begin
                        data <= shift;
                        valid <= 1'b1;
                        state <= S_IDLE;
                    end else begin
                        frame_err <= 1'b1;
                        state <= S_BREAK;
                    end
                default:  // S_BREAK: wait for the line to go idle
                    if (rx_s) state <= S_IDLE;
            endcase
        end
    end
endmodule

`default_nettype wire
