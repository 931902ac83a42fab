//! `locus run`: sends rows to the board top over the framed UART protocol and checks every answer against the reference, on a board (serial port) or on the Verilated board top at the bit level.
//!
//! One host client ([`Client`]) speaks the protocol through a [`Transport`]; there
//! are two: [`SerialLink`] (a TTY configured raw 8N1 with termios) and [`SimLink`]
//! (the generated `locus_top` under Verilator, whose `uart_rx` pin is bit-banged
//! and whose `uart_tx` pin is sampled mid-bit, one clock at a time). Time on a
//! transport is *link time*: wall time on a port, simulated time (cycles / CLK_HZ)
//! in simulation, so the same timeouts mean the same thing on both.
//!
//! The client keeps up to `window` requests in flight (default 4, the bridge's
//! result FIFO depth: a slot is reserved from a request's acceptance until its
//! answer starts, so a window no deeper than the FIFO never overflows it). A core
//! slower than a request frame (a serial core whose II in clocks exceeds a frame's
//! bits × clocks per bit) gets one request at a time instead ([`paced_window`]): the
//! bridge holds a request until the core takes it and drops an infer frame that would
//! overwrite it, so pacing avoids those drops rather than guarding correctness. Answers
//! come back in request order. A missing or damaged answer makes the client stay
//! silent past the bridge's inter-byte timeout (resynchronising it), drop what it
//! received, and resend the requests in flight one at a time. The status counters
//! are read before and after; if the board dropped frames, rows whose answers
//! disagree are asked again one at a time, since an answer may have been paired
//! with the wrong request.

use crate::protocol::{self, DecodeError, Decoder, Frame, Status};
use crate::{read_data, UserError};
use anyhow::{Context, Result};
use hdl_gen::board_top::{emit_top, write_rtl, TopOptions, BOARD_TOP};
use hdl_gen::compile::{self, load_dir, Interface, Loaded, OutputField, Vector};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Clock cycles per UART bit in simulation: CLK_HZ = SIM_CLKS_PER_BIT × baud.
/// Small keeps the simulation fast; 16 gives the receivers' mid-bit sampling the
/// same margins as on a board.
pub const SIM_CLKS_PER_BIT: u64 = 16;

/// The bridge's default inter-byte timeout (5 ms or 20 bit times, the longer).
fn bridge_timeout(baud: u32) -> Duration {
    Duration::from_millis(5).max(bit_time(baud) * 20)
}

fn bit_time(baud: u32) -> Duration {
    Duration::from_secs_f64(1.0 / f64::from(baud.max(1)))
}

/// How many mismatching rows are described in full.
const SHOW: usize = 10;

/// Where the rows go.
#[derive(Clone, Debug)]
pub enum Mode {
    /// The Verilated board top.
    Sim,
    /// A serial port with a board flashed with this design.
    Port(PathBuf),
}

/// `locus run` options.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub mode: Mode,
    pub baud: u32,
    /// Requests in flight, 1 to 4 (the bridge's FIFO depth).
    pub window: usize,
    /// Print each row's decision in words from the evidence the board sent back.
    pub explain: bool,
}

/// A byte pipe to the board top, with link-time timeouts.
pub trait Transport {
    /// Queues `bytes` for sending (returns without waiting for them to leave).
    fn send(&mut self, bytes: &[u8]) -> Result<()>;
    /// The next byte received, or `None` if none arrives within `timeout`.
    fn recv(&mut self, timeout: Duration) -> Result<Option<u8>>;
    /// Waits until everything queued has been sent, then keeps the line idle for
    /// `d`; bytes received meanwhile are kept for `recv`.
    fn quiet(&mut self, d: Duration) -> Result<()>;
    /// Link time since the transport was opened.
    fn elapsed(&self) -> Duration;
}

/// What happened to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The core's outputs, unpacked.
    Outputs(Vec<i64>),
    /// No good answer (after retries).
    Missing(String),
}

/// The host side of the protocol over any transport.
pub struct Client<T: Transport> {
    pub link: T,
    dec: Decoder,
    baud: u32,
    feat_bytes: usize,
    res_bytes: usize,
    outputs: Vec<OutputField>,
    /// Requests in flight in [`Client::infer_all`].
    pub window: usize,
    /// Timeouts, bad CRCs and unexpected frames seen.
    pub link_errors: u64,
    /// Requests sent again after a link error.
    pub retries: u64,
}

