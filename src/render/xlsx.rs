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

impl Cell {
    /// The cell as text: amounts grouped (1,234.56) or plain.
    pub fn text(&self, grouped: bool) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Amount(m) if grouped => m.grouped(),
            Cell::Amount(m) => m.plain(),
        }
    }
}

/// A report as rows of cells, renderable as a table, CSV or a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// 编制单位: the office whose books these are (blank: not shown).
    pub organisation: String,
    /// The period the sheet covers, as staff write it (2023年1月至2023年3月).
    pub period: String,
    /// Rows (indexes into `rows`) that are totals: bold in the spreadsheet.
    pub totals: Vec<usize>,
}

impl Sheet {
    pub fn new<H: Into<String>>(title: String, headers: impl IntoIterator<Item = H>, rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet {
            title,
            headers: headers.into_iter().map(Into::into).collect(),
            rows,
            organisation: String::new(),
            period: String::new(),
            totals: Vec::new(),
        }
    }

    fn texts(&self, grouped: bool) -> Vec<Vec<String>> {
        self.rows.iter().map(|row| row.iter().map(|c| c.text(grouped)).collect()).collect()
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
        super::csv(&headers, &self.texts(false), &self.amount_columns())
    }

    /// The workbook's bytes, laid out as staff hand a report on: the title across the top, a line
    /// with 编制单位, the period and 单位：元, the header row frozen under them, amounts as numbers
    /// formatted `#,##0.00`, totals in bold, columns as wide as their contents.
    pub fn xlsx(&self) -> Result<Vec<u8>, String> {
        use rust_xlsxwriter::{FormatAlign, FormatBorder};
        let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let name: String = self.title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        sheet.set_name(&name).map_err(err)?;
        let columns = self.headers.len().max(1) as u16;
        let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
        let header = Format::new().set_bold().set_align(FormatAlign::Center).set_border(FormatBorder::Thin);
        let money = Format::new().set_num_format("#,##0.00").set_border(FormatBorder::Thin);
        let money_bold = Format::new().set_num_format("#,##0.00").set_bold().set_border(FormatBorder::Thin);
        let plain = Format::new().set_border(FormatBorder::Thin);
        let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
        if columns > 1 {
            sheet.merge_range(0, 0, 0, columns - 1, &self.title, &title).map_err(err)?;
        } else {
            sheet.write_string_with_format(0, 0, &self.title, &title).map_err(err)?;
        }
        let organisation =
            if self.organisation.is_empty() { String::new() } else { format!("编制单位：{}", self.organisation) };
        sheet.write_string(1, 0, &organisation).map_err(err)?;
        if !self.period.is_empty() && columns > 2 {
            sheet.write_string(1, columns / 2, format!("期间：{}", self.period)).map_err(err)?;
        }
        sheet.write_string(1, columns - 1, "单位：元").map_err(err)?;
        let mut widths: Vec<usize> = self.headers.iter().map(|h| super::display_width(h)).collect();
        for (col, text) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(2, col as u16, text, &header).map_err(err)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let strong = self.totals.contains(&r);
            for (c, cell) in row.iter().enumerate() {
                let (row_at, col_at) = (r as u32 + 3, c as u16);
                let width = match cell {
                    Cell::Text(t) => {
                        sheet
                            .write_string_with_format(row_at, col_at, t, if strong { &bold } else { &plain })
                            .map_err(err)?;
                        super::display_width(t)
                    }
                    // Two decimals of 元 from exact 分: the nearest double to the decimal.
                    Cell::Amount(m) => {
                        let value: f64 = m.plain().parse().unwrap_or(0.0);
                        let format = if strong { &money_bold } else { &money };
                        sheet.write_number_with_format(row_at, col_at, value, format).map_err(err)?;
                        m.grouped().len()
                    }
                };
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(width);
                }
            }
        }
        for (col, width) in widths.iter().enumerate() {
            sheet.set_column_width(col as u16, (*width).clamp(6, 60) as f64 + 2.0).map_err(err)?;
        }
        sheet.set_freeze_panes(3, 0).map_err(err)?;
        workbook.save_to_buffer().map_err(err)
    }
}
