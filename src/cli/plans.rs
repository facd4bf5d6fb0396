//! `plan …`, `budget import`, `schedule` and `deadlines`: spending plans through their
//! workflow, the allocation events they turn into, the consolidation schedule, and the deadline
//! monitor (exit 4 when something is overdue).

use super::{exit, CliError, Context, Outcome};
use crate::calendar::Calendar;
use crate::domain::ids::{parse_date, quote, PartyKind, Period};
use crate::money::Money;
use crate::plan::deadlines::{Obligation, Status};
use crate::plan::schedule::consolidation_schedule;
use crate::plan::{allocation_events, withheld, Plan, PlanLine, Quarter, Step};
use crate::posting::event::{Event, EventKind};
use crate::render::{self, OutputFormat};
use crate::store::Store;
use chrono::NaiveDate;
use std::path::Path;

fn quarter(text: &str) -> Result<Quarter, CliError> {
    Quarter::parse(text).map_err(CliError::refused)
}

/// `MONTH:CATEGORY:AMOUNT`, e.g. `2023-04:inpatient:20000000.00`.
fn parse_line(text: &str) -> Result<PlanLine, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let [month, category, amount] = parts.as_slice() else {
        return Err(format!(
            "--line \"{}\" 的写法应为 月份:类别:金额，例如 2023-04:inpatient:20000000.00",
            quote(text)
        ));
    };
    Ok(PlanLine {
        month: Period::parse(month)?,
        category: category.trim().to_string(),
        amount: Money::parse(amount).map_err(|e| e.to_string())?,
    })
}

pub fn create(
    ctx: &Context,
    party: &str,
    fund: &str,
    q: &str,
    total: &str,
    lines: &[String],
) -> Result<Outcome, CliError> {
    let q = quarter(q)?;
    let total = Money::parse(total).map_err(|e| CliError::refused(e.to_string()))?;
    let lines = lines.iter().map(|l| parse_line(l)).collect::<Result<Vec<_>, _>>().map_err(CliError::refused)?;
    ctx.refuse_csv("plan create")?;
    let made = crate::app::plans::save(&ctx.session, vec![(party.to_string(), fund.to_string(), q, total, lines)])?;
    ctx.done("plan create", format!("已保存{}\n", made.join("\n")), serde_json::json!({"saved": made}))
}

/// A plan CSV: `party,fund,quarter,total,month,category,amount`, one row per cell; `total` is
/// the plan's stated quarter total, the same on every row of the plan.
pub fn import(ctx: &Context, file: &Path) -> Result<Outcome, CliError> {
    ctx.refuse_csv("plan import")?;
    let (mut reader, _) = crate::import::tabular::csv_reader(file).map_err(CliError::refused)?;
    let expected = ["party", "fund", "quarter", "total", "month", "category", "amount"];
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CliError::refused(format!("{}：无法读取表头：{e}", file.display())))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers != expected {
        return Err(CliError::refused(format!(
            "{}：用款计划的表头应为 {}，实为 {}",
            file.display(),
            expected.join(","),
            headers.join(",")
        )));
    }
    let mut plans: Vec<(String, String, Quarter, Money, Vec<PlanLine>)> = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CliError::refused(format!("{}：CSV 格式错误：{e}", file.display())))?;
        let row = record.position().map(|p| p.line()).unwrap_or(0);
        if crate::import::tabular::is_blank(&record) {
            continue;
        }
        let get = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        let parsed = (|| -> Result<_, String> {
            let q = Quarter::parse(&get(2))?;
            let total = Money::parse(&get(3)).map_err(|e| e.to_string())?;
            let line = parse_line(&format!("{}:{}:{}", get(4), get(5), get(6)))?;
            Ok((q, total, line))
        })();
        match parsed {
            Ok((q, total, line)) => {
                let key = (get(0), get(1), q);
                match plans.iter_mut().find(|p| (p.0.clone(), p.1.clone(), p.2) == key) {
                    Some(plan) if plan.3 != total => {
                        problems.push(format!("第 {row} 行：同一计划的 total {} 与前面的 {} 不一致", total, plan.3))
                    }
                    Some(plan) => plan.4.push(line),
                    None => plans.push((key.0, key.1, q, total, vec![line])),
                }
            }
            Err(message) => problems.push(format!("第 {row} 行：{message}")),
        }
    }
    if !problems.is_empty() {
        return Err(CliError::refused(format!(
            "{} 中有 {} 处错误，没有保存任何计划：\n  {}",
            file.display(),
            problems.len(),
            problems.join("\n  ")
        )));
    }
    let made = crate::app::plans::save(&ctx.session, plans)?;
    let text = format!("已保存 {} 份用款计划：\n  {}\n", made.len(), made.join("\n  "));
    ctx.done("plan import", text, serde_json::json!({"saved": made}))
}

