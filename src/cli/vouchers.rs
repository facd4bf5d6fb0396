//! `voucher show | find | print`: one voucher with its history, a search over a book's
//! vouchers, and 记账凭证 printed to PDF. Reading is `app::reports`'; layout is `render`'s.

use super::{parse_book, parse_number, parse_period, CliError, Context, FindArgs, Outcome};
use crate::app::reports as actions;
use crate::domain::chart::Side;
use crate::domain::search::{parse_amount, Search, Stage};
use crate::domain::voucher::VoucherRecord;
use crate::render::{self, reports, sheets, voucher_print, OutputFormat};
use std::path::{Path, PathBuf};

/// `voucher show`: the voucher's lines and the steps it went through.
pub fn show(ctx: &Context, book: &str, number: &str) -> Result<Outcome, CliError> {
    let (book, number) = (parse_book(book)?, parse_number(number)?);
    let (voucher, chart) = actions::voucher(&ctx.session, &book, number)?;
    let history = history(&voucher);
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Json => {
            let mut value: serde_json::Value = serde_json::from_str(&reports::vouchers_json_or_csv(
                std::slice::from_ref(&voucher),
                &chart,
                ctx.format,
            ))
            .unwrap_or_default();
            let one = value["vouchers"][0].take();
            let steps: Vec<_> =
                history.iter().map(|(step, who, at)| serde_json::json!({"step": step, "by": who, "at": at})).collect();
            render::json(&serde_json::json!({"voucher": one, "history": steps}))
        }
        OutputFormat::Csv => reports::vouchers_json_or_csv(std::slice::from_ref(&voucher), &chart, ctx.format),
        OutputFormat::Table => {
            let mut text = format!(
                "记账凭证 {} {}　日期 {}　附件 {} 张　状态：{}\n",
                voucher.book,
                voucher.number,
                voucher.date,
                voucher.attachments,
                sheets::status_word(&voucher)
            );
            text.push_str(&reports::voucher_table(std::slice::from_ref(&voucher), &chart, false, false));
            text.push_str(&format!("合计大写：{}\n", crate::money::in_capitals(voucher.total(Side::Debit))));
            let rows: Vec<Vec<String>> =
                history.into_iter().map(|(step, who, at)| vec![step.to_string(), who, at]).collect();
            text.push_str("经历：\n");
            text.push_str(&render::table(&["步骤", "经办人", "时间"], &rows, &[]));
            text
        }
    }))
}

/// The voucher's steps: 制单, 审核, 记账, 作废, 冲销 — who and when (in the chosen time zone).
fn history(v: &VoucherRecord) -> Vec<(&'static str, String, String)> {
    let mut steps = vec![("制单", v.maker.clone(), render::local_time(&v.made_at))];
    if let (Some(who), Some(at)) = (&v.reviewer, &v.reviewed_at) {
        steps.push(("审核", who.clone(), render::local_time(at)));
    }
    if let (Some(who), Some(at)) = (&v.poster, &v.posted_at) {
        steps.push(("记账", who.clone(), render::local_time(at)));
    }
    if let Some(reason) = &v.void_reason {
        steps.push(("作废", format!("理由：{reason}"), String::new()));
    }
    if let Some(original) = v.reverses {
        steps.push(("红字冲销", format!("冲销 {original}"), String::new()));
    }
    if let Some(by) = v.reversed_by {
        steps.push(("被冲销", format!("由 {by} 冲销"), String::new()));
    }
    steps
}

/// `voucher find`: the vouchers matching every condition given, as the journal shows them.
pub fn find(ctx: &Context, args: &FindArgs) -> Result<Outcome, CliError> {
    let book = parse_book(&args.book)?;
    let date = |t: &Option<String>| {
        t.as_deref().map(|t| crate::domain::ids::parse_date(t).map_err(CliError::refused)).transpose()
    };
    let stage =
        match &args.status {
            Some(text) => Some(Stage::parse(text).ok_or_else(|| {
                CliError::refused(format!("状态 {text} 无效：可用 草稿、已审核、已记账、已冲销、作废"))
            })?),
            None => None,
        };
    let search = Search {
        number: args.number.clone(),
        from: date(&args.from)?,
        to: date(&args.to)?,
        account: args.account.clone(),
        amount: args.amount.as_deref().map(parse_amount).transpose().map_err(CliError::refused)?,
        text: args.text.clone(),
        maker: args.maker.clone(),
        stage,
    };
    let (found, chart) = actions::find(&ctx.session, &book, &search)?;
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Table if found.is_empty() => "没有符合条件的凭证\n".to_string(),
        OutputFormat::Table => {
            format!("找到 {} 张凭证（{book}）\n", found.len()) + &reports::voucher_table(&found, &chart, false, true)
        }
        format => reports::vouchers_json_or_csv(&found, &chart, format),
    }))
}

/// `voucher print`: the month's 记账凭证 (or the named ones) as a PDF, two to a page.
pub fn print(
    ctx: &Context,
    book: &str,
    period: &str,
    numbers: &[String],
    output: Option<&Path>,
    force: bool,
) -> Result<Outcome, CliError> {
    super::one_output(ctx, "voucher print", " PDF（用 --output 指定文件）")?;
    let (book, period) = (parse_book(book)?, parse_period(period)?);
    let numbers = numbers.iter().map(|n| parse_number(n)).collect::<Result<Vec<_>, _>>()?;
    let run = actions::print_run(&ctx.session, &book, period, &numbers)?;
    let layout = voucher_print::layout(&run.organisation, &run.vouchers, &run.chart);
    let (font, index) = cjk_font()?;
    let title = format!("记账凭证 {book} {period}");
    let bytes = voucher_print::pdf(&layout, font, index, &title).map_err(CliError::refused)?;
    let default = PathBuf::from(format!("凭证-{}-{}-{period}.pdf", book.party, book.fund));
    let target = output.unwrap_or(&default);
    ctx.write_output(target, &bytes, force)?;
    Ok(Outcome::ok(format!(
        "已打印 {} 张凭证，共 {} 页：{}\n",
        run.vouchers.len(),
        layout.pages.len(),
        target.display()
    )))
}

/// A font with Chinese glyphs: `FUNDPOOL_FONT` (a file, optionally `FILE#INDEX` for a
/// collection), else the Noto CJK fonts Debian's fonts-noto-cjk installs, else other common
/// CJK fonts.
fn cjk_font() -> Result<(Vec<u8>, u32), CliError> {
    if let Ok(setting) = std::env::var("FUNDPOOL_FONT") {
        let (file, index) = match setting.rsplit_once('#') {
            Some((file, index)) => (file.to_string(), index.parse().unwrap_or(0)),
            None => (setting.clone(), 0),
        };
        let bytes = std::fs::read(&file)
            .map_err(|e| CliError::refused(format!("无法读取 FUNDPOOL_FONT 指定的字体 {file}：{e}")))?;
        return Ok((bytes, index));
    }
    // In Noto's CJK collections face 2 is Simplified Chinese (SC).
    const CANDIDATES: [(&str, u32); 7] = [
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
        ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
        ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
        ("/System/Library/Fonts/PingFang.ttc", 0),
        ("C:\\Windows\\Fonts\\simsun.ttc", 0),
    ];
    if let Some(found) = CANDIDATES.iter().find_map(|(file, index)| std::fs::read(file).ok().map(|b| (b, *index))) {
        return Ok(found);
    }
    Err(CliError::refused(
        "找不到中文字体：请安装 fonts-noto-cjk（apt install fonts-noto-cjk），或用环境变量 FUNDPOOL_FONT=字体文件 指定",
    ))
}
