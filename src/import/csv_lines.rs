//! The voucher-line CSV: one row per voucher line, header
//! `voucher,book,date,account,summary,debit,credit` plus optional `external_id,attachments,ref`.
//!
//! Rows with the same `voucher` key form one voucher and must be contiguous, so the file is
//! read as a stream: only the current voucher's rows are held in memory, whatever the size.

use super::voucher_file::side_and_amount;
use super::InputError;
use crate::domain::ids::{parse_date, BookCode};
use crate::domain::voucher::{DraftLine, VoucherDraft};
use std::collections::HashSet;
use std::hash::BuildHasher;
use std::io::Read;

const REQUIRED: [&str; 7] = ["voucher", "book", "date", "account", "summary", "debit", "credit"];
const OPTIONAL: [&str; 3] = ["external_id", "attachments", "ref"];

/// One voucher read from the file, with the CSV line where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvVoucher {
    pub key: String,
    pub line: u64,
    pub draft: VoucherDraft,
}

#[derive(Clone, Copy)]
struct Columns {
    index: [usize; 7],
    external_id: Option<usize>,
    attachments: Option<usize>,
    reference: Option<usize>,
}

struct Row {
    line: u64,
    fields: csv::StringRecord,
}

/// Streams vouchers out of a CSV file. Each item is one voucher, or every problem in its rows.
pub struct CsvVouchers<R: Read> {
    reader: csv::Reader<R>,
    columns: Columns,
    pending: Option<Row>,
    /// Keyed 64-bit hashes of the voucher keys already read, to refuse a voucher whose rows are
    /// not contiguous. Hashes, not the keys: 8 bytes a voucher instead of the key's text, so a
    /// million-voucher file stays small. Two different keys share a hash with odds of about
    /// 1 in 30 million for a million vouchers (the hash key is random per run); that refuses the file
    /// naming a voucher wrongly, and never lets a split voucher through.
    finished_keys: HashSet<u64>,
    key_hasher: std::collections::hash_map::RandomState,
    done: bool,
    /// The header's number of columns.
    width: usize,
}

impl<R: Read> CsvVouchers<R> {
    /// Reads the header; a file without the required columns, or with unknown ones, is refused.
    pub fn new(input: R) -> Result<CsvVouchers<R>, InputError> {
        // Flexible: Excel's trailing empty rows may have fewer commas; they are skipped, and a row
        // of the wrong width with anything in it is refused below.
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
        let header_error = |message: String| InputError { position: 1, column: None, message };
        let headers = reader.headers().map_err(|e| super::csv_error(&e, "无法读取 CSV 表头：", 1))?.clone();
        let names: Vec<String> = headers.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect();
        let position = |name: &str| names.iter().position(|n| n == name);
        for name in &names {
            if !REQUIRED.contains(&name.as_str()) && !OPTIONAL.contains(&name.as_str()) {
                return Err(header_error(format!(
                    "未知的列 \"{}\"：表头应为 {}，可选 {}",
                    crate::domain::ids::quote(name),
                    REQUIRED.join(","),
                    OPTIONAL.join(",")
                )));
            }
        }
        let mut index = [0; 7];
        for (slot, name) in REQUIRED.iter().enumerate() {
            index[slot] = position(name).ok_or_else(|| {
                header_error(format!("缺少列 \"{name}\"：表头应为 {}，可选 {}", REQUIRED.join(","), OPTIONAL.join(",")))
            })?;
        }
        let columns = Columns {
            index,
            external_id: position("external_id"),
            attachments: position("attachments"),
            reference: position("ref"),
        };
        let width = names.len();
        Ok(CsvVouchers {
            reader,
            columns,
            pending: None,
            finished_keys: HashSet::new(),
            key_hasher: std::collections::hash_map::RandomState::new(),
            done: false,
            width,
        })
    }

