//! Types the admin dashboard's server functions and pages share. Forms carry
//! strings as typed, so that a refused form comes back exactly as it was sent.

mod actions;
mod catalog;
mod codes;
mod reports;
mod series;
mod stats;
mod webhooks;

pub use actions::*;
pub use catalog::*;
pub use codes::*;
pub use reports::*;
pub use series::*;
pub use stats::*;
pub use webhooks::*;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Reads only.
    Viewer,
}

impl Role {
    pub fn parse(s: &str) -> Self {
        if s == "admin" {
            Self::Admin
        } else {
            Self::Viewer
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    pub fn can_write(self) -> bool {
        self == Self::Admin
    }
}

/// The signed-in admin, with the token every state-changing form sends back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminMe {
    pub username: String,
    pub role: Role,
    pub csrf: String,
    /// A refused plain post of this page's form, as a query string: what was
    /// typed and why it was refused (see `AdminRequest::back_with`).
    pub draft: Option<String>,
}

/// One value of a draft's query string.
pub fn draft_value(draft: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(draft)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

/// A form field the server refused: the field's name and a Fluent message id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: &str) -> Self {
        Self {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// What a create or edit form came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Saved {
    /// Stored; the id of the row (0 for a row without one: the referral
    /// program, an action key's reward).
    Ok(i64),
    /// Refused; nothing changed.
    Invalid(Vec<FieldError>),
}

/// Field errors as a plain post carries them in the address: `field:message,…`.
pub fn errors_from_query(value: &str) -> Vec<FieldError> {
    value
        .split(',')
        .filter_map(|pair| pair.split_once(':'))
        .filter(|(_, message)| message.starts_with("admin-error-") || *message == "error-internal")
        .map(|(field, message)| FieldError::new(field, message))
        .collect()
}
