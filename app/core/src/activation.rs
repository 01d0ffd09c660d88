//! The activation core: the one place that decides whether a player gets a
//! code's reward. Every reward path (redeem form, easter-egg link, REST API,
//! jobs) calls `activate`; the database, not Rust, enforces limits, the
//! one-activation-per-player rule and the decreasing reward sequence.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::code_text::PromoCodeText;
use super::error::ActivationError;

/// Which code the player is after: a typed code or an easter-egg link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeRef {
    Text(PromoCodeText),
    EggSlug(String),
}

/// Where the activation came from; stored with it and sent in its event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Form,
    Egg,
    Api,
    Job,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Form => "form",
            Self::Egg => "egg",
            Self::Api => "api",
            Self::Job => "job",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ActivationRequest {
    pub player_id: i64,
    pub code: CodeRef,
    pub channel: Channel,
}

/// A granted activation, as committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activation {
    pub activation_id: i64,
    pub code_id: i64,
    pub code_name: String,
    /// k, from 0: this was the code's k-th activation.
    pub ordinal: i32,
    pub reward: i64,
    pub currency: String,
    pub balance_after: i64,
    pub ledger_entry_id: i64,
    pub activated_at: DateTime<Utc>,
}

/// What the database says about a code for one player, read in one snapshot.
/// Used to refuse early without touching the code's row lock, and to explain a
/// refusal after the claiming UPDATE matched nothing.
struct CodeState {
    id: i64,
    enabled: bool,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    exhausted: bool,
    now: DateTime<Utc>,
    player_exists: bool,
    eligible: bool,
    already_activated: bool,
}

impl CodeState {
    /// The first reason this player cannot activate the code now, if any.
    /// Order matters: a player hears the most specific, most useful reason.
    fn refusal(&self) -> Option<ActivationError> {
        if !self.player_exists {
            return Some(ActivationError::UnknownPlayer);
        }
        if !self.enabled {
            return Some(ActivationError::Disabled);
        }
        if let Some(starts_at) = self.starts_at.filter(|s| *s > self.now) {
            return Some(ActivationError::NotStarted { starts_at });
        }
        if let Some(ended_at) = self.ends_at.filter(|e| *e <= self.now) {
            return Some(ActivationError::Expired { ended_at });
        }
        if self.already_activated {
            return Some(ActivationError::AlreadyActivated);
        }
        if !self.eligible {
            return Some(ActivationError::NotEligible);
        }
        if self.exhausted {
            return Some(ActivationError::Exhausted);
        }
        None
    }
}

/// Activates a code for a player, exactly once.
///
/// On success one statement has, atomically: inserted the activation with its
/// ordinal k and reward `max(min, initial - k*step)`, advanced the code's
/// counter and current reward, credited the balance with a ledger entry naming
/// the activation, queued the player's notification and an outbox event.
/// Given a plain connection that statement is its own transaction; given a
/// `Transaction` it joins the caller's.
#[tracing::instrument(skip_all, fields(player = request.player_id, channel = request.channel.as_str()), err(level = "debug"))]
pub async fn activate(
    conn: &mut PgConnection,
    request: &ActivationRequest,
) -> Result<Activation, ActivationError> {
    // A refusal the database already explains costs no lock; a success or a
    // lost race goes through the claiming statement, which re-checks everything.
    let state = code_state(conn, &request.code, request.player_id).await?;
    if let Some(refusal) = state.refusal() {
        return Err(refusal);
    }
    match claim(conn, state.id, request).await {
        Ok(Some(activation)) => Ok(activation),
        Ok(None) => {
            // The code changed between the read and the claim (disabled, ran out,
            // expired). Read again and say why.
            let state = code_state(conn, &request.code, request.player_id).await?;
            Err(state.refusal().unwrap_or(ActivationError::Exhausted))
        }
        // The unique key on (code, player) and a balance past bigint arrive
        // as their domain cases (see `Error::from`).
        Err(e) => Err(e.into()),
    }
}

/// What activating would come to now: the code and the reward the next
/// activation gets. Read in one snapshot; writes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    pub code_id: i64,
    pub code_name: String,
    pub reward: i64,
    pub currency: String,
    /// k of the next activation, from 0.
    pub ordinal: i32,
}

