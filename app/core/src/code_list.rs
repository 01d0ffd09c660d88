//! The dashboard's code list: which codes a query asks for (search, group,
//! campaign, partner, type, status) in which order, read a page at a time or
//! all of them for the CSV export. Built with `QueryBuilder`, every value bound.

use crate::error::Result;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::paging::Page;
use crate::PromoCodeText;
use model::admin::{CodeList, CodeRow, CodeStatus};

/// A kind of code, as the list's type filter and its rows name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    Standard,
    Decreasing,
    Limited,
    Temporary,
    Egg,
}

impl CodeKind {
    pub const ALL: [CodeKind; 5] = [
        Self::Standard,
        Self::Decreasing,
        Self::Limited,
        Self::Temporary,
        Self::Egg,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Decreasing => "decreasing",
            Self::Limited => "limited",
            Self::Temporary => "temporary",
            Self::Egg => "egg",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn condition(self) -> &'static str {
        match self {
            Self::Decreasing => "c.decrease_step > 0",
            Self::Limited => "c.activation_limit IS NOT NULL",
            Self::Temporary => "(c.starts_at IS NOT NULL OR c.ends_at IS NOT NULL)",
            Self::Egg => "c.egg_slug IS NOT NULL",
            Self::Standard => {
                "(c.decrease_step = 0 AND c.activation_limit IS NULL AND c.starts_at IS NULL \
                 AND c.ends_at IS NULL AND c.egg_slug IS NULL)"
            }
        }
    }
}

/// What the list is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CodeSort {
    #[default]
    Created,
    Priority,
    Activations,
    Name,
}

/// Which codes, in which order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeQuery {
    /// Part of the name (case and separators do not matter).
    pub search: Option<String>,
    pub group: Option<i64>,
    pub campaign: Option<i64>,
    pub partner: Option<i64>,
    pub kind: Option<CodeKind>,
    pub status: Option<CodeStatus>,
    pub sort: CodeSort,
    /// Smallest first (for names, Z to A).
    pub ascending: bool,
}

/// A code as the list and the export read it.
#[derive(sqlx::FromRow)]
pub(crate) struct ListedCode {
    pub id: i64,
    pub name: String,
    pub currency: String,
    pub initial_reward: i64,
    pub min_reward: i64,
    pub decrease_step: i64,
    pub current_reward: i64,
    pub activation_count: i32,
    pub activation_limit: Option<i32>,
    pub priority: i32,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub egg_slug: Option<String>,
    pub created_at: DateTime<Utc>,
    pub group_name: Option<String>,
    pub campaign_name: Option<String>,
    pub partner_name: Option<String>,
    pub status: String,
}

impl ListedCode {
    pub fn kinds(&self) -> Vec<CodeKind> {
        let mut kinds = Vec::new();
        if self.decrease_step > 0 {
            kinds.push(CodeKind::Decreasing);
        }
        if self.activation_limit.is_some() {
            kinds.push(CodeKind::Limited);
        }
        if self.starts_at.is_some() || self.ends_at.is_some() {
            kinds.push(CodeKind::Temporary);
        }
        if self.egg_slug.is_some() {
            kinds.push(CodeKind::Egg);
        }
        if kinds.is_empty() {
            kinds.push(CodeKind::Standard);
        }
        kinds
    }

    pub fn status(&self) -> CodeStatus {
        CodeStatus::parse(&self.status).unwrap_or(CodeStatus::Active)
    }

    fn into_row(self) -> CodeRow {
        CodeRow {
            kinds: self.kinds().iter().map(|k| k.as_str().to_owned()).collect(),
            status: self.status(),
            id: self.id,
            name: self.name,
            currency: self.currency,
            current_reward: self.current_reward,
            activation_count: self.activation_count,
            activation_limit: self.activation_limit,
            priority: self.priority,
            group: self.group_name,
            campaign: self.campaign_name,
            partner: self.partner_name,
            created_at: self.created_at,
        }
    }
}

const SELECT: &str = "SELECT c.id, c.name, c.currency, c.initial_reward, c.min_reward, \
    c.decrease_step, c.current_reward, c.activation_count, c.activation_limit, c.priority, \
    c.starts_at, c.ends_at, c.egg_slug, c.created_at, g.name AS group_name, \
    m.name AS campaign_name, p.name AS partner_name, promo_code_status(c) AS status \
    FROM promo_codes c LEFT JOIN code_groups g ON g.id = c.group_id \
    LEFT JOIN campaigns m ON m.id = c.campaign_id LEFT JOIN partners p ON p.id = c.partner_id";

/// `WHERE …` for the query, every value bound.
fn push_conditions(sql: &mut QueryBuilder<'_, Postgres>, query: &CodeQuery) {
    let mut first = true;
    let mut and = |sql: &mut QueryBuilder<'_, Postgres>| {
        sql.push(if first { " WHERE " } else { " AND " });
        first = false;
    };
    if let Some(search) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // The same folding as redemption; partial input may not parse, so
        // plain upper case then (control characters match nothing anyway).
        let folded = PromoCodeText::parse(search)
            .map(PromoCodeText::into_inner)
            .unwrap_or_else(|_| {
                search
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect::<String>()
                    .to_uppercase()
            });
        let escaped = folded
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        and(sql);
        sql.push("c.normalized LIKE ")
            .push_bind(format!("%{escaped}%"));
    }
    for (value, column) in [
        (query.group, "c.group_id = "),
        (query.campaign, "c.campaign_id = "),
        (query.partner, "c.partner_id = "),
    ] {
        if let Some(id) = value {
            and(sql);
            sql.push(column).push_bind(id);
        }
    }
    if let Some(kind) = query.kind {
        and(sql);
        sql.push(kind.condition());
    }
    if let Some(status) = query.status {
        and(sql);
        sql.push("promo_code_status(c) = ")
            .push_bind(status.as_str());
    }
}

fn push_order(sql: &mut QueryBuilder<'_, Postgres>, query: &CodeQuery) {
    let direction = if query.ascending { "ASC" } else { "DESC" };
    let order = match query.sort {
        CodeSort::Priority => format!(" ORDER BY c.priority {direction}, c.id {direction}"),
        CodeSort::Activations => {
            format!(" ORDER BY c.activation_count {direction}, c.id {direction}")
        }
        // Names read A to Z by default.
        CodeSort::Name => format!(
            " ORDER BY c.normalized {}",
            if query.ascending { "DESC" } else { "ASC" }
        ),
        CodeSort::Created => format!(" ORDER BY c.created_at {direction}, c.id {direction}"),
    };
    sql.push(order);
}

/// Every matching code, in order: the statement the export streams.
pub(crate) fn select_all(query: &CodeQuery) -> QueryBuilder<'static, Postgres> {
    let mut sql = QueryBuilder::new(SELECT);
    push_conditions(&mut sql, query);
    push_order(&mut sql, query);
    sql
}

/// One page of matching codes, with the number of them all.
pub async fn list(pool: &PgPool, query: &CodeQuery, page: Page) -> Result<CodeList> {
    let mut sql = select_all(query);
    sql.push(" LIMIT ").push_bind(page.limit());
    sql.push(" OFFSET ").push_bind(page.offset());
    let mut rows: Vec<ListedCode> = sql.build_query_as().fetch_all(pool).await?;
    let has_next = page.cut(&mut rows);
    let mut count = QueryBuilder::new("SELECT count(*) FROM promo_codes c");
    push_conditions(&mut count, query);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    Ok(CodeList {
        rows: rows.into_iter().map(ListedCode::into_row).collect(),
        total,
        page: page.number,
        has_next,
    })
}
