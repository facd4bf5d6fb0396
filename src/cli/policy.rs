//! `budget reserve`, `gaps` and `assess`: the policy engine on the ledger's actual figures.

use super::statements::consolidated;
use super::{CliError, Context, Outcome};
use crate::domain::ids::{BookCode, PartyKind, Period};
use crate::money::Money;
use crate::policy::{incentive, ratio, reserve, share_policy_gap, ReserveRule};
use crate::posting::event::{EventKind, GapKind};
use crate::render::{self, OutputFormat};
use crate::statements::{balance_sheet, income_statement, INTER_LEVEL};
use crate::store::Store;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The human inputs for gaps and assessment: the policy gap and, per county, the management
/// gap owed and the amount paid.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct GapInput {
    year: i32,
    fund: String,
    policy_gap: Option<String>,
    #[serde(default)]
    county: Vec<CountyGap>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountyGap {
    party: String,
    #[serde(default)]
    management_gap: Option<String>,
    #[serde(default)]
    gap_paid: Option<String>,
}

fn amount(text: &Option<String>, what: &str) -> Result<Money, CliError> {
    match text {
        None => Ok(Money::ZERO),
        Some(t) => Money::parse(t).map_err(|e| CliError::refused(format!("{what}：{e}"))),
    }
}

/// What each payer paid toward the gaps of `year` in `fund`, from the ledger's `gap_payment` and
/// `gap_charge` events (the money the city agency booked into the 专户), by (payer, gap kind).
fn gaps_paid(store: &Store, fund: &str, year: i32) -> Result<BTreeMap<(String, GapKind), Money>, CliError> {
    let mut paid: BTreeMap<(String, GapKind), Money> = BTreeMap::new();
    for event in crate::app::plans::stored_events(store)? {
        // A management gap withheld from the county's transfer payments (代扣) is paid too.
        let (party, gap, gap_year, amount) = match event.kind {
            EventKind::GapPayment { party, gap, year, amount } => (party, gap, year, amount),
            EventKind::GapCharge { party, year, amount } => (party, GapKind::Management, year, amount),
            _ => continue,
        };
        if event.fund == fund && gap_year == year {
            let entry = paid.entry((party, gap)).or_default();
            *entry = Money::from_fen(entry.fen() + amount.fen());
        }
    }
    Ok(paid)
}

/// The paid amount from the ledger; a figure in the input file must agree with it.
fn paid_from_ledger(ledger: Money, stated: &Option<String>, party: &str) -> Result<Money, CliError> {
    let stated = match stated {
        None => return Ok(ledger),
        Some(_) => amount(stated, "gap_paid")?,
    };
    if stated != ledger {
        return Err(CliError::refused(format!(
            "{party} 的 gap_paid 写的是 {}，账簿中的 gap_payment、gap_charge 合计 {}：已缴金额以账簿为准，请删去或改正 gap_paid",
            stated.grouped(),
            ledger.grouped()
        )));
    }
    Ok(ledger)
}

/// The rule set in force for a budget or policy year: the version in force on its first day
/// (or, for the first pooled year, on the opening day).
fn year_rules(store: &Store, year: i32) -> Result<crate::domain::rules::RuleSet, CliError> {
    let opening = store.reader().city()?.opening();
    let first =
        chrono::NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| CliError::refused(format!("年度 {year} 无效")))?;
    Ok(crate::app::rules::in_force(store, first.max(opening))?)
}

fn read_input(file: &Path) -> Result<GapInput, CliError> {
    let text = crate::app::files::read_text(file, "缺口测算文件")?;
    toml::from_str(&text).map_err(|e| CliError::refused(format!("{} 格式错误：{e}", file.display())))
}

/// The pool's accumulated balance at the end of `year` and its actual income of `year`
/// (consolidated, inter-level flows eliminated).
fn pool_figures(store: &Store, fund: &str, year: i32) -> Result<(Money, Money), CliError> {
    let chart = store.reader().chart()?;
    let totals = consolidated(store, fund)?;
    let (Some(jan), Some(dec)) = (Period::new(year, 1), Period::new(year, 12)) else {
        return Err(CliError::refused(format!("年度 {year} 无效")));
    };
    let sheet = balance_sheet(&chart, &totals, dec, true);
    let statement = income_statement(&chart, &totals, jan, dec, true);
    Ok((sheet.total_net_assets, statement.total_revenue))
}

