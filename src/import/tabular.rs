//! Files as staff have them: CSV saved by Excel or WPS in UTF-8 (with or without a byte-order
//! mark) or in GBK/GB18030, with CRLF or LF line ends, and xlsx workbooks. `open` turns any of
//! them into UTF-8 CSV text for the readers, streamed (memory stays bounded): CSV decoded as it
//! is read, a workbook's first sheet converted by `sheet` — one CSV line per sheet row, so a line
//! number is the row number Excel shows and a column index is the cell's column.

use super::InputError;
use std::io::Read;
use std::path::Path;

/// Where the text came from, for naming places in errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A CSV file; `encoding` is what it was decoded from (UTF-8, GB18030).
    Csv { encoding: &'static str },
    /// The named sheet of a workbook.
    Sheet { name: String },
}

impl Origin {
    /// An error as the user finds the place: a sheet's cell, or the file's line.
    pub fn describe(&self, error: &InputError) -> String {
        match self {
            Origin::Csv { .. } => error.to_string(),
            Origin::Sheet { name } => error.in_sheet(name),
        }
    }
}

/// UTF-8 CSV text to read, and where it came from.
pub struct Tabular {
    pub reader: Box<dyn Read + Send>,
    pub origin: Origin,
}

/// Excel's name of a 0-based column: 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(mut column: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

const SAVE_AS_UTF8: &str = "请另存为 UTF-8 CSV（Excel：“另存为”→“CSV UTF-8（逗号分隔）”），或直接导入 xlsx 文件";

/// Opens a file the user named as input (`what` names it in messages, e.g. 锚点文件, or is
/// empty): it must be a regular file — a device such as /dev/zero or a pipe would be read for
/// ever — and missing or unreadable is said in Chinese. Every input file is opened here first.
pub fn open_input(path: &Path, what: &str) -> Result<(std::fs::File, std::fs::Metadata), String> {
    let shown = if what.is_empty() { path.display().to_string() } else { format!("{what} {}", path.display()) };
    let cannot = |e: std::io::Error| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "文件不存在".to_string(),
            std::io::ErrorKind::PermissionDenied => "没有读取权限".to_string(),
            _ => e.to_string(),
        };
        format!("无法读取{shown}：{reason}")
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let metadata = file.metadata().map_err(cannot)?;
    if !metadata.is_file() {
        return Err(format!("{shown} 不是普通文件"));
    }
    Ok((file, metadata))
}

/// Opens a CSV or xlsx file as UTF-8 CSV text.
pub fn open(path: &Path) -> Result<Tabular, String> {
    let name = path.display().to_string();
    let (mut first, _) = open_input(path, "")?;
    let reopen = || std::fs::File::open(path).map_err(|e| format!("无法读取 {name}：{e}"));
    let mut magic = [0u8; 4];
    let read = first.read(&mut magic).map_err(|e| format!("无法读取 {name}：{e}"))?;
    match kind_of(&magic[..read], path) {
        Kind::Workbook => {
            let workbook = calamine::open_workbook_auto(path).map_err(|e| not_a_workbook(&name, e))?;
            super::sheet::open(workbook, &name)
        }
        Kind::OldExcel => Err(format!("{name} 是旧版 Excel（.xls）文件：{SAVE_AS_UTF8}")),
        Kind::Text => {
            let encoding = detect(reopen()?, &name)?;
            Ok(decoded(reopen()?, encoding))
        }
    }
}

/// How much an uploaded workbook may hold once inflated: several times what a 32 MB upload of
/// honest rows inflates to.
pub const UPLOAD_INFLATED_LIMIT: u64 = 256 << 20;

/// Opens a file received as bytes (an upload named `name`) as `open` opens a file — a workbook
/// only once it is known to inflate to at most `UPLOAD_INFLATED_LIMIT`.
pub fn open_bytes(name: &str, bytes: Vec<u8>) -> Result<Tabular, String> {
    match kind_of(bytes.get(..4).unwrap_or(&bytes), Path::new(name)) {
        Kind::Workbook => {
            check_inflated_size(name, &bytes)?;
            let workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
                .map_err(|e| not_a_workbook(name, e))?;
            super::sheet::open(workbook, name)
        }
        Kind::OldExcel => Err(format!("{name} 是旧版 Excel（.xls）文件：{SAVE_AS_UTF8}")),
        Kind::Text => {
            let encoding = detect(bytes.as_slice(), name)?;
            Ok(decoded(std::io::Cursor::new(bytes), encoding))
        }
    }
}

/// Inflates every member of the zip `bytes`, counting, and refuses it past the limit. calamine
/// keeps a workbook's shared strings whole and a zip may declare any sizes it likes, while deflate
/// packs a thousand bytes into one: a 32 MB upload could ask the server for tens of GB. Measured,
/// not declared: the members are read through (into nothing) before calamine sees them.
fn check_inflated_size(name: &str, bytes: &[u8]) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| not_a_workbook(name, e))?;
    let mut left = UPLOAD_INFLATED_LIMIT;
    for index in 0..archive.len() {
        let member = archive.by_index(index).map_err(|e| not_a_workbook(name, e))?;
        let read =
            std::io::copy(&mut member.take(left + 1), &mut std::io::sink()).map_err(|e| not_a_workbook(name, e))?;
        if read > left {
            return Err(format!(
                "{name} 解压后超过 {} MB：网页不接收这样的工作簿；请另存为 CSV 上传，或用命令行 statement import",
                UPLOAD_INFLATED_LIMIT >> 20
            ));
        }
        left -= read;
    }
    Ok(())
}

/// What a file is, by its first bytes and its name.
enum Kind {
    Workbook,
    OldExcel,
    Text,
}

