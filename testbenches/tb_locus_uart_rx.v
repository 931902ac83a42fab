// tb_locus_uart_rx: self-checking testbench for locus_uart_rx (all bytes at nominal and +-3% baud, glitches, framing errors, breaks, tx->rx loopback).
`default_nettype none

module tb_locus_uart_rx;
    localparam integer CPB = 16;       // clocks per bit
    localparam integer CLK_NS = 10;    // clock period

    reg clk = 1'b0;
    reg rst = 1'b1;
    reg line = 1'b1;
    wire [7:0] data;
    wire valid, frame_err, busy;
    integer errors = 0;

    locus_uart_rx #(.CLK_HZ(CPB * 1000), .BAUD(1000)) dut (
        .clk(clk), .rst(rst), .rx(line),
        .data(data), .valid(valid), .frame_err(frame_err), .busy(busy)
    );

    // Loopback: locus_uart_tx into a second receiver.
    reg [7:0] lb_data = 8'd0;
    reg lb_valid = 1'b0;
    wire lb_ready, lb_line;
    wire [7:0] lb_got;
    wire lb_got_valid, lb_ferr, lb_busy;
    locus_uart_tx #(.CLK_HZ(CPB * 1000), .BAUD(1000)) lb_tx (
        .clk(clk), .rst(rst), .data(lb_data), .valid(lb_valid), .ready(lb_ready), .tx(lb_line)
    );
    locus_uart_rx #(.CLK_HZ(CPB * 1000), .BAUD(1000)) lb_rx (
        .clk(clk), .rst(rst), .rx(lb_line),
        .data(lb_got), .valid(lb_got_valid), .frame_err(lb_ferr), .busy(lb_busy)
    );

    always #(CLK_NS / 2) clk = ~clk;

    // Everything the receiver reports, in order.
    reg [8:0] got [0:4095];  // {frame_err, data}
    integer n_got = 0;
    always @(posedge clk) begin
        if (valid) begin
            got[n_got] = {1'b0, data};
            n_got = n_got + 1;
        end
        if (frame_err) begin
            got[n_got] = {1'b1, 8'h00};
            n_got = n_got + 1;
        end
        if (valid && frame_err) begin
            $display("FAIL valid and frame_err together");
            errors = errors + 1;
        end
    end

    // Drives one 8N1 byte with bit period `bit_ns` (not tied to the clock);
    // `stop` is the stop bit's level.
    task send_byte;
        input [7:0] b;
        input real bit_ns;
        input stop;
        integer i;
        begin
            line = 1'b0;
            #(bit_ns);
            for (i = 0; i < 8; i = i + 1) begin
                line = b[i];
                #(bit_ns);
            end
            line = stop;
            #(bit_ns);
            line = 1'b1;
        end
    endtask

    integer n_expect = 0;
    task expect_byte;
        input [8:0] want;
        begin
            if (n_got <= n_expect) begin
                $display("FAIL item %0d missing, expected %03x", n_expect, want);
                errors = errors + 1;
            end else if (got[n_expect] !== want) begin
                $display("FAIL item %0d is %03x, expected %03x", n_expect, got[n_expect], want);
                errors = errors + 1;
            end
            n_expect = n_expect + 1;
        end
    endtask

    task settle;
        begin
            #(CPB * CLK_NS * 2);
        end
    endtask

    integer k, pass;
    real bit_ns;
    integer lb_n = 0;

    initial begin
        #(CLK_NS * 3 + 3);
        rst = 1'b0;
        #(CLK_NS * 5);

        // All 256 bytes back-to-back at nominal, 3% fast and 3% slow rates.
        for (pass = 0; pass < 3; pass = pass + 1) begin
            bit_ns = CPB * CLK_NS * (pass == 0 ? 1.0 : pass == 1 ? 0.97 : 1.03);
            for (k = 0; k < 256; k = k + 1) send_byte(k[7:0], bit_ns, 1'b1);
            settle;
            for (k = 0; k < 256; k = k + 1) expect_byte({1'b0, k[7:0]});
        end

        // A glitch shorter than half a bit is not a start bit.
        line = 1'b0;
        #(CLK_NS * 4);
        line = 1'b1;
        settle;
        send_byte(8'h3C, CPB * CLK_NS, 1'b1);
        settle;
        expect_byte(9'h03C);

        // Framing error: one report, data not updated, next byte fine.
        send_byte(8'h81, CPB * CLK_NS, 1'b0);
        settle;
        expect_byte(9'h100);
        if (data !== 8'h3C) begin
            $display("FAIL data changed to %02x on a framing error", data);
            errors = errors + 1;
        end
        send_byte(8'h7E, CPB * CLK_NS, 1'b1);
        settle;
        expect_byte(9'h07E);

        // Break: line low for 40 bit times gives one framing error only.
        line = 1'b0;
        #(CPB * CLK_NS * 40);
        line = 1'b1;
        settle;
        expect_byte(9'h100);
        send_byte(8'hA5, CPB * CLK_NS, 1'b1);
        settle;
        expect_byte(9'h0A5);

        // Reset in the middle of a byte: the receiver starts afresh.
        line = 1'b0;
        #(CPB * CLK_NS * 3);
        rst = 1'b1;
        #(CLK_NS * 2);
        rst = 1'b0;
        line = 1'b1;
        settle;
        if (busy) begin
            $display("FAIL busy after reset");
            errors = errors + 1;
        end
        send_byte(8'h5A, CPB * CLK_NS, 1'b1);
        settle;
        expect_byte(9'h05A);

        if (n_got != n_expect) begin
            $display("FAIL %0d items reported, expected %0d", n_got, n_expect);
            errors = errors + 1;
        end

        // Loopback through locus_uart_tx, bytes offered back-to-back.
        @(negedge clk);
        for (k = 0; k < 64; k = k + 1) begin
            lb_data = k * 37 + 11;
            lb_valid = 1'b1;
            @(posedge clk);
            while (!lb_ready) @(posedge clk);
            #1;
        end
        lb_valid = 1'b0;
        #(CPB * CLK_NS * 12);

        if (errors == 0 && lb_n == 64) $display("PASS");
        else $display("FAIL: %0d errors, %0d of 64 loopback bytes", errors, lb_n);
        $finish;
    end

    always @(posedge clk) begin
        if (lb_got_valid) begin
            if (lb_got !== ((lb_n * 37 + 11) % 256) || lb_ferr) begin
                $display("FAIL loopback byte %0d is %02x", lb_n, lb_got);
                errors = errors + 1;
            end
            lb_n = lb_n + 1;
        end
    end
endmodule

`default_nettype wire
