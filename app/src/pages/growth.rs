//! The player's growth pages: `/invite` (their invite link, the friends it
//! brought and what they earned), `/r/{code}` (an invite's landing page,
//! which carries the invite to sign-up) and `/quests` (quests with a
//! progress bar per step and the reward).

use leptos::prelude::*;
use leptos_fluent::{move_tr, tr};
use leptos_router::hooks::use_params_map;

use crate::api::{attention, invite, my_invite, my_quests};
use crate::components::{amount_text, use_session, Amount, RequireSignIn, Time};
use crate::models::growth::{QuestView, ReferralOffer};

/// "Your friend gets 100 coins; you get 50 coins when they redeem a code."
fn offer_text(offer: &ReferralOffer) -> String {
    let friend = amount_text(offer.referee_reward, &offer.referee_currency);
    let you = amount_text(offer.referrer_reward, &offer.referrer_currency);
    if offer.pay_referrer_on == "sign_up" {
        tr!("invite-offer-sign-up", {"friend" => friend, "you" => you})
    } else {
        tr!("invite-offer-first-redeem", {"friend" => friend, "you" => you})
    }
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| my_invite());
    view! {
        <RequireSignIn>
            <section class="card narrow">
                <h1>{move_tr!("invite-title")}</h1>
                <Suspense fallback=|| ()>
                    {move || data.get().map(|result| result.map(|s| {
                        let path = format!("/r/{}", s.code);
                        let offer = s.offer.clone();
                        view! {
                            {match offer {
                                Some(offer) => view! { <p id="invite-offer">{move || offer_text(&offer)}</p> }.into_any(),
                                None => view! { <p class="muted" id="invite-off">{move_tr!("invite-program-off")}</p> }.into_any(),
                            }}
                            <p>{move_tr!("invite-share")}</p>
                            <p class="invite-link">
                                <a id="invite-link" href=path.clone()>{path.clone()}</a>
                            </p>
                            <p class="muted">{move_tr!("invite-code")} " " <code id="invite-code">{s.code.clone()}</code></p>
                            <dl class="figures" id="invite-figures">
                                <div><dt>{move_tr!("invite-joined")}</dt><dd id="invite-joined">{crate::format::number(s.joined)}</dd></div>
                                <div><dt>{move_tr!("invite-converted")}</dt><dd id="invite-converted">{crate::format::number(s.converted)}</dd></div>
                                {(s.held > 0).then(|| view! {
                                    <div><dt>{move_tr!("invite-held")}</dt><dd id="invite-held">{crate::format::number(s.held)}</dd></div>
                                })}
                                <div><dt>{move_tr!("invite-earned")}</dt><dd id="invite-earned">
                                    {if s.earned.is_empty() {
                                        view! { <span>"0"</span> }.into_any()
                                    } else {
                                        s.earned.into_iter().map(|e| view! {
                                            <span class="earned"><Amount amount=e.amount currency=e.currency/></span>
                                        }).collect_view().into_any()
                                    }}
                                </dd></div>
                            </dl>
                        }
                    }))}
                </Suspense>
            </section>
        </RequireSignIn>
    }
}

