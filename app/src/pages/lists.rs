//! The player's wallet (balances and ledger), inbox and activations: each a
//! paginated list loaded by a server function.

use leptos::prelude::*;
use leptos_fluent::{move_tr, tr};

use crate::api::{load_wallet, my_activations, notifications, MarkRead};
use crate::components::{page_param, use_session, Amount, Pager, RequireSignIn, Time};

#[component]
pub fn WalletPage() -> impl IntoView {
    let page = page_param();
    let data = Resource::new_blocking(move || page.get(), load_wallet);
    view! {
        <RequireSignIn>
            <section class="card">
                <h1>{move_tr!("wallet-title")}</h1>
                <Suspense fallback=|| ()>
                    {move || data.get().map(|result| result.map(|w| view! {
                        <h2>{move_tr!("wallet-balances")}</h2>
                        {if w.balances.is_empty() {
                            view! { <p class="muted" id="wallet-empty">{move_tr!("wallet-empty")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="balances" id="balances">
                                    {w.balances.into_iter().map(|b| {
                                        let currency = b.currency.clone();
                                        view! { <li data-currency=currency><Amount amount=b.amount currency=b.currency/></li> }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <h2>{move_tr!("wallet-history")}</h2>
                        <table class="list" id="ledger">
                            <thead><tr>
                                <th scope="col">{move_tr!("col-when")}</th>
                                <th scope="col">{move_tr!("col-source")}</th>
                                <th scope="col">{move_tr!("col-amount")}</th>
                                <th scope="col">{move_tr!("col-balance")}</th>
                            </tr></thead>
                            <tbody>
                                {w.history.lines.into_iter().map(|l| {
                                    let source = l.code.clone();
                                    view! {
                                        <tr>
                                            <td><Time at=l.at/></td>
                                            <td>{move || match &source {
                                                Some(code) => tr!("source-promo", {"code" => code.clone()}),
                                                None => tr!("source-adjustment"),
                                            }}</td>
                                            <td class="num">"+"<Amount amount=l.amount currency=l.currency.clone()/></td>
                                            <td class="num"><Amount amount=l.balance_after currency=l.currency/></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager path="/wallet" page=w.history.page has_next=w.history.has_next/>
                    }))}
                </Suspense>
            </section>
        </RequireSignIn>
    }
}

#[component]
pub fn ActivationsPage() -> impl IntoView {
    let page = page_param();
    let data = Resource::new_blocking(move || page.get(), my_activations);
    view! {
        <RequireSignIn>
            <section class="card">
                <h1>{move_tr!("activations-title")}</h1>
                <Suspense fallback=|| ()>
                    {move || data.get().map(|result| result.map(|p| view! {
                        {p.lines.is_empty().then(|| view! { <p class="muted">{move_tr!("activations-empty")}</p> })}
                        <table class="list" id="activations">
                            <thead><tr>
                                <th scope="col">{move_tr!("col-when")}</th>
                                <th scope="col">{move_tr!("col-code")}</th>
                                <th scope="col">{move_tr!("col-amount")}</th>
                                <th scope="col">{move_tr!("col-channel")}</th>
                            </tr></thead>
                            <tbody>
                                {p.lines.into_iter().map(|a| {
                                    let channel = format!("channel-{}", a.channel);
                                    view! {
                                        <tr>
                                            <td><Time at=a.at/></td>
                                            <td class="code-name">{a.code}</td>
                                            <td class="num"><Amount amount=a.reward currency=a.currency/></td>
                                            <td>{move || expect_context::<leptos_fluent::I18n>().tr(&channel)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager path="/activations" page=p.page has_next=p.has_next/>
                    }))}
                </Suspense>
            </section>
        </RequireSignIn>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let session = use_session();
    let page = page_param();
    let mark = ServerAction::<MarkRead>::new();
    let data = Resource::new_blocking(
        move || (page.get(), mark.version().get()),
        |(page, _)| notifications(page),
    );
    session.follow(mark.version());
    view! {
        <RequireSignIn>
            <section class="card">
                <h1>{move_tr!("notifications-title")}</h1>
                <ActionForm action=mark attr:class="inline">
                    <button type="submit" class="button secondary" id="mark-all-read">{move_tr!("notifications-mark-all")}</button>
                </ActionForm>
                <Suspense fallback=|| ()>
                    {move || data.get().map(|result| result.map(|p| view! {
                        {p.lines.is_empty().then(|| view! { <p class="muted">{move_tr!("notifications-empty")}</p> })}
                        <ul class="inbox" id="inbox">
                            {p.lines.into_iter().map(|n| {
                                let (code, currency, reward) = (n.code.clone(), n.currency.clone(), n.reward);
                                let kind = n.kind.clone();
                                view! {
                                    <li class:unread=!n.read>
                                        <p>{move || {
                                            // A new code announced, or a reward received.
                                            let amount = crate::components::amount_text(reward, &currency);
                                            if kind == "new_code" {
                                                tr!("notification-new-code", {"code" => code.clone(), "amount" => amount})
                                            } else if kind == "code_issued" {
                                                tr!("notification-code-issued", {"code" => code.clone(), "amount" => amount})
                                            } else if kind == "quest_completed" {
                                                tr!("notification-quest-completed", {"quest" => code.clone(), "amount" => amount})
                                            } else if kind == "referral_rewarded" {
                                                tr!("notification-referral-rewarded", {"friend" => code.clone(), "amount" => amount})
                                            } else {
                                                tr!("notification-activation", {"code" => code.clone(), "amount" => amount})
                                            }
                                        }}</p>
                                        <p class="muted"><Time at=n.at/></p>
                                        {(!n.read).then(|| view! {
                                            <ActionForm action=mark attr:class="inline">
                                                <input type="hidden" name="id" value=n.id.to_string()/>
                                                <button type="submit" class="link-button">{move_tr!("notifications-mark-one")}</button>
                                            </ActionForm>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <Pager path="/notifications" page=p.page has_next=p.has_next/>
                    }))}
                </Suspense>
            </section>
        </RequireSignIn>
    }
}
