//! Codes for the platform (scopes `codes:read`, `codes:write`): the list
//! with the dashboard's filters, one code, create, replace, enable or
//! disable, clone and delete, through the same core commands (and audit
//! log, and events) as the dashboard, recorded as the API key's doing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use app::core::api_keys::Scope;
use app::core::audit::Actor;
use app::core::code_admin::{self, StoredCode};
use app::core::code_list::{self, CodeKind, CodeQuery, CodeSort};
use app::core::codes::{default_min_reward, CodeTexts, LocalizedText, NewCode};
use app::core::paging::Page;
use model::admin::{CodeRow, CodeStatus};

use super::caller::Caller;
use super::extract::{ApiPath, ApiQuery};
use super::idempotent::{Answer, Idempotent};
use super::problem::{Problem, ProblemDetails};
use super::ApiState;

/// A code's parameters: what a create or a replace sends, and what a read
/// shows beside its counters.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeParams {
    /// What players type (letters, digits, `-` and `_`; case and separators
    /// do not matter).
    pub name: String,
    /// A currency code (default `COINS`).
    #[serde(default = "coins")]
    pub currency: String,
    /// The first activation's reward.
    pub initial_reward: i64,
    /// The smallest reward of a decreasing code (default: `initial_reward`
    /// for a fixed code, 1 for a decreasing one).
    #[serde(default)]
    pub min_reward: Option<i64>,
    /// How much each activation lowers the next one's reward (0: fixed).
    #[serde(default)]
    pub decrease_step: i64,
    /// Activations in all (none: unlimited).
    #[serde(default)]
    pub activation_limit: Option<i32>,
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    /// Makes it an easter egg, redeemed by following `/egg/{slug}`.
    #[serde(default)]
    pub egg_slug: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Higher first where codes are listed to players.
    #[serde(default)]
    pub priority: i32,
    #[serde(default)]
    pub group_id: Option<i64>,
    #[serde(default)]
    pub campaign_id: Option<i64>,
    #[serde(default)]
    pub partner_id: Option<i64>,
    /// Only players of these tiers (empty: every tier).
    #[serde(default)]
    pub eligible_tiers: Vec<String>,
    /// Only players with one of these tags (empty: everyone).
    #[serde(default)]
    pub eligible_tags: Vec<String>,
    /// Only players who joined at most this many days ago.
    #[serde(default)]
    pub new_player_days: Option<i32>,
    #[serde(default)]
    pub texts: Texts,
}

fn coins() -> String {
    "COINS".to_owned()
}

fn yes() -> bool {
    true
}

/// A code's texts per language (empty: none; English is the fallback).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    #[serde(default)]
    pub en: Text,
    #[serde(default)]
    pub ru: Text,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Shown with the code where players see it.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    /// Shown to a player once they activated it.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub secret_message: String,
}

impl CodeParams {
    /// The core's command, tidied as the dashboard's form is.
    fn command(&self) -> (NewCode, CodeTexts) {
        let text = |t: &Text| LocalizedText {
            description: t.description.clone(),
            secret_message: t.secret_message.clone(),
        };
        let code = NewCode {
            name: self.name.clone(),
            currency: self.currency.clone(),
            initial_reward: self.initial_reward,
            min_reward: self
                .min_reward
                .unwrap_or(default_min_reward(self.initial_reward, self.decrease_step)),
            decrease_step: self.decrease_step,
            activation_limit: self.activation_limit,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            egg_slug: self.egg_slug.clone(),
            enabled: self.enabled,
            priority: self.priority,
            group_id: self.group_id,
            campaign_id: self.campaign_id,
            partner_id: self.partner_id,
            eligible_tiers: self.eligible_tiers.clone(),
            eligible_tags: self.eligible_tags.clone(),
            new_player_days: self.new_player_days,
        }
        .tidied();
        let texts = CodeTexts {
            en: text(&self.texts.en),
            ru: text(&self.texts.ru),
        }
        .trimmed();
        (code, texts)
    }
}

/// A code as stored, with what it has done so far.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Code {
    pub id: i64,
    pub name: String,
    pub currency: String,
    pub initial_reward: i64,
    pub min_reward: i64,
    pub decrease_step: i64,
    pub activation_limit: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub egg_slug: Option<String>,
    pub enabled: bool,
    pub priority: i32,
    pub group_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub partner_id: Option<i64>,
    pub eligible_tiers: Vec<String>,
    pub eligible_tags: Vec<String>,
    pub new_player_days: Option<i32>,
    pub texts: Texts,
    pub status: CodeStatus,
    pub activation_count: i32,
    /// What the next activation pays.
    pub current_reward: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<StoredCode> for Code {
    fn from(stored: StoredCode) -> Self {
        let (code, texts) = (stored.code, stored.texts);
        let text = |t: LocalizedText| Text {
            description: t.description,
            secret_message: t.secret_message,
        };
        Self {
            id: stored.id,
            name: code.name,
            currency: code.currency,
            initial_reward: code.initial_reward,
            min_reward: code.min_reward,
            decrease_step: code.decrease_step,
            activation_limit: code.activation_limit,
            starts_at: code.starts_at,
            ends_at: code.ends_at,
            egg_slug: code.egg_slug,
            enabled: code.enabled,
            priority: code.priority,
            group_id: code.group_id,
            campaign_id: code.campaign_id,
            partner_id: code.partner_id,
            eligible_tiers: code.eligible_tiers,
            eligible_tags: code.eligible_tags,
            new_player_days: code.new_player_days,
            texts: Texts {
                en: text(texts.en),
                ru: text(texts.ru),
            },
            status: stored.status,
            activation_count: stored.activation_count,
            current_reward: stored.current_reward,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}

/// A kind of code, as the list filters them.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodeType {
    Standard,
    Decreasing,
    Limited,
    Temporary,
    Egg,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Created,
    Priority,
    Activations,
    Name,
}

/// `asc`: smallest, oldest or A first. Default: newest and most first,
/// names A to Z.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    Desc,
    Asc,
}

