//! `/admin/quests`: every quest with its steps and how many players completed
//! it, and the form that adds one or changes it (the same slug again).

use leptos::prelude::*;
use leptos_fluent::move_tr;

use crate::admin::api::{load_quests, SaveQuest};
use crate::admin::layout::*;
use crate::components::Amount;
use crate::models::growth::{QuestForm, QUEST_FORM_STEPS};

const STEP_KINDS: [&str; 5] = ["code", "group", "campaign", "codes", "eggs"];
/// Each step's fields that carry errors.
const STEP_FIELDS: [(&str, &str); QUEST_FORM_STEPS] = [
    ("step1_kind", "step1_target"),
    ("step2_kind", "step2_target"),
    ("step3_kind", "step3_target"),
];

#[component]
pub fn QuestsAdminPage() -> impl IntoView {
    let session = AdminSession::get();
    let save = ServerAction::<SaveQuest>::new();
    let page = Resource::new_blocking(move || save.version().get(), |_| load_quests());
    let errors = form_errors(save.value());
    let saved = just_saved(save.value());
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-quests-title")}</h1>
            <p class="muted">{move_tr!("admin-quests-intro")}</p>
            <ReadOnlyNote/>
            <Show when=move || saved.get()>
                <p class="result success" role="status" id="saved-note">{move_tr!("admin-actions-saved")}</p>
            </Show>
            <Suspense fallback=|| ()>
            {move || page.get().map(|r| r.map(|p| {
                let form = from_draft::<QuestForm>().unwrap_or_else(QuestForm::blank);
                let currencies: Vec<(String, String)> = p.currencies.iter().map(|c| (c.clone(), c.clone())).collect();
                view! {
                    {if p.quests.is_empty() {
                        view! { <p id="quests-empty">{move_tr!("admin-quests-empty")}</p> }.into_any()
                    } else {
                        view! {
                            <table class="list" id="quests-table">
                                <thead><tr>
                                    <th scope="col">{move_tr!("admin-quests-quest")}</th>
                                    <th scope="col">{move_tr!("admin-quests-steps")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-actions-reward")}</th>
                                    <th scope="col">{move_tr!("admin-actions-enabled")}</th>
                                    <th scope="col" class="num">{move_tr!("admin-quests-completions")}</th>
                                </tr></thead>
                                <tbody>{p.quests.into_iter().map(|q| {
                                    let on = if q.enabled { "admin-webhook-enabled" } else { "admin-webhook-disabled" };
                                    view! {
                                        <tr id=format!("quest-{}", q.slug)>
                                            <td>{q.title.clone()}<br/><code class="muted">{q.slug.clone()}</code></td>
                                            <td><ol class="compact">{q.steps.into_iter().map(|s| {
                                                let kind = format!("admin-quests-kind-{}", s.kind);
                                                view! { <li>{move || i18n.tr(&kind)} {s.subject.map(|x| format!(": {x}"))} " × " {s.target}</li> }
                                            }).collect_view()}</ol></td>
                                            <td class="num"><Amount amount=q.reward currency=q.currency/></td>
                                            <td>{move || i18n.tr(on)}</td>
                                            <td class="num">{crate::format::number(q.completions)}</td>
                                        </tr>
                                    }
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    }}
                    <h2>{move_tr!("admin-quests-form-title")}</h2>
                    <ActionForm action=save attr:class="admin-form" attr:id="quest-form">
                        <Csrf/>
                        <FormMessage errors/>
                        <fieldset disabled=move || !session.can_write()>
                            <Field errors name="slug" label="admin-quests-slug" value=form.slug.clone() required=true/>
                            <Field errors name="title_en" label="admin-quests-title-en" value=form.title_en.clone() required=true/>
                            <TextArea errors name="story_en" label="admin-quests-story-en" value=form.story_en.clone()/>
                            <Field errors name="title_ru" label="admin-quests-title-ru" value=form.title_ru.clone()/>
                            <TextArea errors name="story_ru" label="admin-quests-story-ru" value=form.story_ru.clone()/>
                            <Field errors name="reward" label="admin-actions-reward" value=form.reward.clone() kind="number" required=true/>
                            <Select errors name="currency" label="admin-actions-currency" value=form.currency.clone() options=currencies.clone()/>
                            <Field errors name="starts_at" label="admin-field-starts" value=form.starts_at.clone() kind="datetime-local"/>
                            <Field errors name="ends_at" label="admin-field-ends" value=form.ends_at.clone() kind="datetime-local"/>
                            <label class="check">
                                <input type="checkbox" name="enabled" id="field-enabled" checked=form.enabled.is_some()/>
                                " " {move || i18n.tr("admin-actions-enabled")}
                            </label>
                            <p class="muted full-row">{move_tr!("admin-quests-steps-hint")}</p>
                            {(1..=QUEST_FORM_STEPS).map(|n| {
                                let (kind, subject, target) = form.step(n);
                                let (kind, subject, target) = (kind.to_owned(), subject.to_owned(), target.to_owned());
                                let (kind_field, target_field) = STEP_FIELDS[n - 1];
                                view! {
                                    <fieldset class="quest-step-fields">
                                        <legend>{move_tr!("admin-quests-step", {"n" => n})}</legend>
                                        <div class="field">
                                            <label for=format!("field-step{n}_kind")>{move || i18n.tr("admin-quests-kind")}</label>
                                            <select id=format!("field-step{n}_kind") name=format!("step{n}_kind")>
                                                <option value="">{move || i18n.tr("admin-none")}</option>
                                                {STEP_KINDS.into_iter().map(|k| {
                                                    let label = format!("admin-quests-kind-{k}");
                                                    view! { <option value=k selected=kind == k>{move || i18n.tr(&label)}</option> }
                                                }).collect_view()}
                                            </select>
                                            <FieldMessage errors field=kind_field/>
                                        </div>
                                        <div class="field">
                                            <label for=format!("field-step{n}_subject")>{move || i18n.tr("admin-quests-subject")}</label>
                                            <input id=format!("field-step{n}_subject") name=format!("step{n}_subject") value=subject/>
                                        </div>
                                        <div class="field">
                                            <label for=format!("field-step{n}_target")>{move || i18n.tr("admin-quests-target")}</label>
                                            <input id=format!("field-step{n}_target") name=format!("step{n}_target") type="number" min="1" value=target/>
                                            <FieldMessage errors field=target_field/>
                                        </div>
                                    </fieldset>
                                }
                            }).collect_view()}
                        </fieldset>
                        {move || session.can_write().then(|| view! {
                            <button type="submit" class="button" id="save">{move_tr!("admin-quests-save")}</button>
                        })}
                    </ActionForm>
                }
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}
