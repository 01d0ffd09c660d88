//! The core's one error model: every way a core function can say no, each its
//! own case for logs and statistics, plus the database failing. Adapters map
//! it once: to an HTTP status, a Fluent message id and, for `Invalid`, the
//! form fields the problems belong to. Constraint violations become domain
//! cases here, by constraint name, and nowhere else.

use chrono::{DateTime, Utc};

use crate::code_text::CodeTextError;
use crate::reward::RewardScheduleError;
pub use model::RefusalKind;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // What a player is told about an activation.
    #[error("malformed code: {0}")]
    Malformed(#[from] CodeTextError),
    #[error("no such code")]
    Unknown,
    #[error("the code is disabled")]
    Disabled,
    #[error("the code becomes active at {starts_at}")]
    NotStarted { starts_at: DateTime<Utc> },
    #[error("the code expired at {ended_at}")]
    Expired { ended_at: DateTime<Utc> },
    #[error("the code has no activations left")]
    Exhausted,
    #[error("this player already activated the code")]
    AlreadyActivated,
    #[error("this player is not eligible for the code")]
    NotEligible,
    #[error("no such player")]
    UnknownPlayer,
    #[error("code input is blocked until {until}")]
    LockedOut { until: DateTime<Utc> },
    #[error("code input cools down until {until}")]
    Cooldown { until: DateTime<Utc> },
    #[error("the balance cannot hold this reward")]
    BalanceFull,

    // What an admin or a player is told about a command.
    /// The command breaks these rules (all of them, so a form shows every
    /// problem at once).
    #[error("invalid: {0:?}")]
    Invalid(Vec<Problem>),
    #[error("not found")]
    NotFound,
    /// A code that has been activated stays in the books (disable it instead).
    #[error("the code has been activated")]
    InUse,
    #[error("wrong name or password")]
    WrongCredentials,
    /// Too many failed sign-ins on this account: no password is checked until then.
    #[error("too many failed sign-ins; wait until {until}")]
    SignInWait { until: DateTime<Utc> },
    #[error("the sign-in link is not valid")]
    LinkForged,
    #[error("the sign-in link has expired")]
    LinkExpired,

    /// A state the core cannot go on from (a job's stored request
    /// unreadable, a worker thread gone): a bug or a damaged row.
    #[error("broken: {0}")]
    Broken(String),

    #[error("database error: {0}")]
    Database(sqlx::Error),
}

/// The activation core's refusals are the same type; the name says which
/// cases to expect.
pub type ActivationError = Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A rule a command breaks. The adapter knows which form field each belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    // A code.
    CodeName(CodeTextError),
    NameTooLong,
    Reward(RewardScheduleError),
    RewardTooLarge,
    EndBeforeStart,
    LimitNotPositive,
    LimitBelowCount,
    BadSlug,
    DuplicateName,
    DuplicateSlug,
    UnknownCurrency,
    Unknown(Reference),
    DaysNotPositive,
    TooManyDays,
    BadTiers,
    BadTags,
    TextTooLong(Text),
    TextChars(Text),
    // A group, campaign, partner or series.
    NameRequired,
    NameChars,
    DuplicateCatalogName,
    DescriptionTooLong,
    ContactTooLong,
    NotesTooLong,
    UnknownChannel,
    PayoutNegative,
    SeriesCount,
    SeriesLength,
    PatternChars,
    PrefixChars,
    SuffixChars,
    PatternTooLong,
    TooFewPossibleCodes,
    BadAlphabet,
    TooManySeriesRunning,
    // A webhook endpoint, an API key.
    WebhookUrl,
    UnknownTopic,
    NoScopes,
    /// Only a code players can see and still redeem is announced (not a
    /// disabled, used-up or ended one, nor a hidden easter egg).
    CannotAnnounce,
    // A player as the platform sends it.
    ExternalId,
    UnknownLocale,
    // An action the platform reports, and its reward.
    ActionKey,
    ReportKey,
    // Quests, loyalty rules, the referral program.
    QuestSlug,
    NoSteps,
    /// A step's code, group or campaign that does not exist, or an egg
    /// list naming something that is no easter egg.
    StepSubject,
    StepTarget,
    /// Steps of a quest players have progressed in do not change.
    QuestInProgress,
    /// A loyalty rule's N, tier or tag.
    RuleValue,
    CapNotPositive,
    // An account.
    Username,
    ShortPassword,
    PasswordsDiffer,
    UsernameTaken,
}

/// What a code refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference {
    Group,
    Campaign,
    Partner,
}

/// One of a code's localized texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    pub locale: crate::locale::Locale,
    pub part: TextPart,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextPart {
    Description,
    SecretMessage,
}

impl Error {
    pub fn invalid(problem: Problem) -> Self {
        Self::Invalid(vec![problem])
    }

    /// The refusal as statistics and the browser know it (`Invalid` and the
    /// rest that are no activation refusal count as internal there).
    pub fn kind(&self) -> RefusalKind {
        match self {
            Self::Malformed(_) => RefusalKind::Malformed,
            Self::Unknown => RefusalKind::Unknown,
            Self::Disabled => RefusalKind::Disabled,
            Self::NotStarted { .. } => RefusalKind::NotStarted,
            Self::Expired { .. } => RefusalKind::Expired,
            Self::Exhausted => RefusalKind::Exhausted,
            Self::AlreadyActivated => RefusalKind::AlreadyActivated,
            Self::NotEligible => RefusalKind::NotEligible,
            Self::UnknownPlayer => RefusalKind::UnknownPlayer,
            Self::LockedOut { .. } => RefusalKind::LockedOut,
            Self::Cooldown { .. } => RefusalKind::Cooldown,
            Self::BalanceFull => RefusalKind::BalanceFull,
            Self::Invalid(_)
            | Self::NotFound
            | Self::InUse
            | Self::WrongCredentials
            | Self::SignInWait { .. }
            | Self::LinkForged
            | Self::LinkExpired
            | Self::Broken(_)
            | Self::Database(_) => RefusalKind::Internal,
        }
    }
}

/// Constraint violations the schema reports for what a command asked,
/// turned into the domain's words; anything else is a database error.
impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        let Some(db) = e.as_database_error() else {
            return Self::Database(e);
        };
        // numeric_value_out_of_range: a balance would pass bigint's end.
        if db.code().as_deref() == Some("22003") {
            return Self::BalanceFull;
        }
        let problem = match db.constraint() {
            Some("activations_code_id_player_id_key") => return Self::AlreadyActivated,
            Some("promo_codes_normalized_key") => Problem::DuplicateName,
            Some("promo_codes_egg_slug_key") => Problem::DuplicateSlug,
            Some("promo_codes_currency_fkey") | Some("partners_payout_currency_fkey") => {
                Problem::UnknownCurrency
            }
            Some("promo_codes_group_id_fkey") => Problem::Unknown(Reference::Group),
            Some("promo_codes_campaign_id_fkey") => Problem::Unknown(Reference::Campaign),
            Some("promo_codes_partner_id_fkey") | Some("campaigns_partner_id_fkey") => {
                Problem::Unknown(Reference::Partner)
            }
            Some("promo_codes_count_within_limit") => Problem::LimitBelowCount,
            Some("code_groups_name_key")
            | Some("campaigns_name_key")
            | Some("partners_name_key") => Problem::DuplicateCatalogName,
            Some("players_username_key") | Some("admins_username_key") => Problem::UsernameTaken,
            _ => return Self::Database(e),
        };
        Self::invalid(problem)
    }
}
