//! Spreadsheets (.xlsx) for finance staff who hand reports on: Chinese headers, a frozen header
//! row, amounts as numbers with two decimals. This is the one place an amount becomes a
//! floating-point number, because that is what a spreadsheet cell holds; the 分 value is exact
//! up to 2^53 分 (about 90 万亿元).

use crate::money::Money;
use rust_xlsxwriter::{Format, Workbook};

/// A cell of a report sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Amount(Money),
}

/// A report as rows of cells, renderable as a table, CSV or a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    fn texts(&self, grouped: bool) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| match c {
                        Cell::Text(t) => t.clone(),
                        Cell::Amount(m) if grouped => m.grouped(),
                        Cell::Amount(m) => m.plain(),
                    })
                    .collect()
            })
            .collect()
    }

    fn amount_columns(&self) -> Vec<usize> {
        (0..self.headers.len())
            .filter(|i| self.rows.iter().any(|r| matches!(r.get(*i), Some(Cell::Amount(_)))))
            .collect()
    }

    pub fn table(&self) -> String {
        let headers: Vec<&str> = self.headers.iter().map(String::as_str).collect();
        format!("{}\n", self.title) + &super::table(&headers, &self.texts(true), &self.amount_columns())
    }

    pub fn csv(&self) -> String {
        let headers: Vec<&str> = self.headers.iter().map(String::as_str).collect();
        super::csv(&headers, &self.texts(false))
    }

    /// The workbook's bytes: one sheet, header row frozen, amounts formatted `#,##0.00`.
    pub fn xlsx(&self) -> Result<Vec<u8>, String> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let name: String = self.title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        sheet.set_name(&name).map_err(|e| e.to_string())?;
        let bold = Format::new().set_bold();
        let money = Format::new().set_num_format("#,##0.00");
        for (col, header) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, header, &bold).map_err(|e| e.to_string())?;
            sheet.set_column_width(col as u16, if col == 1 { 36 } else { 18 }).map_err(|e| e.to_string())?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
                    // Two decimals of 元 from exact 分: the nearest double to the decimal.
                    Cell::Amount(m) => {
                        let value: f64 = m.plain().parse().unwrap_or(0.0);
                        sheet.write_number_with_format(r, c, value, &money).map(|_| ())
                    }
                }
                .map_err(|e| e.to_string())?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
        workbook.save_to_buffer().map_err(|e| e.to_string())
    }
}
