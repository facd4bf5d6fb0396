//! Business events (DOMAIN §3) as staff and feeds describe them: a stable snake_case `kind`,
//! the common fields (`id`, `date`, `fund`, `ref`, `summary`) and the fields of each kind.
//!
//! Events arrive as field maps (from TOML, JSON or the command line) and are checked here
//! field by field: unknown or misspelt fields, missing fields, malformed amounts and dates and
//! unknown enumeration values are all reported at once, never ignored.

use crate::domain::ids::{parse_date, Period};
use crate::money::Money;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// An event as read from a file or the command line: text fields, before any checking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawEvent {
    pub fields: BTreeMap<String, String>,
    /// Fields that were written as numbers; amounts must be strings so they stay exact.
    pub numeric: BTreeSet<String>,
}

/// The account an opening balance is brought into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpeningAccount {
    /// 1004 财政专户存款.
    Special,
    /// 1003 支出户存款.
    Expenditure,
    /// 1201 债券投资 (term deposits and bonds).
    Investment,
}

/// A term deposit or bond held before pooling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentTerms {
    pub code: String,
    pub opened_on: NaiveDate,
    pub matures_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubsidyLevel {
    Central,
    Provincial,
    CountyMatching,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemitPurpose {
    Balance,
    ResidentSubsidy,
    TransferIncome,
    SpecialAccountInterest,
    ExpenditureAccountInterest,
    MaturedDeposit,
}

/// What money the finance bureau received into the 专户 (besides the treasury's transfers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptSource {
    CentralSubsidy,
    ProvincialSubsidy,
    TransferIncome,
    /// A county agency's remittance (balances, subsidies it collected, interest, deposits).
    CountyRemittance,
    /// A government's payment toward a fund gap (`party`: the county, or city finance).
    GapPayment,
}

/// The medical-aid classes whose resident premium is sponsored (ZT 9): 一类 in full, 二类 90%,
/// 三类 (易返贫致贫人口, in the transition period) 50% of the individual contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AidClass {
    First,
    Second,
    Third,
}

impl AidClass {
    pub fn label(self) -> &'static str {
        match self {
            AidClass::First => "一类医疗救助对象（全额资助）",
            AidClass::Second => "二类医疗救助对象（资助90%）",
            AidClass::Third => "三类医疗救助对象（资助50%）",
        }
    }
}

