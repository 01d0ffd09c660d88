//! Figures in the reader's language: digit groups ("1,234,567" in English,
//! "1 234 567" in Russian), shares, dates and times (month names come from
//! the Fluent files), and amounts with their currency's plural form.
//! Hand-written: two languages need a separator each, and a CLDR crate
//! would add its data to the wasm bundle for that.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use leptos_fluent::{tr, I18n};

use crate::admin::models::Bucket;

/// The reader's language id (`en`, `ru`), read reactively.
pub fn lang() -> &'static str {
    use_context::<I18n>().map_or("en", |i18n| i18n.language.get().id)
}

fn group_separator(lang: &str) -> char {
    // Russian groups with a no-break space (CLDR), English with a comma.
    if lang == "ru" {
        '\u{a0}'
    } else {
        ','
    }
}

/// `n` with its digits grouped in threes.
pub fn number_in(n: i64, lang: &str) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(group_separator(lang));
        }
        out.push(c);
    }
    out
}

/// `n` in the reader's language.
pub fn number(n: i64) -> String {
    number_in(n, lang())
}

/// `part` of `whole` as a percentage with one decimal ("12.5%" / "12,5 %"),
/// or a dash when the whole is zero.
pub fn share_in(part: i64, whole: i64, lang: &str) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    let tenths = (part as i128 * 1000 + whole as i128 / 2) / whole as i128;
    let text = format!("{}.{}", tenths / 10, tenths % 10);
    if lang == "ru" {
        format!("{}\u{a0}%", text.replace('.', ","))
    } else {
        format!("{text}%")
    }
}

pub fn share(part: i64, whole: i64) -> String {
    share_in(part, whole, lang())
}

/// A day: "Dec 4, 2026" / "4 дек. 2026".
pub fn date(day: NaiveDate) -> String {
    use chrono::Datelike;
    tr!("date-day", {"day" => day.day(), "month" => day.month(), "year" => day.year()})
}

/// A day without its year: "Dec 4" / "4 дек.".
pub fn date_short(day: NaiveDate) -> String {
    use chrono::Datelike;
    tr!("date-day-short", {"day" => day.day(), "month" => day.month()})
}

/// A moment to the minute, in UTC.
pub fn moment(at: DateTime<Utc>) -> String {
    format!("{} {} UTC", date(at.date_naive()), at.format("%H:%M"))
}

/// A chart bucket's label: an hour, a day, or the week starting that day.
pub fn bucket_label(bucket: Bucket, at: DateTime<Utc>) -> String {
    match bucket {
        Bucket::Hour => format!("{} {}", date_short(at.date_naive()), at.format("%H:%M")),
        Bucket::Day => date_short(at.date_naive()),
        Bucket::Week => tr!("date-week-of", {"day" => date_short(at.date_naive())}),
    }
}

/// "1,200 coins" / "1 200 монет": the currency's name in the plural form
/// the number takes (unknown currencies show their code).
pub fn amount(amount: i64, currency: &str) -> String {
    tr!("amount", {"amount" => amount, "shown" => number(amount), "currency" => currency.to_owned()})
}

/// A currency's name on its own ("Coins" / "Монеты").
pub fn currency_name(currency: &str) -> String {
    tr!("currency-name", {"currency" => currency.to_owned()})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_language() {
        assert_eq!(number_in(0, "en"), "0");
        assert_eq!(number_in(999, "en"), "999");
        assert_eq!(number_in(1000, "en"), "1,000");
        assert_eq!(number_in(-1234567, "en"), "-1,234,567");
        assert_eq!(number_in(1234567, "ru"), "1\u{a0}234\u{a0}567");
        assert_eq!(number_in(i64::MIN, "en"), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn shares_round_to_a_tenth() {
        assert_eq!(share_in(1, 8, "en"), "12.5%");
        assert_eq!(share_in(1, 8, "ru"), "12,5\u{a0}%");
        assert_eq!(share_in(2, 3, "en"), "66.7%");
        assert_eq!(share_in(0, 0, "en"), "—");
    }
}
