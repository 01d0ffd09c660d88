//! The platform API, `/api/v1`: REST handlers over the core for the host
//! platform's back end, authenticated by API keys with scopes, throttled per
//! key, idempotent on every POST and PUT, answering errors as RFC 9457
//! problems, and described by an OpenAPI 3.1 document generated from the
//! handlers' own types (utoipa), with a reference page that needs no internet.

mod caller;
mod docs;
mod fields;
mod idempotent;
mod players;
mod problem;
mod redeem;

use std::sync::Arc;

use axum::routing::{get, post, put};
use axum::Router;
use sqlx::PgPool;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use app::core::abuse::Guard;
use app::settings::Settings;

pub use problem::Problem;

/// What the API's handlers share.
#[derive(Clone)]
pub struct ApiState {
    pub pool: PgPool,
    pub guard: Guard,
    pub settings: Settings,
    /// Per API key, beside the other limits.
    pub throttle: Arc<crate::throttle::Throttle>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Promocodes platform API",
        description = "Players, redeem and validate, codes, series and statistics for the host \
                       platform's back end. Authenticate with `Authorization: Bearer <API key>`; \
                       send `Idempotency-Key` on a POST or PUT to make a retry safe. Errors are \
                       `application/problem+json` (RFC 9457).",
        version = "1.0.0"
    ),
    paths(
        players::upsert,
        players::read,
        players::sign_in_link,
        players::activations,
        redeem::redeem,
        redeem::validate,
    ),
    components(schemas(problem::ProblemDetails, problem::FieldProblem)),
    modifiers(&BearerKeys),
    tags(
        (name = "players", description = "Players by the platform's id (scope `players`)"),
        (name = "redeem", description = "Redeem and validate codes for players (scope `redeem`)"),
    )
)]
pub struct ApiDoc;

struct BearerKeys;

impl Modify for BearerKeys {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("pk_…")
                    .description(Some(
                        "An API key an admin created in the dashboard (API keys), with the \
                         scopes the operation lists",
                    ))
                    .build(),
            ),
        );
    }
}

/// The API's routes, with their state applied, to nest at `/api/v1`.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/openapi.json", get(docs::openapi))
        .route("/docs", get(docs::reference))
        .route(
            "/players/{external_id}",
            put(players::upsert).get(players::read),
        )
        .route(
            "/players/{external_id}/sign-in-link",
            post(players::sign_in_link),
        )
        .route(
            "/players/{external_id}/activations",
            get(players::activations),
        )
        .route("/players/{external_id}/redeem", post(redeem::redeem))
        .route("/players/{external_id}/validate", post(redeem::validate))
        .fallback(|| async { Problem::not_found("no such API route") })
        .with_state(state)
}

/// Deletes idempotency keys older than a day, every hour (they are kept at
/// least 24 hours).
pub fn spawn_pruning(pool: &PgPool) -> tokio::task::JoinHandle<()> {
    let pool = pool.clone();
    tokio::spawn(async move {
        while !pool.is_closed() {
            let day = std::time::Duration::from_secs(24 * 3600);
            match app::core::idempotency::prune(&pool, day).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "pruned idempotency keys older than a day"),
                Err(e) if pool.is_closed() => tracing::debug!(error = %e, "pruning stops"),
                Err(e) => tracing::warn!(error = %e, "pruning idempotency keys"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    })
}
