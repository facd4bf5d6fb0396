//! Spending plans, budgets, the matching-subsidy basis, and the events and close dates the
//! deadline monitor reads.

use super::{Reader, Result, StoreError, Writer};
use crate::domain::ids::{parse_date, Period};
use crate::money::Money;
use crate::plan::deadlines::MatchingBasis;
use crate::plan::schedule::Budgets;
use crate::plan::{Plan, PlanLine, PlanStatus, Quarter, Step};
use crate::posting::event::RawEvent;
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};

impl Writer<'_> {
    /// Stores a new draft plan; `None` if the agency already has one for that fund and quarter.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_plan(
        &mut self,
        party: &str,
        fund: &str,
        quarter: Quarter,
        total: Money,
        lines: &[PlanLine],
        by: &str,
        now: &str,
    ) -> Result<Option<i64>> {
        let exists: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM plan WHERE party = ?1 AND fund = ?2 AND quarter = ?3",
                params![party, fund, quarter.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Ok(None);
        }
        self.tx.execute(
            "INSERT INTO plan (party, fund, quarter, total_fen, status, created_by, created_at) VALUES (?1, ?2, ?3, ?4, 'draft', ?5, ?6)",
            params![party, fund, quarter.to_string(), total.fen(), by, now],
        )?;
        let id = self.tx.last_insert_rowid();
        for line in lines {
            self.tx.execute(
                "INSERT INTO plan_line (plan_id, month, category, amount_fen) VALUES (?1, ?2, ?3, ?4)",
                params![id, line.month.to_string(), line.category, line.amount.fen()],
            )?;
        }
        self.log_id("plan", id)?;
        if !lines.is_empty() {
            self.log("plan_line", "plan_id = ?1", &[&id])?;
        }
        Ok(Some(id))
    }

    /// Records a workflow step on a plan (the caller checked it is allowed).
    pub fn record_step(&mut self, plan_id: i64, step: Step, by: &str, on: NaiveDate) -> Result<()> {
        let (by_column, on_column) = match step {
            Step::Submit => ("submitted_by", "submitted_on"),
            Step::Combine => ("combined_by", "combined_on"),
            Step::Approve => ("approved_by", "approved_on"),
            Step::Check => ("checked_by", "checked_on"),
        };
        self.tx.execute(
            &format!("UPDATE plan SET status = ?2, {by_column} = ?3, {on_column} = ?4 WHERE id = ?1"),
            params![plan_id, step.result().as_str(), by, on.to_string()],
        )?;
        self.log_id("plan", plan_id)
    }

    pub fn upsert_budget(
        &mut self,
        year: i32,
        party: &str,
        fund: &str,
        income: Money,
        expenditure: Money,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO budget (year, party, fund, income_fen, expenditure_fen) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (year, party, fund) DO UPDATE SET income_fen = excluded.income_fen, expenditure_fen = excluded.expenditure_fen",
            params![year, party, fund, income.fen(), expenditure.fen()],
        )?;
        self.log("budget", "year = ?1 AND party = ?2 AND fund = ?3", &[&year, &party, &fund])
    }

    pub fn upsert_matching_basis(&mut self, basis: &MatchingBasis) -> Result<()> {
        let headcount = i64::try_from(basis.headcount).map_err(|_| StoreError::Refused("参保人数过大".into()))?;
        self.tx.execute(
            "INSERT INTO matching_basis (year, party, headcount, per_capita_fen) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (year, party) DO UPDATE SET headcount = excluded.headcount, per_capita_fen = excluded.per_capita_fen",
            params![basis.year, basis.party, headcount, basis.per_capita.fen()],
        )?;
        self.log("matching_basis", "year = ?1 AND party = ?2", &[&basis.year, &basis.party])
    }
}

fn step(by: Option<String>, on: Option<String>) -> Result<Option<(String, NaiveDate)>> {
    match (by, on) {
        (Some(by), Some(on)) => Ok(Some((by, parse_date(&on).map_err(StoreError::Corrupt)?))),
        _ => Ok(None),
    }
}

impl Reader<'_> {
    pub fn plans(&self) -> Result<Vec<Plan>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, party, fund, quarter, total_fen, status, submitted_by, submitted_on, combined_by, combined_on, \
             approved_by, approved_on, checked_by, checked_on FROM plan ORDER BY quarter, fund, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                [
                    r.get::<_, Option<String>>(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                    r.get(13)?,
                ],
            ))
        })?;
        let mut plans = Vec::new();
        for row in rows {
            let (id, party, fund, quarter, total, status, s) = row?;
            let [sb, so, cb, co, ab, ao, kb, ko] = s;
            plans.push(Plan {
                id,
                party,
                fund,
                quarter: Quarter::parse(&quarter).map_err(StoreError::Corrupt)?,
                total: Money::from_fen(total),
                status: PlanStatus::parse(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("计划状态 {status} 无效")))?,
                lines: Vec::new(),
                submitted: step(sb, so)?,
                combined: step(cb, co)?,
                approved: step(ab, ao)?,
                checked: step(kb, ko)?,
            });
        }
        let mut stmt = self
            .conn
            .prepare("SELECT plan_id, month, category, amount_fen FROM plan_line ORDER BY plan_id, month, category")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
        })?;
        for row in rows {
            let (plan_id, month, category, amount) = row?;
            if let Some(plan) = plans.iter_mut().find(|p| p.id == plan_id) {
                plan.lines.push(PlanLine {
                    month: Period::parse(&month).map_err(StoreError::Corrupt)?,
                    category,
                    amount: Money::from_fen(amount),
                });
            }
        }
        Ok(plans)
    }

    pub fn matching_basis(&self) -> Result<Vec<MatchingBasis>> {
        let mut stmt = self
            .conn
            .prepare("SELECT year, party, headcount, per_capita_fen FROM matching_basis ORDER BY year, party")?;
        let rows = stmt.query_map([], |r| {
            Ok(MatchingBasis {
                year: r.get(0)?,
                party: r.get(1)?,
                headcount: r.get::<_, i64>(2)?.max(0) as u64,
                per_capita: Money::from_fen(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn budgets(&self) -> Result<Budgets> {
        let mut stmt = self.conn.prepare("SELECT year, party, fund, income_fen, expenditure_fen FROM budget")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut budgets = Budgets::new();
        for row in rows {
            let (year, party, fund, income, expenditure) = row?;
            budgets.insert((year, party, fund), (Money::from_fen(income), Money::from_fen(expenditure)));
        }
        Ok(budgets)
    }

    /// Every event on file, as it was given.
    pub fn events(&self) -> Result<Vec<RawEvent>> {
        let mut stmt = self.conn.prepare("SELECT payload FROM event ORDER BY date, rowid")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|row| {
            let payload = row?;
            let fields =
                serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(format!("事件内容无法读取：{e}")))?;
            Ok(RawEvent { fields, numeric: Default::default() })
        })
        .collect()
    }

    /// When each month was first closed (the business date given to `close`), per month.
    pub fn close_dates(&self) -> Result<Vec<(Period, NaiveDate)>> {
        let mut stmt = self.conn.prepare(
            "SELECT period, MIN(COALESCE(closed_on, substr(sealed_at, 1, 10))) FROM seal WHERE action = 'close' GROUP BY period",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|row| {
            let (period, at) = row?;
            let day = at.get(..10).unwrap_or(&at);
            Ok((Period::parse(&period).map_err(StoreError::Corrupt)?, parse_date(day).map_err(StoreError::Corrupt)?))
        })
        .collect()
    }
}
