//! The fund policy engine (SS 五, JL 14 and 19; DOMAIN §6): the risk reserve withheld from the
//! expenditure budget and the 20% rule, the sharing of a policy gap, management-gap bills,
//! incentives, and the assessment ratios. Rates and thresholds are city settings; every
//! division and rounding here is 四舍五入 to the 分 (or to 0.01%), and every split sums exactly.

use crate::money::{allocate_largest_remainder, Money};
use rust_decimal::Decimal;

/// The reserve rule's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReserveRule {
    /// 风险储备金 rate, per mille of the total expenditure budget (50 = 5%).
    pub rate_permille: u32,
    /// Above this share of last year's actual income (per mille, 200 = 20%), the accumulated
    /// balance is large enough that the reduced rate applies.
    pub threshold_permille: u32,
    /// The rate applied above the threshold (0: the reserve is paused).
    pub reduced_rate_permille: u32,
}

impl Default for ReserveRule {
    fn default() -> Self {
        ReserveRule { rate_permille: 50, threshold_permille: 200, reduced_rate_permille: 0 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reserve {
    pub total_budget: Money,
    pub accumulated_balance: Money,
    pub previous_income: Money,
    /// previous income × threshold.
    pub threshold: Money,
    /// False when there is no previous year's income to measure the balance against (the
    /// first pooled year): the standard rate applies.
    pub threshold_applies: bool,
    pub above_threshold: bool,
    pub rate_permille: u32,
    pub reserve: Money,
    /// (party, budget, share of the reserve, allocable) — shares by largest remainder.
    pub agencies: Vec<(String, Money, Money, Money)>,
}

fn permille_of(amount: Money, permille: u32) -> Money {
    let exact = amount.to_decimal() * Decimal::from(permille) / Decimal::from(1000);
    Money::round_half_away_from_zero(exact).unwrap_or(Money::ZERO)
}

/// The reserve withheld from the total budget before it is allocated to the agencies.
pub fn reserve(
    budgets: &[(String, Money)],
    accumulated_balance: Money,
    previous_income: Money,
    rule: ReserveRule,
) -> Reserve {
    let total = Money::from_fen(budgets.iter().map(|(_, b)| b.fen()).sum());
    let threshold = permille_of(previous_income, rule.threshold_permille);
    let threshold_applies = previous_income.is_positive();
    let above = threshold_applies && accumulated_balance > threshold;
    let rate = if above { rule.reduced_rate_permille } else { rule.rate_permille };
    let withheld = permille_of(total, rate);
    let weights: Vec<u64> = budgets.iter().map(|(_, b)| b.fen().max(0) as u64).collect();
    let shares = if weights.iter().all(|w| *w == 0) {
        vec![Money::ZERO; budgets.len()]
    } else {
        allocate_largest_remainder(withheld, &weights).unwrap_or_default()
    };
    Reserve {
        total_budget: total,
        accumulated_balance,
        previous_income,
        threshold,
        threshold_applies,
        above_threshold: above,
        rate_permille: rate,
        reserve: withheld,
        agencies: budgets
            .iter()
            .zip(shares)
            .map(|((party, budget), share)| {
                (party.clone(), *budget, share, Money::from_fen(budget.fen() - share.fen()))
            })
            .collect(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GapSharing {
    pub policy_gap: Money,
    /// Covered first from the pool's accumulated balance.
    pub from_balance: Money,
    /// What is left to share.
    pub shared: Money,
    pub city_finance_half: Money,
    pub counties_half: Money,
    /// (party, population, share of the counties' half); the 市本级 share falls to city finance.
    pub by_population: Vec<(String, u64, Money)>,
    /// What each pays: city finance first, then each county.
    pub payers: Vec<(String, Money)>,
}

/// SS 五(二)2 (a city's `gap_sharing` rule): a policy gap is covered from the accumulated balance
/// first (the balance before the year's deficit, which the caller passes); the rest is split city
/// finance : counties by the rule's parts (Jingmen 5 : 5), the counties' part by insured
/// population over the whole city's, the 市本级 share going to city finance.
pub fn share_policy_gap(
    gap: Money,
    accumulated_balance: Money,
    parts: (u32, u32),
    city: &str,
    populations: &[(String, u64)],
) -> GapSharing {
    let from_balance = Money::from_fen(gap.fen().min(accumulated_balance.fen().max(0)));
    let shared = Money::from_fen(gap.fen() - from_balance.fen());
    let halves = allocate_largest_remainder(shared, &[u64::from(parts.0), u64::from(parts.1)])
        .unwrap_or_else(|_| vec![Money::ZERO, Money::ZERO]);
    let weights: Vec<u64> = populations.iter().map(|(_, p)| *p).collect();
    let parts =
        allocate_largest_remainder(halves[1], &weights).unwrap_or_else(|_| vec![Money::ZERO; populations.len()]);
    let by_population: Vec<(String, u64, Money)> =
        populations.iter().zip(&parts).map(|((party, pop), part)| (party.clone(), *pop, *part)).collect();
    let city_share: i64 = by_population.iter().filter(|(p, _, _)| p == city).map(|(_, _, m)| m.fen()).sum();
    let mut payers = vec![("finance".to_string(), Money::from_fen(halves[0].fen() + city_share))];
    payers.extend(by_population.iter().filter(|(p, _, _)| p != city).map(|(p, _, m)| (p.clone(), *m)));
    GapSharing {
        policy_gap: gap,
        from_balance,
        shared,
        city_finance_half: halves[0],
        counties_half: halves[1],
        by_population,
        payers,
    }
}

/// A ratio to 0.01%, 四舍五入; `None` (not applicable) when the denominator is zero.
pub fn ratio(numerator: Money, denominator: Money) -> Option<Decimal> {
    if denominator.is_zero() {
        return None;
    }
    let exact = numerator.to_decimal() * Decimal::from(100) / denominator.to_decimal();
    let mut rounded = exact.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    // Always two decimals, so 25% reads "25.00".
    rounded.rescale(2);
    Some(rounded)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Incentive {
    pub income_over_budget: Money,
    pub spending_under_budget: Money,
    /// (over + under) × 0.5, 四舍五入.
    pub credit: Money,
    /// Set against the county's management gap first.
    pub gap_offset: Money,
    /// The rest counts toward next year's income total.
    pub next_year_income_credit: Money,
}

/// JL 19 / SS 五 (the city's `incentive` rule): income over budget and spending under budget
/// count `credit_permille` (Jingmen 1 : 0.5, 500‰), first against the county's management gap,
/// then toward next year's income.
pub fn incentive(
    budget_income: Money,
    actual_income: Money,
    budget_expense: Money,
    actual_expense: Money,
    management_gap: Money,
    credit_permille: u32,
) -> Incentive {
    let over = Money::from_fen((actual_income.fen() - budget_income.fen()).max(0));
    let under = Money::from_fen((budget_expense.fen() - actual_expense.fen()).max(0));
    let credit = permille_of(Money::from_fen(over.fen() + under.fen()), credit_permille);
    let offset = Money::from_fen(credit.fen().min(management_gap.fen().max(0)));
    Incentive {
        income_over_budget: over,
        spending_under_budget: under,
        credit,
        gap_offset: offset,
        next_year_income_credit: Money::from_fen(credit.fen() - offset.fen()),
    }
}

/// A year's settlement of one fund: each county, and the policy gap with its shares.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Settlement {
    pub year: i32,
    pub fund: String,
    /// When what a county still owes is due (the management-gap rule's day of the next year).
    pub gap_due: chrono::NaiveDate,
    /// The rules' clauses: management gap, gap sharing, settlement period.
    pub clauses: Vec<String>,
    pub counties: Vec<(String, CountySettlement)>,
    pub pool_income: Money,
    pub pool_expense: Money,
    /// The pool's deficit not explained by the counties' management gaps.
    pub policy_gap: Money,
    pub sharing: GapSharing,
}

impl Settlement {
    /// What changed since `before`, in words, one line per county figure or pool figure.
    pub fn changes_since(&self, before: &Settlement) -> Vec<String> {
        let mut changes = Vec::new();
        let mut note = |what: String, old: Money, new: Money| {
            if old != new {
                changes.push(format!("{what}：{} → {}", old.grouped(), new.grouped()));
            }
        };
        for (party, now) in &self.counties {
            let Some((_, then)) = before.counties.iter().find(|(p, _)| p == party) else { continue };
            for (label, old, new) in [
                ("实际收入", then.actual_income, now.actual_income),
                ("实际支出", then.actual_expense, now.actual_expense),
                ("管理性缺口", then.management_gap, now.management_gap),
                ("激励折算", then.incentive, now.incentive),
                ("考核保证金返还", then.deposit_released, now.deposit_released),
                ("应缴缺口", then.gap_owed, now.gap_owed),
            ] {
                note(format!("{party} {label}"), old, new);
            }
        }
        note("政策性缺口".into(), before.policy_gap, self.policy_gap);
        changes
    }
}

/// One county's year-end settlement (年终结算, SS 五(一)3, 五(二)1; JL 19).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CountySettlement {
    pub budget_income: Money,
    pub actual_income: Money,
    pub budget_expense: Money,
    pub actual_expense: Money,
    /// Income short of budget plus spending over budget: borne by the county government.
    pub management_gap: Money,
    /// (income over budget + spending under budget) × 0.5, 四舍五入.
    pub incentive: Money,
    /// The part of the incentive set against the management gap.
    pub incentive_offset: Money,
    /// The incentive left, counted toward next year's income.
    pub next_year_income_credit: Money,
    /// 考核保证金 withheld from the county's allocations during the year.
    pub deposit_withheld: Money,
    /// The part of the deposit kept to cover the gap that remains after the incentive.
    pub deposit_forfeited: Money,
    /// The rest, paid back to the county.
    pub deposit_released: Money,
    /// What the county still owes after the incentive and the deposit, due on the rule's day.
    pub gap_owed: Money,
    /// Its pre-pooling balance held in its own 专户 beyond the kept months (WH 三(三); 0 where
    /// the rules have everything remitted).
    pub held_locally: Money,
    /// The part of its fund gap (spending over its income) covered from what it holds.
    pub local_gap_covered: Money,
}

/// Settles one county: its management gap (SS 五(二)1: income short of budget and spending over
/// budget, borne by the county), set against its 1 : 0.5 incentive first (JL 19), then against
/// the 考核保证金 withheld during the year; the deposit left is released. Every step is exact:
/// gap = offset + forfeited + owed, deposit = forfeited + released.
pub fn settle_county(
    budget_income: Money,
    actual_income: Money,
    budget_expense: Money,
    actual_expense: Money,
    deposit_withheld: Money,
    held_locally: Money,
    incentive_permille: u32,
) -> CountySettlement {
    let shortfall = (budget_income.fen() - actual_income.fen()).max(0);
    let overrun = (actual_expense.fen() - budget_expense.fen()).max(0);
    let gap = Money::from_fen(shortfall + overrun);
    let bonus = incentive(budget_income, actual_income, budget_expense, actual_expense, gap, incentive_permille);
    let after_incentive = gap.fen() - bonus.gap_offset.fen();
    let forfeited = after_incentive.min(deposit_withheld.fen().max(0));
    CountySettlement {
        budget_income,
        actual_income,
        budget_expense,
        actual_expense,
        management_gap: gap,
        incentive: bonus.credit,
        incentive_offset: bonus.gap_offset,
        next_year_income_credit: bonus.next_year_income_credit,
        deposit_withheld,
        deposit_forfeited: Money::from_fen(forfeited),
        deposit_released: Money::from_fen(deposit_withheld.fen() - forfeited),
        gap_owed: Money::from_fen(after_incentive - forfeited),
        held_locally,
        // WH 三(三): the county's fund gap (spending over its income) comes first out of what it
        // holds, before the pool's shared policy gap.
        local_gap_covered: Money::from_fen(
            (actual_expense.fen() - actual_income.fen()).max(0).min(held_locally.fen().max(0)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settlement_rewards_a_county_over_its_income_and_under_its_spending_and_bills_a_gap() {
        // Income 1,100.00 against 1,000.00, spending 900.00 against 1,000.00: no gap; incentive
        // (100.00 + 100.00) × 0.5 = 100.00 toward next year; the 20.00 deposit is released.
        let good = settle_county(m("1000.00"), m("1100.00"), m("1000.00"), m("900.00"), m("20.00"), Money::ZERO, 500);
        assert_eq!(
            (good.management_gap, good.incentive, good.next_year_income_credit),
            (Money::ZERO, m("100.00"), m("100.00"))
        );
        assert_eq!(
            (good.deposit_released, good.deposit_forfeited, good.gap_owed),
            (m("20.00"), Money::ZERO, Money::ZERO)
        );
        // Income 800.00 against 1,000.00 (short 200.00), spending 950.00 (under by 50.00): gap
        // 200.00, incentive 25.00 set against it, 175.00 left; the 20.00 deposit is kept; owed
        // 155.00 by the rule's day.
        let short = settle_county(m("1000.00"), m("800.00"), m("1000.00"), m("950.00"), m("20.00"), Money::ZERO, 500);
        assert_eq!(
            (short.management_gap, short.incentive, short.incentive_offset),
            (m("200.00"), m("25.00"), m("25.00"))
        );
        assert_eq!(
            (short.deposit_forfeited, short.deposit_released, short.gap_owed),
            (m("20.00"), Money::ZERO, m("155.00"))
        );
        assert_eq!(
            short.management_gap.fen(),
            short.incentive_offset.fen() + short.deposit_forfeited.fen() + short.gap_owed.fen()
        );
        // WH 三(三): a district holding 100.00 beyond its kept months, spending 950.00 on an
        // income of 800.00, covers 100.00 of its 150.00 fund gap from what it holds.
        let held = settle_county(m("1000.00"), m("800.00"), m("1000.00"), m("950.00"), Money::ZERO, m("100.00"), 500);
        assert_eq!((held.held_locally, held.local_gap_covered), (m("100.00"), m("100.00")));
        let ample = settle_county(m("1000.00"), m("800.00"), m("1000.00"), m("950.00"), Money::ZERO, m("500.00"), 500);
        assert_eq!(ample.local_gap_covered, m("150.00"), "no more than its gap");
    }

    fn m(yuan: &str) -> Money {
        Money::parse(yuan).unwrap()
    }

    #[test]
    fn the_reserve_is_five_percent_of_the_total_unless_the_balance_is_above_twenty_percent() {
        let budgets =
            vec![("city".to_string(), m("600.00")), ("a".to_string(), m("300.00")), ("b".to_string(), m("100.01"))];
        // Total 1,000.01 × 5% = 50.0005 → 50.00 (四舍五入). Shares by budget: 600 : 300 : 100.01
        // of 5,000 分 = 2,999.97 / 1,499.98 / 500.05 → 3,000, 1,500, 500 by largest remainder.
        let r = reserve(&budgets, m("100.00"), m("1000.00"), ReserveRule::default());
        assert_eq!((r.threshold, r.above_threshold, r.rate_permille, r.reserve), (m("200.00"), false, 50, m("50.00")));
        let shares: Vec<Money> = r.agencies.iter().map(|a| a.2).collect();
        assert_eq!(shares, vec![m("30.00"), m("15.00"), m("5.00")]);
        assert_eq!(r.agencies[2].3, m("95.01"));
        // Accumulated 200.01 > 20% of 1,000.00: the reduced rate (paused) applies.
        let paused = reserve(&budgets, m("200.01"), m("1000.00"), ReserveRule::default());
        assert_eq!((paused.above_threshold, paused.reserve), (true, Money::ZERO));
        let reduced = reserve(
            &budgets,
            m("200.01"),
            m("1000.00"),
            ReserveRule { reduced_rate_permille: 20, ..ReserveRule::default() },
        );
        // 1,000.01 × 2% = 20.0002 → 20.00.
        assert_eq!(reduced.reserve, m("20.00"));
    }

    #[test]
    fn a_policy_gap_is_shared_among_eight_parties_to_the_fen() {
        // Gap 1,000.00, balance 0.03: 999.97 to share. Halves 5 : 5 of 99,997 分: 49,998.5
        // each, the odd 分 to the first: city finance 499.99, counties 499.98. The counties'
        // half by insured population, 市本级 3 and seven counties 1 each (sum 10):
        let populations: Vec<(String, u64)> = ["city", "c1", "c2", "c3", "c4", "c5", "c6", "c7"]
            .iter()
            .map(|p| (p.to_string(), if *p == "city" { 3 } else { 1 }))
            .collect();
        let s = share_policy_gap(m("1000.00"), m("0.03"), (5, 5), "city", &populations);
        assert_eq!((s.from_balance, s.shared), (m("0.03"), m("999.97")));
        assert_eq!((s.city_finance_half, s.counties_half), (m("499.99"), m("499.98")));
        // 49,998 分 over weights 3,1×7 (sum 10): exact 14,999.4 and 4,999.8 ×7; floors 14,999 and
        // 4,999 ×7 = 49,992; 6 分 left go to the largest remainders (0.8 ×7 before 0.4): c1..c6.
        let parts: Vec<i64> = s.by_population.iter().map(|(_, _, m)| m.fen()).collect();
        assert_eq!(parts, vec![14_999, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 4_999]);
        assert_eq!(s.payers.len(), 8, "city finance and seven counties");
        assert_eq!(s.payers[0], ("finance".to_string(), Money::from_fen(49_999 + 14_999)));
        let total: i64 = s.payers.iter().map(|(_, m)| m.fen()).sum();
        assert_eq!(total, 99_997, "the shares sum exactly to the gap left after the balance");
    }

    #[test]
    fn the_cover_is_exactly_the_opening_balance_and_the_ratio_is_the_citys() {
        // A deficit of 10,000.00 over an opening balance of 2,500.00: the balance covers exactly
        // 2,500.00 and 7,500.00 is shared. Under a 6 : 4 rule: city finance 4,500.00, counties
        // 3,000.00, by population 2 : 1 between the two counties (no 市本级 insured here).
        let populations = vec![("city".to_string(), 0), ("a".to_string(), 2), ("b".to_string(), 1)];
        let s = share_policy_gap(m("10000.00"), m("2500.00"), (6, 4), "city", &populations);
        assert_eq!((s.from_balance, s.shared), (m("2500.00"), m("7500.00")));
        assert_eq!((s.city_finance_half, s.counties_half), (m("4500.00"), m("3000.00")));
        assert_eq!(
            s.payers,
            vec![
                ("finance".to_string(), m("4500.00")),
                ("a".to_string(), m("2000.00")),
                ("b".to_string(), m("1000.00"))
            ]
        );
        // A surplus balance larger than the gap covers it all.
        let s = share_policy_gap(m("100.00"), m("2500.00"), (6, 4), "city", &populations);
        assert_eq!((s.from_balance, s.shared), (m("100.00"), Money::ZERO));
    }

    #[test]
    fn ratios_round_to_a_hundredth_of_a_percent_and_zero_is_not_applicable() {
        // 2/3 = 66.666…% → 66.67%; 1/8 = 12.5% exactly.
        assert_eq!(ratio(m("2.00"), m("3.00")), Some(Decimal::new(6667, 2)));
        assert_eq!(ratio(m("1.00"), m("8.00")), Some(Decimal::new(1250, 2)));
        assert_eq!(ratio(m("5.00"), Money::ZERO), None);
        assert_eq!(ratio(m("1.00"), m("4.00")).unwrap().to_string(), "25.00");
    }

    #[test]
    fn incentives_count_half_and_offset_the_management_gap_first() {
        // Income 1,050.00 against 1,000.00 (+50.00), spending 880.01 against 900.00 (19.99
        // under): (50.00 + 19.99) × 0.5 = 34.995 → 35.00; a 20.00 gap takes 20.00, 15.00 left.
        let i = incentive(m("1000.00"), m("1050.00"), m("900.00"), m("880.01"), m("20.00"), 500);
        assert_eq!((i.income_over_budget, i.spending_under_budget, i.credit), (m("50.00"), m("19.99"), m("35.00")));
        assert_eq!((i.gap_offset, i.next_year_income_credit), (m("20.00"), m("15.00")));
        let none = incentive(m("1000.00"), m("900.00"), m("900.00"), m("950.00"), Money::ZERO, 500);
        assert_eq!(none.credit, Money::ZERO);
    }
}
