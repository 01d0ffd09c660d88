//! Retention: weekly cohorts of players who first redeemed that week beside
//! players who signed up that week and redeemed nothing, each with the share
//! active in the weeks after (a table shaded by share), and each campaign's
//! redeemers before and after their first redeem in it.

use leptos::prelude::*;
use leptos_fluent::move_tr;

use super::{RangePicker, RangeQuery, StatsNav};
use crate::admin::api::load_retention_stats;
use crate::admin::layout::AdminPage;
use crate::admin::models::{Cohort, RetentionStats};
use crate::format;

#[component]
pub fn RetentionPage() -> impl IntoView {
    let query = RangeQuery::read();
    let report = Resource::new_blocking(
        move || query.args(),
        |(from, to)| load_retention_stats(from, to),
    );
    view! {
        <AdminPage>
        <section class="card wide stats-page" id="retention-stats">
            <h1>{move_tr!("stats-retention-title")}</h1>
            <StatsNav query/>
            <p class="muted">{move_tr!("stats-retention-help")}</p>
            <RangePicker query/>
            <Suspense fallback=|| ()>
            {move || report.get().map(|r| r.map(|stats| view! { <Retention stats/> }))}
            </Suspense>
        </section>
        </AdminPage>
    }
}

#[component]
fn Retention(stats: RetentionStats) -> impl IntoView {
    view! {
        <p class="muted as-of" id="retention-as-of">
            {match stats.as_of {
                Some(at) => move_tr!("stats-computed-at", {"at" => format::moment(at)}).into_any(),
                None => move_tr!("stats-not-computed").into_any(),
            }}
        </p>
        <h2>{move_tr!("stats-cohorts-redeemers")}</h2>
        <CohortTable id="cohorts-redeemers" cohorts=stats.redeemers/>
        <h2>{move_tr!("stats-cohorts-others")}</h2>
        <CohortTable id="cohorts-others" cohorts=stats.others/>
        <h2>{move_tr!("stats-impact-title")}</h2>
        <p class="muted">{move_tr!("stats-impact-help")}</p>
        <div class="table-scroll">
        <table class="list heat" id="impact-table">
            <thead><tr>
                <th scope="col">{move_tr!("stats-campaign")}</th>
                <th scope="col" class="num">{move_tr!("stats-players")}</th>
                {(-4..4).map(|k: i32| view! { <th scope="col" class="num">{move_tr!("stats-week-offset", {"k" => k})}</th> }).collect_view()}
            </tr></thead>
            <tbody>
            {stats.campaigns.iter().map(|c| view! {
                <tr data-campaign=c.campaign_id>
                    <th scope="row">{c.name.clone()}</th>
                    <td class="num">{format::number(c.players)}</td>
                    {c.active.iter().zip(&c.events).map(|(a, e)| heat_cell(*a, c.players, Some(*e))).collect_view()}
                </tr>
            }).collect_view()}
            </tbody>
        </table>
        </div>
        {stats.campaigns.is_empty().then(|| view! { <p class="muted">{move_tr!("stats-nothing")}</p> })}
    }
}

/// A share of a cohort, shaded by it; the events below it when given.
fn heat_cell(active: i64, of: i64, events: Option<i64>) -> impl IntoView {
    let level = if of == 0 {
        0
    } else {
        (active * 10 / of).clamp(0, 10)
    };
    view! {
        <td class=format!("num heat-{level}") title=format!("{} / {}", format::number(active), format::number(of))>
            {format::share(active, of)}
            {events.map(|e| view! { <small class="events">{move_tr!("stats-events", {"count" => e, "shown" => format::number(e)})}</small> })}
        </td>
    }
}

#[component]
fn CohortTable(id: &'static str, cohorts: Vec<Cohort>) -> impl IntoView {
    let today = chrono::Utc::now().date_naive();
    view! {
        <div class="table-scroll">
        <table class="list heat" id=id>
            <thead><tr>
                <th scope="col">{move_tr!("stats-cohort-week")}</th>
                <th scope="col" class="num">{move_tr!("stats-players")}</th>
                {(0..8).map(|k: i32| view! { <th scope="col" class="num">{move_tr!("stats-week-after", {"k" => k})}</th> }).collect_view()}
            </tr></thead>
            <tbody>
            {cohorts.iter().map(|c| view! {
                <tr data-week=c.week.to_string()>
                    <th scope="row">{format::date(c.week)}</th>
                    <td class="num">{format::number(c.players)}</td>
                    {c.active.iter().enumerate().map(|(k, a)| {
                        // A week still to come has no figure yet.
                        if c.week + chrono::Duration::weeks(k as i64) > today {
                            view! { <td class="num future">"—"</td> }.into_any()
                        } else {
                            heat_cell(*a, c.players, None).into_any()
                        }
                    }).collect_view()}
                </tr>
            }).collect_view()}
            </tbody>
        </table>
        </div>
        {cohorts.is_empty().then(|| view! { <p class="muted">{move_tr!("stats-nothing")}</p> })}
    }
}