/// Which gap a payment covers (SS 五(二)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GapKind {
    /// 管理性缺口: borne by the county government, due by June-end of the next year.
    Management,
    /// 政策性缺口: the share of city finance or a county after the accumulated balance.
    Policy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationPurpose {
    /// 月度用款.
    Monthly,
    /// 备付金.
    Reserve,
    /// 考核保证金返还: the withheld performance deposit paid back at the year-end settlement.
    DepositRelease,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterestAccount {
    Special,
    Expenditure,
}

/// What happened, with the fields of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    OpeningBalance {
        party: String,
        account: OpeningAccount,
        amount: Money,
        instrument: Option<InstrumentTerms>,
    },
    PremiumReceipts {
        period: Period,
        premiums: Money,
        late_fees: Money,
        interest_subsidy: Money,
        party: String,
        /// The premiums by the county (district, or 市本级) where they were collected, from the
        /// tax register (TS 17); empty when not given. Sums to `premiums`.
        by_county: Vec<(String, Money)>,
    },
    TreasuryTransfer {
        amount: Money,
        late_fees: Money,
    },
    FiscalSubsidy {
        level: SubsidyLevel,
        amount: Money,
        party: Option<String>,
    },
    /// `notified_on`: when finance told the agency (TS 10); the agency books it then.
    TransferIn {
        party: String,
        amount: Money,
        notified_on: Option<NaiveDate>,
    },
    /// The county's side of a remittance: what it sent, on the day it sent it.
    RemitToCity {
        party: String,
        purpose: RemitPurpose,
        amount: Money,
        instrument: Option<String>,
    },
    /// The city agency's side of a county's remittance, from its own receipt.
    RemittanceReceived {
        party: String,
        purpose: RemitPurpose,
        amount: Money,
        instrument: Option<String>,
    },
    AllocateCityLevel {
        amount: Money,
        purpose: AllocationPurpose,
    },
    /// The city agency's side of an allocation to a county.
    AllocateToCounty {
        party: String,
        amount: Money,
        purpose: AllocationPurpose,
    },
    /// The county agency's side of an allocation, from its own 支出户 receipt.
    AllocationReceived {
        party: String,
        amount: Money,
        purpose: AllocationPurpose,
    },
    /// The finance bureau's own records of its 专户 (DOMAIN §2): written from the 专户 bank's
    /// receipts and the treasury's notices, never from the agency's vouchers.
    SpecialAccountOpening {
        amount: Money,
    },
    TreasuryTransferReceived {
        amount: Money,
        late_fees: Money,
    },
    SpecialAccountReceipt {
        source: ReceiptSource,
        amount: Money,
        party: Option<String>,
    },
    SpecialAccountPayment {
        party: String,
        amount: Money,
        purpose: AllocationPurpose,
    },
    SpecialAccountInterest {
        amount: Money,
    },
    /// The city agency's record of a government's payment toward a gap into the 专户.
    GapPayment {
        party: String,
        gap: GapKind,
        year: i32,
        amount: Money,
    },
    /// ZT 9–11: the medical-aid fund pays the resident premium (all or part) of people in
    /// assistance classes; the city books it as premium income with its source kept.
    PremiumSponsorship {
        class: AidClass,
        persons: u64,
        amount: Money,
        /// The county (district) whose medical-aid fund pays (户籍所在地), if given.
        party: Option<String>,
    },
    /// SS 五(二)1: a management gap not paid by June-end of the next year is withheld (代扣) by
    /// city finance from the county's transfer payments and paid into the 专户 on its behalf;
    /// the city agency records its arrival. It settles the county's gap like a payment.
    GapCharge {
        party: String,
        year: i32,
        amount: Money,
    },
    BenefitPayment {
        party: String,
        category: String,
        amount: Money,
    },
    TransferOut {
        party: String,
        amount: Money,
    },
    PremiumRefund {
        party: String,
        amount: Money,
    },
    TransferInRefund {
        party: String,
        amount: Money,
    },
    InterestCredited {
        party: String,
        account: InterestAccount,
        amount: Money,
    },
    DepositMatured {
        party: String,
        instrument: String,
        principal: Money,
        interest: Money,
    },
}

/// A checked event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub date: NaiveDate,
    pub fund: String,
    pub reference: Option<String>,
    pub summary: Option<String>,
    /// The party that records it, when a feed file holding every office's records says so;
    /// the posting rules check that the event writes that party's books and no other.
    pub by: Option<String>,
    pub kind: EventKind,
}

/// The spending categories of 5001 (DOMAIN §6), as event values and chart keys.
pub const CATEGORIES: [&str; 11] = [
    "personal_account",
    "inpatient",
    "general_outpatient",
    "chronic_outpatient",
    "two_diseases",
    "out_of_area",
    "critical_illness",
    "accident",
    "long_term_care",
    "maternity_medical",
    "maternity_allowance",
];

const COMMON: [&str; 5] = ["id", "kind", "date", "fund", "ref"];

/// Every kind with its required and optional fields (besides the common ones and `summary`).
pub const KINDS: [(&str, &[&str], &[&str]); 25] = [
    ("opening_balance", &["party", "account", "amount"], &["instrument", "opened_on", "matures_on"]),
    ("premium_receipts", &["period", "premiums"], &["late_fees", "interest_subsidy", "party", "by_county"]),
    ("treasury_transfer", &["amount"], &["late_fees"]),
    ("fiscal_subsidy", &["level", "amount"], &["party"]),
    ("transfer_in", &["party", "amount"], &["notified_on"]),
    ("remit_to_city", &["party", "purpose", "amount"], &["instrument"]),
    ("remittance_received", &["party", "purpose", "amount"], &["instrument"]),
    ("allocate_city_level", &["amount", "purpose"], &[]),
    ("allocate_to_county", &["party", "amount", "purpose"], &[]),
    ("allocation_received", &["party", "amount", "purpose"], &[]),
    ("special_account_opening", &["amount"], &[]),
    ("treasury_transfer_received", &["amount"], &["late_fees"]),
    ("special_account_receipt", &["source", "amount"], &["party"]),
    ("special_account_payment", &["party", "amount", "purpose"], &[]),
    ("special_account_interest", &["amount"], &[]),
    ("gap_payment", &["party", "gap", "year", "amount"], &[]),
    ("gap_charge", &["party", "year", "amount"], &[]),
    ("premium_sponsorship", &["class", "persons", "amount"], &["party"]),
    ("benefit_payment", &["party", "category", "amount"], &[]),
    ("transfer_out", &["party", "amount"], &[]),
    ("premium_refund", &["party", "amount"], &[]),
    ("transfer_in_refund", &["party", "amount"], &[]),
    ("interest_credited", &["party", "account", "amount"], &[]),
    ("deposit_matured", &["party", "instrument", "principal", "interest"], &[]),
    // Reserved for the year-end closing issue; not accepted from files.
    ("year_end_close", &[], &[]),
];

