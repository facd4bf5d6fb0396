//! Vouchers (记账凭证): drafts as staff and posting rules write them, validation into a
//! `Voucher` that alone may reach the store, red-ink reversals (红字冲销), and the records the
//! store gives back.
//!
//! A `Voucher` has private fields and no constructor but `validate` and `reversal`, so
//! anything the store writes has passed every rule. Validation reports all broken rules of a
//! voucher at once, in a fixed order.

use super::chart::{Chart, Side};
use super::city::City;
use super::ids::{BookCode, PartyKind, Period, VoucherNo};
use super::rejection::Rejection;
use crate::money::Money;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// One line of a draft voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    /// Where the line came from: its line number in a CSV file, or its position in the voucher.
    pub position: usize,
    /// The book this line names, where the source names one per line (CSV rows).
    pub book: Option<BookCode>,
    pub account: String,
    pub summary: String,
    pub side: Side,
    pub amount: Money,
    /// Settlement reference (bank serial, payment order) that reconciliation matches on.
    pub reference: Option<String>,
}

/// A voucher as written, before any rule is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherDraft {
    pub book: BookCode,
    pub date: NaiveDate,
    pub attachments: u32,
    pub external_id: Option<String>,
    pub lines: Vec<DraftLine>,
}

/// A validated voucher line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub account: String,
    pub summary: String,
    pub side: Side,
    pub amount: Money,
    pub reference: Option<String>,
}

/// A voucher that has passed every rule. Only `validate` and `reversal` make one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voucher {
    book: BookCode,
    date: NaiveDate,
    attachments: u32,
    external_id: Option<String>,
    lines: Vec<Line>,
    reverses: Option<i64>,
}

impl Voucher {
    pub fn book(&self) -> &BookCode {
        &self.book
    }
    pub fn date(&self) -> NaiveDate {
        self.date
    }
    pub fn period(&self) -> Period {
        Period::of(self.date)
    }
    pub fn attachments(&self) -> u32 {
        self.attachments
    }
    pub fn external_id(&self) -> Option<&str> {
        self.external_id.as_deref()
    }
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }
    /// The store id of the voucher this one reverses.
    pub fn reverses(&self) -> Option<i64> {
        self.reverses
    }

    /// A digest of what the voucher says; see [`content_digest`].
    pub fn content_digest(&self) -> String {
        content_digest(&self.book, self.date, self.attachments, self.lines.iter().map(LineContent::content))
    }
}

impl VoucherDraft {
    /// A digest of what the draft says; equal to the digest of the voucher it validates into.
    pub fn content_digest(&self) -> String {
        content_digest(&self.book, self.date, self.attachments, self.lines.iter().map(LineContent::content))
    }
}

/// What a line says, whichever stage it is at (draft, validated, stored): the part the content
/// digest covers.
trait LineContent {
    fn content(&self) -> (&str, &str, Side, Money, Option<&str>);
}

macro_rules! line_content {
    ($($t:ty),*) => {$(
        impl LineContent for $t {
            fn content(&self) -> (&str, &str, Side, Money, Option<&str>) {
                (&self.account, &self.summary, self.side, self.amount, self.reference.as_deref())
            }
        }
    )*};
}
line_content!(DraftLine, Line, LineRecord);

/// A digest of what a voucher says (book, date, attachments, lines), used to tell a re-import
/// of the same voucher from a different voucher under the same external id.
pub fn content_digest<'a>(
    book: &BookCode,
    date: NaiveDate,
    attachments: u32,
    lines: impl Iterator<Item = (&'a str, &'a str, Side, Money, Option<&'a str>)>,
) -> String {
    use crate::domain::json_text::{push_date, push_integer};
    // One text, hashed once: "{book}\n{date}\n{attachments}\n" then per line
    // "{account}\t{summary}\t{side}\t{fen}\t{reference}\n" — written by hand, byte for byte what
    // Display wrote when the digest was defined (`verify` digests every voucher).
    let mut text = Vec::with_capacity(128);
    for part in [book.party.as_bytes(), b"/", book.fund.as_bytes(), b"\n"] {
        text.extend_from_slice(part);
    }
    push_date(&mut text, date);
    text.push(b'\n');
    push_integer(&mut text, attachments);
    text.push(b'\n');
    for (account, summary, side, amount, reference) in lines {
        for part in [account, "\t", summary, "\t", side.as_str(), "\t"] {
            text.extend_from_slice(part.as_bytes());
        }
        push_integer(&mut text, amount.fen());
        text.push(b'\t');
        text.extend_from_slice(reference.unwrap_or("").as_bytes());
        text.push(b'\n');
    }
    crate::domain::hex_digest(&Sha256::digest(&text))
}