impl<T: Transport> Client<T> {
    /// A client for a core with interface `iface` at `baud`.
    pub fn new(link: T, iface: &Interface, baud: u32) -> Self {
        let res_w: u32 = iface.outputs.iter().map(|o| o.width).sum();
        Client {
            link,
            dec: Decoder::new(protocol::SYNC_RESPONSE),
            baud,
            feat_bytes: protocol::bytes_for(iface.in_features_width),
            res_bytes: protocol::bytes_for(res_w),
            outputs: iface.outputs.clone(),
            window: 4,
            link_errors: 0,
            retries: 0,
        }
    }

    /// Bytes on the wire per row: (request, answer).
    pub fn frame_bytes(&self) -> (usize, usize) {
        (
            self.feat_bytes + protocol::OVERHEAD,
            self.res_bytes + protocol::OVERHEAD,
        )
    }

    /// The infer request for packed `in_features` words.
    pub fn request(&self, words: &[u32], width: u32) -> Vec<u8> {
        protocol::infer_request(&protocol::pack_features(words, width))
            .expect("payload length checked when the client was made")
    }

    /// How long to wait for `n` answers to start arriving: the time `n` requests
    /// and answers take on the wire, twice, plus 100 ms for USB and OS latency.
    fn answer_timeout(&self, n: usize) -> Duration {
        let (a, b) = self.frame_bytes();
        bit_time(self.baud) * (20 * (a + b) * n.max(1)) as u32 + Duration::from_millis(100)
    }

    /// The next complete frame, a CRC error, or `None` on timeout. The timeout
    /// restarts with every byte received.
    pub fn next_frame(&mut self, timeout: Duration) -> Result<Option<Result<Frame, DecodeError>>> {
        loop {
            match self.link.recv(timeout)? {
                None => return Ok(None),
                Some(b) => {
                    if let Some(f) = self.dec.push(b) {
                        return Ok(Some(f));
                    }
                }
            }
        }
    }

    /// Brings the bridge and the decoder back to a known state: silence longer
    /// than the bridge's inter-byte timeout plus a byte time (so a false frame
    /// started by garbage is dropped), then discard whatever arrived.
    pub fn resync(&mut self) -> Result<()> {
        let gap = bridge_timeout(self.baud) + bit_time(self.baud) * 30 + Duration::from_millis(1);
        self.link.quiet(gap)?;
        while self.link.recv(Duration::ZERO)?.is_some() {}
        self.dec.reset();
        Ok(())
    }

    /// Asks for the bridge's counters; `None` if no good answer came.
    pub fn status(&mut self) -> Result<Option<Status>> {
        self.link.send(&protocol::status_request())?;
        let t = self.answer_timeout(1);
        match self.next_frame(t)? {
            Some(Ok(f)) => Ok(Status::parse(&f)),
            _ => Ok(None),
        }
    }

    fn unpack(&self, f: &Frame) -> Result<Vec<i64>, String> {
        if f.ty != protocol::TYPE_INFER {
            return Err(format!("answer of type 0x{:02x}, expected 0x01", f.ty));
        }
        protocol::unpack_result(&f.payload, &self.outputs).ok_or_else(|| {
            format!(
                "answer with {} payload bytes, expected {}",
                f.payload.len(),
                self.res_bytes
            )
        })
    }

    /// One request, stop and wait, with up to `attempts` tries (resynchronising
    /// between them).
    pub fn infer_one(&mut self, request: &[u8], attempts: usize) -> Result<Answer> {
        let mut why = String::from("not sent");
        for attempt in 0..attempts.max(1) {
            if attempt > 0 {
                self.retries += 1;
                self.resync()?;
            }
            self.link.send(request)?;
            let t = self.answer_timeout(1);
            why = match self.next_frame(t)? {
                Some(Ok(f)) => match self.unpack(&f) {
                    Ok(v) => return Ok(Answer::Outputs(v)),
                    Err(e) => e,
                },
                Some(Err(e)) => e.to_string(),
                None => "no answer".into(),
            };
            self.link_errors += 1;
        }
        self.resync()?;
        Ok(Answer::Missing(why))
    }

