//! Readers that turn files into drafts: voucher files (TOML or JSON) and the voucher-line CSV.
//! They parse text only; every accounting rule is checked later by validation. Errors carry
//! the position in the file (voucher index or CSV line number).

pub mod csv_lines;
pub mod events;
pub mod sheet;
pub mod statements;
pub mod tabular;
pub mod voucher_file;

/// A problem at one place in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// 1-based line (CSV) or voucher index (TOML/JSON); 0 for the file as a whole.
    pub position: u64,
    /// The 0-based column of the field at fault, where one field is (named as a cell, D5, when
    /// the file was a spreadsheet).
    pub column: Option<usize>,
    pub message: String,
}

/// A CSV reader's error as an input error. A failure to read — a sheet refused while it was being
/// read, whose message names its cell — is the file's, not a line's; anything else is the
/// malformed line the error names (else `line`), its message after `what`.
pub fn csv_error(e: &csv::Error, what: &str, line: u64) -> InputError {
    match e.kind() {
        csv::ErrorKind::Io(failure) => InputError { position: 0, column: None, message: failure.to_string() },
        _ => InputError {
            position: e.position().map_or(line, |p| p.line()),
            column: None,
            message: format!("{what}{e}"),
        },
    }
}

impl InputError {
    /// The place as a spreadsheet user reads it: 工作表 凭证 的 D5 单元格, or 第 5 行.
    pub fn in_sheet(&self, sheet: &str) -> String {
        match (self.position, self.column) {
            (0, _) => format!("工作表 {sheet}：{}", self.message),
            (row, Some(column)) => {
                format!("工作表 {sheet} 的 {}{row} 单元格：{}", tabular::column_letters(column), self.message)
            }
            (row, None) => format!("工作表 {sheet} 第 {row} 行：{}", self.message),
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.position == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "第 {} 行：{}", self.position, self.message)
        }
    }
}