pub fn budget_reserve(ctx: &Context, year: i32, fund: &str) -> Result<Outcome, CliError> {
    let store = ctx.open()?;
    let city = store.reader().city()?;
    city.fund(fund).ok_or_else(|| CliError::refused(format!("基金 {fund} 不在本市统筹范围内")))?;
    let budgets: Vec<(String, Money)> = store
        .reader()
        .budgets()?
        .into_iter()
        .filter(|((y, _, f), _)| *y == year && f == fund)
        .map(|((_, party, _), (_, expenditure))| (party, expenditure))
        .collect();
    if budgets.is_empty() {
        return Err(CliError::refused(format!("没有 {year} 年 {fund} 的支出预算：请先 fundpool budget import")));
    }
    let (balance, income) = pool_figures(&store, fund, year - 1)?;
    let rules = year_rules(&store, year)?;
    let rule = ReserveRule {
        rate_permille: rules.risk_reserve.rate_permille,
        threshold_permille: rules.risk_reserve.threshold_permille,
        reduced_rate_permille: rules.risk_reserve.reduced_rate_permille,
    };
    let r = reserve(&budgets, balance, income, rule);
    if ctx.format == OutputFormat::Json {
        return Ok(Outcome::ok(render::json(&r)));
    }
    let rows: Vec<Vec<String>> = r
        .agencies
        .iter()
        .map(|(party, budget, share, allocable)| {
            vec![city.short_name(party), budget.grouped(), share.grouped(), allocable.grouped()]
        })
        .collect();
    if ctx.format == OutputFormat::Csv {
        return Ok(Outcome::ok(render::csv(&["经办机构", "支出预算", "储备金分摊", "可分配"], &rows, &[1, 2, 3])));
    }
    let comparison = if r.above_threshold { "超过" } else { "未超过" };
    let verdict = if !r.threshold_applies {
        format!("{} 年没有实际收入可比（统筹首年）：20% 规则不适用，按 {}‰ 提取风险储备金", year - 1, r.rate_permille)
    } else {
        format!(
            "{} 年末累计结余 {} {comparison}上年实际收入 {} 的 {}‰（{}）：按 {}‰ 提取风险储备金",
            year - 1,
            r.accumulated_balance.grouped(),
            r.previous_income.grouped(),
            rule.threshold_permille,
            r.threshold.grouped(),
            r.rate_permille
        )
    };
    Ok(Outcome::ok(format!(
        "{year} 年 {} 支出预算 {}，风险储备金 {}\n{verdict}\n{}",
        city.fund_label(fund),
        r.total_budget.grouped(),
        r.reserve.grouped(),
        render::table(&["经办机构", "支出预算", "储备金分摊", "可分配"], &rows, &[1, 2, 3])
    )))
}