/// `/r/{code}`: who invites and what the friend gets, and the way to sign
/// up with the invite (a plain link: it works without JavaScript).
#[component]
pub fn InviteLandingPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let data = Resource::new_blocking(code, invite);
    let session = use_session();
    view! {
        <section class="card narrow" id="invite-landing">
            <Suspense fallback=|| ()>
                {move || data.get().map(|result| match result {
                    Ok(Some(landing)) => {
                        let signup = format!(
                            "/signup?{}",
                            serde_urlencoded::to_string([("invite", landing.code.as_str()), ("next", "/redeem")])
                                .unwrap_or_default()
                        );
                        let inviter = landing.inviter.clone();
                        let offer = landing.offer.clone();
                        let signed_in = session.player.get().flatten().is_some();
                        view! {
                            <h1>{move || tr!("invite-landing-title", {"name" => inviter.clone()})}</h1>
                            {offer.map(|offer| {
                                let friend = amount_text(offer.referee_reward, &offer.referee_currency);
                                view! { <p id="invite-landing-offer">{move || tr!("invite-landing-offer", {"amount" => friend.clone()})}</p> }
                            })}
                            {if signed_in {
                                view! { <p class="result" id="invite-new-only">{move_tr!("invite-new-players-only")}</p> }.into_any()
                            } else {
                                view! { <a class="button" id="invite-sign-up" href=signup>{move_tr!("invite-landing-sign-up")}</a> }.into_any()
                            }}
                        }.into_any()
                    }
                    _ => view! {
                        <h1>{move_tr!("invite-unknown-title")}</h1>
                        <p id="invite-unknown">{move_tr!("invite-unknown")}</p>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn QuestsPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| my_quests());
    view! {
        <RequireSignIn>
            <section class="card">
                <h1>{move_tr!("quests-title")}</h1>
                <Suspense fallback=|| ()>
                    {move || data.get().map(|result| result.map(|list| view! {
                        {list.is_empty().then(|| view! { <p class="muted" id="quests-empty">{move_tr!("quests-empty")}</p> })}
                        <div class="quests" id="quests">
                            {list.into_iter().map(|q| view! { <QuestCard quest=q/> }).collect_view()}
                        </div>
                    }))}
                </Suspense>
            </section>
        </RequireSignIn>
    }
}

#[component]
fn QuestCard(quest: QuestView) -> impl IntoView {
    let done = quest.completed_at.is_some();
    let state = if done { "completed" } else { "open" };
    view! {
        <article class="quest" id=format!("quest-{}", quest.slug) data-state=state>
            <h2>{quest.title.clone()}</h2>
            {(!quest.story.is_empty()).then(|| view! { <p class="quest-story">{quest.story.clone()}</p> })}
            <ol class="quest-steps">
                {quest.steps.into_iter().map(|s| {
                    let label = step_label(&s.kind, s.subject.clone(), s.target);
                    let percent = (i64::from(s.done) * 100 / i64::from(s.target.max(1))).clamp(0, 100);
                    let step_done = s.done >= s.target;
                    view! {
                        <li class="quest-step" data-done=step_done.to_string()>
                            <span class="quest-step-label">{label}</span>
                            <progress max=s.target.to_string() value=s.done.to_string()
                                aria-label=move || tr!("quests-progress", {"done" => s.done, "target" => s.target})>
                                {format!("{percent}%")}
                            </progress>
                            <span class="quest-count">{format!("{} / {}", s.done, s.target)}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <p class="quest-reward">
                {move_tr!("quests-reward")} " " <Amount amount=quest.reward currency=quest.currency.clone()/>
            </p>
            {quest.completed_at.map(|at| view! {
                <p class="result success quest-done">{move_tr!("quests-completed")} " " <Time at=at/></p>
            })}
        </article>
    }
}

/// What a step asks, in the page's language.
fn step_label(kind: &str, subject: Option<String>, target: i32) -> impl IntoView + use<> {
    let kind = kind.to_owned();
    let subject = subject.unwrap_or_default();
    move || match kind.as_str() {
        "code" => tr!("quests-step-code", {"code" => subject.clone()}),
        "group" => tr!("quests-step-group", {"name" => subject.clone(), "count" => target}),
        "campaign" => tr!("quests-step-campaign", {"name" => subject.clone(), "count" => target}),
        "eggs" => tr!("quests-step-eggs", {"count" => target}),
        _ => tr!("quests-step-codes", {"count" => target}),
    }
}

/// "For you" beside the redeem form: announced codes, then the player's own
/// codes, then quests part-way done; each a link (a code's fills the form).
#[component]
pub fn ForYouPanel() -> impl IntoView {
    let items = Resource::new_blocking(|| (), |_| attention());
    view! {
        <Suspense fallback=|| ()>
            {move || items.get().and_then(Result::ok).filter(|i| !i.is_empty()).map(|items| view! {
                <section class="for-you" id="for-you" aria-labelledby="for-you-title">
                    <h2 id="for-you-title">{move_tr!("for-you-title")}</h2>
                    <ul>
                        {items.into_iter().map(|item| {
                            let amount = amount_text(item.reward, &item.currency);
                            let subject = item.subject.clone();
                            let (done, target) = (item.done, item.target);
                            let href = if item.kind == "quest" {
                                "/quests".to_owned()
                            } else {
                                format!("/redeem?{}", serde_urlencoded::to_string([("code", item.subject.as_str())]).unwrap_or_default())
                            };
                            let kind = item.kind.clone();
                            let line = move || match kind.as_str() {
                                "quest" => tr!("for-you-quest", {"quest" => subject.clone(), "done" => done, "target" => target, "amount" => amount.clone()}),
                                "personal" => tr!("for-you-personal", {"code" => subject.clone(), "amount" => amount.clone()}),
                                _ => tr!("for-you-announced", {"code" => subject.clone(), "amount" => amount.clone()}),
                            };
                            view! {
                                <li data-kind=item.kind.clone()><a href=href>{line}</a></li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })}
        </Suspense>
    }
}
