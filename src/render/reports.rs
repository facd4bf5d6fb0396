//! The ledger's reports as text: 序时账 (journal), 明细账 (account ledger) and 科目余额表
//! (trial balance), each as a table, JSON or CSV.

use super::sheets::JournalTotals;
use super::{csv, json, table, JsonArray, OutputFormat};
use crate::domain::balance::TrialBalance;
use crate::domain::chart::{Chart, Side};
use crate::domain::ids::{BookCode, Period};
use crate::domain::voucher::VoucherRecord;
use crate::money::Money;
use serde::Serialize;

fn side_cells(side: Side, amount: Money, grouped: bool) -> (String, String) {
    let text = if grouped { amount.grouped() } else { amount.plain() };
    match side {
        Side::Debit => (text, String::new()),
        Side::Credit => (String::new(), text),
    }
}

#[derive(Serialize)]
struct JournalVoucher<'a> {
    book: String,
    number: String,
    date: String,
    status: &'static str,
    attachments: u32,
    external_id: Option<&'a str>,
    maker: &'a str,
    reviewer: Option<&'a str>,
    poster: Option<&'a str>,
    reverses: Option<String>,
    reversed_by: Option<String>,
    /// Why a draft was voided (作废); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    void_reason: Option<&'a str>,
    lines: Vec<JournalLine<'a>>,
}

#[derive(Serialize)]
struct JournalLine<'a> {
    account: &'a str,
    name: &'a str,
    summary: &'a str,
    debit: String,
    credit: String,
    #[serde(rename = "ref")]
    reference: Option<&'a str>,
}

fn journal_vouchers<'a>(vouchers: &'a [VoucherRecord], chart: &'a Chart) -> Vec<JournalVoucher<'a>> {
    vouchers.iter().map(|v| journal_voucher(v, chart)).collect()
}

/// The 序时账 in pieces, for a journal too long to hold (`--format json` or `csv`): `head`, each
/// voucher in turn, `end` — together byte for byte what `journal` writes whole.
pub struct JournalStream {
    format: OutputFormat,
    json: JsonArray,
    totals: JournalTotals,
}

impl JournalStream {
    /// Starts the journal of `book` over `from..=to`; `None` for a format that cannot stream.
    pub fn start(book: &BookCode, from: Period, to: Period, format: OutputFormat) -> Option<(JournalStream, String)> {
        let head = match format {
            OutputFormat::Json => JsonArray::head(
                &[("book", book.to_string()), ("period_from", from.to_string()), ("period_to", to.to_string())],
                "vouchers",
            ),
            OutputFormat::Csv => super::csv_head(&super::sheets::JOURNAL_HEADERS),
            OutputFormat::Table => return None,
        };
        Some((JournalStream { format, json: JsonArray::default(), totals: JournalTotals::default() }, head))
    }

    /// One voucher's part.
    pub fn voucher(&mut self, v: &VoucherRecord, chart: &Chart) -> String {
        self.totals.add(v);
        match self.format {
            OutputFormat::Json => self.json.item(&journal_voucher(v, chart)),
            _ => {
                let rows: Vec<Vec<String>> = super::sheets::journal_rows(v, chart)
                    .iter()
                    .map(|row| row.iter().map(|c| c.text(false)).collect())
                    .collect();
                super::csv_rows(&rows, &super::sheets::JOURNAL_AMOUNTS)
            }
        }
    }

    /// The end: the closing brackets, or the 合计 row.
    pub fn end(self) -> String {
        match self.format {
            OutputFormat::Json => self.json.end(),
            _ => {
                let total: Vec<String> = self.totals.row().iter().map(|c| c.text(false)).collect();
                super::csv_rows(&[total], &super::sheets::JOURNAL_AMOUNTS)
            }
        }
    }
}

