//! Tamper evidence: each posted voucher's hash is SHA-256 over the previous voucher's hash in
//! the same book and a canonical encoding of the voucher's own content.
//!
//! Changing any posted amount, account, date or person behind the engine's back changes that
//! voucher's hash and breaks every link after it, which `verify` reports.

use super::json_text;
use super::voucher::VoucherRecord;
use sha2::{Digest, Sha256};

/// The hash a book's first posted voucher links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Writes the voucher's canonical encoding: one JSON object, its fields in this order —
/// `{"book","number","date","attachments","external_id","reverses","maker","reviewer","poster",
/// "posted_at","lines":[{"line_no","account","summary","side","amount_fen","reference"}…]}` —
/// compact, as serde_json wrote it from the struct of these fields that first defined it (a test
/// keeps that struct and holds the two equal on arbitrary vouchers). Hashes already stored
/// depend on every byte.
fn write_canonical(out: &mut Vec<u8>, record: &VoucherRecord) {
    use json_text::{push_date, push_escaped, push_integer, push_optional, push_string, push_voucher_no};
    // The book as its Display writes it, "party/fund": escaping the two codes escapes the whole.
    out.extend_from_slice(b"{\"book\":\"");
    push_escaped(out, record.book.party.as_bytes());
    out.push(b'/');
    push_escaped(out, record.book.fund.as_bytes());
    // A date and a voucher number need no escaping: digits, '-' and 记.
    out.extend_from_slice(b"\",\"number\":\"");
    push_voucher_no(out, &record.number);
    out.extend_from_slice(b"\",\"date\":\"");
    push_date(out, record.date);
    out.push(b'"');
    out.extend_from_slice(b",\"attachments\":");
    push_integer(out, record.attachments);
    out.extend_from_slice(b",\"external_id\":");
    push_optional(out, record.external_id.as_deref());
    out.extend_from_slice(b",\"reverses\":");
    match &record.reverses {
        Some(number) => {
            out.push(b'"');
            push_voucher_no(out, number);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"maker\":");
    push_string(out, record.maker.as_bytes());
    out.extend_from_slice(b",\"reviewer\":");
    push_optional(out, record.reviewer.as_deref());
    out.extend_from_slice(b",\"poster\":");
    push_optional(out, record.poster.as_deref());
    out.extend_from_slice(b",\"posted_at\":");
    push_optional(out, record.posted_at.as_deref());
    out.extend_from_slice(b",\"lines\":[");
    for (index, line) in record.lines.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"line_no\":");
        push_integer(out, line.line_no);
        out.extend_from_slice(b",\"account\":");
        push_string(out, line.account.as_bytes());
        out.extend_from_slice(b",\"summary\":");
        push_string(out, line.summary.as_bytes());
        out.extend_from_slice(b",\"side\":");
        push_string(out, line.side.as_str().as_bytes());
        out.extend_from_slice(b",\"amount_fen\":");
        push_integer(out, line.amount.fen());
        out.extend_from_slice(b",\"reference\":");
        push_optional(out, line.reference.as_deref());
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
}

/// The chain hash of `record` after `previous`: SHA-256 over the previous hash, a newline and
/// the canonical encoding, hashed in one piece.
pub fn chain_hash(previous: &str, record: &VoucherRecord) -> String {
    crate::domain::hex_digest(&chain_digest(previous, record))
}

/// The digest behind `chain_hash`, for comparing with a stored hash without writing it out.
pub fn chain_digest(previous: &str, record: &VoucherRecord) -> [u8; 32] {
    let mut text = Vec::with_capacity(previous.len() + 384 + 192 * record.lines.len());
    text.extend_from_slice(previous.as_bytes());
    text.push(b'\n');
    write_canonical(&mut text, record);
    Sha256::digest(&text).into()
}

#[cfg(test)]
mod tests {
    use crate::domain::chart::Side;
    use crate::domain::json_text::tricky_text;
    use crate::domain::voucher::{test_record, LineRecord, Status};
    use crate::money::Money;
    use proptest::prelude::*;

    /// The struct serde_json encoded when the chain was defined: the reference the hand-written
    /// encoding must equal.
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

