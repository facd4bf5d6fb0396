//! Financial statements (决算报表): the balance sheet (资产负债表) and the income and expenditure
//! statement (收支表) of a book, or of a whole city per fund with the inter-level pairs
//! eliminated (上解上级支出 ↔ 下级上解收入, 补助下级支出 ↔ 上级补助收入).
//!
//! Statements read totals from before the year-end closing vouchers, so a closed year still
//! shows its revenue and expense, and consolidation still sees the inter-level accounts.

use crate::domain::balance::{trial_balance, PeriodTotals};
use crate::domain::chart::{AccountClass, Chart};
use crate::domain::ids::Period;
use crate::money::Money;

/// The inter-level accounts consolidation eliminates, in pairs.
pub const INTER_LEVEL: [&str; 4] = ["4601", "4701", "5201", "5301"];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    pub account: String,
    pub name: String,
    pub level: usize,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BalanceSheet {
    pub period_to: String,
    pub assets: Vec<Line>,
    pub liabilities: Vec<Line>,
    pub net_assets: Vec<Line>,
    pub total_assets: Money,
    pub total_liabilities: Money,
    /// 一般基金 plus the surplus not yet closed into it.
    pub total_net_assets: Money,
    pub balanced: bool,
    /// What consolidation took out, with the money in transit between levels it leaves.
    pub eliminated: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IncomeStatement {
    pub period_from: String,
    pub period_to: String,
    pub revenue: Vec<Line>,
    pub expense: Vec<Line>,
    pub total_revenue: Money,
    pub total_expense: Money,
    /// 本期结余.
    pub surplus: Money,
    /// 累计结余: net assets at the end of the range.
    pub accumulated: Money,
    pub eliminated: Vec<Line>,
}

fn is_inter_level(chart: &Chart, code: &str) -> bool {
    INTER_LEVEL.iter().any(|a| chart.is_within(code, a))
}

fn lines_of(
    chart: &Chart,
    rows: &[crate::domain::balance::TrialBalanceRow],
    class: AccountClass,
    value: impl Fn(&crate::domain::balance::TrialBalanceRow) -> i64,
    eliminate: bool,
) -> Vec<Line> {
    rows.iter()
        .filter(|r| chart.get(&r.account).is_some_and(|a| a.class == class))
        .filter(|r| !(eliminate && is_inter_level(chart, &r.account)))
        .map(|r| Line {
            account: r.account.clone(),
            name: r.name.clone(),
            level: r.level,
            amount: Money::from_fen(value(r)),
        })
        .filter(|l| !l.amount.is_zero())
        .collect()
}

fn top_total(lines: &[Line]) -> Money {
    Money::from_fen(lines.iter().filter(|l| l.level == 1).map(|l| l.amount.fen()).sum())
}

/// The income and expenditure statement for `from..=to`; with `eliminate`, the inter-level
/// accounts are left out and listed as eliminated.
pub fn income_statement(
    chart: &Chart,
    totals: &[PeriodTotals],
    from: Period,
    to: Period,
    eliminate: bool,
) -> IncomeStatement {
    let tb = trial_balance(chart, totals, from, to);
    let movement = |r: &crate::domain::balance::TrialBalanceRow| match r.side {
        crate::domain::chart::Side::Credit => r.credit.fen() - r.debit.fen(),
        crate::domain::chart::Side::Debit => r.debit.fen() - r.credit.fen(),
    };
    let revenue = lines_of(chart, &tb.rows, AccountClass::Revenue, movement, eliminate);
    let expense = lines_of(chart, &tb.rows, AccountClass::Expense, movement, eliminate);
    let eliminated: Vec<Line> = if eliminate {
        tb.rows
            .iter()
            .filter(|r| r.level == 1 && INTER_LEVEL.contains(&r.account.as_str()))
            .map(|r| Line {
                account: r.account.clone(),
                name: r.name.clone(),
                level: 1,
                amount: Money::from_fen(movement(r)),
            })
            .filter(|l| !l.amount.is_zero())
            .collect()
    } else {
        vec![]
    };
    let (total_revenue, total_expense) = (top_total(&revenue), top_total(&expense));
    let sheet = balance_sheet(chart, totals, to, eliminate);
    IncomeStatement {
        period_from: from.to_string(),
        period_to: to.to_string(),
        surplus: Money::from_fen(total_revenue.fen() - total_expense.fen()),
        revenue,
        expense,
        total_revenue,
        total_expense,
        accumulated: sheet.total_net_assets,
        eliminated,
    }
}

/// The balance sheet at the end of `to`. Net assets are 一般基金 plus the surplus not yet
/// closed; with `eliminate`, the surplus leaves out the inter-level accounts and the money in
/// transit between levels appears as an asset, so the sheet still balances.
pub fn balance_sheet(chart: &Chart, totals: &[PeriodTotals], to: Period, eliminate: bool) -> BalanceSheet {
    let start = totals.iter().map(|t| t.period).min().unwrap_or(to).min(to);
    let tb = trial_balance(chart, totals, start, to);
    let closing = |r: &crate::domain::balance::TrialBalanceRow| r.closing.fen();
    let mut assets = lines_of(chart, &tb.rows, AccountClass::Asset, closing, false);
    let liabilities = lines_of(chart, &tb.rows, AccountClass::Liability, closing, false);
    let mut net_assets = lines_of(chart, &tb.rows, AccountClass::NetAssets, closing, false);
    let class_total = |class: AccountClass, skip_inter: bool| -> i64 {
        tb.rows
            .iter()
            .filter(|r| r.level == 1 && chart.get(&r.account).is_some_and(|a| a.class == class))
            .filter(|r| !(skip_inter && INTER_LEVEL.contains(&r.account.as_str())))
            .map(closing)
            .sum()
    };
    let surplus = class_total(AccountClass::Revenue, eliminate) - class_total(AccountClass::Expense, eliminate);
    net_assets.push(Line {
        account: String::new(),
        name: "本期结余（未结转）".into(),
        level: 1,
        amount: Money::from_fen(surplus),
    });
    let mut eliminated = Vec::new();
    if eliminate {
        let value = |code: &str| tb.rows.iter().find(|r| r.account == code).map(closing).unwrap_or(0);
        for code in INTER_LEVEL {
            if let Some(row) = tb.rows.iter().find(|r| r.account == code) {
                eliminated.push(Line {
                    account: code.into(),
                    name: row.name.clone(),
                    level: 1,
                    amount: Money::from_fen(closing(row)),
                });
            }
        }
        // Sent by one level and not yet booked by the other.
        let transit = (value("5201") - value("4601")) + (value("5301") - value("4701"));
        if transit != 0 {
            assets.push(Line {
                account: String::new(),
                name: "上下级间在途资金（合并抵销差额）".into(),
                level: 1,
                amount: Money::from_fen(transit),
            });
        }
    }
    let total_assets = top_total(&assets);
    let total_liabilities = top_total(&liabilities);
    let total_net_assets = top_total(&net_assets);
    BalanceSheet {
        period_to: to.to_string(),
        balanced: total_assets.fen() == total_liabilities.fen() + total_net_assets.fen(),
        assets,
        liabilities,
        net_assets,
        total_assets,
        total_liabilities,
        total_net_assets,
        eliminated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart::from_toml(include_str!("../fixtures/jingmen/chart.toml")).unwrap()
    }

    fn t(account: &str, month: u32, debit: i64, credit: i64) -> PeriodTotals {
        PeriodTotals {
            account: account.into(),
            period: Period::new(2023, month).unwrap(),
            debit: Money::from_fen(debit),
            credit: Money::from_fen(credit),
        }
    }

    /// City and one county, summed: the county remitted 300 (received by the city), the city
    /// allocated 500 of which the county has booked 400 (100 in transit), premiums 1,000 and
    /// benefits 350 at the county.
    fn pooled() -> Vec<PeriodTotals> {
        vec![
            // city: opening 2,000 in 1004; premiums 1,000; remittance received 300; allocated 500.
            t("1004", 1, 2_000 + 1_000 + 300, 500),
            t("3001", 1, 0, 2_000 + 600),
            t("4001", 1, 0, 1_000),
            t("4701.03", 1, 0, 300),
            t("5201.03", 1, 500, 0),
            // county: opening 600 in 1003; remitted 300 from its 1004; received 400; paid 350.
            t("1004", 1, 0, 300),
            t("5301.01", 1, 300, 0),
            t("1003", 1, 600 + 400, 350),
            t("4601", 1, 0, 400),
            t("5001.02", 1, 350, 0),
        ]
    }

    #[test]
    fn consolidation_eliminates_only_the_inter_level_pairs_and_still_balances() {
        let chart = chart();
        let jan = Period::new(2023, 1).unwrap();
        let plain = income_statement(&chart, &pooled(), jan, jan, false);
        let merged = income_statement(&chart, &pooled(), jan, jan, true);
        // Without elimination: revenue 1,000 + 300 + 400; expense 500 + 300 + 350.
        assert_eq!((plain.total_revenue.fen(), plain.total_expense.fen()), (1_700, 1_150));
        // Eliminated: revenue 1,000, expense 350; everything else is unchanged.
        assert_eq!((merged.total_revenue.fen(), merged.total_expense.fen(), merged.surplus.fen()), (1_000, 350, 650));
        let keep = |lines: &[Line]| -> Vec<Line> {
            lines.iter().filter(|l| !is_inter_level(&chart, &l.account)).cloned().collect()
        };
        assert_eq!(keep(&plain.revenue), merged.revenue);
        assert_eq!(keep(&plain.expense), merged.expense);
        let names: Vec<(&str, i64)> = merged.eliminated.iter().map(|l| (l.account.as_str(), l.amount.fen())).collect();
        assert_eq!(names, vec![("4601", 400), ("4701", 300), ("5201", 500), ("5301", 300)]);

        let sheet = balance_sheet(&chart, &pooled(), jan, true);
        // Assets: 1004 3,300 − 800 = 2,500, 1003 1,000 − 350 = 650, in transit (500 − 400) +
        // (300 − 300) = 100: 3,250 = 一般基金 2,600 + eliminated surplus 1,000 − 350.
        assert!(sheet.balanced, "{sheet:?}");
        assert_eq!(sheet.total_assets.fen(), 2_500 + 650 + 100);
        assert_eq!(sheet.total_net_assets.fen(), 2_600 + 650);
        assert_eq!(sheet.assets.last().unwrap().amount.fen(), 100);
        assert!(balance_sheet(&chart, &pooled(), jan, false).balanced);
    }
}
