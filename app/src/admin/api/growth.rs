//! The dashboard's server functions for growth: the referral program (its
//! settings, figures and the review of held referrals), quests and loyalty
//! rules (the lists and saving one).

use leptos::prelude::*;
use leptos::server_fn::ServerFnError;

#[cfg(feature = "ssr")]
use super::ssr;
use crate::admin::models::Saved;
use crate::models::growth::*;

#[server(endpoint = "admin/load_referrals")]
pub async fn load_referrals() -> Result<ReferralsPage, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    let pool = &request.pool;
    let program = crate::core::referrals::current(pool)
        .await
        .map_err(ssr::fail)?;
    let report = crate::core::referrals::report::report(pool)
        .await
        .map_err(ssr::fail)?;
    let currencies = crate::core::catalog::choices(pool)
        .await
        .map_err(ssr::fail)?
        .currencies;
    Ok(ReferralsPage {
        form: crate::admin::forms::referral_program_form(program.as_ref()),
        report,
        currencies,
    })
}

#[server(endpoint = "admin/save_referral_program")]
pub async fn save_referral_program(
    #[server(flatten)] form: ReferralProgramForm,
) -> Result<Saved, ServerFnError> {
    use crate::core::audit::Actor;
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let outcome = match crate::admin::forms::referral_program(&form) {
        Err(errors) => Err(errors),
        Ok(program) => {
            match crate::core::referrals::save_program(
                &request.pool,
                Actor::Admin(admin.id),
                &program,
            )
            .await
            {
                // The program is one row, without an id.
                Ok(()) => Ok(0),
                Err(crate::core::Error::Invalid(problems)) => {
                    Err(crate::admin::forms::referral_program_errors(&problems))
                }
                Err(e) => return Err(ssr::fail(e)),
            }
        }
    };
    request
        .saved_or_back("/admin/referrals", &form, outcome)
        .await
}

/// Accepts (pays as the program says) or rejects a held referral.
#[server(endpoint = "admin/review_referral")]
pub async fn review_referral(
    csrf: String,
    referee_id: i64,
    decision: String,
) -> Result<bool, ServerFnError> {
    use crate::core::audit::Actor;
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&csrf)?;
    let decided = crate::core::referrals::review(
        &request.pool,
        Actor::Admin(admin.id),
        referee_id,
        decision == "accept",
    )
    .await
    .map_err(ssr::fail)?;
    if request.no_js {
        leptos_axum::redirect("/admin/referrals?reviewed=1");
    }
    Ok(decided)
}

#[server(endpoint = "admin/load_quests")]
pub async fn load_quests() -> Result<QuestsAdminPage, ServerFnError> {
    use crate::core::locale::Locale;
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    // Titles as written first (English); the list shows the slug beside.
    let quests = crate::core::quests::admin_list(&request.pool, Locale::En)
        .await
        .map_err(ssr::fail)?;
    let currencies = crate::core::catalog::choices(&request.pool)
        .await
        .map_err(ssr::fail)?
        .currencies;
    Ok(QuestsAdminPage { quests, currencies })
}

#[server(endpoint = "admin/save_quest")]
pub async fn save_quest(#[server(flatten)] form: QuestForm) -> Result<Saved, ServerFnError> {
    use crate::core::audit::Actor;
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let outcome = match crate::admin::forms::quest(&form) {
        Err(errors) => Err(errors),
        Ok(quest) => {
            match crate::core::quests::save(&request.pool, Actor::Admin(admin.id), &quest).await {
                Ok(id) => Ok(id),
                Err(crate::core::Error::Invalid(problems)) => {
                    Err(crate::admin::forms::quest_errors(&problems))
                }
                Err(e) => return Err(ssr::fail(e)),
            }
        }
    };
    request.saved_or_back("/admin/quests", &form, outcome).await
}

#[server(endpoint = "admin/load_loyalty")]
pub async fn load_loyalty() -> Result<LoyaltyPage, ServerFnError> {
    let request = ssr::AdminRequest::load().await?;
    request.reader()?;
    let rules = crate::core::loyalty::list(&request.pool)
        .await
        .map_err(ssr::fail)?;
    let currencies = crate::core::catalog::choices(&request.pool)
        .await
        .map_err(ssr::fail)?
        .currencies;
    Ok(LoyaltyPage { rules, currencies })
}

#[server(endpoint = "admin/save_loyalty_rule")]
pub async fn save_loyalty_rule(
    #[server(flatten)] form: LoyaltyRuleForm,
) -> Result<Saved, ServerFnError> {
    use crate::core::audit::Actor;
    let request = ssr::AdminRequest::load().await?;
    let admin = request.writer(&form.csrf)?;
    let outcome = match crate::admin::forms::loyalty_rule(&form) {
        Err(errors) => Err(errors),
        Ok(rule) => {
            match crate::core::loyalty::save(&request.pool, Actor::Admin(admin.id), &rule).await {
                Ok(id) => Ok(id),
                Err(crate::core::Error::Invalid(problems)) => {
                    Err(crate::admin::forms::loyalty_rule_errors(&problems))
                }
                Err(e) => return Err(ssr::fail(e)),
            }
        }
    };
    request
        .saved_or_back("/admin/loyalty", &form, outcome)
        .await
}