pub fn gaps(ctx: &Context, file: &Path) -> Result<Outcome, CliError> {
    let input = read_input(file)?;
    let store = ctx.open()?;
    let city = store.reader().city()?;
    city.fund(&input.fund).ok_or_else(|| CliError::refused(format!("基金 {} 不在本市统筹范围内", input.fund)))?;
    let gap = amount(&input.policy_gap, "policy_gap")?;
    // The gap is covered from the accumulated balance *before* the year's deficit: the pool's net
    // assets at the end of the year before. The year-end balance has already absorbed the gap,
    // so covering from it would count the gap twice.
    let (balance, _) = pool_figures(&store, &input.fund, input.year - 1)?;
    let city_code = city.party.iter().find(|p| p.kind == PartyKind::City).map(|p| p.code.clone()).unwrap_or_default();
    let populations: Vec<(String, u64)> = city
        .party
        .iter()
        .filter(|p| p.kind != PartyKind::Finance)
        .map(|p| (p.code.clone(), p.population.get(&input.fund).copied().unwrap_or(0)))
        .collect();
    let rules = year_rules(&store, input.year)?;
    let populations = sharing_weights(populations, &city_code, &rules);
    let parts = (rules.gap_sharing.city_parts, rules.gap_sharing.county_parts);
    let sharing = share_policy_gap(gap, balance, parts, &city_code, &populations);
    let due =
        rules.management_gap.due_in(input.year + 1).ok_or_else(|| CliError::refused("management_gap.due 无效"))?;
    let paid = gaps_paid(&store, &input.fund, input.year)?;
    let finance_code =
        city.party.iter().find(|p| p.kind == PartyKind::Finance).map(|p| p.code.clone()).unwrap_or_default();
    let paid_by = |party: &str, gap: GapKind| {
        let payer = if party == "finance" { finance_code.as_str() } else { party };
        paid.get(&(payer.to_string(), gap)).copied().unwrap_or(Money::ZERO)
    };
    let mut bills = Vec::new();
    for county in &input.county {
        if city.party(&county.party).is_none_or(|p| p.kind != PartyKind::County) {
            return Err(CliError::refused(format!("{} 不是本市的县（市、区）", county.party)));
        }
        let owed = amount(&county.management_gap, "management_gap")?;
        let settled = paid_from_ledger(paid_by(&county.party, GapKind::Management), &county.gap_paid, &county.party)?;
        if owed.is_positive() {
            bills.push((county.party.clone(), owed, settled));
        }
    }
    if ctx.format == OutputFormat::Json {
        return Ok(Outcome::ok(render::json(&serde_json::json!({
            "year": input.year, "fund": input.fund, "policy_gap": sharing,
            "policy_gap_paid": sharing.payers.iter().map(|(p, share)| serde_json::json!({"party": p, "share": share, "paid": paid_by(p, GapKind::Policy)})).collect::<Vec<_>>(),
            "management_gaps": bills.iter().map(|(p, m, settled)| serde_json::json!({"party": p, "amount": m, "paid": settled, "due": due.to_string()})).collect::<Vec<_>>(),
        }))));
    }
    let rows: Vec<Vec<String>> = sharing
        .payers
        .iter()
        .map(|(party, share)| {
            let name = if party == "finance" { "市财政".to_string() } else { city.short_name(party) };
            let settled = paid_by(party, GapKind::Policy);
            vec![name, share.grouped(), settled.grouped(), Money::from_fen(share.fen() - settled.fen()).grouped()]
        })
        .collect();
    if ctx.format == OutputFormat::Csv {
        // One table: each policy-gap share, then each management gap with its due day.
        let mut all: Vec<Vec<String>> =
            rows.iter().map(|r| [vec!["政策性缺口".to_string()], r.clone(), vec![String::new()]].concat()).collect();
        for (party, owed, settled) in &bills {
            let left = Money::from_fen(owed.fen() - settled.fen());
            all.push(vec![
                "管理性缺口".into(),
                city.short_name(party),
                owed.grouped(),
                settled.grouped(),
                left.grouped(),
                due.to_string(),
            ]);
        }
        return Ok(Outcome::ok(render::csv(&["类别", "分担方", "金额", "已缴", "未缴", "上解期限"], &all, &[2, 3, 4])));
    }
    let mut text = format!(
        "{} 年 {} 政策性缺口 {}（{}）：先由上年末累计结余 {} 弥补 {}，余 {} 由市财政与县（市、区）按 {} : {} 分担\n\
         市财政承担 {}；县（市、区）承担 {} 按参保人数分摊{}\n",
        input.year,
        city.fund_label(&input.fund),
        gap.grouped(),
        rules.gap_sharing.clause,
        balance.grouped(),
        sharing.from_balance.grouped(),
        sharing.shared.grouped(),
        parts.0,
        parts.1,
        sharing.city_finance_half.grouped(),
        sharing.counties_half.grouped(),
        match rules.gap_sharing.city_level_share {
            crate::domain::rules::CityLevelShare::CityFinance => "，市本级份额由市财政承担",
            crate::domain::rules::CityLevelShare::CountiesOnly => "（只在县（市、区）之间分摊）",
        }
    );
    text.push_str(&render::table(&["分担方", "分担金额", "已缴（账簿）", "未缴"], &rows, &[1, 2, 3]));
    if !bills.is_empty() {
        let rows: Vec<Vec<String>> = bills
            .iter()
            .map(|(p, m, settled)| {
                let left = Money::from_fen(m.fen() - settled.fen());
                vec![city.short_name(p), m.grouped(), settled.grouped(), left.grouped(), due.to_string()]
            })
            .collect();
        text.push_str(&format!(
            "管理性缺口由县（市、区）政府承担，次年 {} 前上解（{}；已缴取自账簿中的 gap_payment、gap_charge）：\n",
            rules.management_gap.due, rules.management_gap.clause
        ));
        text.push_str(&render::table(&["县（市、区）", "管理性缺口", "已缴", "未缴", "上解期限"], &rows, &[1, 2, 3]));
    }
    Ok(Outcome::ok(text))
}

