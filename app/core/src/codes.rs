//! Creating promo codes: every parameter validated on construction, the name
//! folded exactly as redemption folds it, duplicates caught by the unique keys.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::code_text::{is_plain_text, PromoCodeText};
use crate::error::{Error, Problem, Result, Text, TextPart};
pub use crate::locale::Locale;
use crate::reward::RewardSchedule;

/// The longest name as typed (spaces and dashes included; 64 letters and digits
/// once folded).
pub const MAX_NAME_CHARS: usize = 200;
/// The largest reward: far from bigint's end, so balances cannot overflow.
pub const MAX_REWARD: i64 = 1_000_000_000_000;
/// The longest "new players only" window: a century.
pub const MAX_NEW_PLAYER_DAYS: i32 = 36_500;

/// Everything a new code needs; `Default` is a standard 1-coin code with no limits.
#[derive(Clone, Debug)]
pub struct NewCode {
    pub name: String,
    pub currency: String,
    pub initial_reward: i64,
    pub min_reward: i64,
    pub decrease_step: i64,
    pub activation_limit: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub egg_slug: Option<String>,
    pub enabled: bool,
    pub priority: i32,
    pub group_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub partner_id: Option<i64>,
    pub eligible_tiers: Vec<String>,
    pub eligible_tags: Vec<String>,
    pub new_player_days: Option<i32>,
}

impl Default for NewCode {
    fn default() -> Self {
        Self {
            name: String::new(),
            currency: "COINS".into(),
            initial_reward: 1,
            min_reward: 1,
            decrease_step: 0,
            activation_limit: None,
            starts_at: None,
            ends_at: None,
            egg_slug: None,
            enabled: true,
            priority: 0,
            group_id: None,
            campaign_id: None,
            partner_id: None,
            eligible_tiers: Vec::new(),
            eligible_tags: Vec::new(),
            new_player_days: None,
        }
    }
}

/// A code's description and secret message in one language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalizedText {
    pub description: String,
    pub secret_message: String,
}

/// A code's texts, English and Russian (empty: none in that language, so the
/// English one is shown).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeTexts {
    pub en: LocalizedText,
    pub ru: LocalizedText,
}

/// The longest description or secret message.
pub const MAX_TEXT_CHARS: usize = 2000;

/// The smallest reward when none is given: a fixed code pays its reward; a
/// decreasing one goes down to 1.
pub fn default_min_reward(initial: i64, step: i64) -> i64 {
    if step > 0 {
        1
    } else {
        initial
    }
}

impl CodeTexts {
    /// The texts as stored: without the spaces around them.
    pub fn trimmed(&self) -> Self {
        let trim = |t: &LocalizedText| LocalizedText {
            description: t.description.trim().to_owned(),
            secret_message: t.secret_message.trim().to_owned(),
        };
        Self {
            en: trim(&self.en),
            ru: trim(&self.ru),
        }
    }

    pub fn get(&self, locale: Locale) -> &LocalizedText {
        match locale {
            Locale::En => &self.en,
            Locale::Ru => &self.ru,
        }
    }

    /// Texts too long or with characters no one types.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for locale in Locale::ALL {
            let text = self.get(locale);
            for (part, value) in [
                (TextPart::Description, &text.description),
                (TextPart::SecretMessage, &text.secret_message),
            ] {
                let at = Text { locale, part };
                if !is_plain_text(value, true) {
                    problems.push(Problem::TextChars(at));
                } else if value.chars().count() > MAX_TEXT_CHARS {
                    problems.push(Problem::TextTooLong(at));
                }
            }
        }
        problems
    }
}

impl NewCode {
    /// The code as stored, however it was typed or sent: the name trimmed,
    /// the currency upper-cased, the slug lower-cased (empty: none), tiers
    /// and tags trimmed and without empty ones.
    pub fn tidied(self) -> Self {
        let list = |items: Vec<String>| -> Vec<String> {
            items
                .into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        Self {
            name: self.name.trim().to_owned(),
            currency: self.currency.trim().to_uppercase(),
            egg_slug: self
                .egg_slug
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty()),
            eligible_tiers: list(self.eligible_tiers),
            eligible_tags: list(self.eligible_tags),
            ..self
        }
    }

