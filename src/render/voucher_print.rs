//! 记账凭证 printing: each voucher laid out as staff know it from 用友/金蝶 — title, 编制单位, date,
//! 凭证字号 and 附件, a ruled table of 摘要 / 会计科目 / 借方金额 / 贷方金额, the 合计 row with
//! the amount in capitals (大写), and the 会计主管 / 记账 / 审核 / 制单 names — two to an A4 page.
//! `layout` is pure (and what the tests read); `pdf` draws a layout with an embedded CJK font.

use crate::domain::chart::{Chart, Side};
use crate::domain::voucher::VoucherRecord;
use crate::money::in_capitals;

/// A4 portrait, in points.
pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;
/// Lines a voucher box holds; a longer voucher continues in the next box (第 1/2 张).
pub const ROWS_PER_BOX: usize = 10;

const LEFT: f32 = 40.0;
const RIGHT: f32 = 555.0;
/// Column edges: 摘要 | 会计科目 | 借方金额 | 贷方金额.
const COLUMNS: [f32; 5] = [LEFT, 185.0, 365.0, 460.0, RIGHT];
const ROW_HEIGHT: f32 = 18.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Centre,
    Right,
}

/// What is drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Text with its baseline at `y` (from the top); `x` is its left edge, centre or right edge.
    Text {
        x: f32,
        y: f32,
        size: f32,
        align: Align,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<Item>,
}

/// The vouchers of a print run laid out on pages.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    pub pages: Vec<Page>,
}

impl Layout {
    /// Every text on every page, in drawing order (for tests and the text a reader extracts).
    pub fn texts(&self) -> Vec<&str> {
        self.pages
            .iter()
            .flat_map(|p| p.items.iter())
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                Item::Line { .. } => None,
            })
            .collect()
    }
}

/// About how wide a text is in the font (CJK one em, Latin and digits about half): enough to
/// right-align amounts and to cut a long 摘要.
pub fn text_width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| if c.is_ascii() { 0.56 } else { 1.0 }).sum::<f32>() * size
}

/// The text cut with … to fit a width.
fn fit(text: &str, size: f32, width: f32) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if text_width(&format!("{out}{c}…"), size) > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Lays out every voucher: one box per up to `ROWS_PER_BOX` lines, two boxes per page.
pub fn layout(organisation: &str, vouchers: &[VoucherRecord], chart: &Chart) -> Layout {
    let mut boxes: Vec<Vec<Item>> = Vec::new();
    for voucher in vouchers {
        let parts: Vec<_> = voucher.lines.chunks(ROWS_PER_BOX).collect();
        for (index, lines) in parts.iter().enumerate() {
            boxes.push(voucher_box(organisation, voucher, chart, lines, (index + 1, parts.len())));
        }
    }
    let mut layout = Layout::default();
    for pair in boxes.chunks(2) {
        let mut page = Page::default();
        for (half, items) in pair.iter().enumerate() {
            let offset = half as f32 * PAGE_HEIGHT / 2.0;
            page.items.extend(items.iter().map(|item| shifted(item, offset)));
        }
        // The cut line between the two vouchers.
        if pair.len() == 2 {
            page.items.push(Item::Line {
                x1: 20.0,
                y1: PAGE_HEIGHT / 2.0,
                x2: 575.0,
                y2: PAGE_HEIGHT / 2.0,
                width: 0.3,
            });
        }
        layout.pages.push(page);
    }
    layout
}

fn shifted(item: &Item, dy: f32) -> Item {
    match item.clone() {
        Item::Text { x, y, size, align, text } => Item::Text { x, y: y + dy, size, align, text },
        Item::Line { x1, y1, x2, y2, width } => Item::Line { x1, y1: y1 + dy, x2, y2: y2 + dy, width },
    }
}

fn text(x: f32, y: f32, size: f32, align: Align, text: impl Into<String>) -> Item {
    Item::Text { x, y, size, align, text: text.into() }
}

fn line(x1: f32, y1: f32, x2: f32, y2: f32, width: f32) -> Item {
    Item::Line { x1, y1, x2, y2, width }
}