/// A book's actual income and expenditure for a year, inter-level flows (and with them the
/// one-off consolidation of pre-pooling balances) left out.
fn actuals(store: &Store, book: &BookCode, year: i32) -> Result<(Money, Money), CliError> {
    let chart = store.reader().chart()?;
    let totals = store.reader().totals_before_closing(book)?;
    let (Some(jan), Some(dec)) = (Period::new(year, 1), Period::new(year, 12)) else {
        return Err(CliError::refused(format!("年度 {year} 无效")));
    };
    let statement = income_statement(&chart, &totals, jan, dec, true);
    Ok((statement.total_revenue, statement.total_expense))
}

/// The premiums the city booked for each county in `year` (4001's sub-account by county, TS 17)
/// plus what each county's medical-aid fund paid for its assisted residents (ZT 9): the county
/// side of JL 14/19's income, which a county's own books never hold. Read once per fund.
fn premiums_by_county(store: &Store, city_book: &BookCode, year: i32) -> Result<BTreeMap<String, Money>, CliError> {
    let chart = store.reader().chart()?;
    let city = store.reader().city()?;
    let totals = store.reader().totals_before_closing(city_book)?;
    let mut premiums: BTreeMap<String, i64> = BTreeMap::new();
    for county in city.counties() {
        let Some(account) = chart.child_by_key("4001", &county.code) else { continue };
        let booked: i64 = totals
            .iter()
            .filter(|t| t.account == account.code && t.period.year == year)
            .map(|t| t.credit.fen() - t.debit.fen())
            .sum();
        premiums.insert(county.code.clone(), booked);
    }
    for e in crate::app::plans::stored_events(store)? {
        if e.fund != city_book.fund || chrono::Datelike::year(&e.date) != year {
            continue;
        }
        if let EventKind::PremiumSponsorship { party: Some(p), amount, .. } = e.kind {
            *premiums.entry(p).or_default() += amount.fen();
        }
    }
    Ok(premiums.into_iter().map(|(p, fen)| (p, Money::from_fen(fen))).collect())
}

/// The columns of the county assessment, in the table and the CSV alike.
const ASSESS_HEADERS: [&str; 12] = [
    "县（市、区）",
    "基金",
    "预算收入",
    "实际收入",
    "预算收入完成率",
    "预算支出",
    "实际支出",
    "预算支出执行率",
    "基金缺口上解率",
    "激励折算",
    "抵缺口",
    "计入下年收入",
];

