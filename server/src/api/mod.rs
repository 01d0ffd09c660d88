//! The platform API, `/api/v1`: REST handlers over the core for the host
//! platform's back end, authenticated by API keys with scopes, throttled per
//! key, idempotent on every POST and PUT, answering errors as RFC 9457
//! problems, and described by an OpenAPI 3.1 document generated from the
//! handlers' own types (utoipa), with a reference page that needs no internet.

mod actions;
mod activity;
mod caller;
mod codes;
mod docs;
mod extract;
mod fields;
mod growth;
mod idempotent;
mod players;
mod problem;
mod redeem;
mod series;
mod stats;

use std::sync::Arc;

use axum::routing::{get, post};
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
        activity::record,
        redeem::redeem,
        redeem::validate,
        actions::report,
        growth::quests,
        growth::invite,
        codes::list,
        codes::create,
        codes::read,
        codes::replace,
        codes::delete,
        codes::enable,
        codes::disable,
        codes::clone,
        codes::announce,
        series::start,
        series::list,
        series::read,
        stats::overview,
        stats::code,
        stats::code_activations,
        stats::group,
        stats::campaign,
        stats::partner,
        stats::campaigns,
        stats::service,
        stats::retention,
    ),
    components(schemas(problem::ProblemDetails, problem::FieldProblem)),
    modifiers(&BearerKeys, &CommonProblems),
    tags(
        (name = "players", description = "Players by the platform's id (scope `players`)"),
        (name = "redeem", description = "Redeem and validate codes for players (scope `redeem`)"),
        (name = "codes", description = "Codes and series (scopes `codes:read`, `codes:write`)"),
        (name = "stats", description = "Statistics (scope `stats`)"),
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

/// The answers any operation may give (a request that cannot be read, no
/// key, a key without the scope, the key's throttle), added to each one.
struct CommonProblems;

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        let common = [
            ("400", "The request cannot be read"),
            ("401", "No valid API key"),
            ("403", "The key lacks the scope"),
            ("429", "Too many requests for this key (`Retry-After`)"),
        ];
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                for (status, description) in common {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(description).into());
                }
            }
        }
    }
}

/// The API's routes, with their state applied, to nest at `/api/v1`.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/openapi.json", get(docs::openapi))
        .route("/docs", get(docs::reference))
        .route(
            "/players/{external_id}",
            get(players::read).put(players::upsert),
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
        .route("/players/{external_id}/actions", post(actions::report))
        .route("/players/{external_id}/quests", get(growth::quests))
        .route("/players/{external_id}/invite", get(growth::invite))
        .route("/codes", get(codes::list).post(codes::create))
        .route(
            "/codes/{id}",
            get(codes::read).put(codes::replace).delete(codes::delete),
        )
        .route("/codes/{id}/enable", post(codes::enable))
        .route("/codes/{id}/disable", post(codes::disable))
        .route("/codes/{id}/clone", post(codes::clone))
        .route("/codes/{id}/announce", post(codes::announce))
        .route("/series", get(series::list).post(series::start))
        .route("/series/{id}", get(series::read))
        .route("/stats", get(stats::overview))
        .route("/stats/codes/{id}", get(stats::code))
        .route(
            "/stats/codes/{id}/activations",
            get(stats::code_activations),
        )
        .route("/stats/groups/{id}", get(stats::group))
        .route("/stats/campaigns", get(stats::campaigns))
        .route("/stats/campaigns/{id}", get(stats::campaign))
        .route("/stats/partners/{id}", get(stats::partner))
        .route("/stats/service", get(stats::service))
        .route("/stats/retention", get(stats::retention))
        .route("/activity", post(activity::record))
        .fallback(|| async { Problem::not_found("no such API route") })
        .with_state(state)
}

/// Deletes idempotency keys older than a day, every hour (they are kept at
/// least 24 hours).
pub fn spawn_pruning(pool: &PgPool) -> tokio::task::JoinHandle<()> {
    let pool = pool.clone();
    tokio::spawn(async move {
        let day = std::time::Duration::from_secs(24 * 3600);
        crate::wake::prune_every(
            pool.clone(),
            std::time::Duration::from_secs(3600),
            "idempotency keys",
            || app::core::idempotency::prune(&pool, day),
        )
        .await;
    })
}
