//! The deterministic Verilog printer: AST in, text out, byte-identical for identical ASTs.

use super::{BinOp, Dir, Expr, Item, Module, Stmt};
use std::fmt::Write;

/// Prints a module, starting with `` `default_nettype none `` and ending with a newline.
pub fn print(m: &Module) -> String {
    let mut s = String::new();
    for line in &m.header {
        let _ = writeln!(s, "{}", format!("// {line}").trim_end());
    }
    s.push_str("`default_nettype none\n\n");
    let _ = writeln!(s, "module {} (", m.name);
    for (i, p) in m.ports.iter().enumerate() {
        let dir = match p.dir {
            Dir::Input => "input ",
            Dir::Output => "output",
        };
        let comma = if i + 1 < m.ports.len() { "," } else { "" };
        let comment = p
            .comment
            .as_ref()
            .map(|c| format!("  // {c}"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "    {dir} wire {}{}{comma}{comment}",
            range(p.width),
            p.name
        );
    }
    s.push_str(");\n");
    for item in &m.items {
        print_item(&mut s, item);
    }
    s.push_str("\nendmodule\n\n`default_nettype wire\n");
    s
}

fn range(width: u32) -> String {
    if width <= 1 {
        String::new()
    } else {
        format!("[{}:0] ", width - 1)
    }
}

fn print_item(s: &mut String, item: &Item) {
    match item {
        Item::Comment(lines) => {
            for l in lines {
                let _ = writeln!(s, "    // {l}");
            }
        }
        Item::Blank => s.push('\n'),
        Item::Wire { name, width } => {
            let _ = writeln!(s, "    wire {}{name};", range(*width));
        }
        Item::Reg { name, width } => {
            let _ = writeln!(s, "    reg  {}{name};", range(*width));
        }
        Item::Assign { lhs, rhs, comment } => {
            let _ = write!(s, "    assign {lhs} = ");
            expr_to(s, rhs);
            s.push(';');
            if let Some(c) = comment {
                let _ = write!(s, "  // {c}");
            }
            s.push('\n');
        }
        Item::Rom {
            name,
            width,
            values,
        } => {
            let _ = writeln!(
                s,
                "    reg  {}{name} [0:{}];",
                range(*width),
                values.len().max(1) - 1
            );
            s.push_str("    initial begin\n");
            let digits = width.div_ceil(4).max(1) as usize;
            for (i, v) in values.iter().enumerate() {
                let _ = writeln!(s, "        {name}[{i}] = {width}'h{v:0digits$x};");
            }
            s.push_str("    end\n");
        }
        Item::Instance {
            module,
            name,
            params,
            conns,
        } => {
            let list = |v: &[(String, Expr)]| {
                v.iter()
                    .map(|(k, e)| format!("        .{k}({})", expr(e)))
                    .collect::<Vec<_>>()
                    .join(",\n")
            };
            if params.is_empty() {
                let _ = writeln!(s, "    {module} {name} (");
            } else {
                let _ = writeln!(s, "    {module} #(\n{}\n    ) {name} (", list(params));
            }
            let _ = writeln!(s, "{}\n    );", list(conns));
        }
        Item::AlwaysPosedge { clock, body } => {
            let _ = writeln!(s, "    always @(posedge {clock}) begin");
            for st in body {
                stmt(s, st, 2);
            }
            s.push_str("    end\n");
        }
    }
}

fn stmt(s: &mut String, st: &Stmt, depth: usize) {
    let ind = "    ".repeat(depth);
    match st {
        Stmt::NonBlocking(lhs, rhs) => {
            let _ = write!(s, "{ind}{lhs} <= ");
            expr_to(s, rhs);
            s.push_str(";\n");
        }
        Stmt::If(c, t, e) => {
            let _ = writeln!(s, "{ind}if ({}) begin", expr(c));
            for x in t {
                stmt(s, x, depth + 1);
            }
            if e.is_empty() {
                let _ = writeln!(s, "{ind}end");
            } else {
                let _ = writeln!(s, "{ind}end else begin");
                for x in e {
                    stmt(s, x, depth + 1);
                }
                let _ = writeln!(s, "{ind}end");
            }
        }
    }
}

/// An operand: atoms bare, compound expressions in parentheses.
fn operand(s: &mut String, e: &Expr) {
    match e {
        Expr::Binary(..) | Expr::Cond(..) => {
            s.push('(');
            expr_to(s, e);
            s.push(')');
        }
        _ => expr_to(s, e),
    }
}

fn expr(e: &Expr) -> String {
    let mut s = String::new();
    expr_to(&mut s, e);
    s
}

/// Appends expression `e` to `s` (no per-node allocation: large designs print
/// hundreds of thousands of them).
fn expr_to(s: &mut String, e: &Expr) {
    match e {
        Expr::Ident(n) => s.push_str(n),
        Expr::Lit { width, value } => {
            let v = if *width >= 64 {
                *value
            } else {
                value & ((1u64 << width) - 1)
            };
            let _ = write!(s, "{width}'h{v:x}");
        }
        Expr::Int(v) => {
            let _ = write!(s, "{v}");
        }
        Expr::Str(t) => {
            let _ = write!(s, "\"{t}\"");
        }
        Expr::Bit(n, b) => {
            let _ = write!(s, "{n}[{b}]");
        }
        Expr::Slice(n, hi, lo) => {
            let _ = write!(s, "{n}[{hi}:{lo}]");
        }
        Expr::Concat(v) => {
            s.push('{');
            for (i, x) in v.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                expr_to(s, x);
            }
            s.push('}');
        }
        Expr::Repeat(n, x) => {
            let _ = write!(s, "{{{n}{{");
            expr_to(s, x);
            s.push_str("}}");
        }
        Expr::Signed(x) => {
            s.push_str("$signed(");
            expr_to(s, x);
            s.push(')');
        }
        Expr::Not(x) => {
            s.push('~');
            operand(s, x);
        }
        Expr::Binary(op, a, b) => {
            let o = match op {
                BinOp::Add => " + ",
                BinOp::Sub => " - ",
                BinOp::Mul => " * ",
                BinOp::Lt => " < ",
                BinOp::Gt => " > ",
                BinOp::And => " & ",
                BinOp::Or => " | ",
                BinOp::Eq => " == ",
                BinOp::Shl => " << ",
                BinOp::Shr => " >> ",
                BinOp::Sra => " >>> ",
            };
            operand(s, a);
            s.push_str(o);
            operand(s, b);
        }
        Expr::Cond(c, t, f) => {
            operand(s, c);
            s.push_str(" ? ");
            operand(s, t);
            s.push_str(" : ");
            operand(s, f);
        }
        Expr::Index(n, i) => {
            s.push_str(n);
            s.push('[');
            expr_to(s, i);
            s.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;

    #[test]
    fn prints_a_small_module() {
        let m = Module {
            name: "t".into(),
            header: vec!["role line".into()],
            ports: vec![
                Port {
                    dir: Dir::Input,
                    name: "clk".into(),
                    width: 1,
                    comment: None,
                },
                Port {
                    dir: Dir::Input,
                    name: "a".into(),
                    width: 4,
                    comment: Some("x".into()),
                },
                Port {
                    dir: Dir::Output,
                    name: "y".into(),
                    width: 5,
                    comment: None,
                },
            ],
            items: vec![
                Item::Reg {
                    name: "r".into(),
                    width: 5,
                },
                Item::AlwaysPosedge {
                    clock: "clk".into(),
                    body: vec![Stmt::NonBlocking(
                        "r".into(),
                        Expr::Binary(
                            BinOp::Add,
                            Box::new(Expr::Concat(vec![
                                Expr::Lit { width: 1, value: 0 },
                                Expr::Ident("a".into()),
                            ])),
                            Box::new(Expr::Lit {
                                width: 5,
                                value: 0x1f,
                            }),
                        ),
                    )],
                },
                Item::Assign {
                    lhs: "y".into(),
                    rhs: Expr::Ident("r".into()),
                    comment: None,
                },
            ],
        };
        insta::assert_snapshot!(print(&m), @r"
        // role line
        `default_nettype none

        module t (
            input  wire clk,
            input  wire [3:0] a,  // x
            output wire [4:0] y
        );
            reg  [4:0] r;
            always @(posedge clk) begin
                r <= {1'h0, a} + 5'h1f;
            end
            assign y = r;

        endmodule

        `default_nettype wire
        ");
    }

    #[test]
    fn legal_identifiers() {
        assert_eq!(legal_ident("petal width (cm)"), "petal_width_cm");
        assert_eq!(legal_ident("3rd"), "v_3rd");
        assert_eq!(legal_ident("module"), "v_module");
        assert_eq!(legal_ident(""), "v_");
    }
}
