//! Who is calling: the API key in `Authorization: Bearer pk_…`, checked on
//! every request (revoked keys stop at once), throttled per key with
//! governor, and the scope each handler needs.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use app::core::api_keys::{self, ApiKey, Scope};

use super::problem::Problem;
use super::ApiState;

/// An authenticated caller.
pub struct Caller(pub ApiKey);

impl Caller {
    /// Refuses (403) unless the key has `scope`.
    pub fn require(&self, scope: Scope) -> Result<&ApiKey, Problem> {
        if self.0.allows(scope) {
            Ok(&self.0)
        } else {
            Err(Problem::forbidden(scope.as_str()))
        }
    }
}

impl FromRequestParts<ApiState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Problem> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(Problem::unauthorized)?;
        let key = api_keys::authenticate(&state.pool, presented)
            .await
            .map_err(Problem::from)?
            .ok_or_else(Problem::unauthorized)?;
        if let Some(wait) = state.throttle.check_api_key(key.id) {
            return Err(Problem::throttled(wait));
        }
        Ok(Self(key))
    }
}