pub fn assess(ctx: &Context, year: i32, fund: Option<&str>, file: Option<&Path>) -> Result<Outcome, CliError> {
    let input = file.map(read_input).transpose()?;
    let store = ctx.open()?;
    let city = store.reader().city()?;
    let budgets = store.reader().budgets()?;
    let rules = year_rules(&store, year)?;
    // What each county owes comes from the input file; what it paid, from the ledger.
    let mut gaps: BTreeMap<(String, String), (Money, Money)> = BTreeMap::new();
    if let Some(i) = &input {
        let paid = gaps_paid(&store, &i.fund, year)?;
        for c in &i.county {
            let ledger = paid.get(&(c.party.clone(), GapKind::Management)).copied().unwrap_or(Money::ZERO);
            let settled = paid_from_ledger(ledger, &c.gap_paid, &c.party)?;
            gaps.insert((c.party.clone(), i.fund.clone()), (amount(&c.management_gap, "management_gap")?, settled));
        }
    }
    let not_applicable = "不适用".to_string();
    let percent =
        |r: Option<rust_decimal::Decimal>| r.map(|d| format!("{d}%")).unwrap_or_else(|| not_applicable.clone());
    let mut rows = Vec::new();
    let mut json = Vec::new();
    for f in city.fund.iter().filter(|f| fund.is_none_or(|x| x == f.code)) {
        let city_code =
            city.party.iter().find(|p| p.kind == PartyKind::City).map(|p| p.code.clone()).unwrap_or_default();
        let city_book = BookCode::new(&city_code, &f.code);
        let premiums_of = premiums_by_county(&store, &city_book, year)?;
        for county in city.counties() {
            let book = BookCode::new(&county.code, &f.code);
            // JL 14/19: the county's income is the premiums collected there (booked by the city)
            // plus what its own books hold (its matching subsidy, interest).
            let (own_income, expense) = actuals(&store, &book, year)?;
            let premiums = premiums_of.get(&county.code).copied().unwrap_or(Money::ZERO);
            let income = Money::from_fen(own_income.fen() + premiums.fen());
            let (budget_income, budget_expense) = budgets
                .get(&(year, county.code.clone(), f.code.clone()))
                .copied()
                .unwrap_or((Money::ZERO, Money::ZERO));
            let (owed, paid) =
                gaps.get(&(county.code.clone(), f.code.clone())).copied().unwrap_or((Money::ZERO, Money::ZERO));
            let bonus = incentive(
                budget_income,
                income,
                budget_expense,
                expense,
                Money::from_fen((owed.fen() - paid.fen()).max(0)),
                rules.incentive.credit_permille,
            );
            // Without premiums attributed to the county, an income ratio would measure interest
            // against the whole budget: it is not applicable.
            let income_ratio = if premiums.is_zero() { None } else { ratio(income, budget_income) };
            let (expense_ratio, gap_ratio) = (ratio(expense, budget_expense), ratio(paid, owed));
            rows.push(vec![
                city.short_name(&county.code),
                city.fund_label(&f.code),
                budget_income.grouped(),
                income.grouped(),
                percent(income_ratio),
                budget_expense.grouped(),
                expense.grouped(),
                percent(expense_ratio),
                percent(gap_ratio),
                bonus.credit.grouped(),
                bonus.gap_offset.grouped(),
                bonus.next_year_income_credit.grouped(),
            ]);
            json.push(serde_json::json!({
                "party": county.code, "fund": f.code,
                "budget_income": budget_income, "actual_income": income, "premiums": premiums, "income_completion": income_ratio.map(|d| d.to_string()),
                "budget_expense": budget_expense, "actual_expense": expense, "expense_execution": expense_ratio.map(|d| d.to_string()),
                "gap_owed": owed, "gap_paid": paid, "gap_remittance": gap_ratio.map(|d| d.to_string()),
                "incentive": bonus,
            }));
        }
    }
    let note = format!(
        "{year} 年县（市、区）考核（JL 14）：实际收入为在本县征收、由市级分县记入的医保费收入（4001 分县明细，TS 17）\
         加县级账簿的收入（配套补助、利息等），实际支出为县级账簿的支出；均不含上级补助收入、上解上级支出等上下级往来（{}），\
         因此 {year} 年归集结余基金等一次性上解不计入收入；没有分县医保费收入的县不计算预算收入完成率，分母为零的比率同样显示为“不适用”。激励（{}）：超收与节支按千分之 {} 折算，先抵管理性缺口，余额计入下年收入。\n",
        INTER_LEVEL.join("、"),
        rules.incentive.clause,
        rules.incentive.credit_permille
    );
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Json => render::json(&serde_json::json!({"year": year, "counties": json})),
        OutputFormat::Csv => render::csv(&ASSESS_HEADERS, &rows, &[2, 3, 5, 6, 9, 10, 11]),
        OutputFormat::Table => note + &render::table(&ASSESS_HEADERS, &rows, &[2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    }))
}

/// `rules`: the rule set in force on a day, each rule with its clause.
pub fn rules(ctx: &Context, as_of: Option<&str>) -> Result<Outcome, CliError> {
    let day = match as_of {
        Some(text) => crate::domain::ids::parse_date(text).map_err(CliError::refused)?,
        None => ctx.session.today()?,
    };
    let crate::app::rules::InForce { from, rules, versions } = crate::app::rules::show(&ctx.session, day)?;
    let text = match ctx.format {
        OutputFormat::Json => render::json(&serde_json::json!({
            "as_of": day.to_string(), "effective_from": from.to_string(), "rules": rules,
            "versions": versions.iter().map(|(f, by, at)| serde_json::json!({"effective_from": f, "recorded_by": by, "recorded_at": at})).collect::<Vec<_>>(),
        })),
        OutputFormat::Csv => {
            let rows: Vec<Vec<String>> = rules.rows().into_iter().map(|(n, v, c)| vec![n, v, c]).collect();
            render::csv(&["规则", "内容", "出处"], &rows, &[])
        }
        OutputFormat::Table => {
            let rows: Vec<Vec<String>> = rules.rows().into_iter().map(|(n, v, c)| vec![n, v, c]).collect();
            let mut text = format!("{day} 生效的规则集（自 {from} 起）；出处：{}\n", rules.sources.join("；"));
            text.push_str(&render::table(&["规则", "内容", "出处"], &rows, &[]));
            if versions.len() > 1 {
                let listed: Vec<String> = versions.iter().map(|(f, by, _)| format!("{f}（{by}）")).collect();
                text.push_str(&format!("历次版本：{}\n", listed.join("、")));
            }
            text
        }
    };
    Ok(Outcome::ok(text))
}