/// Takes a workflow step: `submit` for one agency's plan; `combine`, `approve` and `check` for
/// every plan of the fund and quarter.
pub fn step(
    ctx: &Context,
    step: Step,
    party: Option<&str>,
    fund: &str,
    q: &str,
    on: Option<&str>,
) -> Result<Outcome, CliError> {
    let q = quarter(q)?;
    let on = ctx.business_date(on)?;
    ctx.refuse_csv("plan")?;
    let done = crate::app::plans::step(&ctx.session, step, party, fund, q, on)?;
    let due = done.due;
    let late = due.filter(|d| on > *d).map(|d| format!("（期限 {d}，已逾期）")).unwrap_or_default();
    let text = format!("已{} {} 份 {fund} {q} 用款计划，日期 {on}{late}\n", step.label(), done.plans);
    let fields = serde_json::json!({
        "step": step.label(), "fund": fund, "quarter": q.to_string(), "plans": done.plans, "on": on.to_string(),
        "due": due.map(|d| d.to_string()), "late": due.is_some_and(|d| on > d),
    });
    ctx.done("plan", text, fields)
}

pub fn show(ctx: &Context, fund: Option<&str>, q: Option<&str>) -> Result<Outcome, CliError> {
    let q = q.map(quarter).transpose()?;
    let store = ctx.open()?;
    let city = store.reader().city()?;
    let plans: Vec<Plan> = store
        .reader()
        .plans()?
        .into_iter()
        .filter(|p| fund.is_none_or(|f| p.fund == f) && q.is_none_or(|q| p.quarter == q))
        .collect();
    let permilles = plans
        .iter()
        .map(|p| {
            let first = p.quarter.months()[0].first_day().max(city.opening());
            crate::app::rules::in_force(&store, first).map(|r| r.performance_deposit.permille)
        })
        .collect::<Result<Vec<u32>, _>>()?;
    let rows: Vec<Vec<String>> = plans
        .iter()
        .zip(permilles)
        .map(|(p, permille)| {
            let months = p.by_month();
            let is_city = city.party(&p.party).is_some_and(|x| x.kind == PartyKind::City);
            let deposit: i64 = if is_city { 0 } else { months.values().map(|m| withheld(*m, permille).fen()).sum() };
            let mut row = vec![
                p.quarter.to_string(),
                city.fund_label(&p.fund),
                city.short_name(&p.party),
                p.status.label().to_string(),
            ];
            row.extend(months.values().map(|m| m.grouped()));
            row.push(p.total.grouped());
            row.push(Money::from_fen(deposit).grouped());
            row.push(p.submitted.as_ref().map(|s| s.1.to_string()).unwrap_or_default());
            row
        })
        .collect();
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Json => render::json(&serde_json::json!({
            "plans": plans.iter().map(|p| serde_json::json!({
                "party": p.party, "fund": p.fund, "quarter": p.quarter.to_string(), "status": p.status.as_str(),
                "total": p.total, "months": p.by_month().iter().map(|(m, a)| (m.to_string(), a.plain())).collect::<std::collections::BTreeMap<_, _>>(),
                "submitted_on": p.submitted.as_ref().map(|s| s.1.to_string()),
                "combined_on": p.combined.as_ref().map(|s| s.1.to_string()),
                "approved_on": p.approved.as_ref().map(|s| s.1.to_string()),
                "checked_on": p.checked.as_ref().map(|s| s.1.to_string()),
            })).collect::<Vec<_>>()
        })),
        OutputFormat::Csv => render::csv(
            &["季度", "基金", "经办机构", "状态", "第1月", "第2月", "第3月", "季度合计", "考核保证金", "报送日期"],
            &rows,
            &[4, 5, 6, 7, 8],
        ),
        OutputFormat::Table if rows.is_empty() => "没有用款计划\n".into(),
        OutputFormat::Table => render::table(
            &["季度", "基金", "经办机构", "状态", "第1月", "第2月", "第3月", "季度合计", "考核保证金", "报送日期"],
            &rows,
            &[4, 5, 6, 7, 8],
        ),
    }))
}

