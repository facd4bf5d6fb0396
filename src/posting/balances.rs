//! Opening balances (期初) and the maturing of pre-pooling term deposits and bonds (TS 4, 9;
//! SS 五(三)1): the register of instruments brought in at the opening and closed one by one.

use super::event::{InstrumentTerms, OpeningAccount};
use super::{checked_add, cr, dr, EventError, Instrument, InstrumentChange, Posting, Rules};
use crate::domain::ids::PartyKind;
use crate::money::Money;

impl Rules<'_> {
    pub(super) fn opening_balance(
        &self,
        party: &str,
        account: OpeningAccount,
        amount: Money,
        instrument: Option<&InstrumentTerms>,
    ) -> Result<Posting, EventError> {
        let kind = self.agency(party)?;
        let name = self.party_name(party);
        let mut posting = Posting::default();
        let (code, summary) = match (account, instrument) {
            (OpeningAccount::Special, _) => ("1004", format!("{name}期初财政专户存款结转")),
            (OpeningAccount::Expenditure, _) => ("1003", format!("{name}期初支出户存款结转")),
            (OpeningAccount::Investment, Some(terms)) => {
                if kind != PartyKind::County {
                    return Err(EventError::PartyMustBeCounty { kind: "opening_balance (1201)", party: party.into() });
                }
                // The city's rule (SS 五(三)1): no new term deposit or bond just before pooling.
                if let Some(freeze) = self.ctx.freeze.filter(|f| (f.from..=f.to).contains(&terms.opened_on)) {
                    return Err(EventError::OpenedDuringFreeze {
                        instrument: terms.code.clone(),
                        opened_on: terms.opened_on,
                        from: freeze.from,
                        to: freeze.to,
                        clause: freeze.clause.clone(),
                    });
                }
                if terms.matures_on <= terms.opened_on {
                    return Err(EventError::MaturesBeforeOpened {
                        instrument: terms.code.clone(),
                        opened_on: terms.opened_on,
                        matures_on: terms.matures_on,
                    });
                }
                let key = (party.to_string(), self.event.fund.clone(), terms.code.clone());
                if self.ctx.instruments.contains_key(&key) {
                    return Err(EventError::InstrumentExists { party: party.into(), instrument: terms.code.clone() });
                }
                posting.instruments.push(InstrumentChange::Opened(
                    key,
                    Instrument {
                        principal: amount,
                        opened_on: terms.opened_on,
                        matures_on: terms.matures_on,
                        matured_interest: None,
                        remitted: false,
                    },
                ));
                ("1201", format!("{name}期初债券投资结转 {}（{} 到期）", terms.code, terms.matures_on))
            }
            // The event parser requires terms for 1201.
            (OpeningAccount::Investment, None) => ("1201", format!("{name}期初债券投资结转")),
        };
        posting.vouchers.push(self.voucher(
            party,
            self.event.date,
            None,
            &summary,
            vec![dr(code, amount), cr("3001", amount)],
        ));
        Ok(posting)
    }

    pub(super) fn deposit_matured(
        &self,
        party: &str,
        instrument: &str,
        principal: Money,
        interest: Money,
    ) -> Result<Posting, EventError> {
        self.county(party)?;
        let key = (party.to_string(), self.event.fund.clone(), instrument.to_string());
        let held = self
            .ctx
            .instruments
            .get(&key)
            .ok_or_else(|| EventError::InstrumentNotFound { party: party.into(), instrument: instrument.into() })?;
        if held.matured_interest.is_some() {
            return Err(EventError::InstrumentAlreadyMatured { party: party.into(), instrument: instrument.into() });
        }
        if held.principal != principal {
            return Err(EventError::PrincipalMismatch {
                party: party.into(),
                instrument: instrument.into(),
                expected: held.principal,
                principal,
            });
        }
        let total = checked_add(principal, interest)?;
        let name = self.party_name(party);
        let voucher = self.voucher(
            party,
            self.event.date,
            None,
            &format!("{name} {instrument} 到期收回本息"),
            vec![
                dr("1004", total),
                cr("1201", principal).with_summary(format!("{name} {instrument} 到期收回本金")),
                cr(self.sub("4301", "deposit")?, interest).with_summary(format!("{name} {instrument} 到期利息")),
            ],
        );
        Ok(Posting { vouchers: vec![voucher], instruments: vec![InstrumentChange::Matured(key, interest)] })
    }
}
