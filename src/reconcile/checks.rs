//! The six checks: which items each side of each pair contributes, which balances it compares,
//! and the monthly invariants.

use super::matching::{match_pair, statement, Direction, Item, PairResult, Scope, SideItems};
use super::{CheckName, Finding, FindingKind, Input, LedgerLine, Severity, Source, Statement, StatementLine};
use crate::domain::chart::Side;
use crate::domain::city::ForwardMode;
use crate::domain::ids::{BookCode, PartyKind};
use crate::money::Money;
use std::collections::HashSet;

#[derive(Default)]
pub(super) struct CheckResult {
    pub matched: usize,
    pub findings: Vec<Finding>,
    pub statements: Vec<Statement>,
}

impl CheckResult {
    fn absorb(&mut self, pair: PairResult) {
        self.matched += pair.matched;
        self.findings.extend(pair.findings);
    }
}

pub(super) fn run(check: CheckName, input: &Input<'_>, fund: &str) -> CheckResult {
    match check {
        CheckName::TaxTreasury => tax_treasury(input, fund),
        CheckName::TreasuryFinance => treasury_finance(input, fund),
        CheckName::FinanceAgency => finance_agency(input, fund),
        CheckName::CityCounty => city_county(input, fund),
        CheckName::Bank => bank(input, fund),
        CheckName::Invariants => invariants(input, fund),
    }
}

fn scope<'a>(input: &Input<'_>, check: CheckName, fund: &'a str, name: String) -> Scope<'a> {
    Scope { check, fund, name, period: input.period, ageing_limit_days: input.city.settings.ageing_limit_days }
}

fn party_of(input: &Input<'_>, kind: PartyKind) -> String {
    input.city.party.iter().find(|p| p.kind == kind).map(|p| p.code.clone()).unwrap_or_default()
}