/// The closed months of every book.
pub type ClosedPeriods = HashSet<(BookCode, Period)>;

/// The most lines one voucher may have.
pub const MAX_LINES: usize = 1_000;
/// The longest 摘要 (memo), in characters.
pub const MAX_SUMMARY_CHARS: usize = 200;
/// The longest external id or settlement reference, in characters.
pub const MAX_REFERENCE_CHARS: usize = 100;

/// Which dates a voucher may carry: from the city's opening date to a year after today, and
/// never in or before a book's latest closed month (months close in order, so everything up
/// to it is sealed).
#[derive(Debug, Clone)]
pub struct PeriodRules {
    closed_through: std::collections::HashMap<BookCode, Period>,
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
}

impl PeriodRules {
    pub fn new(closed: &ClosedPeriods, earliest: NaiveDate, latest: NaiveDate) -> PeriodRules {
        let mut closed_through: std::collections::HashMap<BookCode, Period> = std::collections::HashMap::new();
        for (book, period) in closed {
            let entry = closed_through.entry(book.clone()).or_insert(*period);
            *entry = (*entry).max(*period);
        }
        PeriodRules { closed_through, earliest, latest }
    }

    /// The latest closed month of a book.
    pub fn closed_through(&self, book: &BookCode) -> Option<Period> {
        self.closed_through.get(book).copied()
    }

    /// The rejection for a voucher of `book` dated `date`, if any.
    pub fn check(&self, book: &BookCode, date: NaiveDate) -> Option<Rejection> {
        if date < self.earliest || date > self.latest {
            return Some(Rejection::DateOutOfRange { date, earliest: self.earliest, latest: self.latest });
        }
        let period = Period::of(date);
        match self.closed_through(book) {
            Some(closed) if period <= closed => Some(Rejection::BeforeClosedPeriod {
                book: book.clone(),
                period,
                closed_through: closed,
                first_open: closed.next(),
            }),
            _ => None,
        }
    }
}

/// What validation needs to know about the ledger: the city, its chart, and which dates are
/// open.
pub struct LedgerRules<'a> {
    pub city: &'a City,
    pub chart: &'a Chart,
    pub periods: &'a PeriodRules,
}

