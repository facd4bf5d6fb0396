//! The command line as Chinese staff meet it: help and errors in Chinese, every command answering
//! every format it is asked for or refusing it, tables that fit the terminal, completions, the man
//! page and the built-in calendar.

use super::support::*;
use serde_json::Value;

/// Every command path: `["journal"]`, `["voucher", "print"]`, …
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands() {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            walk(sub, &path, out);
        }
    }
    let mut out = vec![vec![]];
    walk(&fundpool::cli::help::command(), &[], &mut out);
    out
}

/// Three or more English words in a row, separated by single spaces: a sentence clap (or we)
/// left untranslated. Code words between Chinese text (`event 类型 --字段`) are not a sentence.
fn english_sentence(line: &str) -> Option<String> {
    let mut run: Vec<&str> = Vec::new();
    for piece in line.split(' ') {
        let is_word = piece.len() > 1 && piece.chars().all(|c| c.is_ascii_lowercase() || c == '\'');
        if is_word {
            run.push(piece);
            if run.len() >= 3 {
                return Some(run.join(" "));
            }
        } else {
            run.clear();
        }
    }
    None
}

#[test]
fn the_sentence_detector_detects() {
    assert_eq!(english_sentence("  -h, --help  Print help for this"), Some("help for this".into()));
    assert_eq!(english_sentence("event 类型 --字段 值 event 之前 event"), None);
    assert_eq!(english_sentence("[possible values: table, json, csv]"), None);
    assert!(english_sentence("Print this message or the help").is_some());
    assert_eq!(english_sentence("  --book <账簿>  账簿（机构/基金），如 --book city/employee。"), None);
}

#[test]
fn every_help_text_is_chinese_and_shows_each_option_with_an_example() {
    let env = Env::empty();
    let paths = command_paths();
    assert!(paths.len() > 40, "{}", paths.len());
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let run = env.run_plain(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(run.stdout.contains("用法："), "{args:?}:\n{}", run.stdout);
        for line in run.stdout.lines() {
            assert_eq!(english_sentence(line), None, "{args:?}: English in help: {line}");
            // An option that takes a value says what to write: a format or an example.
            let option = line.trim_start();
            if option.starts_with("--") && option.contains(" <") && !option.contains("--operator") {
                assert!(
                    option.contains('如')
                        || option.contains("YYYY")
                        || option.contains("：")
                        || option.contains("默认"),
                    "{args:?}: an option without a format or example: {line}"
                );
            }
        }
    }
}

