// tb_locus_uart_tx: self-checking testbench for locus_uart_tx (exact bit timing of back-to-back bytes, ready/valid, idle line, reset).
`default_nettype none

module tb_locus_uart_tx;
    localparam integer CPB = 16;  // CLK_HZ / BAUD below

    reg clk = 1'b0;
    reg rst = 1'b1;
    reg [7:0] data = 8'd0;
    reg valid = 1'b0;
    wire ready, tx;
    integer errors = 0;

    locus_uart_tx #(.CLK_HZ(CPB * 1000), .BAUD(1000)) dut (
        .clk(clk), .rst(rst), .data(data), .valid(valid), .ready(ready), .tx(tx)
    );

    always #5 clk = ~clk;

    // Expected line level per clock, built as bytes are accepted.
    reg expect_line [0:65535];
    integer wr = 0;     // next expected position to fill
    integer pos = 0;    // cycle index since the checker started
    reg checking = 1'b0;

    task plan_idle;
        input integer n;
        integer i;
        begin
            for (i = 0; i < n; i = i + 1) begin
                expect_line[wr] = 1'b1;
                wr = wr + 1;
            end
        end
    endtask

    task plan_byte;
        input [7:0] b;
        integer i, j;
        reg [9:0] frame;
        begin
            frame = {1'b1, b, 1'b0};
            for (i = 0; i < 10; i = i + 1)
                for (j = 0; j < CPB; j = j + 1) begin
                    expect_line[wr] = frame[i];
                    wr = wr + 1;
                end
        end
    endtask

    // Compare the line with the plan after every rising edge.
    always @(posedge clk) begin
        if (checking) begin
            #1;
            if (pos < wr && tx !== expect_line[pos]) begin
                if (errors < 10) $display("FAIL cycle %0d: tx %b, expected %b", pos, tx, expect_line[pos]);
                errors = errors + 1;
            end
            pos = pos + 1;
        end
    end

    // Offer `b` from the next falling edge until it is taken.
    task send;
        input [7:0] b;
        begin
            @(negedge clk);
            data = b;
            valid = 1'b1;
            while (!ready) @(negedge clk);
            @(posedge clk);
            #1 valid = 1'b0;
        end
    endtask

    integer k;
    reg [7:0] bytes [0:7];

    initial begin
        repeat (3) @(negedge clk);
        rst = 1'b0;
        if (tx !== 1'b1 || ready !== 1'b1) begin
            $display("FAIL after reset: tx %b ready %b, expected 1 1", tx, ready);
            errors = errors + 1;
        end
        // Byte stream offered continuously: no idle time between bytes.
        bytes[0] = 8'h55; bytes[1] = 8'h00; bytes[2] = 8'hFF; bytes[3] = 8'hA5;
        bytes[4] = 8'h5A; bytes[5] = 8'h01; bytes[6] = 8'h80; bytes[7] = 8'h3C;
        @(negedge clk);
        data = bytes[0];
        valid = 1'b1;
        checking = 1'b1;  // the first checked edge is the one that takes bytes[0]
        for (k = 0; k < 8; k = k + 1) plan_byte(bytes[k]);
        plan_idle(40);
        for (k = 1; k < 8; k = k + 1) begin
            @(posedge clk);
            while (!(ready && valid)) @(posedge clk);
            #2 data = bytes[k];
            if (ready) begin
                $display("FAIL ready high right after a byte was taken");
                errors = errors + 1;
            end
        end
        @(posedge clk);
        while (!ready) @(posedge clk);
        #2 valid = 1'b0;
        while (pos < wr) @(posedge clk);
        checking = 1'b0;

        // A lone byte after idle time, then reset in the middle of a byte.
        send(8'hC3);
        repeat (CPB * 3 + 2) @(negedge clk);
        rst = 1'b1;
        @(negedge clk);
        rst = 1'b0;
        if (tx !== 1'b1 || ready !== 1'b1) begin
            $display("FAIL reset mid-byte: tx %b ready %b, expected 1 1", tx, ready);
            errors = errors + 1;
        end

        if (pos < 8 * 10 * CPB + 40) begin
            $display("FAIL checked %0d cycles, expected %0d", pos, 8 * 10 * CPB + 40);
            errors = errors + 1;
        end
        if (errors == 0) $display("PASS");
        else $display("FAIL: %0d errors", errors);
        $finish;
    end
endmodule

`default_nettype wire
