//! Writing the city configuration and chart at `init`, and reading them back.

use super::{Reader, Result, StoreError, Writer};
use crate::domain::chart::{Account, AccountClass, Chart, Side};
use crate::domain::city::{City, ForwardMode, Fund, Party, Settings};
use crate::domain::ids::PartyKind;
use crate::domain::rules::RuleSet;
use chrono::NaiveDate;
use rusqlite::params;
use std::collections::BTreeMap;

impl Writer<'_> {
    /// Writes the city, its chart and every book. The database must be empty.
    pub fn init_city(&mut self, city: &City, chart: &Chart) -> Result<()> {
        let tx = &self.tx;
        let settings = [
            ("city_code", city.code.clone()),
            ("city_name", city.name.clone()),
            ("opening_date", city.opening_date.clone()),
            ("forward_mode", city.settings.forward_mode.as_str().to_string()),
            ("ageing_limit_days", city.settings.ageing_limit_days.to_string()),
        ];
        for (key, value) in settings {
            tx.execute("INSERT INTO setting (key, value) VALUES (?1, ?2)", params![key, value])?;
        }
        for fund in &city.fund {
            tx.execute(
                "INSERT INTO fund (code, name, includes_maternity) VALUES (?1, ?2, ?3)",
                params![fund.code, fund.name, fund.includes_maternity],
            )?;
        }
        for (ordinal, party) in city.party.iter().enumerate() {
            tx.execute(
                "INSERT INTO party (code, name, kind, ordinal) VALUES (?1, ?2, ?3, ?4)",
                params![party.code, party.name, party.kind.as_str(), ordinal as i64],
            )?;
            for (fund, insured) in &party.population {
                tx.execute(
                    "INSERT INTO population (party, fund, insured) VALUES (?1, ?2, ?3)",
                    params![party.code, fund, *insured as i64],
                )?;
            }
        }
        for account in chart.accounts() {
            let scope: Vec<&str> = account.scope.iter().map(|k| k.as_str()).collect();
            tx.execute(
                "INSERT INTO account (code, name, class, side, parent, scope, key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    account.code,
                    account.name,
                    account.class.as_str(),
                    account.side.as_str(),
                    account.parent,
                    scope.join(","),
                    account.key
                ],
            )?;
        }
        for book in city.books() {
            tx.execute("INSERT INTO book (party, fund) VALUES (?1, ?2)", params![book.party, book.fund])?;
        }
        for kind in ["setting", "fund", "party", "population", "account", "book"] {
            let count: i64 =
                self.tx.query_row(&format!("SELECT COUNT(*) FROM {}", super::log::protected(kind).table), [], |r| {
                    r.get(0)
                })?;
            if count > 0 {
                self.log(kind, "1 = 1", &[])?;
            }
        }
        Ok(())
    }
}

impl Writer<'_> {
    /// Records a version of the city's rule set, in force from `from`.
    pub fn insert_rule_set(&mut self, from: NaiveDate, rules: &RuleSet, by: &str, at: &str) -> Result<()> {
        let body = serde_json::to_string(rules).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let changed = self.tx.execute(
            "INSERT INTO rule_set (effective_from, body, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (effective_from) DO NOTHING",
            params![from.to_string(), body, by, at],
        )?;
        if changed == 0 {
            return Err(StoreError::Refused(format!("{from} 已有一版规则集；规则集按版本保存，请从另一天起生效")));
        }
        let id = self.tx.last_insert_rowid();
        self.log_id("rule_set", id)
    }

    /// Records a run of the year-end settlement; returns the body of the run before it, if any.
    pub fn insert_settlement_run(
        &mut self,
        year: i32,
        fund: &str,
        body: &str,
        by: &str,
        at: &str,
    ) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        let previous: Option<String> = self
            .tx
            .query_row(
                "SELECT body FROM settlement_run WHERE year = ?1 AND fund = ?2 ORDER BY id DESC LIMIT 1",
                params![year, fund],
                |r| r.get(0),
            )
            .optional()?;
        self.tx.execute(
            "INSERT INTO settlement_run (year, fund, body, recorded_by, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![year, fund, body, by, at],
        )?;
        let id = self.tx.last_insert_rowid();
        self.log_id("settlement_run", id)?;
        Ok(previous)
    }

    /// Records a setting (e.g. that this database is a demo, which `demo` may replace).
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        self.log("setting", "key = ?1", &[&key])
    }
}

