//! Why an activation was refused. Each variant is its own case for logs and
//! statistics, and maps to a Fluent message id and an HTTP status for adapters.

use chrono::{DateTime, Utc};

use super::code_text::CodeTextError;
pub use model::RefusalKind;

#[derive(Debug, thiserror::Error)]
pub enum ActivationError {
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
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl ActivationError {
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
            Self::Database(_) => RefusalKind::Internal,
        }
    }
}