/// The allocation events of the checked plans of a fund and quarter, as an events file.
pub fn export(ctx: &Context, fund: &str, q: &str, output: Option<&Path>, force: bool) -> Result<Outcome, CliError> {
    super::one_output(ctx, "plan export", "事件文件（TOML）")?;
    let q = quarter(q)?;
    if let Some(path) = output {
        crate::app::files::check_output(&ctx.db, path, force)?;
    }
    let store = ctx.open()?;
    let city = store.reader().city()?;
    let calendar = ctx.calendar()?;
    let plans: Vec<Plan> = store.reader().plans()?.into_iter().filter(|p| p.fund == fund && p.quarter == q).collect();
    if plans.is_empty() {
        return Err(CliError::refused(format!("没有 {fund} {q} 的用款计划")));
    }
    let unapproved: Vec<String> = plans
        .iter()
        .filter(|p| p.status < crate::plan::PlanStatus::Approved)
        .map(|p| format!("{}（{}）", p.party, p.status.label()))
        .collect();
    if !unapproved.is_empty() {
        return Err(CliError::refused(format!("用款计划尚未审核，不能生成拨款事件：{}", unapproved.join("、"))));
    }
    let rules = crate::app::rules::in_force(&store, q.months()[0].first_day().max(city.opening()))?;
    let mut text = format!("# {fund} {q} 用款计划生成的拨款事件：由财政人员核对后用 fundpool post 记账。\n");
    for plan in &plans {
        let events = allocation_events(plan, &city, rules.performance_deposit.permille, &calendar)
            .map_err(|e| CliError::refused(e.to_string()))?;
        for raw in events {
            text.push_str("\n[[event]]\n");
            for key in ["id", "kind", "date", "fund", "ref", "party", "purpose", "amount", "summary"] {
                if let Some(value) = raw.fields.get(key) {
                    text.push_str(&format!("{key} = {}\n", toml_string(value)));
                }
            }
        }
    }
    match output {
        Some(path) => {
            ctx.write_output(path, text.as_bytes(), force)?;
            Ok(Outcome::ok(format!("已写出 {}\n", path.display())))
        }
        None => Ok(Outcome::ok(text)),
    }
}

fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

/// A budget CSV: `year,party,fund,income,expenditure`.
pub fn matching_basis(
    ctx: &Context,
    year: i32,
    party: &str,
    headcount: u64,
    per_capita: &str,
) -> Result<Outcome, CliError> {
    ctx.refuse_csv("budget matching")?;
    let per_capita = Money::parse(per_capita).map_err(|e| CliError::refused(format!("--per-capita：{e}")))?;
    let basis = crate::plan::deadlines::MatchingBasis { year, party: party.to_string(), headcount, per_capita };
    let due = crate::app::plans::set_matching_basis(&ctx.session, &basis)?;
    // When it is due, by the city's rule (TS 8: July-end).
    let store = ctx.open()?;
    let opening = store.reader().city()?.opening();
    let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(opening).max(opening);
    let rule = crate::app::rules::in_force(&store, first)?.matching_subsidy;
    let by = rule
        .as_ref()
        .and_then(|r| r.due_in(year).map(|d| format!("{d} 前上缴市财政专户（{}）", r.clause)))
        .unwrap_or_default();
    let text = match ctx.format {
        OutputFormat::Json => render::json(&serde_json::json!({
            "year": year, "party": party, "headcount": headcount, "per_capita": per_capita, "due": due,
        })),
        _ => format!(
            "{year} 年 {} 县级配套补助：6 月底参保 {headcount} 人 × 人均 {} = {}，{by}\n",
            party,
            per_capita.grouped(),
            due.grouped()
        ),
    };
    Ok(Outcome::ok(text))
}

