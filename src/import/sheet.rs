//! The first sheet of a workbook as CSV text, made row by row as the readers ask for it: row r of
//! the sheet is line r, column c is field c, so positions need no translation.
//!
//! An xlsx sheet is read cell by cell on a thread of its own and handed over in chunks, so memory
//! is a row and a few chunks whatever the sheet's size, and nothing is sized by what the file
//! claims. calamine's whole-sheet reader allocates the sheet as a dense grid from its first to its
//! last cell: one cell at XFD1048576 beside A1 — a 1.5 KB file — asked for 512 GiB and aborted the
//! process. Here a row is as wide as its header (the first row with anything in it) or its own last
//! cell, a cell past `MAX_COLUMNS` is refused with its name, and empty rows are empty lines. Other
//! workbook formats calamine opens (ods, xlsb) are refused: it reads them only whole.

use super::tabular::{column_letters, Origin, Tabular};
use calamine::{Data, Reader, Sheets};
use std::io::{Read, Seek};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Columns read from a sheet: far more than any voucher or statement layout has (ten or so),
/// and a bound on a row's width whatever a file holds.
pub const MAX_COLUMNS: u32 = 256;

/// Bytes of CSV handed over at a time.
const CHUNK: usize = 1 << 16;

/// The first sheet of `workbook` (opened from the file or upload `name`) as CSV text.
pub fn open<RS: Read + Seek + Send + 'static>(workbook: Sheets<RS>, name: &str) -> Result<Tabular, String> {
    let name = name.to_string();
    let sheet = workbook.sheet_names().first().cloned().ok_or_else(|| format!("{name} 中没有工作表"))?;
    let origin = Origin::Sheet { name: sheet.clone() };
    if !matches!(workbook, Sheets::Xlsx(_)) {
        // calamine reads ods and xlsb only whole, as a dense grid a far cell can make any size.
        return Err(format!("{name} 不是 xlsx 工作簿（ods 或 xlsb）：请在 Excel 或 WPS 中另存为 xlsx 或 CSV 后再导入"));
    }
    let (sender, receiver) = sync_channel(4);
    std::thread::spawn(move || {
        let Sheets::Xlsx(mut xlsx) = workbook else { return };
        let ending = match xlsx.worksheet_cells_reader(&sheet) {
            Ok(mut cells) => {
                let next = || match cells.next_cell() {
                    // A shared string is copied either way: Data owns it.
                    Ok(cell) => Ok(cell.map(|c| (c.get_position(), cell_text(&Data::from(c.get_value().clone()))))),
                    Err(e) => Err(format!("无法读取：{e}")),
                };
                stream(next, &sender).map(|()| Piece::End)
            }
            Err(e) => Err(format!("无法读取 {name} 的工作表 {sheet}：{e}")),
        };
        // The reader may have stopped early (an error in an earlier row): nobody to tell.
        let _ = sender.send(ending.unwrap_or_else(Piece::Failed));
    });
    Ok(Tabular { reader: Box::new(Pieces { receiver, chunk: Vec::new(), at: 0, ended: false }), origin })
}

/// What the sheet's thread hands over: CSV bytes, then the end or why it stopped.
enum Piece {
    Bytes(Vec<u8>),
    End,
    Failed(String),
}

/// A cell's (row, column), both 0-based, and its text.
type SheetCell = ((u32, u32), String);

/// Writes the rows of the cells `next` gives, in the sheet's order, as CSV into chunks sent on
/// `sender`.
fn stream(
    mut next: impl FnMut() -> Result<Option<SheetCell>, String>,
    sender: &SyncSender<Piece>,
) -> Result<(), String> {
    let mut rows = Rows { writer: csv_writer(), next: 0, width: None };
    let mut current: Option<(u32, Vec<String>)> = None;
    while let Some(((row, column), text)) = next()? {
        if text.is_empty() {
            continue;
        }
        let place = || format!("{}{}", column_letters(column as usize), u64::from(row) + 1);
        if column >= MAX_COLUMNS {
            return Err(format!(
                "{} 单元格有内容，超出了读取的前 {MAX_COLUMNS} 列（A–{}）：请删除表格右侧多余的内容后再导入",
                place(),
                column_letters(MAX_COLUMNS as usize - 1)
            ));
        }
        if current.as_ref().is_none_or(|(at, _)| *at != row) {
            if let Some((at, fields)) = current.take() {
                rows.write(at, fields)?;
            }
            if row < rows.next {
                return Err(format!(
                    "{} 单元格出现在第 {} 行之后，行的次序不对：请用 Excel 或 WPS 打开另存后再导入",
                    place(),
                    rows.next
                ));
            }
            current = Some((row, Vec::new()));
        }
        if let Some((_, fields)) = current.as_mut() {
            if fields.len() <= column as usize {
                fields.resize(column as usize + 1, String::new());
            }
            fields[column as usize] = text;
        }
        if rows.writer.get_ref().len() >= CHUNK {
            rows.hand_over(sender)?;
        }
    }
    if let Some((at, fields)) = current.take() {
        rows.write(at, fields)?;
    }
    rows.hand_over(sender)
}

