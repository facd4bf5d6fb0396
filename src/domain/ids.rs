//! Identifiers of the accounting model: funds, party kinds, books (`party/fund`), accounting
//! periods (`YYYY-MM`) and voucher numbers (`记-2023-01-0001`).
//!
//! They parse from and print to the exact text staff type and files carry, so every other
//! module can take them as already checked.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// What kind of party keeps a book: the chart says which accounts each kind may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// 市级医保经办机构 (市本级).
    City,
    /// 县(市、区)医保经办机构.
    County,
    /// 市财政局 / 市财政专户.
    Finance,
}

impl PartyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::City => "city",
            PartyKind::County => "county",
            PartyKind::Finance => "finance",
        }
    }

    pub fn parse(text: &str) -> Option<PartyKind> {
        match text {
            "city" => Some(PartyKind::City),
            "county" => Some(PartyKind::County),
            "finance" => Some(PartyKind::Finance),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PartyKind::City => "市级经办机构",
            PartyKind::County => "县级经办机构",
            PartyKind::Finance => "市财政专户",
        }
    }
}

/// A book: one party's accounts for one fund, written `party/fund` (e.g. `shayang/employee`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BookCode {
    pub party: String,
    pub fund: String,
}

impl BookCode {
    pub fn new(party: &str, fund: &str) -> BookCode {
        BookCode { party: party.to_string(), fund: fund.to_string() }
    }

    /// Parses `party/fund`; whether the party and fund exist is the city's to say.
    pub fn parse(text: &str) -> Result<BookCode, String> {
        let mut parts = text.trim().split('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(party), Some(fund), None) if is_code(party) && is_code(fund) => Ok(BookCode::new(party, fund)),
            _ => Err(format!("账簿 \"{}\" 的写法应为 机构/基金，例如 shayang/employee", quote(text))),
        }
    }
}

fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 32
        && text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl fmt::Display for BookCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.party, self.fund)
    }
}

/// An accounting period: one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then_some(Period { year, month })
    }

    pub fn of(date: NaiveDate) -> Period {
        Period { year: date.year(), month: date.month() }
    }

    pub fn parse(text: &str) -> Result<Period, String> {
        let bad = || format!("会计期间 \"{}\" 的写法应为 YYYY-MM，例如 2023-01", quote(text));
        let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u32 = month.parse().map_err(|_| bad())?;
        Period::new(year, month).ok_or_else(bad)
    }

    pub fn next(self) -> Period {
        if self.month == 12 {
            Period { year: self.year + 1, month: 1 }
        } else {
            Period { year: self.year, month: self.month + 1 }
        }
    }

    pub fn previous(self) -> Period {
        if self.month == 1 {
            Period { year: self.year - 1, month: 12 }
        } else {
            Period { year: self.year, month: self.month - 1 }
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a period's first day exists")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("a period's last day exists")
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

/// Parses a calendar date written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let trimmed = text.trim();
    if trimmed.len() != 10 {
        return Err(format!("日期 \"{}\" 的写法应为 YYYY-MM-DD，例如 2023-01-05", quote(text)));
    }
    // Every stored date is read through here (a million per reconciliation): the usual shape is
    // taken apart by hand, and chrono's format parser, four times slower, decides the rest.
    let date = match plain_date(trimmed.as_bytes()) {
        Some(date) => date,
        None => NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
            .map_err(|_| format!("日期 \"{}\" 不是有效日期（应为 YYYY-MM-DD）", quote(text)))?,
    };
    if date.year() < 1900 {
        return Err(format!("日期 {trimmed} 早于 1900 年，不是有效的业务日期"));
    }
    Ok(date)
}

/// `DDDD-DD-DD` (ASCII digits) as the date it names, if there is one.
fn plain_date(bytes: &[u8]) -> Option<NaiveDate> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes.get(range)?.iter().try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    };
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

