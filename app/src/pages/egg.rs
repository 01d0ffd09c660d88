//! `/egg/{slug}`: a hidden link. Opening it changes nothing: it shows a
//! button (the same for every slug) or, for an egg this player found before,
//! its secret again. The button claims it with a POST, in place when hydrated
//! and as a plain form (redirected back with the outcome) without JavaScript.

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::hooks::use_params_map;

use crate::api::{load_egg, ClaimEgg, EggView};
use crate::components::{use_session, RequireSignIn};
use crate::models::{RedeemOutcome, RefusalKind};
use crate::pages::redeem::{outcome_from_address, refusal_of_error, OutcomeView};

#[component]
pub fn EggPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let view_state = Resource::new_blocking(slug, |slug| async move { load_egg(slug).await });
    let claim = ServerAction::<ClaimEgg>::new();
    // A claim changes the balance and the unread count in the header.
    session.follow(claim.version());
    let from_address = outcome_from_address();
    let outcome = move || match claim.value().get() {
        Some(Ok(outcome)) => Some(outcome),
        Some(Err(error)) => Some(RedeemOutcome::Refused(refusal_of_error(&error))),
        None => from_address.get().flatten(),
    };
    view! {
        <RequireSignIn>
            <section class="card egg">
                <Transition fallback=|| ()>
                    {move || match (outcome(), view_state.get()) {
                        (Some(outcome), _) => Some(view! { <EggOutcome outcome/> }.into_any()),
                        (None, Some(Ok(EggView::Found(granted)))) => Some(view! {
                            <h1>{move_tr!("egg-title")}</h1>
                            <OutcomeView outcome=RedeemOutcome::Granted(granted)/>
                        }.into_any()),
                        (None, Some(_)) => Some(view! {
                            <h1>{move_tr!("egg-closed-title")}</h1>
                            <p class="muted">{move_tr!("egg-closed-hint")}</p>
                            <ActionForm action=claim attr:id="egg-form">
                                <input type="hidden" name="slug" value=slug/>
                                <button type="submit" class="button" id="egg-claim" disabled=move || claim.pending().get()>
                                    {move_tr!("egg-claim")}
                                </button>
                            </ActionForm>
                        }.into_any()),
                        (None, None) => None,
                    }}
                </Transition>
            </section>
        </RequireSignIn>
    }
}

/// What a claim came to. A slug with no egg behind it is "nothing here",
/// said the same way for a disabled egg.
#[component]
fn EggOutcome(outcome: RedeemOutcome) -> impl IntoView {
    match outcome {
        RedeemOutcome::Refused(refusal) if refusal.kind == RefusalKind::Unknown => view! {
            <h1>{move_tr!("egg-empty-title")}</h1>
            <div class="result error" role="alert" id="redeem-error" data-kind="unknown">
                <p>{move_tr!("egg-empty")}</p>
            </div>
        }
        .into_any(),
        RedeemOutcome::Refused(_) => view! {
            <h1>{move_tr!("egg-closed-title")}</h1>
            <OutcomeView outcome/>
        }
        .into_any(),
        RedeemOutcome::Granted(_) => view! {
            <h1>{move_tr!("egg-title")}</h1>
            <OutcomeView outcome/>
        }
        .into_any(),
    }
}
