//! The accounting model, pure: identifiers, the chart of accounts, the city configuration,
//! vouchers and their validation, the trial-balance fold and the hash chain. Nothing here
//! touches a file, a clock, the terminal or the database.

pub mod access;
pub mod balance;
pub mod chain;
pub mod chart;
pub mod city;
pub mod identity;
pub mod ids;
pub mod json_text;
pub mod records;
pub mod rejection;
pub mod rules;
pub mod seal;
pub mod search;
pub mod voucher;

/// A digest as the lowercase hex every stored hash uses, written byte by byte into its one
/// allocation (`hex::encode` collects a `char` at a time; `verify` writes five digests per
/// voucher: user time at 1M 6.4 → 6.0–6.3 s).
pub fn hex_digest(digest: &[u8]) -> String {
    let mut buffer = vec![0u8; digest.len() * 2];
    hex::encode_to_slice(digest, &mut buffer).expect("the buffer holds two digits per byte");
    String::from_utf8(buffer).expect("hex digits are ASCII")
}

/// Whether `hex` is `digest` as `hex_digest` writes it, without writing it anywhere but the
/// stack (`verify` compares two digests per voucher with stored hashes).
pub fn hex_matches(digest: &[u8; 32], hex: &str) -> bool {
    let mut buffer = [0u8; 64];
    hex::encode_to_slice(digest, &mut buffer).expect("the buffer holds two digits per byte");
    buffer.as_slice() == hex.as_bytes()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_digest_is_written_as_hex_encode_writes_it() {
        use sha2::{Digest, Sha256};
        for text in ["", "凭证", "a longer text that spans more than one block of the hash function........"] {
            let digest = Sha256::digest(text.as_bytes());
            assert_eq!(super::hex_digest(&digest), hex::encode(digest));
        }
        assert_eq!(super::hex_digest(&[0x00, 0xab, 0x7f]), "00ab7f");
        let digest: [u8; 32] = Sha256::digest(b"x").into();
        let hex = super::hex_digest(&digest);
        assert!(super::hex_matches(&digest, &hex));
        assert!(!super::hex_matches(&digest, &hex.to_uppercase()), "stored hashes are lowercase");
        assert!(!super::hex_matches(&digest, &hex[..63]));
        assert!(!super::hex_matches(&digest, &format!("{hex}0")));
    }
}