/// Lines of `book` on `account` (and its sub-accounts), signed positive on `positive` side.
fn ledger_items<'a>(
    input: &'a Input<'_>,
    book: &'a BookCode,
    account: &'a str,
    positive: Side,
) -> impl Iterator<Item = (&'a LedgerLine, Item)> + 'a {
    input.ledger.of(book).filter(move |l| input.chart.is_within(&l.account, account)).map(move |l| {
        let fen = if l.side == positive { l.amount.fen() } else { -l.amount.fen() };
        let item = Item { reference: l.reference.clone(), date: l.date, amount: Money::from_fen(fen), place: place(l) };
        (l, item)
    })
}

/// Where a ledger line is, as findings name it: "shayang/employee 记-2023-06-0001" (written by
/// hand: every line read gets one, a million in a city's half year).
fn place(line: &LedgerLine) -> String {
    let mut place = String::with_capacity(line.book.party.len() + line.book.fund.len() + 18);
    place.push_str(&line.book.party);
    place.push('/');
    place.push_str(&line.book.fund);
    place.push(' ');
    crate::domain::json_text::push_voucher_no(&mut place, &line.number);
    place
}

fn ledger_side(
    input: &Input<'_>,
    book: &BookCode,
    account: &str,
    positive: Side,
    label: String,
    flow: Direction,
) -> SideItems {
    SideItems { label, items: ledger_items(input, book, account, positive).map(|(_, i)| i).collect(), positive: flow }
}

fn balance(side: &SideItems) -> Money {
    Money::from_fen(side.items.iter().map(|i| i.amount.fen()).sum())
}

/// Statement lines of a source and fund, signed by kind (+1, −1, or left out with 0).
fn register_side(
    input: &Input<'_>,
    source: Source,
    fund: &str,
    sign: fn(&str) -> i64,
    label: &str,
    flow: Direction,
) -> SideItems {
    let items = input
        .statements
        .iter()
        .filter(|s| s.source == source && s.fund.as_deref() == Some(fund))
        .filter(|s| sign(&s.kind) != 0)
        .map(|s| statement_item(s, sign(&s.kind), label))
        .collect();
    SideItems { label: label.to_string(), items, positive: flow }
}

fn statement_item(line: &StatementLine, sign: i64, label: &str) -> Item {
    Item {
        reference: line.reference.clone(),
        date: line.date,
        amount: Money::from_fen(sign * line.amount.fen()),
        place: format!("{label} {} {}", line.date, kind_label(&line.kind)),
    }
}

/// A statement line's kind as staff read it (the code stays in the file and the store).
pub fn kind_label(kind: &str) -> &str {
    match kind {
        "paid_to_treasury" => "缴库",
        "refund" => "退付",
        "received" => "收款",
        "transferred_to_special_account" => "划入财政专户",
        "in" => "收入",
        "out" => "支出",
        "balance" => "余额",
        other => other,
    }
}

fn tax_treasury(input: &Input<'_>, fund: &str) -> CheckResult {
    let scope = scope(input, CheckName::TaxTreasury, fund, "医保费入库".into());
    let tax = register_side(
        input,
        Source::Tax,
        fund,
        |k| match k {
            "paid_to_treasury" => 1,
            "refund" => -1,
            _ => 0,
        },
        "税务",
        Direction::Out,
    );
    let treasury = register_side(
        input,
        Source::Treasury,
        fund,
        |k| match k {
            "received" => 1,
            "refund" => -1,
            _ => 0,
        },
        "国库",
        Direction::In,
    );
    let mut result = CheckResult::default();
    result.absorb(match_pair(&scope, &tax, &treasury));
    result
}

/// Finance book receipts from the treasury: 专户存款 debits of vouchers that credit 社会保险费收入.
fn treasury_finance(input: &Input<'_>, fund: &str) -> CheckResult {
    let scope = scope(input, CheckName::TreasuryFinance, fund, "国库划转专户".into());
    let treasury = register_side(
        input,
        Source::Treasury,
        fund,
        |k| if k == "transferred_to_special_account" { 1 } else { 0 },
        "国库",
        Direction::Out,
    );
    let finance_book = BookCode::new(&party_of(input, PartyKind::Finance), fund);
    let premium_vouchers: HashSet<i64> = input
        .ledger
        .of(&finance_book)
        .filter(|l| l.side == Side::Credit && input.chart.is_within(&l.account, "4001"))
        .map(|l| l.voucher_id)
        .collect();
    let items = ledger_items(input, &finance_book, "1011", Side::Debit)
        .filter(|(l, _)| premium_vouchers.contains(&l.voucher_id) && l.side == Side::Debit)
        .map(|(_, i)| i)
        .collect();
    let finance = SideItems { label: "财政专户".into(), items, positive: Direction::In };
    let mut result = CheckResult::default();
    result.absorb(match_pair(&scope, &treasury, &finance));
    result
}

fn finance_agency(input: &Input<'_>, fund: &str) -> CheckResult {
    let scope = scope(input, CheckName::FinanceAgency, fund, "专户存款 1011 ↔ 财政专户存款 1004".into());
    let finance_book = BookCode::new(&party_of(input, PartyKind::Finance), fund);
    let city_book = BookCode::new(&party_of(input, PartyKind::City), fund);
    let finance = ledger_side(input, &finance_book, "1011", Side::Debit, "财政专户".into(), Direction::In);
    let city = ledger_side(input, &city_book, "1004", Side::Debit, "市经办机构".into(), Direction::In);
    let mut pair = match_pair(&scope, &finance, &city);
    let mut result = CheckResult::default();
    result.statements.push(statement(&scope, &mut pair, &finance, &city, balance(&finance), balance(&city)));
    result.absorb(pair);
    result
}

fn city_county(input: &Input<'_>, fund: &str) -> CheckResult {
    let city_book = BookCode::new(&party_of(input, PartyKind::City), fund);
    let mut result = CheckResult::default();
    for county in input.city.counties() {
        let name = input.city.short_name(&county.code);
        let county_book = BookCode::new(&county.code, fund);
        let sub = |parent: &str| input.chart.child_by_key(parent, &county.code).map(|a| a.code.clone());
        let (Some(allocated), Some(remitted)) = (sub("5201"), sub("4701")) else { continue };
        let pairs = [
            (
                format!("{name} 拨款"),
                ledger_side(input, &city_book, &allocated, Side::Debit, "市经办机构".into(), Direction::Out),
                ledger_side(input, &county_book, "4601", Side::Credit, name.clone(), Direction::In),
            ),
            (
                format!("{name} 上解"),
                ledger_side(input, &county_book, "5301", Side::Debit, name.clone(), Direction::Out),
                ledger_side(input, &city_book, &remitted, Side::Credit, "市经办机构".into(), Direction::In),
            ),
        ];
        for (label, ours, theirs) in pairs {
            if ours.items.is_empty() && theirs.items.is_empty() {
                continue;
            }
            let scope = scope(input, CheckName::CityCounty, fund, label);
            let mut pair = match_pair(&scope, &ours, &theirs);
            result.statements.push(statement(&scope, &mut pair, &ours, &theirs, balance(&ours), balance(&theirs)));
            result.absorb(pair);
        }
    }
    result
}

/// Every bank account against its bank statement (余额调节表 each): each agency's 支出户 (1003),
/// the finance bureau's 专户 (1011, per fund), and a county's own 专户 (1004) while its bank still
/// sends statements for it.
fn bank(input: &Input<'_>, fund: &str) -> CheckResult {
    let mut result = CheckResult::default();
    for party in &input.city.party {
        let book = BookCode::new(&party.code, fund);
        let name = input.city.short_name(&party.code);
        let accounts: &[(&str, &str)] = match party.kind {
            PartyKind::Finance => &[("1011", "")],
            PartyKind::City => &[("1003", "支出户")],
            PartyKind::County => &[("1003", "支出户"), ("1004", "专户")],
        };
        for (account, label) in accounts {
            bank_account(input, fund, &book, account, &format!("{name}{label}"), &mut result);
        }
    }
    result
}

/// One bank account. The bank's first balance row opens the comparison: what both sides booked
/// up to that day is covered by it (e.g. the 2022-12-31 carry-forward) rather than matched item
/// by item.
fn bank_account(input: &Input<'_>, fund: &str, book: &BookCode, account: &str, label: &str, result: &mut CheckResult) {
    let lines: Vec<&StatementLine> = input
        .statements
        .iter()
        .filter(|s| s.source == Source::Bank && s.book.as_ref() == Some(book) && s.account.as_deref() == Some(account))
        .collect();
    let balances: Vec<&&StatementLine> = lines.iter().filter(|s| s.kind == "balance").collect();
    // A 专户 (the finance bureau's, or a county's while it still exists) is compared once its
    // bank has sent statements for it; a 支出户 always, as it always has been.
    if account != "1003" && lines.is_empty() {
        return;
    }
    let opened = balances.iter().map(|s| s.date).min();
    let after_opening = |date: chrono::NaiveDate| opened.is_none_or(|o| date > o);
    let mut ledger = ledger_side(input, book, account, Side::Debit, format!("{label}账簿"), Direction::In);
    let ledger_balance = balance(&ledger);
    ledger.items.retain(|i| after_opening(i.date));
    let mut items: Vec<Item> = lines
        .iter()
        .filter(|s| s.kind != "balance" && after_opening(s.date))
        .map(|s| statement_item(s, if s.kind == "in" { 1 } else { -1 }, "银行"))
        .collect();
    if ledger.items.is_empty() && items.is_empty() && balances.is_empty() {
        return;
    }
    let scope = scope(input, CheckName::Bank, fund, format!("{book} {account} {label}"));
    let is_city = input.city.party(&book.party).is_some_and(|p| p.kind == PartyKind::City);
    if is_city && account == "1003" && input.city.settings.forward_mode == ForwardMode::Statute {
        pass_through(input, &scope, book, &mut items, result);
    }
    let bank = SideItems { label: "银行".into(), items, positive: Direction::In };
    let mut pair = match_pair(&scope, &ledger, &bank);
    // The bank's balance: its latest balance row, plus what it booked after that day.
    if let Some(row) = balances.iter().max_by_key(|s| s.date) {
        let after: i64 = lines
            .iter()
            .filter(|s| s.kind != "balance" && s.date > row.date)
            .map(|s| if s.kind == "in" { s.amount.fen() } else { -s.amount.fen() })
            .sum();
        let bank_balance = Money::from_fen(row.amount.fen() + after);
        result.statements.push(statement(&scope, &mut pair, &ledger, &bank, ledger_balance, bank_balance));
    }
    result.absorb(pair);
}

/// In `statute` mode the city books a county's allocation as leaving the 专户 (Dr 5201 ·
/// Cr 1004), while the money really passes through the city 支出户: in from the 专户, out to the
/// county (TS 14). Such an in and out of one allocation's reference and amount are its
/// pass-through and are matched against the allocation voucher here, not left unexplained; an
/// in leg with no out leg by month-end is money stuck in the 支出户 — a difference. (Whether the
/// out leg was within one working day is a deadline, judged by `deadlines`.)
fn pass_through(
    input: &Input<'_>,
    scope: &super::matching::Scope<'_>,
    book: &BookCode,
    items: &mut Vec<Item>,
    result: &mut CheckResult,
) {
    let allocations: Vec<(&LedgerLine, Item)> =
        ledger_items(input, book, "5201", Side::Debit).filter(|(l, _)| l.reference.is_some()).collect();
    for (line, allocation) in allocations {
        let reference = allocation.reference.as_deref();
        let legs: Vec<usize> = (0..items.len()).filter(|&i| items[i].reference.as_deref() == reference).collect();
        let ins: Vec<usize> = legs.iter().copied().filter(|&i| items[i].amount == allocation.amount).collect();
        let outs: Vec<usize> =
            legs.iter().copied().filter(|&i| items[i].amount.fen() == -allocation.amount.fen()).collect();
        if ins.len() != 1 || outs.len() > 1 || legs.len() != ins.len() + outs.len() {
            continue; // anything else is left to the item matching, which will show it
        }
        if outs.is_empty() {
            let mut finding = scope.finding(
                Severity::Difference,
                FindingKind::Outstanding,
                format!(
                    "{} 拨付的 {} 已进入市本级支出户（{}），月末仍未转拨至县级支出户",
                    line.number,
                    allocation.amount.grouped(),
                    items[ins[0]].date
                ),
            );
            finding.reference = allocation.reference.clone();
            finding.ours = vec![allocation.place.clone()];
            finding.theirs = vec![items[ins[0]].place.clone()];
            finding.ours_amount = Some(allocation.amount);
            finding.theirs_amount = Some(items[ins[0]].amount);
            finding.date = Some(items[ins[0]].date);
            result.findings.push(finding);
            items.remove(ins[0]);
            continue;
        }
        if items[outs[0]].date >= input.period.first_day() || items[ins[0]].date >= input.period.first_day() {
            result.matched += 1;
        }
        let (first, second) = (ins[0].max(outs[0]), ins[0].min(outs[0]));
        items.remove(first);
        items.remove(second);
    }
}

fn invariants(input: &Input<'_>, fund: &str) -> CheckResult {
    let mut result = CheckResult::default();
    let city_book = BookCode::new(&party_of(input, PartyKind::City), fund);
    let previous_end = input.period.previous().last_day();
    let treasury = |kinds: &[&str], until: chrono::NaiveDate, from: Option<chrono::NaiveDate>| -> i64 {
        input
            .statements
            .iter()
            .filter(|s| s.source == Source::Treasury && s.fund.as_deref() == Some(fund) && s.date <= until)
            .filter(|s| from.is_none_or(|f| s.date >= f))
            .filter(|s| kinds.contains(&s.kind.as_str()))
            .map(|s| s.amount.fen())
            .sum()
    };
    let mut check = |holds: bool, message: String, ours: Money, theirs: Money| {
        if holds {
            result.matched += 1;
        } else {
            result.findings.push(Finding {
                check: CheckName::Invariants.as_str().to_string(),
                fund: fund.to_string(),
                scope: "不变式".into(),
                severity: Severity::Difference,
                kind: FindingKind::Invariant,
                outstanding: None,
                reference: None,
                ours: vec![],
                theirs: vec![],
                ours_amount: Some(ours),
                theirs_amount: Some(theirs),
                date: Some(input.period.last_day()),
                age_days: None,
                carried: false,
                message,
            });
        }
    };
    // 1. City 国库存款 equals the treasury's receipts of past months not yet transferred.
    let clearing: i64 = ledger_items(input, &city_book, "1005", Side::Debit).map(|(_, i)| i.amount.fen()).sum();
    let untransferred = treasury(&["received"], previous_end, None)
        - treasury(&["refund"], previous_end, None)
        - treasury(&["transferred_to_special_account"], input.period.last_day(), None);
    check(
        clearing == untransferred,
        format!(
            "市国库存款 1005 月末余额 {}，国库上月及以前收入未划转 {}：应相等（月度划转后为零）",
            Money::from_fen(clearing).grouped(),
            Money::from_fen(untransferred).grouped()
        ),
        Money::from_fen(clearing),
        Money::from_fen(untransferred),
    );
    // 2. Premium income booked this month (for last month) equals last month's treasury receipts.
    let booked: i64 = ledger_items(input, &city_book, "1005", Side::Debit)
        .filter(|(l, _)| l.side == Side::Debit && l.number.period == input.period)
        .map(|(_, i)| i.amount.fen())
        .sum();
    let previous = input.period.previous();
    let received = treasury(&["received"], previous_end, Some(previous.first_day()))
        - treasury(&["refund"], previous_end, Some(previous.first_day()));
    check(
        booked == received,
        format!(
            "本月记入的 {previous} 医保费收入（含滞纳金、贴息）{}，国库 {previous} 实收 {}：应相等",
            Money::from_fen(booked).grouped(),
            Money::from_fen(received).grouped()
        ),
        Money::from_fen(booked),
        Money::from_fen(received),
    );
    // 3. Every posted voucher of the month balances within its one book (counted as one invariant).
    let unbalanced: Vec<_> = input.vouchers.iter().filter(|v| v.book.fund == fund && v.debit != v.credit).collect();
    if unbalanced.is_empty() {
        check(true, String::new(), Money::ZERO, Money::ZERO);
    }
    for voucher in unbalanced {
        check(
            false,
            format!(
                "{} {} 借方 {} 不等于贷方 {}",
                voucher.book,
                voucher.number,
                voucher.debit.grouped(),
                voucher.credit.grouped()
            ),
            voucher.debit,
            voucher.credit,
        );
    }
    result
}