    /// All requests, up to `window` in flight; answers in request order.
    /// `progress` is called once per answered request.
    pub fn infer_all(
        &mut self,
        requests: &[Vec<u8>],
        mut progress: impl FnMut(),
    ) -> Result<Vec<Answer>> {
        let n = requests.len();
        let mut answers: Vec<Option<Answer>> = vec![None; n];
        let mut inflight: VecDeque<usize> = VecDeque::new();
        let mut retry: Vec<usize> = Vec::new();
        let mut next = 0;
        let window = self.window.clamp(1, 4);
        while next < n || !inflight.is_empty() {
            while inflight.len() < window && next < n {
                self.link.send(&requests[next])?;
                inflight.push_back(next);
                next += 1;
            }
            let t = self.answer_timeout(inflight.len());
            let got = match self.next_frame(t)? {
                Some(Ok(f)) => self.unpack(&f),
                Some(Err(e)) => Err(e.to_string()),
                None => Err("no answer".into()),
            };
            match got {
                Ok(v) => {
                    let i = inflight.pop_front().expect("a request is in flight");
                    answers[i] = Some(Answer::Outputs(v));
                    progress();
                }
                Err(_) => {
                    // Everything in flight is suspect: resynchronise and retry it
                    // one at a time at the end.
                    self.link_errors += 1;
                    self.resync()?;
                    retry.extend(inflight.drain(..));
                }
            }
        }
        for i in retry {
            self.retries += 1;
            answers[i] = Some(self.infer_one(&requests[i], 3)?);
            progress();
        }
        Ok(answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Answer::Missing("not sent".into())))
            .collect())
    }
}

// ------------------------------------------------------------------ simulation

/// The Verilated `locus_top`, driven at the bit level.
pub struct SimLink {
    inst: sim::Instance,
    p_rx: sim::PortId,
    p_tx: sim::PortId,
    p_led_act: sim::PortId,
    p_led_err: sim::PortId,
    clk_hz: u64,
    cpb: u64,
    /// Host to board: 10-bit frames (start, 8 data, stop; bit 0 first) to send.
    out: VecDeque<u16>,
    /// The frame on the line: (bits, bits left, clocks left in this bit).
    cur: Option<(u16, u32, u64)>,
    level: bool,
    /// Board to host receiver: clocks to the next sample, bits sampled, shift register.
    rx: RxState,
    inbox: VecDeque<u8>,
    cycles: u64,
    /// Bytes from the board whose stop bit was low.
    pub framing_errors: u64,
    /// Rising edges of `led_activity` and `led_error` seen.
    pub led_activity_pulses: u64,
    pub led_error_pulses: u64,
    led_state: (bool, bool),
}

#[derive(Clone, Copy, Debug)]
enum RxState {
    Idle,
    /// Waiting to sample bit `n` (0 start, 1..=8 data, 9 stop) in `wait` clocks.
    Bit {
        n: u32,
        wait: u64,
        shift: u8,
    },
    /// After a framing error: wait for the line to go high.
    Break,
}

impl SimLink {
    /// Wraps an instance of `locus_top` built with CLK_HZ = `clk_hz` and BAUD =
    /// `baud`, and runs it through its power-on reset.
    pub fn new(mut inst: sim::Instance, clk_hz: u64, baud: u32) -> Result<Self> {
        let port = |inst: &sim::Instance, name: &str| {
            inst.port(name)
                .with_context(|| format!("{BOARD_TOP} has no port {name}"))
        };
        let p_rst = port(&inst, "rst_in")?;
        let p_rx = port(&inst, "uart_rx")?;
        let p_tx = port(&inst, "uart_tx")?;
        let p_led_act = port(&inst, "led_activity")?;
        let p_led_err = port(&inst, "led_error")?;
        inst.set_u64(p_rst, 1); // active-low button, released
        inst.set_u64(p_rx, 1);
        let mut link = SimLink {
            inst,
            p_rx,
            p_tx,
            p_led_act,
            p_led_err,
            clk_hz,
            cpb: (clk_hz + u64::from(baud) / 2) / u64::from(baud.max(1)),
            out: VecDeque::new(),
            cur: None,
            level: true,
            rx: RxState::Idle,
            inbox: VecDeque::new(),
            cycles: 0,
            framing_errors: 0,
            led_activity_pulses: 0,
            led_error_pulses: 0,
            led_state: (false, false),
        };
        // The power-on reset holds 4097 clocks (locus_reset_sync, POR_BITS = 12).
        for _ in 0..5000 {
            link.step();
        }
        Ok(link)
    }

    /// Clock cycles simulated so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Queues a byte whose stop bit is low (a framing error), for tests.
    pub fn send_bad_stop(&mut self, byte: u8) {
        self.out.push_back(u16::from(byte) << 1);
    }