fn journal_voucher<'a>(v: &'a VoucherRecord, chart: &'a Chart) -> JournalVoucher<'a> {
    JournalVoucher {
        book: v.book.to_string(),
        number: v.number.to_string(),
        date: v.date.to_string(),
        status: v.status.as_str(),
        attachments: v.attachments,
        external_id: v.external_id.as_deref(),
        maker: &v.maker,
        reviewer: v.reviewer.as_deref(),
        poster: v.poster.as_deref(),
        reverses: v.reverses.map(|n| n.to_string()),
        reversed_by: v.reversed_by.map(|n| n.to_string()),
        void_reason: v.void_reason.as_deref(),
        lines: v
            .lines
            .iter()
            .map(|l| {
                let (debit, credit) = side_cells(l.side, l.amount, false);
                JournalLine {
                    account: &l.account,
                    name: account_name(chart, &l.account),
                    summary: &l.summary,
                    debit,
                    credit,
                    reference: l.reference.as_deref(),
                }
            })
            .collect(),
    }
}

/// Vouchers of any books as JSON (`{"vouchers": [...]}`, each with its book) or CSV.
pub fn vouchers_json_or_csv(vouchers: &[VoucherRecord], chart: &Chart, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => json(&serde_json::json!({ "vouchers": journal_vouchers(vouchers, chart) })),
        _ => vouchers_csv(vouchers, chart),
    }
}

/// One CSV row per voucher line, every cell filled (for filtering in Excel).
fn vouchers_csv(vouchers: &[VoucherRecord], chart: &Chart) -> String {
    let rows: Vec<Vec<String>> = vouchers
        .iter()
        .flat_map(|v| {
            v.lines.iter().map(move |l| {
                let (debit, credit) = side_cells(l.side, l.amount, false);
                vec![
                    v.book.to_string(),
                    v.number.to_string(),
                    v.date.to_string(),
                    super::sheets::status_word(v).to_string(),
                    l.account.clone(),
                    account_name(chart, &l.account).to_string(),
                    l.summary.clone(),
                    debit,
                    credit,
                    l.reference.clone().unwrap_or_default(),
                ]
            })
        })
        .collect();
    csv(
        &["账簿", "凭证号", "日期", "状态", "科目编码", "科目名称", "摘要", "借方金额", "贷方金额", "结算号"],
        &rows,
        &[7, 8],
    )
}

fn account_name<'a>(chart: &'a Chart, code: &str) -> &'a str {
    chart.get(code).map(|a| a.name.as_str()).unwrap_or("")
}

/// Vouchers line by line as a table (first line of each voucher carries its date and number),
/// with a total row; `with_book` adds the book column for vouchers of several books,
/// `with_status` the 状态 column (草稿, 已审核, 已记账, 作废, 已冲销).
pub fn voucher_table(vouchers: &[VoucherRecord], chart: &Chart, with_book: bool, with_status: bool) -> String {
    let layout = VoucherTable::new(with_book, with_status);
    let mut rows = Vec::new();
    let mut totals = JournalTotals::default();
    for voucher in vouchers {
        rows.extend(layout.rows(voucher, chart));
        totals.add(voucher);
    }
    rows.push(layout.total(&totals));
    table(&layout.headers, &rows, &layout.amounts)
}

/// The columns of a table of vouchers, one row per line.
pub struct VoucherTable {
    pub headers: Vec<&'static str>,
    /// The amount columns (right-aligned).
    pub amounts: Vec<usize>,
    with_book: bool,
    with_status: bool,
}

impl VoucherTable {
    pub fn new(with_book: bool, with_status: bool) -> VoucherTable {
        let mut headers = vec!["日期", "凭证号", "摘要", "科目", "借方", "贷方", "结算号"];
        let mut amounts = vec![4, 5];
        if with_status {
            headers.insert(2, "状态");
            amounts = amounts.iter().map(|a| a + 1).collect();
        }
        if with_book {
            headers.insert(0, "账簿");
            amounts = amounts.iter().map(|a| a + 1).collect();
        }
        VoucherTable { headers, amounts, with_book, with_status }
    }

