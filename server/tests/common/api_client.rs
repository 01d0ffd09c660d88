//! The platform API as a client calls it, on the real router: a request
//! with a key, an idempotency key and a JSON body, and its reply.

use app::core::abuse::{Guard, Policy};
use app::core::api_keys::{self, Scope};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use server::throttle::ThrottleConfig;
use sqlx::PgPool;

pub struct Api {
    pub app: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub replayed: bool,
    pub retry_after: Option<String>,
    pub body: Value,
}

impl Api {
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        idempotency: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(key) = key {
            request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        if let Some(idempotency) = idempotency {
            request = request.header("idempotency-key", idempotency);
        }
        let body = match body {
            Some(body) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(body.to_string())
            }
            None => Body::empty(),
        };
        let response = tower::ServiceExt::oneshot(self.app.clone(), request.body(body).unwrap())
            .await
            .unwrap();
        let headers = response.headers().clone();
        let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        let status = response.status();
        let content_type = header("content-type").unwrap_or_default();
        let replayed = header("idempotent-replayed").is_some();
        let retry_after = header("retry-after");
        drop(headers);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            content_type,
            replayed,
            retry_after,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }
}

pub async fn api(pool: &PgPool, limits: ThrottleConfig) -> Api {
    Api {
        app: super::app_with(pool, Guard::new(Policy::default()), limits).await,
    }
}

pub async fn key(pool: &PgPool, scopes: &[Scope]) -> String {
    api_keys::create(pool, None, "test", scopes)
        .await
        .unwrap()
        .1
}

pub fn problem_type(reply: &Reply) -> &str {
    assert_eq!(
        reply.content_type, "application/problem+json",
        "{:?}",
        reply.body
    );
    reply.body["type"].as_str().unwrap_or_default()
}