/// `rules set FILE --from DAY`: records a new version of the rule set.
pub fn set_rules(ctx: &Context, file: &Path, from: &str) -> Result<Outcome, CliError> {
    ctx.refuse_csv("rules set")?;
    let from = crate::domain::ids::parse_date(from).map_err(CliError::refused)?;
    let text = crate::app::files::read_text(file, "规则文件")?;
    crate::app::rules::set(&ctx.session, &text, from)?;
    let fields = serde_json::json!({"file": file.display().to_string(), "effective_from": from});
    ctx.done("rules set", format!("已记录规则集 {}，自 {from} 起生效\n", file.display()), fields)
}

/// The 考核保证金 withheld from each county's allocations in `year`: its approved plans' months
/// of the year, each at the deposit rule in force that month. Read once per fund.
fn deposits_withheld(store: &Store, fund: &str, year: i32) -> Result<BTreeMap<String, Money>, CliError> {
    let opening = store.reader().city()?.opening();
    let mut permilles: BTreeMap<Period, u32> = BTreeMap::new();
    let mut withheld: BTreeMap<String, i64> = BTreeMap::new();
    for plan in store.reader().plans()? {
        if plan.fund != fund || plan.status < crate::plan::PlanStatus::Approved {
            continue;
        }
        for (month, amount) in plan.by_month() {
            if month.year != year {
                continue;
            }
            let permille = match permilles.get(&month) {
                Some(p) => *p,
                None => {
                    let day = month.first_day().max(opening);
                    let p = crate::app::rules::in_force(store, day)?.performance_deposit.permille;
                    permilles.insert(month, p);
                    p
                }
            };
            *withheld.entry(plan.party.clone()).or_default() += crate::plan::withheld(amount, permille).fen();
        }
    }
    Ok(withheld.into_iter().map(|(p, fen)| (p, Money::from_fen(fen))).collect())
}

/// The weights the counties' part of a policy gap is shared by: every agency's insured
/// population, without the 市本级 where the rules say only the counties share.
fn sharing_weights(
    populations: Vec<(String, u64)>,
    city_code: &str,
    rules: &crate::domain::rules::RuleSet,
) -> Vec<(String, u64)> {
    match rules.gap_sharing.city_level_share {
        crate::domain::rules::CityLevelShare::CityFinance => populations,
        crate::domain::rules::CityLevelShare::CountiesOnly => {
            populations.into_iter().filter(|(party, _)| party != city_code).collect()
        }
    }
}

/// What a county holds in its own 专户 beyond the kept months at the start of `year` (WH 三(三)):
/// its 1004 balance at the end of the year before, less `months_kept` of this year's budgeted
/// monthly expenditure.
fn held_locally(
    store: &Store,
    chart: &crate::domain::chart::Chart,
    county: &str,
    fund: &str,
    year: i32,
    months_kept: u32,
    budget_expense: Money,
) -> Result<Money, CliError> {
    let totals = store.reader().totals_before_closing(&BookCode::new(county, fund))?;
    let end = Period::new(year - 1, 12).ok_or_else(|| CliError::refused(format!("年度 {year} 无效")))?;
    let balance: i64 = totals
        .iter()
        .filter(|t| chart.is_within(&t.account, "1004") && t.period <= end)
        .map(|t| t.debit.fen() - t.credit.fen())
        .sum();
    let kept = budget_expense.fen() / 12 * i64::from(months_kept);
    Ok(Money::from_fen((balance - kept).max(0)))
}