    /// Holds the line low for `bits` bit times (a break), for tests.
    pub fn send_break(&mut self, bits: u32) {
        for _ in 0..bits.div_ceil(10) {
            self.out.push_back(0);
        }
    }

    fn tx_busy(&self) -> bool {
        self.cur.is_some() || !self.out.is_empty()
    }

    /// One clock: drive uart_rx, tick, sample uart_tx and the LEDs.
    fn step(&mut self) {
        if self.cur.is_none() {
            if let Some(f) = self.out.pop_front() {
                self.cur = Some((f, 10, self.cpb));
            }
        }
        let level = match &mut self.cur {
            Some((bits, _, _)) => *bits & 1 == 1,
            None => true,
        };
        if level != self.level {
            self.inst.set_u64(self.p_rx, u64::from(level));
            self.level = level;
        }
        if let Some((bits, left, clocks)) = &mut self.cur {
            *clocks -= 1;
            if *clocks == 0 {
                *bits >>= 1;
                *left -= 1;
                *clocks = self.cpb;
                if *left == 0 {
                    self.cur = None;
                }
            }
        }
        self.inst.tick();
        self.cycles += 1;
        let line = self.inst.get_u64(self.p_tx) & 1 == 1;
        self.rx = match self.rx {
            RxState::Idle if !line => RxState::Bit {
                n: 0,
                wait: self.cpb / 2,
                shift: 0,
            },
            RxState::Idle => RxState::Idle,
            RxState::Break if line => RxState::Idle,
            RxState::Break => RxState::Break,
            RxState::Bit { n, wait, shift } if wait > 1 => RxState::Bit {
                n,
                wait: wait - 1,
                shift,
            },
            RxState::Bit { n: 0, .. } if line => RxState::Idle, // glitch
            RxState::Bit { n, shift, .. } if n < 9 => RxState::Bit {
                n: n + 1,
                wait: self.cpb,
                shift: if n == 0 {
                    0
                } else {
                    (shift >> 1) | (u8::from(line) << 7)
                },
            },
            RxState::Bit { shift, .. } => {
                if line {
                    self.inbox.push_back(shift);
                    RxState::Idle
                } else {
                    self.framing_errors += 1;
                    RxState::Break
                }
            }
        };
        let act = self.inst.get_u64(self.p_led_act) & 1 == 1;
        let err = self.inst.get_u64(self.p_led_err) & 1 == 1;
        self.led_activity_pulses += u64::from(act && !self.led_state.0);
        self.led_error_pulses += u64::from(err && !self.led_state.1);
        self.led_state = (act, err);
    }

    fn cycles_for(&self, d: Duration) -> u64 {
        (d.as_secs_f64() * self.clk_hz as f64).ceil() as u64
    }
}

impl Transport for SimLink {
    fn send(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .extend(bytes.iter().map(|&b| (u16::from(b) << 1) | (1 << 9)));
        Ok(())
    }

    fn recv(&mut self, timeout: Duration) -> Result<Option<u8>> {
        let limit = self.cycles_for(timeout);
        let mut n = 0;
        while self.inbox.is_empty() && n < limit {
            self.step();
            n += 1;
        }
        Ok(self.inbox.pop_front())
    }

    fn quiet(&mut self, d: Duration) -> Result<()> {
        while self.tx_busy() {
            self.step();
        }
        for _ in 0..self.cycles_for(d) {
            self.step();
        }
        Ok(())
    }

    fn elapsed(&self) -> Duration {
        Duration::from_secs_f64(self.cycles as f64 / self.clk_hz as f64)
    }
}

