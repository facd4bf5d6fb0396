//! The matcher and the checks on small hand-made months.

use super::matching::{match_pair, statement, Direction, Item, Scope, SideItems};
use super::*;
use crate::domain::chart::Chart;

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn item(reference: Option<&str>, date: &str, fen: i64, place: &str) -> Item {
    Item { reference: reference.map(str::to_string), date: d(date), amount: Money::from_fen(fen), place: place.into() }
}

fn scope() -> Scope<'static> {
    Scope {
        check: CheckName::Bank,
        fund: "employee",
        name: "test".into(),
        period: Period::new(2023, 2).unwrap(),
        ageing_limit_days: 30,
    }
}

#[test]
fn matches_by_reference_and_amount_and_classifies_the_rest() {
    let ours = SideItems {
        label: "账簿".into(),
        positive: Direction::In,
        items: vec![
            item(Some("A"), "2023-02-03", 10_000, "v1"),
            item(Some("B"), "2023-02-04", 5_001, "v2"),
            item(Some("C"), "2023-02-27", -2_000, "v3"),
            item(Some("D"), "2023-02-10", 700, "v4"),
            item(Some("D"), "2023-02-11", 700, "v5"),
            item(Some("R"), "2023-02-12", 300, "v6"),
            item(Some("R"), "2023-02-13", -300, "v7 冲销"),
            item(Some("OLD"), "2022-12-20", 400, "v8"),
        ],
    };
    let theirs = SideItems {
        label: "银行".into(),
        positive: Direction::In,
        items: vec![
            item(Some("A"), "2023-02-03", 10_000, "s1"),
            item(Some("B"), "2023-02-04", 5_000, "s2"),
            item(Some("D"), "2023-02-10", 700, "s3"),
            item(Some("E"), "2023-02-28", -99, "s4"),
            item(None, "2023-02-15", 1_000, "s5"),
        ],
    };
    let result = match_pair(&scope(), &ours, &theirs);
    assert_eq!(result.matched, 1, "only A matches");
    type View = (Option<String>, FindingKind, Option<OutstandingKind>, Severity, Option<i64>);
    let view: Vec<View> =
        result.findings.iter().map(|f| (f.reference.clone(), f.kind, f.outstanding, f.severity, f.age_days)).collect();
    assert_eq!(
        view,
        vec![
            (Some("B".into()), FindingKind::AmountMismatch, None, Severity::Difference, None),
            (
                Some("C".into()),
                FindingKind::Outstanding,
                Some(OutstandingKind::OursPaidTheirsNot),
                Severity::Outstanding,
                Some(1)
            ),
            (Some("D".into()), FindingKind::Duplicate, None, Severity::Difference, None),
            (
                Some("E".into()),
                FindingKind::Outstanding,
                Some(OutstandingKind::TheirsPaidOursNot),
                Severity::Outstanding,
                Some(0)
            ),
            // 2022-12-20 to 2023-02-28 is 70 days: older than the 30-day limit, so a difference.
            (
                Some("OLD".into()),
                FindingKind::Outstanding,
                Some(OutstandingKind::OursReceivedTheirsNot),
                Severity::Difference,
                Some(70)
            ),
            (
                None,
                FindingKind::Outstanding,
                Some(OutstandingKind::TheirsReceivedOursNot),
                Severity::Outstanding,
                Some(13)
            ),
        ]
    );
    assert_eq!(result.findings[1].message, "账簿已付、银行未记");
    assert_eq!(result.findings[2].message, "结算号 D 重复记账：账簿记 2 笔共 14.00，银行记 1 笔共 7.00");
    assert_eq!(result.findings[0].message, "结算号 B 金额不符：账簿 50.01，银行 50.00，相差 0.01");
    assert!(result.findings[4].carried);
    assert_eq!(result.findings[4].message, "账簿已收、银行未记，已 70 天，超过 30 天的期限");
    // Ours-only: −20.00 (C) and +4.00 (OLD); theirs-only: −0.99 (E) and +10.00 (no ref).
    assert_eq!((result.ours_only_in, result.ours_only_out), (400, -2_000));
    assert_eq!((result.theirs_only_in, result.theirs_only_out), (1_000, -99));
}

