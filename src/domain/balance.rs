//! The trial balance fold (科目余额表): from per-leaf, per-period debit and credit totals to
//! opening, movement and closing per account, parents rolled up, with totals that must tie.
//!
//! Balances are signed in each account's normal direction, so a revenue account with refunds
//! exceeding receipts shows a negative balance rather than flipping side silently.

use super::chart::{Chart, Side};
use super::ids::Period;
use crate::money::Money;
use std::collections::{BTreeMap, HashMap};

/// Debit and credit totals of one leaf account in one period, as the store keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodTotals {
    pub account: String,
    pub period: Period,
    pub debit: Money,
    pub credit: Money,
}

/// Posted totals per book, leaf account and month, summed from lines as they go by: by `check`
/// and `verify` to recompute the balance table, by a write transaction to update it once. One
/// entry per balance row, however many lines.
#[derive(Debug, Default)]
pub struct LineTotals {
    books: HashMap<i64, AccountTotals>,
}

/// Leaf account → month → (debit, credit) in 分, wide enough for any sum of i64 amounts.
type AccountTotals = HashMap<String, BTreeMap<Period, (i128, i128)>>;

impl LineTotals {
    pub fn add(&mut self, book: i64, account: &str, period: Period, debit: i64, credit: i64) {
        let accounts = self.books.entry(book).or_default();
        let months = match accounts.get_mut(account) {
            Some(months) => months,
            None => accounts.entry(account.to_string()).or_default(),
        };
        let totals = months.entry(period).or_default();
        totals.0 += i128::from(debit);
        totals.1 += i128::from(credit);
    }

    /// The books with totals, in id order.
    pub fn books(&self) -> Vec<i64> {
        let mut books: Vec<i64> = self.books.keys().copied().collect();
        books.sort_unstable();
        books
    }

    /// Adds the totals summed in `other`.
    pub fn merge(&mut self, other: LineTotals) {
        for (book, accounts) in other.books {
            let mine = self.books.entry(book).or_default();
            for (account, months) in accounts {
                let my_months = mine.entry(account).or_default();
                for (period, (debit, credit)) in months {
                    let totals = my_months.entry(period).or_default();
                    totals.0 += debit;
                    totals.1 += credit;
                }
            }
        }
    }