/// Reads fields one by one, collecting every problem.
struct Fields<'a> {
    raw: &'a RawEvent,
    problems: Vec<String>,
}

impl Fields<'_> {
    fn text(&mut self, name: &str) -> Option<String> {
        match self.raw.fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            Some(value) => Some(value.to_string()),
            None => {
                self.problems.push(format!("缺少字段 {name}"));
                None
            }
        }
    }

    fn optional_text(&self, name: &str) -> Option<String> {
        self.raw.fields.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    fn amount_of(&mut self, name: &str, text: Option<String>) -> Option<Money> {
        let text = text?;
        if self.raw.numeric.contains(name) {
            self.problems.push(format!("字段 {name} 的金额须写成字符串（如 \"{text}\"），以免经过浮点数"));
            return None;
        }
        match Money::parse(&text) {
            Ok(amount) if amount.is_positive() => Some(amount),
            Ok(amount) => {
                self.problems.push(format!("字段 {name} 的金额 {amount} 必须大于零"));
                None
            }
            Err(e) => {
                self.problems.push(format!("字段 {name}：{e}"));
                None
            }
        }
    }

    fn amount(&mut self, name: &str) -> Option<Money> {
        let text = self.text(name);
        self.amount_of(name, text)
    }

    /// An optional amount: absent means zero; present must be positive.
    fn optional_amount(&mut self, name: &str) -> Option<Money> {
        match self.optional_text(name) {
            None => Some(Money::ZERO),
            Some(text) => self.amount_of(name, Some(text)),
        }
    }

    fn date_of(&mut self, name: &str, text: Option<String>) -> Option<NaiveDate> {
        let text = text?;
        parse_date(&text).map_err(|e| self.problems.push(format!("字段 {name}：{e}"))).ok()
    }

    fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let text = self.text(name);
        self.date_of(name, text)
    }

    fn optional_date(&mut self, name: &str) -> Option<Option<NaiveDate>> {
        match self.optional_text(name) {
            None => Some(None),
            Some(text) => self.date_of(name, Some(text)).map(Some),
        }
    }

    /// `by_county = "city:1000.00,dongbao:2500.00"`: positive amounts, each code once, summing
    /// to the premiums (so the split can never lose or invent a 分).
    fn by_county(&mut self, premiums: Option<Money>) -> Option<Vec<(String, Money)>> {
        let Some(text) = self.optional_text("by_county") else { return Some(vec![]) };
        let mut parts: Vec<(String, Money)> = Vec::new();
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let Some((code, amount)) = item.split_once(':') else {
                self.problems.push(format!(
                    "字段 by_county 的 \"{}\" 应写成 县代码:金额（如 \"dongbao:1000.00\"）",
                    crate::domain::ids::quote(item)
                ));
                return None;
            };
            let code = code.trim().to_string();
            let amount = self.amount_of("by_county", Some(amount.trim().to_string()))?;
            if parts.iter().any(|(c, _)| *c == code) {
                self.problems.push(format!("字段 by_county 中 {} 出现了两次", crate::domain::ids::quote(&code)));
                return None;
            }
            parts.push((code, amount));
        }
        let total: i64 = parts.iter().map(|(_, m)| m.fen()).sum();
        if let Some(premiums) = premiums {
            if total != premiums.fen() {
                self.problems.push(format!(
                    "字段 by_county 各县合计 {}，不等于 premiums {}",
                    Money::from_fen(total).grouped(),
                    premiums.grouped()
                ));
                return None;
            }
        }
        Some(parts)
    }

    fn year(&mut self, name: &str) -> Option<i32> {
        let text = self.text(name)?;
        match text.parse::<i32>() {
            Ok(year) if (1900..=9999).contains(&year) => Some(year),
            _ => {
                self.problems.push(format!("字段 {name} 的值 \"{}\" 不是有效年度", crate::domain::ids::quote(&text)));
                None
            }
        }
    }

    fn choice<T: Copy>(&mut self, name: &str, options: &[(&str, T)]) -> Option<T> {
        let text = self.text(name)?;
        match options.iter().find(|(key, _)| *key == text) {
            Some((_, value)) => Some(*value),
            None => {
                let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
                self.problems.push(format!(
                    "字段 {name} 的值 \"{}\" 无效，应为 {} 之一",
                    crate::domain::ids::quote(&text),
                    names.join("、")
                ));
                None
            }
        }
    }
}

