//! What a promo code "is" once the noise a person adds is gone: `PromoCodeText`
//! folds case, width and separators the same way at creation and at
//! redemption, so `summer-26`, ` SUMMER 26 ` and `ｓｕｍｍｅｒ２６` are one code.

use std::fmt;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The longest code after folding; longer input is refused before any lookup.
pub const MAX_CODE_LEN: usize = 64;
/// Input longer than this is refused without being folded at all.
const MAX_INPUT_LEN: usize = 256;

/// A promo code in its canonical form: NFKC, upper case, letters and digits
/// only (with the combining marks some upper-case letters carry).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PromoCodeText(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeTextError {
    #[error("the code is empty")]
    Empty,
    #[error("the code is longer than {MAX_CODE_LEN} characters")]
    TooLong,
    #[error("the code contains a character that is not a letter or a digit")]
    InvalidCharacter,
}

impl PromoCodeText {
    /// Folds `input`: NFKC (full-width and compatibility forms), drops white
    /// space, dashes, underscores and invisible format characters, then upper-cases.
    pub fn parse(input: &str) -> Result<Self, CodeTextError> {
        if input.len() > MAX_INPUT_LEN {
            return Err(CodeTextError::TooLong);
        }
        let mut folded = String::with_capacity(input.len());
        for c in input.nfkc() {
            if is_separator(c) {
                continue;
            }
            // A combining mark may follow a letter: upper-casing can produce one
            // (`ῶ` becomes `Ω` + U+0342), and the result must parse again.
            let mark = is_combining_mark(c) && !folded.is_empty();
            if !c.is_alphanumeric() && !mark {
                return Err(CodeTextError::InvalidCharacter);
            }
            folded.extend(c.to_uppercase());
        }
        // Upper-casing can produce compatibility forms again (e.g. 'ﬀ' → "FF" is fine,
        // but some letters decompose); fold once more so parse(parse(x)) == parse(x).
        let folded: String = folded.nfkc().collect();
        match folded.chars().count() {
            0 => Err(CodeTextError::Empty),
            n if n > MAX_CODE_LEN => Err(CodeTextError::TooLong),
            _ => Ok(Self(folded)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for PromoCodeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text a person could have typed: no control characters (PostgreSQL cannot
/// even store NUL), except line breaks and tabs where `multiline`.
pub fn is_plain_text(text: &str, multiline: bool) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '_'
                | '\u{2010}'..='\u{2015}' // hyphen, non-breaking hyphen, figure dash, en/em dash, bar
                | '\u{2212}' // minus sign
                | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' // small/full-width hyphen-minus
                | '\u{00AD}' // soft hyphen
                | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' // zero-width characters
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_case_width_and_separators() {
        let canonical = PromoCodeText::parse("SUMMER26").unwrap();
        for variant in [
            "summer26",
            " Summer-26 ",
            "sum mer_26",
            "SUMMER–26",
            "ｓｕｍｍｅｒ２６",
            "sum\u{200B}mer26",
            "\tsummer\u{00A0}26\n",
        ] {
            assert_eq!(
                PromoCodeText::parse(variant).unwrap(),
                canonical,
                "{variant:?}"
            );
        }
    }

    #[test]
    fn letters_that_upper_case_to_a_mark_parse_again() {
        // Found by the property test: U+1FF6 upper-cases to U+03A9 U+0342.
        for input in ["ῶ", "ΐ", "ŉ", "ǰ"] {
            let code = PromoCodeText::parse(input).unwrap();
            assert_eq!(
                PromoCodeText::parse(code.as_str()),
                Ok(code.clone()),
                "{input:?}"
            );
        }
        assert_eq!(
            PromoCodeText::parse("\u{0342}A"),
            Err(CodeTextError::InvalidCharacter),
            "a mark cannot start a code"
        );
    }

    #[test]
    fn keeps_non_latin_letters() {
        assert_eq!(
            PromoCodeText::parse("лето-2026").unwrap().as_str(),
            "ЛЕТО2026"
        );
    }

    #[test]
    fn refuses_empty_long_and_symbols() {
        assert_eq!(PromoCodeText::parse(" - _ "), Err(CodeTextError::Empty));
        assert_eq!(PromoCodeText::parse(""), Err(CodeTextError::Empty));
        assert_eq!(
            PromoCodeText::parse(&"A".repeat(65)),
            Err(CodeTextError::TooLong)
        );
        assert_eq!(
            PromoCodeText::parse(&"A".repeat(10_000)),
            Err(CodeTextError::TooLong)
        );
        assert!(PromoCodeText::parse(&"A".repeat(64)).is_ok());
        for bad in ["CODE'; DROP TABLE x", "A%B", "A*", "<script>", "CODE\u{0}"] {
            assert_eq!(
                PromoCodeText::parse(bad),
                Err(CodeTextError::InvalidCharacter),
                "{bad:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(input in "\\PC{0,80}") {
            if let Ok(code) = PromoCodeText::parse(&input) {
                prop_assert_eq!(PromoCodeText::parse(code.as_str()), Ok(code.clone()));
                prop_assert!(code.as_str().chars().all(|c| c.is_alphanumeric() || is_combining_mark(c)));
                prop_assert!(code.as_str().chars().count() <= MAX_CODE_LEN);
            }
        }

        #[test]
        fn separators_and_case_never_change_the_code(
            code in "[A-Z0-9]{1,20}",
            seps in proptest::collection::vec(prop_oneof![Just(" "), Just("-"), Just("_"), Just("\u{2013}"), Just("")], 21),
            lower in proptest::collection::vec(any::<bool>(), 20),
        ) {
            let mut noisy = String::new();
            for (i, c) in code.chars().enumerate() {
                noisy.push_str(seps[i]);
                if lower[i] { noisy.extend(c.to_lowercase()) } else { noisy.push(c) }
            }
            noisy.push_str(seps[20]);
            let parsed = PromoCodeText::parse(&noisy).unwrap();
            prop_assert_eq!(parsed.as_str(), code.as_str());
        }
    }
}
