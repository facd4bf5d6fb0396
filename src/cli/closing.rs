//! `close` (结账), `reopen` (反结账) and `year-end` (期末结转): parsed here, carried out by
//! `app::closing`, rendered here. `close` prints the month's anchor for the month-end papers.

use super::{parse_book, parse_period, CliError, Context, Outcome};
use crate::app::closing::{self as actions, CloseRequest};

pub fn close(
    ctx: &Context,
    period: &str,
    book: Option<&str>,
    accept_differences: bool,
    reason: Option<&str>,
    on: Option<&str>,
) -> Result<Outcome, CliError> {
    let period = parse_period(period)?;
    let on = ctx.business_date(on)?;
    let book = book.map(parse_book).transpose()?;
    let accept = match (accept_differences, reason) {
        (true, None) => {
            return Err(CliError::refused("--accept-differences 需要 --reason 说明接受差异的理由（记入封存记录）"))
        }
        (false, Some(_)) => return Err(CliError::refused("--reason 只与 --accept-differences 一起使用")),
        (true, Some(reason)) => Some(reason),
        (false, None) => None,
    };
    let request = CloseRequest { period, book: book.as_ref(), accept_differences: accept, on };
    ctx.refuse_csv("close")?;
    let closed = actions::close(&ctx.session, &request)?;
    let fields = serde_json::json!({
        "period": period.to_string(), "books": closed.books, "seal_hash": closed.seal_hash, "run_id": closed.run_id,
        "accepted": closed.accepted.as_ref().map(|(gate, reason)| serde_json::json!({"gate": gate, "reason": reason})),
        "anchor": closed.anchor,
    });
    let Some(hash) = &closed.seal_hash else {
        return ctx.done("close", format!("{period} 已经结账，没有需要结账的账簿\n"), fields);
    };
    let mut text = format!("已结账 {period}：{} 个账簿；封存哈希 {}…", closed.books, &hash[..16]);
    if let Some(id) = closed.run_id {
        text.push_str(&format!("（对账记录 #{id}）"));
    }
    text.push('\n');
    if let Some((gate, reason)) = &closed.accepted {
        text.push_str(&format!("已接受：{gate}\n理由（已记录）：{reason}\n"));
    }
    if let Some(anchor) = &closed.anchor {
        text.push_str("本月锚点（请随月结资料打印保存，或报送财政局；日后用 fundpool verify --anchor 文件 核验）：\n");
        text.push_str(&serde_json::to_string(anchor).unwrap_or_default());
        text.push('\n');
    }
    ctx.done("close", text, fields)
}

pub fn reopen(ctx: &Context, period: &str, reason: &str) -> Result<Outcome, CliError> {
    let period = parse_period(period)?;
    ctx.refuse_csv("reopen")?;
    let books = actions::reopen(&ctx.session, period, reason)?;
    let fields = serde_json::json!({"period": period.to_string(), "books": books, "reason": reason});
    ctx.done("reopen", format!("已反结账 {period}：{books} 个账簿；理由已记入封存记录\n"), fields)
}

pub fn year_end(ctx: &Context, year: i32, book: Option<&str>, reviewer: &str) -> Result<Outcome, CliError> {
    let book = book.map(parse_book).transpose()?;
    ctx.refuse_csv("year-end")?;
    let done = actions::year_end(&ctx.session, year, book.as_ref(), reviewer)?;
    let mut text = format!("已做 {year} 年期末结转：{} 张结转凭证", done.made.len());
    if done.already > 0 {
        text.push_str(&format!("；{} 个账簿此前已结转", done.already));
    }
    text.push('\n');
    for (book, number) in &done.made {
        text.push_str(&format!("  {book} {number}\n"));
    }
    let made: Vec<_> =
        done.made.iter().map(|(b, n)| serde_json::json!({"book": b.to_string(), "number": n.to_string()})).collect();
    ctx.done("year-end", text, serde_json::json!({"year": year, "made": made, "already": done.already}))
}