impl RawEvent {
    /// The fields as a JSON object with keys in order: what the event store keeps.
    pub fn payload(&self) -> String {
        serde_json::to_string(&self.fields).unwrap_or_default()
    }

    /// A digest of the fields, to tell a repeated event from a different one under the same id.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.payload().as_bytes()))
    }

    /// The `id` field as written, for messages about an event that did not parse.
    pub fn id(&self) -> Option<&str> {
        self.fields.get("id").map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    /// Checks every field and builds the event, or returns every problem found.
    pub fn parse(&self) -> Result<Event, Vec<String>> {
        let kind_name = self.fields.get("kind").map(|k| k.trim().to_string()).unwrap_or_default();
        let known = KINDS.iter().find(|(name, _, _)| *name == kind_name && *name != "year_end_close");
        let Some((_, required, optional)) = known else {
            let names: Vec<&str> = KINDS.iter().map(|k| k.0).filter(|k| *k != "year_end_close").collect();
            let shown = if kind_name.is_empty() {
                "（未填）".to_string()
            } else {
                format!("\"{}\"", crate::domain::ids::quote(&kind_name))
            };
            return Err(vec![format!("未知的事件类型 kind {shown}，应为 {} 之一", names.join("、"))]);
        };
        let mut f = Fields { raw: self, problems: Vec::new() };
        for name in self.fields.keys() {
            let allowed = COMMON.contains(&name.as_str())
                || name == "summary"
                || name == "by"
                || required.contains(&name.as_str())
                || optional.contains(&name.as_str());
            if !allowed && name == "received_on" {
                f.problems.push(format!(
                    "字段 received_on 已停用：{kind_name} 只记付款方一方；收款方用自己的事件记收款\
                     （市经办机构 remittance_received，县级经办机构 allocation_received，财政专户 special_account_receipt/special_account_payment）"
                ));
            } else if !allowed {
                let mut fields: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
                fields.extend(["summary", "by"]);
                f.problems.push(format!(
                    "未知字段 {name}（{kind_name} 的字段：id、kind、date、fund、ref、{}）",
                    fields.join("、")
                ));
            }
        }
        let id = f.text("id");
        let date = f.date("date");
        let fund = f.text("fund");
        let reference = f.optional_text("ref");
        let summary = f.optional_text("summary");
        let by = f.optional_text("by");
        let kind = parse_kind(&kind_name, &mut f);
        match (id, date, fund, kind) {
            (Some(id), Some(date), Some(fund), Some(kind)) if f.problems.is_empty() => {
                Ok(Event { id, date, fund, reference, summary, by, kind })
            }
            _ => Err(f.problems),
        }
    }
}