/// Writes `DIR/sim-top/` (the board top for CLK_HZ = 16 × `baud` and the `rtl/`
/// primitives embedded in this binary), builds it with the core under Verilator
/// and returns the running link and the build time in seconds.
pub fn sim_link(l: &Loaded, baud: u32) -> Result<(SimLink, f64)> {
    let clk_hz = SIM_CLKS_PER_BIT * u64::from(baud);
    let top_dir = l.dir.join("sim-top");
    let mut files = write_rtl(&top_dir)
        .with_context(|| format!("writing the rtl/ primitives into {}", top_dir.display()))?;
    let opts = TopOptions::plain(clk_hz, u64::from(baud), true);
    let header = vec![
        format!(
            "{BOARD_TOP}: generated by locus {} for `locus run --sim` — do not edit.",
            env!("CARGO_PKG_VERSION")
        ),
        format!("Core clock {clk_hz} Hz = {SIM_CLKS_PER_BIT} clocks per bit at {baud} baud."),
    ];
    let text = hdl_gen::vlog::print(&emit_top(&l.report.interface, &opts, header));
    let top_path = top_dir.join(format!("{BOARD_TOP}.v"));
    std::fs::write(&top_path, text).with_context(|| format!("writing {}", top_path.display()))?;
    files.push(l.rtl_path.clone());
    files.push(top_path);
    let bit = |name: &str, out: bool| {
        if out {
            sim::Port::output(name, 1)
        } else {
            sim::Port::input(name, 1)
        }
    };
    let design = sim::Design {
        files,
        top: BOARD_TOP.into(),
        ports: vec![
            bit("clk_in", false),
            bit("rst_in", false),
            bit("uart_rx", false),
            bit("uart_tx", true),
            bit("led_activity", true),
            bit("led_error", true),
        ],
        clock: Some("clk_in".into()),
    };
    let spinner = ProgressBar::new_spinner().with_message("building the board top with Verilator");
    spinner.enable_steady_tick(Duration::from_millis(120));
    let t0 = Instant::now();
    let lib = sim::build(&design, &sim::BuildOptions::default());
    spinner.finish_and_clear();
    let lib = lib?;
    let build_seconds = t0.elapsed().as_secs_f64();
    let link = SimLink::new(lib.instantiate()?, clk_hz, baud)?;
    Ok((link, build_seconds))
}

// ------------------------------------------------------------------ serial port

/// A serial port configured raw, 8N1, no flow control.
pub struct SerialLink {
    file: std::fs::File,
    inbox: VecDeque<u8>,
    start: Instant,
}

fn baud_constant(baud: u32) -> Option<libc::speed_t> {
    Some(match baud {
        9600 => libc::B9600,
        19200 => libc::B19200,
        38400 => libc::B38400,
        57600 => libc::B57600,
        115200 => libc::B115200,
        230400 => libc::B230400,
        460800 => libc::B460800,
        500000 => libc::B500000,
        576000 => libc::B576000,
        921600 => libc::B921600,
        1000000 => libc::B1000000,
        1152000 => libc::B1152000,
        1500000 => libc::B1500000,
        2000000 => libc::B2000000,
        2500000 => libc::B2500000,
        3000000 => libc::B3000000,
        3500000 => libc::B3500000,
        4000000 => libc::B4000000,
        _ => return None,
    })
}

impl SerialLink {
    /// Opens and configures `path`. A missing device, or one that is not a serial
    /// port, is a [`UserError`].
    pub fn open(path: &Path, baud: u32) -> Result<Self> {
        use std::os::unix::fs::OpenOptionsExt;
        use std::os::unix::io::AsRawFd;
        let speed = baud_constant(baud).ok_or_else(|| {
            UserError(format!(
                "--baud {baud}: not a standard rate; expected one of 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 921600, 1000000, 1500000, 2000000, 3000000, 4000000"
            ))
        })?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| {
                UserError(match e.kind() {
                    std::io::ErrorKind::NotFound => format!(
                        "{}: no such serial port; is the board plugged in? (see `ls /dev/ttyUSB* /dev/ttyACM*`)",
                        path.display()
                    ),
                    std::io::ErrorKind::PermissionDenied => format!(
                        "{}: permission denied; add yourself to the group owning it (often `dialout`)",
                        path.display()
                    ),
                    _ => format!("{}: cannot open: {e}", path.display()),
                })
            })?;
        let fd = file.as_raw_fd();
        // SAFETY: fd is open for the life of `file`; tio is plain data filled by tcgetattr.
        unsafe {
            let mut tio: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(fd, &mut tio) != 0 {
                return Err(UserError(format!(
                    "{}: not a serial port ({})",
                    path.display(),
                    std::io::Error::last_os_error()
                ))
                .into());
            }
            libc::cfmakeraw(&mut tio);
            tio.c_cflag |= libc::CLOCAL | libc::CREAD;
            tio.c_cflag &= !(libc::PARENB | libc::CSTOPB | libc::CRTSCTS | libc::CSIZE);
            tio.c_cflag |= libc::CS8;
            tio.c_iflag &= !(libc::IXON | libc::IXOFF | libc::IXANY);
            tio.c_cc[libc::VMIN] = 0;
            tio.c_cc[libc::VTIME] = 0;
            if libc::cfsetispeed(&mut tio, speed) != 0
                || libc::cfsetospeed(&mut tio, speed) != 0
                || libc::tcsetattr(fd, libc::TCSANOW, &tio) != 0
            {
                return Err(UserError(format!(
                    "{}: cannot set {baud} baud 8N1: {}",
                    path.display(),
                    std::io::Error::last_os_error()
                ))
                .into());
            }
            libc::tcflush(fd, libc::TCIOFLUSH);
            let flags = libc::fcntl(fd, libc::F_GETFL);
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
        Ok(SerialLink {
            file,
            inbox: VecDeque::new(),
            start: Instant::now(),
        })
    }
}

