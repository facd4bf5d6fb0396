//! Events and the instrument register: what `post EVENTS_FILE` and `event` write besides
//! vouchers, and what posting rules read back.

use super::{Reader, Result, StoreError, Writer};
use crate::domain::ids::parse_date;
use crate::money::Money;
use crate::posting::{Instrument, InstrumentChange, Instruments};
use rusqlite::{params, OptionalExtension};

impl Writer<'_> {
    /// The digest of the event already stored under `id`.
    pub fn event_digest(&mut self, id: &str) -> Result<Option<String>> {
        Ok(self
            .tx
            .prepare_cached("SELECT content_digest FROM event WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_event(
        &mut self,
        id: &str,
        kind: &str,
        fund: &str,
        date: &str,
        digest: &str,
        payload: &str,
        by: &str,
        now: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO event (id, kind, fund, date, content_digest, payload, recorded_by, recorded_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![id, kind, fund, date, digest, payload, by, now])?;
        self.log("event", "id = ?1", &[&id])
    }

    pub fn link_event_voucher(&mut self, event_id: &str, voucher_id: i64) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO event_voucher (event_id, voucher_id) VALUES (?1, ?2)")?
            .execute(params![event_id, voucher_id])?;
        self.log("event_voucher", "event_id = ?1 AND voucher_id = ?2", &[&event_id, &voucher_id])
    }

    pub fn apply_instrument(&mut self, change: &InstrumentChange) -> Result<()> {
        let (party, fund, code) = match change {
            InstrumentChange::Opened(key, _) | InstrumentChange::Matured(key, _) | InstrumentChange::Remitted(key) => {
                key
            }
        };
        self.apply_instrument_unlogged(change)?;
        self.log("instrument", "party = ?1 AND fund = ?2 AND code = ?3", &[party, fund, code])
    }

    fn apply_instrument_unlogged(&mut self, change: &InstrumentChange) -> Result<()> {
        match change {
            InstrumentChange::Opened((party, fund, code), i) => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO instrument (party, fund, code, principal_fen, opened_on, matures_on) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![
                        party,
                        fund,
                        code,
                        i.principal.fen(),
                        i.opened_on.to_string(),
                        i.matures_on.to_string()
                    ])?;
            }
            InstrumentChange::Matured((party, fund, code), interest) => {
                self.tx
                    .prepare_cached(
                        "UPDATE instrument SET matured_interest_fen = ?4 WHERE party = ?1 AND fund = ?2 AND code = ?3",
                    )?
                    .execute(params![party, fund, code, interest.fen()])?;
            }
            InstrumentChange::Remitted((party, fund, code)) => {
                self.tx
                    .prepare_cached("UPDATE instrument SET remitted = 1 WHERE party = ?1 AND fund = ?2 AND code = ?3")?
                    .execute(params![party, fund, code])?;
            }
        }
        Ok(())
    }
}

impl Reader<'_> {
    pub fn instruments(&self) -> Result<Instruments> {
        let mut stmt = self.conn.prepare(
            "SELECT party, fund, code, principal_fen, opened_on, matures_on, matured_interest_fen, remitted FROM instrument",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<i64>>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?;
        let mut register = Instruments::new();
        for row in rows {
            let (key, principal, opened_on, matures_on, interest, remitted) = row?;
            register.insert(
                key,
                Instrument {
                    principal: Money::from_fen(principal),
                    opened_on: parse_date(&opened_on).map_err(StoreError::Corrupt)?,
                    matures_on: parse_date(&matures_on).map_err(StoreError::Corrupt)?,
                    matured_interest: interest.map(Money::from_fen),
                    remitted: remitted == 1,
                },
            );
        }
        Ok(register)
    }
}
