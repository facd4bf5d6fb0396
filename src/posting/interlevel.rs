//! Flows between levels, each side booked by its own party from its own documents (DOMAIN §2):
//! a county's remittance to the city 专户 (TS 16, 20) and the city agency's receipt of it; the
//! 专户 funding the city's own 支出户 (TS 21); the city passing a county's allocation on (TS 14,
//! 21) in the city's `forward_mode`, and the county's receipt of it. The two sides share only the
//! external reference (the bank serial), which is what reconciliation matches them by.

use super::event::{AllocationPurpose, RemitPurpose};
use super::{cr, dr, EventError, InstrumentChange, Posting, Rules};
use crate::domain::city::ForwardMode;
use crate::money::Money;

fn remit_key(purpose: RemitPurpose) -> (&'static str, &'static str) {
    match purpose {
        RemitPurpose::Balance => ("balance", "上解结余基金"),
        RemitPurpose::ResidentSubsidy => ("resident_subsidy", "上解城乡居民参保补助资金"),
        RemitPurpose::TransferIncome => ("transfer_income", "上解转移收入"),
        RemitPurpose::SpecialAccountInterest => ("special_account_interest", "上解财政专户利息"),
        RemitPurpose::ExpenditureAccountInterest => ("expenditure_account_interest", "上解支出户利息"),
        RemitPurpose::MaturedDeposit => ("matured_deposit", "上解到期存款本息"),
    }
}

pub(super) fn allocation_label(purpose: AllocationPurpose) -> &'static str {
    match purpose {
        AllocationPurpose::Monthly => "用款",
        AllocationPurpose::Reserve => "备付金",
        AllocationPurpose::DepositRelease => "考核保证金返还",
    }
}

impl Rules<'_> {
    pub(super) fn remit_to_city(
        &self,
        party: &str,
        purpose: RemitPurpose,
        amount: Money,
        instrument: Option<&str>,
    ) -> Result<Posting, EventError> {
        self.county(party)?;
        let mut instruments = Vec::new();
        if let (RemitPurpose::MaturedDeposit, Some(code)) = (purpose, instrument) {
            let key = (party.to_string(), self.event.fund.clone(), code.to_string());
            let held = self
                .ctx
                .instruments
                .get(&key)
                .ok_or_else(|| EventError::InstrumentNotFound { party: party.into(), instrument: code.into() })?;
            let Some(interest) = held.matured_interest else {
                return Err(EventError::InstrumentNotMatured { party: party.into(), instrument: code.into() });
            };
            if held.remitted {
                return Err(EventError::InstrumentAlreadyRemitted { party: party.into(), instrument: code.into() });
            }
            let expected = held.principal.checked_add(interest).map_err(|_| EventError::Overflow)?;
            if amount != expected {
                return Err(EventError::MaturedRemittanceMismatch {
                    party: party.into(),
                    instrument: code.into(),
                    expected,
                    amount,
                });
            }
            instruments.push(InstrumentChange::Remitted(key));
        }
        let (key, label) = remit_key(purpose);
        let source = if purpose == RemitPurpose::ExpenditureAccountInterest { "1003" } else { "1004" };
        let detail = instrument.map(|code| format!("（{code}）")).unwrap_or_default();
        let county = self.voucher(
            party,
            self.event.date,
            None,
            &format!("{label}{detail}至市财政专户"),
            vec![dr(self.sub("5301", key)?, amount), cr(source, amount)],
        );
        Ok(Posting { vouchers: vec![county], instruments })
    }

    /// The city agency's receipt of a county's remittance, on the day its 1004 shows it.
    pub(super) fn remittance_received(
        &self,
        party: &str,
        purpose: RemitPurpose,
        amount: Money,
        instrument: Option<&str>,
    ) -> Result<Posting, EventError> {
        self.county(party)?;
        let (_, label) = remit_key(purpose);
        let detail = instrument.map(|code| format!("（{code}）")).unwrap_or_default();
        let summary = format!("收{}{label}{detail}", self.party_name(party));
        let city = self.voucher(
            self.city_party()?,
            self.event.date,
            None,
            &summary,
            vec![dr("1004", amount), cr(self.sub("4701", party)?, amount)],
        );
        Ok(Posting { vouchers: vec![city], instruments: vec![] })
    }

    pub(super) fn allocate_city_level(&self, amount: Money, purpose: AllocationPurpose) -> Result<Posting, EventError> {
        let label = allocation_label(purpose);
        let city = self.voucher(
            self.city_party()?,
            self.event.date,
            None,
            &format!("收市财政专户拨付市本级{label}"),
            vec![dr("1003", amount), cr("1004", amount)],
        );
        Ok(Posting { vouchers: vec![city], instruments: vec![] })
    }

    pub(super) fn allocate_to_county(
        &self,
        party: &str,
        amount: Money,
        purpose: AllocationPurpose,
    ) -> Result<Posting, EventError> {
        self.county(party)?;
        let label = allocation_label(purpose);
        let name = self.party_name(party);
        let city_party = self.city_party()?;
        let expense = self.sub("5201", party)?;
        let forward_summary = format!("拨付{name}{label}");
        let vouchers = match self.forward_mode() {
            // TS 21 literally: the county's share leaves the 专户 directly.
            ForwardMode::Statute => {
                vec![self.voucher(
                    city_party,
                    self.event.date,
                    None,
                    &forward_summary,
                    vec![dr(expense, amount), cr("1004", amount)],
                )]
            }
            // The whole allocation lands in the city 支出户 first, then is forwarded from it.
            ForwardMode::PassThrough => vec![
                self.voucher(
                    city_party,
                    self.event.date,
                    None,
                    &format!("收市财政专户拨付{name}{label}"),
                    vec![dr("1003", amount), cr("1004", amount)],
                ),
                self.voucher(
                    city_party,
                    self.event.date,
                    Some("forward"),
                    &forward_summary,
                    vec![dr(expense, amount), cr("1003", amount)],
                ),
            ],
        };
        Ok(Posting { vouchers, instruments: vec![] })
    }

    /// The county agency's receipt of an allocation, on the day its 支出户 shows it.
    pub(super) fn allocation_received(
        &self,
        party: &str,
        amount: Money,
        purpose: AllocationPurpose,
    ) -> Result<Posting, EventError> {
        self.county(party)?;
        let label = allocation_label(purpose);
        let county = self.voucher(
            party,
            self.event.date,
            None,
            &format!("收市级拨付{label}"),
            vec![dr("1003", amount), cr("4601", amount)],
        );
        Ok(Posting { vouchers: vec![county], instruments: vec![] })
    }
}
