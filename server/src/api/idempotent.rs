//! A POST or PUT body with its `Idempotency-Key` (Stripe's semantics, the
//! core's `idempotency`): without a key the work runs in a transaction of
//! its own; with one, in the key's transaction, so the work and its stored
//! answer commit together, a racing repeat waits and replays, and the same
//! key with another request is refused (422). A 5xx is not stored: the
//! retry does the work again.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::{Acquire, PgConnection};

use app::core::idempotency::{self, Begun, Stored};

use super::caller::Caller;
use super::problem::Problem;
use super::ApiState;

/// A handler's answer: a response, or a problem.
pub type Answer = Result<Response, Problem>;

/// What the work answers: a status and a JSON body (or a problem).
pub type Outcome = Result<(StatusCode, Value), Problem>;

/// The request body, read as `T` (an empty body is `T::default()`), with
/// the idempotency key and the request's fingerprint.
pub struct Idempotent<T> {
    key: Option<String>,
    fingerprint: String,
    pub input: T,
}

impl<T: DeserializeOwned + Default> FromRequest<ApiState> for Idempotent<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &ApiState) -> Result<Self, Problem> {
        let key = match request.headers().get("idempotency-key") {
            None => None,
            Some(value) => {
                let key = value.to_str().unwrap_or_default().trim();
                if key.is_empty()
                    || key.len() > idempotency::MAX_KEY_LENGTH
                    || !key.chars().all(|c| c.is_ascii_graphic())
                {
                    return Err(Problem::bad_request(
                        "Idempotency-Key must be 1 to 255 visible ASCII characters",
                    ));
                }
                Some(key.to_owned())
            }
        };
        let method = request.method().as_str().to_owned();
        let path = request.uri().path().to_owned();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| Problem::bad_request(e.body_text()))?;
        let input = if body.iter().all(u8::is_ascii_whitespace) {
            T::default()
        } else {
            serde_json::from_slice(&body).map_err(|e| {
                Problem::bad_request(format!("the body is not the expected JSON: {e}"))
            })?
        };
        Ok(Self {
            key,
            fingerprint: idempotency::fingerprint(&method, &path, &body),
            input,
        })
    }
}

fn respond(status: StatusCode, body: Value, replayed: bool) -> Response {
    let mut response = (status, Json(body)).into_response();
    if status.is_client_error() || status.is_server_error() {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
    }
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

impl<T> Idempotent<T> {
    pub fn has_key(&self) -> bool {
        self.key.is_some()
    }

    /// Runs `work` once per key (in a savepoint of the key's transaction)
    /// or, without a key, in a transaction of its own.
    pub async fn run<F>(self, state: &ApiState, caller: &Caller, work: F) -> Answer
    where
        F: for<'c> FnOnce(&'c mut PgConnection, T) -> BoxFuture<'c, Outcome>,
    {
        let Some(key) = self.key else {
            let mut tx = state.pool.begin().await.map_err(app::core::Error::from)?;
            let (status, body) = work(&mut tx, self.input).await?;
            tx.commit().await.map_err(app::core::Error::from)?;
            return Ok(respond(status, body, false));
        };
        match idempotency::begin(&state.pool, caller.0.id, &key, &self.fingerprint).await? {
            Begun::Replay(stored) => Ok(respond(
                StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
                stored.body,
                true,
            )),
            Begun::Mismatch => Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-mismatch",
                "This Idempotency-Key was used with another request",
            )),
            Begun::Fresh(mut held) => {
                let outcome = {
                    let mut savepoint = held.tx.begin().await.map_err(app::core::Error::from)?;
                    let outcome = work(&mut savepoint, self.input).await;
                    if outcome.is_ok() {
                        savepoint.commit().await.map_err(app::core::Error::from)?;
                    } else {
                        savepoint.rollback().await.map_err(app::core::Error::from)?;
                    }
                    outcome
                };
                let (status, body) = match outcome {
                    Ok(answer) => answer,
                    // Not stored: held rolls back, the retry works again.
                    Err(problem) if problem.status().is_server_error() => return Err(problem),
                    Err(problem) => (problem.status(), problem.to_json()),
                };
                held.finish(&Stored {
                    status: status.as_u16(),
                    body: body.clone(),
                })
                .await?;
                Ok(respond(status, body, false))
            }
        }
    }
}
