//! A city's rule set (统筹方案 as data): every deadline, reserve, plan period, forward limit,
//! interest day, risk-reserve rate, gap-sharing ratio, performance deposit and settlement period
//! in which cities differ, each naming the clause of the city's own documents it comes from.
//!
//! Read from `fixtures/<city>/rules.toml` at `init` and stored with the database, effective from
//! a date; `rules set` records a change. Every rule must be present: a missing one is an error,
//! never a silent default taken from another city.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A rule's source clause, e.g. "TS 9" or "WH 三(三)".
pub type Clause = String;

/// The whole rule set of a city.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// The documents the clauses cite, e.g. "TS = 荆门市…统收统支管理暂行办法".
    pub sources: Vec<String>,
    /// Pre-pooling balances handed over to the city 专户.
    pub balance_remittance: BalanceRule,
    /// 备付金 sent down to each agency's 支出户 at the start of pooling.
    pub reserve: ReserveAllocationRule,
    /// A pre-pooling deposit or bond remitted, principal plus interest, after maturity.
    pub matured_deposit: WorkingDaysRule,
    /// Premiums in the treasury transferred to the 专户 in full by the end of the month booked.
    pub treasury_transfer: ClauseOnly,
    /// Transfer income: finance tells the city agency within N working days of arrival.
    pub transfer_notice: WorkingDaysRule,
    /// Spending plans: period and the days they are submitted and combined.
    pub plans: PlanRule,
    /// Next month's funds before month-end; a county's forwarded within N working days.
    pub allocation: AllocationRule,
    /// 支出户 interest remitted within N working days after the month it is credited.
    pub interest_remittance: WorkingDaysRule,
    /// The county matching subsidy (absent where the resident fund is not pooled).
    #[serde(default)]
    pub matching_subsidy: Option<YearlyDayRule>,
    /// 风险储备金 withheld from the expenditure budget.
    pub risk_reserve: RiskReserveRule,
    /// A policy gap: covered from the accumulated balance first, then shared.
    pub gap_sharing: GapSharingRule,
    /// A management gap, borne by the county government, due on this day of the next year.
    pub management_gap: YearlyDayRule,
    /// 考核保证金 withheld from a county's allocations.
    pub performance_deposit: PerformanceDepositRule,
    /// Income over budget and spending under budget credited to the county (JL 19: 1 : 0.5).
    pub incentive: IncentiveRule,
    /// 年终结算 within N months after year-end.
    pub settlement: SettlementRule,
    /// A period before pooling in which no new term deposit or bond may be opened (SS 五(三)1).
    #[serde(default)]
    pub deposit_freeze: Option<DepositFreeze>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DepositFreeze {
    pub clause: Clause,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseOnly {
    pub clause: Clause,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BalanceRule {
    pub clause: Clause,
    /// The day the balances are due in the city 专户.
    pub due: NaiveDate,
    /// Months of budgeted payments a county keeps back (Wuhan: 3 as 备用金).
    pub months_kept: u32,
    /// Whether what is collected beyond the kept months may stay in the county's own 专户 under
    /// city control, to cover that county's later fund gaps first (WH 三(三)).
    pub held_locally: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveAllocationRule {
    pub clause: Clause,
    /// Months of budgeted expenditure sent down as 备付金 (0: none, the kept months serve).
    pub months: u32,
    /// When it is due (required when `months` > 0).
    #[serde(default)]
    pub due: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingDaysRule {
    pub clause: Clause,
    pub working_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanPeriod {
    /// Quarterly plans, made in the quarter before (TS 13–14).
    Quarterly,
    /// Monthly applications (WH 三(四) 按月拨付).
    Monthly,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRule {
    pub clause: Clause,
    pub period: PlanPeriod,
    /// Day of the planning month by which each agency submits.
    pub submission_day: u32,
    /// Day of the planning month by which the city agency combines.
    pub combination_day: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationRule {
    pub clause: Clause,
    pub forward_working_days: u32,
}

/// A day of the year (`MM-DD`), in the year concerned or the next.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct YearlyDayRule {
    pub clause: Clause,
    /// `MM-DD`.
    pub due: String,
}

impl YearlyDayRule {
    /// The due day in `year`.
    pub fn due_in(&self, year: i32) -> Option<NaiveDate> {
        let (month, day) = self.due.split_once('-')?;
        NaiveDate::from_ymd_opt(year, month.parse().ok()?, day.parse().ok()?)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RiskReserveRule {
    pub clause: Clause,
    /// Per mille of the total expenditure budget (0: no reserve).
    pub rate_permille: u32,
    /// Above this share of last year's actual income (per mille), the reduced rate applies.
    pub threshold_permille: u32,
    pub reduced_rate_permille: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// The counties' part by insured population over the whole city's.
    Population,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GapSharingRule {
    pub clause: Clause,
    /// City finance's part of what the accumulated balance does not cover.
    pub city_parts: u32,
    /// The counties' part, shared by `weighting`.
    pub county_parts: u32,
    pub weighting: Weighting,
    /// Where the 市本级's share of the counties' part falls.
    pub city_level_share: CityLevelShare,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CityLevelShare {
    /// The 市本级 counts in the weighting and its share falls to city finance (SS 五(二)2).
    CityFinance,
    /// Only the counties (districts) count in the weighting; the 市本级 takes no share.
    CountiesOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PerformanceDepositRule {
    pub clause: Clause,
    pub permille: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IncentiveRule {
    pub clause: Clause,
    /// Per mille of (income over budget + spending under budget) credited (JL 19: 500).
    pub credit_permille: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementRule {
    pub clause: Clause,
    pub months: u32,
}

impl RuleSet {
    /// Reads and checks a rule file; every problem is reported at once.
    pub fn from_toml(text: &str) -> Result<RuleSet, String> {
        let rules: RuleSet = toml::from_str(text).map_err(|e| format!("规则集格式错误：{e}"))?;
        let problems = rules.problems();
        if problems.is_empty() {
            Ok(rules)
        } else {
            Err(format!("规则集有 {} 处错误：{}", problems.len(), problems.join("；")))
        }
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut check = |ok: bool, message: &str| {
            if !ok {
                problems.push(message.to_string());
            }
        };
        check(self.balance_remittance.months_kept <= 12, "balance_remittance.months_kept 应在 0–12 之间");
        check(self.reserve.months <= 12, "reserve.months 应在 0–12 之间");
        check(
            (self.reserve.months == 0) == self.reserve.due.is_none(),
            "reserve.due 须且仅须在 reserve.months 大于 0 时填写",
        );
        for (name, days) in [
            ("matured_deposit.working_days", self.matured_deposit.working_days),
            ("transfer_notice.working_days", self.transfer_notice.working_days),
            ("allocation.forward_working_days", self.allocation.forward_working_days),
            ("interest_remittance.working_days", self.interest_remittance.working_days),
        ] {
            check((1..=30).contains(&days), &format!("{name} 应在 1–30 个工作日之间"));
        }
        for (name, day) in
            [("plans.submission_day", self.plans.submission_day), ("plans.combination_day", self.plans.combination_day)]
        {
            check((1..=28).contains(&day), &format!("{name} 应在 1–28 日之间"));
        }
        check(
            self.plans.submission_day <= self.plans.combination_day,
            "plans.combination_day 不能早于 plans.submission_day",
        );
        for (name, rule) in [
            ("management_gap.due", Some(&self.management_gap)),
            ("matching_subsidy.due", self.matching_subsidy.as_ref()),
        ] {
            if let Some(rule) = rule {
                // 2024 is a leap year, so 02-29 is a day that exists in some year.
                check(rule.due_in(2024).is_some(), &format!("{name} 应写成 MM-DD（如 06-30），实为 \"{}\"", rule.due));
            }
        }
        for (name, permille) in [
            ("risk_reserve.rate_permille", self.risk_reserve.rate_permille),
            ("risk_reserve.reduced_rate_permille", self.risk_reserve.reduced_rate_permille),
            ("performance_deposit.permille", self.performance_deposit.permille),
            ("incentive.credit_permille", self.incentive.credit_permille),
        ] {
            check(permille <= 1000, &format!("{name} 不能超过 1000（千分之一千）"));
        }
        check(
            self.gap_sharing.city_parts + self.gap_sharing.county_parts > 0,
            "gap_sharing 的 city_parts 与 county_parts 不能都为 0：不是有效的分担比例",
        );
        check((1..=12).contains(&self.settlement.months), "settlement.months 应在 1–12 之间");
        if let Some(freeze) = &self.deposit_freeze {
            check(freeze.from <= freeze.to, "deposit_freeze.from 不能晚于 deposit_freeze.to");
        }
        let clauses = [
            &self.balance_remittance.clause,
            &self.reserve.clause,
            &self.matured_deposit.clause,
            &self.treasury_transfer.clause,
            &self.transfer_notice.clause,
            &self.plans.clause,
            &self.allocation.clause,
            &self.interest_remittance.clause,
            &self.risk_reserve.clause,
            &self.gap_sharing.clause,
            &self.management_gap.clause,
            &self.performance_deposit.clause,
            &self.incentive.clause,
            &self.settlement.clause,
        ];
        check(clauses.iter().all(|c| !c.trim().is_empty()), "每条规则都须写明出处 clause");
        problems
    }

    /// The rules as (name, value, clause) rows, for `rules` and the pages.
    pub fn rows(&self) -> Vec<(String, String, String)> {
        let mut rows = vec![
            (
                "年初结余上解".to_string(),
                format!(
                    "{} 前上解；留足 {} 个月预算支付额{}",
                    self.balance_remittance.due,
                    self.balance_remittance.months_kept,
                    if self.balance_remittance.held_locally {
                        "；其余可暂存当地专户，先用于弥补当地缺口"
                    } else {
                        ""
                    }
                ),
                self.balance_remittance.clause.clone(),
            ),
            (
                "备付金".into(),
                match self.reserve.due {
                    Some(due) if self.reserve.months > 0 => format!("{due} 前下拨 {} 个月", self.reserve.months),
                    _ => "不另行下拨".into(),
                },
                self.reserve.clause.clone(),
            ),
            (
                "到期存款上解".into(),
                format!("到期后 {} 个工作日内本息一次上解", self.matured_deposit.working_days),
                self.matured_deposit.clause.clone(),
            ),
            ("国库划转专户".into(), "每月全额划转".into(), self.treasury_transfer.clause.clone()),
            (
                "转移收入告知".into(),
                format!("到账后 {} 个工作日内", self.transfer_notice.working_days),
                self.transfer_notice.clause.clone(),
            ),
            (
                "用款计划".into(),
                format!(
                    "{}；报送 {} 日前，汇总 {} 日前",
                    match self.plans.period {
                        PlanPeriod::Quarterly => "按季编报",
                        PlanPeriod::Monthly => "按月申请",
                    },
                    self.plans.submission_day,
                    self.plans.combination_day
                ),
                self.plans.clause.clone(),
            ),
            (
                "拨款与转拨".into(),
                format!("月底前拨付下月用款；{} 个工作日内转拨县级", self.allocation.forward_working_days),
                self.allocation.clause.clone(),
            ),
            (
                "支出户利息上解".into(),
                format!("结息次月前 {} 个工作日内", self.interest_remittance.working_days),
                self.interest_remittance.clause.clone(),
            ),
        ];
        if let Some(rule) = &self.matching_subsidy {
            rows.push(("县级配套补助".into(), format!("当年 {} 前上缴", rule.due), rule.clause.clone()));
        }
        rows.extend([
            (
                "风险储备金".to_string(),
                format!(
                    "预算支出的 {}‰；累计结余超过上年实际收入 {}‰ 时改为 {}‰",
                    self.risk_reserve.rate_permille,
                    self.risk_reserve.threshold_permille,
                    self.risk_reserve.reduced_rate_permille
                ),
                self.risk_reserve.clause.clone(),
            ),
            (
                "政策性缺口".into(),
                format!(
                    "先由上年末累计结余弥补，余额市财政 : 县（市、区） = {} : {}，县级部分按参保人数分摊{}",
                    self.gap_sharing.city_parts,
                    self.gap_sharing.county_parts,
                    match self.gap_sharing.city_level_share {
                        CityLevelShare::CityFinance => "，市本级份额由市财政承担",
                        CityLevelShare::CountiesOnly => "（只在县（市、区）之间分摊）",
                    }
                ),
                self.gap_sharing.clause.clone(),
            ),
            (
                "管理性缺口".into(),
                format!("由县（市、区）政府承担，次年 {} 前上解", self.management_gap.due),
                self.management_gap.clause.clone(),
            ),
            (
                "考核保证金".into(),
                format!("从县级拨款中预留 {}‰", self.performance_deposit.permille),
                self.performance_deposit.clause.clone(),
            ),
            (
                "超收节支激励".into(),
                format!("超收与节支按千分之 {} 折算，先抵管理性缺口", self.incentive.credit_permille),
                self.incentive.clause.clone(),
            ),
            (
                "年终结算".into(),
                format!("年度结束后 {} 个月内", self.settlement.months),
                self.settlement.clause.clone(),
            ),
        ]);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_cities_rule_sets_read_and_differ_where_their_documents_do() {
        let jingmen = RuleSet::from_toml(include_str!("../../fixtures/jingmen/rules.toml")).unwrap();
        let wuhan = RuleSet::from_toml(include_str!("../../fixtures/wuhan/rules.toml")).unwrap();
        assert_eq!(jingmen.balance_remittance.due, NaiveDate::from_ymd_opt(2023, 1, 20).unwrap());
        assert_eq!(jingmen.balance_remittance.clause, "TS 9");
        assert_eq!(wuhan.balance_remittance.months_kept, 3);
        assert_eq!(wuhan.reserve.months, 0, "WH: no reserve beyond the months kept");
        assert_eq!(jingmen.plans.period, PlanPeriod::Quarterly);
        assert_eq!(wuhan.plans.period, PlanPeriod::Monthly);
        assert_eq!(wuhan.risk_reserve.rate_permille, 0, "not in WH");
        assert!(wuhan.matching_subsidy.is_none(), "Wuhan pools the employee fund only");
        assert_eq!(jingmen.management_gap.due_in(2024), NaiveDate::from_ymd_opt(2024, 6, 30));
    }

    #[test]
    fn a_missing_rule_or_an_invalid_split_is_refused() {
        let text = include_str!("../../fixtures/jingmen/rules.toml");
        let without = text.replace("[settlement]", "[not_settlement]");
        assert!(RuleSet::from_toml(&without).unwrap_err().contains("规则集格式错误"), "a missing table is an error");
        let zero = text.replace("city_parts = 5", "city_parts = 0").replace("county_parts = 5", "county_parts = 0");
        assert!(RuleSet::from_toml(&zero).unwrap_err().contains("不是有效的分担比例"));
        let bad_day = text.replace("due = \"06-30\"", "due = \"06-31\"");
        assert!(RuleSet::from_toml(&bad_day).unwrap_err().contains("management_gap.due"));
    }
}
