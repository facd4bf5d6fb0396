//! clap in Chinese. The grammar in `args.rs` carries Chinese help; this module replaces the
//! English clap adds on its own — headings, the help and version flags, "[default: …]",
//! "[env: …]", "[possible values: …]" — and turns clap's parse errors into Chinese messages
//! that name the option and suggest `--help`. Completions and the man page are generated from
//! the same localized command, so every front end of the grammar reads alike.

use super::args::Cli;
use super::exit;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// The whole command tree with Chinese headings, flags and notes.
pub fn command() -> Command {
    localize(Cli::command(), true)
}

fn localize(mut cmd: Command, root: bool) -> Command {
    cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("显示帮助（本说明）"));
    if root {
        cmd = cmd
            .disable_version_flag(true)
            .arg(Arg::new("version").short('V').long("version").action(ArgAction::Version).help("显示版本"));
    }
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        cmd = cmd.mut_arg(id, localize_arg);
    }
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| localize(sub, false));
    }
    cmd
}

/// One argument: its heading, and clap's bracketed English notes as Chinese text.
fn localize_arg(arg: Arg) -> Arg {
    let heading = if arg.is_positional() {
        "参数"
    } else if arg.is_global_set() {
        "全局选项"
    } else {
        "选项"
    };
    let mut help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    let defaults: Vec<String> = arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
    if !defaults.is_empty() && !matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::Help | ArgAction::Version) {
        help.push_str(&format!("（默认 {}）", defaults.join("、")));
    }
    if let Some(env) = arg.get_env() {
        help.push_str(&format!("（可用环境变量 {} 设置）", env.to_string_lossy()));
    }
    let takes_values = arg.get_action().takes_values();
    let arg = arg.help_heading(heading).help(help).hide_env(true);
    if takes_values {
        arg.hide_default_value(true).hide_possible_values(true)
    } else {
        arg
    }
}

/// Parses the process's arguments. `Err` carries what to print and the exit code: the help or
/// version on standard output with 0, or a Chinese usage error with 2.
pub fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Cli, (String, i32)> {
    let mut cmd = command();
    let matches = cmd.try_get_matches_from_mut(args).map_err(|e| render(&e))?;
    Cli::from_arg_matches(&matches).map_err(|e| render(&e))
}

fn render(error: &clap::Error) -> (String, i32) {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => (plain(&error.to_string()), exit::OK),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => (plain(&error.to_string()), exit::USAGE),
        _ => {
            let mut text = format!("错误：{}\n", message(error));
            let usage = context(error, ContextKind::Usage);
            if !usage.is_empty() {
                text.push_str(&format!("\n{}\n", plain(&usage)));
            }
            text.push_str("\n更多信息请用 --help（如 fundpool journal --help）\n");
            (text, exit::USAGE)
        }
    }
}

/// The remaining English placeholders of a usage line, in Chinese.
fn plain(text: &str) -> String {
    text.replace("[OPTIONS]", "[选项]").replace("Usage: ", "用法：").replace("Usage:", "用法：")
}

fn context(error: &clap::Error, kind: ContextKind) -> String {
    match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("、"),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn suggestion(error: &clap::Error) -> String {
    let suggested = context(error, ContextKind::SuggestedArg);
    let suggested = if suggested.is_empty() { context(error, ContextKind::SuggestedSubcommand) } else { suggested };
    if suggested.is_empty() {
        String::new()
    } else {
        format!("（是否想用 {suggested}？）")
    }
}

fn message(error: &clap::Error) -> String {
    let arg = context(error, ContextKind::InvalidArg);
    let value = context(error, ContextKind::InvalidValue);
    match error.kind() {
        ErrorKind::UnknownArgument => format!("不认识的选项或参数 {arg}{}", suggestion(error)),
        ErrorKind::InvalidSubcommand => {
            format!("没有命令 {}{}", context(error, ContextKind::InvalidSubcommand), suggestion(error))
        }
        ErrorKind::InvalidValue => {
            let valid = context(error, ContextKind::ValidValue);
            if value.is_empty() {
                format!("{arg} 需要一个值")
            } else if valid.is_empty() {
                format!("{arg} 的值 {value} 无效")
            } else {
                format!("{arg} 的值 {value} 无效，可用的值：{valid}{}", suggestion(error))
            }
        }
        ErrorKind::ValueValidation => format!("{arg} 的值 {value} 无效（格式见 --help）"),
        ErrorKind::MissingRequiredArgument => format!("缺少必需的选项或参数：{arg}"),
        ErrorKind::MissingSubcommand => "缺少命令（可用的命令见 --help）".into(),
        ErrorKind::ArgumentConflict => {
            let other = context(error, ContextKind::PriorArg);
            format!("{arg} 不能与 {other} 同时使用")
        }
        ErrorKind::TooManyValues => format!("{arg} 给了多余的值 {value}"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => format!("{arg} 的值的个数不对"),
        ErrorKind::NoEquals => format!("{arg} 的写法不对"),
        ErrorKind::InvalidUtf8 => "命令行中有无法识别的字符（请使用 UTF-8）".into(),
        _ => "命令行参数有误".into(),
    }
}

/// `completions SHELL`: the script for bash, zsh or fish.
pub fn completions(shell: super::args::CompletionShell) -> String {
    use clap_complete::Shell;
    let shell = match shell {
        super::args::CompletionShell::Bash => Shell::Bash,
        super::args::CompletionShell::Zsh => Shell::Zsh,
        super::args::CompletionShell::Fish => Shell::Fish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), "fundpool", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// `man`: the manual page (roff): clap_mangen's page of the whole program, then each
/// command's own help as a section of its own.
pub fn man_page() -> Result<String, std::io::Error> {
    let mut cmd = command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    cmd.build();
    for sub in cmd.get_subcommands_mut() {
        let help = plain(&sub.render_help().to_string());
        out.extend(format!(".SH \"fundpool {}\"\n.nf\n", sub.get_name()).into_bytes());
        for line in help.lines() {
            let line = line.replace('\\', "\\e");
            let line = if line.starts_with('.') || line.starts_with('\'') { format!("\\&{line}") } else { line };
            out.extend(line.into_bytes());
            out.push(b'\n');
        }
        out.extend(b".fi\n");
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