impl Transport for SerialLink {
    fn send(&mut self, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        self.file
            .write_all(bytes)
            .context("writing to the serial port")
    }

    fn recv(&mut self, timeout: Duration) -> Result<Option<u8>> {
        use std::io::Read;
        use std::os::unix::io::AsRawFd;
        if let Some(b) = self.inbox.pop_front() {
            return Ok(Some(b));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let mut pfd = libc::pollfd {
                fd: self.file.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = left.as_millis().min(i32::MAX as u128) as i32;
            // SAFETY: one valid pollfd.
            let r = unsafe { libc::poll(&mut pfd, 1, ms) };
            if r < 0 {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e).context("waiting for the serial port");
            }
            if r == 0 {
                return Ok(None);
            }
            let mut buf = [0u8; 256];
            let n = self
                .file
                .read(&mut buf)
                .context("reading the serial port")?;
            if n == 0 && left.is_zero() {
                return Ok(None);
            }
            self.inbox.extend(&buf[..n]);
            if let Some(b) = self.inbox.pop_front() {
                return Ok(Some(b));
            }
        }
    }

    fn quiet(&mut self, d: Duration) -> Result<()> {
        use std::os::unix::io::AsRawFd;
        // SAFETY: valid fd.
        unsafe { libc::tcdrain(self.file.as_raw_fd()) };
        std::thread::sleep(d);
        Ok(())
    }

    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}

// ------------------------------------------------------------------ the command

#[derive(Serialize)]
struct RunReport {
    rows: usize,
    mismatches: usize,
    /// Rows with no good answer (counted in mismatches too).
    no_answer: usize,
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<String>,
    baud: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    clk_hz: Option<u64>,
    window: usize,
    data: String,
    request_bytes: usize,
    answer_bytes: usize,
    /// baud / 10 / max(request, answer bytes): the link's limit with pipelining.
    link_limit_rows_per_second: f64,
    /// Rows per second of link time (simulated time in --sim: what a board at this
    /// baud would do, host latency aside).
    link_rows_per_second: f64,
    link_seconds: f64,
    /// Rows per second of wall time.
    rows_per_second: f64,
    seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    cycles: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cycles_per_row: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    build_seconds: Option<f64>,
    link_errors: u64,
    retries: u64,
    /// The bridge's counters over the run (differences of the status answers).
    frames_ok: Option<u16>,
    frames_dropped: Option<u16>,
}

/// The window for a core taking a vector every `ii` clocks at `clk_hz`: `requested`,
/// or 1 when a request frame (`in_width` bits of features) takes no longer on the wire
/// than the core takes per vector, so the next request would find the core busy.
pub fn paced_window(requested: usize, in_width: u32, ii: u32, clk_hz: u64, baud: u32) -> usize {
    let frame_bits = 10 * (4 + protocol::bytes_for(in_width) as u64);
    let frame_clocks = frame_bits * clk_hz / u64::from(baud.max(1));
    if u64::from(ii) >= frame_clocks {
        1
    } else {
        requested
    }
}

