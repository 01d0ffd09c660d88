//! `/my-codes` ("Personal codes"): the codes issued to the player alone (by
//! platform actions, later referrals, quests and loyalty), those still to
//! redeem first, each with a link that fills the redeem form.

use leptos::prelude::*;
use leptos_fluent::{move_tr, tr};

use crate::api::my_codes;
use crate::components::{page_param, Amount, Pager, RequireSignIn, Time};

#[component]
pub fn MyCodesPage() -> impl IntoView {
    let page = page_param();
    let data = Resource::new_blocking(move || page.get(), my_codes);
    view! {
        <RequireSignIn>
            <section class="card">
                <h1>{move_tr!("my-codes-title")}</h1>
                <p class="muted">{move_tr!("my-codes-intro")}
                    // The copper compass: the egg hunt's story says it points to the codes that carry your name.
                    " " <a href="/egg/copper-compass" rel="external" class="hidden-egg" id="egg-copper-compass" title=move_tr!("egg-compass-title")>"🧭"</a>
                </p>
                <Suspense fallback=|| ()>
                    {move || data.get().map(|result| result.map(|p| view! {
                        {p.lines.is_empty().then(|| view! { <p class="muted" id="my-codes-empty">{move_tr!("my-codes-empty")}</p> })}
                        <table class="list" id="my-codes">
                            <thead><tr>
                                <th scope="col">{move_tr!("col-code")}</th>
                                <th scope="col">{move_tr!("col-amount")}</th>
                                <th scope="col">{move_tr!("col-when")}</th>
                                <th scope="col"></th>
                            </tr></thead>
                            <tbody>
                                {p.lines.into_iter().map(|c| {
                                    let state = c.state.clone();
                                    let label = format!("my-codes-state-{}", c.state);
                                    let link = format!(
                                        "/redeem?{}",
                                        serde_urlencoded::to_string([("code", c.code.as_str())]).unwrap_or_default()
                                    );
                                    let open = c.state == "open";
                                    let ends_at = c.ends_at;
                                    view! {
                                        <tr data-state=state>
                                            <td class="code-name">{c.code.clone()}</td>
                                            <td class="num"><Amount amount=c.reward currency=c.currency/></td>
                                            <td>
                                                <Time at=c.issued_at/>
                                                {ends_at.filter(|_| open).map(|at| view! {
                                                    <br/><span class="muted">{move || tr!("my-codes-until", {"date" => crate::format::date(at.date_naive())})}</span>
                                                })}
                                            </td>
                                            <td>{if open {
                                                view! { <a class="button" href=link>{move_tr!("my-codes-redeem")}</a> }.into_any()
                                            } else {
                                                view! { <span class="status">{move || expect_context::<leptos_fluent::I18n>().tr(&label)}</span> }.into_any()
                                            }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager path="/my-codes" page=p.page has_next=p.has_next/>
                    }))}
                </Suspense>
            </section>
        </RequireSignIn>
    }
}