/// One voucher box in the top half of a page (y from the half's top edge).
fn voucher_box(
    organisation: &str,
    voucher: &VoucherRecord,
    chart: &Chart,
    lines: &[crate::domain::voucher::LineRecord],
    (part, parts): (usize, usize),
) -> Vec<Item> {
    let mut items = Vec::new();
    let centre = (LEFT + RIGHT) / 2.0;
    items.push(text(centre, 48.0, 18.0, Align::Centre, "记 账 凭 证"));
    items.push(line(centre - 60.0, 53.0, centre + 60.0, 53.0, 0.8));
    items.push(line(centre - 60.0, 55.5, centre + 60.0, 55.5, 0.8));
    let state = super::sheets::status_word(voucher);
    if state != "已记账" {
        items.push(text(RIGHT, 48.0, 10.0, Align::Right, format!("（{state}）")));
    }
    let date = voucher.date.format("%Y年%m月%d日").to_string();
    let number = if parts > 1 {
        format!("记字第 {:04} 号（第 {part}/{parts} 张）", voucher.number.seq)
    } else {
        format!("记字第 {:04} 号", voucher.number.seq)
    };
    items.push(text(LEFT, 74.0, 9.0, Align::Left, fit(&format!("编制单位：{organisation}"), 9.0, 240.0)));
    items.push(text(centre + 50.0, 74.0, 9.0, Align::Centre, date));
    items.push(text(RIGHT, 74.0, 9.0, Align::Right, number));
    let top = 82.0;
    let header_bottom = top + 20.0;
    let body_bottom = header_bottom + ROW_HEIGHT * ROWS_PER_BOX as f32;
    let bottom = body_bottom + ROW_HEIGHT;
    // Frame, header rule, row rules, column rules.
    for y in [top, header_bottom, body_bottom, bottom] {
        items.push(line(LEFT, y, RIGHT, y, if y == top || y == bottom { 1.0 } else { 0.6 }));
    }
    for row in 1..ROWS_PER_BOX {
        let y = header_bottom + ROW_HEIGHT * row as f32;
        items.push(line(LEFT, y, RIGHT, y, 0.3));
    }
    for (i, x) in COLUMNS.iter().enumerate() {
        // The 合计 row's first cell spans 摘要 and 会计科目.
        let end = if i == 1 { body_bottom } else { bottom };
        items.push(line(*x, top, *x, end, if i == 0 || i == 4 { 1.0 } else { 0.6 }));
    }
    for (i, title) in ["摘 要", "会 计 科 目", "借方金额", "贷方金额"].iter().enumerate() {
        items.push(text((COLUMNS[i] + COLUMNS[i + 1]) / 2.0, top + 14.0, 10.0, Align::Centre, *title));
    }
    for (row, l) in lines.iter().enumerate() {
        let y = header_bottom + ROW_HEIGHT * row as f32 + 12.5;
        let name = chart.get(&l.account).map(|a| a.name.as_str()).unwrap_or("");
        items.push(text(COLUMNS[0] + 3.0, y, 9.0, Align::Left, fit(&l.summary, 9.0, COLUMNS[1] - COLUMNS[0] - 6.0)));
        let account = format!("{} {name}", l.account);
        items.push(text(COLUMNS[1] + 3.0, y, 9.0, Align::Left, fit(&account, 9.0, COLUMNS[2] - COLUMNS[1] - 6.0)));
        let column = if l.side == Side::Debit { 3 } else { 4 };
        items.push(text(COLUMNS[column] - 4.0, y, 9.0, Align::Right, l.amount.grouped()));
    }
    let y = body_bottom + 12.5;
    if part == parts {
        let debit = voucher.total(Side::Debit);
        let credit = voucher.total(Side::Credit);
        let words = format!("合计：{}", in_capitals(debit));
        items.push(text(COLUMNS[0] + 3.0, y, 9.0, Align::Left, fit(&words, 9.0, COLUMNS[2] - COLUMNS[0] - 6.0)));
        items.push(text(COLUMNS[3] - 4.0, y, 9.0, Align::Right, debit.grouped()));
        items.push(text(COLUMNS[4] - 4.0, y, 9.0, Align::Right, credit.grouped()));
    } else {
        items.push(text(COLUMNS[0] + 3.0, y, 9.0, Align::Left, "（转下张）"));
    }
    let attachments = format!("附单据 {} 张", voucher.attachments);
    items.push(text(RIGHT, bottom + 14.0, 9.0, Align::Right, attachments));
    let names = format!(
        "会计主管：          记账：{}          审核：{}          制单：{}",
        voucher.poster.as_deref().unwrap_or(""),
        voucher.reviewer.as_deref().unwrap_or(""),
        voucher.maker
    );
    items.push(text(LEFT, bottom + 30.0, 9.0, Align::Left, names));
    items
}

