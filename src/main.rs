//! The `fundpool` binary: parses arguments, runs the command, prints its output and turns
//! the result into an exit code. Nothing else.

use clap::Parser;
use fundpool::cli::{exit, run, Cli};
use std::io::Write;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            std::process::exit(if error.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    let code = match run(cli) {
        Ok(outcome) => {
            let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
            outcome.code
        }
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "错误：{}", error.message);
            error.code
        }
    };
    std::process::exit(code);
}