    fn serde_encoding(record: &crate::domain::voucher::VoucherRecord) -> String {
        serde_json::to_string(&Canonical {
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
        })
        .expect("a voucher encodes")
    }

    /// The content digest as it was first written, through Display.
    fn digest_as_first_written(record: &crate::domain::voucher::VoucherRecord) -> String {
        use sha2::{Digest, Sha256};
        use std::fmt::Write;
        let mut text = String::new();
        let _ = write!(text, "{}\n{}\n{}\n", record.book, record.date, record.attachments);
        for l in &record.lines {
            let reference = l.reference.as_deref().unwrap_or("");
            let _ =
                writeln!(text, "{}\t{}\t{}\t{}\t{reference}", l.account, l.summary, l.side.as_str(), l.amount.fen());
        }
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    fn arbitrary_line() -> impl Strategy<Value = LineRecord> {
        (any::<u32>(), tricky_text(), tricky_text(), any::<bool>(), any::<i64>(), proptest::option::of(tricky_text()))
            .prop_map(|(line_no, account, summary, debit, fen, reference)| LineRecord {
                line_no,
                account,
                summary,
                side: if debit { Side::Debit } else { Side::Credit },
                amount: Money::from_fen(fen),
                reference,
            })
    }

    proptest! {
        /// Any text in any field (quotes, backslashes, control characters, any script), any
        /// number, dates of every year chrono knows, none to three lines: the hand-written
        /// encoding is serde_json's, byte for byte.
        #[test]
        fn the_hand_written_encoding_is_what_serde_wrote(
            day in -95_000_000i32..95_000_000,
            seq in any::<u32>(),
            attachments in any::<u32>(),
            texts in proptest::collection::vec(proptest::option::of(tricky_text()), 7),
            reverses in any::<Option<u32>>(),
            lines in proptest::collection::vec(arbitrary_line(), 0..4),
        ) {
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(day).expect("a day chrono knows");
            let mut record = test_record(seq, date, Status::Posted, lines);
            record.attachments = attachments;
            record.maker = texts[0].clone().unwrap_or_default();
            record.external_id = texts[1].clone();
            record.reviewer = texts[2].clone();
            record.poster = texts[3].clone();
            record.posted_at = texts[4].clone();
            record.book.party = texts[5].clone().unwrap_or_default();
            record.book.fund = texts[6].clone().unwrap_or_default();
            record.reverses = reverses.map(|seq| crate::domain::ids::VoucherNo { period: record.number.period, seq });
            let mut written = Vec::new();
            super::write_canonical(&mut written, &record);
            prop_assert_eq!(String::from_utf8(written).expect("UTF-8"), serde_encoding(&record));
            prop_assert_eq!(record.content_digest(), digest_as_first_written(&record));
        }
    }

    /// Hashes already stored in ledgers must stay reproducible: these values were computed by
    /// the first implementation (serde_json to a string, chrono's date formatting, hex crate).
    #[test]
    fn the_chain_hash_and_content_digest_encodings_are_unchanged() {
        let date = chrono::NaiveDate::from_ymd_opt(2023, 3, 9).expect("a date");
        let line = |line_no, account: &str, summary: &str, side, reference: Option<&str>| LineRecord {
            line_no,
            account: account.into(),
            summary: summary.into(),
            side,
            amount: Money::from_fen(12345),
            reference: reference.map(str::to_string),
        };
        let mut record = test_record(
            7,
            date,
            Status::Posted,
            vec![
                line(1, "1002", "收\"县\"\\款\n", Side::Debit, Some("R-1")),
                line(2, "2001", "收款", Side::Credit, None),
            ],
        );
        record.reviewer = Some("李审核".into());
        record.poster = Some("张会计".into());
        record.posted_at = Some("2023-03-09T08:00:00Z".into());
        record.external_id = Some("EXT-9".into());
        assert_eq!(
            super::chain_hash(super::GENESIS, &record),
            "5cda9af1283990019bb6c28dccd957c0ebe9f243b43f7731ba5bc8f7063da7eb"
        );
        assert_eq!(record.content_digest(), "13efe08cf2c358a16e3b3025e383c685b5c4846c6030e8f3b0ebfbe5f178e619");
    }
}
