//! Loyalty rules: personal codes for steady activity (one every N redeems,
//! from the activation feed), for a tier each month (VIP) and once for the
//! members of a tagged program (both from a periodic sweep). Each code's
//! source names the rule, the player and the occasion, so it is issued once
//! however often the feed or the sweep runs.

use chrono::Utc;
use serde_json::json;
use sqlx::{Acquire, PgConnection, PgPool, Postgres};

use crate::error::{Error, Problem, Result};
use crate::personal::{self, Issue};
use model::growth::LoyaltyRuleLine;

/// What a rule rewards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// Every N redeems of a player (rewards paid by jobs do not count).
    EveryN(i32),
    /// Each calendar month (UTC), every player of the tier.
    MonthlyTier(String),
    /// Once, every player with the tag.
    Tagged(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    pub kind: RuleKind,
    pub reward: i64,
    pub currency: String,
    pub code_days: i32,
    pub enabled: bool,
}

impl Rule {
    fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            problems.push(Problem::NameRequired);
        } else if name.chars().count() > 80 || !crate::code_text::is_plain_text(name, false) {
            problems.push(Problem::NameChars);
        }
        let value_ok = match &self.kind {
            RuleKind::EveryN(n) => (1..=100_000).contains(n),
            RuleKind::MonthlyTier(v) | RuleKind::Tagged(v) => {
                (1..=32).contains(&v.chars().count()) && crate::code_text::is_plain_text(v, false)
            }
        };
        if !value_ok {
            problems.push(Problem::RuleValue);
        }
        if self.reward < 1 {
            problems.push(Problem::Reward(
                crate::reward::RewardScheduleError::InitialNotPositive,
            ));
        } else if self.reward > crate::actions::MAX_REWARD {
            problems.push(Problem::RewardTooLarge);
        }
        if self.code_days < 1 {
            problems.push(Problem::DaysNotPositive);
        } else if self.code_days > 3660 {
            problems.push(Problem::TooManyDays);
        }
        problems
    }
}

