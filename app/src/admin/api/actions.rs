//! The dashboard's server functions for rewards of platform actions: the
//! list, and saving one action key's reward (added or changed).

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::admin::models::*;

#[cfg(feature = "ssr")]
const PAGE: &str = "/admin/actions";

#[server(endpoint = "admin/load_action_rewards")]
pub async fn load_action_rewards() -> Result<ActionRewardsPage, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    let rewards = crate::core::actions::list(&request.pool)
        .await
        .map_err(ssr::fail)?;
    let currencies = crate::core::catalog::choices(&request.pool)
        .await
        .map_err(ssr::fail)?
        .currencies;
    Ok(ActionRewardsPage {
        rewards,
        currencies,
    })
}

/// Adds an action key's reward, or changes the one it has.
#[server(endpoint = "admin/save_action_reward")]
pub async fn save_action_reward(
    #[server(flatten)] form: ActionRewardForm,
) -> Result<Saved, ServerFnError> {
    use crate::core::audit::Actor;
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let outcome = match crate::admin::forms::action_reward(&form) {
        Err(errors) => Err(errors),
        Ok(reward) => {
            match crate::core::actions::save(&request.pool, Actor::Admin(admin.id), &reward).await {
                // Keyed by the action, without an id.
                Ok(()) => Ok(0),
                Err(crate::core::Error::Invalid(problems)) => {
                    Err(crate::admin::forms::action_reward_errors(&problems))
                }
                Err(e) => return Err(ssr::fail(e)),
            }
        }
    };
    request.saved_or_back(PAGE, &form, outcome).await
}
