//! Spending plans (用款计划) and budgets as staff act on them: save draft plans, take a
//! workflow step (submit, combine, approve, check), import budgets. Each decides inside its
//! write transaction, so two offices stepping the same plan at once cannot both succeed.

use super::{refuse_all, Error, Result, Session};
use crate::domain::access::Role;
use crate::domain::ids::PartyKind;
use crate::money::Money;
use crate::plan::{advance, check_lines, Plan, PlanLine, Quarter, Step};
use chrono::NaiveDate;

/// A plan as staff enter it: party, fund, quarter, stated total, lines.
pub type NewPlan = (String, String, Quarter, Money, Vec<PlanLine>);

/// Saves draft plans, all or none; returns a line per plan saved.
pub fn save(session: &Session, plans: Vec<NewPlan>) -> Result<Vec<String>> {
    let operator = session.actor()?;
    session.require(Role::Maker, plans.iter().map(|p| p.0.as_str()))?;
    let mut store = session.write("plan")?;
    let mut writer = store.writer()?;
    let city = writer.reader().city()?;
    let chart = writer.reader().chart()?;
    let mut problems = Vec::new();
    for (party, fund, q, total, lines) in &plans {
        if let Err(list) = check_lines(&city, &chart, party, fund, *q, *total, lines) {
            problems.extend(list.into_iter().map(|p| format!("{party}/{fund} {q}：{p}")));
        }
    }
    let mut made = Vec::new();
    if problems.is_empty() {
        for (party, fund, q, total, lines) in &plans {
            match writer.insert_plan(party, fund, *q, *total, lines, &operator, &session.now)? {
                Some(_) => made.push(format!("{party}/{fund} {q} 用款计划（草稿）合计 {}", total.grouped())),
                None => problems.push(format!("{party}/{fund} 已有 {q} 的用款计划")),
            }
        }
    }
    if !problems.is_empty() {
        return Err(refuse_all(&format!("{} 处错误，没有保存任何计划：", problems.len()), &problems));
    }
    writer.commit()?;
    Ok(made)
}

/// What a workflow step did.
pub struct Stepped {
    pub plans: usize,
    /// The step's due date, when the timetable has one.
    pub due: Option<NaiveDate>,
}

/// Takes a workflow step: `submit` for one agency's plan; `combine`, `approve` and `check` for
/// every plan of the fund and quarter.
pub fn step(
    session: &Session,
    step: Step,
    party: Option<&str>,
    fund: &str,
    q: Quarter,
    on: NaiveDate,
) -> Result<Stepped> {
    let operator = session.actor()?;
    let mut store = session.write("plan")?;
    let mut writer = store.writer()?;
    let city = writer.reader().city()?;
    let planned_in = q.planning_month().first_day().max(city.opening());
    let plan_rule = writer.reader().rules_in_force(planned_in)?.map(|(_, rules)| rules.plans);
    // Who takes each step: the agency submits (制单), the city agency combines (制单) and the
    // 医保局 approves (审核) on the city's side, the finance bureau checks (审核).
    let party_of =
        |kind: PartyKind| city.party.iter().find(|p| p.kind == kind).map(|p| p.code.clone()).unwrap_or_default();
    let (role, acting_party) = match step {
        Step::Submit => (Role::Maker, party.unwrap_or_default().to_string()),
        Step::Combine => (Role::Maker, party_of(PartyKind::City)),
        Step::Approve => (Role::Reviewer, party_of(PartyKind::City)),
        Step::Check => (Role::Reviewer, party_of(PartyKind::Finance)),
    };
    session.require(role, [acting_party.as_str()])?;
    let plans: Vec<Plan> = writer.reader().plans()?.into_iter().filter(|p| p.fund == fund && p.quarter == q).collect();
    let chosen: Vec<&Plan> = match (step, party) {
        (Step::Submit, Some(party)) => plans.iter().filter(|p| p.party == party).collect(),
        (Step::Submit, None) => return Err(Error::refused("提交用款计划须用 --party 说明是哪个经办机构的计划")),
        (_, Some(_)) => return Err(Error::refused("汇总、审核、复核针对全市该基金该季度的全部计划，不用 --party")),
        (_, None) => plans.iter().collect(),
    };
    if chosen.is_empty() {
        return Err(Error::refused(format!("没有 {} {fund} {q} 的用款计划", party.unwrap_or("全市"))));
    }
    let mut problems = Vec::new();
    if step == Step::Combine {
        for agency in city.party.iter().filter(|p| p.kind != PartyKind::Finance) {
            if agency.population.get(fund).copied().unwrap_or(1) == 0 {
                continue;
            }
            if !plans.iter().any(|p| p.party == agency.code && p.submitted.is_some()) {
                problems.push(format!("{} 尚未提交 {q} 用款计划，不能汇总", city.short_name(&agency.code)));
            }
        }
    }
    for plan in &chosen {
        if let Err(message) = advance(plan.status, step) {
            problems.push(format!("{}/{} {q}：{message}", plan.party, plan.fund));
        }
    }
    if !problems.is_empty() {
        return Err(refuse_all(&format!("不能{}：", step.label()), &problems));
    }
    for plan in &chosen {
        writer.record_step(plan.id, step, &operator, on)?;
    }
    writer.set_target(format!("{fund} {q} {}（{} 份）", step.label(), chosen.len()));
    writer.commit()?;
    let due = match (step, &plan_rule) {
        (Step::Submit, Some(rule)) => Some(q.submission_due(rule)),
        (Step::Combine, Some(rule)) => Some(q.combination_due(rule)),
        _ => None,
    };
    Ok(Stepped { plans: chosen.len(), due })
}

