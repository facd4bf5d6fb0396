//! Money coming into the pool, as the agencies book it: premiums booked from the treasury
//! (TS 18), the treasury's transfer to the 专户 (TS 7), fiscal subsidies (TS 8; a county's
//! matching subsidy in the county 专户, TS 20), transfer income (TS 10, 19) and interest credited
//! by the banks (TS 11, 20). The finance bureau books its own side (`finance.rs`).

use super::event::{AidClass, InterestAccount, SubsidyLevel};
use super::{checked_add, cr, dr, EventError, Posting, Rules};
use crate::domain::ids::Period;
use crate::money::Money;
use chrono::NaiveDate;

impl Rules<'_> {
    pub(super) fn premium_receipts(
        &self,
        period: Period,
        premiums: Money,
        late_fees: Money,
        interest_subsidy: Money,
        party: &str,
        by_county: &[(String, Money)],
    ) -> Result<Posting, EventError> {
        let city = self.city_party()?;
        if party != city {
            self.agency(party)?;
            return Err(EventError::PremiumsOnlyAtCity { party: party.into() });
        }
        let total = checked_add(checked_add(premiums, late_fees)?, interest_subsidy)?;
        let label = format!("{}年{}月", period.year, period.month);
        let mut entries = vec![dr("1005", total)];
        // TS 17: premiums by the county where they were collected, in 4001's sub-accounts; what
        // the event does not attribute goes to 未分县 (or to 4001 itself in a chart without them).
        if by_county.is_empty() {
            let account = self.sub("4001", "unattributed").unwrap_or_else(|_| "4001".to_string());
            entries.push(cr(account, premiums).with_summary(format!("{label}社会保险费收入")));
        }
        for (county, amount) in by_county {
            self.agency(county)?;
            let name = self.party_name(county);
            entries
                .push(cr(self.sub("4001", county)?, *amount).with_summary(format!("{label}社会保险费收入（{name}）")));
        }
        entries.push(cr("4801", late_fees).with_summary(format!("{label}滞纳金")));
        entries.push(cr("4801", interest_subsidy).with_summary(format!("{label}贴息")));
        let voucher = self.voucher(city, self.event.date, None, &format!("{label}医保费入国库"), entries);
        Ok(Posting { vouchers: vec![voucher], instruments: vec![] })
    }

    pub(super) fn treasury_transfer(&self, amount: Money, late_fees: Money) -> Result<Posting, EventError> {
        if late_fees > amount {
            return Err(EventError::LateFeesExceedAmount { late_fees, amount });
        }
        // The premium/late-fee split matters to the finance bureau's record only; the agency moves
        // the total from 1005 to 1004, but a split that cannot be is still refused.
        let summary = "国库存款转入市财政专户";
        let city = self.voucher(
            self.city_party()?,
            self.event.date,
            None,
            summary,
            vec![dr("1004", amount), cr("1005", amount)],
        );
        Ok(Posting { vouchers: vec![city], instruments: vec![] })
    }

    pub(super) fn fiscal_subsidy(
        &self,
        level: SubsidyLevel,
        amount: Money,
        party: Option<&str>,
    ) -> Result<Posting, EventError> {
        // A county's matching subsidy arrives in the county 专户 and is booked by the county
        // (TS 20 has it remitted on); central and provincial subsidies reach the city 专户.
        let (book, key, summary) = match (level, party) {
            (SubsidyLevel::CountyMatching, None) => return Err(EventError::CountyMatchingNeedsCounty),
            (SubsidyLevel::CountyMatching, Some(county)) => {
                self.county(county)?;
                (county, "county_matching", "收县级财政配套补助".to_string())
            }
            (_, Some(_)) => return Err(EventError::PartyOnlyForCountyMatching),
            (SubsidyLevel::Central, None) => (self.city_party()?, "central", "收中央财政补助".to_string()),
            (SubsidyLevel::Provincial, None) => (self.city_party()?, "provincial", "收省级财政补助".to_string()),
        };
        let account = self.sub("4101", key)?;
        let voucher =
            self.voucher(book, self.event.date, None, &summary, vec![dr("1004", amount), cr(account, amount)]);
        Ok(Posting { vouchers: vec![voucher], instruments: vec![] })
    }

    /// The money reaches the 专户 on `date` (finance books it then); the agency books it when
    /// finance tells it, `notified_on` (TS 10, 19).
    pub(super) fn transfer_in(
        &self,
        party: &str,
        amount: Money,
        notified_on: Option<NaiveDate>,
    ) -> Result<Posting, EventError> {
        self.agency(party)?;
        let notified = self.received(notified_on)?;
        let summary = format!("{}收转移收入", self.party_name(party));
        let vouchers =
            vec![self.voucher(party, notified, None, &summary, vec![dr("1004", amount), cr("4501", amount)])];
        Ok(Posting { vouchers, instruments: vec![] })
    }

    pub(super) fn interest_credited(
        &self,
        party: &str,
        account: InterestAccount,
        amount: Money,
    ) -> Result<Posting, EventError> {
        self.agency(party)?;
        let name = self.party_name(party);
        let (asset, key, summary) = match account {
            InterestAccount::Special => ("1004", "special", format!("{name}财政专户结息")),
            InterestAccount::Expenditure => ("1003", "expenditure", format!("{name}支出户结息")),
        };
        let revenue = self.sub("4301", key)?;
        let vouchers =
            vec![self.voucher(party, self.event.date, None, &summary, vec![dr(asset, amount), cr(revenue, amount)])];
        Ok(Posting { vouchers, instruments: vec![] })
    }

    /// ZT 9–11: premiums the medical-aid fund pays for people in assistance classes, through the
    /// treasury like other premiums (TS 17–18), kept apart in 4001's 医疗救助资助参保 sub-account.
    pub(super) fn premium_sponsorship(
        &self,
        class: AidClass,
        persons: u64,
        amount: Money,
        party: Option<&str>,
    ) -> Result<Posting, EventError> {
        if self.event.fund != "resident" {
            return Err(EventError::SponsorshipOnlyForResidents { fund: self.event.fund.clone() });
        }
        let whose = match party {
            Some(county) => {
                self.county(county)?;
                self.party_name(county)
            }
            None => String::new(),
        };
        let summary = format!("{whose}医疗救助资助参保：{}{persons} 人", class.label());
        let voucher = self.voucher(
            self.city_party()?,
            self.event.date,
            None,
            &summary,
            vec![dr("1005", amount), cr(self.sub("4001", "medical_aid")?, amount)],
        );
        Ok(Posting { vouchers: vec![voucher], instruments: vec![] })
    }
}
