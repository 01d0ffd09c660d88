//! Pieces shared by the pages: the session context, header and footer,
//! amounts with their currency, times, and pagination links.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::{current_player, SignOut};
use crate::models::{FormError, PlayerSummary};

/// The session as every page sees it. `refresh` is bumped by any action that
/// changes what the header shows (sign-in, redeem, reading notifications).
#[derive(Clone, Copy)]
pub struct Session {
    pub player: Resource<Option<PlayerSummary>>,
    pub refresh: RwSignal<u32>,
    pub sign_out: ServerAction<SignOut>,
}

impl Session {
    pub fn provide() -> Self {
        let refresh = RwSignal::new(0u32);
        let sign_out = ServerAction::<SignOut>::new();
        let player = Resource::new_blocking(
            move || (refresh.get(), sign_out.version().get()),
            |_| async { current_player().await.ok().flatten() },
        );
        let session = Self {
            player,
            refresh,
            sign_out,
        };
        provide_context(session);
        session
    }

    pub fn bump(&self) {
        self.refresh.update(|n| *n += 1);
    }

    /// Refreshes the header each time an action completes (its version moves).
    pub fn follow(self, version: RwSignal<usize>) {
        Effect::new(move |seen: Option<usize>| {
            let v = version.get();
            if seen.is_some_and(|s| s != v) {
                self.bump();
            }
            v
        });
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// English / Русский: plain links (they work without JavaScript) that come back here.
#[component]
pub fn LanguageLinks() -> impl IntoView {
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    let lang_link = move |lang: &'static str| {
        format!(
            "/lang/{lang}?{}",
            serde_urlencoded::to_string([("next", here())]).unwrap_or_default()
        )
    };
    view! {
        <span class="languages" role="group" aria-label=move_tr!("nav-language")>
            <a href=move || lang_link("en") rel="external" hreflang="en" lang="en" id="lang-en">"English"</a>
            <a href=move || lang_link("ru") rel="external" hreflang="ru" lang="ru" id="lang-ru">"Русский"</a>
        </span>
    }
}

/// The player's header; the dashboard (under `/admin`) has its own.
#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let in_admin = move || {
        let path = location.pathname.get();
        path.starts_with("/admin") && path != "/admin/signin"
    };
    view! {
        <header class="site-header" class:hidden=in_admin>
            <nav class="nav" aria-label=move_tr!("nav-label")>
                <A href="/" attr:class="brand">{move_tr!("app-name")}</A>
                <A href="/redeem">{move_tr!("nav-redeem")}</A>
                <Transition fallback=|| ()>
                    {move || session.player.get().map(|player| match player {
                        Some(player) => view! {
                            <A href="/wallet">{move_tr!("nav-wallet")}</A>
                            <A href="/activations">{move_tr!("nav-activations")}</A>
                            <A href="/my-codes" attr:id="nav-my-codes">{move_tr!("nav-my-codes")}</A>
                            <A href="/quests" attr:id="nav-quests">{move_tr!("nav-quests")}</A>
                            <A href="/invite" attr:id="nav-invite">{move_tr!("nav-invite")}</A>
                            <A href="/notifications" attr:id="nav-notifications">
                                {move_tr!("nav-notifications")}
                                <span class="badge" id="unread-count" aria-label=move_tr!("nav-unread", {"count" => player.unread})>
                                    {player.unread}
                                </span>
                            </A>
                            <A href="/account" attr:class="who" attr:id="signed-in-as">{player.username.clone()}</A>
                            <ActionForm action=session.sign_out attr:class="inline">
                                <button type="submit" class="link-button" id="sign-out">{move_tr!("nav-sign-out")}</button>
                            </ActionForm>
                        }.into_any(),
                        None => view! {
                            <A href="/signin" attr:id="nav-sign-in">{move_tr!("nav-sign-in")}</A>
                            <A href="/signup" attr:id="nav-sign-up">{move_tr!("nav-sign-up")}</A>
                        }.into_any(),
                    })}
                </Transition>
                <LanguageLinks/>
            </nav>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>{move_tr!("footer-text")}</p>
            // The silver key: the golden lantern's secret says it hides where the footer ends.
            <a href="/egg/silver-key" rel="external" class="hidden-egg" id="egg-silver-key" title=move_tr!("egg-key-title")>
                "⚷"
            </a>
        </footer>
    }
}