#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Part of the name (case and separators do not matter).
    pub q: Option<String>,
    pub group: Option<i64>,
    pub campaign: Option<i64>,
    pub partner: Option<i64>,
    #[serde(rename = "type")]
    #[param(rename = "type", inline)]
    pub kind: Option<CodeType>,
    #[param(inline)]
    pub status: Option<CodeStatus>,
    #[param(inline)]
    pub sort: Option<SortKey>,
    #[param(inline)]
    pub order: Option<Order>,
    /// From 1.
    #[param(minimum = 1)]
    pub page: Option<i64>,
    /// 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

impl ListQuery {
    fn query(&self) -> CodeQuery {
        let sort = self.sort.unwrap_or_default();
        CodeQuery {
            search: self.q.clone().filter(|q| !q.trim().is_empty()),
            group: self.group,
            campaign: self.campaign,
            partner: self.partner,
            kind: self.kind.map(|k| match k {
                CodeType::Standard => CodeKind::Standard,
                CodeType::Decreasing => CodeKind::Decreasing,
                CodeType::Limited => CodeKind::Limited,
                CodeType::Temporary => CodeKind::Temporary,
                CodeType::Egg => CodeKind::Egg,
            }),
            status: self.status,
            sort: match sort {
                SortKey::Created => CodeSort::Created,
                SortKey::Priority => CodeSort::Priority,
                SortKey::Activations => CodeSort::Activations,
                SortKey::Name => CodeSort::Name,
            },
            // The core's names sort A to Z unless "ascending" (Z to A).
            ascending: match sort {
                SortKey::Name => matches!(self.order, Some(Order::Desc)),
                _ => matches!(self.order, Some(Order::Asc)),
            },
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CodeList {
    pub items: Vec<CodeRow>,
    /// Codes matching the filters, on every page.
    pub total: i64,
    pub page: i64,
    pub has_next: bool,
}

/// The codes matching the filters, a page at a time.
#[utoipa::path(get, path = "/api/v1/codes", tag = "codes", params(ListQuery),
    responses((status = 200, body = CodeList)),
    security(("api_key" = ["codes:read"])))]
pub async fn list(
    State(state): State<ApiState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<CodeList>, Problem> {
    caller.require(Scope::CodesRead)?;
    let size = query.per_page.unwrap_or(25);
    if !(1..=100).contains(&size) {
        return Err(Problem::bad_request("per_page must be from 1 to 100"));
    }
    let page = Page::new(query.page.unwrap_or(1), size);
    let list = code_list::list(&state.pool, &query.query(), page).await?;
    Ok(Json(CodeList {
        items: list.rows,
        total: list.total,
        page: list.page,
        has_next: list.has_next,
    }))
}

/// One code with its counters.
#[utoipa::path(get, path = "/api/v1/codes/{id}", tag = "codes",
    params(("id" = i64, Path, description = "The code's id")),
    responses(
        (status = 200, body = Code),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["codes:read"])))]
pub async fn read(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Code>, Problem> {
    caller.require(Scope::CodesRead)?;
    code_admin::stored(&state.pool, id)
        .await?
        .map(|c| Json(c.into()))
        .ok_or_else(|| Problem::not_found("no code with this id"))
}

/// The code as stored now, as the work's answer.
async fn answer(
    conn: &mut sqlx::PgConnection,
    status: StatusCode,
    id: i64,
) -> Result<(StatusCode, serde_json::Value), Problem> {
    let stored = code_admin::stored(&mut *conn, id)
        .await?
        .ok_or_else(|| Problem::not_found("no code with this id"))?;
    Ok((
        status,
        serde_json::to_value(Code::from(stored)).unwrap_or_default(),
    ))
}

/// Creates a code.
#[utoipa::path(post, path = "/api/v1/codes", tag = "codes", request_body = CodeParams,
    responses(
        (status = 201, body = Code),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["codes:write"])))]
pub async fn create(
    State(state): State<ApiState>,
    caller: Caller,
    idempotent: Idempotent<CodeParams>,
) -> Answer {
    let actor = Actor::ApiKey(caller.require(Scope::CodesWrite)?.id);
    idempotent
        .run(&state, &caller, move |conn, input| {
            Box::pin(async move {
                let (code, texts) = input.command();
                let id = code_admin::create(&mut *conn, actor, &code, &texts).await?;
                answer(conn, StatusCode::CREATED, id).await
            })
        })
        .await
}

