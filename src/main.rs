//! The `fundpool` binary: parses arguments (in Chinese, `cli::help`), runs the command, prints
//! its output and turns the result into an exit code. Nothing else.

use fundpool::cli::{help, run};
use std::io::Write;

fn main() {
    let cli = match help::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err((text, code)) => {
            if code == 0 {
                let _ = std::io::stdout().write_all(text.as_bytes());
            } else {
                let _ = std::io::stderr().write_all(&fundpool::render::inert_bytes(text.as_bytes()));
            }
            std::process::exit(code);
        }
    };
    let pager = !cli.no_pager;
    fundpool::cli::set_paging(pager);
    let code = match run(cli) {
        Ok(outcome) => {
            fundpool::cli::show(&outcome.stdout, pager);
            outcome.code
        }
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "错误：{}", fundpool::render::inert_text(&error.message));
            error.code
        }
    };
    std::process::exit(code);
}