#[test]
fn usage_errors_are_chinese_and_name_the_fix() {
    let env = Env::empty();
    let run = env.run_plain(&["journl"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("错误：没有命令 journl（是否想用 journal？）"), "{}", run.stderr);
    let run = env.run_plain(&["journal", "--bok", "x"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("不认识的选项或参数 --bok（是否想用 --book？）"), "{}", run.stderr);
    let run = env.run_plain(&["--format", "yaml", "journal", "--book", "x"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("的值 yaml 无效，可用的值：table、json、csv、xlsx"), "{}", run.stderr);
    let run = env.run_plain(&["journal"]);
    assert!(run.stderr.contains("缺少必需的选项或参数：--book <账簿>"), "{}", run.stderr);
    for run in [env.run_plain(&["journl"]), env.run_plain(&["journal"])] {
        for line in run.stderr.lines() {
            assert_eq!(english_sentence(line), None, "{line}");
        }
    }
}

/// Each command that prints, with every format: correct output, or a refusal (exit 2) that says
/// the format is not supported — never a table when JSON or CSV was asked for.
#[test]
fn every_command_answers_every_format_or_refuses_it() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv"), "--post", "--reviewer", REVIEWER]);
    let anchor = env.path("anchor.json").display().to_string();
    let backup = env.path("backup-{}.db").display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["journal", "--book", "shayang/employee"],
        vec!["account", "--book", "shayang/employee", "--account", "1003"],
        vec!["trial-balance", "--book", "shayang/employee", "--period", "2023-01"],
        vec!["report", "balance-sheet", "--book", "shayang/employee", "--period", "2023-01"],
        vec!["voucher", "show", "--book", "shayang/employee", "--number", "记-2023-01-0001"],
        vec!["voucher", "find", "--book", "shayang/employee", "--account", "1003"],
        vec!["reconcile", "--period", "2023-01"],
        vec!["check"],
        vec!["verify"],
        vec!["anchor"],
        vec!["schedule"],
        vec!["deadlines", "--as-of", "2023-03-31"],
        vec!["rules", "--as-of", "2023-06-30"],
        vec!["plan", "show"],
        vec!["user", "list"],
        vec!["audit"],
        vec!["upgrade"],
        vec!["backup", "BACKUP"],
        vec!["anchor", "--output", "ANCHOR"],
        vec!["review", "--all"],
        vec!["post", "--all"],
        vec!["completions", "bash"],
        vec!["man"],
        vec!["demo"],
        vec!["plan", "export", "--fund", "employee", "--quarter", "2023Q2"],
    ];
    for (n, command) in commands.iter().enumerate() {
        for format in ["table", "json", "csv"] {
            let target_backup = backup.replace("{}", &format!("{n}-{format}"));
            let target_anchor = format!("{anchor}.{n}.{format}");
            let args: Vec<&str> = command
                .iter()
                .map(|a| match *a {
                    "BACKUP" => target_backup.as_str(),
                    "ANCHOR" => target_anchor.as_str(),
                    other => other,
                })
                .collect();
            let mut full = vec!["--format", format];
            full.extend(&args);
            let run = env.run(&full);
            let what = format!("{format} {args:?}");
            if run.code == 2 {
                assert!(
                    run.stderr.contains("不支持"),
                    "{what}: a refusal must say the format is not supported: {}",
                    run.stderr
                );
                assert!(run.stdout.is_empty(), "{what}");
                continue;
            }
            // 3: reconciliation differences, 4: deadlines overdue — answers, not failures.
            assert!([0, 1, 3, 4].contains(&run.code), "{what}: {}", run.stderr);
            if run.code == 1 {
                // Refused on the data (e.g. no plan to export): never a format problem.
                assert!(!run.stderr.contains("--format"), "{what}: {}", run.stderr);
                continue;
            }
            match format {
                "json" => {
                    let parsed: Result<Value, _> = serde_json::from_str(&run.stdout);
                    assert!(parsed.is_ok(), "{what}: not JSON:\n{}", run.stdout);
                }
                "csv" => {
                    assert!(run.stdout.starts_with('\u{feff}'), "{what}: CSV without a BOM:\n{}", run.stdout);
                    let header = run.stdout.trim_start_matches('\u{feff}').lines().next().unwrap_or("");
                    assert!(header.contains(','), "{what}: {header}");
                    assert!(!header.chars().any(|c| c.is_ascii_lowercase()), "{what}: English header {header}");
                }
                _ => assert!(!run.stdout.is_empty() || command[0] == "review", "{what}"),
            }
        }
    }
}

#[test]
fn tables_fit_the_terminal_unless_wide() {
    let env = Env::jingmen();
    env.ok(&["import", &fixture("fixtures/jingmen/walkthrough.csv"), "--post", "--reviewer", REVIEWER]);
    let width = |text: &str| text.lines().map(fundpool::render::display_width).max().unwrap_or(0);
    let wide = env.ok(&["--wide", "journal", "--book", "city/employee"]);
    assert!(width(&wide) > 100, "{}", width(&wide));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fundpool"))
        .current_dir(env.dir.path())
        .env("FUNDPOOL_NOW", NOW)
        .env("COLUMNS", "100")
        .args(["--db", env.db().to_str().unwrap(), "journal", "--book", "city/employee"])
        .output()
        .unwrap();
    let narrow = String::from_utf8_lossy(&output.stdout);
    assert!(width(&narrow) <= 100, "every line within 100 columns:\n{narrow}");
    // The amounts are kept whole when the memos wrap.
    assert!(narrow.contains("12,345,678.90"), "{narrow}");
}

#[test]
fn completions_and_the_man_page_come_from_the_same_grammar() {
    let env = Env::empty();
    for shell in ["bash", "zsh", "fish"] {
        let out = env.run_plain(&["completions", shell]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("trial-balance") && out.stdout.contains("raw-amounts"), "{shell}");
    }
    let man = env.run_plain(&["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.starts_with(".ie") || man.stdout.contains(".TH fundpool"), "{}", &man.stdout[..200]);
    assert!(man.stdout.contains(".SH \"fundpool voucher\""), "every command's help is in the page");
    assert!(man.stdout.contains("记账凭证"));
}

#[test]
fn the_calendar_knows_2026_and_a_missing_year_names_the_option() {
    let calendar = fundpool::calendar::Calendar::embedded();
    assert_eq!(calendar.working_days_in(2026), Ok(248));
    let error = calendar.working_days_in(2027).unwrap_err().to_string();
    assert!(error.contains("--calendar") && error.contains("FUNDPOOL_CALENDAR"), "{error}");
    // A --calendar folder adds a year to the built-in ones.
    let env = Env::jingmen();
    std::fs::create_dir(env.path("cal")).unwrap();
    std::fs::write(env.path("cal/2027.toml"), "year = 2027\nholidays = [\"2027-01-01\"]\nmakeup_days = []\n").unwrap();
    let folder = env.path("cal").display().to_string();
    let run = env.run(&["--calendar", &folder, "deadlines", "--as-of", "2023-03-31"]);
    assert!(run.code == 0 || run.code == 4, "{}", run.stderr);
}