/// Computes a fund's settlement for `year` from the ledger, budgets, plans and rules.
fn settlement_of(store: &Store, year: i32, fund: &str) -> Result<crate::policy::Settlement, CliError> {
    let city = store.reader().city()?;
    let rules = year_rules(store, year)?;
    let budgets = store.reader().budgets()?;
    let city_code = city.party.iter().find(|p| p.kind == PartyKind::City).map(|p| p.code.clone()).unwrap_or_default();
    let city_book = BookCode::new(&city_code, fund);
    let chart = store.reader().chart()?;
    let premiums_of = premiums_by_county(store, &city_book, year)?;
    let deposits = deposits_withheld(store, fund, year)?;
    let mut counties = Vec::new();
    for county in city.counties() {
        let (own_income, expense) = actuals(store, &BookCode::new(&county.code, fund), year)?;
        let premiums = premiums_of.get(&county.code).copied().unwrap_or(Money::ZERO);
        let (budget_income, budget_expense) =
            budgets.get(&(year, county.code.clone(), fund.to_string())).copied().unwrap_or((Money::ZERO, Money::ZERO));
        let held = if rules.balance_remittance.held_locally {
            held_locally(store, &chart, &county.code, fund, year, rules.balance_remittance.months_kept, budget_expense)?
        } else {
            Money::ZERO
        };
        let settled = crate::policy::settle_county(
            budget_income,
            Money::from_fen(own_income.fen() + premiums.fen()),
            budget_expense,
            expense,
            deposits.get(&county.code).copied().unwrap_or(Money::ZERO),
            held,
            rules.incentive.credit_permille,
        );
        counties.push((county.code.clone(), settled));
    }
    let totals = consolidated(store, fund)?;
    let (Some(jan), Some(dec)) = (Period::new(year, 1), Period::new(year, 12)) else {
        return Err(CliError::refused(format!("年度 {year} 无效")));
    };
    let statement = income_statement(&chart, &totals, jan, dec, true);
    // What the counties bear (management gaps) and cover themselves (WH: from what they hold)
    // is not the pool's to share.
    let management: i64 = counties.iter().map(|(_, c)| c.management_gap.fen() + c.local_gap_covered.fen()).sum();
    let deficit = statement.total_expense.fen() - statement.total_revenue.fen();
    let policy_gap = Money::from_fen((deficit - management).max(0));
    let (opening_balance, _) = pool_figures(store, fund, year - 1)?;
    let populations: Vec<(String, u64)> = city
        .party
        .iter()
        .filter(|p| p.kind != PartyKind::Finance)
        .map(|p| (p.code.clone(), p.population.get(fund).copied().unwrap_or(0)))
        .collect();
    let populations = sharing_weights(populations, &city_code, &rules);
    let parts = (rules.gap_sharing.city_parts, rules.gap_sharing.county_parts);
    Ok(crate::policy::Settlement {
        year,
        fund: fund.to_string(),
        gap_due: rules.management_gap.due_in(year + 1).ok_or_else(|| CliError::refused("management_gap.due 无效"))?,
        clauses: vec![
            rules.management_gap.clause.clone(),
            rules.incentive.clause.clone(),
            rules.gap_sharing.clause.clone(),
            rules.settlement.clause.clone(),
        ],
        counties,
        pool_income: statement.total_revenue,
        pool_expense: statement.total_expense,
        policy_gap,
        sharing: share_policy_gap(policy_gap, opening_balance, parts, &city_code, &populations),
    })
}

