//! Posting rules: each business event is recorded by one party and becomes vouchers in that
//! party's books only (DOMAIN §2–3). A flow between two offices is two events, one per side,
//! matched later by reconciliation on their shared external reference — never one event
//! writing both sides, which would make the pair unable to disagree.
//!
//! Rules are pure: `post_event(event, context)` returns voucher drafts and changes to the
//! register of pre-pooling instruments, or every rejection. This file holds the one match on
//! event kind; the rules themselves live in one module per event family.

mod balances;
pub mod event;
mod finance;
mod income;
mod interlevel;
mod payments;
pub mod year_end;

use crate::domain::chart::{Chart, Side};
use crate::domain::city::{City, ForwardMode};
use crate::domain::ids::{BookCode, PartyKind};
use crate::domain::voucher::{DraftLine, VoucherDraft};
use crate::money::Money;
use chrono::NaiveDate;
use event::{Event, EventKind};
use std::collections::BTreeMap;

/// A pre-pooling term deposit or bond (1201), keyed by (party, fund, code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrument {
    pub principal: Money,
    pub opened_on: NaiveDate,
    pub matures_on: NaiveDate,
    /// Interest received at maturity, once `deposit_matured` has been posted.
    pub matured_interest: Option<Money>,
    pub remitted: bool,
}

pub type InstrumentKey = (String, String, String);
pub type Instruments = BTreeMap<InstrumentKey, Instrument>;

/// What an event changes in the instrument register besides its vouchers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstrumentChange {
    Opened(InstrumentKey, Instrument),
    Matured(InstrumentKey, Money),
    Remitted(InstrumentKey),
}

impl InstrumentChange {
    /// Applies the change to an in-memory register (a batch sees its own earlier events).
    pub fn apply(&self, register: &mut Instruments) {
        match self {
            InstrumentChange::Opened(key, instrument) => {
                register.insert(key.clone(), instrument.clone());
            }
            InstrumentChange::Matured(key, interest) => {
                if let Some(i) = register.get_mut(key) {
                    i.matured_interest = Some(*interest);
                }
            }
            InstrumentChange::Remitted(key) => {
                if let Some(i) = register.get_mut(key) {
                    i.remitted = true;
                }
            }
        }
    }
}

/// The vouchers and register changes of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Posting {
    pub vouchers: Vec<VoucherDraft>,
    pub instruments: Vec<InstrumentChange>,
}

/// What posting rules may consult.
pub struct PostingContext<'a> {
    pub city: &'a City,
    pub chart: &'a Chart,
    pub instruments: &'a Instruments,
    /// The city's rule against opening deposits or bonds just before pooling, if it has one.
    pub freeze: Option<&'a crate::domain::rules::DepositFreeze>,
}