fn kind_of(magic: &[u8], path: &Path) -> Kind {
    let xlsx_name = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"));
    if magic == b"PK\x03\x04" || xlsx_name {
        Kind::Workbook
    } else if magic.starts_with(&[0xd0, 0xcf, 0x11, 0xe0]) {
        Kind::OldExcel
    } else {
        Kind::Text
    }
}

fn not_a_workbook(name: &str, e: impl std::fmt::Display) -> String {
    format!("{name} 不是可读取的 xlsx 工作簿：{e}")
}

/// Text in `encoding` as UTF-8 with LF line ends, converted as it is read.
fn decoded(input: impl Read + Send + 'static, encoding: &'static str) -> Tabular {
    let buffered = std::io::BufReader::with_capacity(1 << 16, input);
    // The decoder drops a byte-order mark and, for GB18030, converts to UTF-8 as it reads.
    let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(if encoding == "GB18030" { encoding_rs::GB18030 } else { encoding_rs::UTF_8 }))
        .bom_override(true)
        .build(buffered);
    Tabular { reader: Box::new(UnixLines::new(decoder)), origin: Origin::Csv { encoding } }
}

/// CRLF line ends as LF. The csv reader counts a CRLF file's lines one short, so without this
/// an error would name the line above the one the editor shows.
struct UnixLines<R> {
    inner: R,
    /// A CR read at the end of the previous chunk, not yet known to be part of a CRLF.
    held_cr: bool,
}

impl<R: Read> UnixLines<R> {
    fn new(inner: R) -> Self {
        UnixLines { inner, held_cr: false }
    }
}

impl<R: Read> Read for UnixLines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.len() < 2 {
            return self.inner.read(out);
        }
        // Leave room for a held CR that turns out not to precede an LF.
        let read = self.inner.read(&mut out[1..])?;
        let mut written = 0;
        if self.held_cr {
            self.held_cr = false;
            if read == 0 || out[1] != b'\n' {
                out[0] = b'\r';
                written = 1;
            }
        }
        let mut i = 1;
        while i <= read {
            let byte = out[i];
            if byte == b'\r' {
                if i == read {
                    self.held_cr = true;
                    i += 1;
                    continue;
                }
                if out[i + 1] == b'\n' {
                    i += 1;
                    continue;
                }
            }
            out[written] = byte;
            written += 1;
            i += 1;
        }
        if written == 0 && self.held_cr {
            // Only a CR so far: read on to see what follows it.
            return self.read(out);
        }
        Ok(written)
    }
}

/// UTF-8 when every byte sequence is UTF-8; else GB18030 (which covers GBK and GB2312) when it
/// decodes without a fault; else a refusal that says how to save the file.
fn detect(mut file: impl Read, name: &str) -> Result<&'static str, String> {
    let mut buffer = vec![0u8; 1 << 16];
    let mut carry: Vec<u8> = Vec::new();
    let mut utf8 = true;
    let mut gb = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut gb_ok = true;
    let mut scratch = String::with_capacity(1 << 17);
    loop {
        let read = file.read(&mut buffer).map_err(|e| format!("无法读取 {name}：{e}"))?;
        let last = read == 0;
        let chunk = &buffer[..read];
        if utf8 {
            carry.extend_from_slice(chunk);
            match std::str::from_utf8(&carry) {
                Ok(_) => carry.clear(),
                Err(e) if e.error_len().is_none() && !last => {
                    // A character cut by the chunk's end: keep its start for the next chunk.
                    carry.drain(..e.valid_up_to());
                }
                Err(_) => utf8 = false,
            }
        }
        if gb_ok {
            scratch.clear();
            scratch.reserve(chunk.len() * 2 + 8);
            let (result, _) = gb.decode_to_string_without_replacement(chunk, &mut scratch, last);
            if let encoding_rs::DecoderResult::Malformed(..) = result {
                gb_ok = false;
            }
        }
        if last || (!utf8 && !gb_ok) {
            break;
        }
    }
    if utf8 {
        Ok("UTF-8")
    } else if gb_ok {
        Ok("GB18030")
    } else {
        Err(format!("{name} 既不是 UTF-8 也不是 GBK 编码的文本：{SAVE_AS_UTF8}"))
    }
}

/// A CSV reader over any file `open` accepts; rows may differ in width (Excel's trailing rows),
/// so readers skip `is_blank` rows and check the width of the rest.
pub fn csv_reader(path: &Path) -> Result<(csv::Reader<Box<dyn Read + Send>>, Origin), String> {
    let input = open(path)?;
    Ok((csv::ReaderBuilder::new().flexible(true).from_reader(input.reader), input.origin))
}

/// Whether a CSV record has nothing in it (Excel's trailing `,,,,,,` rows).
pub fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|field| field.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_columns_as_excel_does() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(3), "D");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn turns_crlf_into_lf_whatever_the_chunking() {
        let text = b"a,b\r\n1,2\r\n\"x\ry\",3\r\n\r\n";
        for chunk in 2..12 {
            struct Chunked<'a>(&'a [u8], usize);
            impl Read for Chunked<'_> {
                fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                    let n = self.0.len().min(self.1).min(out.len());
                    out[..n].copy_from_slice(&self.0[..n]);
                    self.0 = &self.0[n..];
                    Ok(n)
                }
            }
            let mut lines = UnixLines::new(Chunked(text, chunk));
            let mut out = Vec::new();
            let mut buffer = [0u8; 5];
            loop {
                let n = lines.read(&mut buffer).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buffer[..n]);
            }
            assert_eq!(out, b"a,b\n1,2\n\"x\ry\",3\n\n", "chunk {chunk}");
        }
    }
}
