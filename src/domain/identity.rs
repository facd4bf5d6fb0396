//! Who did it: operator, reviewer and other names are normalised one way everywhere — NFC, with
//! surrounding white space removed — so "李审核", " 李审核" and a decomposed spelling are one
//! person, and the four-eyes rule (maker ≠ reviewer) compares what is recorded.

use unicode_normalization::UnicodeNormalization;

/// The longest name recorded.
pub const MAX_NAME_CHARS: usize = 50;

/// A person's name as fundpool records it, or why it cannot be one. `role` names the field in
/// the message (操作人, 审核人 …).
pub fn normalise_name(text: &str, role: &str) -> Result<String, String> {
    let name: String = text.nfc().collect::<String>().trim().to_string();
    if name.is_empty() {
        return Err(format!("{role}不能为空：写入账套的每一步都要记录是谁做的"));
    }
    if crate::domain::ids::has_hidden_characters(&name) {
        return Err(format!("{role}“{}”含有控制字符或不可见字符", crate::domain::ids::quote(&name)));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("{role}“{}”超过 {MAX_NAME_CHARS} 个字符", crate::domain::ids::quote(&name)));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_and_decomposed_forms_are_the_same_person() {
        assert_eq!(normalise_name(" 李审核\t", "审核人").unwrap(), "李审核");
        // "é" composed and decomposed.
        assert_eq!(normalise_name("Jos\u{e9}", "x").unwrap(), normalise_name("Jose\u{301}", "x").unwrap());
    }

    #[test]
    fn empty_blank_and_control_characters_are_refused() {
        for bad in ["", "   ", "\u{3000}"] {
            assert!(normalise_name(bad, "审核人").unwrap_err().contains("不能为空"), "{bad:?}");
        }
        assert!(normalise_name("张\u{0}三", "操作人").unwrap_err().contains("控制字符"));
        assert!(normalise_name(&"长".repeat(51), "操作人").unwrap_err().contains("50"));
    }
}
