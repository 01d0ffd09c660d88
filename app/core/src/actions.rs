//! Rewards for platform actions: an admin maps an action key (`first_purchase`,
//! `streak_day`) to a reward, a grant at once or a personal code; the platform
//! reports an action for a player and the core pays it through the activation
//! core, once per player or once per report. Exactly once however the report
//! is retried or raced: the report's source is unique (`player_actions`), the
//! code it issues is unique by the same source, and a code pays once.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{Acquire, PgConnection, PgPool, Postgres};

use crate::activation::{activate, ActivationRequest, Channel, CodeRef};
use crate::code_text::PromoCodeText;
use crate::error::{Error, Problem, Result};
use crate::events::{self, Topic};
use crate::personal::{self, Issue};
use model::admin::ActionRewardLine;

/// What an action earns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gives {
    /// Credited at once (a personal code redeemed for the player).
    Grant,
    /// A personal code the player redeems themselves.
    Code,
}

impl Gives {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::Code => "code",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "grant" => Some(Self::Grant),
            "code" => Some(Self::Code),
            _ => None,
        }
    }
}

/// An action key's reward, as the admin set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionReward {
    pub action: String,
    pub gives: Gives,
    pub reward: i64,
    pub currency: String,
    /// Once per player (a first purchase), or once per report (a streak day).
    pub once: bool,
    /// How long an issued code can be redeemed.
    pub code_days: i32,
    pub enabled: bool,
}

/// The largest reward an action may give (as a code's).
pub const MAX_REWARD: i64 = 1_000_000_000_000;

/// A report's key (the platform's id for this occurrence): 1 to 200
/// printable characters.
pub fn valid_report_key(key: &str) -> bool {
    (1..=200).contains(&key.chars().count()) && !key.chars().any(char::is_control)
}

