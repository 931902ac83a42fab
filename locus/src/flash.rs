//! `locus flash`: programs a board with the bitstream `locus synth` built for it, through openFPGALoader.
//!
//! The command comes from the board's TOML (`[programmer]`: openFPGALoader `-b`
//! board and optional `-c` cable). `--dry-run` prints it and exits; a missing
//! openFPGALoader or a failed programming (no board attached) is one line on stderr
//! and exit code 2.

use crate::boards::{Board, Catalog};
use crate::UserError;
use anyhow::Result;
use indicatif::ProgressBar;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

/// The programmer program.
pub const PROGRAM: &str = "openFPGALoader";

/// Where `locus synth DIR --board B` writes B's bitstream.
pub fn bitstream_path(dir: &Path, c: &Catalog, b: &Board) -> PathBuf {
    let fam = c.family(b.family);
    dir.join("build").join(&b.name).join(format!(
        "{}.{}",
        hdl_gen::board_top::BOARD_TOP,
        fam.bitstream
    ))
}

/// The openFPGALoader argument list (program first).
pub fn command(b: &Board, bitstream: &Path) -> Vec<String> {
    let mut v = vec![PROGRAM.to_string(), "-b".into(), b.programmer.board.clone()];
    if let Some(c) = &b.programmer.cable {
        v.extend(["-c".into(), c.clone()]);
    }
    v.push(bitstream.display().to_string());
    v
}

/// A shell-ready rendering of an argument list.
pub fn shell_line(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=+,".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn run(dir: &Path, board: &str, dry_run: bool) -> Result<ExitCode> {
    let c = Catalog::load()?;
    let b = c.board(board)?;
    let bit = bitstream_path(dir, &c, &b);
    let args = command(&b, &bit);
    let line = shell_line(&args);
    if dry_run {
        println!("{line}");
        if !bit.is_file() {
            eprintln!(
                "note: {} does not exist yet: run `locus synth {} --board {}` first",
                bit.display(),
                dir.display(),
                b.name
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !bit.is_file() {
        return Err(UserError(format!(
            "no bitstream for {} in {}: run `locus synth {} --board {}` first",
            b.name,
            dir.display(),
            dir.display(),
            b.name
        ))
        .into());
    }
    println!("{line}");
    let spinner =
        ProgressBar::new_spinner().with_message(format!("{PROGRAM}: programming {}", b.name));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let out = Command::new(&args[0])
        .args(&args[1..])
        .stdin(Stdio::null())
        .output();
    spinner.finish_and_clear();
    let out = match out {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(UserError(format!(
                "{PROGRAM} is not installed (Debian: apt-get install openfpgaloader; `make setup` installs it)"
            ))
            .into())
        }
        Err(e) => return Err(UserError(format!("could not run {PROGRAM}: {e}")).into()),
    };
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        let last = text
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or("no output");
        return Err(UserError(format!(
            "{PROGRAM} could not program {} (is the board plugged in?): {last}",
            b.name
        ))
        .into());
    }
    println!("programmed {} with {}", b.name, bit.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_name_board_cable_and_file() {
        let c = Catalog::load().unwrap();
        let up = &c.boards["upduino-v3"];
        let cmd = command(up, &bitstream_path(Path::new("out/x"), &c, up));
        assert_eq!(
            shell_line(&cmd),
            "openFPGALoader -b ice40_generic -c ft232 out/x/build/upduino-v3/locus_top.bin"
        );
        let ulx = &c.boards["ulx3s-85f"];
        let cmd = command(ulx, &bitstream_path(Path::new("my dir"), &c, ulx));
        assert_eq!(
            shell_line(&cmd),
            "openFPGALoader -b ulx3s 'my dir/build/ulx3s-85f/locus_top.bit'"
        );
    }
}
