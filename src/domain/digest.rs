//! Lower-case hex of a digest, the form every hash is stored and compared in. Written through a
//! fixed buffer: `verify` and `import` turn millions of digests into text.

/// The lower-case hex text of `bytes` (a SHA-256 digest is 64 characters).
pub fn hex(bytes: impl AsRef<[u8]>) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let bytes = bytes.as_ref();
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(DIGITS[usize::from(byte >> 4)] as char);
        text.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_lower_case_two_digits_a_byte() {
        assert_eq!(super::hex([0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::hex([]), "");
    }
}
