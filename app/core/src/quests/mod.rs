//! Quests: an admin's localized quest made of steps (redeem a given code,
//! any code of a group or campaign, any N codes, N easter eggs), and what a
//! player sees of them. Progress and the reward come from the activation
//! feed (`progress`), never from the request that redeemed.

pub mod progress;
mod views;

pub use views::{admin_list, for_player};

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{Acquire, PgConnection, Postgres};

use crate::code_text::PromoCodeText;
use crate::error::{Error, Problem, Result};
use crate::locale::Locale;

/// A step as typed: its kind, what it names (a code, a group or campaign
/// name, the eggs' slugs separated by commas or nothing) and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepDraft {
    pub kind: String,
    pub subject: String,
    pub target: i32,
}

/// A quest's title and story in one language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuestText {
    pub title: String,
    pub story: String,
}

/// A quest as an admin defines it. The same slug again changes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestDraft {
    pub slug: String,
    pub en: QuestText,
    /// Empty title: shown in English.
    pub ru: QuestText,
    pub reward: i64,
    pub currency: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub enabled: bool,
    pub steps: Vec<StepDraft>,
}

/// The most steps a quest has.
pub const MAX_STEPS: usize = 20;
const MAX_TITLE: usize = 120;
const MAX_STORY: usize = 2000;

/// A step with its subject found: what the migration stores.
struct Step {
    kind: &'static str,
    code_id: Option<i64>,
    group_id: Option<i64>,
    campaign_id: Option<i64>,
    egg_code_ids: Vec<i64>,
    target: i32,
}

impl QuestDraft {
    fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if !crate::input::platform_key(&self.slug) {
            problems.push(Problem::QuestSlug);
        }
        if self.en.title.trim().is_empty() {
            problems.push(Problem::NameRequired);
        }
        for text in [&self.en, &self.ru] {
            if text.title.chars().count() > MAX_TITLE || text.story.chars().count() > MAX_STORY {
                problems.push(Problem::DescriptionTooLong);
            }
            if !crate::code_text::is_plain_text(&text.title, false)
                || !crate::code_text::is_plain_text(&text.story, true)
            {
                problems.push(Problem::TextChars(crate::error::Text {
                    locale: Locale::En,
                    part: crate::error::TextPart::Description,
                }));
            }
        }
        if self.reward < 1 {
            problems.push(Problem::Reward(
                crate::reward::RewardScheduleError::InitialNotPositive,
            ));
        } else if self.reward > crate::actions::MAX_REWARD {
            problems.push(Problem::RewardTooLarge);
        }
        if let (Some(start), Some(end)) = (self.starts_at, self.ends_at) {
            if end <= start {
                problems.push(Problem::EndBeforeStart);
            }
        }
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            problems.push(Problem::NoSteps);
        }
        if self.steps.iter().any(|s| !(1..=1000).contains(&s.target)) {
            problems.push(Problem::StepTarget);
        }
        problems
    }
}

/// Finds what a step names, in the caller's transaction.
async fn resolve(conn: &mut PgConnection, draft: &StepDraft) -> Result<Step> {
    let subject = draft.subject.trim();
    let mut step = Step {
        kind: "codes",
        code_id: None,
        group_id: None,
        campaign_id: None,
        egg_code_ids: Vec::new(),
        target: draft.target,
    };
    let missing = || Error::invalid(Problem::StepSubject);
    match draft.kind.as_str() {
        "code" => {
            let text = PromoCodeText::parse(subject).map_err(|_| missing())?;
            step.kind = "code";
            // A code is redeemed once per player: the step is done once.
            step.target = 1;
            step.code_id = sqlx::query_scalar!(
                "SELECT id FROM promo_codes WHERE normalized = $1 AND owner_id IS NULL",
                text.as_str()
            )
            .fetch_optional(&mut *conn)
            .await?;
            step.code_id.ok_or_else(missing)?;
        }
        "group" => {
            step.kind = "group";
            step.group_id = sqlx::query_scalar!(
                "SELECT id FROM code_groups WHERE lower(name) = lower($1)",
                subject
            )
            .fetch_optional(&mut *conn)
            .await?;
            step.group_id.ok_or_else(missing)?;
        }
        "campaign" => {
            step.kind = "campaign";
            step.campaign_id = sqlx::query_scalar!(
                "SELECT id FROM campaigns WHERE lower(name) = lower($1)",
                subject
            )
            .fetch_optional(&mut *conn)
            .await?;
            step.campaign_id.ok_or_else(missing)?;
        }
        "codes" => {}
        "eggs" => {
            step.kind = "eggs";
            let slugs: Vec<String> = subject
                .split(',')
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect();
            if !slugs.is_empty() {
                step.egg_code_ids = sqlx::query_scalar!(
                    "SELECT id FROM promo_codes WHERE egg_slug = ANY($1) ORDER BY id",
                    &slugs
                )
                .fetch_all(&mut *conn)
                .await?;
                if step.egg_code_ids.len() != slugs.len() {
                    return Err(missing());
                }
                // Finding N of a list of fewer than N cannot be done.
                step.target = step.target.min(slugs.len() as i32);
            }
        }
        _ => return Err(missing()),
    }
    Ok(step)
}

