//! Rewards for platform actions: each action key the platform reports
//! (`POST /api/v1/players/{id}/actions`) with what it gives, once per player
//! or per report, and the form that adds or changes one (the same key
//! again changes it).

use leptos::prelude::*;
use leptos_fluent::move_tr;

use super::api::{load_action_rewards, SaveActionReward};
use super::layout::*;
use super::models::*;
use crate::components::Amount;

#[component]
pub fn ActionRewardsPage() -> impl IntoView {
    let session = AdminSession::get();
    let save = ServerAction::<SaveActionReward>::new();
    let page = Resource::new_blocking(move || save.version().get(), |_| load_action_rewards());
    let errors = form_errors(save.value());
    let saved = just_saved(save.value());
    let pending = Memo::new(move |_| save.pending().get());
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-actions-title")}</h1>
            <p class="muted">{move_tr!("admin-actions-intro")}</p>
            <ReadOnlyNote/>
            <Show when=move || saved.get()>
                <p class="result success" role="status" id="saved-note">{move_tr!("admin-actions-saved")}</p>
            </Show>
            <Suspense fallback=|| ()>
            {move || page.get().map(|r| r.map(|p| {
                let current = from_draft::<ActionRewardForm>().unwrap_or_else(ActionRewardForm::blank);
                let currencies = p.currencies.clone();
                view! {
                    {if p.rewards.is_empty() {
                        view! { <p id="actions-empty">{move_tr!("admin-actions-empty")}</p> }.into_any()
                    } else {
                        view! {
                            <table class="list" id="actions-table">
                                <thead><tr>
                                    <th scope="col">{move_tr!("admin-actions-action")}</th>
                                    <th scope="col">{move_tr!("admin-actions-gives")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-actions-reward")}</th>
                                    <th scope="col">{move_tr!("admin-actions-once")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-actions-code-days")}</th>
                                    <th scope="col">{move_tr!("admin-actions-enabled")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-actions-rewarded")}</th>
                                </tr></thead>
                                <tbody>
                                {p.rewards.into_iter().map(|r| {
                                    let gives = format!("admin-actions-gives-{}", r.gives);
                                    let once = if r.once { "admin-actions-once-yes" } else { "admin-actions-once-no" };
                                    let status = if r.enabled { "active" } else { "disabled" };
                                    let on = if r.enabled { "admin-webhook-enabled" } else { "admin-webhook-disabled" };
                                    view! {
                                        <tr id=format!("action-{}", r.action) data-enabled=r.enabled.to_string()>
                                            <td><code>{r.action.clone()}</code></td>
                                            <td>{move || i18n.tr(&gives)}</td>
                                            <td class="num"><Amount amount=r.reward currency=r.currency/></td>
                                            <td>{move || i18n.tr(once)}</td>
                                            <td class="num">{(r.gives == "code").then(|| crate::format::number(i64::from(r.code_days)))}</td>
                                            <td><span class="status" data-status=status>{move || i18n.tr(on)}</span></td>
                                            <td class="num">{crate::format::number(r.rewarded)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                    <h2>{move_tr!("admin-actions-form-title")}</h2>
                    <ActionForm action=save attr:class="admin-form" attr:id="action-form">
                        <Csrf/>
                        <FormMessage errors/>
                        <fieldset disabled=move || !session.can_write()>
                            <Field errors name="action" label="admin-actions-action" value=current.action.clone() required=true/>
                            <div class="field">
                                <label for="field-gives">{move || i18n.tr("admin-actions-gives")}</label>
                                <select id="field-gives" name="gives">
                                    {["grant", "code"].into_iter().map(|g| {
                                        let label = format!("admin-actions-gives-{g}");
                                        view! { <option value=g selected=current.gives == g>{move || i18n.tr(&label)}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <Field errors name="reward" label="admin-actions-reward" value=current.reward.clone() kind="number" required=true/>
                            <Select errors name="currency" label="admin-actions-currency" value=current.currency.clone()
                                options=currencies.iter().map(|c| (c.clone(), c.clone())).collect()/>
                            <label class="check">
                                <input type="checkbox" name="once" id="field-once" checked=current.once.is_some()/>
                                " " {move || i18n.tr("admin-actions-once")}
                            </label>
                            <Field errors name="code_days" label="admin-actions-code-days" value=current.code_days.clone() kind="number"/>
                            <label class="check">
                                <input type="checkbox" name="enabled" id="field-enabled" checked=current.enabled.is_some()/>
                                " " {move || i18n.tr("admin-actions-enabled")}
                            </label>
                        </fieldset>
                        {move || session.can_write().then(|| view! {
                            <button type="submit" class="button" id="save" disabled=move || pending.get()>{move_tr!("admin-actions-save")}</button>
                        })}
                    </ActionForm>
                }
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}
