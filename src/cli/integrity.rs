//! `check`, `verify [--anchor FILE]…`, `anchor`, `backup` and `upgrade`: parsed here, carried
//! out by `app::integrity`, rendered here.

use super::{exit, CliError, Context, Outcome};
use crate::app::integrity::{self as actions, Verdict};
use crate::render::{self, OutputFormat};
use std::path::{Path, PathBuf};

pub fn check(ctx: &Context) -> Result<Outcome, CliError> {
    let verdict = actions::check(&ctx.session)?;
    report(ctx, "check", verdict)
}

pub fn verify(ctx: &Context, anchor_files: &[PathBuf]) -> Result<Outcome, CliError> {
    let anchors = actions::read_anchors(anchor_files)?;
    let verdict = actions::verify(&ctx.session, &anchors)?;
    report(ctx, "verify", verdict)
}

fn report(ctx: &Context, what: &str, verdict: Verdict) -> Result<Outcome, CliError> {
    ctx.refuse_csv(what)?;
    if ctx.format == OutputFormat::Json {
        let text = render::json(&serde_json::json!({
            "check": what, "books": verdict.books, "ok": verdict.problems.is_empty(),
            "problems": verdict.problems, "anchors": verdict.anchors,
            "posted_after_newest_anchor": verdict.posted_after_anchor, "log_entries": verdict.log_seq,
        }));
        let code = if verdict.problems.is_empty() { exit::OK } else { exit::INTEGRITY };
        return Ok(Outcome { stdout: text, code });
    }
    if !verdict.problems.is_empty() {
        return Err(CliError {
            code: exit::INTEGRITY,
            message: format!("{what} 发现 {} 处问题：\n  {}", verdict.problems.len(), verdict.problems.join("\n  ")),
        });
    }
    let mut text = match what {
        "verify" => format!(
            "verify 通过：{} 个账簿的哈希链和余额均与凭证一致，记录日志（{} 条）与各表一致，结账封存完好\n",
            verdict.books, verdict.log_seq
        ),
        _ => format!("check 通过：{} 个账簿的余额均与凭证行一致\n", verdict.books),
    };
    if what != "verify" {
    } else if verdict.anchors > 0 {
        text.push_str(&format!(
            "{} 个锚点均完好：锚定时的全部记录未被改动、删除或重排，此后只有追加\n",
            verdict.anchors
        ));
        if let Some(after) = verdict.posted_after_anchor {
            text.push_str(&format!("最新锚点之后记账的凭证 {after} 张（尚未锚定）\n"));
        }
    } else {
        text.push_str("（未给锚点：只证明库内各记录彼此一致；用 --anchor 文件 可证明与库外保存的状态一致）\n");
    }
    Ok(Outcome::ok(text))
}

pub fn anchor(ctx: &Context, output: Option<&Path>, force: bool) -> Result<Outcome, CliError> {
    ctx.refuse_csv("anchor")?;
    let anchor = actions::anchor(&ctx.session)?;
    let text = serde_json::to_string_pretty(&anchor).unwrap_or_default() + "\n";
    match output {
        Some(path) => {
            ctx.write_output(path, text.as_bytes(), force)?;
            let message =
                format!("已写出锚点 {}（记录日志第 {} 条）：请保存在数据库之外\n", path.display(), anchor.log_seq);
            ctx.done("anchor", message, serde_json::json!({"output": path.display().to_string(), "anchor": anchor}))
        }
        // The anchor is JSON already: the same text for --format json.
        None => Ok(Outcome::ok(text)),
    }
}

pub fn backup(ctx: &Context, file: &Path, force: bool) -> Result<Outcome, CliError> {
    ctx.refuse_csv("backup")?;
    actions::backup(&ctx.session, file, force)?;
    let text =
        format!("已备份到 {}（一致性副本，可用 fundpool --db {} verify 核验）\n", file.display(), file.display());
    ctx.done("backup", text, serde_json::json!({"backup": file.display().to_string()}))
}

pub fn upgrade(ctx: &Context) -> Result<Outcome, CliError> {
    ctx.refuse_csv("upgrade")?;
    ctx.open_write("upgrade")?;
    let fields = serde_json::json!({"db": ctx.db.display().to_string(), "up_to_date": true});
    ctx.done("upgrade", format!("{} 的结构已是最新版本\n", ctx.db.display()), fields)
}
