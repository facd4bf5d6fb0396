//! The city's rule set: reading the version in force, recording a new one, and listing them.

use super::ledger::check_rules_fit;
use super::{Error, Result, Session};
use crate::domain::access::{Role, ALL_PARTIES};
use crate::domain::rules::RuleSet;
use crate::store::Store;
use chrono::NaiveDate;

/// The rule set in force on `day`, or a refusal saying how to record one.
pub fn in_force(store: &Store, day: NaiveDate) -> Result<RuleSet> {
    store.reader().rules_in_force(day)?.map(|(_, rules)| rules).ok_or_else(|| missing(day))
}

/// Why a command that needs the city's rules cannot run: none is in force on `day`.
fn missing(day: NaiveDate) -> Error {
    Error::refused(format!(
        "账套在 {day} 没有生效的规则集：请用 fundpool rules set fixtures/<本市>/rules.toml --from 统筹开始日 记录本市规则（fundpool 不会套用别的城市的规则）"
    ))
}

/// The rule set in force on a day, the day its version took effect, and every version
/// (effective from, recorded by, recorded at).
pub struct InForce {
    pub from: NaiveDate,
    pub rules: RuleSet,
    pub versions: Vec<(String, String, String)>,
}

/// The rule set in force on `day`, for `rules`.
pub fn show(session: &Session, day: NaiveDate) -> Result<InForce> {
    let store = session.read()?;
    let (from, rules) = store.reader().rules_in_force(day)?.ok_or_else(|| missing(day))?;
    Ok(InForce { from, rules, versions: store.reader().rule_versions()? })
}

/// Records a new version of the rule set, in force from `from` (an administrator's act; the
/// earlier versions stay as they were, for the days they governed).
pub fn set(session: &Session, rules_toml: &str, from: NaiveDate) -> Result<RuleSet> {
    session.require(Role::Admin, [ALL_PARTIES])?;
    let rules = RuleSet::from_toml(rules_toml).map_err(Error::refused)?;
    let operator = session.acting()?;
    let mut store = session.write("rules set")?;
    let mut writer = store.writer()?;
    let city = writer.reader().city()?;
    check_rules_fit(&city, &rules)?;
    if from < city.opening() {
        return Err(Error::refused(format!("规则集不能早于统筹开始日 {} 生效", city.opening())));
    }
    writer.insert_rule_set(from, &rules, &operator.name, &session.now)?;
    writer.set_target(format!("规则集 {from}"));
    writer.commit()?;
    Ok(rules)
}