/// Why an event cannot be posted. Each variant is one rule, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("基金 {fund} 不在本市统筹范围内（本市统筹：{pooled}）")]
    FundNotPooled { fund: String, pooled: String },
    #[error("机构 {party} 不存在（本市机构：{known}）")]
    UnknownParty { party: String, known: String },
    #[error("不要填写财政专户 {party}：财政专户的分录由事件自动生成")]
    FinanceIsNeverNamed { party: String },
    #[error("{kind} 的 party 必须是县（市、区），不能是 {party}")]
    PartyMustBeCounty { kind: &'static str, party: String },
    #[error("医保费收入只由市级经办机构记账（TS 17），不能记入 {party}")]
    PremiumsOnlyAtCity { party: String },
    #[error("县级配套补助须用 party 写明缴款的县（市、区）")]
    CountyMatchingNeedsCounty,
    #[error("只有县级配套补助才写 party（中央、省级补助直接进入市财政专户）")]
    PartyOnlyForCountyMatching,
    #[error("source = \"county_remittance\" 须用 party 写明上解的县（市、区）")]
    RemittanceNeedsCounty,
    #[error("只有县级上解或弥补缺口（source = \"county_remittance\"、\"gap_payment\"）才写 party")]
    PartyOnlyForCountyRemittance,
    #[error("{kind} 记入 {book}，不是 by 写明的记账方 {by} 的账簿：每一方只记自己的一方")]
    RecordedByAnotherParty { kind: &'static str, by: String, book: String },
    #[error("医疗救助资助参保只用于城乡居民医保基金（ZT 9），不能记入 {fund}")]
    SponsorshipOnlyForResidents { fund: String },
    #[error("弥补缺口的缴款方 {party} 须是县（市、区）或市财政（{finance}）")]
    GapPayerUnknown { party: String, finance: String },
    #[error("管理性缺口由县（市、区）政府承担（SS 五(二)1），不能由 {party} 缴纳")]
    ManagementGapIsTheCountys { party: String },
    #[error("{category} 只属于职工医保（生育保险并入职工医保），不能记入 {fund}")]
    CategoryNotInFund { category: String, fund: String },
    #[error("滞纳金 {late_fees} 不能大于划转总额 {amount}")]
    LateFeesExceedAmount { late_fees: Money, amount: Money },
    #[error("告知日 {received_on} 早于到账日 {date}（TS 10：到账后告知）")]
    ReceivedBeforeSent { date: NaiveDate, received_on: NaiveDate },
    #[error("{instrument} 于 {opened_on} 开立：{from} 至 {to} 不得新开定期存款或购买国债（{clause}）")]
    OpenedDuringFreeze { instrument: String, opened_on: NaiveDate, from: NaiveDate, to: NaiveDate, clause: String },
    #[error("{instrument} 的到期日 {matures_on} 不晚于开立日 {opened_on}")]
    MaturesBeforeOpened { instrument: String, opened_on: NaiveDate, matures_on: NaiveDate },
    #[error("{party} 的 {instrument} 已登记，不能重复建立期初")]
    InstrumentExists { party: String, instrument: String },
    #[error("{party} 没有名为 {instrument} 的定期存款或国债")]
    InstrumentNotFound { party: String, instrument: String },
    #[error("{party} 的 {instrument} 已经到期入账，不能再次到期")]
    InstrumentAlreadyMatured { party: String, instrument: String },
    #[error("{party} 的 {instrument} 本金为 {expected}，到期事件写的是 {principal}")]
    PrincipalMismatch { party: String, instrument: String, expected: Money, principal: Money },
    #[error("{party} 的 {instrument} 尚未到期入账，不能上解")]
    InstrumentNotMatured { party: String, instrument: String },
    #[error("{party} 的 {instrument} 已经上解，每笔到期存款只上解一次（TS 9）")]
    InstrumentAlreadyRemitted { party: String, instrument: String },
    #[error("{party} 的 {instrument} 须按本息合计 {expected} 一次上解，事件金额为 {amount}（TS 9）")]
    MaturedRemittanceMismatch { party: String, instrument: String, expected: Money, amount: Money },
    #[error("科目表中没有 {parent} 下键为 {key} 的明细科目")]
    SubAccountMissing { parent: String, key: String },
    #[error("本市配置中没有{kind}")]
    PartyKindMissing { kind: &'static str },
    #[error("金额计算溢出")]
    Overflow,
}

impl EventError {
    pub fn code(&self) -> &'static str {
        match self {
            EventError::FundNotPooled { .. } => "FundNotPooled",
            EventError::UnknownParty { .. } => "UnknownParty",
            EventError::FinanceIsNeverNamed { .. } => "FinanceIsNeverNamed",
            EventError::PartyMustBeCounty { .. } => "PartyMustBeCounty",
            EventError::PremiumsOnlyAtCity { .. } => "PremiumsOnlyAtCity",
            EventError::CountyMatchingNeedsCounty => "CountyMatchingNeedsCounty",
            EventError::PartyOnlyForCountyMatching => "PartyOnlyForCountyMatching",
            EventError::RemittanceNeedsCounty => "RemittanceNeedsCounty",
            EventError::PartyOnlyForCountyRemittance => "PartyOnlyForCountyRemittance",
            EventError::GapPayerUnknown { .. } => "GapPayerUnknown",
            EventError::SponsorshipOnlyForResidents { .. } => "SponsorshipOnlyForResidents",
            EventError::RecordedByAnotherParty { .. } => "RecordedByAnotherParty",
            EventError::ManagementGapIsTheCountys { .. } => "ManagementGapIsTheCountys",
            EventError::CategoryNotInFund { .. } => "CategoryNotInFund",
            EventError::LateFeesExceedAmount { .. } => "LateFeesExceedAmount",
            EventError::ReceivedBeforeSent { .. } => "ReceivedBeforeSent",
            EventError::OpenedDuringFreeze { .. } => "OpenedDuringFreeze",
            EventError::MaturesBeforeOpened { .. } => "MaturesBeforeOpened",
            EventError::InstrumentExists { .. } => "InstrumentExists",
            EventError::InstrumentNotFound { .. } => "InstrumentNotFound",
            EventError::InstrumentAlreadyMatured { .. } => "InstrumentAlreadyMatured",
            EventError::PrincipalMismatch { .. } => "PrincipalMismatch",
            EventError::InstrumentNotMatured { .. } => "InstrumentNotMatured",
            EventError::InstrumentAlreadyRemitted { .. } => "InstrumentAlreadyRemitted",
            EventError::MaturedRemittanceMismatch { .. } => "MaturedRemittanceMismatch",
            EventError::SubAccountMissing { .. } => "SubAccountMissing",
            EventError::PartyKindMissing { .. } => "PartyKindMissing",
            EventError::Overflow => "Overflow",
        }
    }
}

/// Turns one event into its vouchers. The only match on event kind.
pub fn post_event(event: &Event, ctx: &PostingContext<'_>) -> Result<Posting, Vec<EventError>> {
    if ctx.city.fund(&event.fund).is_none() {
        let pooled: Vec<&str> = ctx.city.fund.iter().map(|f| f.code.as_str()).collect();
        return Err(vec![EventError::FundNotPooled { fund: event.fund.clone(), pooled: pooled.join("、") }]);
    }
    let rules = Rules { event, ctx };
    let result = match &event.kind {
        EventKind::OpeningBalance { party, account, amount, instrument } => {
            rules.opening_balance(party, *account, *amount, instrument.as_ref())
        }
        EventKind::DepositMatured { party, instrument, principal, interest } => {
            rules.deposit_matured(party, instrument, *principal, *interest)
        }
        EventKind::PremiumReceipts { period, premiums, late_fees, interest_subsidy, party, by_county } => {
            rules.premium_receipts(*period, *premiums, *late_fees, *interest_subsidy, party, by_county)
        }
        EventKind::TreasuryTransfer { amount, late_fees } => rules.treasury_transfer(*amount, *late_fees),
        EventKind::FiscalSubsidy { level, amount, party } => rules.fiscal_subsidy(*level, *amount, party.as_deref()),
        EventKind::TransferIn { party, amount, notified_on } => rules.transfer_in(party, *amount, *notified_on),
        EventKind::InterestCredited { party, account, amount } => rules.interest_credited(party, *account, *amount),
        EventKind::RemitToCity { party, purpose, amount, instrument } => {
            rules.remit_to_city(party, *purpose, *amount, instrument.as_deref())
        }
        EventKind::RemittanceReceived { party, purpose, amount, instrument } => {
            rules.remittance_received(party, *purpose, *amount, instrument.as_deref())
        }
        EventKind::AllocateCityLevel { amount, purpose } => rules.allocate_city_level(*amount, *purpose),
        EventKind::AllocateToCounty { party, amount, purpose } => rules.allocate_to_county(party, *amount, *purpose),
        EventKind::AllocationReceived { party, amount, purpose } => rules.allocation_received(party, *amount, *purpose),
        EventKind::SpecialAccountOpening { amount } => rules.special_account_opening(*amount),
        EventKind::TreasuryTransferReceived { amount, late_fees } => {
            rules.treasury_transfer_received(*amount, *late_fees)
        }
        EventKind::SpecialAccountReceipt { source, amount, party } => {
            rules.special_account_receipt(*source, *amount, party.as_deref())
        }
        EventKind::SpecialAccountPayment { party, amount, purpose } => {
            rules.special_account_payment(party, *amount, *purpose)
        }
        EventKind::SpecialAccountInterest { amount } => rules.special_account_interest(*amount),
        EventKind::GapPayment { party, gap, year, amount } => rules.gap_payment(party, *gap, *year, *amount),
        EventKind::GapCharge { party, year, amount } => rules.gap_charge(party, *year, *amount),
        EventKind::PremiumSponsorship { class, persons, amount, party } => {
            rules.premium_sponsorship(*class, *persons, *amount, party.as_deref())
        }
        EventKind::BenefitPayment { party, category, amount } => rules.benefit_payment(party, category, *amount),
        EventKind::TransferOut { party, amount } => rules.payment(party, *amount, payments::Payment::TransferOut),
        EventKind::PremiumRefund { party, amount } => rules.payment(party, *amount, payments::Payment::PremiumRefund),
        EventKind::TransferInRefund { party, amount } => {
            rules.payment(party, *amount, payments::Payment::TransferInRefund)
        }
    };
    let posting = result.map_err(|e| vec![e])?;
    if let Some(by) = &event.by {
        if let Some(other) = posting.vouchers.iter().find(|v| &v.book.party != by) {
            return Err(vec![EventError::RecordedByAnotherParty {
                kind: event.kind.name(),
                by: by.clone(),
                book: other.book.to_string(),
            }]);
        }
    }
    Ok(posting)
}

/// One event being posted: shared lookups and the voucher builder the rules use.
struct Rules<'a> {
    event: &'a Event,
    ctx: &'a PostingContext<'a>,
}

