//! Money: an exact amount of 分 (fen, 0.01 元) held in an `i64`.
//!
//! Every amount in fundpool passes through this type. Parsing is exact (no floating point,
//! at most two decimals, no separators), arithmetic is checked, and the one rounding rule
//! (四舍五入, half away from zero) and the one allocation rule (largest remainder) live here
//! so that no other module rounds on its own.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;
use std::str::FromStr;

/// An exact amount in 分. Negative values occur in red-ink reversals (红字) and in signed
/// balances; a voucher line's amount is otherwise positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

/// Why a piece of text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额 \"{0}\" 不是有效金额（应写作 1234.56 或 1,234.56：最多 13 位整数、2 位小数，不带货币符号）")]
    NotANumber(String),
    #[error("金额 \"{0}\" 超过两位小数（金额精确到分）")]
    TooManyDecimals(String),
    #[error("金额 \"{0}\" 超出可记账范围")]
    OutOfRange(String),
    #[error("金额计算溢出")]
    Overflow,
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// The largest amount one line may carry: 13 digits of 元 (9,999,999,999,999.99).
    pub const MAX_LINE: Money = Money(999_999_999_999_999);

    /// Parses `1234.56`, `-12.5`, `7`, `1,234.56`: an optional minus, 1 to 13 digits of 元
    /// (thousands separators allowed only as full groups of three), and at most two decimals
    /// after a point that has digits on both sides. Nothing goes through floating point.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let quoted = || crate::domain::ids::quote(text);
        let trimmed = text.trim();
        let (negative, body) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, fraction) = match body.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (body, None),
        };
        let digits = Self::whole_digits(whole).ok_or_else(|| MoneyError::NotANumber(quoted()))?;
        let cents = match fraction {
            None => 0,
            Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(MoneyError::NotANumber(quoted()))
            }
            Some(f) if f.len() > 2 => return Err(MoneyError::TooManyDecimals(quoted())),
            Some(f) if f.len() == 1 => i64::from(f.as_bytes()[0] - b'0') * 10,
            Some(f) => f.parse::<i64>().map_err(|_| MoneyError::NotANumber(quoted()))?,
        };
        if digits.len() > 13 {
            return Err(MoneyError::OutOfRange(quoted()));
        }
        let yuan: i64 = digits.parse().map_err(|_| MoneyError::NotANumber(quoted()))?;
        let fen = yuan * 100 + cents;
        Ok(Money(if negative { -fen } else { fen }))
    }

    /// The digits of the whole-元 part, with thousands separators removed; `None` when it is
    /// not `\d+` or `\d{1,3}(,\d{3})+`.
    fn whole_digits(whole: &str) -> Option<String> {
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit() || b == b',') {
            return None;
        }
        if !whole.contains(',') {
            return Some(whole.to_string());
        }
        let mut groups = whole.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 {
            return None;
        }
        let mut digits = first.to_string();
        for group in groups {
            if group.len() != 3 {
                return None;
            }
            digits.push_str(group);
        }
        Some(digits)
    }

    /// The amount as an exact decimal of 元.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    fn from_decimal_exact(decimal: Decimal) -> Option<Money> {
        let fen = decimal.checked_mul(Decimal::from(100))?;
        if fen.fract() != Decimal::ZERO {
            return None;
        }
        fen.to_i64().map(Money)
    }

    /// Rounds an exact decimal of 元 to the 分 by 四舍五入 (half away from zero).
    /// This is the only rounding in fundpool.
    pub fn round_half_away_from_zero(yuan: Decimal) -> Result<Money, MoneyError> {
        let rounded = yuan.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        Self::from_decimal_exact(rounded).ok_or(MoneyError::Overflow)
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.0.checked_add(other.0).map(Money).ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.0.checked_sub(other.0).map(Money).ok_or(MoneyError::Overflow)
    }

    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        self.0.checked_neg().map(Money).ok_or(MoneyError::Overflow)
    }

    /// Sums amounts with overflow checking.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(items: I) -> Result<Money, MoneyError> {
        items.into_iter().try_fold(Money::ZERO, |acc, m| acc.checked_add(m))
    }

    /// Plain machine form: `1234567.89`, `-0.01`.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Human form with thousands separators: `1,234,567.89`.
    pub fn grouped(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = (abs / 100).to_string();
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        format!("{sign}{grouped}.{:02}", abs % 100)
    }
}

