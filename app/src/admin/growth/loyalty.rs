//! `/admin/loyalty`: loyalty rules (a personal code every N redeems, each
//! month for a tier, once for a tag's members) with the codes each issued
//! and how many were redeemed, and the form that adds or changes one.

use leptos::prelude::*;
use leptos_fluent::move_tr;

use crate::admin::api::{load_loyalty, SaveLoyaltyRule};
use crate::admin::layout::*;
use crate::components::Amount;
use crate::models::growth::LoyaltyRuleForm;

const RULE_KINDS: [&str; 3] = ["every_n", "monthly_tier", "tagged"];

#[component]
pub fn LoyaltyPage() -> impl IntoView {
    let session = AdminSession::get();
    let save = ServerAction::<SaveLoyaltyRule>::new();
    let page = Resource::new_blocking(move || save.version().get(), |_| load_loyalty());
    let errors = form_errors(save.value());
    let saved = just_saved(save.value());
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-loyalty-title")}</h1>
            <p class="muted">{move_tr!("admin-loyalty-intro")}</p>
            <ReadOnlyNote/>
            <Show when=move || saved.get()>
                <p class="result success" role="status" id="saved-note">{move_tr!("admin-actions-saved")}</p>
            </Show>
            <Suspense fallback=|| ()>
            {move || page.get().map(|r| r.map(|p| {
                let form = from_draft::<LoyaltyRuleForm>().unwrap_or_else(LoyaltyRuleForm::blank);
                let currencies: Vec<(String, String)> = p.currencies.iter().map(|c| (c.clone(), c.clone())).collect();
                view! {
                    {if p.rules.is_empty() {
                        view! { <p id="loyalty-empty">{move_tr!("admin-loyalty-empty")}</p> }.into_any()
                    } else {
                        view! {
                            <table class="list" id="loyalty-table">
                                <thead><tr>
                                    <th scope="col">{move_tr!("admin-field-name")}</th>
                                    <th scope="col">{move_tr!("admin-loyalty-when")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-actions-reward")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-actions-code-days")}</th>
                                    <th scope="col">{move_tr!("admin-actions-enabled")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-loyalty-issued")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-loyalty-redeemed")}</th>
                                </tr></thead>
                                <tbody>{p.rules.into_iter().map(|r| {
                                    let on = if r.enabled { "admin-webhook-enabled" } else { "admin-webhook-disabled" };
                                    let kind = format!("admin-loyalty-kind-{}", r.kind);
                                    let value = r.every_n.map(|n| n.to_string()).or(r.tier.clone()).or(r.tag.clone()).unwrap_or_default();
                                    view! {
                                        <tr id=format!("rule-{}", r.id)>
                                            <td>{r.name.clone()}</td>
                                            <td>{move || i18n.tr(&kind)} ": " <code>{value.clone()}</code></td>
                                            <td class="num"><Amount amount=r.reward currency=r.currency/></td>
                                            <td class="num">{crate::format::number(i64::from(r.code_days))}</td>
                                            <td>{move || i18n.tr(on)}</td>
                                            <td class="num">{crate::format::number(r.issued)}</td>
                                            <td class="num">{crate::format::number(r.redeemed)}</td>
                                        </tr>
                                    }
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    }}
                    <h2>{move_tr!("admin-loyalty-form-title")}</h2>
                    <ActionForm action=save attr:class="admin-form" attr:id="loyalty-form">
                        <Csrf/>
                        <FormMessage errors/>
                        <fieldset disabled=move || !session.can_write()>
                            <Field errors name="name" label="admin-field-name" value=form.name.clone() required=true/>
                            <div class="field">
                                <label for="field-kind">{move || i18n.tr("admin-loyalty-when")}</label>
                                <select id="field-kind" name="kind">
                                    {RULE_KINDS.into_iter().map(|k| {
                                        let label = format!("admin-loyalty-kind-{k}");
                                        view! { <option value=k selected=form.kind == k>{move || i18n.tr(&label)}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <Field errors name="value" label="admin-loyalty-value" value=form.value.clone() hint="admin-loyalty-value-hint" required=true/>
                            <Field errors name="reward" label="admin-actions-reward" value=form.reward.clone() kind="number" required=true/>
                            <Select errors name="currency" label="admin-actions-currency" value=form.currency.clone() options=currencies.clone()/>
                            <Field errors name="code_days" label="admin-actions-code-days" value=form.code_days.clone() kind="number"/>
                            <label class="check">
                                <input type="checkbox" name="enabled" id="field-enabled" checked=form.enabled.is_some()/>
                                " " {move || i18n.tr("admin-actions-enabled")}
                            </label>
                        </fieldset>
                        {move || session.can_write().then(|| view! {
                            <button type="submit" class="button" id="save">{move_tr!("admin-loyalty-save")}</button>
                        })}
                    </ActionForm>
                }
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}
