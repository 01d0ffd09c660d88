//! The events other platform modules hear about. Each is written to the
//! outbox (`outbox_events`) in the transaction of the change it reports, so
//! an event exists exactly when its change committed; `delivery` takes it
//! from there. `promo.activated` is written by the claim's SQL and the block
//! topics by a trigger on `input_blocks`; the rest here.

use chrono::Utc;
use serde_json::{json, Value};
use sqlx::PgConnection;

use crate::activation::Channel;
use crate::audit::Entity;
use crate::error::RefusalKind;

/// Every topic, as subscribers name them (webhook filters, NATS subjects
/// `promocodes.<topic>`). The README's event catalogue documents each payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    PromoActivated,
    PromoRefused,
    CodeCreated,
    CodeUpdated,
    CodeDeleted,
    SeriesFinished,
    BlockCreated,
    BlockLifted,
    CodeIssued,
    ActionRewarded,
    ReferralRewarded,
    QuestProgressed,
    QuestCompleted,
}

impl Topic {
    pub const ALL: [Topic; 13] = [
        Self::PromoActivated,
        Self::PromoRefused,
        Self::CodeCreated,
        Self::CodeUpdated,
        Self::CodeDeleted,
        Self::SeriesFinished,
        Self::BlockCreated,
        Self::BlockLifted,
        Self::CodeIssued,
        Self::ActionRewarded,
        Self::ReferralRewarded,
        Self::QuestProgressed,
        Self::QuestCompleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PromoActivated => "promo.activated",
            Self::PromoRefused => "promo.refused",
            Self::CodeCreated => "code.created",
            Self::CodeUpdated => "code.updated",
            Self::CodeDeleted => "code.deleted",
            Self::SeriesFinished => "series.finished",
            Self::BlockCreated => "block.created",
            Self::BlockLifted => "block.lifted",
            Self::CodeIssued => "code.issued",
            Self::ActionRewarded => "action.rewarded",
            Self::ReferralRewarded => "referral.rewarded",
            Self::QuestProgressed => "quest.progressed",
            Self::QuestCompleted => "quest.completed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|topic| topic.as_str() == text)
    }
}

/// Writes one event in the caller's transaction.
pub async fn publish(conn: &mut PgConnection, topic: Topic, payload: Value) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO outbox_events (topic, payload) VALUES ($1, $2)",
        topic.as_str(),
        payload
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Which refusals are events: what was said about a code. A blocked or
/// cooling-down player's attempts are not (`block.created` told already),
/// nor is text that is no code at all, nor the database failing.
pub fn is_refusal_event(kind: RefusalKind) -> bool {
    !matches!(
        kind,
        RefusalKind::Malformed
            | RefusalKind::LockedOut
            | RefusalKind::Cooldown
            | RefusalKind::Throttled
            | RefusalKind::Internal
    )
}

/// `promo.refused`: the kind only, never the typed text. `code_id` is given
/// for a code that exists and is enabled; a guess (unknown or disabled) says
/// `unknown` either way, as the player was told.
pub async fn refused(
    conn: &mut PgConnection,
    kind: RefusalKind,
    player_id: i64,
    code_id: Option<i64>,
    channel: Channel,
) -> sqlx::Result<()> {
    let (kind, code_id) = match kind {
        RefusalKind::Unknown | RefusalKind::Disabled => (RefusalKind::Unknown, None),
        other => (other, code_id),
    };
    let payload = json!({
        "kind": kind.as_str(),
        "player_id": player_id,
        "code_id": code_id,
        "channel": channel.as_str(),
        "refused_at": Utc::now(),
    });
    publish(conn, Topic::PromoRefused, payload).await
}

/// The topic of an audited admin change, if other modules hear of it.
pub fn topic_of_change(entity: Entity, action: &str) -> Option<Topic> {
    match (entity, action) {
        (Entity::Code, "create" | "clone" | "import") => Some(Topic::CodeCreated),
        (Entity::Code, "delete") => Some(Topic::CodeDeleted),
        // An announcement changes nothing about the code.
        (Entity::Code, "announce") => None,
        (Entity::Code, _) => Some(Topic::CodeUpdated),
        _ => None,
    }
}

/// `code.created`, `code.updated` or `code.deleted` for an audited change of
/// a code: what it is after the change (before it, for a deletion).
pub async fn code_changed(
    conn: &mut PgConnection,
    topic: Topic,
    action: &str,
    actor: crate::audit::Actor,
    code: &Value,
) -> sqlx::Result<()> {
    let field = |name: &str| code.get(name).cloned().unwrap_or(Value::Null);
    let payload = json!({
        "action": action,
        "admin_id": actor.admin_id(),
        "api_key_id": actor.api_key_id(),
        "code": {
            "code_id": field("id"),
            "name": field("name"),
            "egg_slug": field("egg_slug"),
            "enabled": field("enabled"),
            "currency": field("currency"),
            "initial_reward": field("initial_reward"),
            "min_reward": field("min_reward"),
            "decrease_step": field("decrease_step"),
            "current_reward": field("current_reward"),
            "activation_limit": field("activation_limit"),
            "activation_count": field("activation_count"),
            "starts_at": field("starts_at"),
            "ends_at": field("ends_at"),
            "group_id": field("group_id"),
            "campaign_id": field("campaign_id"),
            "partner_id": field("partner_id"),
            "eligible_tiers": field("eligible_tiers"),
            "eligible_tags": field("eligible_tags"),
            "new_player_days": field("new_player_days"),
        },
    });
    publish(conn, topic, payload).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_reads_back_from_its_name() {
        for topic in Topic::ALL {
            assert_eq!(Topic::parse(topic.as_str()), Some(topic));
        }
        assert_eq!(Topic::parse("promo.*"), None);
    }

    #[test]
    fn only_what_was_said_about_a_code_is_a_refusal_event() {
        assert!(is_refusal_event(RefusalKind::Exhausted));
        assert!(is_refusal_event(RefusalKind::Unknown));
        assert!(!is_refusal_event(RefusalKind::LockedOut));
        assert!(!is_refusal_event(RefusalKind::Malformed));
    }
}