/// The core clock of a board build (`DIR/synth.json`), or 12 MHz, the slowest board
/// clock locus builds for (so a slow core is paced rather than not).
fn board_clock(dir: &Path) -> u64 {
    std::fs::read_to_string(dir.join("synth.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["clock"]["core_hz"].as_u64())
        .unwrap_or(12_000_000)
}

/// Loads DIR, runs every row of `data` through the board top and writes `DIR/run.json`.
pub fn run(dir: &Path, data: &Path, opts: &RunOptions) -> Result<ExitCode> {
    if !(1..=4).contains(&opts.window) {
        return Err(UserError(format!(
            "--window {}: expected 1 to 4 (the board's result FIFO holds 4)",
            opts.window
        ))
        .into());
    }
    if opts.baud == 0 {
        return Err(UserError("--baud 0: expected a positive rate".into()).into());
    }
    let l = load_dir(dir)?;
    if opts.explain {
        let evidence = match &l.quant {
            hdl_gen::compile::AnyQuant::Trees(q) => q.evidence,
            hdl_gen::compile::AnyQuant::Rbf(q) => q.evidence,
        };
        if !evidence {
            return Err(UserError(format!(
                "{}: compiled without evidence outputs; expected a directory compiled with \
                 `locus compile --explain`",
                dir.display()
            ))
            .into());
        }
    }
    let d = read_data(data, &l.model)?;
    let vectors = compile::vectors(&l.quant, &l.ir, &d)?;
    let iface = &l.report.interface;
    if protocol::bytes_for(iface.in_features_width) > 255
        || protocol::bytes_for(hdl_gen::board_top::result_width(iface)) > 255
    {
        return Err(UserError(format!(
            "{}: in_features ({} bits) or the outputs are wider than a frame carries (255 bytes)",
            dir.display(),
            iface.in_features_width
        ))
        .into());
    }
    match &opts.mode {
        Mode::Sim => {
            let (link, build) = sim_link(&l, opts.baud)?;
            let clk = link.clk_hz;
            let mut c = Client::new(link, iface, opts.baud);
            c.window = paced_window(
                opts.window,
                iface.in_features_width,
                l.report.initiation_interval,
                clk,
                opts.baud,
            );
            let r = drive(&l, &mut c, &vectors, data, opts, "sim", None)?;
            let cycles = c.link.cycles();
            finish(
                dir,
                RunReport {
                    clk_hz: Some(clk),
                    cycles: Some(cycles),
                    cycles_per_row: Some(cycles as f64 / vectors.len().max(1) as f64),
                    build_seconds: Some(build),
                    ..r
                },
            )
        }
        Mode::Port(p) => {
            let link = SerialLink::open(p, opts.baud)?;
            let mut c = Client::new(link, iface, opts.baud);
            c.window = paced_window(
                opts.window,
                iface.in_features_width,
                l.report.initiation_interval,
                board_clock(dir),
                opts.baud,
            );
            let r = drive(
                &l,
                &mut c,
                &vectors,
                data,
                opts,
                "port",
                Some(p.display().to_string()),
            )?;
            finish(dir, r)
        }
    }
}

fn finish(dir: &Path, r: RunReport) -> Result<ExitCode> {
    let path = dir.join("run.json");
    std::fs::write(&path, serde_json::to_string_pretty(&r)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    let how = match (&r.port, r.clk_hz) {
        (Some(p), _) => format!("{p} at {} baud", r.baud),
        (None, Some(clk)) => format!(
            "the simulated UART ({} baud, {clk} Hz, {SIM_CLKS_PER_BIT} clocks per bit)",
            r.baud
        ),
        (None, None) => format!("{} baud", r.baud),
    };
    println!(
        "{}: {} rows over {how}: {} mismatches{}",
        dir.display(),
        r.rows,
        r.mismatches,
        if r.no_answer > 0 {
            format!(" ({} without an answer)", r.no_answer)
        } else {
            String::new()
        }
    );
    let mut line = format!(
        "  throughput {:.0} rows/s wall; {:.0} rows/s on the link ({:.0} max for {} + {} bytes per row)",
        r.rows_per_second,
        r.link_rows_per_second,
        r.link_limit_rows_per_second,
        r.request_bytes,
        r.answer_bytes
    );
    if let (Some(c), Some(b)) = (r.cycles_per_row, r.build_seconds) {
        line.push_str(&format!("; {c:.0} clocks per row; build {b:.1} s"));
    }
    println!("{line}");
    if r.link_errors > 0 || r.frames_dropped.unwrap_or(0) > 0 {
        println!(
            "  link: {} errors, {} retries, {} frames dropped by the board",
            r.link_errors,
            r.retries,
            r.frames_dropped
                .map_or_else(|| "?".to_string(), |d| d.to_string())
        );
    }
    Ok(if r.mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Sends every vector, compares the answers, and fills a report (mode-specific
/// fields left empty).
fn drive<T: Transport>(
    l: &Loaded,
    c: &mut Client<T>,
    vectors: &[Vector],
    data: &Path,
    opts: &RunOptions,
    mode: &'static str,
    port: Option<String>,
) -> Result<RunReport> {
    let width = l.report.interface.in_features_width;
    let requests: Vec<Vec<u8>> = vectors
        .iter()
        .map(|v| c.request(&compile::pack_words(&l.ir, &v.inputs), width))
        .collect();
    let wall = Instant::now();
    c.resync()?;
    let before = c.status()?;
    if before.is_none() {
        // No board answering is the user's to fix (exit 2); a silent simulated
        // board top is a bug (exit 1).
        return Err(match &port {
            Some(p) => UserError(format!(
                "no answer to a status request on {p} at {} baud; is the board flashed with this design (`locus synth`, `locus flash`) and the baud right?",
                opts.baud
            ))
            .into(),
            None => anyhow::anyhow!("the simulated board top did not answer a status request"),
        });
    }
    let link0 = c.link.elapsed();
    let bar = ProgressBar::new(vectors.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("run {bar:40} {pos}/{len} rows")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut answers = c.infer_all(&requests, || bar.inc(1))?;
    let link_seconds = (c.link.elapsed() - link0).as_secs_f64();
    let mut after = c.status()?;
    // If the board dropped frames, an answer may belong to another request: ask
    // again, one at a time, for every row that disagrees.
    let dropped = |a: Option<Status>| a.map(|s| s.frames_dropped);
    if dropped(after) != dropped(before) {
        for (i, v) in vectors.iter().enumerate() {
            if answers[i] != Answer::Outputs(v.outputs.clone()) {
                answers[i] = c.infer_one(&requests[i], 3)?;
            }
        }
        after = c.status()?;
    }
    bar.finish_and_clear();
    let seconds = wall.elapsed().as_secs_f64();
    let mut mismatches = 0;
    let mut no_answer = 0;
    for (i, v) in vectors.iter().enumerate() {
        let ok = answers[i] == Answer::Outputs(v.outputs.clone());
        if ok {
            continue;
        }
        mismatches += 1;
        if matches!(answers[i], Answer::Missing(_)) {
            no_answer += 1;
        }
        if mismatches <= SHOW {
            explain(l, v, &answers[i]);
        }
    }
    if mismatches > SHOW {
        eprintln!("... {} more mismatches not shown", mismatches - SHOW);
    }
    if opts.explain {
        // The words come from the outputs the board sent, evidence ports included.
        let n_features = l.model.n_features();
        for (v, a) in vectors.iter().zip(&answers) {
            if let Answer::Outputs(o) = a {
                if let hdl_gen::compile::AnyQuant::Rbf(_) = &l.quant {
                    let x = crate::explain::rbf_from_outputs(l, v.row, &v.inputs, o)?;
                    print!("{}", crate::explain::rbf_words(l, &x));
                    continue;
                }
                let e = hdl_gen::explain::encoded_from_ports(&l.ir, n_features, &v.inputs);
                let x = crate::explain::from_outputs(l, v.row, &e, o)?;
                print!("{}", crate::explain::words(l, &x));
            }
        }
    }
    let (req, ans) = c.frame_bytes();
    let n = vectors.len();
    Ok(RunReport {
        rows: n,
        mismatches,
        no_answer,
        mode,
        port,
        baud: opts.baud,
        clk_hz: None,
        window: c.window,
        data: data.display().to_string(),
        request_bytes: req,
        answer_bytes: ans,
        link_limit_rows_per_second: f64::from(opts.baud) / 10.0 / req.max(ans) as f64,
        link_rows_per_second: n as f64 / link_seconds.max(1e-9),
        link_seconds,
        rows_per_second: n as f64 / seconds.max(1e-9),
        seconds,
        cycles: None,
        cycles_per_row: None,
        build_seconds: None,
        link_errors: c.link_errors,
        retries: c.retries,
        frames_ok: before
            .zip(after)
            .map(|(b, a)| a.frames_ok.wrapping_sub(b.frames_ok)),
        frames_dropped: before
            .zip(after)
            .map(|(b, a)| a.frames_dropped.wrapping_sub(b.frames_dropped)),
    })
}

fn explain(l: &Loaded, v: &Vector, got: &Answer) {
    eprintln!("MISMATCH row {} (data line {}):", v.row, v.row + 2);
    match got {
        Answer::Missing(why) => eprintln!("    no answer: {why}"),
        Answer::Outputs(g) => {
            for (j, o) in l.report.interface.outputs.iter().enumerate() {
                let flag = if g.get(j) == v.outputs.get(j) {
                    ""
                } else {
                    "   <-- differs"
                };
                eprintln!(
                    "    output {:<24} expected {:>12}  got {:>12}{flag}",
                    o.name,
                    v.outputs[j],
                    g.get(j).copied().unwrap_or_default()
                );
            }
        }
    }
}