    /// A voucher's rows: the first line carries its book, date, number and status.
    pub fn rows(&self, voucher: &VoucherRecord, chart: &Chart) -> Vec<Vec<String>> {
        voucher
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let (debit, credit) = side_cells(line.side, line.amount, true);
                let first = index == 0;
                let mut row = Vec::with_capacity(9);
                if self.with_book {
                    row.push(if first { voucher.book.to_string() } else { String::new() });
                }
                row.extend([
                    if first { voucher.date.to_string() } else { String::new() },
                    if first { voucher.number.to_string() } else { String::new() },
                ]);
                if self.with_status {
                    row.push(if first { super::sheets::status_word(voucher).to_string() } else { String::new() });
                }
                row.extend([
                    line.summary.clone(),
                    format!("{} {}", line.account, account_name(chart, &line.account)),
                    debit,
                    credit,
                    line.reference.clone().unwrap_or_default(),
                ]);
                row
            })
            .collect()
    }

    /// The 合计 row.
    pub fn total(&self, totals: &JournalTotals) -> Vec<String> {
        let mut total = vec![
            String::new(),
            String::new(),
            "合计".into(),
            format!("{} 张凭证", totals.vouchers()),
            totals.debit().grouped(),
            totals.credit().grouped(),
            String::new(),
        ];
        if self.with_status {
            total.insert(2, String::new());
        }
        if self.with_book {
            total.insert(0, String::new());
        }
        total
    }
}

/// The line above a 序时账 table.
pub fn journal_title(book: &BookCode, from: Period, to: Period) -> String {
    format!("序时账 {book} {}\n", range_label(from, to))
}

pub(super) fn range_label(from: Period, to: Period) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from} 至 {to}")
    }
}

#[derive(Serialize)]
struct TrialBalanceJson {
    book: String,
    period_from: String,
    period_to: String,
    rows: Vec<TrialBalanceRowJson>,
    totals: TotalsJson,
    balanced: bool,
}

#[derive(Serialize)]
struct TrialBalanceRowJson {
    account: String,
    name: String,
    level: usize,
    side: &'static str,
    opening: String,
    debit: String,
    credit: String,
    closing: String,
}

#[derive(Serialize)]
struct TotalsJson {
    opening_debit_side: String,
    opening_credit_side: String,
    debit: String,
    credit: String,
    closing_debit_side: String,
    closing_credit_side: String,
}

/// 科目余额表 in the documented JSON contract, as CSV, or as a table with tie-out totals.
pub fn trial_balance(book: &BookCode, tb: &TrialBalance, format: OutputFormat) -> String {
    let t = &tb.totals;
    match format {
        OutputFormat::Json => json(&TrialBalanceJson {
            book: book.to_string(),
            period_from: tb.period_from.to_string(),
            period_to: tb.period_to.to_string(),
            rows: tb
                .rows
                .iter()
                .map(|r| TrialBalanceRowJson {
                    account: r.account.clone(),
                    name: r.name.clone(),
                    level: r.level,
                    side: r.side.as_str(),
                    opening: r.opening.plain(),
                    debit: r.debit.plain(),
                    credit: r.credit.plain(),
                    closing: r.closing.plain(),
                })
                .collect(),
            totals: TotalsJson {
                opening_debit_side: t.opening_debit_side.plain(),
                opening_credit_side: t.opening_credit_side.plain(),
                debit: t.debit.plain(),
                credit: t.credit.plain(),
                closing_debit_side: t.closing_debit_side.plain(),
                closing_credit_side: t.closing_credit_side.plain(),
            },
            balanced: t.ties(),
        }),
        OutputFormat::Csv => super::sheets::trial_balance("", book, tb).csv(),
        OutputFormat::Table => {
            let mut rows: Vec<Vec<String>> = tb
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.account.clone(),
                        format!("{}{}", "  ".repeat(r.level - 1), r.name),
                        r.side.label().to_string(),
                        r.opening.grouped(),
                        r.debit.grouped(),
                        r.credit.grouped(),
                        r.closing.grouped(),
                    ]
                })
                .collect();
            rows.push(vec![
                String::new(),
                "借方余额科目合计".into(),
                "借".into(),
                t.opening_debit_side.grouped(),
                t.debit.grouped(),
                t.credit.grouped(),
                t.closing_debit_side.grouped(),
            ]);
            rows.push(vec![
                String::new(),
                "贷方余额科目合计".into(),
                "贷".into(),
                t.opening_credit_side.grouped(),
                String::new(),
                String::new(),
                t.closing_credit_side.grouped(),
            ]);
            let title = format!("科目余额表 {book} {}\n", range_label(tb.period_from, tb.period_to));
            let verdict = if t.ties() {
                "试算平衡：借方发生额 = 贷方发生额，借方余额 = 贷方余额\n".to_string()
            } else {
                "试算不平衡！请运行 fundpool check 与 fundpool verify\n".to_string()
            };
            title
                + &table(
                    &["科目编码", "科目名称", "方向", "期初余额", "本期借方", "本期贷方", "期末余额"],
                    &rows,
                    &[3, 4, 5, 6],
                )
                + &verdict
        }
    }
}