pub fn import_budget(ctx: &Context, file: &Path) -> Result<Outcome, CliError> {
    ctx.refuse_csv("budget import")?;
    let operator = ctx.operator()?;
    let (mut reader, _) = crate::import::tabular::csv_reader(file).map_err(CliError::refused)?;
    let expected = ["year", "party", "fund", "income", "expenditure"];
    let headers: Vec<String> =
        reader.headers().map_err(|e| CliError::refused(e.to_string()))?.iter().map(|h| h.trim().to_string()).collect();
    if headers != expected {
        return Err(CliError::refused(format!(
            "{}：预算文件的表头应为 {}，实为 {}",
            file.display(),
            expected.join(","),
            headers.join(",")
        )));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CliError::refused(format!("CSV 格式错误：{e}")))?;
        let row = record.position().map(|p| p.line()).unwrap_or(0);
        if crate::import::tabular::is_blank(&record) {
            continue;
        }
        let get = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        let year = get(0).parse::<i32>().map_err(|_| format!("第 {row} 行：年度 \"{}\" 无效", quote(&get(0))));
        let income = Money::parse(&get(3)).map_err(|e| format!("第 {row} 行：{e}"));
        let expenditure = Money::parse(&get(4)).map_err(|e| format!("第 {row} 行：{e}"));
        match (year, income, expenditure) {
            (Ok(y), Ok(i), Ok(e)) => rows.push((row, y, get(1), get(2), i, e)),
            // Checked against the city too, so every problem of the file is reported at once.
            (y, i, e) => {
                rows.push((row, 0, get(1), get(2), Money::ZERO, Money::ZERO));
                problems.extend([y.err(), i.err(), e.err()].into_iter().flatten());
            }
        }
    }
    let saved = crate::app::plans::import_budgets(&ctx.session, &rows, problems).map_err(|e| {
        CliError::from(crate::app::Error { message: format!("{}：{}", file.display(), e.message), ..e })
    })?;
    ctx.done("budget import", format!("已保存 {saved} 条预算（{operator}）\n"), serde_json::json!({"saved": saved}))
}

fn parsed_events(store: &Store) -> Result<Vec<Event>, CliError> {
    Ok(crate::app::plans::stored_events(store)?)
}

pub fn schedule(ctx: &Context, party: Option<&str>, fund: Option<&str>) -> Result<Outcome, CliError> {
    let store = ctx.open()?;
    let city = store.reader().city()?;
    let events = parsed_events(&store)?;
    let openings: Vec<&Event> = events.iter().filter(|e| matches!(e.kind, EventKind::OpeningBalance { .. })).collect();
    let rules = crate::app::rules::in_force(&store, city.opening())?;
    let items = consolidation_schedule(
        &city,
        &rules,
        &openings,
        &store.reader().instruments()?,
        &store.reader().budgets()?,
        &ctx.calendar()?,
    )
    .map_err(|e| CliError::refused(e.to_string()))?;
    let items: Vec<_> =
        items.into_iter().filter(|i| party.is_none_or(|p| i.party == p) && fund.is_none_or(|f| i.fund == f)).collect();
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                i.due.to_string(),
                city.short_name(&i.party),
                city.fund_label(&i.fund),
                i.what.clone(),
                i.amount.map(|a| a.grouped()).unwrap_or_else(|| "（缺少预算）".into()),
                i.clause.clone(),
            ]
        })
        .collect();
    Ok(Outcome::ok(match ctx.format {
        OutputFormat::Json => render::json(&serde_json::json!({"items": items.iter().map(|i| serde_json::json!({
            "due": i.due.to_string(), "party": i.party, "fund": i.fund, "what": i.what, "amount": i.amount, "clause": i.clause
        })).collect::<Vec<_>>()})),
        OutputFormat::Csv => render::csv(&["期限", "经办机构", "基金", "事项", "金额", "依据"], &rows, &[4]),
        OutputFormat::Table if rows.is_empty() => "没有期初余额，归集计划为空\n".into(),
        OutputFormat::Table => render::table(&["期限", "经办机构", "基金", "事项", "金额", "依据"], &rows, &[4]),
    }))
}