/// A voucher line as a rule states it.
struct Entry {
    side: Side,
    account: String,
    amount: Money,
    summary: Option<String>,
}

fn dr(account: impl Into<String>, amount: Money) -> Entry {
    Entry { side: Side::Debit, account: account.into(), amount, summary: None }
}

fn cr(account: impl Into<String>, amount: Money) -> Entry {
    Entry { side: Side::Credit, account: account.into(), amount, summary: None }
}

impl Entry {
    /// A line-specific 摘要 (e.g. 滞纳金 on a premium voucher).
    fn with_summary(mut self, summary: impl Into<String>) -> Entry {
        self.summary = Some(summary.into());
        self
    }
}

impl<'a> Rules<'a> {
    fn book(&self, party: &str) -> BookCode {
        BookCode::new(party, &self.event.fund)
    }

    fn party_name(&self, party: &str) -> String {
        self.ctx.city.short_name(party)
    }

    fn party_of_kind(&self, kind: PartyKind) -> Result<&'a str, EventError> {
        self.ctx
            .city
            .party
            .iter()
            .find(|p| p.kind == kind)
            .map(|p| p.code.as_str())
            .ok_or(EventError::PartyKindMissing { kind: kind.label() })
    }

    fn city_party(&self) -> Result<&'a str, EventError> {
        self.party_of_kind(PartyKind::City)
    }

    fn finance_party(&self) -> Result<&'a str, EventError> {
        self.party_of_kind(PartyKind::Finance)
    }

    /// The kind of a party staff named; the finance party is never named.
    fn agency(&self, party: &str) -> Result<PartyKind, EventError> {
        let city = self.ctx.city;
        let Some(found) = city.party(party) else {
            let known: Vec<&str> =
                city.party.iter().filter(|p| p.kind != PartyKind::Finance).map(|p| p.code.as_str()).collect();
            return Err(EventError::UnknownParty { party: party.to_string(), known: known.join("、") });
        };
        if found.kind == PartyKind::Finance {
            return Err(EventError::FinanceIsNeverNamed { party: party.to_string() });
        }
        Ok(found.kind)
    }

    fn county(&self, party: &str) -> Result<(), EventError> {
        match self.agency(party)? {
            PartyKind::County => Ok(()),
            _ => Err(EventError::PartyMustBeCounty { kind: self.event.kind.name(), party: party.to_string() }),
        }
    }

    /// The sub-account of `parent` with lookup key `key`.
    fn sub(&self, parent: &str, key: &str) -> Result<String, EventError> {
        self.ctx
            .chart
            .child_by_key(parent, key)
            .map(|a| a.code.clone())
            .ok_or_else(|| EventError::SubAccountMissing { parent: parent.into(), key: key.into() })
    }

    /// The receiving side's date: `received_on`, or the event date.
    fn received(&self, received_on: Option<NaiveDate>) -> Result<NaiveDate, EventError> {
        match received_on {
            Some(day) if day < self.event.date => {
                Err(EventError::ReceivedBeforeSent { date: self.event.date, received_on: day })
            }
            Some(day) => Ok(day),
            None => Ok(self.event.date),
        }
    }

    /// A voucher in `party`'s book. `role` distinguishes a second voucher of the same event in
    /// the same book (its external id is `id/role`). Zero-amount entries are left out.
    fn voucher(
        &self,
        party: &str,
        date: NaiveDate,
        role: Option<&str>,
        summary: &str,
        entries: Vec<Entry>,
    ) -> VoucherDraft {
        let summary = self.event.summary.clone().unwrap_or_else(|| summary.to_string());
        let external_id = match role {
            Some(role) => format!("{}/{role}", self.event.id),
            None => self.event.id.clone(),
        };
        VoucherDraft {
            book: self.book(party),
            date,
            attachments: 1,
            external_id: Some(external_id),
            lines: entries
                .into_iter()
                .filter(|e| !e.amount.is_zero())
                .enumerate()
                .map(|(index, e)| DraftLine {
                    position: index + 1,
                    book: None,
                    account: e.account,
                    summary: e.summary.unwrap_or_else(|| summary.clone()),
                    side: e.side,
                    amount: e.amount,
                    // The bank serial both sides of a flow see; without one, the event id (which
                    // the other side cannot know, so such an item stays outstanding until fixed).
                    reference: Some(self.event.reference.clone().unwrap_or_else(|| self.event.id.clone())),
                })
                .collect(),
        }
    }

    fn forward_mode(&self) -> ForwardMode {
        self.ctx.city.settings.forward_mode
    }
}

fn checked_add(a: Money, b: Money) -> Result<Money, EventError> {
    a.checked_add(b).map_err(|_| EventError::Overflow)
}

#[cfg(test)]
mod tests;
