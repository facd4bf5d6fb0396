//! Money paid out of an agency's 支出户 (TS 21 ¶2): benefits by category, transfers out with an
//! insured person, premium refunds (征收退费) and returned transfer income.

use super::{cr, dr, EventError, Posting, Rules};
use crate::money::Money;

/// The payments that are not benefits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Payment {
    TransferOut,
    PremiumRefund,
    TransferInRefund,
}

impl Rules<'_> {
    pub(super) fn benefit_payment(&self, party: &str, category: &str, amount: Money) -> Result<Posting, EventError> {
        self.agency(party)?;
        let maternity = category.starts_with("maternity_");
        let fund = self.ctx.city.fund(&self.event.fund);
        if maternity && !fund.is_some_and(|f| f.includes_maternity) {
            return Err(EventError::CategoryNotInFund { category: category.into(), fund: self.event.fund.clone() });
        }
        let account = self.sub("5001", category)?;
        let name = self.ctx.chart.get(&account).map(|a| a.name.clone()).unwrap_or_default();
        let short = name.rsplit('—').next().unwrap_or(&name).to_string();
        let voucher = self.voucher(
            party,
            self.event.date,
            None,
            &format!("支付{short}待遇"),
            vec![dr(account, amount), cr("1003", amount)],
        );
        Ok(Posting { vouchers: vec![voucher], instruments: vec![] })
    }

    pub(super) fn payment(&self, party: &str, amount: Money, payment: Payment) -> Result<Posting, EventError> {
        let kind = self.agency(party)?;
        let (account, summary) = match payment {
            Payment::TransferOut => ("5101".to_string(), "支付转移支出"),
            // The city books premiums by county: its refunds go to its own (市本级) sub-account.
            Payment::PremiumRefund if !self.ctx.chart.is_leaf_for("4001", kind) => {
                (self.sub("4001", party)?, "征收退费")
            }
            Payment::PremiumRefund => ("4001".to_string(), "征收退费"),
            Payment::TransferInRefund => ("4501".to_string(), "转移收入退回"),
        };
        let voucher =
            self.voucher(party, self.event.date, None, summary, vec![dr(account, amount), cr("1003", amount)]);
        Ok(Posting { vouchers: vec![voucher], instruments: vec![] })
    }
}
