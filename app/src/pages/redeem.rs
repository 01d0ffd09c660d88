//! The redeem page: one field, one button. Works as a plain form (the outcome
//! comes back in the address) and, hydrated, shows the outcome in place.

use leptos::prelude::*;
use leptos_fluent::{move_tr, tr};
use leptos_router::hooks::use_query_map;

use crate::api::{activation_outcome, Redeem};
use crate::components::{use_session, Amount, RequireSignIn, Time};
use crate::models::{Granted, RedeemOutcome, RedeemQuery, Refusal, RefusalKind};

#[component]
pub fn RedeemPage() -> impl IntoView {
    let session = use_session();
    let action = ServerAction::<Redeem>::new();
    // A redeem changes the balance and the unread count in the header.
    session.follow(action.version());

    let from_address = outcome_from_address();
    let outcome = move || match action.value().get() {
        Some(Ok(outcome)) => Some(outcome),
        Some(Err(error)) => Some(RedeemOutcome::Refused(refusal_of_error(&error))),
        None => from_address.get().flatten(),
    };
    let refused = move || matches!(outcome(), Some(RedeemOutcome::Refused(_)));
    // A shared link (`/redeem?code=…`, from an e-mail, a post or a printed
    // card) fills the field; the player still presses the button (a GET
    // never redeems).
    let query = use_query_map();
    let shared = move || {
        query.with(|q| {
            q.get("code")
                .map(|c| c.trim().chars().take(100).collect::<String>())
                .unwrap_or_default()
        })
    };
    let typed = move || match outcome() {
        Some(RedeemOutcome::Refused(r)) => r.code,
        Some(RedeemOutcome::Granted(_)) => String::new(),
        None => shared(),
    };

    view! {
        <RequireSignIn>
        <section class="card redeem">
            <h1>{move_tr!("redeem-title")}</h1>
            <p class="muted">{move_tr!("redeem-hint")}</p>
            <ActionForm action=action attr:id="redeem-form" attr:class="redeem-form">
                <label for="code-input">{move_tr!("redeem-label")}</label>
                <div class="field-row">
                    <Transition fallback=|| ()>
                        <input
                            id="code-input"
                            name="code"
                            type="text"
                            required
                            maxlength="100"
                            autocomplete="off"
                            autocapitalize="characters"
                            spellcheck="false"
                            autofocus
                            value=typed
                            aria-invalid=move || refused().to_string()
                            aria-describedby="redeem-result"
                        />
                    </Transition>
                    <button type="submit" class="button" id="redeem-submit" disabled=move || action.pending().get()>
                        {move_tr!("redeem-submit")}
                    </button>
                </div>
            </ActionForm>
            <div id="redeem-result" aria-live="polite">
                <Transition fallback=|| ()>{move || outcome().map(|o| view! { <OutcomeView outcome=o/> })}</Transition>
            </div>
        </section>
        <super::ForYouPanel/>
        </RequireSignIn>
    }
}

/// After a plain form post the outcome is in the query string (see
/// `RedeemOutcome::to_query`): a granted activation by its id, or a refusal.
pub fn outcome_from_address() -> Resource<Option<RedeemOutcome>> {
    let query = use_query_map();
    Resource::new_blocking(
        move || {
            query.with(|q| {
                serde_urlencoded::from_str::<RedeemQuery>(
                    q.to_query_string().trim_start_matches('?'),
                )
                .unwrap_or_default()
            })
        },
        |q| async move {
            if let Some(id) = q.activation {
                return activation_outcome(id)
                    .await
                    .ok()
                    .flatten()
                    .map(RedeemOutcome::Granted);
            }
            q.refused.map(|kind| {
                RedeemOutcome::Refused(Refusal {
                    kind,
                    starts_at: q.starts_at,
                    until: q.until,
                    code: q.code.unwrap_or_default(),
                })
            })
        },
    )
}

