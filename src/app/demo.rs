//! The demo's month as staff would work it: reversals, the month's events (posted in one step
//! by a trusted feed), the other parties' statements, next quarter's plans, year-end in
//! December, the reconciliation run, and the close — refused when the run found differences,
//! then closed with the planted anomalies named as the reason. The CLI's `demo` drives it
//! month by month and renders the summary.

use super::closing::{close, year_end, CloseRequest};
use super::events::post_events;
use super::ledger::reverse;
use super::reconcile::{import_lines, run};
use super::{Error, Result, Session};
use crate::domain::ids::Period;
use crate::import::events::PlacedEvent;
use crate::plan::Step;
use crate::reconcile::Report;
use crate::scenario::{self, Year};
use crate::store::Store;

/// What happened in one month, for the summary.
pub struct MonthResult {
    pub period: Period,
    pub events: usize,
    pub vouchers: usize,
    pub report: Report,
    pub run_id: i64,
    pub closed: String,
}

/// Runs one month of the demo year. `staff` is (maker, reviewer).
pub fn run_month(
    session: &Session,
    store: &mut Store,
    year: &Year,
    month: &scenario::Month,
    staff: (&str, &str),
) -> Result<MonthResult> {
    let (maker, reviewer) = staff;
    for reversal in &month.reversals {
        let number = store
            .reader()
            .voucher_by_external(&reversal.book, &reversal.event_id)?
            .ok_or_else(|| Error::refused(format!("找不到 {} 的凭证 {}", reversal.book, reversal.event_id)))?;
        reverse(session, &reversal.book, number, Some(reversal.date), reviewer)?;
    }
    let placed: Vec<PlacedEvent> = month
        .events
        .iter()
        .enumerate()
        .map(|(i, raw)| PlacedEvent { place: format!("{} 第 {} 个事件", month.period, i + 1), raw: raw.clone() })
        .collect();
    let posted = post_events(session, placed, Some(reviewer), None)?;
    let lines: Vec<_> = month
        .statements
        .iter()
        .enumerate()
        .map(|(i, k)| (format!("{} 对账单第 {} 行", month.period, i + 1), k.key.clone(), k.line.clone()))
        .collect();
    import_lines(session, "statement", &lines, None)?;
    if month.period.month == 12 {
        // 期末结转 before December is reconciled and closed (the opening December too, where a
        // city's rules have balances collected on the opening day itself, WH 三(三)).
        year_end(session, month.period.year, None, reviewer)?;
    }
    record_plans(store, &month.plans, maker)?;
    let (report, run_id) = run(session, month.period, None, None)?;
    let plain = CloseRequest { period: month.period, book: None, accept_differences: None, on: month.close_on };
    let closed = if report.differences() == 0 {
        close(session, &plain)?;
        "已结账".to_string()
    } else {
        // The close is refused; the finance office explains the differences (the corrections
        // follow next month) and closes with the reason on record.
        let refused = close(session, &plain).is_err();
        let reason: Vec<&str> = year
            .anomalies
            .iter()
            .filter(|a| a.period == month.period && a.severity == "difference")
            .map(|a| a.description.as_str())
            .collect();
        let reason = reason.join("；");
        close(session, &CloseRequest { accept_differences: Some(&reason), ..plain })?;
        if refused {
            "结账被拒；说明理由后结账".to_string()
        } else {
            "已结账".to_string()
        }
    };
    Ok(MonthResult {
        period: month.period,
        events: posted.accepted.len(),
        vouchers: posted.voucher_ids.len(),
        report,
        run_id,
        closed,
    })
}

/// The demo's users, one per role, with their passwords (made once; a demo database only).
pub fn demo_users(session: &Session) -> Result<Vec<(String, String, String)>> {
    use crate::domain::access::{Role, ALL_PARTIES};
    let store = session.read()?;
    if store.reader().setting("demo")?.is_none() {
        return Err(Error::refused("--demo 只用于 fundpool demo 建立的演示账套：请先运行 fundpool demo"));
    }
    let city = store.reader().city()?;
    drop(store);
    let county = city.counties().next().map(|p| p.code.clone()).unwrap_or_else(|| ALL_PARTIES.to_string());
    let city_party = city.party.iter().find(|p| p.kind == crate::domain::ids::PartyKind::City).map(|p| p.code.clone());
    let city_party = city_party.unwrap_or_else(|| ALL_PARTIES.to_string());
    let staff: Vec<(String, Vec<(String, Role)>)> = vec![
        ("演示管理员".into(), vec![(ALL_PARTIES.into(), Role::Admin), (ALL_PARTIES.into(), Role::Reader)]),
        (format!("{}制单", city.short_name(&county)), vec![(county.clone(), Role::Maker)]),
        ("市本级制单".into(), vec![(city_party.clone(), Role::Maker)]),
        ("演示审核员".into(), vec![(ALL_PARTIES.into(), Role::Reviewer)]),
        ("演示记账员".into(), vec![(ALL_PARTIES.into(), Role::Poster)]),
        ("演示对账员".into(), vec![(ALL_PARTIES.into(), Role::Closer)]),
        ("演示审计员".into(), vec![(ALL_PARTIES.into(), Role::Reader)]),
    ];
    let password = |name: &str| format!("demo-{}", name.chars().count() * 1111);
    let first = !session.has_users()?;
    let mut made = Vec::new();
    for (name, grants) in &staff {
        let admin_session = Session {
            user: Some("演示管理员".into()),
            password: Some(password("演示管理员")),
            ..session.as_operator("演示")
        };
        let exists = session.read()?.reader().user(name)?.is_some();
        if !exists {
            if first && name == "演示管理员" {
                super::users::add(session, name, &password(name), true)?;
            } else {
                super::users::add(&admin_session, name, &password(name), false)?;
            }
        }
        for (party, role) in grants {
            super::users::grant(&admin_session, name, party, *role)?;
        }
        let roles: Vec<String> = grants.iter().map(|(p, r)| format!("{p}:{}", r.label())).collect();
        made.push((name.clone(), roles.join(" "), password(name)));
    }
    Ok(made)
}

/// Marks the database as a demo (which `demo` may replace) and records the year's budgets.
pub fn prepare(store: &mut Store, which: &str, year: &Year) -> Result<()> {
    let mut writer = store.writer()?;
    writer.set_setting("demo", which)?;
    for (y, party, fund, income, expenditure) in &year.budgets {
        writer.upsert_budget(*y, party, fund, *income, *expenditure)?;
    }
    writer.commit()?;
    Ok(())
}

/// Next quarter's plans, made this month, through their whole workflow on their dates.
fn record_plans(store: &mut Store, plans: &[scenario::PlanEntry], maker: &str) -> Result<()> {
    if plans.is_empty() {
        return Ok(());
    }
    let mut writer = store.writer()?;
    for plan in plans {
        let id = writer
            .insert_plan(
                &plan.party,
                &plan.fund,
                plan.quarter,
                plan.total,
                &plan.lines,
                maker,
                &plan.submitted_on.to_string(),
            )?
            .ok_or_else(|| Error::refused(format!("{} {} {} 的用款计划重复", plan.party, plan.fund, plan.quarter)))?;
        writer.record_step(id, Step::Submit, maker, plan.submitted_on)?;
        writer.record_step(id, Step::Combine, "市医保经办机构", plan.combined_on)?;
        writer.record_step(id, Step::Approve, "市医保局", plan.approved_on)?;
        writer.record_step(id, Step::Check, "市财政局", plan.checked_on)?;
    }
    writer.commit()?;
    Ok(())
}
