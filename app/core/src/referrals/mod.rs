//! Referrals: every player's invite code, the program an admin sets (each
//! side's reward, when the referrer is paid, a cap per period, a threshold of
//! sign-ups per address past which referrals wait for review), and paying
//! both sides exactly once: a referral is one row per invited player, and
//! each side's reward is a personal code issued once per referral and
//! redeemed through the activation core.

mod program;
pub mod report;

pub use program::{current, offer, program, save_program, PayOn, Program};

/// How long a reward's code is kept: it is redeemed at once.
const GRANT_DAYS: i32 = 1;

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use crate::error::{Error, Result};
use crate::events::{self, Topic};
use crate::personal::{self, Issue};
pub use model::growth::normalize_invite;
use model::growth::{Earned, InviteSummary};

/// The player's invite code (made with the player, by the database).
pub async fn invite_code(pool: &PgPool, player_id: i64) -> Result<String> {
    sqlx::query_scalar!(
        "SELECT code FROM referral_invites WHERE player_id = $1",
        player_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| Error::Broken(format!("player {player_id} has no invite code")))
}

/// Who owns an invite code: (player id, username).
pub async fn inviter(pool: &PgPool, code: &str) -> Result<Option<(i64, String)>> {
    let Some(code) = normalize_invite(code) else {
        return Ok(None);
    };
    Ok(sqlx::query!(
        "SELECT p.id, p.username FROM referral_invites i JOIN players p ON p.id = i.player_id
          WHERE i.code = $1",
        code
    )
    .fetch_optional(pool)
    .await?
    .map(|r| (r.id, r.username)))
}

/// What joining with an invite came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Joined {
    /// No program, or it is off: the invite is ignored.
    NoProgram,
    /// The code is no one's invite.
    UnknownInvite,
    /// The player's own invite.
    OwnInvite,
    /// The player had been invited before.
    AlreadyInvited,
    /// Recorded and paid as the program says.
    Accepted,
    /// Too many sign-ups from this address: waits for an admin.
    Held,
}

impl Joined {
    /// As the API names it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::NoProgram => "no_program",
            Self::UnknownInvite => "unknown_invite",
            Self::OwnInvite => "own_invite",
            Self::AlreadyInvited => "already_invited",
            Self::Accepted => "accepted",
            Self::Held => "held",
        }
    }
}

/// Records that `referee_id`, a player created in the caller's transaction,
/// signed up with `invite` from `address`, and pays what is due now: the
/// friend's reward, and the referrer's when paid at sign-up. Only a new
/// account calls this (sign-up, or the API creating a player).
pub async fn join(
    conn: &mut PgConnection,
    referee_id: i64,
    invite: &str,
    address: Option<IpAddr>,
) -> Result<Joined> {
    let Some(program) = program(conn).await?.filter(|p| p.enabled) else {
        return Ok(Joined::NoProgram);
    };
    let Some(code) = normalize_invite(invite) else {
        return Ok(Joined::UnknownInvite);
    };
    let Some(referrer_id) = sqlx::query_scalar!(
        "SELECT player_id FROM referral_invites WHERE code = $1",
        code
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Joined::UnknownInvite);
    };
    if referrer_id == referee_id {
        return Ok(Joined::OwnInvite);
    }
    let address = address.map(|a| a.to_string());
    // Sign-ups from one address are counted one at a time.
    let held = match address.as_deref() {
        Some(address) => {
            sqlx::query!(
                "SELECT pg_advisory_xact_lock(hashtext('referral-address'), hashtext($1::text))",
                address
            )
            .execute(&mut *conn)
            .await?;
            let recent = sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM referrals
                    WHERE address = $1::text::inet AND created_at > now() - interval '1 day'"#,
                address
            )
            .fetch_one(&mut *conn)
            .await?;
            recent >= i64::from(program.review_threshold)
        }
        None => false,
    };
    let state = if held { "held" } else { "accepted" };
    let referrer_state = if program.referrer_reward == 0 {
        "none"
    } else {
        "waiting"
    };
    let inserted = sqlx::query!(
        "INSERT INTO referrals (referee_id, referrer_id, address, state, referrer_state)
         VALUES ($1, $2, $3::text::inet, $4, $5) ON CONFLICT DO NOTHING",
        referee_id,
        referrer_id,
        address,
        state,
        referrer_state
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(Joined::AlreadyInvited);
    }
    if held {
        return Ok(Joined::Held);
    }
    pay_due(conn, &program, referee_id).await?;
    Ok(Joined::Accepted)
}