/// Answers whether `activate` would grant now, and what, without claiming:
/// the same refusals in the same order. A racing activation may still take
/// the last one first.
pub async fn quote(
    conn: &mut PgConnection,
    request: &ActivationRequest,
) -> Result<Quote, ActivationError> {
    let state = code_state(conn, &request.code, request.player_id).await?;
    if let Some(refusal) = state.refusal() {
        return Err(refusal);
    }
    let quote = sqlx::query_as!(
        Quote,
        r#"SELECT id AS code_id, name AS code_name, currency, activation_count AS ordinal,
                  GREATEST(min_reward, initial_reward - activation_count::numeric * decrease_step)::bigint
                      AS "reward!"
             FROM promo_codes WHERE id = $1"#,
        state.id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(quote)
}

async fn code_state(
    conn: &mut PgConnection,
    code: &CodeRef,
    player_id: i64,
) -> Result<CodeState, ActivationError> {
    // Easter-egg codes are reached only through their link, never by typing
    // their name, so a guessed name cannot bypass the hidden path.
    let (normalized, slug) = match code {
        CodeRef::Text(text) => (Some(text.as_str()), None),
        CodeRef::EggSlug(slug) => (None, Some(slug.as_str())),
    };
    let row = sqlx::query_as!(
        CodeState,
        r#"
        SELECT c.id,
               c.enabled,
               c.starts_at AS "starts_at: chrono::DateTime<chrono::Utc>",
               c.ends_at AS "ends_at: chrono::DateTime<chrono::Utc>",
               (c.activation_limit IS NOT NULL AND c.activation_count >= c.activation_limit) AS "exhausted!",
               now() AS "now!: chrono::DateTime<chrono::Utc>",
               (p.id IS NOT NULL) AS "player_exists!",
               COALESCE(promo_player_eligible(c, p), false) AS "eligible!",
               EXISTS (SELECT 1 FROM activations a WHERE a.code_id = c.id AND a.player_id = $3) AS "already_activated!"
          FROM promo_codes c
          LEFT JOIN players p ON p.id = $3
         WHERE (($1::text IS NOT NULL AND c.normalized = $1 AND c.egg_slug IS NULL)
                OR ($2::text IS NOT NULL AND c.egg_slug = $2))
           -- Someone else's personal code does not exist for this player.
           AND (c.owner_id IS NULL OR c.owner_id = $3)
        "#,
        normalized,
        slug,
        player_id,
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or(ActivationError::Unknown)
}

/// The claiming statement. The UPDATE takes the code's row lock and re-checks
/// every condition under it, so concurrent claims serialize on the row and the
/// k-th one sees `activation_count = k`; the unique keys on activations
/// (code, player) and (code, ordinal) hold the rest. Returns `None` when the
/// code no longer qualifies.
async fn claim(
    conn: &mut PgConnection,
    code_id: i64,
    request: &ActivationRequest,
) -> Result<Option<Activation>, sqlx::Error> {
    sqlx::query_as!(
        Activation,
        r#"
        WITH claimed AS (
            UPDATE promo_codes c
               SET activation_count = c.activation_count + 1,
                   current_reward = GREATEST(c.min_reward, c.initial_reward - (c.activation_count + 1)::numeric * c.decrease_step)::bigint
              FROM players p
             WHERE c.id = $1
               AND p.id = $2
               AND promo_code_active(c)
               AND promo_player_eligible(c, p)
               AND NOT EXISTS (SELECT 1 FROM activations a WHERE a.code_id = c.id AND a.player_id = p.id)
            RETURNING c.id,
                      c.name,
                      c.currency,
                      c.activation_count - 1 AS ordinal,
                      GREATEST(c.min_reward, c.initial_reward - (c.activation_count - 1)::numeric * c.decrease_step)::bigint AS reward
        ), act AS (
            INSERT INTO activations (code_id, player_id, ordinal, reward, currency, channel)
            SELECT id, $2, ordinal, reward, currency, $3 FROM claimed
            RETURNING id, code_id, ordinal, reward, currency, created_at
        ), credit AS (
            INSERT INTO balances AS b (player_id, currency, amount)
            SELECT $2, currency, reward FROM act
            ON CONFLICT (player_id, currency)
            DO UPDATE SET amount = b.amount + EXCLUDED.amount, updated_at = now()
            RETURNING b.amount
        ), entry AS (
            INSERT INTO ledger_entries (player_id, currency, amount, balance_after, source, activation_id)
            SELECT $2, act.currency, act.reward, credit.amount, 'promo_activation', act.id FROM act, credit
            RETURNING id
        ), notice AS (
            INSERT INTO notifications (player_id, kind, params)
            SELECT $2, 'activation', jsonb_build_object(
                       'activation_id', act.id, 'code_id', act.code_id, 'code', claimed.name,
                       'reward', act.reward, 'currency', act.currency)
              FROM act, claimed
        ), event AS (
            INSERT INTO outbox_events (topic, payload)
            SELECT 'promo.activated', jsonb_build_object(
                       'activation_id', act.id, 'code_id', act.code_id, 'code', claimed.name,
                       'player_id', $2::bigint, 'ordinal', act.ordinal, 'reward', act.reward,
                       'currency', act.currency, 'channel', $3::text, 'activated_at', act.created_at)
              FROM act, claimed
        )
        SELECT act.id AS "activation_id!",
               act.code_id AS "code_id!",
               claimed.name AS "code_name!",
               act.ordinal AS "ordinal!",
               act.reward AS "reward!",
               act.currency AS "currency!",
               credit.amount AS "balance_after!",
               entry.id AS "ledger_entry_id!",
               act.created_at AS "activated_at!: chrono::DateTime<chrono::Utc>"
          FROM act, claimed, credit, entry
        "#,
        code_id,
        request.player_id,
        request.channel.as_str(),
    )
    .fetch_optional(&mut *conn)
    .await
}