#[cfg(test)]
mod stream_tests {
    use super::*;
    use crate::domain::voucher::{test_record, LineRecord, Status};

    fn texts(row: &[crate::render::xlsx::Cell]) -> Vec<String> {
        row.iter().map(|c| c.text(false)).collect()
    }

    fn line(line_no: u32, side: Side, fen: i64, summary: &str) -> LineRecord {
        LineRecord {
            line_no,
            account: if side == Side::Debit { "1002".into() } else { "2001".into() },
            summary: summary.into(),
            side,
            amount: Money::from_fen(fen),
            reference: (line_no == 1).then(|| "R-\"1\"".to_string()),
        }
    }

    /// Streamed a voucher at a time, the JSON and CSV journal are byte for byte the whole one,
    /// for none, one and several vouchers.
    #[test]
    fn a_streamed_journal_is_the_whole_journal() {
        let chart = Chart::from_accounts(Vec::new());
        let book = BookCode::parse("shayang/employee").expect("a book");
        let (from, to) = (Period::parse("2023-01").expect("a month"), Period::parse("2023-02").expect("a month"));
        let date = chrono::NaiveDate::from_ymd_opt(2023, 1, 5).expect("a date");
        let vouchers: Vec<VoucherRecord> = (1..=3)
            .map(|seq| {
                let fen = 123_456 * i64::from(seq);
                test_record(
                    seq,
                    date,
                    Status::Posted,
                    vec![line(1, Side::Debit, fen, "收\n款"), line(2, Side::Credit, fen, "收款")],
                )
            })
            .collect();
        // The whole journal: serde_json's layout of the object, and the sheet's rows as one CSV.
        let whole = |vouchers: &[VoucherRecord], format: OutputFormat| match format {
            OutputFormat::Json => {
                #[derive(Serialize)]
                struct Whole<'a> {
                    book: String,
                    period_from: String,
                    period_to: String,
                    vouchers: Vec<JournalVoucher<'a>>,
                }
                json(&Whole {
                    book: book.to_string(),
                    period_from: from.to_string(),
                    period_to: to.to_string(),
                    vouchers: vouchers.iter().map(|v| journal_voucher(v, &chart)).collect(),
                })
            }
            _ => {
                let mut totals = JournalTotals::default();
                let mut rows: Vec<Vec<String>> = Vec::new();
                for v in vouchers {
                    totals.add(v);
                    rows.extend(super::super::sheets::journal_rows(v, &chart).iter().map(|r| texts(r)));
                }
                rows.push(texts(&totals.row()));
                csv(&super::super::sheets::JOURNAL_HEADERS, &rows, &super::super::sheets::JOURNAL_AMOUNTS)
            }
        };
        for count in [0, 1, 3] {
            for format in [OutputFormat::Json, OutputFormat::Csv] {
                let whole = whole(&vouchers[..count], format);
                let (mut stream, mut streamed) = JournalStream::start(&book, from, to, format).expect("streams");
                for v in &vouchers[..count] {
                    streamed.push_str(&stream.voucher(v, &chart));
                }
                streamed.push_str(&stream.end());
                assert_eq!(streamed, whole, "{count} vouchers as {format:?}");
            }
        }
        assert!(JournalStream::start(&book, from, to, OutputFormat::Table).is_none());
    }
}