/// `settle --year Y`: the year-end settlement of each fund (or the one asked for), recorded as a
/// run; a re-run lists what changed; `--output` writes the deposit releases as draft events.
pub fn settle(
    ctx: &Context,
    year: i32,
    fund: Option<&str>,
    output: Option<&Path>,
    force: bool,
) -> Result<Outcome, CliError> {
    ctx.refuse_csv("settle")?;
    if let Some(path) = output {
        crate::app::files::check_output(&ctx.db, path, force)?;
    }
    let store = ctx.open()?;
    let city = store.reader().city()?;
    if let Some(f) = fund {
        city.fund(f).ok_or_else(|| CliError::refused(format!("基金 {f} 不在本市统筹范围内")))?;
    }
    let mut text = String::new();
    let mut json = Vec::new();
    let mut events = String::new();
    for f in city.fund.iter().filter(|f| fund.is_none_or(|x| x == f.code)) {
        let settlement = settlement_of(&store, year, &f.code)?;
        let previous = crate::app::settlement::record(&ctx.session, &settlement)?;
        let changes = previous.as_ref().map(|p| settlement.changes_since(p));
        for (party, c) in settlement.counties.iter().filter(|(_, c)| c.deposit_released.is_positive()) {
            let id = format!("SETTLE-{year}-{party}-{}", f.code);
            events.push_str(&format!(
                "\n[[event]]\nid = \"{id}\"\nkind = \"allocate_to_county\"\ndate = \"{}\"\nfund = \"{}\"\nref = \"{id}\"\nparty = \"{party}\"\npurpose = \"deposit_release\"\namount = \"{}\"\nsummary = \"返还{year}年考核保证金（年终结算）\"\n",
                // Paid within the settlement period, after the year: today, or the year's end.
                ctx.session.today()?.max(chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("valid date")),
                f.code,
                c.deposit_released.plain()
            ));
        }
        if ctx.format == OutputFormat::Json {
            json.push(serde_json::json!({"settlement": settlement, "changes": changes}));
            continue;
        }
        let rows: Vec<Vec<String>> = settlement
            .counties
            .iter()
            .map(|(party, c)| {
                vec![
                    city.short_name(party),
                    c.budget_income.grouped(),
                    c.actual_income.grouped(),
                    c.budget_expense.grouped(),
                    c.actual_expense.grouped(),
                    c.management_gap.grouped(),
                    c.incentive.grouped(),
                    c.incentive_offset.grouped(),
                    c.deposit_withheld.grouped(),
                    c.deposit_forfeited.grouped(),
                    c.deposit_released.grouped(),
                    c.gap_owed.grouped(),
                ]
            })
            .collect();
        text.push_str(&format!(
            "{year} 年 {} 年终结算（{}）：管理性缺口由县（市、区）政府承担，先以超收节支激励折算抵减，再以考核保证金抵扣，余额 {} 前上解；\n",
            f.name,
            settlement.clauses.join("，"),
            settlement.gap_due
        ));
        text.push_str(&render::table(
            &[
                "县（市、区）",
                "预算收入",
                "实际收入",
                "预算支出",
                "实际支出",
                "管理性缺口",
                "激励折算",
                "抵缺口",
                "保证金预留",
                "保证金扣抵",
                "保证金返还",
                "应缴缺口",
            ],
            &rows,
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        ));
        let held: Vec<String> = settlement
            .counties
            .iter()
            .filter(|(_, c)| c.held_locally.is_positive())
            .map(|(p, c)| {
                format!(
                    "{} 暂存 {}，弥补当地缺口 {}",
                    city.short_name(p),
                    c.held_locally.grouped(),
                    c.local_gap_covered.grouped()
                )
            })
            .collect();
        if !held.is_empty() {
            text.push_str(&format!("暂存当地专户、先用于弥补当地缺口的结余：{}\n", held.join("；")));
        }
        text.push_str(&format!(
            "全市统筹：收入 {}，支出 {}；扣除管理性缺口和当地弥补后的政策性缺口 {}：上年末累计结余弥补 {}，余 {} 由市财政承担 {}、县（市、区）承担 {}\n",
            settlement.pool_income.grouped(),
            settlement.pool_expense.grouped(),
            settlement.policy_gap.grouped(),
            settlement.sharing.from_balance.grouped(),
            settlement.sharing.shared.grouped(),
            settlement.sharing.city_finance_half.grouped(),
            settlement.sharing.counties_half.grouped()
        ));
        match changes {
            None => text.push_str("首次结算，已记录。\n\n"),
            Some(list) if list.is_empty() => text.push_str("与上次结算相比没有变化。\n\n"),
            Some(list) => text.push_str(&format!("与上次结算相比的变化：\n  {}\n\n", list.join("\n  "))),
        }
    }
    if let Some(path) = output {
        let file = format!(
            "# {year} 年终结算隐含的事件：考核保证金返还。由财政人员核对后用 fundpool post 记为草稿凭证。\n{events}"
        );
        ctx.write_output(path, file.as_bytes(), force)?;
        text.push_str(&format!("已写出 {}\n", path.display()));
    }
    if ctx.format == OutputFormat::Json {
        text = render::json(&serde_json::json!({"year": year, "funds": json}));
    }
    Ok(Outcome::ok(text))
}
