//! Voucher drafts from a TOML file (`[[voucher]]` tables with `[[voucher.line]]`) or a JSON
//! file (an array of vouchers, `{"voucher": [...]}`, or one voucher object). Amounts are
//! strings so that nothing passes through floating point; unknown fields are refused.

use super::InputError;
use crate::domain::chart::Side;
use crate::domain::ids::{parse_date, BookCode};
use crate::domain::voucher::{DraftLine, VoucherDraft};
use crate::money::Money;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileVoucher {
    book: String,
    date: String,
    #[serde(default)]
    attachments: u32,
    external_id: Option<String>,
    line: Vec<FileLine>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLine {
    account: String,
    summary: String,
    debit: Option<String>,
    credit: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VoucherList {
    voucher: Vec<FileVoucher>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum JsonShape {
    List(Vec<FileVoucher>),
    Wrapped(VoucherList),
    One(FileVoucher),
}

/// The file's format, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    pub fn from_path(path: &std::path::Path) -> Result<Format, String> {
        match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref() {
            Some("toml") => Ok(Format::Toml),
            Some("json") => Ok(Format::Json),
            _ => Err(format!("文件 {} 的格式无法识别：凭证文件应为 .toml 或 .json", path.display())),
        }
    }
}

/// Parses every voucher of a file. Either all parse, or every problem is returned.
pub fn parse(text: &str, format: Format) -> Result<Vec<VoucherDraft>, Vec<InputError>> {
    let whole = |message: String| vec![InputError { position: 0, column: None, message }];
    let vouchers = match format {
        Format::Toml => toml::from_str::<VoucherList>(text).map_err(|e| whole(format!("TOML 格式错误：{e}")))?.voucher,
        Format::Json => match serde_json::from_str::<serde_json::Value>(text) {
            Err(e) => return Err(whole(format!("JSON 格式错误：{e}"))),
            Ok(_) => match serde_json::from_str::<JsonShape>(text) {
                Ok(JsonShape::List(list)) => list,
                Ok(JsonShape::Wrapped(list)) => list.voucher,
                Ok(JsonShape::One(one)) => vec![one],
                Err(_) => return Err(whole(json_detail(text))),
            },
        },
    };
    if vouchers.is_empty() {
        return Err(whole("文件中没有凭证".into()));
    }
    let mut drafts = Vec::with_capacity(vouchers.len());
    let mut errors = Vec::new();
    for (index, voucher) in vouchers.into_iter().enumerate() {
        match to_draft(voucher) {
            Ok(draft) => drafts.push(draft),
            Err(messages) => errors.extend(messages.into_iter().map(|message| InputError {
                position: 0,
                column: None,
                message: format!("第 {} 张凭证：{message}", index + 1),
            })),
        }
    }
    if errors.is_empty() {
        Ok(drafts)
    } else {
        Err(errors)
    }
}

/// The untagged enum hides serde's reason; re-read as a single voucher list to recover it.
fn json_detail(text: &str) -> String {
    let reason = serde_json::from_str::<Vec<FileVoucher>>(text)
        .err()
        .or_else(|| serde_json::from_str::<FileVoucher>(text).err())
        .map(|e| e.to_string())
        .unwrap_or_default();
    format!("JSON 内容不是凭证（应为凭证数组、{{\"voucher\": [...]}} 或单张凭证；金额须写成字符串）：{reason}")
}

fn to_draft(voucher: FileVoucher) -> Result<VoucherDraft, Vec<String>> {
    let mut problems = Vec::new();
    let book = BookCode::parse(&voucher.book).map_err(|e| problems.push(e)).ok();
    let date = parse_date(&voucher.date).map_err(|e| problems.push(e)).ok();
    let mut lines = Vec::with_capacity(voucher.line.len());
    for (index, line) in voucher.line.into_iter().enumerate() {
        let position = index + 1;
        match side_and_amount(line.debit.as_deref(), line.credit.as_deref()) {
            Ok((side, amount)) => lines.push(DraftLine {
                position,
                book: None,
                account: line.account.trim().to_string(),
                summary: line.summary,
                side,
                amount,
                reference: line.reference.filter(|r| !r.trim().is_empty()),
            }),
            Err(message) => problems.push(format!("第 {position} 行分录：{message}")),
        }
    }
    match (book, date) {
        (Some(book), Some(date)) if problems.is_empty() => Ok(VoucherDraft {
            book,
            date,
            attachments: voucher.attachments,
            external_id: voucher.external_id.filter(|e| !e.trim().is_empty()),
            lines,
        }),
        _ => Err(problems),
    }
}

/// One of debit or credit, as an exact amount. Shared by every voucher reader.
pub fn side_and_amount(debit: Option<&str>, credit: Option<&str>) -> Result<(Side, Money), String> {
    fn present(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|s| !s.is_empty())
    }
    match (present(debit), present(credit)) {
        (Some(d), None) => Money::parse(d).map(|m| (Side::Debit, m)).map_err(|e| e.to_string()),
        (None, Some(c)) => Money::parse(c).map(|m| (Side::Credit, m)).map_err(|e| e.to_string()),
        (Some(_), Some(_)) => Err("借方和贷方只能填一个".into()),
        (None, None) => Err("借方或贷方必须填一个金额".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_toml_and_json_alike() {
        let toml = r#"
[[voucher]]
book = "shayang/employee"
date = "2023-01-05"
attachments = 2
external_id = "SY-001"
[[voucher.line]]
account = "1003"
summary = "收到备付金"
debit = "100.50"
ref = "PAY-1"
[[voucher.line]]
account = "4601"
summary = "收到备付金"
credit = "100.50"
"#;
        let json = r#"[{"book": "shayang/employee", "date": "2023-01-05", "attachments": 2, "external_id": "SY-001",
            "line": [{"account": "1003", "summary": "收到备付金", "debit": "100.50", "ref": "PAY-1"},
                     {"account": "4601", "summary": "收到备付金", "credit": "100.50"}]}]"#;
        let a = parse(toml, Format::Toml).unwrap();
        let b = parse(json, Format::Json).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[0].lines[0].amount, Money::from_fen(10050));
        assert_eq!(a[0].lines[0].reference.as_deref(), Some("PAY-1"));
        assert_eq!(a[0].lines[1].side, Side::Credit);
    }

    #[test]
    fn refuses_floats_unknown_fields_and_bad_amounts() {
        let float = r#"{"book": "shayang/employee", "date": "2023-01-05", "line": [{"account": "1003", "summary": "x", "debit": 1.5}]}"#;
        assert!(parse(float, Format::Json).unwrap_err()[0].message.contains("金额须写成字符串"));
        let unknown = "[[voucher]]\nbook = \"a/b\"\ndate = \"2023-01-01\"\ncolour = 1\nline = []\n";
        assert!(parse(unknown, Format::Toml).unwrap_err()[0].message.contains("colour"));
        let bad = r#"[{"book": "shayang/employee", "date": "2023-01-32", "line": [
            {"account": "1003", "summary": "x", "debit": "1.234"},
            {"account": "4601", "summary": "x", "debit": "1", "credit": "1"}]}]"#;
        let messages: Vec<String> = parse(bad, Format::Json).unwrap_err().into_iter().map(|e| e.message).collect();
        assert_eq!(
            messages,
            vec![
                "第 1 张凭证：日期 \"2023-01-32\" 不是有效日期（应为 YYYY-MM-DD）",
                "第 1 张凭证：第 1 行分录：金额 \"1.234\" 超过两位小数（金额精确到分）",
                "第 1 张凭证：第 2 行分录：借方和贷方只能填一个",
            ]
        );
    }
}