/// A failed call: throttled (the router's 429 names the seconds to wait), or
/// an internal error.
pub fn refusal_of_error(error: &ServerFnError) -> Refusal {
    let retry = match error {
        ServerFnError::ServerError(message) => message
            .strip_prefix(crate::models::THROTTLED_PREFIX)
            .and_then(|secs| secs.parse::<i64>().ok()),
        _ => None,
    };
    Refusal {
        kind: if retry.is_some() {
            RefusalKind::Throttled
        } else {
            RefusalKind::Internal
        },
        starts_at: None,
        until: retry.map(|secs| chrono::Utc::now() + chrono::Duration::seconds(secs)),
        code: String::new(),
    }
}

/// A redeem's outcome: the reward with its texts, or why not.
#[component]
pub fn OutcomeView(outcome: RedeemOutcome) -> impl IntoView {
    match outcome {
        RedeemOutcome::Granted(granted) => view! { <GrantedView granted/> }.into_any(),
        RedeemOutcome::Refused(refusal) => view! { <RefusalView refusal/> }.into_any(),
    }
}

#[component]
fn GrantedView(granted: Granted) -> impl IntoView {
    let Granted {
        code,
        reward,
        currency,
        balance_after,
        description,
        secret_message,
        earlier,
        ..
    } = granted;
    view! {
        <div class="result success" role="status" id="redeem-success">
            <h2>
                {if earlier { move_tr!("redeem-earlier-title") } else { move_tr!("redeem-success-title") }}
            </h2>
            <p class="reward">
                "+" <Amount amount=reward currency=currency.clone()/>
                " · " <span class="code-name">{code}</span>
            </p>
            {(!description.is_empty()).then(|| view! { <p class="description">{description}</p> })}
            {(!secret_message.is_empty()).then(|| view! {
                <blockquote class="secret" id="secret-message">
                    <span class="secret-label">{move_tr!("redeem-secret")}</span>
                    {secret_message}
                </blockquote>
            })}
            <p class="muted">
                {move_tr!("redeem-balance")} " " <Amount amount=balance_after currency=currency/>
                " · " <a href="/wallet">{move_tr!("nav-wallet")}</a>
            </p>
        </div>
    }
}

#[component]
fn RefusalView(refusal: Refusal) -> impl IntoView {
    let kind = refusal.kind;
    let until = refusal.until;
    let message = move || match (kind, refusal.starts_at, until) {
        (RefusalKind::NotStarted, Some(at), _) => {
            tr!("redeem-error-not-started", {"starts_at" => at.format("%Y-%m-%d %H:%M UTC").to_string()})
        }
        (RefusalKind::Throttled, _, Some(until)) => {
            let seconds = (until - chrono::Utc::now()).num_seconds().max(1);
            tr!("redeem-error-throttled", {"seconds" => seconds})
        }
        (RefusalKind::LockedOut | RefusalKind::Cooldown, _, Some(until)) => {
            expect_context::<leptos_fluent::I18n>().tr_with_args(
                kind.message_id(),
                &std::collections::HashMap::from([(
                    std::borrow::Cow::Borrowed("until"),
                    until.format("%Y-%m-%d %H:%M:%S UTC").to_string().into(),
                )]),
            )
        }
        _ => expect_context::<leptos_fluent::I18n>().tr(kind.message_id()),
    };
    view! {
        <div class="result error" role="alert" id="redeem-error" data-kind=kind.as_str()>
            <p>{message}</p>
            {refusal.starts_at.map(|at| view! { <p class="muted"><Time at/></p> })}
            {until.filter(|_| kind != RefusalKind::Throttled).map(|at| view! {
                <p class="muted" id="redeem-until" data-until=at.to_rfc3339()><Time at/></p>
            })}
            {(kind == RefusalKind::UnknownPlayer).then(|| view! {
                <p><a href="/signin?next=/redeem">{move_tr!("nav-sign-in")}</a></p>
            })}
        </div>
    }
}
