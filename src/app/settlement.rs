//! 年终结算: recording a run of the year-end settlement a city agency computed, after the year's
//! December is closed, and handing back the run before it so a re-run shows what changed.

use super::{Error, Result, Session};
use crate::domain::access::Role;
use crate::domain::ids::{PartyKind, Period};
use crate::policy::Settlement;

/// Records `settlement` as a run; returns the previous run of the same year and fund, if any.
pub fn record(session: &Session, settlement: &Settlement) -> Result<Option<Settlement>> {
    let operator = session.acting()?;
    let mut store = session.write("settle")?;
    let mut writer = store.writer()?;
    let city = writer.reader().city()?;
    let city_code = city.party.iter().find(|p| p.kind == PartyKind::City).map(|p| p.code.clone()).unwrap_or_default();
    session.require(Role::Closer, [city_code.as_str()])?;
    let december = Period::new(settlement.year, 12).ok_or_else(|| Error::refused("年度无效"))?;
    let closed = writer.reader().closed_periods()?;
    let open: Vec<String> = city
        .books()
        .into_iter()
        .filter(|b| b.fund == settlement.fund && !closed.contains(&(b.clone(), december)))
        .map(|b| b.to_string())
        .collect();
    if !open.is_empty() {
        return Err(Error::refused(format!(
            "年终结算在 {} 年 12 月结账之后进行：{} 尚未结账",
            settlement.year,
            open.join("、")
        )));
    }
    let body = serde_json::to_string(settlement).map_err(|e| Error::refused(e.to_string()))?;
    let previous =
        writer.insert_settlement_run(settlement.year, &settlement.fund, &body, &operator.name, &session.now)?;
    writer.set_target(format!("{} {} 年终结算", settlement.fund, settlement.year));
    writer.commit()?;
    previous
        .map(|text| serde_json::from_str(&text).map_err(|e| Error::integrity(format!("上次结算记录无法读取：{e}"))))
        .transpose()
}
