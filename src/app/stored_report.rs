//! How a reconciliation run keeps its report: the report's JSON, gzipped, in base64 behind a
//! `gzip+base64:` prefix. A report stored as plain JSON (every run before, and what older
//! versions read) begins with `{`, and is read as well.
//!
//! A month with hundreds of thousands of outstanding items has a report of a hundred megabytes
//! or more; compressed it is a twentieth of that. Writing its JSON is most of the work of
//! storing it, so the two halves of its findings are written and compressed by two threads at
//! once, as `pigz` does: the first half's deflate stream ends with a sync flush (an empty stored
//! block, which ends on a byte boundary and keeps the stream open), the second half's stream
//! follows it and ends the data, and the gzip trailer's CRC-32 is combined from both halves'.
//! What results is one ordinary gzip member, read by any gzip reader. The record log and the
//! seals hash the stored text, whichever form it has.

use crate::reconcile::{Finding, Report};
use std::io::Write;

/// How a stored report that is compressed begins.
const PACKED: &str = "gzip+base64:";

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A gzip member's header: deflate, no name or time, no extra flags, unknown system.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// One half of the report's JSON, deflated, with the CRC-32 and length of the text it holds.
struct Deflated {
    bytes: Vec<u8>,
    crc: crc32fast::Hasher,
    length: u64,
}

/// Counts and checksums the text on its way into the compressor.
struct Summed<W: Write> {
    inner: W,
    crc: crc32fast::Hasher,
    length: u64,
}

impl<W: Write> Write for Summed<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.crc.update(&bytes[..written]);
        self.length += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `text` then the findings, comma-separated, then `after`, deflated; `last` ends the deflate
/// stream, otherwise it is left open after a sync flush for another stream to follow.
fn deflate(text: &str, findings: &[Finding], after: &str, last: bool) -> std::io::Result<Deflated> {
    use flate2::{write::DeflateEncoder, Compression};
    let encoder = DeflateEncoder::new(Vec::new(), Compression::fast());
    // serde writes a few bytes at a time; the compressor works best on large pieces.
    let mut out =
        std::io::BufWriter::with_capacity(1 << 16, Summed { inner: encoder, crc: Default::default(), length: 0 });
    out.write_all(text.as_bytes())?;
    for (index, finding) in findings.iter().enumerate() {
        if index > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut out, finding)?;
    }
    out.write_all(after.as_bytes())?;
    let Summed { inner: mut encoder, crc, length } = out.into_inner().map_err(|e| e.into_error())?;
    let bytes = if last {
        encoder.finish()?
    } else {
        // A sync flush puts out everything written, ending on a byte boundary without ending
        // the stream; what the encoder would add when dropped goes into the emptied buffer.
        encoder.flush()?;
        std::mem::take(encoder.get_mut())
    };
    Ok(Deflated { bytes, crc, length })
}

