//! Group, campaign and partner forms as the core's catalog entries, and the
//! catalog page's lists as forms.

use promo_core::catalog::{Campaign, Group, Partner};
use promo_core::input;
use promo_core::Problem;

use crate::admin::models::*;

use super::{field_errors, read, reference};

pub fn group(form: &GroupForm) -> Group {
    Group {
        id: input::whole(&form.id).ok().flatten(),
        name: form.name.clone(),
        description: form.description.clone(),
    }
}

pub fn campaign(form: &CampaignForm) -> Result<Campaign, Vec<FieldError>> {
    let mut errors = Vec::new();
    let campaign = Campaign {
        id: input::whole(&form.id).ok().flatten(),
        name: form.name.clone(),
        channel: form.channel.trim().to_owned(),
        partner_id: reference(&form.partner_id, "partner_id", &mut errors),
        starts_at: read(input::time(&form.starts_at), "starts_at", &mut errors),
        ends_at: read(input::time(&form.ends_at), "ends_at", &mut errors),
        notes: form.notes.clone(),
    };
    if errors.is_empty() {
        Ok(campaign)
    } else {
        Err(errors)
    }
}

pub fn partner(form: &PartnerForm) -> Result<Partner, Vec<FieldError>> {
    let mut errors = Vec::new();
    let payout = read(input::whole::<i64>(&form.payout), "payout", &mut errors).unwrap_or(0);
    let partner = Partner {
        id: input::whole(&form.id).ok().flatten(),
        name: form.name.clone(),
        contact: form.contact.clone(),
        payout_per_activation: payout,
        payout_currency: form.currency.trim().to_uppercase(),
        notes: form.notes.clone(),
    };
    if errors.is_empty() {
        Ok(partner)
    } else {
        Err(errors)
    }
}

/// The field errors of problems the core found in a group, campaign or partner.
pub fn catalog_errors(problems: &[Problem]) -> Vec<FieldError> {
    field_errors(problems, |problem| match problem {
        Problem::NameRequired | Problem::NameChars | Problem::DuplicateCatalogName => "name",
        Problem::DescriptionTooLong => "description",
        Problem::ContactTooLong => "contact",
        Problem::NotesTooLong => "notes",
        Problem::UnknownChannel => "channel",
        Problem::EndBeforeStart => "ends_at",
        Problem::PayoutNegative => "payout",
        Problem::UnknownCurrency => "currency",
        Problem::Unknown(_) => "partner_id",
        _ => "",
    })
}

/// The catalog page's lists, as forms.
pub fn catalog(entries: promo_core::catalog::Entries) -> Catalog {
    let time =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map(input::time_input).unwrap_or_default();
    let id = |id: Option<i64>| id.map(|i| i.to_string()).unwrap_or_default();
    Catalog {
        groups: entries
            .groups
            .into_iter()
            .map(|(g, kind, codes)| {
                let form = GroupForm {
                    csrf: String::new(),
                    id: id(g.id),
                    name: g.name,
                    description: g.description,
                };
                (form, kind, codes)
            })
            .collect(),
        campaigns: entries
            .campaigns
            .into_iter()
            .map(|(c, codes)| {
                let form = CampaignForm {
                    csrf: String::new(),
                    id: id(c.id),
                    name: c.name,
                    channel: c.channel,
                    partner_id: id(c.partner_id),
                    starts_at: time(c.starts_at),
                    ends_at: time(c.ends_at),
                    notes: c.notes,
                };
                (form, codes)
            })
            .collect(),
        partners: entries
            .partners
            .into_iter()
            .map(|(p, codes)| {
                let form = PartnerForm {
                    csrf: String::new(),
                    id: id(p.id),
                    name: p.name,
                    contact: p.contact,
                    payout: p.payout_per_activation.to_string(),
                    currency: p.payout_currency,
                    notes: p.notes,
                };
                (form, codes)
            })
            .collect(),
    }
}
