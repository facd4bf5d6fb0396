//! Readers that turn files into drafts: voucher files (TOML or JSON) and the voucher-line CSV.
//! They parse text only; every accounting rule is checked later by validation. Errors carry
//! the position in the file (voucher index or CSV line number).

pub mod csv_lines;
pub mod events;
pub mod statements;
pub mod voucher_file;

/// A problem at one place in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// 1-based line (CSV) or voucher index (TOML/JSON); 0 for the file as a whole.
    pub position: u64,
    pub message: String,
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
