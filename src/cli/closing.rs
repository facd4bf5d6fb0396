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
    let closed = actions::close(&ctx.session, &request)?;
    let Some(hash) = &closed.seal_hash else {
        return Ok(Outcome::ok(format!("{period} 已经结账，没有需要结账的账簿\n")));
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
    Ok(Outcome::ok(text))
}

pub fn reopen(ctx: &Context, period: &str, reason: &str) -> Result<Outcome, CliError> {
    let period = parse_period(period)?;
    let books = actions::reopen(&ctx.session, period, reason)?;
    Ok(Outcome::ok(format!("已反结账 {period}：{books} 个账簿；理由已记入封存记录\n")))
}

pub fn year_end(ctx: &Context, year: i32, book: Option<&str>, reviewer: &str) -> Result<Outcome, CliError> {
    let book = book.map(parse_book).transpose()?;
    let done = actions::year_end(&ctx.session, year, book.as_ref(), reviewer)?;
    let mut text = format!("已做 {year} 年期末结转：{} 张结转凭证", done.made.len());
    if done.already > 0 {
        text.push_str(&format!("；{} 个账簿此前已结转", done.already));
    }
    text.push('\n');
    for (book, number) in done.made {
        text.push_str(&format!("  {book} {number}\n"));
    }
    Ok(Outcome::ok(text))
}
