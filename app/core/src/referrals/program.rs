//! The referral program as an admin sets it: each side's reward, when the
//! referrer is paid, the cap per period and the review threshold.

use sqlx::{Acquire, PgConnection, PgPool, Postgres};

use crate::error::{Error, Problem, Result};
use model::growth::ReferralOffer;

/// When the referrer is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayOn {
    SignUp,
    FirstRedeem,
}

impl PayOn {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignUp => "sign_up",
            Self::FirstRedeem => "first_redeem",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "sign_up" => Some(Self::SignUp),
            "first_redeem" => Some(Self::FirstRedeem),
            _ => None,
        }
    }
}

/// The program as the admin set it. A reward of 0 pays that side nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub enabled: bool,
    pub referee_reward: i64,
    pub referee_currency: String,
    pub referrer_reward: i64,
    pub referrer_currency: String,
    pub pay_referrer_on: PayOn,
    /// Referrers are paid at most this often per `cap_days` (None: no cap).
    pub cap: Option<i32>,
    pub cap_days: i32,
    /// More sign-ups than this from one address in a day wait for review.
    pub review_threshold: i32,
}

impl Program {
    fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for reward in [self.referee_reward, self.referrer_reward] {
            if reward < 0 {
                problems.push(Problem::PayoutNegative);
            } else if reward > crate::actions::MAX_REWARD {
                problems.push(Problem::RewardTooLarge);
            }
        }
        if self.cap.is_some_and(|cap| cap < 1) {
            problems.push(Problem::CapNotPositive);
        }
        if self.cap_days < 1 || self.review_threshold < 1 {
            problems.push(Problem::DaysNotPositive);
        } else if self.cap_days > 3660 {
            problems.push(Problem::TooManyDays);
        }
        problems
    }

    pub(crate) fn offer(&self) -> ReferralOffer {
        ReferralOffer {
            referee_reward: self.referee_reward,
            referee_currency: self.referee_currency.clone(),
            referrer_reward: self.referrer_reward,
            referrer_currency: self.referrer_currency.clone(),
            pay_referrer_on: self.pay_referrer_on.as_str().to_owned(),
        }
    }
}

/// The program, if an admin has set one (switched off or not).
pub async fn program(conn: &mut PgConnection) -> Result<Option<Program>> {
    let row = sqlx::query!(
        "SELECT enabled, referee_reward, referee_currency, referrer_reward, referrer_currency,
                pay_referrer_on, cap, cap_days, review_threshold FROM referral_program"
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| Program {
        enabled: r.enabled,
        referee_reward: r.referee_reward,
        referee_currency: r.referee_currency,
        referrer_reward: r.referrer_reward,
        referrer_currency: r.referrer_currency,
        pay_referrer_on: PayOn::parse(&r.pay_referrer_on).unwrap_or(PayOn::FirstRedeem),
        cap: r.cap,
        cap_days: r.cap_days,
        review_threshold: r.review_threshold,
    }))
}

/// The program as it stands, read from the pool.
pub async fn current(pool: &PgPool) -> Result<Option<Program>> {
    program(&mut *pool.acquire().await?).await
}

/// What players are offered now (None: no program, or it is off).
pub async fn offer(pool: &PgPool) -> Result<Option<ReferralOffer>> {
    let program = current(pool).await?;
    Ok(program.filter(|p| p.enabled).map(|p| p.offer()))
}

/// Sets the program. Audited.
pub async fn save_program<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    actor: crate::audit::Actor,
    program: &Program,
) -> Result<()> {
    let problems = program.problems();
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut tx = db.begin().await?;
    for currency in [&program.referee_currency, &program.referrer_currency] {
        crate::catalog::require_currency(&mut tx, currency).await?;
    }
    let after = sqlx::query_scalar!(
        r#"INSERT INTO referral_program AS p (enabled, referee_reward, referee_currency, referrer_reward,
                                              referrer_currency, pay_referrer_on, cap, cap_days, review_threshold)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (id) DO UPDATE
              SET enabled = EXCLUDED.enabled, referee_reward = EXCLUDED.referee_reward,
                  referee_currency = EXCLUDED.referee_currency, referrer_reward = EXCLUDED.referrer_reward,
                  referrer_currency = EXCLUDED.referrer_currency, pay_referrer_on = EXCLUDED.pay_referrer_on,
                  cap = EXCLUDED.cap, cap_days = EXCLUDED.cap_days,
                  review_threshold = EXCLUDED.review_threshold, updated_at = now()
           RETURNING to_jsonb(p) AS "after!""#,
        program.enabled,
        program.referee_reward,
        program.referee_currency,
        program.referrer_reward,
        program.referrer_currency,
        program.pay_referrer_on.as_str(),
        program.cap,
        program.cap_days,
        program.review_threshold,
    )
    .fetch_one(&mut *tx)
    .await?;
    crate::audit::record(
        &mut tx,
        actor,
        "save",
        crate::audit::Entity::ReferralProgram,
        None,
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
