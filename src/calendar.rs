//! Working days (工作日): Monday to Friday, minus official holidays, plus official make-up days
//! (调休), from one data file per year (`fixtures/calendar/YYYY.toml`).
//!
//! A date in a year that is not loaded is an error, never a guess: deadlines computed on a
//! guessed calendar would be silently wrong.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The calendar files shipped in the binary.
pub const EMBEDDED: [(&str, &str); 5] = [
    ("2022.toml", include_str!("../fixtures/calendar/2022.toml")),
    ("2023.toml", include_str!("../fixtures/calendar/2023.toml")),
    ("2024.toml", include_str!("../fixtures/calendar/2024.toml")),
    ("2025.toml", include_str!("../fixtures/calendar/2025.toml")),
    ("2026.toml", include_str!("../fixtures/calendar/2026.toml")),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "工作日历没有 {0} 年的节假日安排：请按国务院办公厅当年的节假日通知写一个 {0}.toml（格式同 fixtures/calendar/），\
         放进一个目录，用 --calendar 目录 或环境变量 FUNDPOOL_CALENDAR 指定"
    )]
    YearNotLoaded(i32),
    #[error("日历文件 {file} 有误：{reason}")]
    BadFile { file: String, reason: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    holidays: Vec<String>,
    makeup_days: Vec<String>,
    /// The official count of working days, checked when the file is loaded.
    working_days: Option<u32>,
}

/// Loaded years with their holidays and make-up days.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeSet<i32>,
    /// true: a make-up working day; false: a holiday.
    exceptions: BTreeMap<NaiveDate, bool>,
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

impl Calendar {
    /// Loads year files given as (name, text).
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Calendar, CalendarError> {
        let mut calendar = Calendar::default();
        let mut counts = Vec::new();
        for (name, text) in files {
            let bad = |reason: String| CalendarError::BadFile { file: name.to_string(), reason };
            let file: YearFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
            calendar.years.insert(file.year);
            for entry in &file.holidays {
                let (from, to) = match entry.split_once("..") {
                    Some((a, b)) => (parse_day(a), parse_day(b)),
                    None => (parse_day(entry), parse_day(entry)),
                };
                let (Some(from), Some(to)) = (from, to) else {
                    return Err(bad(format!("假日 \"{entry}\" 不是日期或日期区间")));
                };
                let mut day = from;
                while day <= to {
                    calendar.exceptions.insert(day, false);
                    day = day.succ_opt().ok_or_else(|| bad("日期越界".into()))?;
                }
            }
            for entry in &file.makeup_days {
                let day = parse_day(entry).ok_or_else(|| bad(format!("调休上班日 \"{entry}\" 不是日期")))?;
                calendar.exceptions.insert(day, true);
            }
            if let Some(expected) = file.working_days {
                counts.push((name.to_string(), file.year, expected));
            }
        }
        for (name, year, expected) in counts {
            let actual = calendar.working_days_in(year)?;
            if actual != expected {
                return Err(CalendarError::BadFile {
                    file: name,
                    reason: format!("{year} 年按文件计算有 {actual} 个工作日，文件写明 {expected} 个"),
                });
            }
        }
        Ok(calendar)
    }

    /// The calendar shipped with fundpool (2022–2026).
    pub fn embedded() -> Calendar {
        Calendar::from_files(EMBEDDED).expect("the embedded calendar files are valid")
    }

