//! The statistics pages: the whole service, campaigns side by side,
//! retention, a code, and a group, campaign or partner. Each reads its date
//! range from the address (`from`, `to`), so a report is a link, and the
//! range picker is a GET form that works without JavaScript.

mod code;
mod retention;
mod scope;
mod service;

pub use code::CodeStatsPage;
pub use retention::RetentionPage;
pub use scope::ScopeStatsPage;
pub use service::{CampaignStatsPage, ServiceStatsPage};

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_fluent::move_tr;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_location, use_query_map};

use crate::admin::models::{DateRange, Money, RangeError};
use crate::format;

/// The range the address asks for (the default one when it asks for
/// nonsense), and why it was refused.
#[derive(Clone, Copy)]
pub struct RangeQuery {
    pub range: Memo<DateRange>,
    pub error: Memo<Option<RangeError>>,
}

impl RangeQuery {
    pub fn read() -> Self {
        let query = use_query_map();
        let parsed = Memo::new(move |_| {
            query.with(|q| {
                DateRange::parse(
                    &q.get("from").unwrap_or_default(),
                    &q.get("to").unwrap_or_default(),
                    Utc::now().date_naive(),
                )
            })
        });
        Self {
            range: Memo::new(move |_| {
                parsed.get().unwrap_or_else(|_| {
                    DateRange::last(DateRange::DEFAULT_DAYS, Utc::now().date_naive())
                })
            }),
            error: Memo::new(move |_| parsed.get().err()),
        }
    }

    /// `(from, to)` as the server functions take them.
    pub fn args(&self) -> (String, String) {
        let r = self.range.get();
        (r.from.to_string(), r.to.to_string())
    }
}

/// The range form: two dates and a button, and links to common ranges.
#[component]
pub fn RangePicker(query: RangeQuery) -> impl IntoView {
    let path = use_location().pathname;
    let today = Utc::now().date_naive();
    let preset = move |days: i64| {
        let range = DateRange::last(days, today);
        format!("{}?{}", path.get(), range.query())
    };
    view! {
        <div class="range">
            <Form method="GET" action=move || path.get() attr:class="range-form" attr:id="range-form">
                <label for="range-from">{move_tr!("stats-from")}</label>
                <input type="date" id="range-from" name="from" required
                    value=move || query.range.get().from.to_string()/>
                <label for="range-to">{move_tr!("stats-to")}</label>
                <input type="date" id="range-to" name="to" required
                    value=move || query.range.get().to.to_string()/>
                <button type="submit" class="button secondary" id="range-submit">{move_tr!("stats-show")}</button>
            </Form>
            <nav class="chips" aria-label=move_tr!("stats-presets")>
                {[(1, "stats-preset-today"), (7, "stats-preset-7"), (30, "stats-preset-30"), (90, "stats-preset-90"), (365, "stats-preset-365")]
                    .into_iter().map(|(days, label)| {
                        let i18n = expect_context::<leptos_fluent::I18n>();
                        view! { <A href=move || preset(days) attr:class="chip">{move || i18n.tr(label)}</A> }
                    }).collect_view()}
            </nav>
            {move || query.error.get().map(|e| {
                let i18n = expect_context::<leptos_fluent::I18n>();
                view! { <p class="result error" role="alert" id="range-error">{i18n.tr(e.message_id())}</p> }
            })}
        </div>
    }
}

/// "Figures as of …": how fresh the rollups are.
#[component]
pub fn AsOf(at: DateTime<Utc>) -> impl IntoView {
    view! {
        <p class="muted as-of">
            {move_tr!("stats-as-of", {"at" => format::moment(at)})}
        </p>
    }
}

/// One figure with its label.
#[component]
pub fn Tile(
    #[prop(into)] value: String,
    label: Signal<String>,
    #[prop(optional)] id: &'static str,
) -> impl IntoView {
    view! {
        <div class="stat">
            <span class="stat-value" id=(!id.is_empty()).then_some(id)>{value}</span>
            <span>{move || label.get()}</span>
        </div>
    }
}

/// Amounts per currency, one a line ("1,200 coins").
pub fn money_text(money: &[Money]) -> String {
    if money.is_empty() {
        return format::number(0);
    }
    money
        .iter()
        .map(|m| format::amount(m.amount, &m.currency))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The translated names of statistics keys (`stats-key-<key>`).
pub fn key_labels(keys: &[String]) -> Vec<String> {
    let i18n = expect_context::<leptos_fluent::I18n>();
    keys.iter()
        .map(|k| i18n.tr(&format!("stats-key-{k}")))
        .collect()
}

/// Links between the service-wide reports, keeping the range.
#[component]
pub fn StatsNav(query: RangeQuery) -> impl IntoView {
    let link = move |path: &'static str| format!("{path}?{}", query.range.get().query());
    view! {
        <nav class="chips stats-nav" aria-label=move_tr!("stats-reports")>
            <A href=move || link("/admin/stats") attr:class="chip" attr:id="stats-nav-service">{move_tr!("stats-service-title")}</A>
            <A href=move || link("/admin/stats/campaigns") attr:class="chip" attr:id="stats-nav-campaigns">{move_tr!("stats-campaigns-title")}</A>
            <A href=move || link("/admin/stats/retention") attr:class="chip" attr:id="stats-nav-retention">{move_tr!("stats-retention-title")}</A>
        </nav>
    }
}
