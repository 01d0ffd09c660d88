//! `/admin/series/{id}/print`: a series' printable sheet, cards with the code,
//! its reward and a QR code of its prefilled redeem link, a page of cards at a
//! time; print CSS keeps only the cards (the dashboard's frame is hidden).

use leptos::prelude::*;
use leptos_fluent::{move_tr, tr};
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::series_sheet;
use super::layout::*;
use crate::components::amount_text;

#[component]
pub fn SeriesSheetPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let id = params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
        let page = query.with(|q| {
            q.get("page")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(1)
        });
        (id, page)
    };
    let sheet = Resource::new_blocking(key, |(id, page)| series_sheet(id, page));
    view! {
        <AdminPage>
        <section class="card wide sheet">
            <Suspense fallback=|| ()>
            {move || sheet.get().map(|r| match r {
                Ok(Some(s)) => {
                    let id = s.series_id;
                    let prev = (s.page > 1).then(|| format!("/admin/series/{id}/print?page={}", s.page - 1));
                    let next = s.has_next.then(|| format!("/admin/series/{id}/print?page={}", s.page + 1));
                    view! {
                        <div class="no-print">
                            <h1 id="sheet-title">{move_tr!("admin-sheet-title", {"name" => s.name.clone()})}</h1>
                            <p class="muted">{move_tr!("admin-sheet-hint")}</p>
                            <p class="pager">
                                {prev.map(|href| view! { <A href=href>{move_tr!("pager-previous")}</A> " " })}
                                {move_tr!("admin-sheet-page", {"page" => s.page})}
                                {next.map(|href| view! { " " <A href=href attr:id="sheet-next">{move_tr!("pager-next")}</A> })}
                                " · " <A href=format!("/admin/series/{id}")>{move_tr!("admin-series-back")}</A>
                            </p>
                        </div>
                        {s.cards.is_empty().then(|| view! { <p id="sheet-empty">{move_tr!("admin-sheet-empty")}</p> })}
                        <div class="sheet-cards" id="sheet-cards">
                            {s.cards.into_iter().map(|c| {
                                let amount = amount_text(c.reward, &c.currency);
                                view! {
                                    <article class="sheet-card">
                                        <div class="sheet-qr" inner_html=c.qr_svg></div>
                                        <div class="sheet-text">
                                            <p class="sheet-reward">{move || tr!("admin-sheet-reward", {"amount" => amount.clone()})}</p>
                                            <p class="sheet-code code-name">{c.code.clone()}</p>
                                            <p class="sheet-how">{move_tr!("admin-sheet-how")}</p>
                                            {c.ends_at.map(|at| view! {
                                                <p class="sheet-until">{move || tr!("my-codes-until", {"date" => crate::format::date(at.date_naive())})}</p>
                                            })}
                                        </div>
                                    </article>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any()
                }
                Ok(None) => view! { <crate::pages::NotFound/> }.into_any(),
                Err(_) => view! { <p class="result error" role="alert">{move_tr!("error-internal")}</p> }.into_any(),
            })}
            </Suspense>
        </section>
        </AdminPage>
    }
}
