//! Year-end closing (期末结转): every revenue account's balance into 一般基金 and every expense
//! account's balance out of it, leaving all revenue and expense accounts at zero. A revenue
//! account with a debit balance (refunds exceeding receipts) is closed the other way round.

use crate::domain::balance::{trial_balance, PeriodTotals};
use crate::domain::chart::{AccountClass, Chart, Side};
use crate::domain::ids::{BookCode, Period};
use crate::domain::voucher::{DraftLine, VoucherDraft};
use crate::money::Money;
use chrono::NaiveDate;

/// The external id of a book's closing voucher for `year`; reconciliation and the income
/// statement leave these vouchers out.
pub fn closing_id(year: i32) -> String {
    format!("{CLOSING_PREFIX}{year}")
}

pub const CLOSING_PREFIX: &str = "year-end:";

/// The closing voucher of `book` for `year` from its totals, or `None` when every revenue and
/// expense account is already at zero.
pub fn closing_voucher(book: &BookCode, chart: &Chart, totals: &[PeriodTotals], year: i32) -> Option<VoucherDraft> {
    let december = Period::new(year, 12)?;
    let tb = trial_balance(chart, totals, december, december);
    let mut lines = Vec::new();
    let mut net = 0i64;
    // The accounts this book posts to: rows with no sub-account row below them in this book
    // (a county's 4001 has none, the city's 4001 has its sub-accounts by county).
    let posted_to = |code: &str| !tb.rows.iter().any(|r| r.account != code && chart.is_within(&r.account, code));
    for row in tb.rows.iter().filter(|r| posted_to(&r.account)) {
        let Some(account) = chart.get(&row.account) else { continue };
        let balance = row.closing.fen();
        if balance == 0 {
            continue;
        }
        let (side, summary) = match (account.class, balance > 0) {
            (AccountClass::Revenue, true) => (Side::Debit, "收入结转一般基金"),
            (AccountClass::Revenue, false) => (Side::Credit, "收入（借方余额）结转一般基金"),
            (AccountClass::Expense, true) => (Side::Credit, "支出结转一般基金"),
            (AccountClass::Expense, false) => (Side::Debit, "支出（贷方余额）结转一般基金"),
            _ => continue,
        };
        net += if account.class == AccountClass::Revenue { balance } else { -balance };
        lines.push((
            account.code.clone(),
            format!("{year}年期末结转：{summary}"),
            side,
            Money::from_fen(balance.abs()),
        ));
    }
    if lines.is_empty() {
        return None;
    }
    if net != 0 {
        let side = if net > 0 { Side::Credit } else { Side::Debit };
        lines.push((
            "3001".into(),
            format!("{year}年期末结转：本年结余转入一般基金"),
            side,
            Money::from_fen(net.abs()),
        ));
    }
    Some(VoucherDraft {
        book: book.clone(),
        date: NaiveDate::from_ymd_opt(year, 12, 31)?,
        attachments: 0,
        external_id: Some(closing_id(year)),
        lines: lines
            .into_iter()
            .enumerate()
            .map(|(i, (account, summary, side, amount))| DraftLine {
                position: i + 1,
                book: None,
                account,
                summary,
                side,
                amount,
                reference: None,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closes_revenue_and_expense_into_the_general_fund() {
        let chart = Chart::from_toml(include_str!("../../fixtures/jingmen/chart.toml")).unwrap();
        let t = |account: &str, debit: i64, credit: i64| PeriodTotals {
            account: account.into(),
            period: Period::new(2023, 6).unwrap(),
            debit: Money::from_fen(debit),
            credit: Money::from_fen(credit),
        };
        // Revenue 4601 credit 1,000.00; 4001 refunds: debit 30.00; expense 5001.02 600.00.
        let totals =
            vec![t("4601", 0, 100_000), t("4001", 3_000, 0), t("5001.02", 60_000, 0), t("1003", 100_000, 63_000)];
        let voucher = closing_voucher(&BookCode::new("shayang", "employee"), &chart, &totals, 2023).unwrap();
        let view: Vec<(String, Side, i64)> =
            voucher.lines.iter().map(|l| (l.account.clone(), l.side, l.amount.fen())).collect();
        // Net 1,000.00 − 30.00 − 600.00 = 370.00 into 3001.
        assert_eq!(
            view,
            vec![
                ("4001".into(), Side::Credit, 3_000),
                ("4601".into(), Side::Debit, 100_000),
                ("5001.02".into(), Side::Credit, 60_000),
                ("3001".into(), Side::Credit, 37_000),
            ]
        );
        assert_eq!(voucher.external_id.as_deref(), Some("year-end:2023"));
        assert!(closing_voucher(&BookCode::new("shayang", "employee"), &chart, &[t("1003", 5, 5)], 2023).is_none());
    }
}