impl LedgerRules<'_> {
    /// Checks every rule on a draft and returns the voucher, or every rule it breaks.
    pub fn validate(&self, draft: VoucherDraft) -> Result<Voucher, Vec<Rejection>> {
        let mut problems = Vec::new();
        let kind = match self.city.book_kind(&draft.book) {
            Ok(kind) => Some(kind),
            Err(message) => {
                problems.push(Rejection::BookNotFound(message));
                None
            }
        };
        if draft.lines.len() < 2 {
            problems.push(Rejection::AtLeastTwoLines { count: draft.lines.len() });
        }
        if draft.lines.len() > MAX_LINES {
            problems.push(Rejection::TooManyLines { count: draft.lines.len(), max: MAX_LINES });
        }
        if let Some(external_id) = &draft.external_id {
            check_text(0, "外部编号", external_id, MAX_REFERENCE_CHARS, &mut problems);
        }
        for line in &draft.lines {
            self.check_line(&draft.book, kind, line, false, &mut problems);
        }
        check_balanced(draft.lines.iter().map(|l| (l.side, l.amount)), &mut problems);
        if kind.is_some() {
            problems.extend(self.periods.check(&draft.book, draft.date));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Voucher {
            book: draft.book,
            date: draft.date,
            attachments: draft.attachments,
            external_id: draft.external_id,
            lines: draft
                .lines
                .into_iter()
                .map(|l| Line {
                    account: l.account,
                    summary: l.summary,
                    side: l.side,
                    amount: l.amount,
                    reference: l.reference,
                })
                .collect(),
            reverses: None,
        })
    }

    fn check_line(
        &self,
        book: &BookCode,
        kind: Option<PartyKind>,
        line: &DraftLine,
        negative_allowed: bool,
        problems: &mut Vec<Rejection>,
    ) {
        let position = line.position;
        if let Some(line_book) = &line.book {
            if line_book.fund != book.fund {
                problems.push(Rejection::OneFundOnly {
                    line: position,
                    book: book.clone(),
                    line_book: line_book.clone(),
                    fund: book.fund.clone(),
                    line_fund: line_book.fund.clone(),
                });
            } else if line_book != book {
                problems.push(Rejection::OneBookOnly {
                    line: position,
                    book: book.clone(),
                    line_book: line_book.clone(),
                });
            }
        }
        match self.chart.get(&line.account) {
            None => {
                problems.push(Rejection::AccountNotFound { line: position, account: super::ids::quote(&line.account) })
            }
            Some(account) => {
                let leaf = match kind {
                    Some(kind) => self.chart.is_leaf_for(&account.code, kind),
                    None => account.is_leaf,
                };
                if !leaf {
                    let example = self
                        .chart
                        .accounts()
                        .find(|a| a.parent.as_deref() == Some(account.code.as_str()))
                        .map(|a| format!("{} {}", a.code, a.name))
                        .unwrap_or_default();
                    problems.push(Rejection::AccountMustBeLeaf {
                        line: position,
                        account: account.code.clone(),
                        name: account.name.clone(),
                        example,
                    });
                }
                if let Some(kind) = kind {
                    if !account.allowed_for(kind) {
                        problems.push(Rejection::AccountNotAllowedInBook {
                            line: position,
                            account: account.code.clone(),
                            name: account.name.clone(),
                            kind_label: kind.label().to_string(),
                            book: book.clone(),
                        });
                    }
                }
            }
        }
        let sign_ok = if negative_allowed { !line.amount.is_zero() } else { line.amount.is_positive() };
        if !sign_ok {
            problems.push(Rejection::AmountMustBePositive { line: position, amount: line.amount });
        }
        if line.summary.trim().is_empty() {
            problems.push(Rejection::SummaryRequired { line: position });
        }
        let chars = line.summary.chars().count();
        if chars > MAX_SUMMARY_CHARS {
            problems.push(Rejection::SummaryTooLong { line: position, chars, max: MAX_SUMMARY_CHARS });
        }
        if crate::domain::ids::has_hidden_characters(&line.summary) {
            problems.push(Rejection::ControlCharacters { line: position, field: "摘要".into() });
        }
        if let Some(reference) = &line.reference {
            check_text(position, "结算号", reference, MAX_REFERENCE_CHARS, problems);
        }
    }

    /// The red-ink reversal (红字冲销) of a posted voucher: the same lines with negated amounts
    /// on the same sides, dated `date`, which must fall in an open period.
    pub fn reversal(&self, original: &VoucherRecord, date: NaiveDate) -> Result<Voucher, Vec<Rejection>> {
        let number = original.number.to_string();
        if original.status != Status::Posted {
            return Err(vec![Rejection::WrongStatus {
                number,
                status: original.status.label().into(),
                action: "冲销（只有已记账凭证需要红字冲销）".into(),
            }]);
        }
        if original.reverses.is_some() {
            return Err(vec![Rejection::ReversalCannotBeReversed { number }]);
        }
        if let Some(reversal) = &original.reversed_by {
            return Err(vec![Rejection::AlreadyReversed { number, reversal: reversal.to_string() }]);
        }
        let mut problems = Vec::new();
        let mut lines = Vec::with_capacity(original.lines.len());
        for line in &original.lines {
            match line.amount.checked_neg() {
                Ok(amount) => lines.push(Line {
                    account: line.account.clone(),
                    summary: format!("冲销{number}：{}", line.summary),
                    side: line.side,
                    amount,
                    reference: line.reference.clone(),
                }),
                Err(_) => problems.push(Rejection::AmountOverflow),
            }
        }
        let kind = self.city.book_kind(&original.book).ok();
        for (index, line) in lines.iter().enumerate() {
            let draft_line = DraftLine {
                position: index + 1,
                book: None,
                account: line.account.clone(),
                summary: line.summary.clone(),
                side: line.side,
                amount: line.amount,
                reference: None,
            };
            self.check_line(&original.book, kind, &draft_line, true, &mut problems);
        }
        check_balanced(lines.iter().map(|l| (l.side, l.amount)), &mut problems);
        problems.extend(self.periods.check(&original.book, date));
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Voucher {
            book: original.book.clone(),
            date,
            attachments: 0,
            external_id: None,
            lines,
            reverses: Some(original.id),
        })
    }
}

