// tb_locus_uart_bridge: self-checking testbench for locus_uart_bridge with a stand-in core (good frames, every kind of abuse, recovery, ordering, overflow, LEDs).
//
// The stand-in core answers {~features, features + 1} (RES_W = 2 * FEAT_W = 40
// bits: 5 result bytes, more than the 4-byte status payload) with a latency of
// 3 clocks. The host side is behavioural: a UART transmitter driving uart_rx
// with its own timing and a receiver collecting bytes from uart_tx.
`default_nettype none

module tb_locus_uart_bridge;
    localparam integer CPB = 16;           // clocks per bit
    localparam integer CLK_NS = 10;
    localparam integer BIT_NS = CPB * CLK_NS;
    localparam integer FEAT_W = 20;        // 3 payload bytes, 4 padding bits
    localparam integer RES_W = 2 * FEAT_W; // 5 result bytes
    localparam integer TIMEOUT = 20 * CPB; // the bridge's default at this CLK_HZ
    localparam integer LED_STRETCH = 64;

    reg clk = 1'b0;
    reg rst = 1'b1;
    reg host_tx = 1'b1;
    wire host_rx;
    wire core_in_valid, core_out_valid;
    wire [FEAT_W-1:0] core_in_features;
    wire [RES_W-1:0] core_result;
    wire led_activity, led_error;
    integer errors = 0;

    locus_uart_bridge #(
        .CLK_HZ(CPB * 1000), .BAUD(1000), .FEAT_W(FEAT_W), .RES_W(RES_W),
        .FIFO_DEPTH(4), .LED_STRETCH(LED_STRETCH)
    ) dut (
        .clk(clk), .rst(rst), .uart_rx(host_tx), .uart_tx(host_rx),
        .core_in_valid(core_in_valid), .core_in_features(core_in_features),
        .core_in_ready(core_ready),
        .core_out_valid(core_out_valid), .core_result(core_result),
        .led_activity(led_activity), .led_error(led_error)
    );

    // ------------------------------------------------------------ stand-in core
    // A fixed-latency pipeline of `core_lat` clocks (3, or longer than a whole
    // frame in part 12), as a queue of results with their due cycles.
    integer core_lat = 3;
    reg core_ready = 1'b1;  // low: the core is busy and takes nothing (part 13)
    integer cycle = 0;
    reg [RES_W-1:0] q_res [0:63];
    integer q_due [0:63];
    integer q_wr = 0, q_rd = 0;
    reg out_v = 1'b0;
    reg [RES_W-1:0] out_d = {RES_W{1'b0}};
    always @(posedge clk) begin
        cycle = cycle + 1;
        if (core_in_valid && core_ready) begin
            q_res[q_wr % 64] = {~core_in_features, core_in_features + 1'b1};
            q_due[q_wr % 64] = cycle + core_lat - 1;
            q_wr = q_wr + 1;
        end
        out_v <= 1'b0;
        if (q_rd < q_wr && q_due[q_rd % 64] == cycle) begin
            out_v <= 1'b1;
            out_d <= q_res[q_rd % 64];
            q_rd = q_rd + 1;
        end
    end
    assign core_out_valid = out_v;
    assign core_result = out_d;

    always #(CLK_NS / 2) clk = ~clk;

    // ------------------------------------------------------------ host receiver
    reg [7:0] rxq [0:4095];
    integer rx_wr = 0;
    integer rx_rd = 0;
    integer rx_ferr = 0;
    integer i_rx;
    reg [7:0] rx_byte;
    always begin
        @(negedge host_rx);
        #(BIT_NS / 2);
        if (host_rx !== 1'b0) begin
            $display("FAIL host receiver: start bit not low at its middle");
            errors = errors + 1;
        end
        for (i_rx = 0; i_rx < 8; i_rx = i_rx + 1) begin
            #(BIT_NS);
            rx_byte[i_rx] = host_rx;
        end
        #(BIT_NS);
        if (host_rx !== 1'b1) rx_ferr = rx_ferr + 1;
        rxq[rx_wr] = rx_byte;
        rx_wr = rx_wr + 1;
    end

    // ------------------------------------------------------------ host transmitter
    task send_byte;
        input [7:0] b;
        input stop;
        integer i;
        begin
            host_tx = 1'b0;
            #(BIT_NS);
            for (i = 0; i < 8; i = i + 1) begin
                host_tx = b[i];
                #(BIT_NS);
            end
            host_tx = stop;
            #(BIT_NS);
            host_tx = 1'b1;
        end
    endtask

    function [7:0] crc8;  // CRC-8/SMBUS, one byte folded into c
        input [7:0] c;
        input [7:0] d;
        integer i;
        begin
            c = c ^ d;
            for (i = 0; i < 8; i = i + 1) c = c[7] ? ((c << 1) ^ 8'h07) : (c << 1);
            crc8 = c;
        end
    endfunction

    // Frame builder: fb[0..fn-1].
    reg [7:0] fb [0:255];
    integer fn;

    task build;
        input [7:0] ty;
        input [7:0] len;
        input [63:0] payload;  // little-endian, len bytes used
        integer i;
        reg [7:0] c;
        begin
            fb[0] = 8'hA5;
            fb[1] = ty;
            fb[2] = len;
            c = crc8(crc8(8'h00, ty), len);
            for (i = 0; i < len; i = i + 1) begin
                fb[3 + i] = payload[8 * i +: 8];
                c = crc8(c, fb[3 + i]);
            end
            fb[3 + len] = c;
            fn = 4 + len;
        end
    endtask

    task send_frame;
        integer i;
        begin
            for (i = 0; i < fn; i = i + 1) send_byte(fb[i], 1'b1);
        end
    endtask

    task send_infer;
        input [FEAT_W-1:0] f;
        begin
            build(8'h01, 8'd3, {44'd0, f});
            send_frame;
        end
    endtask

    task send_status;
        begin
            build(8'h02, 8'd0, 64'd0);
            send_frame;
        end
    endtask

    task quiet;  // the inter-byte timeout plus one byte time (a misaligned byte may still be arriving)
        begin
            #(TIMEOUT * CLK_NS + 12 * BIT_NS);
        end
    endtask

    // Waits for n more bytes (up to a deadline); false if they did not come.
    reg [7:0] resp [0:15];
    task take;
        input integer n;
        output ok;
        integer i, waited;
        begin
            waited = 0;
            while (rx_wr - rx_rd < n && waited < 40 * n * BIT_NS + 200 * BIT_NS) begin
                #(BIT_NS);
                waited = waited + BIT_NS;
            end
            ok = (rx_wr - rx_rd >= n);
            for (i = 0; i < n && rx_rd < rx_wr; i = i + 1) begin
                resp[i] = rxq[rx_rd];
                rx_rd = rx_rd + 1;
            end
        end
    endtask

    task expect_result;
        input [FEAT_W-1:0] f;
        input [8*32-1:0] what;
        reg ok;
        reg [RES_W-1:0] want;
        reg [7:0] c;
        integer i;
        begin
            want = {~f, f + 1'b1};
            take(9, ok);
            c = crc8(crc8(8'h00, 8'h01), 8'h05);
            for (i = 0; i < 5; i = i + 1) c = crc8(c, want[8 * i +: 8]);
            if (!ok) begin
                $display("FAIL %0s: no answer for features %05x", what, f);
                errors = errors + 1;
            end else if (resp[0] !== 8'h5A || resp[1] !== 8'h01 || resp[2] !== 8'h05
                    || {resp[7], resp[6], resp[5], resp[4], resp[3]} !== want || resp[8] !== c) begin
                $display("FAIL %0s: answer %02x %02x %02x %02x%02x%02x%02x%02x %02x, expected 5a 01 05 %010x %02x",
                         what, resp[0], resp[1], resp[2], resp[7], resp[6], resp[5], resp[4], resp[3],
                         resp[8], want, c);
                errors = errors + 1;
            end
        end
    endtask

    task expect_status;
        input [15:0] ok_frames;
        input [15:0] dropped;
        input [8*32-1:0] what;
        reg ok;
        reg [7:0] c;
        integer i;
        begin
            take(8, ok);
            c = crc8(crc8(8'h00, 8'h02), 8'h04);
            c = crc8(crc8(crc8(crc8(c, ok_frames[7:0]), ok_frames[15:8]), dropped[7:0]), dropped[15:8]);
            if (!ok) begin
                $display("FAIL %0s: no status answer", what);
                errors = errors + 1;
            end else if (resp[0] !== 8'h5A || resp[1] !== 8'h02 || resp[2] !== 8'h04
                    || {resp[4], resp[3]} !== ok_frames || {resp[6], resp[5]} !== dropped
                    || resp[7] !== c) begin
                $display("FAIL %0s: status %02x %02x %02x ok %0d dropped %0d crc %02x, expected ok %0d dropped %0d crc %02x",
                         what, resp[0], resp[1], resp[2], {resp[4], resp[3]}, {resp[6], resp[5]}, resp[7],
                         ok_frames, dropped, c);
                errors = errors + 1;
            end
        end
    endtask

    task expect_silence;
        input [8*32-1:0] what;
        begin
            #(20 * BIT_NS);
            if (rx_wr != rx_rd) begin
                $display("FAIL %0s: %0d unexpected bytes from the bridge", what, rx_wr - rx_rd);
                errors = errors + 1;
                rx_rd = rx_wr;
            end
        end
    endtask

    // LED watchers.
    integer act_pulses = 0, err_pulses = 0;
    integer err_len = 0, err_len_max = 0;
    reg led_error_q = 1'b0, led_activity_q = 1'b0;
    always @(posedge clk) begin
        led_error_q <= led_error;
        led_activity_q <= led_activity;
        if (led_error && !led_error_q) err_pulses = err_pulses + 1;
        if (led_activity && !led_activity_q) act_pulses = act_pulses + 1;
        if (led_error) begin
            err_len = err_len + 1;
            if (err_len > err_len_max) err_len_max = err_len;
        end else begin
            err_len = 0;
        end
    end

    // ------------------------------------------------------------ the test
    localparam integer NB = 40;  // overflow burst length
    integer k, n_ok, n_drop, answered, seed, j;
    reg got_ok;
    reg [FEAT_W-1:0] f;

    initial begin
        #(CLK_NS * 4 + 3);
        rst = 1'b0;
        #(CLK_NS * 10);
        n_ok = 0;
        n_drop = 0;

        // 1. Status on a fresh bridge, then one good request.
        send_status;
        n_ok = n_ok + 1;
        expect_status(n_ok, n_drop, "fresh status");
        send_infer(20'h12345);
        n_ok = n_ok + 1;
        expect_result(20'h12345, "first infer");

        // 2. Three requests back-to-back (responses are longer than requests, so
        // the FIFO holds them), then infer + status back-to-back: in order.
        send_infer(20'h00000);
        send_infer(20'hFFFFF);
        send_infer(20'h0A5A5);
        send_infer(20'h00001);
        send_status;
        n_ok = n_ok + 5;
        expect_result(20'h00000, "back-to-back 1");
        expect_result(20'hFFFFF, "back-to-back 2");
        expect_result(20'h0A5A5, "back-to-back 3");
        expect_result(20'h00001, "infer before status");
        expect_status(n_ok, n_drop, "status after infer");

        // 3. Garbage before a good frame: one drop for the run.
        send_byte(8'h00, 1'b1);
        send_byte(8'h13, 1'b1);
        send_byte(8'hFF, 1'b1);
        n_drop = n_drop + 1;
        send_infer(20'h11111);
        n_ok = n_ok + 1;
        expect_result(20'h11111, "after garbage");

        // 4. Bad CRC, then a good frame straight after.
        build(8'h01, 8'd3, 64'h000222);
        fb[fn - 1] = fb[fn - 1] ^ 8'h40;
        send_frame;
        n_drop = n_drop + 1;
        expect_silence("bad CRC");
        send_infer(20'h22222);
        n_ok = n_ok + 1;
        expect_result(20'h22222, "after bad CRC");

        // 5. Wrong LEN (payload and CRC follow, as a host with the wrong width would send).
        build(8'h01, 8'd2, 64'h0333);
        send_frame;
        n_drop = n_drop + 1;
        expect_silence("wrong LEN");
        send_infer(20'h33333);
        n_ok = n_ok + 1;
        expect_result(20'h33333, "after wrong LEN");

        // 6. Wrong TYPE, and a status request with a payload.
        build(8'h07, 8'd3, 64'h000444);
        send_frame;
        n_drop = n_drop + 1;
        build(8'h02, 8'd1, 64'h00);
        send_frame;
        n_drop = n_drop + 1;
        expect_silence("wrong TYPE");
        send_infer(20'h44444);
        n_ok = n_ok + 1;
        expect_result(20'h44444, "after wrong TYPE");

        // 7. Truncated frame: the timeout drops it; a good frame after the quiet time.
        build(8'h01, 8'd3, 64'h000555);
        send_byte(fb[0], 1'b1);
        send_byte(fb[1], 1'b1);
        send_byte(fb[2], 1'b1);
        send_byte(fb[3], 1'b1);
        n_drop = n_drop + 1;
        quiet;
        send_infer(20'h55555);
        n_ok = n_ok + 1;
        expect_result(20'h55555, "after truncated frame");

        // 8. Framing error inside a frame, and a break.
        build(8'h01, 8'd3, 64'h000666);
        send_byte(fb[0], 1'b1);
        send_byte(fb[1], 1'b1);
        send_byte(fb[2], 1'b0);
        send_byte(fb[3], 1'b1);
        send_byte(fb[4], 1'b1);
        n_drop = n_drop + 1;
        quiet;
        host_tx = 1'b0;
        #(30 * BIT_NS);
        host_tx = 1'b1;
        n_drop = n_drop + 1;
        quiet;
        send_infer(20'h66666);
        n_ok = n_ok + 1;
        expect_result(20'h66666, "after framing errors");
        send_status;
        expect_status(n_ok + 1, n_drop, "counts after abuse");
        n_ok = n_ok + 1;

        // 9. Overflow: responses (9 bytes) drain slower than requests (7 bytes)
        // arrive, so a long burst overflows the 4-entry FIFO. Every answer must
        // be right and in order; answered + dropped = sent.
        for (k = 0; k < NB; k = k + 1) send_infer(20'h70000 + k);
        answered = 0;
        j = 0;
        got_ok = 1'b1;
        while (got_ok && j < NB) begin
            take(9, got_ok);
            if (got_ok) begin
                // Find which request this answers: the next one not dropped.
                while (j < NB && {resp[7], resp[6], resp[5], resp[4], resp[3]} !==
                                 {~(20'h70000 + j[19:0]), 20'h70000 + j[19:0] + 1'b1}) j = j + 1;
                if (j == NB) begin
                    $display("FAIL overflow: answer %02x%02x%02x%02x%02x matches no later request",
                             resp[7], resp[6], resp[5], resp[4], resp[3]);
                    errors = errors + 1;
                end
                answered = answered + 1;
                j = j + 1;
            end
        end
        if (answered < 4 || answered == NB) begin
            $display("FAIL overflow: %0d of %0d answered, expected at least 4 and some dropped", answered, NB);
            errors = errors + 1;
        end
        n_ok = n_ok + answered;
        n_drop = n_drop + NB - answered;
        send_status;
        expect_status(n_ok + 1, n_drop, "counts after overflow");
        n_ok = n_ok + 1;

        // 10. Random bytes (with A5s and framing errors in them), then quiet: the
        // next good frame is always answered.
        seed = 12345;
        for (k = 0; k < 20; k = k + 1) begin
            for (j = 0; j < 5 + k * 3; j = j + 1) send_byte($random(seed), ($random(seed) & 7) != 0);
            quiet;
            rx_rd = rx_wr;  // forget anything the garbage provoked (e.g. a status answer)
            f = $random(seed);
            send_infer(f);
            expect_result(f, "after random bytes");
        end

        // 12. A core slower than a whole frame: a status request waits for the
        // results of earlier requests, and a request arriving while it waits is
        // dropped (no room).
        // The garbage of part 10 was counted too: start from the bridge's counts.
        send_status;
        take(8, got_ok);
        n_ok = {resp[4], resp[3]};
        n_drop = {resp[6], resp[5]};
        core_lat = 1500;
        send_infer(20'h0C0DE);
        send_status;
        send_infer(20'h0BEEF);
        n_ok = n_ok + 3;
        expect_result(20'h0C0DE, "slow core, before status");
        expect_status(n_ok, n_drop, "slow core status");  // read after 0BEEF was accepted
        expect_result(20'h0BEEF, "slow core, after status");
        core_lat = 2500;  // now even longer than a status frame and a request
        send_infer(20'h00AAA);
        send_status;
        send_infer(20'h00BBB);
        n_ok = n_ok + 2;
        n_drop = n_drop + 1;
        // frames_ok/dropped are read when the status response starts: after the
        // third request was dropped.
        expect_result(20'h00AAA, "slow core, second round");
        expect_status(n_ok, n_drop, "slow core status, second round");
        expect_silence("slow core, dropped request");
        core_lat = 3;

        // 13. A busy core (core_in_ready low): an accepted request waits with its
        // features intact until the core takes it; an infer request arriving
        // meanwhile is dropped at its LEN byte (its payload would overwrite the
        // waiting one); a status request is still taken.
        send_status;
        take(8, got_ok);
        n_ok = {resp[4], resp[3]};
        n_drop = {resp[6], resp[5]};
        core_ready = 1'b0;
        send_infer(20'h13579);
        #(BIT_NS * 40);
        if (!core_in_valid || core_in_features !== 20'h13579) begin
            $display("FAIL busy core: request not held (valid %b, features %05x)",
                     core_in_valid, core_in_features);
            errors = errors + 1;
        end
        send_infer(20'h24680);
        quiet;
        if (core_in_features !== 20'h13579) begin
            $display("FAIL busy core: waiting features overwritten with %05x", core_in_features);
            errors = errors + 1;
        end
        expect_silence("busy core, nothing answered yet");
        core_ready = 1'b1;
        expect_result(20'h13579, "busy core, the waiting request");
        expect_silence("busy core, dropped request");
        send_status;
        expect_status(n_ok + 2, n_drop + 1, "busy core counts");

        // 11. LEDs pulsed, stretched, and off again.
        #(LED_STRETCH * CLK_NS * 2);
        if (act_pulses < 1 || err_pulses < 1 || led_error || led_activity) begin
            $display("FAIL LEDs: %0d activity and %0d error pulses, now %b %b",
                     act_pulses, err_pulses, led_activity, led_error);
            errors = errors + 1;
        end
        if (err_len_max < LED_STRETCH * 7 / 8) begin
            $display("FAIL led_error pulse %0d clocks, expected about %0d", err_len_max, LED_STRETCH);
            errors = errors + 1;
        end
        if (rx_ferr != 0) begin
            $display("FAIL %0d bytes from the bridge with a bad stop bit", rx_ferr);
            errors = errors + 1;
        end

        if (errors == 0) $display("PASS");
        else $display("FAIL: %0d errors", errors);
        $finish;
    end

    initial begin
        #(400_000_000);
        $display("FAIL: testbench timed out");
        $finish;
    end
endmodule

`default_nettype wire
