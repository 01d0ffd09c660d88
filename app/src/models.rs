//! Types shared by the server and the browser: what crosses a server function
//! boundary. Row types and secrets stay in the server-only core.

use serde::{Deserialize, Serialize};

/// The refusal without its payload: what statistics count and what the
/// browser receives (a database failure is `Internal`, its details stay in the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefusalKind {
    Malformed,
    Unknown,
    Disabled,
    NotStarted,
    Expired,
    Exhausted,
    AlreadyActivated,
    NotEligible,
    UnknownPlayer,
    Internal,
}

impl RefusalKind {
    /// The Fluent message id shown to the person who made the request.
    pub fn message_id(self) -> &'static str {
        match self {
            Self::Malformed => "redeem-error-malformed",
            Self::Unknown => "redeem-error-unknown",
            Self::Disabled => "redeem-error-disabled",
            Self::NotStarted => "redeem-error-not-started",
            Self::Expired => "redeem-error-expired",
            Self::Exhausted => "redeem-error-exhausted",
            Self::AlreadyActivated => "redeem-error-already-activated",
            Self::NotEligible => "redeem-error-not-eligible",
            Self::UnknownPlayer => "redeem-error-unknown-player",
            Self::Internal => "error-internal",
        }
    }

    /// The HTTP status a REST adapter answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Malformed => 400,
            Self::Unknown | Self::Disabled | Self::UnknownPlayer => 404,
            Self::NotStarted | Self::Expired | Self::Exhausted | Self::AlreadyActivated => 409,
            Self::NotEligible => 403,
            Self::Internal => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::Unknown => "unknown",
            Self::Disabled => "disabled",
            Self::NotStarted => "not_started",
            Self::Expired => "expired",
            Self::Exhausted => "exhausted",
            Self::AlreadyActivated => "already_activated",
            Self::NotEligible => "not_eligible",
            Self::UnknownPlayer => "unknown_player",
            Self::Internal => "internal",
        }
    }
}
