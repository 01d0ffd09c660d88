//! Blocks of code input (abuse protection): who, why, until when, and a way
//! to lift one. Blocks and lifts are in the audit log.

use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{list_blocks, LiftBlock};
use super::layout::*;
use super::models::BlockLine;
use crate::components::Time;

#[component]
pub fn BlocksPage() -> impl IntoView {
    let session = AdminSession::get();
    let query = use_query_map();
    let recent = Memo::new(move |_| query.with(|q| q.get("recent").is_some_and(|v| v == "1")));
    let lift = ServerAction::<LiftBlock>::new();
    let blocks = Resource::new_blocking(
        move || (recent.get(), lift.version().get()),
        |(recent, _)| list_blocks(recent),
    );
    // What the last lift came to: from the action, or (no JavaScript) the address.
    let lifted = move || match lift.value().get() {
        Some(Ok(done)) => Some(done),
        Some(Err(_)) => Some(false),
        None => query.with(|q| q.get("lifted").map(|v| v == "1")),
    };
    let i18n = expect_context::<leptos_fluent::I18n>();
    view! {
        <AdminPage>
        <section class="card wide">
            <h1>{move_tr!("admin-blocks-title")}</h1>
            <p class="muted">{move_tr!("admin-blocks-help")}</p>
            <ReadOnlyNote/>
            {move || lifted().map(|done| view! {
                <p class=if done { "result success" } else { "result error" } role="status" id="lift-result">
                    {if done { move_tr!("admin-blocks-lifted") } else { move_tr!("admin-blocks-not-lifted") }}
                </p>
            })}
            <nav class="chips">
                <A href="/admin/blocks" attr:class="chip" attr:id="blocks-active">{move_tr!("admin-blocks-show-active")}</A>
                <A href="/admin/blocks?recent=1" attr:class="chip" attr:id="blocks-recent">{move_tr!("admin-blocks-show-recent")}</A>
            </nav>
            <Suspense fallback=|| ()>
            {move || blocks.get().map(|r| r.map(|lines| {
                if lines.is_empty() {
                    return view! { <p id="blocks-empty">{move_tr!("admin-blocks-none")}</p> }.into_any();
                }
                view! {
                    <table class="list" id="blocks-table">
                        <thead><tr>
                            <th scope="col">{move_tr!("admin-block-who")}</th>
                            <th scope="col">{move_tr!("admin-block-why")}</th>
                            <th scope="col">{move_tr!("admin-block-since")}</th>
                            <th scope="col">{move_tr!("admin-block-until")}</th>
                            <th scope="col">{move_tr!("admin-block-status")}</th>
                        </tr></thead>
                        <tbody>
                        {lines.into_iter().map(|b| view! { <BlockRow block=b lift i18n session/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
fn BlockRow(
    block: BlockLine,
    lift: ServerAction<LiftBlock>,
    i18n: leptos_fluent::I18n,
    session: AdminSession,
) -> impl IntoView {
    let BlockLine {
        id,
        scope,
        subject,
        username,
        reason,
        strike,
        failures,
        created_at,
        until,
        lifted_at,
        lifted_by,
        active,
    } = block;
    let who = match scope.as_str() {
        "player" => format!("{} (#{subject})", username.unwrap_or_default()),
        "ip" => subject.clone(),
        _ => String::new(),
    };
    let scope_id = format!("admin-block-scope-{scope}");
    let reason_id = format!("admin-block-reason-{reason}");
    view! {
        <tr data-scope=scope.clone() data-subject=subject.clone() data-active=active.to_string() id=format!("block-{id}")>
            <td>
                <span class="chip">{move || i18n.tr(&scope_id)}</span> " " {who}
            </td>
            <td>
                {move || i18n.tr_with_args(&reason_id, &std::collections::HashMap::from([
                    (std::borrow::Cow::Borrowed("failures"), failures.into()),
                ]))}
                {(strike > 1).then(|| view! { " · " {move_tr!("admin-block-strike", {"strike" => strike})} })}
            </td>
            <td><Time at=created_at/></td>
            <td><Time at=until/></td>
            <td>
                {match (active, lifted_at) {
                    (true, _) => view! {
                        <span class="status" data-status="active">{move_tr!("admin-block-active")}</span>
                        <Suspense fallback=|| ()>
                        {move || session.can_write().then(|| view! {
                            <ActionForm action=lift attr:class="inline">
                                <input type="hidden" name="csrf" value=session.csrf()/>
                                <input type="hidden" name="id" value=id/>
                                <button type="submit" class="button secondary small" id=format!("lift-{id}")>
                                    {move_tr!("admin-block-lift")}
                                </button>
                            </ActionForm>
                        })}
                        </Suspense>
                    }.into_any(),
                    (false, Some(at)) => {
                        let by = lifted_by.clone().unwrap_or_default();
                        view! {
                            <span class="status" data-status="lifted">{move_tr!("admin-block-lifted-by", {"admin" => by.clone()})}</span>
                            " " <Time at/>
                        }.into_any()
                    }
                    (false, None) => view! { <span class="status" data-status="ended">{move_tr!("admin-block-ended")}</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}