/// Every obligation of the as-of day's year, read from the store.
pub(super) fn obligations_as_of(
    store: &Store,
    calendar: &Calendar,
    as_of: NaiveDate,
) -> Result<Vec<Obligation>, CliError> {
    Ok(crate::app::plans::obligations(store, calendar, as_of)?)
}

pub fn deadlines(ctx: &Context, as_of: &str, party: Option<&str>) -> Result<Outcome, CliError> {
    let as_of = parse_date(as_of).map_err(CliError::refused)?;
    let store = ctx.open()?;
    let city = store.reader().city()?;
    let list = obligations_as_of(&store, &ctx.calendar()?, as_of)?;
    let list: Vec<_> = list.into_iter().filter(|o| party.is_none_or(|p| o.party == p)).collect();
    let overdue = list.iter().filter(|o| o.status == Status::Overdue).count();
    let short = list.iter().filter(|o| o.status == Status::PartlyMet && as_of > o.due).count();
    let breaches = list.iter().filter(|o| o.is_breach(as_of)).count();
    let money = |m: Option<crate::money::Money>| m.map(|m| m.grouped()).unwrap_or_default();
    let text = match ctx.format {
        OutputFormat::Json => render::json(&serde_json::json!({
            "as_of": as_of.to_string(), "overdue": overdue, "short": short, "obligations": list,
        })),
        format => {
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|o| {
                    vec![
                        o.rule.to_string(),
                        o.due.to_string(),
                        city.short_name(&o.party),
                        city.fund_label(&o.fund),
                        o.what.clone(),
                        money(o.amount),
                        money(o.done),
                        money(o.shortfall.filter(|s| !s.is_zero())),
                        o.met_on.map(|d| d.to_string()).unwrap_or_default(),
                        o.status.label(),
                    ]
                })
                .collect();
            if format == OutputFormat::Csv {
                render::csv(
                    &[
                        "依据",
                        "期限",
                        "经办机构",
                        "基金",
                        "事项",
                        "应完成金额",
                        "已完成金额",
                        "差额",
                        "完成日期",
                        "状态",
                    ],
                    &rows,
                    &[5, 6, 7],
                )
            } else {
                let counts = [Status::Overdue, Status::DueSoon].map(|s| list.iter().filter(|o| o.status == s).count());
                let late = list.iter().filter(|o| matches!(o.status, Status::MetLate(_))).count();
                let partly = list.iter().filter(|o| o.status == Status::PartlyMet).count();
                format!(
                    "截至 {as_of} 的期限监控：已逾期 {} 项，部分完成 {partly} 项（其中已过期限 {short} 项），逾期完成 {late} 项，即将到期 {} 项\n",
                    counts[0], counts[1]
                ) + &render::table(
                    &["依据", "期限", "经办机构", "基金", "事项", "应完成金额", "已完成金额", "差额", "完成日期", "状态"],
                    &rows,
                    &[5, 6, 7],
                )
            }
        }
    };
    Ok(Outcome { stdout: text, code: if breaches > 0 { exit::OVERDUE } else { exit::OK } })
}
