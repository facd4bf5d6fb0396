//! JSON text written by hand for what is hashed: the chain's canonical voucher and the record
//! log's row arrays, straight into a byte buffer (`verify` writes two such texts per voucher, a
//! million times for a city's year; through serde they were a fifth of its time).
//!
//! The escaping is the one serde_json and SQLite's `json_array` share — `"` and `\` escaped,
//! \b \t \n \f \r by name, other control characters as \u00xx, everything else as it is — and
//! integers are plain digits, so a hand-written text is byte for byte what the serde or SQL
//! definition writes (tests hold them equal).

/// A JSON string: `text` escaped, in quotes.
pub fn push_string(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'"');
    push_escaped(out, text);
    out.push(b'"');
}

/// `text` escaped as inside a JSON string, copied a run at a time between the bytes that need
/// it (all ASCII, so never inside a multi-byte character). Works on bytes: text that is only
/// hashed need not be checked for UTF-8 first.
pub fn push_escaped(out: &mut Vec<u8>, text: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    if !needs_escaping(text) {
        // Nearly every text (hashes, times, names, codes): one copy.
        out.extend_from_slice(text);
        return;
    }
    let mut start = 0;
    for (at, &byte) in text.iter().enumerate() {
        let named: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0c => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&text[start..at]);
        if named.is_empty() {
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 15)]]);
        } else {
            out.extend_from_slice(named);
        }
        start = at + 1;
    }
    out.extend_from_slice(&text[start..]);
}

/// Whether any byte of `text` is a control character, `"` or `\`: eight bytes at a time, each
/// test exact for "any byte of the word" (a borrow can only set a flag above a byte that set
/// one itself).
fn needs_escaping(text: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGH != 0;
    let special = |word: u64| {
        // A byte below 0x20: subtracting 0x20 borrows into its high bit (high-bit bytes excluded).
        word.wrapping_sub(ONES * 0x20) & !word & HIGH != 0
            || has_zero(word ^ (ONES * u64::from(b'"')))
            || has_zero(word ^ (ONES * u64::from(b'\\')))
    };
    let mut words = text.chunks_exact(8);
    let in_words = words.by_ref().any(|chunk| special(u64::from_le_bytes(chunk.try_into().expect("eight bytes"))));
    in_words || words.remainder().iter().any(|&byte| byte < 0x20 || byte == b'"' || byte == b'\\')
}

/// A JSON string, or `null`.
pub fn push_optional(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => push_string(out, text.as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
}

/// Where plain text written by hand goes: a byte buffer (what is hashed) or a `String` (what is
/// shown). Only whole strings are put, so a `String` stays UTF-8.
pub trait Sink {
    fn put(&mut self, text: &str);
}

impl Sink for Vec<u8> {
    fn put(&mut self, text: &str) {
        self.extend_from_slice(text.as_bytes());
    }
}

impl Sink for String {
    fn put(&mut self, text: &str) {
        self.push_str(text);
    }
}

/// An integer in decimal digits.
pub fn push_integer(out: &mut impl Sink, value: impl itoa::Integer) {
    out.put(itoa::Buffer::new().format(value));
}

/// `value` (below 10 000) in at least `width` digits, zeros in front: what `{value:0width$}`
/// writes.
fn push_padded(out: &mut impl Sink, value: u32, width: usize) {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(value);
    out.put(&"0000"[..width.saturating_sub(digits.len()).min(4)]);
    out.put(digits);
}

/// A date as chrono's Display writes it (`2023-03-09`): by hand for the four-digit years that
/// every ledger date has, by chrono for any other.
pub fn push_date(out: &mut impl Sink, date: chrono::NaiveDate) {
    use chrono::Datelike;
    match u32::try_from(date.year()) {
        Ok(year @ 0..=9999) => {
            push_padded(out, year, 4);
            out.put("-");
            push_padded(out, date.month(), 2);
            out.put("-");
            push_padded(out, date.day(), 2);
        }
        _ => out.put(&date.to_string()),
    }
}

/// A voucher number as its Display writes it (`记-2023-03-0007`), by hand for four-digit years.
pub fn push_voucher_no(out: &mut impl Sink, number: &crate::domain::ids::VoucherNo) {
    match u32::try_from(number.period.year) {
        Ok(year @ 0..=9999) => {
            out.put("记-");
            push_padded(out, year, 4);
            out.put("-");
            push_padded(out, number.period.month, 2);
            out.put("-");
            push_padded(out, number.seq, 4);
        }
        _ => out.put(&number.to_string()),
    }
}

/// Text for property tests: arbitrary, or dense in what needs escaping (control characters,
/// quotes, backslashes, DEL) among letters and Chinese — arbitrary text rarely holds those.
#[cfg(test)]
pub(crate) fn tricky_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![any::<String>(), "[\\x00-\\x1f\"\\\\\\x7fa-z收款 ]{0,24}"]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    fn string(text: &str) -> String {
        let mut out = Vec::new();
        super::push_string(&mut out, text.as_bytes());
        String::from_utf8(out).expect("escaping keeps UTF-8")
    }

    #[test]
    fn control_characters_quotes_and_backslashes_are_escaped_as_serde_escapes_them() {
        // DEL (0x7f) is not a control character to JSON: left as it is.
        assert_eq!(
            string("收\"县\"\\款\n\t\r\u{8}\u{c}\u{1}\u{1f}\u{7f}"),
            concat!(r#""收\"县\"\\款\n\t\r\b\f\u0001\u001f"#, "\u{7f}\"")
        );
    }

    /// Every byte value at every position of a word and of the remainder, among plain letters
    /// and among high bytes (whose borrows the word test must not mistake).
    #[test]
    fn the_word_at_a_time_test_finds_exactly_the_bytes_that_need_escaping() {
        for filler in [b'a', 0xff, 0x80, 0x20, 0x21] {
            for byte in 0..=255u8 {
                for at in 0..19 {
                    let mut text = vec![filler; 19];
                    text[at] = byte;
                    let expected = byte < 0x20 || byte == b'"' || byte == b'\\';
                    assert_eq!(super::needs_escaping(&text), expected, "byte {byte:#x} at {at} among {filler:#x}");
                }
            }
        }
    }

    proptest! {
        /// Dates of every year chrono knows, voucher numbers of any year, month and number.
        #[test]
        fn dates_and_voucher_numbers_are_written_as_they_display(
            day in -95_000_000i32..95_000_000,
            year in -300_000i32..300_000,
            month in 0u32..200,
            seq in any::<u32>(),
        ) {
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(day).expect("a day chrono knows");
            let mut out = Vec::new();
            super::push_date(&mut out, date);
            prop_assert_eq!(String::from_utf8(out).expect("UTF-8"), date.to_string());
            let number = crate::domain::ids::VoucherNo { period: crate::domain::ids::Period { year, month }, seq };
            let mut out = Vec::new();
            super::push_voucher_no(&mut out, &number);
            prop_assert_eq!(String::from_utf8(out).expect("UTF-8"), number.to_string());
        }

        /// Any text, any integer: what serde_json writes.
        #[test]
        fn strings_and_integers_are_written_as_serde_json_writes_them(text in super::tricky_text(), value in any::<i64>()) {
            prop_assert_eq!(string(&text), serde_json::to_string(&text).expect("a string encodes"));
            let mut out = Vec::new();
            super::push_integer(&mut out, value);
            prop_assert_eq!(out, serde_json::to_vec(&value).expect("an integer encodes"));
        }
    }
}