/// Pays what an accepted referral is due now: the friend's reward, and the
/// referrer's once its moment came (sign-up, or the friend's first redeem).
/// Each side once, however often this runs.
async fn pay_due(conn: &mut PgConnection, program: &Program, referee_id: i64) -> Result<()> {
    let referral = sqlx::query!(
        "SELECT referrer_id, state, referrer_state, converted_at IS NOT NULL AS \"converted!\"
           FROM referrals WHERE referee_id = $1",
        referee_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if referral.state != "accepted" {
        return Ok(());
    }
    if program.referee_reward > 0 {
        let paid = pay(
            conn,
            referee_id,
            referral.referrer_id,
            Side::Referee,
            program.referee_reward,
            &program.referee_currency,
        )
        .await?;
        if let Some(activation_id) = paid {
            sqlx::query!(
                "UPDATE referrals SET referee_activation_id = $2 WHERE referee_id = $1",
                referee_id,
                activation_id
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    let due = match program.pay_referrer_on {
        PayOn::SignUp => true,
        PayOn::FirstRedeem => referral.converted,
    };
    if referral.referrer_state != "waiting" || !due {
        return Ok(());
    }
    // The referrer's rewards are counted against the cap one at a time.
    sqlx::query!(
        "SELECT player_id FROM referral_invites WHERE player_id = $1 FOR UPDATE",
        referral.referrer_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(cap) = program.cap {
        let paid = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM referrals
                WHERE referrer_id = $1 AND referrer_state = 'paid'
                  AND referrer_paid_at > now() - make_interval(days => $2)"#,
            referral.referrer_id,
            program.cap_days
        )
        .fetch_one(&mut *conn)
        .await?;
        if paid >= i64::from(cap) {
            sqlx::query!(
                "UPDATE referrals SET referrer_state = 'capped' WHERE referee_id = $1",
                referee_id
            )
            .execute(&mut *conn)
            .await?;
            return Ok(());
        }
    }
    let paid = pay(
        conn,
        referee_id,
        referral.referrer_id,
        Side::Referrer,
        program.referrer_reward,
        &program.referrer_currency,
    )
    .await?;
    sqlx::query!(
        "UPDATE referrals SET referrer_state = 'paid', referrer_paid_at = now(),
                              referrer_activation_id = coalesce($2, referrer_activation_id)
          WHERE referee_id = $1",
        referee_id,
        paid
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Referee,
    Referrer,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Self::Referee => "referee",
            Self::Referrer => "referrer",
        }
    }
}

/// One side's reward, once per referral: answers the activation when this
/// call paid it.
async fn pay(
    conn: &mut PgConnection,
    referee_id: i64,
    referrer_id: i64,
    side: Side,
    reward: i64,
    currency: &str,
) -> Result<Option<i64>> {
    let owner = match side {
        Side::Referee => referee_id,
        Side::Referrer => referrer_id,
    };
    let issue = Issue {
        owner,
        reward,
        currency: currency.to_owned(),
        ends_at: personal::ends_in(GRANT_DAYS),
        issued_for: format!("referral:{}:{referee_id}", side.as_str()),
        notify: false,
    };
    let Some((issued, activation)) = personal::grant(conn, &issue).await? else {
        return Ok(None);
    };
    events::publish(
        conn,
        Topic::ReferralRewarded,
        json!({
            "side": side.as_str(),
            "player_id": owner,
            "referee_id": referee_id,
            "referrer_id": referrer_id,
            "reward": reward,
            "currency": currency,
            "code_id": issued.code_id,
            "activation_id": activation.activation_id,
        }),
    )
    .await?;
    if side == Side::Referrer {
        sqlx::query!(
            "INSERT INTO notifications (player_id, kind, params)
             SELECT $1, 'referral_rewarded', jsonb_build_object('friend', username, 'reward', $3::bigint, 'currency', $4::text)
               FROM players WHERE id = $2",
            referrer_id,
            referee_id,
            reward,
            currency
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(Some(activation.activation_id))
}

/// Marks the friends among `players` who redeemed for the first time (the
/// activation feed calls this in its transaction) and pays referrers whose
/// moment that was.
pub async fn converted(conn: &mut PgConnection, players: &[i64]) -> Result<()> {
    if players.is_empty() {
        return Ok(());
    }
    let converted = sqlx::query_scalar!(
        "UPDATE referrals SET converted_at = now()
          WHERE referee_id = ANY($1) AND converted_at IS NULL
         RETURNING referee_id",
        players
    )
    .fetch_all(&mut *conn)
    .await?;
    if converted.is_empty() {
        return Ok(());
    }
    let Some(program) = program(conn).await?.filter(|p| p.enabled) else {
        return Ok(());
    };
    for referee_id in converted {
        pay_due(conn, &program, referee_id).await?;
    }
    Ok(())
}

/// An admin's decision on a held referral: accepted (paid as the program
/// says now) or rejected (nothing paid). A referral not held is left as it
/// is; answers whether this call decided it.
pub async fn review(
    pool: &PgPool,
    actor: crate::audit::Actor,
    referee_id: i64,
    accept: bool,
) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let state = if accept { "accepted" } else { "rejected" };
    let decided = sqlx::query!(
        "UPDATE referrals SET state = $2, reviewed_at = now(),
                              referrer_state = CASE WHEN $2 = 'rejected' THEN 'none' ELSE referrer_state END
          WHERE referee_id = $1 AND state = 'held'",
        referee_id,
        state
    )
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !decided {
        return Ok(false);
    }
    if accept {
        if let Some(program) = program(&mut tx).await?.filter(|p| p.enabled) {
            pay_due(&mut tx, &program, referee_id).await?;
        }
    }
    crate::audit::record(
        &mut tx,
        actor,
        if accept { "accept" } else { "reject" },
        crate::audit::Entity::ReferralProgram,
        Some(referee_id),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The player's invite link and what it brought.
pub async fn summary(pool: &PgPool, player_id: i64) -> Result<InviteSummary> {
    let code = invite_code(pool, player_id).await?;
    let counts = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE state <> 'rejected') AS "joined!",
                  count(*) FILTER (WHERE state = 'accepted' AND converted_at IS NOT NULL) AS "converted!",
                  count(*) FILTER (WHERE state = 'held') AS "held!"
             FROM referrals WHERE referrer_id = $1"#,
        player_id
    )
    .fetch_one(pool)
    .await?;
    let earned = sqlx::query_as!(
        Earned,
        r#"SELECT a.currency, sum(a.reward)::bigint AS "amount!"
             FROM referrals r JOIN activations a ON a.id = r.referrer_activation_id
            WHERE r.referrer_id = $1 GROUP BY a.currency ORDER BY a.currency"#,
        player_id
    )
    .fetch_all(pool)
    .await?;
    Ok(InviteSummary {
        code,
        joined: counts.joined,
        converted: counts.converted,
        held: counts.held,
        earned,
        offer: offer(pool).await?,
    })
}

/// A referral as it stands: (referrer, state, referrer's state, when made).
pub async fn referral_of(
    pool: &PgPool,
    referee_id: i64,
) -> Result<Option<(i64, String, String, DateTime<Utc>)>> {
    Ok(sqlx::query!(
        r#"SELECT referrer_id, state, referrer_state, created_at AS "created_at: DateTime<Utc>"
             FROM referrals WHERE referee_id = $1"#,
        referee_id
    )
    .fetch_optional(pool)
    .await?
    .map(|r| (r.referrer_id, r.state, r.referrer_state, r.created_at)))
}