    /// Bytes consumed so far, for progress.
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }

    fn next_row(&mut self) -> Option<Result<Row, InputError>> {
        if let Some(row) = self.pending.take() {
            return Some(Ok(row));
        }
        let mut fields = csv::StringRecord::new();
        loop {
            return match self.reader.read_record(&mut fields) {
                Ok(true) if super::tabular::is_blank(&fields) => continue,
                Ok(true) => {
                    let line = fields.position().map(|p| p.line()).unwrap_or(0);
                    if fields.len() != self.width {
                        let message = format!("这一行有 {} 列，表头有 {} 列", fields.len(), self.width);
                        return Some(Err(InputError { position: line, column: None, message }));
                    }
                    Some(Ok(Row { line, fields }))
                }
                Ok(false) => None,
                Err(e) => Some(Err(super::csv_error(&e, "CSV 格式错误：", 0))),
            };
        }
    }
}

impl<R: Read> Iterator for CsvVouchers<R> {
    type Item = Result<CsvVoucher, Vec<InputError>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let first = match self.next_row()? {
            Ok(row) => row,
            Err(e) => {
                // A malformed record (e.g. wrong field count) cannot be grouped; stop here.
                self.done = true;
                return Some(Err(vec![e]));
            }
        };
        let c = self.columns;
        let key = first.fields.get(c.index[0]).unwrap_or("").trim().to_string();
        let mut errors = Vec::new();
        if key.is_empty() {
            errors.push(InputError { position: first.line, column: None, message: "voucher 列不能为空".into() });
        } else if self.finished_keys.contains(&self.key_hasher.hash_one(&key)) {
            errors.push(InputError {
                position: first.line,
                column: None,
                message: format!("凭证 {key} 的行不连续：同一凭证的各行必须排在一起"),
            });
        }
        let mut rows = vec![first];
        loop {
            match self.next_row() {
                None => break,
                Some(Err(e)) => {
                    errors.push(e);
                    self.done = true;
                    break;
                }
                Some(Ok(row)) => {
                    if row.fields.get(c.index[0]).unwrap_or("").trim() == key && !key.is_empty() {
                        rows.push(row);
                    } else {
                        self.pending = Some(row);
                        break;
                    }
                }
            }
        }
        self.finished_keys.insert(self.key_hasher.hash_one(&key));
        let line = rows[0].line;
        match build(&key, &rows, c, errors) {
            Ok(draft) => Some(Ok(CsvVoucher { key, line, draft })),
            Err(errors) => Some(Err(errors)),
        }
    }
}

