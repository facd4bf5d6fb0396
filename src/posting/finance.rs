//! The finance bureau's own book of the city 专户 (DOMAIN §2), written from its own documents:
//! the treasury's transfer notices, the 专户 bank's receipts and interest advices, and its own
//! payment orders to the agencies' 支出户. Nothing here reads an agency's record; the finance ↔
//! city agency and treasury ↔ finance checks compare these vouchers with the others' records.
//! (The city agency's record of a gap payment lives here too, beside the payer rules it shares.)

use super::event::{AllocationPurpose, GapKind, ReceiptSource};
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
            (ReceiptSource::GapPayment, Some(payer)) => {
                self.gap_payer(payer)?;
                (self.sub("4101", "gap")?, format!("收{}弥补基金缺口资金", self.payer_name(payer)))
            }
            (ReceiptSource::GapPayment, None) => {
                return Err(EventError::GapPayerUnknown {
                    party: "（未填）".into(),
                    finance: self.finance_party()?.into(),
                })
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

    /// A payer of a gap: a county, or city finance (the finance party).
    pub(super) fn gap_payer(&self, payer: &str) -> Result<PartyKind, EventError> {
        match self.ctx.city.party(payer).map(|p| p.kind) {
            Some(kind @ (PartyKind::County | PartyKind::Finance)) => Ok(kind),
            _ => Err(EventError::GapPayerUnknown {
                party: payer.to_string(),
                finance: self.finance_party()?.to_string(),
            }),
        }
    }

    fn payer_name(&self, payer: &str) -> String {
        match self.ctx.city.party(payer).map(|p| p.kind) {
            Some(PartyKind::Finance) => "市财政".to_string(),
            _ => self.party_name(payer),
        }
    }

    /// The city agency's record of a government's payment toward a fund gap, as its 1004 shows
    /// it (SS 五(二)): 财政补贴收入—弥补基金缺口. The finance bureau books its own receipt
    /// (`special_account_receipt`, source `gap_payment`).
    pub(super) fn gap_payment(
        &self,
        payer: &str,
        gap: GapKind,
        year: i32,
        amount: Money,
    ) -> Result<Posting, EventError> {
        let kind = self.gap_payer(payer)?;
        if gap == GapKind::Management && kind != PartyKind::County {
            return Err(EventError::ManagementGapIsTheCountys { party: payer.to_string() });
        }
        let label = match gap {
            GapKind::Management => "管理性缺口",
            GapKind::Policy => "政策性缺口分担",
        };
        self.gap_money_in(&format!("收{}{year}年{label}", self.payer_name(payer)), amount)
    }

    /// The city agency's 1004 receipt of money toward a gap: 财政补贴收入—弥补基金缺口.
    fn gap_money_in(&self, summary: &str, amount: Money) -> Result<Posting, EventError> {
        let entries = vec![dr("1004", amount), cr(self.sub("4101", "gap")?, amount)];
        let voucher = self.voucher(self.city_party()?, self.event.date, None, summary, entries);
        Ok(Posting { vouchers: vec![voucher], instruments: vec![] })
    }

    /// SS 五(二)1: city finance withholds an unpaid management gap from the county's transfer
    /// payments (代扣) and pays it into the 专户; the city agency books its arrival.
    pub(super) fn gap_charge(&self, county: &str, year: i32, amount: Money) -> Result<Posting, EventError> {
        self.county(county)?;
        self.gap_money_in(&format!("市财政从{}转移支付中代扣{year}年管理性缺口", self.party_name(county)), amount)
    }

    /// The 专户 bank's interest advice.
    pub(super) fn special_account_interest(&self, amount: Money) -> Result<Posting, EventError> {
        let revenue = self.sub("4301", "special")?;
        self.finance_voucher("专户结息", vec![dr("1011", amount), cr(revenue, amount)])
    }
}