    /// Every rule this code breaks (the admin form shows them all at once).
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Err(e) = PromoCodeText::parse(&self.name) {
            problems.push(Problem::CodeName(e));
        }
        if let Err(e) =
            RewardSchedule::new(self.initial_reward, self.min_reward, self.decrease_step)
        {
            problems.push(Problem::Reward(e));
        }
        problems.extend(self.other_problems());
        problems
    }

    /// The folded name and the reward schedule, or every problem.
    pub fn validate(&self) -> Result<(PromoCodeText, RewardSchedule)> {
        let problems = self.problems();
        match (
            PromoCodeText::parse(&self.name),
            RewardSchedule::new(self.initial_reward, self.min_reward, self.decrease_step),
        ) {
            (Ok(text), Ok(schedule)) if problems.is_empty() => Ok((text, schedule)),
            _ => Err(Error::Invalid(problems)),
        }
    }

    /// Dates, limits, slug, lists and sizes.
    fn other_problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.name.trim().chars().count() > MAX_NAME_CHARS {
            problems.push(Problem::NameTooLong);
        }
        if self.initial_reward > MAX_REWARD {
            problems.push(Problem::RewardTooLarge);
        }
        if self
            .new_player_days
            .is_some_and(|d| d > MAX_NEW_PLAYER_DAYS)
        {
            problems.push(Problem::TooManyDays);
        }
        let list_ok = |list: &[String]| {
            list.len() <= 50
                && list.iter().all(|item| {
                    (1..=32).contains(&item.chars().count()) && is_plain_text(item, false)
                })
        };
        if !list_ok(&self.eligible_tiers) {
            problems.push(Problem::BadTiers);
        }
        if !list_ok(&self.eligible_tags) {
            problems.push(Problem::BadTags);
        }
        if !is_currency_code(&self.currency) {
            problems.push(Problem::UnknownCurrency);
        }
        if let (Some(start), Some(end)) = (self.starts_at, self.ends_at) {
            if end <= start {
                problems.push(Problem::EndBeforeStart);
            }
        }
        if self.activation_limit.is_some_and(|l| l <= 0) {
            problems.push(Problem::LimitNotPositive);
        }
        if self.new_player_days.is_some_and(|d| d <= 0) {
            problems.push(Problem::DaysNotPositive);
        }
        if let Some(slug) = &self.egg_slug {
            let valid = (3..=64).contains(&slug.len())
                && slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !slug.starts_with('-');
            if !valid {
                problems.push(Problem::BadSlug);
            }
        }
        problems
    }
}

/// Whether `code` has the shape of a currency code (the schema's CHECK):
/// anything else is unknown without asking the database.
pub fn is_currency_code(code: &str) -> bool {
    (2..=16).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Inserts a code and returns its id.
pub async fn create(conn: &mut PgConnection, code: &NewCode) -> Result<i64> {
    write(conn, None, code).await?.ok_or(Error::NotFound)
}

/// Writes every parameter of a code: a new one when `id` is `None`, else
/// code `id` (its counter stays and its next reward is recomputed from the new
/// schedule). The id written, or `None` when there is no code `id`. One
/// statement for both, so the columns are bound in one place.
pub async fn write(
    conn: &mut PgConnection,
    id: Option<i64>,
    code: &NewCode,
) -> Result<Option<i64>> {
    let (text, schedule) = code.validate()?;
    Ok(sqlx::query_scalar!(
        r#"
        WITH changed AS (
            UPDATE promo_codes SET
                name = $2, normalized = $3, currency = $4, initial_reward = $5, min_reward = $6,
                decrease_step = $7,
                current_reward = GREATEST($6::bigint, $5::bigint - activation_count::bigint * $7::bigint),
                activation_limit = $8, starts_at = $9, ends_at = $10, egg_slug = $11, enabled = $12,
                priority = $13, group_id = $14, campaign_id = $15, partner_id = $16,
                eligible_tiers = $17, eligible_tags = $18, new_player_days = $19, updated_at = now()
             WHERE id = $1
            RETURNING id
        ), created AS (
            INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward,
                                     decrease_step, activation_limit, starts_at, ends_at, egg_slug, enabled,
                                     priority, group_id, campaign_id, partner_id, eligible_tiers, eligible_tags,
                                     new_player_days)
            SELECT $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19
             WHERE $1::bigint IS NULL
            RETURNING id
        )
        SELECT id AS "id!" FROM changed UNION ALL SELECT id FROM created
        "#,
        id,
        code.name.trim(),
        text.as_str(),
        code.currency,
        schedule.initial,
        schedule.minimum,
        schedule.step,
        code.activation_limit,
        code.starts_at as _,
        code.ends_at as _,
        code.egg_slug,
        code.enabled,
        code.priority,
        code.group_id,
        code.campaign_id,
        code.partner_id,
        &code.eligible_tiers,
        &code.eligible_tags,
        code.new_player_days,
    )
    .fetch_optional(conn)
    .await?)
}

/// Stores a code's texts: every language that has one, replacing what was
/// there; a language left empty is removed (the English text is shown).
pub async fn store_texts(conn: &mut PgConnection, code_id: i64, texts: &CodeTexts) -> Result<()> {
    for locale in Locale::ALL {
        let text = texts.get(locale);
        if text.description.is_empty() && text.secret_message.is_empty() {
            sqlx::query!(
                "DELETE FROM promo_code_texts WHERE code_id = $1 AND locale = $2",
                code_id,
                locale.as_str()
            )
            .execute(&mut *conn)
            .await?;
        } else {
            set_text(
                conn,
                code_id,
                locale.as_str(),
                &text.description,
                &text.secret_message,
            )
            .await?;
        }
    }
    Ok(())
}

async fn set_text(
    conn: &mut PgConnection,
    code_id: i64,
    locale: &str,
    description: &str,
    secret_message: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        INSERT INTO promo_code_texts (code_id, locale, description, secret_message)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (code_id, locale) DO UPDATE SET description = EXCLUDED.description,
                                                    secret_message = EXCLUDED.secret_message
        "#,
        code_id,
        locale,
        description,
        secret_message
    )
    .execute(conn)
    .await?;
    Ok(())
}