fn build(key: &str, rows: &[Row], c: Columns, mut errors: Vec<InputError>) -> Result<VoucherDraft, Vec<InputError>> {
    let field = |row: &Row, i: usize| row.fields.get(i).unwrap_or("").trim().to_string();
    let optional = |row: &Row, i: Option<usize>| i.map(|i| field(row, i)).filter(|s| !s.is_empty());
    let mut book = None;
    let mut date = None;
    let mut external_id: Option<String> = None;
    let mut attachments: Option<u32> = None;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let mut fail_at =
            |column: Option<usize>, message: String| errors.push(InputError { position: row.line, column, message });
        let row_book = match BookCode::parse(&field(row, c.index[1])) {
            Ok(b) => Some(b),
            Err(e) => {
                fail_at(Some(c.index[1]), e);
                None
            }
        };
        match parse_date(&field(row, c.index[2])) {
            Ok(d) => match date {
                None => date = Some(d),
                Some(first) if first != d => fail_at(
                    Some(c.index[2]),
                    format!("凭证 {key} 的日期不一致：{first} 与 {d}，同一凭证只能有一个日期"),
                ),
                Some(_) => {}
            },
            Err(e) => fail_at(Some(c.index[2]), e),
        }
        let mut fail = |message: String| fail_at(None, message);
        if let Some(id) = optional(row, c.external_id) {
            match &external_id {
                None => external_id = Some(id),
                Some(first) if *first != id => fail(format!("凭证 {key} 的 external_id 不一致：{first} 与 {id}")),
                Some(_) => {}
            }
        }
        if let Some(text) = optional(row, c.attachments) {
            match text.parse::<u32>() {
                Ok(n) => attachments = Some(attachments.map_or(n, |a: u32| a.max(n))),
                Err(_) => fail(format!("附件数 \"{}\" 应为非负整数", crate::domain::ids::quote(&text))),
            }
        }
        let account = field(row, c.index[3]);
        if account.is_empty() {
            errors.push(InputError {
                position: row.line,
                column: Some(c.index[3]),
                message: "account 列不能为空".into(),
            });
        }
        let debit = field(row, c.index[5]);
        let credit = field(row, c.index[6]);
        // An amount error names the column that holds the bad amount (debit unless only credit is filled).
        let amount_column = if debit.is_empty() && !credit.is_empty() { c.index[6] } else { c.index[5] };
        match side_and_amount(Some(&debit), Some(&credit)) {
            Ok((side, amount)) => {
                if book.is_none() {
                    book = row_book.clone();
                }
                lines.push(DraftLine {
                    position: row.line as usize,
                    book: row_book,
                    account,
                    summary: row.fields.get(c.index[4]).unwrap_or("").to_string(),
                    side,
                    amount,
                    reference: optional(row, c.reference),
                });
            }
            Err(message) => errors.push(InputError { position: row.line, column: Some(amount_column), message }),
        }
    }
    match (book, date) {
        (Some(book), Some(date)) if errors.is_empty() => {
            Ok(VoucherDraft { book, date, attachments: attachments.unwrap_or(0), external_id, lines })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;

    const HEADER: &str = "voucher,book,date,account,summary,debit,credit,external_id,ref\n";

    fn read(body: &str) -> Vec<Result<CsvVoucher, Vec<InputError>>> {
        CsvVouchers::new(format!("{HEADER}{body}").as_bytes()).unwrap().collect()
    }

    #[test]
    fn groups_contiguous_rows_into_vouchers() {
        let items = read(
            "v1,shayang/employee,2023-01-05,1003,备付金,100.00,,X1,PAY-1\n\
             v1,shayang/employee,2023-01-05,4601,备付金,,100.00,,PAY-1\n\
             v2,city/employee,2023-01-06,1003,拨款,5,,,\n\
             v2,city/employee,2023-01-06,1004,拨款,,5,,\n",
        );
        assert_eq!(items.len(), 2);
        let v1 = items[0].as_ref().unwrap();
        assert_eq!((v1.key.as_str(), v1.line), ("v1", 2));
        assert_eq!(v1.draft.external_id.as_deref(), Some("X1"));
        assert_eq!(v1.draft.lines[1].position, 3);
        assert_eq!(v1.draft.lines[1].amount, Money::from_fen(10000));
        assert_eq!(items[1].as_ref().unwrap().draft.lines[0].reference, None);
    }

    #[test]
    fn reports_each_bad_row_with_its_line() {
        let items = read(
            "v1,shayang/employee,2023-01-05,1003,备付金,1.001,,,\n\
             v1,shayang/employee,2023-01-06,4601,备付金,,100.00,,\n\
             v2,city/employee,2023-01-06,1003,拨款,,,,\n\
             v1,shayang/employee,2023-01-05,1003,again,1,,,\n",
        );
        let messages: Vec<String> =
            items.into_iter().flat_map(|i| i.err().unwrap_or_default()).map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            vec![
                "第 2 行：金额 \"1.001\" 超过两位小数（金额精确到分）",
                "第 3 行：凭证 v1 的日期不一致：2023-01-05 与 2023-01-06，同一凭证只能有一个日期",
                "第 4 行：借方或贷方必须填一个金额",
                "第 5 行：凭证 v1 的行不连续：同一凭证的各行必须排在一起",
            ]
        );
    }

    #[test]
    fn refuses_a_file_that_is_not_voucher_lines() {
        let err = CsvVouchers::new("date,ref,fund,kind,amount\n".as_bytes()).err().unwrap();
        assert_eq!(err.position, 1);
        assert!(err.message.starts_with("未知的列 \"fund\""), "{}", err.message);
        let err = CsvVouchers::new("voucher,book,date,account,summary,debit\n".as_bytes()).err().unwrap();
        assert!(err.message.starts_with("缺少列 \"credit\""), "{}", err.message);
    }
}