/// 大写金额 as written on a 记账凭证 or a cheque: 壹仟贰佰叁拾肆元伍角陆分, 壹万零伍元整,
/// 伍角整, 零元整; a negative amount starts with 负.
pub fn in_capitals(amount: Money) -> String {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
    const GROUPS: [&str; 4] = ["", "万", "亿", "万"];
    let fen = amount.fen().unsigned_abs();
    let (yuan, jiao, cents) = (fen / 100, (fen / 10 % 10) as usize, (fen % 10) as usize);
    let mut out = String::new();
    if amount.fen() < 0 {
        out.push('负');
    }
    let digits: Vec<usize> = yuan.to_string().bytes().map(|b| usize::from(b - b'0')).collect();
    if yuan > 0 {
        // A run of zeros is read as one 零 before the next non-zero digit; a group (万, 亿) is
        // named when any of its digits is non-zero, and a zero at its end is not read.
        let mut zero_pending = false;
        for (i, &d) in digits.iter().enumerate() {
            let position = digits.len() - 1 - i;
            if d == 0 {
                zero_pending = true;
            } else {
                if zero_pending {
                    out.push('零');
                    zero_pending = false;
                }
                out.push(DIGITS[d]);
                out.push_str(UNITS[position % 4]);
            }
            if position.is_multiple_of(4) && position > 0 && digits[i.saturating_sub(3)..=i].iter().any(|&g| g != 0) {
                out.push_str(GROUPS[position / 4 % 4]);
                zero_pending = false;
            }
        }
        out.push('元');
    }
    match (jiao, cents) {
        (0, 0) if yuan == 0 => out.push_str("零元整"),
        (0, 0) => out.push('整'),
        (0, c) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[c]);
            out.push('分');
        }
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push_str("角整");
        }
        (j, c) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[c]);
            out.push('分');
        }
    }
    out
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

/// Serialised as a string with two decimals (`"1234.56"`), never as a JSON number.
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.plain())
    }
}

/// Read back from the same string form; anything else is refused.
impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Money::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