/// The line number a problem starts with ("第 3 行：…"), to list problems in file order.
fn line_number(problem: &str) -> u64 {
    problem.trim_start_matches("第 ").split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// One budget row as read from a file: its line, year, party, fund, income, expenditure.
pub type BudgetRow = (u64, i32, String, String, Money, Money);

/// Saves budgets (replacing a year's figures for the same agency and fund), all or none.
/// `problems` are those the reader of the file already found, reported with the rest.
pub fn import_budgets(session: &Session, rows: &[BudgetRow], mut problems: Vec<String>) -> Result<usize> {
    session.require(Role::Admin, [crate::domain::access::ALL_PARTIES])?;
    let mut store = session.write("budget import")?;
    let mut writer = store.writer()?;
    let city = writer.reader().city()?;
    for (row, _, party, fund, income, expenditure) in rows {
        if city.party(party).is_none_or(|p| p.kind == PartyKind::Finance) {
            problems.push(format!("第 {row} 行：经办机构 {party} 不存在"));
        }
        if city.fund(fund).is_none() {
            problems.push(format!("第 {row} 行：基金 {fund} 不在本市统筹范围内"));
        }
        if income.fen() < 0 || expenditure.fen() < 0 {
            problems.push(format!("第 {row} 行：预算金额不能为负"));
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| line_number(p));
        return Err(refuse_all(&format!("{} 处错误，没有保存任何预算：", problems.len()), &problems));
    }
    for (_, year, party, fund, income, expenditure) in rows {
        writer.upsert_budget(*year, party, fund, *income, *expenditure)?;
    }
    writer.commit()?;
    Ok(rows.len())
}

/// Records what a county's matching subsidy is computed from (TS 8): its June-end resident
/// headcount and the per-capita standard. A later record for the same year and county replaces it.
pub fn set_matching_basis(session: &Session, basis: &crate::plan::deadlines::MatchingBasis) -> Result<Money> {
    session.require(Role::Admin, [crate::domain::access::ALL_PARTIES])?;
    let mut store = session.write("budget matching")?;
    let mut writer = store.writer()?;
    let city = writer.reader().city()?;
    if city.party(&basis.party).is_none_or(|p| p.kind != PartyKind::County) {
        let counties: Vec<&str> = city.counties().map(|p| p.code.as_str()).collect();
        return Err(Error::refused(format!(
            "{} 不是本市的县（市、区）；县级配套补助只由县（市、区）缴纳：{}",
            crate::domain::ids::quote(&basis.party),
            counties.join("、")
        )));
    }
    if city.fund("resident").is_none() {
        return Err(Error::refused("本市未统筹城乡居民医保基金，没有县级配套补助（TS 8）"));
    }
    if basis.headcount == 0 || !basis.per_capita.is_positive() {
        return Err(Error::refused("参保人数和人均配套标准都须大于零"));
    }
    let due = basis.due().ok_or_else(|| Error::refused("参保人数 × 人均标准超出金额范围"))?;
    writer.upsert_matching_basis(basis)?;
    writer.set_target(format!("{} {}", basis.year, basis.party));
    writer.commit()?;
    Ok(due)
}

/// Every business event on file, parsed. Events stored before each party booked its own side
/// carry `received_on`; it named the other side's date, which that side now records itself, so
/// it is set aside here rather than read.
pub fn stored_events(store: &crate::store::Store) -> Result<Vec<crate::posting::event::Event>> {
    store
        .reader()
        .events()?
        .into_iter()
        .map(|mut raw| {
            raw.fields.remove("received_on");
            raw.parse().map_err(|e| Error::integrity(format!("已存事件无法读取：{}", e.join("；"))))
        })
        .collect()
}

/// Every obligation of the timetable with its status on `as_of` (the deadline monitor).
pub fn obligations(
    store: &crate::store::Store,
    calendar: &crate::calendar::Calendar,
    as_of: NaiveDate,
) -> Result<Vec<crate::plan::deadlines::Obligation>> {
    let reader = store.reader();
    let city = reader.city()?;
    let events = stored_events(store)?;
    let plans = reader.plans()?;
    let budgets = reader.budgets()?;
    let instruments = reader.instruments()?;
    let closed_on = reader.close_dates()?;
    let bank_lines: Vec<_> =
        reader.statement_lines(as_of)?.into_iter().filter(|l| l.source == crate::reconcile::Source::Bank).collect();
    let matching_basis = reader.matching_basis()?;
    let rules = super::rules::in_force(store, as_of.max(city.opening()))?;
    let input = crate::plan::deadlines::Input {
        city: &city,
        rules: &rules,
        calendar,
        as_of,
        events: &events,
        plans: &plans,
        budgets: &budgets,
        instruments: &instruments,
        closed_on: &closed_on,
        bank_lines: &bank_lines,
        matching_basis: &matching_basis,
    };
    crate::plan::deadlines::obligations(&input).map_err(|e| Error::refused(e.to_string()))
}
