//! What a series is: a typed request (`SeriesSpec`) checked into a plan of
//! segments, literal or random, over an alphabet, big enough that guessing
//! stays hopeless; and one code drawn from a plan.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::code_text::{is_plain_text, MAX_CODE_LEN};
use crate::error::{Error, Problem, Result};
use crate::reward::RewardSchedule;
use model::admin::{entropy_bits, pattern_fits, series_alphabet};

/// The most codes one series may hold.
pub const MAX_SERIES: u32 = 5_000_000;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Segment {
    /// Already folded (upper case, no separators) and as typed.
    Literal {
        typed: String,
        folded: String,
    },
    Random,
}

/// A validated series request.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPlan {
    pub name: String,
    pub count: u32,
    pub(crate) segments: Vec<Segment>,
    alphabet: Vec<u8>,
    pub bits: f64,
    pub currency: String,
    pub reward: i64,
    pub activation_limit: Option<i32>,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub campaign_id: Option<i64>,
    pub partner_id: Option<i64>,
}

fn literal(typed: &str) -> Result<Option<Segment>, ()> {
    if typed.is_empty() {
        return Ok(None);
    }
    // Separators are allowed (they are dropped when folding); anything else must be a letter or digit.
    let folded: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !folded.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(());
    }
    Ok(Some(Segment::Literal {
        typed: typed.to_owned(),
        folded,
    }))
}

/// How the codes of a series are shaped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeriesShape {
    /// Each `#` a random character (`GIFT-####-####`).
    Pattern(String),
    /// A prefix, so many random characters, a suffix.
    Random {
        prefix: String,
        length: usize,
        suffix: String,
    },
}

/// A series request: N codes of a shape, sharing every other parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesSpec {
    pub name: String,
    pub count: u32,
    pub shape: SeriesShape,
    /// The letters and digits to draw from; empty: the default without look-alikes.
    pub alphabet: String,
    pub currency: String,
    pub reward: i64,
    pub activation_limit: Option<i32>,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub campaign_id: Option<i64>,
    pub partner_id: Option<i64>,
}