/// Draws a layout as PDF with the given font (a TrueType/OpenType file or collection and the
/// face's index in it); only the glyphs used are embedded.
pub fn pdf(layout: &Layout, font: Vec<u8>, index: u32, title: &str) -> Result<Vec<u8>, String> {
    use krilla::geom::{PathBuilder, Point};
    use krilla::metadata::Metadata;
    use krilla::page::PageSettings;
    use krilla::paint::{Fill, Stroke};
    use krilla::text::{Font, TextDirection};
    let font = Font::new(font.into(), index).ok_or("字体文件无法读取（不是 TrueType/OpenType 字体）")?;
    let mut document = krilla::Document::new();
    document.set_metadata(Metadata::new().title(title.to_string()).creator("fundpool".into()));
    for page in &layout.pages {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("页面尺寸无效")?;
        let mut pdf_page = document.start_page_with(settings);
        let mut surface = pdf_page.surface();
        for item in &page.items {
            match item {
                Item::Line { x1, y1, x2, y2, width } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y1);
                    path.line_to(*x2, *y2);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke { width: *width, ..Default::default() }));
                        surface.draw_path(&path);
                    }
                }
                Item::Text { x, y, size, align, text } => {
                    let left = match align {
                        Align::Left => *x,
                        Align::Centre => x - text_width(text, *size) / 2.0,
                        Align::Right => x - text_width(text, *size),
                    };
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill::default()));
                    surface.draw_text(Point::from_xy(left, *y), font.clone(), *size, text, false, TextDirection::Auto);
                }
            }
        }
        surface.finish();
        pdf_page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::chart::Chart;
    use crate::domain::voucher::{LineRecord, Status, VoucherRecord};
    use crate::money::Money;

    fn voucher(seq: u32, lines: usize) -> VoucherRecord {
        let line = |no: usize| LineRecord {
            line_no: no as u32,
            account: if no.is_multiple_of(2) { "1003".into() } else { "5001".into() },
            summary: format!("第{no}行"),
            side: if no.is_multiple_of(2) { Side::Credit } else { Side::Debit },
            amount: Money::parse("1234.50").unwrap(),
            reference: None,
        };
        let date = chrono::NaiveDate::from_ymd_opt(2023, 1, 31).unwrap();
        VoucherRecord {
            attachments: 2,
            reviewer: Some("李审核".into()),
            poster: Some("王记账".into()),
            ..crate::domain::voucher::test_record(seq, date, Status::Posted, (1..=lines).map(line).collect())
        }
    }

    fn chart() -> Chart {
        Chart::from_toml(include_str!("../../fixtures/jingmen/chart.toml")).unwrap()
    }

    #[test]
    fn two_vouchers_to_a_page_and_a_long_one_continues() {
        let chart = chart();
        let three = layout("沙洋县医疗保障局", &[voucher(1, 2), voucher(2, 2), voucher(3, 2)], &chart);
        assert_eq!(three.pages.len(), 2);
        // 12 lines: two boxes (10 + 2), the 合计 only on the second.
        let long = layout("沙洋县医疗保障局", &[voucher(1, 12)], &chart);
        assert_eq!(long.pages.len(), 1);
        let texts = long.texts();
        assert!(texts.contains(&"记字第 0001 号（第 1/2 张）"), "{texts:?}");
        assert!(texts.contains(&"（转下张）"));
        // Six debits of 1,234.50: 7,407.00 in capitals.
        assert!(texts.contains(&"合计：柒仟肆佰零柒元整"), "{texts:?}");
        assert_eq!(texts.iter().filter(|t| t.starts_with("合计：")).count(), 1);
        assert!(texts
            .iter()
            .any(|t| t.contains("记账：王记账") && t.contains("审核：李审核") && t.contains("制单：张会计")));
    }

    #[test]
    fn long_memos_are_cut_to_fit_their_column() {
        let cut = fit(&"很长的摘要".repeat(10), 9.0, 100.0);
        assert!(cut.ends_with('…'));
        assert!(text_width(&cut, 9.0) <= 100.0);
        assert_eq!(fit("短摘要", 9.0, 100.0), "短摘要");
    }
}