/// "100 coins" / "100 монет", plural-aware.
pub fn amount_text(amount: i64, currency: &str) -> String {
    crate::format::amount(amount, currency)
}

#[component]
pub fn Amount(amount: i64, currency: String) -> impl IntoView {
    view! { <span class="amount">{move || amount_text(amount, &currency)}</span> }
}

/// A timestamp shown in UTC, in a machine-readable `<time>`.
#[component]
pub fn Time(at: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=at.to_rfc3339()>{at.format("%Y-%m-%d %H:%M UTC").to_string()}</time> }
}

/// Previous/next links for a paginated list at `path`.
#[component]
pub fn Pager(path: &'static str, page: i64, has_next: bool) -> impl IntoView {
    view! {
        <nav class="pager" aria-label=move_tr!("pager-label")>
            {(page > 1).then(|| view! { <A href=format!("{path}?page={}", page - 1) attr:rel="prev">{move_tr!("pager-previous")}</A> })}
            <span>{move_tr!("pager-page", {"page" => page})}</span>
            {has_next.then(|| view! { <A href=format!("{path}?page={}", page + 1) attr:rel="next">{move_tr!("pager-next")}</A> })}
        </nav>
    }
}

/// The error of a sign-in style form: the action's, else the one a plain post
/// put in the address (only message ids starting with one of `prefixes`:
/// anything else a link carries is ignored).
pub fn form_error(
    result: Option<Result<Option<FormError>, ServerFnError>>,
    prefixes: &'static [&'static str],
) -> Option<FormError> {
    match result {
        Some(Ok(error)) => error,
        Some(Err(_)) => Some(FormError::new("error-internal")),
        None => {
            let query = leptos_router::hooks::use_query_map().get_untracked();
            let id = query
                .get("error")
                .filter(|id| prefixes.iter().any(|p| id.starts_with(p)))?;
            let seconds = query.get("seconds").and_then(|s| s.parse::<i64>().ok());
            Some(FormError {
                id,
                seconds: seconds.map(|s| s.clamp(1, 86_400)),
            })
        }
    }
}

/// A form's error message, in the reader's language.
#[component]
pub fn FormErrorView(
    error: impl Fn() -> Option<FormError> + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    move || {
        error().map(|error| {
            let text = match error.seconds {
                Some(seconds) => i18n.tr_with_args(
                    &error.id,
                    &std::collections::HashMap::from([(
                        std::borrow::Cow::Borrowed("seconds"),
                        seconds.into(),
                    )]),
                ),
                None => i18n.tr(&error.id),
            };
            view! { <p class="result error" role="alert" id="form-error">{text}</p> }
        })
    }
}

/// The `page` query parameter, at least 1.
pub fn page_param() -> Memo<i64> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse().ok())
                .map_or(1, crate::models::page_number)
        })
    })
}

/// Shows `children` to a signed-in player; anyone else goes to sign in and
/// comes back here afterwards.
#[component]
pub fn RequireSignIn(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    // Only a change of who is signed in re-renders the page, not an unread count.
    let signed_in = Memo::new(move |_| session.player.get().map(|p| p.is_some()));
    let sign_in_target = move || {
        let search = location.search.get_untracked();
        let here = if search.is_empty() {
            location.pathname.get_untracked()
        } else {
            format!("{}?{search}", location.pathname.get_untracked())
        };
        crate::navigation::sign_in_path(&here)
    };
    view! {
        <Suspense fallback=|| ()>
            {move || match signed_in.get() {
                Some(true) => Some(children().into_any()),
                // The server redirects signed-out visitors before rendering
                // (the router's `require_player`); in the browser the session may
                // lag a sign-in that just happened, so offer the link.
                Some(false) => Some(view! {
                    <p class="card"><a href=sign_in_target() id="sign-in-prompt">{move_tr!("nav-sign-in")}</a></p>
                }.into_any()),
                None => None,
            }}
        </Suspense>
    }
}