impl Reader<'_> {
    /// The rule set in force on `day`: the latest version effective on or before it.
    pub fn rules_in_force(&self, day: NaiveDate) -> Result<Option<(NaiveDate, RuleSet)>> {
        use rusqlite::OptionalExtension;
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT effective_from, body FROM rule_set WHERE effective_from <= ?1 ORDER BY effective_from DESC LIMIT 1",
                [day.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(from, body)| {
            let from = crate::domain::ids::parse_date(&from).map_err(StoreError::Corrupt)?;
            let rules = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("规则集无法读取：{e}")))?;
            Ok((from, rules))
        })
        .transpose()
    }

    /// Every version of the rule set: (effective from, recorded by, recorded at).
    pub fn rule_versions(&self) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT effective_from, recorded_by, recorded_at FROM rule_set ORDER BY effective_from")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self.conn.query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn city(&self) -> Result<City> {
        let settings: BTreeMap<String, String> = self
            .conn
            .prepare("SELECT key, value FROM setting")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let get = |key: &str| settings.get(key).cloned().ok_or_else(|| StoreError::Corrupt(format!("缺少设置 {key}")));
        let forward_mode =
            ForwardMode::parse(&get("forward_mode")?).ok_or_else(|| StoreError::Corrupt("forward_mode 无效".into()))?;
        let ageing_limit_days =
            get("ageing_limit_days")?.parse().map_err(|_| StoreError::Corrupt("ageing_limit_days 无效".into()))?;
        let fund = self
            .conn
            .prepare("SELECT code, name, includes_maternity FROM fund ORDER BY rowid")?
            .query_map([], |r| Ok(Fund { code: r.get(0)?, name: r.get(1)?, includes_maternity: r.get(2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut population: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        let mut stmt = self.conn.prepare("SELECT party, fund, insured FROM population")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
        for row in rows {
            let (party, fund, insured) = row?;
            population.entry(party).or_default().insert(fund, insured.max(0) as u64);
        }
        let mut stmt = self.conn.prepare("SELECT code, name, kind FROM party ORDER BY ordinal")?;
        let party = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
            .map(|row| {
                let (code, name, kind) = row?;
                let kind = PartyKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("机构 {code} 的类型 {kind} 无效")))?;
                let population = population.remove(&code).unwrap_or_default();
                Ok(Party { code, name, kind, population })
            })
            .collect::<Result<Vec<_>>>()?;
        let opening_date = get("opening_date")?;
        crate::domain::ids::parse_date(&opening_date).map_err(StoreError::Corrupt)?;
        Ok(City {
            code: get("city_code")?,
            name: get("city_name")?,
            opening_date,
            settings: Settings { forward_mode, ageing_limit_days },
            fund,
            party,
        })
    }

    pub fn chart(&self) -> Result<Chart> {
        let mut stmt = self.conn.prepare("SELECT code, name, class, side, parent, scope, key FROM account")?;
        let accounts = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })?
            .map(|row| {
                let (code, name, class, side, parent, scope, key) = row?;
                let corrupt = || StoreError::Corrupt(format!("科目 {code} 的属性无效"));
                let class = AccountClass::parse(&class).ok_or_else(corrupt)?;
                let side = Side::parse(&side).ok_or_else(corrupt)?;
                let scope = scope
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| PartyKind::parse(s).ok_or_else(corrupt))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Account { code, name, class, side, parent, scope, key, is_leaf: true })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Chart::from_accounts(accounts))
    }
}
