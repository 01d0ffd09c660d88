//! Personal codes: a code bound to one player, issued by a rule (an action
//! the platform reported; later referrals, quests, loyalty) once per source,
//! and the player's list of them ("Personal codes"). To anyone but its owner a
//! personal code does not exist: the lookups answer "unknown" and the
//! claim's eligibility (`promo_player_eligible`) refuses them on every path.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::json;
use sqlx::PgConnection;

use crate::code_text::PromoCodeText;
use crate::error::{Error, Result};
use crate::events::{self, Topic};
use crate::paging::Page;
use model::admin::SAFE_ALPHABET;
use model::{PersonalCodeLine, PersonalCodePage, PAGE_SIZE};

/// What to issue: a one-time code of `reward` `currency` for `owner`,
/// redeemable until `ends_at`, by the source `issued_for` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub owner: i64,
    pub reward: i64,
    pub currency: String,
    pub ends_at: DateTime<Utc>,
    /// Unique per source, e.g. `action:first_purchase:42`.
    pub issued_for: String,
    /// Tell the player (a code they redeem themselves), or not (a grant
    /// redeemed for them at once, which tells them itself).
    pub notify: bool,
}

/// An issued code, new or issued before by the same source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub code_id: i64,
    pub name: String,
    pub ends_at: DateTime<Utc>,
    /// False when the source had issued it already.
    pub fresh: bool,
}

/// Random characters of a personal code's name (25^12: about 56 bits).
const NAME_CHARS: usize = 12;

/// `XXXX-XXXX-XXXX` over the unambiguous alphabet of series.
fn random_name() -> String {
    let alphabet = SAFE_ALPHABET.as_bytes();
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..NAME_CHARS)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Issues the code in the caller's transaction, exactly once per
/// `issued_for`: a second call (a retry, a racing duplicate, which waits
/// for the first to commit) answers the code issued first. Writes
/// `code.issued` and, when asked, the player's notification.
pub async fn issue(conn: &mut PgConnection, issue: &Issue) -> Result<Issued> {
    // A name colliding with an existing code (about 1 in 10^16) draws again.
    for _ in 0..3 {
        let name = random_name();
        let normalized = PromoCodeText::parse(&name)?;
        let row = sqlx::query!(
            r#"INSERT INTO promo_codes (name, normalized, currency, initial_reward, current_reward,
                                        min_reward, activation_limit, ends_at, owner_id, issued_for)
               VALUES ($1, $2, $3, $4, $4, $4, 1, $5, $6, $7)
               ON CONFLICT DO NOTHING
               RETURNING id"#,
            name,
            normalized.as_str(),
            issue.currency,
            issue.reward,
            issue.ends_at as _,
            issue.owner,
            issue.issued_for,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = row {
            events::publish(
                conn,
                Topic::CodeIssued,
                json!({
                    "code_id": row.id,
                    "name": name,
                    "player_id": issue.owner,
                    "reward": issue.reward,
                    "currency": issue.currency,
                    "ends_at": issue.ends_at,
                    "issued_for": issue.issued_for,
                }),
            )
            .await?;
            if issue.notify {
                sqlx::query!(
                    "INSERT INTO notifications (player_id, kind, params) VALUES ($1, 'code_issued', $2)",
                    issue.owner,
                    json!({"code_id": row.id, "code": name, "reward": issue.reward,
                           "currency": issue.currency, "ends_at": issue.ends_at}),
                )
                .execute(&mut *conn)
                .await?;
            }
            return Ok(Issued {
                code_id: row.id,
                name,
                ends_at: issue.ends_at,
                fresh: true,
            });
        }
        let earlier = sqlx::query!(
            r#"SELECT id, name, ends_at AS "ends_at!: DateTime<Utc>" FROM promo_codes
                WHERE issued_for = $1"#,
            issue.issued_for
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(code) = earlier {
            return Ok(Issued {
                code_id: code.id,
                name: code.name,
                ends_at: code.ends_at,
                fresh: false,
            });
        }
    }
    Err(Error::Broken(
        "could not draw a free personal code name".into(),
    ))
}

/// A reward paid at once: the code `issue` names, issued (once per source)
/// and redeemed for its owner through the activation core in the caller's
/// transaction. `None` when the source had been paid before.
pub async fn grant(
    conn: &mut PgConnection,
    issue: &Issue,
) -> Result<Option<(Issued, crate::Activation)>> {
    let issued = self::issue(conn, issue).await?;
    if !issued.fresh {
        return Ok(None);
    }
    let request = crate::ActivationRequest {
        player_id: issue.owner,
        code: crate::CodeRef::Text(PromoCodeText::parse(&issued.name)?),
        channel: crate::Channel::Job,
    };
    let activation = crate::activate(conn, &request).await?;
    Ok(Some((issued, activation)))
}

/// When a code issued now for `days` days stops.
pub fn ends_in(days: i32) -> DateTime<Utc> {
    Utc::now() + Duration::days(i64::from(days))
}

/// The player's own codes, those still to redeem first, then newest first.
pub async fn owned(pool: &sqlx::PgPool, player_id: i64, page: i64) -> Result<PersonalCodePage> {
    let page = Page::new(page, PAGE_SIZE);
    let lines = sqlx::query_as!(
        PersonalCodeLine,
        r#"
        SELECT c.name AS code, c.initial_reward AS reward, c.currency,
               c.created_at AS "issued_at: DateTime<Utc>", c.ends_at AS "ends_at: DateTime<Utc>",
               CASE WHEN c.activation_count > 0 THEN 'redeemed'
                    WHEN c.ends_at <= now() OR NOT c.enabled THEN 'expired'
                    ELSE 'open' END AS "state!"
          FROM promo_codes c
         WHERE c.owner_id = $1
         ORDER BY (c.activation_count = 0 AND c.enabled AND (c.ends_at IS NULL OR c.ends_at > now())) DESC,
                  c.created_at DESC, c.id DESC
         LIMIT $2 OFFSET $3
        "#,
        player_id,
        page.limit(),
        page.offset()
    )
    .fetch_all(pool)
    .await?;
    Ok(page.rows(lines))
}