#[test]
fn the_statement_adjusts_each_side_by_what_only_the_other_booked() {
    // Ledger 1,000.00 with a 200.00 payment the bank has not cleared; bank 1,150.00 with a
    // 50.00 credit the ledger has not booked. Adjusted: 1,000 + 50 = 1,150 − 200 + 200 …
    let ours = SideItems {
        label: "账簿".into(),
        positive: Direction::In,
        items: vec![item(Some("P"), "2023-02-27", -20_000, "v1")],
    };
    let theirs = SideItems {
        label: "银行".into(),
        positive: Direction::In,
        items: vec![item(Some("Q"), "2023-02-28", 5_000, "s1")],
    };
    let mut pair = match_pair(&scope(), &ours, &theirs);
    let good = statement(&scope(), &mut pair, &ours, &theirs, Money::from_fen(100_000), Money::from_fen(125_000));
    // ours 1,000 + 50 (theirs-only in) = 1,050; theirs 1,250 − 200 (ours-only out) = 1,050.
    assert_eq!(
        (good.ours_adjusted, good.theirs_adjusted, good.equal),
        (Money::from_fen(105_000), Money::from_fen(105_000), true)
    );
    let mut pair = match_pair(&scope(), &ours, &theirs);
    let bad = statement(&scope(), &mut pair, &ours, &theirs, Money::from_fen(100_000), Money::from_fen(125_001));
    assert!(!bad.equal);
    let finding = pair.findings.last().unwrap();
    assert_eq!(finding.kind, FindingKind::BalanceMismatch);
    assert_eq!(finding.message, "调节后余额不等：账簿 1,050.00，银行 1,050.01，相差 -0.01");
}

#[test]
fn checks_run_in_the_documented_order() {
    let names: Vec<&str> = CheckName::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(names, vec!["tax_treasury", "treasury_finance", "finance_agency", "city_county", "bank", "invariants"]);
    assert_eq!(CheckName::parse("bank"), Some(CheckName::Bank));
    assert_eq!(CheckName::parse("banks"), None);
    let _ = Chart::default();
}

#[test]
fn a_books_lines_come_in_the_order_read_and_no_other_books() {
    let line = |book: &str, seq: u32| LedgerLine {
        voucher_id: i64::from(seq),
        book: BookCode::parse(book).unwrap().into(),
        number: VoucherNo { period: Period::new(2023, 1).unwrap(), seq },
        date: d("2023-01-05"),
        account: "1003".into(),
        side: Side::Debit,
        amount: Money::from_fen(100),
        reference: None,
    };
    let ledger = Ledger::new(vec![
        line("city/employee", 3),
        line("shayang/employee", 1),
        line("city/employee", 1),
        line("city/resident", 2),
        line("city/employee", 2),
    ]);
    let seqs = |book: &str| -> Vec<u32> { ledger.of(&BookCode::parse(book).unwrap()).map(|l| l.number.seq).collect() };
    assert_eq!(seqs("city/employee"), vec![3, 1, 2]);
    assert_eq!(seqs("shayang/employee"), vec![1]);
    assert_eq!(seqs("city/resident"), vec![2]);
    assert!(seqs("dongbao/employee").is_empty());
}

/// A ledger read in pieces is put in journal order: by date, then voucher, a voucher's lines in
/// the order read; and each book's lines are found whichever piece (shared `Arc`) they came from.
#[test]
fn a_ledger_read_in_pieces_is_in_journal_order_by_book() {
    let line = |voucher_id: i64, book: &std::sync::Arc<BookCode>, date: &str, fen: i64| LedgerLine {
        voucher_id,
        book: book.clone(),
        number: VoucherNo { period: Period::new(2023, 1).unwrap(), seq: voucher_id as u32 },
        date: d(date),
        account: std::sync::Arc::from("1003"),
        side: Side::Debit,
        amount: Money::from_fen(fen),
        reference: None,
    };
    // The same book as two `Arc`s, as two connections read it.
    let (a1, a2) =
        (std::sync::Arc::new(BookCode::new("a", "employee")), std::sync::Arc::new(BookCode::new("a", "employee")));
    let b = std::sync::Arc::new(BookCode::new("b", "employee"));
    let ledger = Ledger::in_journal_order(vec![
        line(1, &a1, "2023-01-05", 1),
        line(1, &a1, "2023-01-05", 2),
        line(2, &b, "2023-01-03", 3),
        line(3, &a2, "2023-01-04", 4),
        line(3, &a2, "2023-01-04", 5),
    ]);
    let of = |book: &str| ledger.of(&BookCode::new(book, "employee")).map(|l| l.amount.fen()).collect::<Vec<_>>();
    assert_eq!(of("a"), vec![4, 5, 1, 2]);
    assert_eq!(of("b"), vec![3]);
    assert!(of("c").is_empty());
}
