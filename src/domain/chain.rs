//! Tamper evidence: each posted voucher's hash is SHA-256 over the previous voucher's hash in
//! the same book and a canonical encoding of the voucher's own content.
//!
//! Changing any posted amount, account, date or person behind the engine's back changes that
//! voucher's hash and breaks every link after it, which `verify` reports.

use super::voucher::VoucherRecord;
use sha2::{Digest, Sha256};

/// The hash a book's first posted voucher links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(serde::Serialize)]
struct Canonical<'a> {
    book: String,
    number: String,
    date: String,
    attachments: u32,
    external_id: Option<&'a str>,
    reverses: Option<String>,
    maker: &'a str,
    reviewer: Option<&'a str>,
    poster: Option<&'a str>,
    posted_at: Option<&'a str>,
    lines: Vec<CanonicalLine<'a>>,
}

#[derive(serde::Serialize)]
struct CanonicalLine<'a> {
    line_no: u32,
    account: &'a str,
    summary: &'a str,
    side: &'a str,
    amount_fen: i64,
    reference: Option<&'a str>,
}

/// The chain hash of `record` after `previous`.
pub fn chain_hash(previous: &str, record: &VoucherRecord) -> String {
    let canonical = Canonical {
        book: record.book.to_string(),
        number: record.number.to_string(),
        date: record.date.to_string(),
        attachments: record.attachments,
        external_id: record.external_id.as_deref(),
        reverses: record.reverses.map(|n| n.to_string()),
        maker: &record.maker,
        reviewer: record.reviewer.as_deref(),
        poster: record.poster.as_deref(),
        posted_at: record.posted_at.as_deref(),
        lines: record
            .lines
            .iter()
            .map(|l| CanonicalLine {
                line_no: l.line_no,
                account: &l.account,
                summary: &l.summary,
                side: l.side.as_str(),
                amount_fen: l.amount.fen(),
                reference: l.reference.as_deref(),
            })
            .collect(),
    };
    // serde_json writes struct fields in declaration order: the encoding is stable.
    let encoded = serde_json::to_string(&canonical).expect("a voucher always encodes");
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(b"\n");
    hasher.update(encoded.as_bytes());
    hex::encode(hasher.finalize())
}
