//! 凭证查询: the conditions staff search vouchers by — number, dates, account, amount (exact or
//! a range), 摘要 text, maker, status — parsed from their text and tested against a voucher.
//! Pure: the store hands the vouchers of a book, this says which match.

use super::voucher::{Status, VoucherRecord};
use crate::money::Money;
use chrono::NaiveDate;

/// Where a voucher stands, as a search names it (作废 and 已冲销 are states of their own here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Draft,
    Reviewed,
    Posted,
    Reversed,
    Void,
}

impl Stage {
    pub fn parse(text: &str) -> Option<Stage> {
        match text.trim() {
            "草稿" | "未审核" | "draft" => Some(Stage::Draft),
            "已审核" | "reviewed" => Some(Stage::Reviewed),
            "已记账" | "posted" => Some(Stage::Posted),
            "已冲销" | "reversed" => Some(Stage::Reversed),
            "作废" | "已作废" | "void" => Some(Stage::Void),
            _ => None,
        }
    }

    /// The word staff use: 草稿, 已审核, 已记账, 已冲销, 作废.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Draft => Status::Draft.label(),
            Stage::Reviewed => Status::Reviewed.label(),
            Stage::Posted => Status::Posted.label(),
            Stage::Reversed => "已冲销",
            Stage::Void => "作废",
        }
    }

    pub fn of(voucher: &VoucherRecord) -> Stage {
        if voucher.void_reason.is_some() {
            Stage::Void
        } else if voucher.reversed_by.is_some() {
            Stage::Reversed
        } else {
            match voucher.status {
                Status::Draft => Stage::Draft,
                Status::Reviewed => Stage::Reviewed,
                Status::Posted => Stage::Posted,
            }
        }
    }
}

/// Every condition given must hold; none given matches every voucher.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// Part of the number as written (记-2023-03-0012), e.g. `2023-03-00`.
    pub number: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// An account code; its sub-accounts match too.
    pub account: Option<String>,
    /// A line's amount within these bounds (both inclusive; equal for an exact amount).
    pub amount: Option<(Money, Money)>,
    pub text: Option<String>,
    pub maker: Option<String>,
    pub stage: Option<Stage>,
}

/// An amount condition: `1500.00`, `1,500`, or a range `1000..5000` (either end may be left
/// open: `..5000`, `1000..`).
pub fn parse_amount(text: &str) -> Result<(Money, Money), String> {
    let parse = |t: &str| Money::parse(t).map_err(|e| format!("金额条件 {text} 无效：{e}"));
    match text.split_once("..") {
        None => {
            let amount = parse(text)?;
            Ok((amount, amount))
        }
        Some((low, high)) => {
            let low = if low.trim().is_empty() { Money::ZERO } else { parse(low)? };
            let high = if high.trim().is_empty() { Money::from_fen(i64::MAX) } else { parse(high)? };
            if low > high {
                return Err(format!("金额范围 {text} 的下限大于上限"));
            }
            Ok((low, high))
        }
    }
}

impl Search {
    pub fn matches(&self, v: &VoucherRecord) -> bool {
        let within = |code: &str, ancestor: &str| {
            code == ancestor || (code.starts_with(ancestor) && code[ancestor.len()..].starts_with('.'))
        };
        self.number.as_ref().is_none_or(|n| v.number.to_string().contains(n.trim()))
            && self.from.is_none_or(|d| v.date >= d)
            && self.to.is_none_or(|d| v.date <= d)
            && self.account.as_ref().is_none_or(|a| v.lines.iter().any(|l| within(&l.account, a)))
            && self.amount.is_none_or(|(low, high)| v.lines.iter().any(|l| l.amount >= low && l.amount <= high))
            && self.text.as_ref().is_none_or(|t| v.lines.iter().any(|l| l.summary.contains(t.as_str())))
            && self.maker.as_ref().is_none_or(|m| v.maker == *m)
            && self.stage.is_none_or(|s| Stage::of(v) == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::chart::Side;
    use crate::domain::voucher::LineRecord;

    fn voucher(seq: u32, day: u32, amount: &str, summary: &str, status: Status) -> VoucherRecord {
        let date = NaiveDate::from_ymd_opt(2023, 3, day).unwrap();
        let line = |no, account: &str, side| LineRecord {
            line_no: no,
            account: account.into(),
            summary: summary.into(),
            side,
            amount: Money::parse(amount).unwrap(),
            reference: None,
        };
        crate::domain::voucher::test_record(
            seq,
            date,
            status,
            vec![line(1, "5001.01", Side::Debit), line(2, "1003", Side::Credit)],
        )
    }

    #[test]
    fn each_condition_narrows() {
        let a = voucher(1, 5, "1500.00", "住院费用结算", Status::Posted);
        let b = voucher(2, 20, "320.50", "门诊费用", Status::Draft);
        let found = |s: Search| [&a, &b].into_iter().filter(|v| s.matches(v)).map(|v| v.number.seq).collect::<Vec<_>>();
        assert_eq!(found(Search::default()), vec![1, 2]);
        assert_eq!(found(Search { number: Some("0002".into()), ..Default::default() }), vec![2]);
        let day = |d| NaiveDate::from_ymd_opt(2023, 3, d);
        assert_eq!(found(Search { from: day(10), to: day(31), ..Default::default() }), vec![2]);
        assert_eq!(found(Search { account: Some("5001".into()), ..Default::default() }), vec![1, 2]);
        assert_eq!(found(Search { account: Some("500".into()), ..Default::default() }), Vec::<u32>::new());
        assert_eq!(found(Search { amount: Some(parse_amount("1,500").unwrap()), ..Default::default() }), vec![1]);
        assert_eq!(found(Search { amount: Some(parse_amount("300..400").unwrap()), ..Default::default() }), vec![2]);
        assert_eq!(found(Search { amount: Some(parse_amount("..1000").unwrap()), ..Default::default() }), vec![2]);
        assert_eq!(found(Search { text: Some("住院".into()), ..Default::default() }), vec![1]);
        assert_eq!(found(Search { maker: Some("李审核".into()), ..Default::default() }), Vec::<u32>::new());
        assert_eq!(found(Search { stage: Stage::parse("草稿"), ..Default::default() }), vec![2]);
        assert_eq!(found(Search { stage: Stage::parse("posted"), ..Default::default() }), vec![1]);
    }

    #[test]
    fn amount_conditions_are_checked() {
        assert!(parse_amount("5000..1000").unwrap_err().contains("下限大于上限"));
        assert!(parse_amount("abc").is_err());
        assert_eq!(parse_amount("12.5").unwrap(), (Money::from_fen(1250), Money::from_fen(1250)));
    }
}