impl ActionReward {
    fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if !crate::input::platform_key(&self.action) {
            problems.push(Problem::ActionKey);
        }
        if self.reward < 1 {
            problems.push(Problem::Reward(
                crate::reward::RewardScheduleError::InitialNotPositive,
            ));
        } else if self.reward > MAX_REWARD {
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

/// Every action key with its reward and the reports it rewarded, by key.
pub async fn list(pool: &PgPool) -> Result<Vec<ActionRewardLine>> {
    Ok(sqlx::query_as!(
        ActionRewardLine,
        r#"SELECT r.action, r.gives, r.reward, r.currency, r.once, r.code_days, r.enabled,
                  (SELECT count(*) FROM player_actions pa WHERE pa.action = r.action) AS "rewarded!"
             FROM action_rewards r ORDER BY r.action"#
    )
    .fetch_all(pool)
    .await?)
}

/// Creates or replaces the reward of an action key. Audited.
pub async fn save<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    actor: crate::audit::Actor,
    reward: &ActionReward,
) -> Result<()> {
    let problems = reward.problems();
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut tx = db.begin().await?;
    crate::catalog::require_currency(&mut tx, &reward.currency).await?;
    sqlx::query!(
        "INSERT INTO action_rewards (action, gives, reward, currency, once, code_days, enabled)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (action) DO UPDATE
            SET gives = EXCLUDED.gives, reward = EXCLUDED.reward, currency = EXCLUDED.currency,
                once = EXCLUDED.once, code_days = EXCLUDED.code_days, enabled = EXCLUDED.enabled,
                updated_at = now()",
        reward.action,
        reward.gives.as_str(),
        reward.reward,
        reward.currency,
        reward.once,
        reward.code_days,
        reward.enabled,
    )
    .execute(&mut *tx)
    .await?;
    let note = json!({
        "action": reward.action, "gives": reward.gives.as_str(), "reward": reward.reward,
        "currency": reward.currency, "once": reward.once, "code_days": reward.code_days,
        "enabled": reward.enabled,
    });
    crate::audit::record(
        &mut tx,
        actor,
        "save",
        crate::audit::Entity::ActionReward,
        None,
        None,
        Some(note),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a report came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionOutcome {
    /// False when this report (or, for a once-per-player action, an earlier
    /// one) had been rewarded before: the answer is that reward again.
    pub fresh: bool,
    pub gives: Gives,
    pub reward: i64,
    pub currency: String,
    pub code_id: i64,
    /// The personal code (for `Code`: the player redeems it).
    pub code: String,
    pub ends_at: DateTime<Utc>,
    /// The grant's activation (for `Grant`).
    pub activation_id: Option<i64>,
    pub reported_at: DateTime<Utc>,
}

/// Rewards `action` for the player, in the caller's transaction: `None`
/// when no reward is set for it (or it is switched off). A report whose
/// source was rewarded before answers that reward again, whoever raced it.
pub async fn report(
    conn: &mut PgConnection,
    player_id: i64,
    action: &str,
    report_key: &str,
) -> Result<Option<ActionOutcome>> {
    let mut problems = Vec::new();
    if !crate::input::platform_key(action) {
        problems.push(Problem::ActionKey);
    }
    if !valid_report_key(report_key) {
        problems.push(Problem::ReportKey);
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let rule = sqlx::query!(
        "SELECT gives, reward, currency, once, code_days FROM action_rewards
          WHERE action = $1 AND enabled",
        action
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(rule) = rule else {
        return Ok(None);
    };
    let gives = Gives::parse(&rule.gives).unwrap_or(Gives::Grant);
    let source = if rule.once {
        format!("action:{action}:{player_id}")
    } else {
        format!("action:{action}:{player_id}:{report_key}")
    };
    if let Some(earlier) = rewarded(conn, &source).await? {
        return Ok(Some(earlier));
    }
    // A grant's code is redeemed below at once; a day is ample.
    let days = match gives {
        Gives::Grant => 1,
        Gives::Code => rule.code_days,
    };
    let issued = personal::issue(
        conn,
        &Issue {
            owner: player_id,
            reward: rule.reward,
            currency: rule.currency.clone(),
            ends_at: personal::ends_in(days),
            issued_for: source.clone(),
            notify: gives == Gives::Code,
        },
    )
    .await?;
    if !issued.fresh {
        // Issued by a report that raced this one and committed first.
        return rewarded(conn, &source)
            .await?
            .map(Some)
            .ok_or_else(|| Error::Broken(format!("{source}: a code without its report")));
    }
    let activation_id = match gives {
        Gives::Code => None,
        Gives::Grant => {
            let request = ActivationRequest {
                player_id,
                code: CodeRef::Text(PromoCodeText::parse(&issued.name)?),
                channel: Channel::Job,
            };
            Some(activate(conn, &request).await?.activation_id)
        }
    };
    let reported_at = sqlx::query_scalar!(
        r#"INSERT INTO player_actions (source, player_id, action, report_key, gives, code_id, activation_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING created_at AS "at: DateTime<Utc>""#,
        source,
        player_id,
        action,
        report_key,
        gives.as_str(),
        issued.code_id,
        activation_id,
    )
    .fetch_one(&mut *conn)
    .await?;
    events::publish(
        conn,
        Topic::ActionRewarded,
        json!({
            "player_id": player_id,
            "action": action,
            "key": report_key,
            "gives": gives.as_str(),
            "reward": rule.reward,
            "currency": rule.currency,
            "code_id": issued.code_id,
            "activation_id": activation_id,
        }),
    )
    .await?;
    Ok(Some(ActionOutcome {
        fresh: true,
        gives,
        reward: rule.reward,
        currency: rule.currency,
        code_id: issued.code_id,
        code: issued.name,
        ends_at: issued.ends_at,
        activation_id,
        reported_at,
    }))
}

async fn rewarded(conn: &mut PgConnection, source: &str) -> Result<Option<ActionOutcome>> {
    let row = sqlx::query!(
        r#"SELECT pa.gives, c.initial_reward AS reward, c.currency, c.id AS code_id, c.name,
                  c.ends_at AS "ends_at!: DateTime<Utc>", pa.activation_id,
                  pa.created_at AS "reported_at: DateTime<Utc>"
             FROM player_actions pa JOIN promo_codes c ON c.id = pa.code_id
            WHERE pa.source = $1"#,
        source
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| ActionOutcome {
        fresh: false,
        gives: Gives::parse(&r.gives).unwrap_or(Gives::Grant),
        reward: r.reward,
        currency: r.currency,
        code_id: r.code_id,
        code: r.name,
        ends_at: r.ends_at,
        activation_id: r.activation_id,
        reported_at: r.reported_at,
    }))
}
