//! `/admin/referrals`: the referral program's settings, its figures (friends
//! who joined and redeemed, each side's rewards, top referrers) and the
//! referrals held for review, each accepted or rejected with one button.

use leptos::prelude::*;
use leptos_fluent::move_tr;

use crate::admin::api::{load_referrals, ReviewReferral, SaveReferralProgram};
use crate::admin::layout::*;
use crate::components::{Amount, Time};
use crate::models::growth::{Earned, ReferralProgramForm};

#[component]
pub fn ReferralsPage() -> impl IntoView {
    let session = AdminSession::get();
    let save = ServerAction::<SaveReferralProgram>::new();
    let review = ServerAction::<ReviewReferral>::new();
    let page = Resource::new_blocking(
        move || (save.version().get(), review.version().get()),
        |_| load_referrals(),
    );
    let errors = form_errors(save.value());
    let saved = just_saved(save.value());
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-referrals-title")}</h1>
            <p class="muted">{move_tr!("admin-referrals-intro")}</p>
            <ReadOnlyNote/>
            <Show when=move || saved.get()>
                <p class="result success" role="status" id="saved-note">{move_tr!("admin-actions-saved")}</p>
            </Show>
            <Suspense fallback=|| ()>
            {move || page.get().map(|r| r.map(|p| {
                let form = from_draft::<ReferralProgramForm>().unwrap_or(p.form.clone());
                let report = p.report.clone();
                let currencies: Vec<(String, String)> = p.currencies.iter().map(|c| (c.clone(), c.clone())).collect();
                view! {
                    <dl class="figures" id="referral-figures">
                        <Figure id="ref-inviters" label="admin-referrals-inviters" value=report.inviters/>
                        <Figure id="ref-joined" label="admin-referrals-joined" value=report.joined/>
                        <Figure id="ref-converted" label="admin-referrals-converted" value=report.converted/>
                        <Figure id="ref-held" label="admin-referrals-held" value=report.held/>
                        <Figure id="ref-rejected" label="admin-referrals-rejected" value=report.rejected/>
                        <Figure id="ref-capped" label="admin-referrals-capped" value=report.capped/>
                        <div><dt>{move_tr!("admin-referrals-referee-rewards")}</dt><dd id="ref-referee-rewards"><Sums sums=report.referee_rewards.clone()/></dd></div>
                        <div><dt>{move_tr!("admin-referrals-referrer-rewards")}</dt><dd id="ref-referrer-rewards"><Sums sums=report.referrer_rewards.clone()/></dd></div>
                    </dl>
                    <h2>{move_tr!("admin-referrals-top")}</h2>
                    {if report.top.is_empty() {
                        view! { <p class="muted" id="top-empty">{move_tr!("admin-referrals-none")}</p> }.into_any()
                    } else {
                        view! {
                            <table class="list" id="top-referrers">
                                <thead><tr>
                                    <th scope="col">{move_tr!("admin-referrals-referrer")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-referrals-joined")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-referrals-converted")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-referrals-paid")}</th>
                                </tr></thead>
                                <tbody>{report.top.into_iter().map(|t| view! {
                                    <tr>
                                        <td>{t.username}</td>
                                        <td class="num">{crate::format::number(t.joined)}</td>
                                        <td class="num">{crate::format::number(t.converted)}</td>
                                        <td class="num">{crate::format::number(t.paid)}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    }}
                    <h2>{move_tr!("admin-referrals-review")}</h2>
                    {if report.held_list.is_empty() {
                        view! { <p class="muted" id="held-empty">{move_tr!("admin-referrals-none-held")}</p> }.into_any()
                    } else {
                        view! {
                            <table class="list" id="held-referrals">
                                <thead><tr>
                                    <th scope="col">{move_tr!("admin-referrals-friend")}</th>
                                    <th scope="col">{move_tr!("admin-referrals-referrer")}</th>
                                    <th scope="col">{move_tr!("admin-referrals-address")}</th>
                                    <th scope="col">{move_tr!("col-when")}</th>
                                    <th scope="col"></th>
                                </tr></thead>
                                <tbody>{report.held_list.into_iter().map(|h| view! {
                                    <tr id=format!("held-{}", h.referee_id)>
                                        <td>{h.referee}</td>
                                        <td>{h.referrer}</td>
                                        <td><code>{h.address.unwrap_or_default()}</code></td>
                                        <td><Time at=h.created_at/></td>
                                        <td>{move || session.can_write().then(|| view! {
                                            {["accept", "reject"].into_iter().map(|decision| {
                                                let label = format!("admin-referrals-{decision}");
                                                view! {
                                                    <ActionForm action=review attr:class="inline">
                                                        <Csrf/>
                                                        <input type="hidden" name="referee_id" value=h.referee_id.to_string()/>
                                                        <input type="hidden" name="decision" value=decision/>
                                                        <button type="submit" class="button secondary" data-decision=decision>{move || i18n.tr(&label)}</button>
                                                    </ActionForm>
                                                }
                                            }).collect_view()}
                                        })}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    }}
                    <h2>{move_tr!("admin-referrals-program")}</h2>
                    <ActionForm action=save attr:class="admin-form" attr:id="referral-form">
                        <Csrf/>
                        <FormMessage errors/>
                        <fieldset disabled=move || !session.can_write()>
                            <label class="check">
                                <input type="checkbox" name="enabled" id="field-enabled" checked=form.enabled.is_some()/>
                                " " {move || i18n.tr("admin-referrals-enabled")}
                            </label>
                            <Field errors name="referee_reward" label="admin-referrals-referee-reward" value=form.referee_reward.clone() kind="number" required=true/>
                            <Select errors name="referee_currency" label="admin-referrals-referee-currency" value=form.referee_currency.clone() options=currencies.clone()/>
                            <Field errors name="referrer_reward" label="admin-referrals-referrer-reward" value=form.referrer_reward.clone() kind="number" required=true/>
                            <Select errors name="referrer_currency" label="admin-referrals-referrer-currency" value=form.referrer_currency.clone() options=currencies.clone()/>
                            <div class="field">
                                <label for="field-pay_referrer_on">{move || i18n.tr("admin-referrals-pay-on")}</label>
                                <select id="field-pay_referrer_on" name="pay_referrer_on">
                                    {["first_redeem", "sign_up"].into_iter().map(|v| {
                                        let label = format!("admin-referrals-pay-{v}");
                                        view! { <option value=v selected=form.pay_referrer_on == v>{move || i18n.tr(&label)}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <Field errors name="cap" label="admin-referrals-cap" value=form.cap.clone() kind="number" hint="admin-referrals-cap-hint"/>
                            <Field errors name="cap_days" label="admin-referrals-cap-days" value=form.cap_days.clone() kind="number" required=true/>
                            <Field errors name="review_threshold" label="admin-referrals-threshold" value=form.review_threshold.clone() kind="number" hint="admin-referrals-threshold-hint" required=true/>
                        </fieldset>
                        {move || session.can_write().then(|| view! {
                            <button type="submit" class="button" id="save">{move_tr!("admin-referrals-save")}</button>
                        })}
                    </ActionForm>
                }
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
fn Figure(id: &'static str, label: &'static str, value: i64) -> impl IntoView {
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! { <div><dt>{move || i18n.tr(label)}</dt><dd id=id>{crate::format::number(value)}</dd></div> }
}

/// Amounts per currency, or 0.
#[component]
pub fn Sums(sums: Vec<Earned>) -> impl IntoView {
    if sums.is_empty() {
        return view! { <span>"0"</span> }.into_any();
    }
    sums.into_iter()
        .map(
            |e| view! { <span class="earned"><Amount amount=e.amount currency=e.currency/></span> },
        )
        .collect_view()
        .into_any()
}
