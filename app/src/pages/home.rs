//! The landing page: what Promocodes is and how redeeming works.

use leptos::prelude::*;
use leptos_fluent::move_tr;

#[component]
pub fn HomePage() -> impl IntoView {
    let (steps_open, set_steps_open) = signal(false);
    view! {
        <section class="hero">
            <h1>
                {move_tr!("home-title")}
                // The golden lantern: a curious player hovers the title's lamp.
                <a href="/egg/golden-lantern" rel="external" class="hidden-egg" id="egg-golden-lantern" title=move_tr!("egg-lantern-title")>
                    "🏮"
                </a>
            </h1>
            <p class="lead">{move_tr!("home-lead")}</p>
            <p><a class="button" href="/redeem" id="home-redeem">{move_tr!("home-redeem")}</a></p>
            <button
                type="button"
                class="button"
                id="how-it-works-toggle"
                aria-controls="how-it-works"
                aria-expanded=move || steps_open.get().to_string()
                on:click=move |_| set_steps_open.update(|open| *open = !*open)
            >
                {move_tr!("home-how-it-works")}
            </button>
            <ol id="how-it-works" class="steps" hidden=move || !steps_open.get()>
                <li>{move_tr!("home-step-get")}</li>
                <li>{move_tr!("home-step-enter")}</li>
                <li>{move_tr!("home-step-reward")}</li>
            </ol>
        </section>
    }
}