/// Splits `total` over `weights` in proportion, rounding to the 分 by largest remainder so the
/// parts sum exactly to `total`. Ties in the remainder go to the earlier weight. All weights
/// zero is an error: there is nothing to split by.
pub fn allocate_largest_remainder(total: Money, weights: &[u64]) -> Result<Vec<Money>, MoneyError> {
    let weight_sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if weight_sum == 0 {
        return Err(MoneyError::Overflow);
    }
    let negative = total.0 < 0;
    let total_abs = u128::from(total.0.unsigned_abs());
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let product = total_abs * u128::from(*weight);
        parts.push(product / weight_sum);
        remainders.push((product % weight_sum, index));
    }
    let assigned: u128 = parts.iter().sum();
    let mut left = total_abs - assigned;
    // Largest remainder first; on equal remainders the earlier party wins, deterministically.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, index) in remainders {
        if left == 0 {
            break;
        }
        parts[index] += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|fen| {
            let fen = i64::try_from(fen).map_err(|_| MoneyError::Overflow)?;
            Ok(Money(if negative { -fen } else { fen }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_in_capitals() {
        // Each checked by hand against the way a 记账凭证 or cheque is written.
        let cases = [
            ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
            ("1000.00", "壹仟元整"),
            ("100.05", "壹佰元零伍分"),
            ("10.50", "壹拾元伍角整"),
            ("0.50", "伍角整"),
            ("0.07", "柒分"),
            ("0.00", "零元整"),
            ("10005.00", "壹万零伍元整"),
            ("105000.00", "壹拾万伍仟元整"),
            ("100500.00", "壹拾万零伍佰元整"),
            ("1000200.00", "壹佰万零贰佰元整"),
            ("100000000.00", "壹亿元整"),
            ("100005000.00", "壹亿零伍仟元整"),
            ("101000000.00", "壹亿零壹佰万元整"),
            ("215711712.37", "贰亿壹仟伍佰柒拾壹万壹仟柒佰壹拾贰元叁角柒分"),
            ("-8.80", "负捌元捌角整"),
        ];
        for (amount, words) in cases {
            assert_eq!(super::in_capitals(super::Money::parse(amount).unwrap()), words, "{amount}");
        }
    }

    use super::*;

    #[test]
    fn parses_exact_amounts() {
        let cases = [
            ("1234.56", 123456),
            ("0.01", 1),
            ("7", 700),
            ("7.5", 750),
            ("-12.30", -1230),
            (" 42.00 ", 4200),
            ("1,234.56", 123456),
            ("1,234,567", 123456700),
            ("9999999999999.99", 999_999_999_999_999),
            ("-9,999,999,999,999.99", -999_999_999_999_999),
        ];
        for (text, fen) in cases {
            assert_eq!(Money::parse(text), Ok(Money::from_fen(fen)), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_an_exact_amount() {
        assert_eq!(Money::parse("1.234"), Err(MoneyError::TooManyDecimals("1.234".into())));
        assert_eq!(Money::parse("1.230"), Err(MoneyError::TooManyDecimals("1.230".into())));
        for bad in [
            "", "¥5", "1e3", "12a", "--1", ".", "1.2.3", "NaN", "+100", "100.", ".5", "1,23.00", "12,34", ",123",
            "1,,234", "1 234", "-", "0x10", "1.-5",
        ] {
            assert!(matches!(Money::parse(bad), Err(MoneyError::NotANumber(_))), "{bad}");
        }
        assert!(matches!(Money::parse("10000000000000.00"), Err(MoneyError::OutOfRange(_))));
        assert!(matches!(Money::parse("92233720368547758.08"), Err(MoneyError::OutOfRange(_))));
        // A huge bad field is quoted to 80 characters, never echoed whole.
        let huge = "9".repeat(10_000) + "x";
        let message = Money::parse(&huge).unwrap_err().to_string();
        assert!(message.len() < 400, "{message}");
        assert!(message.contains("共 10001 个字符"), "{message}");
    }

    #[test]
    fn formats_plain_and_grouped() {
        assert_eq!(Money::from_fen(123456789).grouped(), "1,234,567.89");
        assert_eq!(Money::from_fen(-100000).grouped(), "-1,000.00");
        assert_eq!(Money::from_fen(99).grouped(), "0.99");
        assert_eq!(Money::from_fen(100000).grouped(), "1,000.00");
        assert_eq!(Money::from_fen(-1).plain(), "-0.01");
        assert_eq!(Money::from_fen(123456789).plain(), "1234567.89");
    }

    #[test]
    fn rounds_half_away_from_zero() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(Money::round_half_away_from_zero(d("0.125")), Ok(Money::from_fen(13)));
        assert_eq!(Money::round_half_away_from_zero(d("0.135")), Ok(Money::from_fen(14)));
        assert_eq!(Money::round_half_away_from_zero(d("-0.125")), Ok(Money::from_fen(-13)));
        assert_eq!(Money::round_half_away_from_zero(d("0.124")), Ok(Money::from_fen(12)));
    }

    #[test]
    fn checked_arithmetic_reports_overflow() {
        let max = Money::from_fen(i64::MAX);
        assert_eq!(max.checked_add(Money::from_fen(1)), Err(MoneyError::Overflow));
        assert_eq!(Money::from_fen(i64::MIN).checked_neg(), Err(MoneyError::Overflow));
    }

    #[test]
    fn largest_remainder_sums_exactly() {
        // 100.00 over weights 1:1:1 → 33.34, 33.33, 33.33 (first remainder wins the tie).
        let parts = allocate_largest_remainder(Money::from_fen(10000), &[1, 1, 1]).unwrap();
        assert_eq!(parts, vec![Money::from_fen(3334), Money::from_fen(3333), Money::from_fen(3333)]);
        // 0.05 over 3:2 → 0.03, 0.02 exactly.
        let parts = allocate_largest_remainder(Money::from_fen(5), &[3, 2]).unwrap();
        assert_eq!(parts, vec![Money::from_fen(3), Money::from_fen(2)]);
        // 10.00 over 1:2:3:4 → 1.00 2.00 3.00 4.00.
        let parts = allocate_largest_remainder(Money::from_fen(1000), &[1, 2, 3, 4]).unwrap();
        assert_eq!(parts.iter().map(|m| m.fen()).collect::<Vec<_>>(), vec![100, 200, 300, 400]);
        assert!(allocate_largest_remainder(Money::from_fen(1), &[0, 0]).is_err());
    }
}
