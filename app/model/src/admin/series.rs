//! The series form and jobs, and the alphabet and entropy rules the form's
//! live hint and the server's check share.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A series: N codes from a pattern, sharing every other parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeriesForm {
    pub csrf: String,
    /// The series' group name.
    pub name: String,
    pub count: String,
    /// `#` marks one random character; empty means prefix + length + suffix.
    pub pattern: String,
    pub prefix: String,
    pub suffix: String,
    pub length: String,
    /// Empty means the default alphabet without look-alike characters.
    pub alphabet: String,
    pub currency: String,
    pub reward: String,
    /// Activations per code (1 = single use).
    pub activation_limit: String,
    pub starts_at: String,
    pub ends_at: String,
    pub campaign_id: String,
    pub partner_id: String,
}

impl SeriesForm {
    pub fn defaults() -> Self {
        Self {
            count: "1000".into(),
            length: "10".into(),
            currency: "COINS".into(),
            reward: "100".into(),
            activation_limit: "1".into(),
            ..Self::default()
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Running,
    Done,
    Cancelled,
    Failed,
}

impl JobStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "running" => Self::Running,
            "done" => Self::Done,
            "cancelled" => Self::Cancelled,
            _ => Self::Failed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesJob {
    pub id: i64,
    pub name: String,
    pub requested: i32,
    pub done: i32,
    pub status: JobStatus,
    pub cancel_requested: bool,
    pub group_id: Option<i64>,
    pub entropy_bits: f64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesJobList {
    pub jobs: Vec<SeriesJob>,
}

/// The entropy, in bits, of one code from `pattern` (with `#` for a random
/// character) or `length` random characters, over `alphabet_len` characters.
pub fn entropy_bits(random_chars: usize, alphabet_len: usize) -> f64 {
    if alphabet_len < 2 {
        return 0.0;
    }
    random_chars as f64 * (alphabet_len as f64).log2()
}

/// The default alphabet: upper-case letters and digits without look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B).
pub const SAFE_ALPHABET: &str = "ACDEFGHJKMNPQRTUVWXY34679";

/// A pattern must offer at least this many times more codes than the series
/// holds, so that guessing stays hopeless and generation rarely collides.
pub const SPACE_FACTOR: f64 = 1_000_000.0;

/// Whether a pattern of this entropy is big enough for `count` codes.
pub fn pattern_fits(bits: f64, count: u64) -> bool {
    bits >= (count.max(1) as f64 * SPACE_FACTOR).log2()
}

/// An alphabet with fewer than two letters or digits, or anything else in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadAlphabet;

/// The alphabet a series draws from: the typed letters and digits
/// (upper-cased, once each; spaces ignored), or the default without
/// look-alikes when none is typed. The one rule the form's live entropy and
/// the server's check share.
pub fn series_alphabet(typed: &str) -> Result<Vec<u8>, BadAlphabet> {
    if typed.trim().is_empty() {
        return Ok(SAFE_ALPHABET.as_bytes().to_vec());
    }
    let mut seen = Vec::new();
    for c in typed.chars().filter(|c| !c.is_whitespace()) {
        let c = c.to_ascii_uppercase();
        if !c.is_ascii_alphanumeric() {
            return Err(BadAlphabet);
        }
        if !seen.contains(&(c as u8)) {
            seen.push(c as u8);
        }
    }
    if seen.len() < 2 {
        return Err(BadAlphabet);
    }
    Ok(seen)
}

/// The entropy of a series form as typed (the form shows it live; a bad
/// alphabet has none).
pub fn series_entropy(pattern: &str, length: &str, alphabet: &str) -> f64 {
    let random = if pattern.trim().is_empty() {
        length.trim().parse().unwrap_or(0)
    } else {
        pattern.chars().filter(|c| *c == '#').count()
    };
    let letters = series_alphabet(alphabet).map_or(0, |a| a.len());
    entropy_bits(random, letters)
}

/// One card of a series' printable sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetCard {
    pub code: String,
    pub reward: i64,
    pub currency: String,
    pub ends_at: Option<DateTime<Utc>>,
    /// The prefilled redeem link (`…/redeem?code=…`) the QR code holds.
    pub link: String,
    /// The QR code, an SVG drawn by the server.
    pub qr_svg: String,
}

/// A page of a series' printable sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetPage {
    pub series_id: i64,
    pub name: String,
    pub cards: Vec<SheetCard>,
    pub page: i64,
    pub has_next: bool,
}

/// Cards on one printed page of a sheet (3 across, 6 down on A4).
pub const SHEET_CARDS: i64 = 18;