fn parse_kind(kind: &str, f: &mut Fields<'_>) -> Option<EventKind> {
    use EventKind as K;
    let levels = [
        ("central", SubsidyLevel::Central),
        ("provincial", SubsidyLevel::Provincial),
        ("county_matching", SubsidyLevel::CountyMatching),
    ];
    let remit = [
        ("balance", RemitPurpose::Balance),
        ("resident_subsidy", RemitPurpose::ResidentSubsidy),
        ("transfer_income", RemitPurpose::TransferIncome),
        ("special_account_interest", RemitPurpose::SpecialAccountInterest),
        ("expenditure_account_interest", RemitPurpose::ExpenditureAccountInterest),
        ("matured_deposit", RemitPurpose::MaturedDeposit),
    ];
    let allocation = [
        ("monthly", AllocationPurpose::Monthly),
        ("reserve", AllocationPurpose::Reserve),
        ("deposit_release", AllocationPurpose::DepositRelease),
    ];
    let party_amount = |f: &mut Fields<'_>| Some((f.text("party"), f.amount("amount")));
    Some(match kind {
        "opening_balance" => {
            let party = f.text("party");
            let account = f.choice(
                "account",
                &[
                    ("1004", OpeningAccount::Special),
                    ("1003", OpeningAccount::Expenditure),
                    ("1201", OpeningAccount::Investment),
                ],
            );
            let amount = f.amount("amount");
            let instrument = match account {
                Some(OpeningAccount::Investment) => {
                    let code = f.text("instrument");
                    let opened_on = f.date("opened_on");
                    let matures_on = f.date("matures_on");
                    Some(InstrumentTerms { code: code?, opened_on: opened_on?, matures_on: matures_on? })
                }
                _ => {
                    for name in ["instrument", "opened_on", "matures_on"] {
                        if f.optional_text(name).is_some() {
                            f.problems.push(format!("字段 {name} 只用于 account = \"1201\"（债券投资）"));
                        }
                    }
                    None
                }
            };
            K::OpeningBalance { party: party?, account: account?, amount: amount?, instrument }
        }
        "premium_receipts" => {
            let period = f.text("period").and_then(|p| Period::parse(&p).map_err(|e| f.problems.push(e)).ok());
            let premiums = f.amount("premiums");
            let late_fees = f.optional_amount("late_fees");
            let interest_subsidy = f.optional_amount("interest_subsidy");
            let party = f.optional_text("party").unwrap_or_else(|| "city".to_string());
            let by_county = f.by_county(premiums);
            K::PremiumReceipts {
                period: period?,
                premiums: premiums?,
                late_fees: late_fees?,
                interest_subsidy: interest_subsidy?,
                party,
                by_county: by_county?,
            }
        }
        "treasury_transfer" => {
            let amount = f.amount("amount");
            let late_fees = f.optional_amount("late_fees");
            K::TreasuryTransfer { amount: amount?, late_fees: late_fees? }
        }
        "fiscal_subsidy" => {
            let level = f.choice("level", &levels);
            let amount = f.amount("amount");
            K::FiscalSubsidy { level: level?, amount: amount?, party: f.optional_text("party") }
        }
        "transfer_in" => {
            let (party, amount) = party_amount(f)?;
            let notified_on = f.optional_date("notified_on");
            K::TransferIn { party: party?, amount: amount?, notified_on: notified_on? }
        }
        "remit_to_city" | "remittance_received" => {
            let party = f.text("party");
            let purpose = f.choice("purpose", &remit);
            let amount = f.amount("amount");
            let instrument = f.optional_text("instrument");
            match (purpose, &instrument) {
                (Some(RemitPurpose::MaturedDeposit), None) => {
                    f.problems.push("purpose = \"matured_deposit\" 须写明 instrument（到期的存款或国债）".into())
                }
                (Some(p), Some(_)) if p != RemitPurpose::MaturedDeposit => {
                    f.problems.push("字段 instrument 只用于 purpose = \"matured_deposit\"".into())
                }
                _ => {}
            }
            let (party, purpose, amount) = (party?, purpose?, amount?);
            if kind == "remit_to_city" {
                K::RemitToCity { party, purpose, amount, instrument }
            } else {
                K::RemittanceReceived { party, purpose, amount, instrument }
            }
        }
        "allocate_city_level" => {
            let amount = f.amount("amount");
            let purpose = f.choice("purpose", &allocation);
            K::AllocateCityLevel { amount: amount?, purpose: purpose? }
        }
        "allocate_to_county" | "allocation_received" | "special_account_payment" => {
            let party = f.text("party");
            let amount = f.amount("amount");
            let purpose = f.choice("purpose", &allocation);
            let (party, amount, purpose) = (party?, amount?, purpose?);
            match kind {
                "allocate_to_county" => K::AllocateToCounty { party, amount, purpose },
                "allocation_received" => K::AllocationReceived { party, amount, purpose },
                _ => K::SpecialAccountPayment { party, amount, purpose },
            }
        }
        "special_account_opening" => K::SpecialAccountOpening { amount: f.amount("amount")? },
        "special_account_interest" => K::SpecialAccountInterest { amount: f.amount("amount")? },
        "gap_payment" => {
            let party = f.text("party");
            let gap = f.choice("gap", &[("management", GapKind::Management), ("policy", GapKind::Policy)]);
            let year = f.year("year");
            let amount = f.amount("amount");
            K::GapPayment { party: party?, gap: gap?, year: year?, amount: amount? }
        }
        "premium_sponsorship" => {
            let class = f.choice(
                "class",
                &[("class_1", AidClass::First), ("class_2", AidClass::Second), ("class_3", AidClass::Third)],
            );
            let persons = f.text("persons").and_then(|p| match p.parse::<u64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    f.problems.push(format!(
                        "字段 persons 的值 \"{}\" 应为正整数（资助人数）",
                        crate::domain::ids::quote(&p)
                    ));
                    None
                }
            });
            let amount = f.amount("amount");
            K::PremiumSponsorship { class: class?, persons: persons?, amount: amount?, party: f.optional_text("party") }
        }
        "gap_charge" => {
            let party = f.text("party");
            let year = f.year("year");
            let amount = f.amount("amount");
            K::GapCharge { party: party?, year: year?, amount: amount? }
        }
        "treasury_transfer_received" => {
            let amount = f.amount("amount");
            let late_fees = f.optional_amount("late_fees");
            K::TreasuryTransferReceived { amount: amount?, late_fees: late_fees? }
        }
        "special_account_receipt" => {
            let source = f.choice(
                "source",
                &[
                    ("central_subsidy", ReceiptSource::CentralSubsidy),
                    ("provincial_subsidy", ReceiptSource::ProvincialSubsidy),
                    ("transfer_income", ReceiptSource::TransferIncome),
                    ("county_remittance", ReceiptSource::CountyRemittance),
                    ("gap_payment", ReceiptSource::GapPayment),
                ],
            );
            let amount = f.amount("amount");
            let party = f.optional_text("party");
            K::SpecialAccountReceipt { source: source?, amount: amount?, party }
        }
        "benefit_payment" => {
            let party = f.text("party");
            let categories: Vec<(&str, &str)> = CATEGORIES.iter().map(|c| (*c, *c)).collect();
            let category = f.choice("category", &categories);
            let amount = f.amount("amount");
            K::BenefitPayment { party: party?, category: category?.to_string(), amount: amount? }
        }
        "transfer_out" | "premium_refund" | "transfer_in_refund" => {
            let (party, amount) = party_amount(f)?;
            let (party, amount) = (party?, amount?);
            match kind {
                "transfer_out" => K::TransferOut { party, amount },
                "premium_refund" => K::PremiumRefund { party, amount },
                _ => K::TransferInRefund { party, amount },
            }
        }
        "interest_credited" => {
            let party = f.text("party");
            let account = f.choice(
                "account",
                &[("special", InterestAccount::Special), ("expenditure", InterestAccount::Expenditure)],
            );
            let amount = f.amount("amount");
            K::InterestCredited { party: party?, account: account?, amount: amount? }
        }
        "deposit_matured" => {
            let party = f.text("party");
            let instrument = f.text("instrument");
            let principal = f.amount("principal");
            let interest = f.amount("interest");
            K::DepositMatured { party: party?, instrument: instrument?, principal: principal?, interest: interest? }
        }
        _ => return None,
    })
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::OpeningBalance { .. } => "opening_balance",
            EventKind::PremiumReceipts { .. } => "premium_receipts",
            EventKind::TreasuryTransfer { .. } => "treasury_transfer",
            EventKind::FiscalSubsidy { .. } => "fiscal_subsidy",
            EventKind::TransferIn { .. } => "transfer_in",
            EventKind::RemitToCity { .. } => "remit_to_city",
            EventKind::RemittanceReceived { .. } => "remittance_received",
            EventKind::AllocationReceived { .. } => "allocation_received",
            EventKind::SpecialAccountOpening { .. } => "special_account_opening",
            EventKind::TreasuryTransferReceived { .. } => "treasury_transfer_received",
            EventKind::SpecialAccountReceipt { .. } => "special_account_receipt",
            EventKind::SpecialAccountPayment { .. } => "special_account_payment",
            EventKind::SpecialAccountInterest { .. } => "special_account_interest",
            EventKind::GapPayment { .. } => "gap_payment",
            EventKind::GapCharge { .. } => "gap_charge",
            EventKind::PremiumSponsorship { .. } => "premium_sponsorship",
            EventKind::AllocateCityLevel { .. } => "allocate_city_level",
            EventKind::AllocateToCounty { .. } => "allocate_to_county",
            EventKind::BenefitPayment { .. } => "benefit_payment",
            EventKind::TransferOut { .. } => "transfer_out",
            EventKind::PremiumRefund { .. } => "premium_refund",
            EventKind::TransferInRefund { .. } => "transfer_in_refund",
            EventKind::InterestCredited { .. } => "interest_credited",
            EventKind::DepositMatured { .. } => "deposit_matured",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawEvent {
        RawEvent {
            fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            numeric: BTreeSet::new(),
        }
    }

    #[test]
    fn parses_a_remittance() {
        let event = raw(&[
            ("id", "RM-1"),
            ("kind", "remit_to_city"),
            ("date", "2023-01-31"),
            ("fund", "employee"),
            ("ref", "BANK-1"),
            ("party", "shayang"),
            ("purpose", "balance"),
            ("amount", "1500000.00"),
        ])
        .parse()
        .unwrap();
        assert_eq!(event.reference.as_deref(), Some("BANK-1"));
        assert_eq!(
            event.kind,
            EventKind::RemitToCity {
                party: "shayang".into(),
                purpose: RemitPurpose::Balance,
                amount: Money::from_fen(150000000),
                instrument: None,
            }
        );
    }

    #[test]
    fn reports_every_field_problem_at_once() {
        let mut event = raw(&[
            ("id", "X"),
            ("kind", "benefit_payment"),
            ("date", "2023-02-30"),
            ("fund", "employee"),
            ("party", "shayang"),
            ("category", "dental"),
            ("amout", "5.00"),
        ]);
        event.fields.insert("amount".into(), "5.5".into());
        event.numeric.insert("amount".into());
        let problems = event.parse().unwrap_err();
        assert_eq!(
            problems,
            vec![
                "未知字段 amout（benefit_payment 的字段：id、kind、date、fund、ref、party、category、amount、summary、by）",
                "字段 date：日期 \"2023-02-30\" 不是有效日期（应为 YYYY-MM-DD）",
                "字段 category 的值 \"dental\" 无效，应为 personal_account、inpatient、general_outpatient、chronic_outpatient、two_diseases、out_of_area、critical_illness、accident、long_term_care、maternity_medical、maternity_allowance 之一",
                "字段 amount 的金额须写成字符串（如 \"5.5\"），以免经过浮点数",
            ]
        );
    }

    #[test]
    fn premiums_by_county_must_add_up_exactly() {
        let base = [
            ("id", "PR"),
            ("kind", "premium_receipts"),
            ("date", "2023-02-01"),
            ("fund", "employee"),
            ("period", "2023-01"),
            ("premiums", "10.00"),
        ];
        let with = |by: &str| {
            let mut e = raw(&base);
            e.fields.insert("by_county".into(), by.into());
            e.parse()
        };
        assert!(with("city:4.00,shayang:6.00").is_ok());
        assert_eq!(
            with("city:4.00,shayang:5.99").unwrap_err(),
            vec!["字段 by_county 各县合计 9.99，不等于 premiums 10.00"]
        );
        assert_eq!(with("city:4.00,city:6.00").unwrap_err(), vec!["字段 by_county 中 city 出现了两次"]);
        assert_eq!(
            with("city=10.00").unwrap_err(),
            vec!["字段 by_county 的 \"city=10.00\" 应写成 县代码:金额（如 \"dongbao:1000.00\"）"]
        );
        assert_eq!(
            with("city:10.001").unwrap_err(),
            vec!["字段 by_county：金额 \"10.001\" 超过两位小数（金额精确到分）"]
        );
    }

    #[test]
    fn refuses_unknown_kinds_and_non_positive_amounts() {
        let problems = raw(&[("kind", "bonus")]).parse().unwrap_err();
        assert!(problems[0].starts_with("未知的事件类型 kind \"bonus\"，应为 opening_balance、"), "{problems:?}");
        let problems = raw(&[
            ("id", "X"),
            ("kind", "transfer_out"),
            ("date", "2023-01-01"),
            ("fund", "employee"),
            ("party", "city"),
            ("amount", "-1.00"),
        ])
        .parse()
        .unwrap_err();
        assert_eq!(problems, vec!["字段 amount 的金额 -1.00 必须大于零"]);
        let problems = raw(&[("kind", "year_end_close")]).parse().unwrap_err();
        assert!(problems[0].starts_with("未知的事件类型"), "{problems:?}");
    }
}
