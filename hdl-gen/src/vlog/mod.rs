//! A small Verilog-2005 AST: the only way locus produces Verilog text (see `print`).

mod print;

pub use print::print;

/// Port direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Input,
    Output,
}

/// A module port (always `wire`, unsigned).
#[derive(Clone, Debug, PartialEq)]
pub struct Port {
    pub dir: Dir,
    pub name: String,
    pub width: u32,
    pub comment: Option<String>,
}

/// Expressions. The printer parenthesises every compound operand, so precedence
/// never depends on the reader's memory.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Ident(String),
    /// Sized literal `width'hVALUE` (value holds the low `width` bits).
    Lit {
        width: u32,
        value: u64,
    },
    /// Unsized decimal integer (parameter values, e.g. `115200`).
    Int(i64),
    /// String literal (parameter values, e.g. `"DIVIDE_BY_1"`); must not contain `"` or `\\`.
    Str(String),
    /// `name[bit]`
    Bit(String, u32),
    /// `name[hi:lo]`
    Slice(String, u32, u32),
    /// `{a, b, ...}`
    Concat(Vec<Expr>),
    /// `{n{e}}`
    Repeat(u32, Box<Expr>),
    /// `$signed(e)`
    Signed(Box<Expr>),
    /// `~e`
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `c ? t : f`
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `name[index]` (a memory word).
    Index(String, Box<Expr>),
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Lt,
    Gt,
    And,
    Or,
    /// `==`
    Eq,
    /// `<<` (logical; the right operand is a shift amount)
    Shl,
    /// `>>` (logical)
    Shr,
    /// `>>>` (arithmetic when the left operand is `$signed`)
    Sra,
}

/// A statement inside `always @(posedge clk)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `lhs <= rhs;`
    NonBlocking(String, Expr),
    /// `if (c) a else b`
    If(Expr, Vec<Stmt>, Vec<Stmt>),
}

/// Module body items.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `// text` (one line per entry).
    Comment(Vec<String>),
    Blank,
    /// `wire [w-1:0] name;`
    Wire {
        name: String,
        width: u32,
    },
    /// `reg [w-1:0] name;`
    Reg {
        name: String,
        width: u32,
    },
    /// `assign lhs = rhs;  // comment`
    Assign {
        lhs: String,
        rhs: Expr,
        comment: Option<String>,
    },
    /// `always @(posedge clk) begin ... end`
    AlwaysPosedge {
        clock: String,
        body: Vec<Stmt>,
    },
    /// A read-only memory: `reg [w-1:0] name [0:N-1];` and an `initial` block giving
    /// each word (`values` hold the low `width` bits).
    Rom {
        name: String,
        width: u32,
        values: Vec<u64>,
    },
    /// `module #(.P(v), ...) name (.port(expr), ...);`
    Instance {
        module: String,
        name: String,
        params: Vec<(String, Expr)>,
        conns: Vec<(String, Expr)>,
    },
}

/// A module.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub name: String,
    /// Lines printed as `//` comments above the module.
    pub header: Vec<String>,
    pub ports: Vec<Port>,
    pub items: Vec<Item>,
}

/// Verilog-2005 keywords that may not be used as identifiers.
const KEYWORDS: &[&str] = &[
    "always",
    "and",
    "assign",
    "automatic",
    "begin",
    "buf",
    "bufif0",
    "bufif1",
    "case",
    "casex",
    "casez",
    "cell",
    "cmos",
    "config",
    "deassign",
    "default",
    "defparam",
    "design",
    "disable",
    "edge",
    "else",
    "end",
    "endcase",
    "endconfig",
    "endfunction",
    "endgenerate",
    "endmodule",
    "endprimitive",
    "endspecify",
    "endtable",
    "endtask",
    "event",
    "for",
    "force",
    "forever",
    "fork",
    "function",
    "generate",
    "genvar",
    "highz0",
    "highz1",
    "if",
    "ifnone",
    "incdir",
    "include",
    "initial",
    "inout",
    "input",
    "instance",
    "integer",
    "join",
    "large",
    "liblist",
    "library",
    "localparam",
    "macromodule",
    "medium",
    "module",
    "nand",
    "negedge",
    "nmos",
    "nor",
    "noshowcancelled",
    "not",
    "notif0",
    "notif1",
    "or",
    "output",
    "parameter",
    "pmos",
    "posedge",
    "primitive",
    "pull0",
    "pull1",
    "pulldown",
    "pullup",
    "pulsestyle_onevent",
    "pulsestyle_ondetect",
    "rcmos",
    "real",
    "realtime",
    "reg",
    "release",
    "repeat",
    "rnmos",
    "rpmos",
    "rtran",
    "rtranif0",
    "rtranif1",
    "scalared",
    "showcancelled",
    "signed",
    "small",
    "specify",
    "specparam",
    "strong0",
    "strong1",
    "supply0",
    "supply1",
    "table",
    "task",
    "time",
    "tran",
    "tranif0",
    "tranif1",
    "tri",
    "tri0",
    "tri1",
    "triand",
    "trior",
    "trireg",
    "unsigned",
    "use",
    "uwire",
    "vectored",
    "wait",
    "wand",
    "weak0",
    "weak1",
    "while",
    "wire",
    "wor",
    "xnor",
    "xor",
    "logic",
    "bit",
    "byte",
    "int",
];

/// A legal, readable Verilog identifier for any text: letters, digits and `_`, not
/// starting with a digit, not a keyword, at most 48 characters.
pub fn legal_ident(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    let mut out = out.trim_matches('_').to_string();
    out.truncate(48);
    if out.is_empty()
        || out.starts_with(|c: char| c.is_ascii_digit())
        || KEYWORDS.contains(&out.as_str())
    {
        out = format!("v_{out}");
    }
    out
}