    fn check_year(&self, day: NaiveDate) -> Result<(), CalendarError> {
        if self.years.contains(&day.year()) {
            Ok(())
        } else {
            Err(CalendarError::YearNotLoaded(day.year()))
        }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, CalendarError> {
        self.check_year(day)?;
        Ok(match self.exceptions.get(&day) {
            Some(working) => *working,
            None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
        })
    }

    /// The N-th working day after `day` ("within N working days after E" ends on it).
    pub fn nth_working_day_after(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut current = day;
        let mut found = 0;
        while found < n {
            current = current.succ_opt().ok_or(CalendarError::YearNotLoaded(day.year() + 1))?;
            if self.is_working_day(current)? {
                found += 1;
            }
        }
        Ok(current)
    }

    /// The first working day on or after `day`.
    pub fn working_day_on_or_after(&self, day: NaiveDate) -> Result<NaiveDate, CalendarError> {
        if self.is_working_day(day)? {
            Ok(day)
        } else {
            self.nth_working_day_after(day, 1)
        }
    }

    /// The last working day of a month.
    pub fn last_working_day(&self, year: i32, month: u32) -> Result<NaiveDate, CalendarError> {
        let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or(CalendarError::YearNotLoaded(year))?;
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .ok_or(CalendarError::YearNotLoaded(year))?;
        let mut day = next.pred_opt().ok_or(CalendarError::YearNotLoaded(year))?;
        while day >= first {
            if self.is_working_day(day)? {
                return Ok(day);
            }
            day = day.pred_opt().ok_or(CalendarError::YearNotLoaded(year))?;
        }
        Err(CalendarError::YearNotLoaded(year))
    }

    pub fn working_days_in(&self, year: i32) -> Result<u32, CalendarError> {
        let mut day = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(CalendarError::YearNotLoaded(year))?;
        let mut count = 0;
        while day.year() == year {
            if self.is_working_day(day)? {
                count += 1;
            }
            day = day.succ_opt().ok_or(CalendarError::YearNotLoaded(year))?;
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        parse_day(text).unwrap()
    }

    /// The worked examples of DOMAIN.md §4.
    #[test]
    fn domain_worked_examples() {
        let c = Calendar::embedded();
        // Received Fri 2023-01-20, forward within 1 working day → Sat 2023-01-28 (a make-up day).
        assert_eq!(c.nth_working_day_after(d("2023-01-20"), 1), Ok(d("2023-01-28")));
        // 支出户 interest settles on the 20th; due within the first 5 working days of next month.
        let q1 = c.nth_working_day_after(d("2023-03-31"), 5);
        assert_eq!(q1, Ok(d("2023-04-10")));
        assert_eq!(c.nth_working_day_after(d("2023-09-30"), 5), Ok(d("2023-10-11")));
        assert_eq!(c.last_working_day(2023, 4), Ok(d("2023-04-28")));
        assert_eq!(c.last_working_day(2023, 9), Ok(d("2023-09-28")));
        assert_eq!(c.last_working_day(2023, 12), Ok(d("2023-12-29")));
    }

    #[test]
    fn counts_match_the_official_totals_and_unknown_years_are_refused() {
        let c = Calendar::embedded();
        assert_eq!(c.working_days_in(2023), Ok(249));
        assert_eq!(c.working_days_in(2024), Ok(251));
        assert_eq!(c.working_days_in(2025), Ok(248));
        assert_eq!(c.working_days_in(2026), Ok(248));
        // 2026: 1月4日 (a Sunday) is worked, the 春节 Monday 2月23日 is not.
        assert_eq!(c.is_working_day(d("2026-01-04")), Ok(true));
        assert_eq!(c.is_working_day(d("2026-02-23")), Ok(false));
        assert_eq!(c.nth_working_day_after(d("2025-12-31"), 1), Ok(d("2026-01-04")));
        assert_eq!(c.is_working_day(d("2027-01-05")), Err(CalendarError::YearNotLoaded(2027)));
        assert_eq!(c.nth_working_day_after(d("2026-12-31"), 1), Err(CalendarError::YearNotLoaded(2027)));
        assert!(CalendarError::YearNotLoaded(2027).to_string().contains("--calendar"));
        assert_eq!(c.is_working_day(d("2023-01-28")), Ok(true));
        assert_eq!(c.is_working_day(d("2023-10-02")), Ok(false));
        assert_eq!(c.is_working_day(d("2023-03-06")), Ok(true));
    }

    #[test]
    fn a_file_whose_count_disagrees_is_refused() {
        let wrong = "year = 2023\nholidays = []\nmakeup_days = []\nworking_days = 249\n";
        let err = Calendar::from_files([("2023.toml", wrong)]).unwrap_err();
        assert_eq!(
            err,
            CalendarError::BadFile {
                file: "2023.toml".into(),
                reason: "2023 年按文件计算有 260 个工作日，文件写明 249 个".into()
            }
        );
    }
}
