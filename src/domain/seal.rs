//! Month-end seals: a SHA-256 over every sealed book's cumulative totals up to the month, the
//! head of its hash chain when it was sealed, and the reconciliation run that allowed the close.
//!
//! `verify` recomputes the seal of every month still closed: editing a closing balance, or any
//! posted voucher before the chain head, behind the engine's back is caught.

use super::balance::PeriodTotals;
use super::ids::{BookCode, Period};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One sealed book: its chain head at sealing and its totals.
pub struct BookState<'a> {
    pub book: &'a BookCode,
    pub chain_seq: i64,
    pub chain_hash: &'a str,
    /// Every (account, month) total of the book; only months up to the sealed one count.
    pub totals: &'a [PeriodTotals],
}

#[derive(serde::Serialize)]
struct Canonical<'a> {
    period: String,
    run_id: Option<i64>,
    run_digest: Option<&'a str>,
    reason: Option<&'a str>,
    books: Vec<CanonicalBook<'a>>,
}

#[derive(serde::Serialize)]
struct CanonicalBook<'a> {
    book: String,
    chain_seq: i64,
    chain_hash: &'a str,
    /// account → (debit fen, credit fen), cumulative up to the sealed month.
    totals: BTreeMap<&'a str, (i64, i64)>,
}

/// The digest of a stored reconciliation report, as a seal records it.
pub fn report_digest(report: &str) -> String {
    hex::encode(Sha256::digest(report.as_bytes()))
}

/// The seal of `period` over `books`.
pub fn seal_hash(
    period: Period,
    books: &[BookState<'_>],
    run_id: Option<i64>,
    run_digest: Option<&str>,
    reason: Option<&str>,
) -> String {
    let canonical = Canonical {
        period: period.to_string(),
        run_id,
        run_digest,
        reason,
        books: books
            .iter()
            .map(|state| {
                let mut totals: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
                for t in state.totals.iter().filter(|t| t.period <= period) {
                    let entry = totals.entry(t.account.as_str()).or_default();
                    entry.0 += t.debit.fen();
                    entry.1 += t.credit.fen();
                }
                CanonicalBook {
                    book: state.book.to_string(),
                    chain_seq: state.chain_seq,
                    chain_hash: state.chain_hash,
                    totals,
                }
            })
            .collect(),
    };
    let encoded = serde_json::to_string(&canonical).expect("a seal always encodes");
    hex::encode(Sha256::digest(encoded.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;

    #[test]
    fn a_changed_total_up_to_the_month_changes_the_seal_and_a_later_one_does_not() {
        let book = BookCode::new("city", "employee");
        let jan = Period::new(2023, 1).unwrap();
        let total = |period: Period, debit: i64| PeriodTotals {
            account: "1004".into(),
            period,
            debit: Money::from_fen(debit),
            credit: Money::ZERO,
        };
        let seal = |totals: &[PeriodTotals]| {
            seal_hash(
                jan,
                &[BookState { book: &book, chain_seq: 3, chain_hash: "abc", totals }],
                Some(1),
                Some("d"),
                None,
            )
        };
        let base = seal(&[total(jan, 100)]);
        assert_eq!(base, seal(&[total(jan, 100), total(jan.next(), 5)]));
        assert_ne!(base, seal(&[total(jan, 101)]));
    }
}