/// A short text field (external id, reference): no control characters, bounded length.
fn check_text(line: usize, field: &str, text: &str, max: usize, problems: &mut Vec<Rejection>) {
    if crate::domain::ids::has_hidden_characters(text) {
        problems.push(Rejection::ControlCharacters { line, field: field.to_string() });
    }
    let chars = text.chars().count();
    if chars > max {
        problems.push(Rejection::FieldTooLong { line, field: field.to_string(), chars, max });
    }
}

fn check_balanced(lines: impl Iterator<Item = (Side, Money)>, problems: &mut Vec<Rejection>) {
    let mut debit = Money::ZERO;
    let mut credit = Money::ZERO;
    for (side, amount) in lines {
        let total = match side {
            Side::Debit => &mut debit,
            Side::Credit => &mut credit,
        };
        match total.checked_add(amount) {
            Ok(sum) => *total = sum,
            Err(_) => {
                problems.push(Rejection::AmountOverflow);
                return;
            }
        }
    }
    if debit != credit {
        let difference = debit.checked_sub(credit).unwrap_or(Money::ZERO);
        problems.push(Rejection::DebitsMustEqualCredits { debit, credit, difference });
    }
}

/// Where a voucher stands in 制单 → 审核 → 记账.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Draft,
    Reviewed,
    Posted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Reviewed => "reviewed",
            Status::Posted => "posted",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "draft" => Some(Status::Draft),
            "reviewed" => Some(Status::Reviewed),
            "posted" => Some(Status::Posted),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Reviewed => "已审核",
            Status::Posted => "已记账",
        }
    }
}

/// A voucher line as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineRecord {
    pub line_no: u32,
    pub account: String,
    pub summary: String,
    pub side: Side,
    pub amount: Money,
    pub reference: Option<String>,
}

/// A voucher as the store keeps it, with its workflow history and chain hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherRecord {
    pub id: i64,
    pub book: BookCode,
    pub number: VoucherNo,
    pub date: NaiveDate,
    pub attachments: u32,
    pub external_id: Option<String>,
    pub status: Status,
    pub maker: String,
    pub made_at: String,
    pub reviewer: Option<String>,
    pub reviewed_at: Option<String>,
    pub poster: Option<String>,
    pub posted_at: Option<String>,
    pub reverses: Option<VoucherNo>,
    pub reversed_by: Option<VoucherNo>,
    pub chain_seq: Option<i64>,
    pub hash: Option<String>,
    /// Why the draft was voided (作废), if it was.
    pub void_reason: Option<String>,
    pub lines: Vec<LineRecord>,
}

impl VoucherRecord {
    /// The digest of what the stored voucher says (book, date, attachments, lines): equal to
    /// the digest recorded when it was made unless its lines were changed since.
    pub fn content_digest(&self) -> String {
        content_digest(&self.book, self.date, self.attachments, self.lines.iter().map(LineContent::content))
    }

    pub fn total(&self, side: Side) -> Money {
        Money::checked_sum(self.lines.iter().filter(|l| l.side == side).map(|l| l.amount)).unwrap_or(Money::ZERO)
    }
}

impl VoucherRecord {
    /// A posted record with nothing in it (no book, number 0001 of an arbitrary month, no lines):
    /// a buffer to fill row by row, or a base for a record built field by field.
    pub fn blank() -> VoucherRecord {
        let date = NaiveDate::default();
        VoucherRecord {
            id: 0,
            book: BookCode { party: String::new(), fund: String::new() },
            number: VoucherNo { period: Period::of(date), seq: 1 },
            date,
            attachments: 0,
            external_id: None,
            status: Status::Posted,
            maker: String::new(),
            made_at: String::new(),
            reviewer: None,
            reviewed_at: None,
            poster: None,
            posted_at: None,
            reverses: None,
            reversed_by: None,
            chain_seq: None,
            hash: None,
            void_reason: None,
            lines: Vec::new(),
        }
    }
}