/// Checks a request; every problem at once.
pub fn plan(spec: &SeriesSpec) -> Result<SeriesPlan> {
    let mut problems = Vec::new();
    let name = spec.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        problems.push(Problem::NameRequired);
    } else if !is_plain_text(&name, false) {
        problems.push(Problem::NameChars);
    }
    let currency = spec.currency.trim().to_uppercase();
    if !crate::codes::is_currency_code(&currency) {
        problems.push(Problem::UnknownCurrency);
    }
    if !(1..=MAX_SERIES).contains(&spec.count) {
        problems.push(Problem::SeriesCount);
    }
    let alphabet = series_alphabet(&spec.alphabet).unwrap_or_else(|_| {
        problems.push(Problem::BadAlphabet);
        model::admin::SAFE_ALPHABET.as_bytes().to_vec()
    });
    let mut segments = Vec::new();
    match &spec.shape {
        SeriesShape::Random {
            prefix,
            length,
            suffix,
        } => {
            if !(1..=MAX_CODE_LEN).contains(length) {
                problems.push(Problem::SeriesLength);
            }
            let prefix = literal(prefix.trim()).unwrap_or_else(|()| {
                problems.push(Problem::PrefixChars);
                None
            });
            let suffix = literal(suffix.trim()).unwrap_or_else(|()| {
                problems.push(Problem::SuffixChars);
                None
            });
            segments.extend(prefix);
            // Refused above when too long; never more than that many (a
            // length of 2^31 would be a 100 GB plan).
            segments.extend(std::iter::repeat_n(
                Segment::Random,
                (*length).min(MAX_CODE_LEN + 1),
            ));
            segments.extend(suffix);
        }
        SeriesShape::Pattern(pattern) => {
            let pattern = pattern.trim();
            if pattern.split('#').any(|part| literal(part).is_err()) {
                problems.push(Problem::PatternChars);
            }
            let mut text = String::new();
            for c in pattern.chars() {
                if c == '#' {
                    if let Ok(Some(s)) = literal(&std::mem::take(&mut text)) {
                        segments.push(s);
                    }
                    segments.push(Segment::Random);
                } else {
                    text.push(c);
                }
            }
            if let Ok(Some(s)) = literal(&text) {
                segments.push(s);
            }
        }
    }
    let random = segments.iter().filter(|s| **s == Segment::Random).count();
    let folded_len: usize = segments
        .iter()
        .map(|s| match s {
            Segment::Literal { folded, .. } => folded.len(),
            Segment::Random => 1,
        })
        .sum();
    if folded_len > MAX_CODE_LEN {
        problems.push(Problem::PatternTooLong);
    }
    let bits = entropy_bits(random, alphabet.len());
    if random == 0 || !pattern_fits(bits, u64::from(spec.count)) {
        problems.push(Problem::TooFewPossibleCodes);
    }
    if let Err(e) = RewardSchedule::fixed(spec.reward) {
        problems.push(Problem::Reward(e));
    }
    if spec.activation_limit.is_some_and(|n| n <= 0) {
        problems.push(Problem::LimitNotPositive);
    }
    if let (Some(s), Some(e)) = (spec.starts_at, spec.ends_at) {
        if e <= s {
            problems.push(Problem::EndBeforeStart);
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(SeriesPlan {
        name,
        count: spec.count,
        segments,
        alphabet,
        bits,
        currency,
        reward: spec.reward,
        activation_limit: spec.activation_limit,
        starts_at: spec.starts_at,
        ends_at: spec.ends_at,
        campaign_id: spec.campaign_id,
        partner_id: spec.partner_id,
    })
}

impl SeriesPlan {
    /// One random code: (as displayed, folded). The folded form is what
    /// `PromoCodeText::parse` gives for the displayed one.
    pub fn sample(&self, rng: &mut impl Rng) -> (String, String) {
        let mut typed = String::with_capacity(MAX_CODE_LEN + 8);
        let mut folded = String::with_capacity(MAX_CODE_LEN);
        for segment in &self.segments {
            match segment {
                Segment::Literal {
                    typed: t,
                    folded: f,
                } => {
                    typed.push_str(t);
                    folded.push_str(f);
                }
                Segment::Random => {
                    let c = self.alphabet[rng.random_range(0..self.alphabet.len())] as char;
                    typed.push(c);
                    folded.push(c);
                }
            }
        }
        (typed, folded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PromoCodeText;
    use proptest::prelude::*;

    fn spec(shape: SeriesShape, count: u32) -> SeriesSpec {
        SeriesSpec {
            name: "Spring".into(),
            count,
            shape,
            alphabet: String::new(),
            currency: "COINS".into(),
            reward: 100,
            activation_limit: Some(1),
            starts_at: None,
            ends_at: None,
            campaign_id: None,
            partner_id: None,
        }
    }

    fn pattern(p: &str, count: u32) -> SeriesSpec {
        spec(SeriesShape::Pattern(p.into()), count)
    }

    fn random(prefix: &str, length: usize, suffix: &str, count: u32) -> SeriesSpec {
        spec(
            SeriesShape::Random {
                prefix: prefix.into(),
                length,
                suffix: suffix.into(),
            },
            count,
        )
    }

    fn problems(spec: &SeriesSpec) -> Vec<Problem> {
        match plan(spec) {
            Err(Error::Invalid(problems)) => problems,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    proptest! {
        /// The pattern and alphabet of a series are typed by an admin: any
        /// text is refused or planned, never a panic, and a plan keeps its
        /// promises (folded codes of the pattern's shape, enough entropy).
        #[test]
        fn any_series_request_is_planned_or_refused(
            typed in "\\PC{0,90}",
            alphabet in prop_oneof![Just(String::new()), "\\PC{0,40}"],
            count in prop_oneof![Just(1u32), Just(1000u32), any::<u32>()],
            prefix in "\\PC{0,12}",
            length in prop_oneof![0usize..80, Just(1usize << 31), Just(usize::MAX)],
        ) {
            for request in [
                SeriesSpec { alphabet: alphabet.clone(), ..pattern(&typed, count) },
                SeriesSpec { alphabet: alphabet.clone(), ..random(&prefix, length, &typed, count) },
            ] {
                if let Ok(plan) = plan(&request) {
                    prop_assert!(pattern_fits(plan.bits, u64::from(plan.count)));
                    let mut rng = rand::rng();
                    for _ in 0..5 {
                        let (typed, folded) = plan.sample(&mut rng);
                        let parsed = PromoCodeText::parse(&typed).map(|t| t.into_inner());
                        prop_assert_eq!(parsed.as_deref(), Ok(folded.as_str()));
                    }
                }
            }
        }
    }

    #[test]
    fn samples_fold_like_redemption() {
        let mut rng = rand::rng();
        for request in [
            random("", 10, "", 10),
            random("spring-", 10, "_x", 10),
            pattern("GIFT-####-####-##", 10),
        ] {
            let plan = plan(&request).unwrap();
            for _ in 0..100 {
                let (typed, folded) = plan.sample(&mut rng);
                assert_eq!(
                    PromoCodeText::parse(&typed).unwrap().as_str(),
                    folded,
                    "{typed}"
                );
            }
        }
    }

    #[test]
    fn entropy_decides_what_fits() {
        // 10 characters of 25: 46.4 bits, room for a million codes.
        let p = plan(&random("", 10, "", 1_000_000)).unwrap();
        assert!((p.bits - 10.0 * 25f64.log2()).abs() < 1e-9);
        // 4 random characters cannot hold a thousand codes a million times over.
        assert!(problems(&pattern("AB-####", 1000)).contains(&Problem::TooFewPossibleCodes));
        assert!(plan(&pattern("NO-RANDOM", 1)).is_err());
        assert!(problems(&pattern("BAD!###########", 1)).contains(&Problem::PatternChars));
        assert!(problems(&random("a$", 10, "", 1)).contains(&Problem::PrefixChars));
    }

    #[test]
    fn alphabets_are_checked() {
        assert_eq!(series_alphabet("abcA").unwrap(), b"ABC");
        assert!(series_alphabet("a").is_err());
        assert!(series_alphabet("ab$").is_err());
        assert!(!model::admin::SAFE_ALPHABET.contains(['0', 'O', '1', 'I', 'L']));
    }
}
