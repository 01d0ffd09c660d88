//! `/egg/{slug}`: following a hidden link claims its reward and reveals its
//! secret; an unknown slug is the ordinary 404 page.

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::hooks::use_params_map;

use crate::api::{claim_egg, EggOutcome};
use crate::components::use_session;
use crate::pages::{redeem::OutcomeView, NotFound};

#[component]
pub fn EggPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let claim = Resource::new_blocking(
        move || params.with(|p| p.get("slug").unwrap_or_default()),
        |slug| async move { claim_egg(slug).await },
    );
    // The claim may have added a notification.
    Effect::new(move |done: Option<bool>| {
        let loaded = claim.get().is_some();
        if loaded && done == Some(false) {
            session.bump();
        }
        loaded
    });
    view! {
        <Suspense fallback=|| ()>
            {move || claim.get().map(|result| match result {
                Ok(EggOutcome::Found(outcome)) => view! {
                    <section class="card egg">
                        <h1>{move_tr!("egg-title")}</h1>
                        <OutcomeView outcome/>
                    </section>
                }.into_any(),
                Ok(EggOutcome::NotFound) => view! { <NotFound/> }.into_any(),
                // Sign-in redirects land here too; the redirect does the rest.
                Err(_) => view! { <p class="muted">{move_tr!("egg-sign-in")}</p> }.into_any(),
            })}
        </Suspense>
    }
}