/// Replaces every parameter and text of a code (a field left out takes its
/// default, as on create). Its counter stays; the next reward follows the
/// new schedule; a limit below the activations so far is refused.
#[utoipa::path(put, path = "/api/v1/codes/{id}", tag = "codes", request_body = CodeParams,
    params(("id" = i64, Path, description = "The code's id")),
    responses(
        (status = 200, body = Code),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["codes:write"])))]
pub async fn replace(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    idempotent: Idempotent<CodeParams>,
) -> Answer {
    let actor = Actor::ApiKey(caller.require(Scope::CodesWrite)?.id);
    idempotent
        .run(&state, &caller, move |conn, input| {
            Box::pin(async move {
                let (code, texts) = input.command();
                code_admin::update(&mut *conn, actor, id, &code, &texts).await?;
                answer(conn, StatusCode::OK, id).await
            })
        })
        .await
}

/// Turns a code on.
#[utoipa::path(post, path = "/api/v1/codes/{id}/enable", tag = "codes",
    params(("id" = i64, Path, description = "The code's id")),
    responses(
        (status = 200, body = Code),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["codes:write"])))]
pub async fn enable(
    state: State<ApiState>,
    caller: Caller,
    id: ApiPath<i64>,
    idempotent: Idempotent<Empty>,
) -> Answer {
    switch(state, caller, id, idempotent, true).await
}

/// Turns a code off: it answers as an unknown one until enabled again.
#[utoipa::path(post, path = "/api/v1/codes/{id}/disable", tag = "codes",
    params(("id" = i64, Path, description = "The code's id")),
    responses(
        (status = 200, body = Code),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["codes:write"])))]
pub async fn disable(
    state: State<ApiState>,
    caller: Caller,
    id: ApiPath<i64>,
    idempotent: Idempotent<Empty>,
) -> Answer {
    switch(state, caller, id, idempotent, false).await
}

/// No body (or `{}`).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

async fn switch(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    idempotent: Idempotent<Empty>,
    enabled: bool,
) -> Answer {
    let actor = Actor::ApiKey(caller.require(Scope::CodesWrite)?.id);
    idempotent
        .run(&state, &caller, move |conn, _| {
            Box::pin(async move {
                code_admin::set_enabled(&mut *conn, actor, id, enabled).await?;
                answer(conn, StatusCode::OK, id).await
            })
        })
        .await
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloneInput {
    /// The new code's name; every other parameter and text is copied (an
    /// easter egg's slug is not: slugs are unique).
    pub name: String,
}

/// A new code with every parameter of this one and a fresh counter.
#[utoipa::path(post, path = "/api/v1/codes/{id}/clone", tag = "codes", request_body = CloneInput,
    params(("id" = i64, Path, description = "The code to copy")),
    responses(
        (status = 201, body = Code),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["codes:write"])))]
pub async fn clone(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    idempotent: Idempotent<CloneInput>,
) -> Answer {
    let actor = Actor::ApiKey(caller.require(Scope::CodesWrite)?.id);
    idempotent
        .run(&state, &caller, move |conn, input| {
            Box::pin(async move {
                let copy = code_admin::clone(&mut *conn, actor, id, &input.name).await?;
                answer(conn, StatusCode::CREATED, copy).await
            })
        })
        .await
}

/// Deletes a code that was never activated (one that was stays in the
/// books: 409 `in-use`, disable it instead).
#[utoipa::path(delete, path = "/api/v1/codes/{id}", tag = "codes",
    params(("id" = i64, Path, description = "The code's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["codes:write"])))]
pub async fn delete(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, Problem> {
    let actor = Actor::ApiKey(caller.require(Scope::CodesWrite)?.id);
    code_admin::delete(&state.pool, actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// When an announced code reaches its players.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Announcement {
    pub code_id: i64,
    /// When the notifications go out: now, or when the code starts.
    pub announce_at: DateTime<Utc>,
}

/// Announces a code: every player it is for gets a "new code" notification
/// when it starts (now, if it has), once each, fanned out by jobs. Refused
/// (422) for a code that is off, used up or over, and for an easter egg.
#[utoipa::path(post, path = "/api/v1/codes/{id}/announce", tag = "codes",
    params(("id" = i64, Path, description = "The code's id")),
    responses(
        (status = 202, body = Announcement),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["codes:write"])))]
pub async fn announce(
    State(state): State<ApiState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    idempotent: Idempotent<Empty>,
) -> Answer {
    let actor = Actor::ApiKey(caller.require(Scope::CodesWrite)?.id);
    idempotent
        .run(&state, &caller, move |conn, _| {
            Box::pin(async move {
                let at = app::core::jobs::announce::schedule(&mut *conn, actor, id).await?;
                let body = Announcement {
                    code_id: id,
                    announce_at: at,
                };
                Ok((
                    StatusCode::ACCEPTED,
                    serde_json::to_value(body).unwrap_or_default(),
                ))
            })
        })
        .await
}
