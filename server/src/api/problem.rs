//! The API's one error type: RFC 9457 problem details
//! (`application/problem+json`), with a stable `type` per core error. The
//! core's errors are mapped here once. A code the player may not know about
//! (unknown or disabled) is the same `unknown-code` problem, as on the form.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use app::core::Error;

/// Where the problem types are described (the API reference page).
pub const TYPE_BASE: &str = "/api/v1/docs#problem-";

/// A problem (boxed: handlers pass it around in `Result`s).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem(Box<ProblemDetails>);

/// A problem, as RFC 9457 shapes it.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDetails {
    /// A URI reference naming the kind of problem: stable, for machines.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind, for people.
    pub title: String,
    pub status: u16,
    /// What happened this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// When a refusal ends (not started, locked out, cooling down, throttled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// The request fields at fault, for a 422.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Seconds until a retry may succeed (429, 503); also `Retry-After`.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

/// One field's problem in a refused request body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field (`""`: the request as a whole).
    pub field: String,
    /// A stable name of the rule (the dashboard's Fluent message id).
    pub code: String,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str) -> Self {
        Self(Box::new(ProblemDetails {
            kind: format!("{TYPE_BASE}{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: None,
            until: None,
            errors: Vec::new(),
            retry_after: None,
        }))
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = Some(detail.into());
        self
    }

    pub fn until(mut self, until: chrono::DateTime<chrono::Utc>) -> Self {
        let wait = (until - chrono::Utc::now()).num_seconds().max(1) as u64;
        self.0.until = Some(until);
        if self.0.status == 429 || self.0.status == 503 {
            self.0.retry_after = Some(wait);
        }
        self
    }

    /// The problem as its JSON body.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&*self.0).unwrap_or_default()
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "A valid API key is required",
        )
        .detail("send `Authorization: Bearer <key>` with a key an admin created")
    }

    pub fn forbidden(scope: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "The API key lacks the scope this needs",
        )
        .detail(format!("needs the `{scope}` scope"))
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found").detail(what.to_owned())
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request cannot be read",
        )
        .detail(detail)
    }

    pub fn throttled(retry_after: u64) -> Self {
        let mut problem = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "Too many requests for this API key",
        );
        problem.0.retry_after = Some(retry_after.max(1));
        problem
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side",
        )
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Every core error, once: its status, type and title.
impl From<Error> for Problem {
    fn from(error: Error) -> Self {
        use StatusCode as S;
        let p = |status, kind, title| Problem::new(status, kind, title);
        match error {
            Error::Malformed(_) => p(
                S::UNPROCESSABLE_ENTITY,
                "malformed-code",
                "That is not a promo code",
            ),
            // No oracle: a disabled code is answered as an unknown one.
            Error::Unknown | Error::Disabled => p(S::NOT_FOUND, "unknown-code", "No such code"),
            Error::NotStarted { starts_at } => {
                p(S::CONFLICT, "not-started", "The code is not active yet").until(starts_at)
            }
            Error::Expired { ended_at } => {
                p(S::GONE, "expired", "The code has expired").until(ended_at)
            }
            Error::Exhausted => p(S::GONE, "exhausted", "The code has no activations left"),
            Error::AlreadyActivated => p(
                S::CONFLICT,
                "already-activated",
                "This player already activated the code",
            ),
            Error::NotEligible => p(
                S::FORBIDDEN,
                "not-eligible",
                "This player is not eligible for the code",
            ),
            Error::UnknownPlayer => p(S::NOT_FOUND, "unknown-player", "No such player"),
            Error::LockedOut { until } => p(
                S::TOO_MANY_REQUESTS,
                "locked-out",
                "Code input is blocked for this player after too many wrong codes",
            )
            .until(until),
            Error::Cooldown { until } => p(
                S::TOO_MANY_REQUESTS,
                "cooldown",
                "Code input cools down after a wave of wrong codes",
            )
            .until(until),
            Error::BalanceFull => p(
                S::CONFLICT,
                "balance-full",
                "The player's balance cannot hold this reward",
            ),
            Error::Invalid(problems) => {
                let mut problem = p(
                    S::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "The request breaks the rules named in `errors`",
                );
                problem.0.errors = crate::api::fields::field_problems(&problems);
                problem
            }
            Error::NotFound => Problem::not_found("no such resource"),
            Error::InUse => p(
                S::CONFLICT,
                "in-use",
                "The code has been activated: disable it instead",
            ),
            Error::WrongCredentials
            | Error::SignInWait { .. }
            | Error::LinkForged
            | Error::LinkExpired
            | Error::Broken(_)
            | Error::Database(_) => {
                tracing::error!(error = %error, "API request failed");
                Problem::internal()
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.0.retry_after;
        let mut response = (status, axum::Json(self.0)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                headers.insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