/// A stored voucher of shayang/employee for tests: number `seq` of the date's month, made by
/// 张会计, with the given status and lines; other fields empty.
#[cfg(test)]
pub(crate) fn test_record(seq: u32, date: NaiveDate, status: Status, lines: Vec<LineRecord>) -> VoucherRecord {
    VoucherRecord {
        id: i64::from(seq),
        book: BookCode::parse("shayang/employee").expect("a book"),
        number: VoucherNo { period: Period::of(date), seq },
        date,
        attachments: 1,
        status,
        maker: "张会计".into(),
        lines,
        ..VoucherRecord::blank()
    }
}

/// Period rules for tests: open from 2022-12-01 to 2030-12-31 apart from `closed`.
#[cfg(test)]
pub(crate) fn test_periods(closed: &ClosedPeriods) -> PeriodRules {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    PeriodRules::new(closed, day(2022, 12, 1), day(2030, 12, 31))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::chart::Chart;
    use crate::domain::city::City;

    fn city() -> City {
        City::from_toml(include_str!("../../fixtures/jingmen/city.toml")).unwrap()
    }

    fn chart() -> Chart {
        Chart::from_toml(include_str!("../../fixtures/jingmen/chart.toml")).unwrap()
    }

    fn line(position: usize, account: &str, side: Side, amount: &str) -> DraftLine {
        DraftLine {
            position,
            book: None,
            account: account.into(),
            summary: "测试摘要".into(),
            side,
            amount: Money::parse(amount).unwrap(),
            reference: None,
        }
    }

    fn draft(book: &str, lines: Vec<DraftLine>) -> VoucherDraft {
        VoucherDraft {
            book: BookCode::parse(book).unwrap(),
            date: NaiveDate::from_ymd_opt(2023, 1, 10).unwrap(),
            attachments: 1,
            external_id: None,
            lines,
        }
    }

    fn codes(result: Result<Voucher, Vec<Rejection>>) -> Vec<&'static str> {
        match result {
            Ok(_) => vec![],
            Err(problems) => problems.iter().map(|p| p.code()).collect(),
        }
    }

    /// One row per validation rule: the draft and the codes it must be refused with.
    #[test]
    fn each_validation_rule() {
        let city = city();
        let chart = chart();
        let closed: ClosedPeriods = [(BookCode::new("shayang", "employee"), Period::new(2022, 12).unwrap())].into();
        let periods = test_periods(&closed);
        let rules = LedgerRules { city: &city, chart: &chart, periods: &periods };
        let d = Side::Debit;
        let c = Side::Credit;
        let mut other_fund = line(2, "4601", c, "10.00");
        other_fund.book = Some(BookCode::parse("shayang/resident").unwrap());
        let mut other_party = line(2, "4601", c, "10.00");
        other_party.book = Some(BookCode::parse("duodao/employee").unwrap());
        let mut blank_summary = line(2, "4601", c, "10.00");
        blank_summary.summary = "  ".into();
        let mut closed = draft("shayang/employee", vec![line(1, "1003", d, "10.00"), line(2, "4601", c, "10.00")]);
        closed.date = NaiveDate::from_ymd_opt(2022, 12, 31).unwrap();
        let table: Vec<(&str, VoucherDraft, Vec<&str>)> = vec![
            (
                "valid",
                draft("shayang/employee", vec![line(1, "1003", d, "10.00"), line(2, "4601", c, "10.00")]),
                vec![],
            ),
            (
                "unbalanced",
                draft("shayang/employee", vec![line(1, "1003", d, "10.00"), line(2, "4601", c, "9.99")]),
                vec!["DebitsMustEqualCredits"],
            ),
            (
                "one line",
                draft("shayang/employee", vec![line(1, "1003", d, "10.00")]),
                vec!["AtLeastTwoLines", "DebitsMustEqualCredits"],
            ),
            (
                "unknown account",
                draft("shayang/employee", vec![line(1, "1999", d, "10.00"), line(2, "4601", c, "10.00")]),
                vec!["AccountNotFound"],
            ),
            (
                "parent account",
                draft("shayang/employee", vec![line(1, "5001", d, "10.00"), line(2, "1003", c, "10.00")]),
                vec!["AccountMustBeLeaf"],
            ),
            (
                "wrong party kind",
                draft("shayang/employee", vec![line(1, "1003", d, "10.00"), line(2, "1005", c, "10.00")]),
                vec!["AccountNotAllowedInBook"],
            ),
            (
                "negative",
                draft("shayang/employee", vec![line(1, "1003", d, "-10.00"), line(2, "4601", c, "-10.00")]),
                vec!["AmountMustBePositive", "AmountMustBePositive"],
            ),
            (
                "zero",
                draft("shayang/employee", vec![line(1, "1003", d, "0"), line(2, "4601", c, "0")]),
                vec!["AmountMustBePositive", "AmountMustBePositive"],
            ),
            (
                "cross fund",
                draft("shayang/employee", vec![line(1, "1003", d, "10.00"), other_fund]),
                vec!["OneFundOnly"],
            ),
            (
                "cross book",
                draft("shayang/employee", vec![line(1, "1003", d, "10.00"), other_party]),
                vec!["OneBookOnly"],
            ),
            (
                "blank summary",
                draft("shayang/employee", vec![line(1, "1003", d, "10.00"), blank_summary]),
                vec!["SummaryRequired"],
            ),
            ("closed period", closed, vec!["BeforeClosedPeriod"]),
            (
                "unknown book",
                draft("wuchang/employee", vec![line(1, "1003", d, "10.00"), line(2, "4601", c, "10.00")]),
                vec!["BookNotFound"],
            ),
            (
                "everything at once",
                draft("shayang/employee", vec![line(1, "1999", d, "10.00"), line(2, "5001", c, "-1.00")]),
                vec!["AccountNotFound", "AccountMustBeLeaf", "AmountMustBePositive", "DebitsMustEqualCredits"],
            ),
        ];
        for (name, draft, expected) in table {
            assert_eq!(codes(rules.validate(draft)), expected, "{name}");
        }
    }

    #[test]
    fn messages_name_the_problem_in_staff_language() {
        let city = city();
        let chart = chart();
        let closed = ClosedPeriods::new();
        let periods = test_periods(&closed);
        let rules = LedgerRules { city: &city, chart: &chart, periods: &periods };
        let problems = rules
            .validate(draft(
                "shayang/employee",
                vec![line(1, "1003", Side::Debit, "10.00"), line(2, "4601", Side::Credit, "9.99")],
            ))
            .unwrap_err();
        assert_eq!(problems[0].to_string(), "借方合计 10.00 不等于贷方合计 9.99，相差 0.01");
        let problems = rules
            .validate(draft(
                "shayang/employee",
                vec![line(1, "5001", Side::Debit, "10.00"), line(2, "1003", Side::Credit, "10.00")],
            ))
            .unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "第 1 行：科目 5001 社会保险待遇支出 有明细科目，只能记到末级科目（如 5001.01 社会保险待遇支出—个人账户）"
        );
    }

    #[test]
    fn content_digest_tells_content_apart() {
        let city = city();
        let chart = chart();
        let closed = ClosedPeriods::new();
        let periods = test_periods(&closed);
        let rules = LedgerRules { city: &city, chart: &chart, periods: &periods };
        let a = rules
            .validate(draft(
                "shayang/employee",
                vec![line(1, "1003", Side::Debit, "10.00"), line(2, "4601", Side::Credit, "10.00")],
            ))
            .unwrap();
        let b = rules
            .validate(draft(
                "shayang/employee",
                vec![line(1, "1003", Side::Debit, "10.01"), line(2, "4601", Side::Credit, "10.01")],
            ))
            .unwrap();
        let same = draft(
            "shayang/employee",
            vec![line(1, "1003", Side::Debit, "10.00"), line(2, "4601", Side::Credit, "10.00")],
        );
        assert_eq!(a.content_digest(), same.content_digest());
        assert_ne!(a.content_digest(), b.content_digest());
    }
}
