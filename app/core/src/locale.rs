//! The languages the service writes in: a code's texts, a player's pages.

/// The languages a code's texts are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    En,
    Ru,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ru];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ru => "ru",
        }
    }

    /// The language a page is in: Russian, or else English.
    pub fn of(tag: &str) -> Self {
        if tag == "ru" {
            Self::Ru
        } else {
            Self::En
        }
    }
}
