//! Creating promo codes: every parameter validated on construction, the name
//! folded exactly as redemption folds it, duplicates caught by the unique keys.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::code_text::{is_plain_text, CodeTextError, PromoCodeText};
use super::reward::{RewardSchedule, RewardScheduleError};

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

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("invalid code name: {0}")]
    Name(#[from] CodeTextError),
    #[error("invalid rewards: {0}")]
    Reward(#[from] RewardScheduleError),
    #[error("the end is not after the start")]
    EndBeforeStart,
    #[error("the activation limit must be positive")]
    LimitNotPositive,
    #[error("an easter-egg slug has 3 to 64 lowercase letters, digits and dashes")]
    BadSlug,
    #[error("a code with this name already exists")]
    DuplicateName,
    #[error("an easter egg with this slug already exists")]
    DuplicateSlug,
    #[error("unknown currency")]
    UnknownCurrency,
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    NameTooLong,
    #[error("a reward is at most {MAX_REWARD}")]
    RewardTooLarge,
    #[error("an account age limit is at most {MAX_NEW_PLAYER_DAYS} days")]
    TooManyDays,
    #[error("the tiers are at most 50 items of 1 to 32 plain characters")]
    BadTiers,
    #[error("the tags are at most 50 items of 1 to 32 plain characters")]
    BadTags,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl NewCode {
    /// Every rule this code breaks (the admin form shows them all at once).
    pub fn problems(&self) -> Vec<CodeError> {
        let mut problems = self.other_problems();
        if let Err(e) =
            RewardSchedule::new(self.initial_reward, self.min_reward, self.decrease_step)
        {
            problems.insert(0, e.into());
        }
        if let Err(e) = PromoCodeText::parse(&self.name) {
            problems.insert(0, e.into());
        }
        problems
    }

    fn validate(&self) -> Result<(PromoCodeText, RewardSchedule), CodeError> {
        let text = PromoCodeText::parse(&self.name)?;
        let schedule =
            RewardSchedule::new(self.initial_reward, self.min_reward, self.decrease_step)?;
        match self.other_problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok((text, schedule)),
        }
    }

    /// Dates, limits, slug, lists and sizes.
    fn other_problems(&self) -> Vec<CodeError> {
        let mut problems = Vec::new();
        if self.name.trim().chars().count() > MAX_NAME_CHARS {
            problems.push(CodeError::NameTooLong);
        }
        if self.initial_reward > MAX_REWARD {
            problems.push(CodeError::RewardTooLarge);
        }
        if self
            .new_player_days
            .is_some_and(|d| d > MAX_NEW_PLAYER_DAYS)
        {
            problems.push(CodeError::TooManyDays);
        }
        let list_ok = |list: &[String]| {
            list.len() <= 50
                && list.iter().all(|item| {
                    (1..=32).contains(&item.chars().count()) && is_plain_text(item, false)
                })
        };
        if !list_ok(&self.eligible_tiers) {
            problems.push(CodeError::BadTiers);
        }
        if !list_ok(&self.eligible_tags) {
            problems.push(CodeError::BadTags);
        }
        if !is_currency_code(&self.currency) {
            problems.push(CodeError::UnknownCurrency);
        }
        if let (Some(start), Some(end)) = (self.starts_at, self.ends_at) {
            if end <= start {
                problems.push(CodeError::EndBeforeStart);
            }
        }
        if self.activation_limit.is_some_and(|l| l <= 0) {
            problems.push(CodeError::LimitNotPositive);
        }
        if let Some(slug) = &self.egg_slug {
            let valid = (3..=64).contains(&slug.len())
                && slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !slug.starts_with('-');
            if !valid {
                problems.push(CodeError::BadSlug);
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
pub async fn create(conn: &mut PgConnection, code: &NewCode) -> Result<i64, CodeError> {
    let (text, schedule) = code.validate()?;
    sqlx::query_scalar!(
        r#"
        INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward, min_reward,
                                 decrease_step, activation_limit, starts_at, ends_at, egg_slug, enabled,
                                 priority, group_id, campaign_id, partner_id, eligible_tiers, eligible_tags,
                                 new_player_days)
        VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
        RETURNING id
        "#,
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
    .fetch_one(conn)
    .await
    .map_err(classify)
}

/// A write refused by a unique key or the currency reference, as a typed error.
pub fn classify(e: sqlx::Error) -> CodeError {
    match &e {
        sqlx::Error::Database(db) => match db.constraint() {
            Some("promo_codes_normalized_key") => CodeError::DuplicateName,
            Some("promo_codes_egg_slug_key") => CodeError::DuplicateSlug,
            Some("promo_codes_currency_fkey") => CodeError::UnknownCurrency,
            _ => CodeError::Database(e),
        },
        _ => CodeError::Database(e),
    }
}

/// Stores the localized description and secret message of a code.
pub async fn set_text(
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