/// CSV lines written so far: the next sheet row to write and the header's width.
struct Rows {
    writer: csv::Writer<Vec<u8>>,
    next: u32,
    width: Option<usize>,
}

impl Rows {
    /// Writes sheet row `at` (0-based) after an empty line for each row without content before
    /// it; a row shorter than the header is filled out to it with empty fields.
    fn write(&mut self, at: u32, mut fields: Vec<String>) -> Result<(), String> {
        let failed = |e: csv::Error| e.to_string();
        while self.next < at {
            self.writer.write_record([""]).map_err(failed)?;
            self.next += 1;
        }
        let width = *self.width.get_or_insert(fields.len());
        if fields.len() < width {
            fields.resize(width, String::new());
        }
        self.writer.write_record(&fields).map_err(failed)?;
        self.next = at + 1;
        Ok(())
    }

    /// Sends what is written so far (the reader went away: nothing more to do, said as an error).
    fn hand_over(&mut self, sender: &SyncSender<Piece>) -> Result<(), String> {
        let bytes = std::mem::replace(&mut self.writer, csv_writer()).into_inner().map_err(|e| e.to_string())?;
        if bytes.is_empty() {
            return Ok(());
        }
        sender.send(Piece::Bytes(bytes)).map_err(|_| "读取已停止".to_string())
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().flexible(true).from_writer(Vec::new())
}

/// The CSV text handed over by the sheet's thread, as a reader. The thread ends with `End`; a
/// channel closed without it (the thread panicked) is an error, never a short file.
struct Pieces {
    receiver: Receiver<Piece>,
    chunk: Vec<u8>,
    at: usize,
    ended: bool,
}

impl Read for Pieces {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            if self.ended {
                return Ok(0);
            }
            match self.receiver.recv() {
                Ok(Piece::Bytes(bytes)) => (self.chunk, self.at) = (bytes, 0),
                Ok(Piece::End) => self.ended = true,
                // Said once; then the text ends (a reader that reads on after an error, as the
                // csv reader's record iterator does, would otherwise be told it for ever). Every
                // reader refuses the whole file for an error, so the end after it imports nothing.
                Ok(Piece::Failed(message)) => {
                    self.ended = true;
                    return Err(std::io::Error::other(message));
                }
                Err(_) => {
                    self.ended = true;
                    return Err(std::io::Error::other("读取工作表时意外中止"));
                }
            }
        }
        let n = out.len().min(self.chunk.len() - self.at);
        out[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A cell as text: numbers as Excel's General format shows them, dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => float_text(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.to_string(),
            None => d.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A number cell as Excel shows it in the General format — 15 significant digits, trailing
/// zeros dropped: 1500 for 1500.0, 1234.56 as typed, 0.3 for a sum that is 0.30000000000000004
/// in binary. The amount parser then checks the text exactly (at most two decimals).
fn float_text(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return if value.is_finite() { "0".into() } else { value.to_string() };
    }
    let whole_digits = value.abs().log10().floor() as i32 + 1;
    let decimals = (15 - whole_digits).clamp(0, 15) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_typed_numbers() {
        assert_eq!(float_text(1500.0), "1500");
        assert_eq!(float_text(1234.56), "1234.56");
        assert_eq!(float_text(0.1 + 0.2), "0.3");
        assert_eq!(float_text(215711712.37), "215711712.37");
        assert_eq!(float_text(-8.8), "-8.8");
        assert_eq!(float_text(0.0), "0");
    }

    /// A thread that stops without saying it ended makes the reader fail, not end.
    #[test]
    fn a_sheet_thread_that_stops_without_ending_is_an_error() {
        let (sender, receiver) = sync_channel(1);
        sender.send(Piece::Bytes(b"a,b\n".to_vec())).unwrap();
        drop(sender);
        let mut text = String::new();
        let error = Pieces { receiver, chunk: Vec::new(), at: 0, ended: false }.read_to_string(&mut text).unwrap_err();
        assert!(error.to_string().contains("意外中止"), "{error}");

        let (sender, receiver) = sync_channel(2);
        sender.send(Piece::Bytes(b"a,b\n".to_vec())).unwrap();
        sender.send(Piece::End).unwrap();
        let mut text = String::new();
        Pieces { receiver, chunk: Vec::new(), at: 0, ended: false }.read_to_string(&mut text).unwrap();
        assert_eq!(text, "a,b\n");
    }
}