/// A report as a run stores it. Takes the report mutably only to set its findings aside while
/// the text around them is written; it is unchanged when this returns.
pub(super) fn pack(report: &mut Report) -> Result<String, String> {
    let findings = std::mem::take(&mut report.findings);
    let frame = serde_json::to_string(&*report);
    report.findings = findings;
    let frame = frame.map_err(|e| e.to_string())?;
    // Strings in JSON have their quotes escaped, so this is the key itself; no field before
    // the findings has a key of that name.
    const EMPTY: &str = "\"findings\":[]";
    let at = frame.find(EMPTY).ok_or("报告的 JSON 中没有 findings")? + EMPTY.len() - 1;
    let (before, after) = frame.split_at(at);
    let (first, second) = report.findings.split_at(report.findings.len() / 2);
    let between = if first.is_empty() || second.is_empty() { "" } else { "," };
    let (head, tail) = std::thread::scope(|scope| {
        let tail = scope.spawn(|| deflate(between, second, after, true));
        let head = deflate(before, first, "", false);
        (head, tail.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let (head, tail) = (head.map_err(|e| e.to_string())?, tail.map_err(|e| e.to_string())?);
    let mut crc = head.crc;
    crc.combine(&tail.crc);
    // The length is kept modulo 2^32, as gzip defines it.
    let length = (head.length + tail.length) as u32;
    let mut gzip = Vec::with_capacity(GZIP_HEADER.len() + head.bytes.len() + tail.bytes.len() + 8);
    gzip.extend_from_slice(&GZIP_HEADER);
    gzip.extend_from_slice(&head.bytes);
    gzip.extend_from_slice(&tail.bytes);
    gzip.extend_from_slice(&crc.finalize().to_le_bytes());
    gzip.extend_from_slice(&length.to_le_bytes());
    let mut stored = String::with_capacity(PACKED.len() + gzip.len() / 3 * 4 + 4);
    stored.push_str(PACKED);
    base64::Engine::encode_string(&BASE64, &gzip, &mut stored);
    Ok(stored)
}

/// A stored report, in either form.
pub(super) fn unpack(stored: &str) -> Result<Report, String> {
    use base64::Engine;
    let Some(packed) = stored.strip_prefix(PACKED) else {
        return serde_json::from_str(stored).map_err(|e| e.to_string());
    };
    let compressed = BASE64.decode(packed).map_err(|e| e.to_string())?;
    // Read as it is decompressed: what does not decompress into a report stops at its first
    // wrong byte, however large it would have grown (a small text can decompress to gigabytes).
    let json = std::io::BufReader::new(flate2::read::GzDecoder::new(compressed.as_slice()));
    serde_json::from_reader(json).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use crate::reconcile::{FindingKind, Severity, Summary};
    use std::io::Read;

    fn finding(number: usize) -> Finding {
        Finding {
            check: "bank".into(),
            fund: "employee".into(),
            scope: format!("city/employee 1003 \"支出户\" {number}"),
            severity: if number.is_multiple_of(3) { Severity::Difference } else { Severity::Outstanding },
            kind: FindingKind::Outstanding,
            outstanding: None,
            reference: number.is_multiple_of(2).then(|| format!("JS{number:06}")),
            ours: vec![format!("city/employee 记-2023-06-{number:04}")],
            theirs: Vec::new(),
            ours_amount: Some(Money::from_fen(number as i64 * 101 - 5_000)),
            theirs_amount: None,
            date: chrono::NaiveDate::from_ymd_opt(2023, 6, 1 + (number % 30) as u32),
            age_days: Some(number as i64 % 40),
            carried: number.is_multiple_of(5),
            message: "账簿已付、银行未记\n\t".into(),
        }
    }

    fn report(findings: usize) -> Report {
        Report {
            period: "2023-06".into(),
            cutoff: chrono::NaiveDate::from_ymd_opt(2023, 6, 30).unwrap(),
            ageing_limit_days: 30,
            summaries: vec![Summary {
                check: "bank".into(),
                fund: "employee".into(),
                matched: 3,
                outstanding: findings,
                differences: 0,
            }],
            findings: (0..findings).map(finding).collect(),
            statements: Vec::new(),
        }
    }

    /// What gzip itself makes of the stored text: the report's JSON exactly as serde writes it.
    fn gunzipped(stored: &str) -> String {
        use base64::Engine;
        let gzip = BASE64.decode(stored.strip_prefix(PACKED).expect("packed")).unwrap();
        // One member, and nothing after it (a reader of the first member alone reads it all).
        let mut decoder = flate2::bufread::GzDecoder::new(gzip.as_slice());
        let mut text = String::new();
        decoder.read_to_string(&mut text).unwrap();
        assert!(decoder.into_inner().is_empty(), "one gzip member and nothing after it");
        text
    }

    /// Halves of every size (none, one, uneven): one gzip member, whose content is the JSON serde
    /// writes for the whole report — the CRC and length of the trailer checked by the decoder —
    /// and which reads back as the report.
    #[test]
    fn a_report_packed_in_two_halves_is_one_gzip_member_of_its_json() {
        for findings in [0, 1, 2, 3, 10, 2_001] {
            let mut original = report(findings);
            let stored = pack(&mut original).unwrap();
            assert_eq!(original, report(findings), "the report is unchanged");
            assert_eq!(gunzipped(&stored), serde_json::to_string(&original).unwrap(), "{findings} findings");
            assert_eq!(unpack(&stored).unwrap(), original);
        }
    }

    /// A damaged trailer is noticed: the CRC really is checked (so the test above proves it).
    #[test]
    fn a_wrong_checksum_is_refused() {
        use base64::Engine;
        let stored = pack(&mut report(10)).unwrap();
        let mut gzip = BASE64.decode(stored.strip_prefix(PACKED).unwrap()).unwrap();
        let crc_at = gzip.len() - 8;
        gzip[crc_at] ^= 1;
        let damaged = format!("{PACKED}{}", BASE64.encode(&gzip));
        assert!(unpack(&damaged).is_err());
    }

    #[test]
    fn a_report_stored_as_plain_json_is_read() {
        let original = report(3);
        assert_eq!(unpack(&serde_json::to_string(&original).unwrap()).unwrap(), original);
    }
}