/// Creates the quest, or changes the one with its slug: texts, reward, dates
/// and steps. Steps of a quest someone has progressed in stay as they are
/// unless unchanged (`QuestInProgress`). Audited; answers its id.
pub async fn save<'a>(
    db: impl Acquire<'a, Database = Postgres>,
    actor: crate::audit::Actor,
    draft: &QuestDraft,
) -> Result<i64> {
    let problems = draft.problems();
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut tx = db.begin().await?;
    crate::catalog::require_currency(&mut tx, &draft.currency).await?;
    let mut steps = Vec::with_capacity(draft.steps.len());
    for step in &draft.steps {
        steps.push(resolve(&mut tx, step).await?);
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO quests (slug, reward, currency, starts_at, ends_at, enabled)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (slug) DO UPDATE
            SET reward = EXCLUDED.reward, currency = EXCLUDED.currency, starts_at = EXCLUDED.starts_at,
                ends_at = EXCLUDED.ends_at, enabled = EXCLUDED.enabled, updated_at = now()
         RETURNING id",
        draft.slug,
        draft.reward,
        draft.currency,
        draft.starts_at as _,
        draft.ends_at as _,
        draft.enabled
    )
    .fetch_one(&mut *tx)
    .await?;
    for (locale, text) in [("en", &draft.en), ("ru", &draft.ru)] {
        if text.title.trim().is_empty() {
            sqlx::query!(
                "DELETE FROM quest_texts WHERE quest_id = $1 AND locale = $2",
                id,
                locale
            )
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query!(
                "INSERT INTO quest_texts (quest_id, locale, title, story) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (quest_id, locale) DO UPDATE SET title = EXCLUDED.title, story = EXCLUDED.story",
                id,
                locale,
                text.title.trim(),
                text.story.trim()
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    store_steps(&mut tx, id, &steps).await?;
    let after = json!({
        "slug": draft.slug, "reward": draft.reward, "currency": draft.currency,
        "starts_at": draft.starts_at, "ends_at": draft.ends_at, "enabled": draft.enabled,
        "title": draft.en.title, "steps": draft.steps.iter().map(|s| json!({
            "kind": s.kind, "subject": s.subject, "target": s.target })).collect::<Vec<_>>(),
    });
    crate::audit::record(
        &mut tx,
        actor,
        "save",
        crate::audit::Entity::Quest,
        Some(id),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces the quest's steps by `steps`, unless they are the same; a quest
/// someone has progressed in keeps its steps.
async fn store_steps(conn: &mut PgConnection, quest_id: i64, steps: &[Step]) -> Result<()> {
    let current = sqlx::query!(
        r#"SELECT kind, code_id, group_id, campaign_id, egg_code_ids, target
             FROM quest_steps WHERE quest_id = $1 ORDER BY position"#,
        quest_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let same = current.len() == steps.len()
        && current.iter().zip(steps).all(|(c, s)| {
            c.kind == s.kind
                && c.code_id == s.code_id
                && c.group_id == s.group_id
                && c.campaign_id == s.campaign_id
                && c.egg_code_ids == s.egg_code_ids
                && c.target == s.target
        });
    if same {
        return Ok(());
    }
    let started = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM quest_credits k JOIN quest_steps s ON s.id = k.step_id
                           WHERE s.quest_id = $1) AS "started!""#,
        quest_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if started {
        return Err(Error::invalid(Problem::QuestInProgress));
    }
    sqlx::query!("DELETE FROM quest_steps WHERE quest_id = $1", quest_id)
        .execute(&mut *conn)
        .await?;
    for (position, step) in steps.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO quest_steps (quest_id, position, kind, code_id, group_id, campaign_id, egg_code_ids, target)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            quest_id,
            position as i32 + 1,
            step.kind,
            step.code_id,
            step.group_id,
            step.campaign_id,
            &step.egg_code_ids,
            step.target
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