/// Whether staff text holds a character that is not shown as itself: a control character
/// (newline, tab, NUL, ESC) or an invisible format character — zero-width spaces and joiners, the
/// soft hyphen, the byte-order mark, and the marks that change the direction of the text around
/// them. A summary `支付\u{202E}00.001` is shown as `支付100.00`: what staff read in a 序时账 or on a
/// printed voucher must be what is stored, and two names that look the same (`张会计`,
/// `张会计\u{200B}`) must not pass as two people for the four-eyes rule.
pub fn has_hidden_characters(text: &str) -> bool {
    text.chars().any(|c| {
        c.is_control()
            || matches!(c,
                '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
    })
}

/// Input echoed in a message, cut to 80 characters so a huge bad field cannot flood the screen.
pub fn quote(text: &str) -> String {
    const MAX: usize = 80;
    let count = text.chars().count();
    if count <= MAX {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX).collect();
    format!("{head}…（共 {count} 个字符）")
}

/// A voucher number: gap-free per book and month, e.g. `记-2023-01-0001`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VoucherNo {
    pub period: Period,
    pub seq: u32,
}

impl VoucherNo {
    pub fn parse(text: &str) -> Result<VoucherNo, String> {
        let bad = || format!("凭证号 \"{}\" 的写法应为 记-YYYY-MM-NNNN，例如 记-2023-01-0001", quote(text));
        let rest = text.trim().strip_prefix("记-").ok_or_else(bad)?;
        let (period, seq) = rest.rsplit_once('-').ok_or_else(bad)?;
        let period = Period::parse(period).map_err(|_| bad())?;
        let seq: u32 = seq.parse().map_err(|_| bad())?;
        if seq == 0 {
            return Err(bad());
        }
        Ok(VoucherNo { period, seq })
    }
}

impl fmt::Display for VoucherNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "记-{}-{:04}", self.period, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn books_parse_and_print() {
        assert_eq!(BookCode::parse("shayang/employee").unwrap().to_string(), "shayang/employee");
        for bad in ["shayang", "shayang/", "/employee", "a/b/c", "Shayang/employee", "沙洋/employee"] {
            assert!(BookCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn periods_parse_step_and_bound() {
        let p = Period::parse("2023-01").unwrap();
        assert_eq!(p.previous().to_string(), "2022-12");
        assert_eq!(Period::parse("2023-12").unwrap().next().to_string(), "2024-01");
        assert_eq!(Period::parse("2024-02").unwrap().last_day().to_string(), "2024-02-29");
        for bad in ["2023-13", "2023-1", "23-01", "2023/01", "2023-00", ""] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn voucher_numbers_round_trip() {
        let no = VoucherNo::parse("记-2023-01-0042").unwrap();
        assert_eq!(no, VoucherNo { period: Period::new(2023, 1).unwrap(), seq: 42 });
        assert_eq!(no.to_string(), "记-2023-01-0042");
        assert_eq!(VoucherNo { period: no.period, seq: 12345 }.to_string(), "记-2023-01-12345");
        for bad in ["2023-01-0001", "记-2023-01", "记-2023-01-0000", "记-2023-13-0001"] {
            assert!(VoucherNo::parse(bad).is_err(), "{bad}");
        }
    }

    /// The hand-parsed shape gives what chrono's `%Y-%m-%d` gives, date or refusal, over every
    /// day of two centuries and awkward near misses.
    #[test]
    fn plain_dates_agree_with_chrono() {
        let chrono = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        let mut day = NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
        while day.year() < 2101 {
            let text = day.format("%Y-%m-%d").to_string();
            assert_eq!(plain_date(text.as_bytes()), Some(day), "{text}");
            day = day.succ_opt().unwrap();
        }
        for text in [
            "2023-02-29",
            "2024-02-29",
            "2023-13-01",
            "2023-00-10",
            "2023-01-00",
            "2023-01-32",
            "2023-1-015",
            "2023-01-5 ",
            "+023-01-05",
            "2023-0a-05",
            "２０２３-01-05",
            "2023_01_05",
            "0000-01-01",
        ] {
            let hand = plain_date(text.as_bytes());
            assert!(hand.is_none() || hand == chrono(text), "{text}: {hand:?} vs {:?}", chrono(text));
            let trimmed = text.trim();
            let expected = chrono(trimmed).filter(|d| trimmed.len() == 10 && d.year() >= 1900);
            assert_eq!(parse_date(text).ok(), expected, "{text}");
        }
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2023-02-28").is_ok());
        for bad in ["2023-02-30", "2023-2-3", "20230203", "2023-02-03T00:00"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
