//! The finance bureau's own book of the city 专户 (DOMAIN §2), written from its own documents:
//! the treasury's transfer notices, the 专户 bank's receipts and interest advices, and its own
//! payment orders to the agencies' 支出户. Nothing here reads an agency's record; the finance ↔
//! city agency and treasury ↔ finance checks compare these vouchers with the others' records.

use super::event::{AllocationPurpose, ReceiptSource};
use super::interlevel::allocation_label;
use super::{cr, dr, EventError, Posting, Rules};
use crate::domain::ids::PartyKind;
use crate::money::Money;

impl Rules<'_> {
    fn finance_voucher(&self, summary: &str, entries: Vec<super::Entry>) -> Result<Posting, EventError> {
        let voucher = self.voucher(self.finance_party()?, self.event.date, None, summary, entries);
        Ok(Posting { vouchers: vec![voucher], instruments: vec![] })
    }

    /// The 专户's balance at the opening date, from the bank's balance confirmation.
    pub(super) fn special_account_opening(&self, amount: Money) -> Result<Posting, EventError> {
        self.finance_voucher("期初专户存款结转", vec![dr("1011", amount), cr("3001", amount)])
    }

    /// The treasury's transfer notice: premiums (and the late fees it names) into the 专户.
    pub(super) fn treasury_transfer_received(&self, amount: Money, late_fees: Money) -> Result<Posting, EventError> {
        if late_fees > amount {
            return Err(EventError::LateFeesExceedAmount { late_fees, amount });
        }
        let premiums = amount.checked_sub(late_fees).map_err(|_| EventError::Overflow)?;
        self.finance_voucher(
            "收国库划入医保费",
            vec![
                dr("1011", amount),
                cr("4001", premiums),
                cr("4801", late_fees).with_summary("收国库划入滞纳金、贴息"),
            ],
        )
    }

    /// A bank receipt into the 专户: a subsidy, transfer income, or a county's remittance.
    pub(super) fn special_account_receipt(
        &self,
        source: ReceiptSource,
        amount: Money,
        party: Option<&str>,
    ) -> Result<Posting, EventError> {
        let (revenue, summary) = match (source, party) {
            (ReceiptSource::CountyRemittance, None) => return Err(EventError::RemittanceNeedsCounty),
            (ReceiptSource::CountyRemittance, Some(county)) => {
                self.county(county)?;
                (self.sub("4701", county)?, format!("收{}上解资金", self.party_name(county)))
            }
            (_, Some(_)) => return Err(EventError::PartyOnlyForCountyRemittance),
            (ReceiptSource::CentralSubsidy, None) => (self.sub("4101", "central")?, "收中央财政补助".into()),
            (ReceiptSource::ProvincialSubsidy, None) => (self.sub("4101", "provincial")?, "收省级财政补助".into()),
            (ReceiptSource::TransferIncome, None) => ("4501".to_string(), "收转移收入".into()),
        };
        self.finance_voucher(&summary, vec![dr("1011", amount), cr(revenue, amount)])
    }

    /// A payment order from the 专户 to an agency's 支出户 (the city's, or a county's in statute mode).
    pub(super) fn special_account_payment(
        &self,
        party: &str,
        amount: Money,
        purpose: AllocationPurpose,
    ) -> Result<Posting, EventError> {
        let kind = self.agency(party)?;
        let label = allocation_label(purpose);
        let whom = if kind == PartyKind::City { "市本级".to_string() } else { self.party_name(party) };
        self.finance_voucher(&format!("拨付{whom}支出户{label}"), vec![dr("1021", amount), cr("1011", amount)])
    }

    /// The 专户 bank's interest advice.
    pub(super) fn special_account_interest(&self, amount: Money) -> Result<Posting, EventError> {
        let revenue = self.sub("4301", "special")?;
        self.finance_voucher("专户结息", vec![dr("1011", amount), cr(revenue, amount)])
    }
}