    /// A book's totals in (account, month) order, as the balance table lists them. A sum past
    /// what money can hold (only a tampered ledger has one) is shown at the limit.
    pub fn take(&mut self, book: i64) -> Vec<PeriodTotals> {
        let clamp = |fen: i128| Money::from_fen(fen.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64);
        let mut accounts: Vec<_> = self.books.remove(&book).unwrap_or_default().into_iter().collect();
        accounts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        accounts
            .into_iter()
            .flat_map(|(account, months)| {
                months.into_iter().map(move |(period, (debit, credit))| PeriodTotals {
                    account: account.clone(),
                    period,
                    debit: clamp(debit),
                    credit: clamp(credit),
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TrialBalanceRow {
    pub account: String,
    pub name: String,
    /// 1 for a top-level account, 2 for its sub-accounts, …
    pub level: usize,
    pub side: Side,
    pub opening: Money,
    pub debit: Money,
    pub credit: Money,
    pub closing: Money,
}

/// Totals over the top-level accounts, on each normal side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrialBalanceTotals {
    pub opening_debit_side: Money,
    pub opening_credit_side: Money,
    pub debit: Money,
    pub credit: Money,
    pub closing_debit_side: Money,
    pub closing_credit_side: Money,
}

impl TrialBalanceTotals {
    /// Debits equal credits, and debit-side balances equal credit-side balances.
    pub fn ties(&self) -> bool {
        self.debit == self.credit
            && self.opening_debit_side == self.opening_credit_side
            && self.closing_debit_side == self.closing_credit_side
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialBalance {
    pub period_from: Period,
    pub period_to: Period,
    pub rows: Vec<TrialBalanceRow>,
    pub totals: TrialBalanceTotals,
}

#[derive(Default, Clone, Copy)]
struct Raw {
    opening_debit: i128,
    opening_credit: i128,
    debit: i128,
    credit: i128,
}

/// Folds leaf totals into a trial balance for `from..=to`. Totals of periods before `from`
/// form the opening balance; later periods are ignored. Accounts with nothing in any column
/// are left out.
pub fn trial_balance(chart: &Chart, totals: &[PeriodTotals], from: Period, to: Period) -> TrialBalance {
    let mut raw: BTreeMap<String, Raw> = BTreeMap::new();
    for row in totals.iter().filter(|r| r.period <= to) {
        // Every posting rolls up into each of its ancestors.
        for account in chart.self_and_ancestors(&row.account) {
            let entry = raw.entry(account.code.clone()).or_default();
            if row.period < from {
                entry.opening_debit += i128::from(row.debit.fen());
                entry.opening_credit += i128::from(row.credit.fen());
            } else {
                entry.debit += i128::from(row.debit.fen());
                entry.credit += i128::from(row.credit.fen());
            }
        }
    }
    let money = |v: i128| Money::from_fen(i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX }));
    let mut rows = Vec::new();
    let mut sums = [0i128; 6];
    for account in chart.accounts() {
        let Some(r) = raw.get(&account.code) else {
            continue;
        };
        let signed = |d: i128, c: i128| match account.side {
            Side::Debit => d - c,
            Side::Credit => c - d,
        };
        let opening = signed(r.opening_debit, r.opening_credit);
        let closing = signed(r.opening_debit + r.debit, r.opening_credit + r.credit);
        if opening == 0 && r.debit == 0 && r.credit == 0 && closing == 0 {
            continue;
        }
        let level = chart.self_and_ancestors(&account.code).len();
        if level == 1 {
            let (o, c) = match account.side {
                Side::Debit => (0, 4),
                Side::Credit => (1, 5),
            };
            sums[o] += opening;
            sums[c] += closing;
            sums[2] += r.debit;
            sums[3] += r.credit;
        }
        rows.push(TrialBalanceRow {
            account: account.code.clone(),
            name: account.name.clone(),
            level,
            side: account.side,
            opening: money(opening),
            debit: money(r.debit),
            credit: money(r.credit),
            closing: money(closing),
        });
    }
    TrialBalance {
        period_from: from,
        period_to: to,
        rows,
        totals: TrialBalanceTotals {
            opening_debit_side: money(sums[0]),
            opening_credit_side: money(sums[1]),
            debit: money(sums[2]),
            credit: money(sums[3]),
            closing_debit_side: money(sums[4]),
            closing_credit_side: money(sums[5]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart::from_toml(include_str!("../../fixtures/jingmen/chart.toml")).unwrap()
    }

    fn t(account: &str, period: &str, debit: i64, credit: i64) -> PeriodTotals {
        PeriodTotals {
            account: account.into(),
            period: Period::parse(period).unwrap(),
            debit: Money::from_fen(debit),
            credit: Money::from_fen(credit),
        }
    }

    #[test]
    fn folds_opening_movement_closing_and_rolls_up() {
        let chart = chart();
        // December: opening 1,000.00 in 专户. January: 300.00 to 沙洋 and 200.00 to 钟祥.
        let totals = vec![
            t("1004", "2022-12", 100000, 0),
            t("3001", "2022-12", 0, 100000),
            t("5201.03", "2023-01", 30000, 0),
            t("5201.04", "2023-01", 20000, 0),
            t("1004", "2023-01", 0, 50000),
            t("1004", "2023-02", 0, 99),
        ];
        let jan = Period::parse("2023-01").unwrap();
        let tb = trial_balance(&chart, &totals, jan, jan);
        let view: Vec<(String, usize, i64, i64, i64, i64)> = tb
            .rows
            .iter()
            .map(|r| (r.account.clone(), r.level, r.opening.fen(), r.debit.fen(), r.credit.fen(), r.closing.fen()))
            .collect();
        assert_eq!(
            view,
            vec![
                ("1004".into(), 1, 100000, 0, 50000, 50000),
                ("3001".into(), 1, 100000, 0, 0, 100000),
                ("5201".into(), 1, 0, 50000, 0, 50000),
                ("5201.03".into(), 2, 0, 30000, 0, 30000),
                ("5201.04".into(), 2, 0, 20000, 0, 20000),
            ]
        );
        // Debit side: 1004 500.00 + 5201 500.00 = credit side: 3001 1,000.00.
        assert_eq!(tb.totals.closing_debit_side, Money::from_fen(100000));
        assert_eq!(tb.totals.closing_credit_side, Money::from_fen(100000));
        assert!(tb.totals.ties());
    }

    #[test]
    fn revenue_with_refunds_goes_negative_in_its_normal_direction() {
        let chart = chart();
        let totals = vec![t("4001", "2023-03", 5000, 0), t("1003", "2023-03", 0, 5000)];
        let p = Period::parse("2023-03").unwrap();
        let tb = trial_balance(&chart, &totals, p, p);
        let revenue = tb.rows.iter().find(|r| r.account == "4001").unwrap();
        assert_eq!(revenue.closing, Money::from_fen(-5000));
        assert!(tb.totals.ties());
        let broken = vec![t("4001", "2023-03", 5000, 0)];
        assert!(!trial_balance(&chart, &broken, p, p).totals.ties());
    }
}