/// Creates a rule, or changes the one with its name. Audited.
pub async fn save<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    actor: crate::audit::Actor,
    rule: &Rule,
) -> Result<i64> {
    let problems = rule.problems();
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut tx = db.begin().await?;
    crate::catalog::require_currency(&mut tx, &rule.currency).await?;
    let (kind, every_n, tier, tag) = match &rule.kind {
        RuleKind::EveryN(n) => ("every_n", Some(*n), None, None),
        RuleKind::MonthlyTier(t) => ("monthly_tier", None, Some(t.trim()), None),
        RuleKind::Tagged(t) => ("tagged", None, None, Some(t.trim())),
    };
    let id = sqlx::query_scalar!(
        "INSERT INTO loyalty_rules (name, kind, every_n, tier, tag, reward, currency, code_days, enabled)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (name) DO UPDATE
            SET kind = EXCLUDED.kind, every_n = EXCLUDED.every_n, tier = EXCLUDED.tier, tag = EXCLUDED.tag,
                reward = EXCLUDED.reward, currency = EXCLUDED.currency, code_days = EXCLUDED.code_days,
                enabled = EXCLUDED.enabled, updated_at = now()
         RETURNING id",
        rule.name.trim(),
        kind,
        every_n,
        tier,
        tag,
        rule.reward,
        rule.currency,
        rule.code_days,
        rule.enabled
    )
    .fetch_one(&mut *tx)
    .await?;
    let after = json!({"name": rule.name.trim(), "kind": kind, "every_n": every_n, "tier": tier,
                       "tag": tag, "reward": rule.reward, "currency": rule.currency,
                       "code_days": rule.code_days, "enabled": rule.enabled});
    crate::audit::record(
        &mut tx,
        actor,
        "save",
        crate::audit::Entity::LoyaltyRule,
        Some(id),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Every rule with the codes it issued and how many of them were redeemed.
pub async fn list(pool: &PgPool) -> Result<Vec<LoyaltyRuleLine>> {
    Ok(sqlx::query_as!(
        LoyaltyRuleLine,
        r#"SELECT r.id, r.name, r.kind, r.every_n, r.tier, r.tag, r.reward, r.currency, r.code_days,
                  r.enabled, count(c.id) AS "issued!",
                  count(c.id) FILTER (WHERE c.activation_count > 0) AS "redeemed!"
             FROM loyalty_rules r
             LEFT JOIN promo_codes c ON c.issued_for LIKE 'loyalty:' || r.id || ':%'
            GROUP BY r.id ORDER BY r.name"#
    )
    .fetch_all(pool)
    .await?)
}

/// Issues the every-N codes players reached with activations `(from, to]`,
/// in the activation feed's transaction.
pub async fn every_n(conn: &mut PgConnection, from: i64, to: i64) -> Result<u64> {
    // No such rule (the usual case): no counting.
    let any = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM loyalty_rules WHERE enabled AND kind = 'every_n') AS "any!""#
    )
    .fetch_one(&mut *conn)
    .await?;
    if !any {
        return Ok(0);
    }
    let reached = sqlx::query!(
        r#"WITH players AS (
               SELECT DISTINCT player_id FROM activations
                WHERE id > $1 AND id <= $2 AND channel <> 'job'
           ), counts AS (
               SELECT a.player_id, count(*) FILTER (WHERE a.id <= $1) AS before, count(*) AS after
                 FROM activations a JOIN players p ON p.player_id = a.player_id
                WHERE a.id <= $2 AND a.channel <> 'job'
                GROUP BY a.player_id
           )
           SELECT r.id AS rule_id, r.reward, r.currency, r.code_days, n.player_id,
                  k * r.every_n AS "count!"
             FROM loyalty_rules r
             CROSS JOIN counts n
             CROSS JOIN LATERAL generate_series(n.before / r.every_n + 1, n.after / r.every_n) AS k
            WHERE r.enabled AND r.kind = 'every_n'"#,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut issued = 0;
    for r in reached {
        let issue = Issue {
            owner: r.player_id,
            reward: r.reward,
            currency: r.currency,
            ends_at: personal::ends_in(r.code_days),
            issued_for: format!("loyalty:{}:{}:{}", r.rule_id, r.player_id, r.count),
            notify: true,
        };
        if personal::issue(conn, &issue).await?.fresh {
            issued += 1;
        }
    }
    Ok(issued)
}

/// Players issued for per rule and sweep: the sweep comes back for more.
const SWEEP_BATCH: i64 = 500;

/// Issues the codes tier and tag rules owe now, a batch per rule per call;
/// answers how many were issued (a full batch: call again).
pub async fn sweep(pool: &PgPool) -> Result<u64> {
    let month = Utc::now().format("%Y-%m").to_string();
    let rules = sqlx::query!(
        "SELECT id, kind, tier, tag, reward, currency, code_days FROM loyalty_rules
          WHERE enabled AND kind IN ('monthly_tier', 'tagged') ORDER BY id"
    )
    .fetch_all(pool)
    .await?;
    let mut issued = 0;
    for rule in rules {
        // The occasion: this month for a tier, once for a tag.
        let prefix = format!("loyalty:{}:", rule.id);
        let suffix = if rule.kind == "monthly_tier" {
            format!(":{month}")
        } else {
            String::new()
        };
        let owed = sqlx::query_scalar!(
            "SELECT p.id FROM players p
              WHERE (p.tier = $1 OR p.tags @> ARRAY[$2::text])
                AND NOT EXISTS (SELECT 1 FROM promo_codes c WHERE c.issued_for = $3 || p.id || $4)
              ORDER BY p.id LIMIT $5",
            rule.tier.as_deref().unwrap_or(""),
            rule.tag.as_deref().unwrap_or(""),
            prefix,
            suffix,
            SWEEP_BATCH
        )
        .fetch_all(pool)
        .await?;
        let mut tx = pool.begin().await?;
        for player_id in owed {
            let issue = Issue {
                owner: player_id,
                reward: rule.reward,
                currency: rule.currency.clone(),
                ends_at: personal::ends_in(rule.code_days),
                issued_for: format!("{prefix}{player_id}{suffix}"),
                notify: true,
            };
            if personal::issue(&mut tx, &issue).await?.fresh {
                issued += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(issued)
}
