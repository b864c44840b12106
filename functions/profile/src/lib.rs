//! The profile area: who the caller is, their profile and notification preferences, and who
//! accessed their files.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use portal_api::body::JsonBody;
use portal_api::principal::Principal;
use portal_api::problem::{ApiError, FieldError};
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_documents::DocumentRequest;
use portal_domain::applications::{Applications, HistoryEntry, Summary};
use portal_domain::audit::{Audit, Outcome};
use portal_domain::clock::Clock;
use portal_domain::messages::Message;
use portal_domain::notifications::Notifications;
use portal_domain::profile::{Language, Profile, Profiles, is_e164};
use portal_domain::sessions::Revocations;
use portal_domain::table::Table;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What the area's handlers need.
#[derive(Clone)]
pub struct ProfileState {
    profiles: Profiles,
    applications: Applications,
    audit: Audit,
    notifications: Notifications,
    revocations: Revocations,
    clock: Arc<dyn Clock>,
}

impl ProfileState {
    /// State over a table.
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Self {
        Self {
            profiles: Profiles::new(Arc::clone(&table)),
            applications: Applications::new(Arc::clone(&table)),
            audit: Audit::new(Arc::clone(&table)),
            notifications: Notifications::new(Arc::clone(&table), Arc::clone(&clock)),
            revocations: Revocations::new(table),
            clock,
        }
    }
}

/// The area's router.
pub fn router(state: ProfileState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Profile, |route| match route.function {
        "GetMe" => Some(route.serve(get_me)),
        "UpdateMe" => Some(route.serve(update_me)),
        "GetMyActivity" => Some(route.serve(get_my_activity)),
        "ExportMyData" => Some(route.serve(export)),
        _ => None,
    })?;
    Ok(router.layer(Extension(state.revocations.clone())).with_state(state))
}

/// The body of `GET /api/me`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Me {
    sub: String,
    groups: Vec<String>,
    profile: Option<Profile>,
}

async fn get_me(principal: Principal, State(state): State<ProfileState>) -> Result<Json<Me>, ApiError> {
    let profile = state.profiles.get(&principal.sub).await?;
    Ok(Json(Me { sub: principal.sub, groups: principal.groups, profile }))
}

/// Notification channels to change; absent fields stay as they are.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelsPatch {
    email: Option<bool>,
    sms: Option<bool>,
    /// `null` removes the number.
    #[serde(default, deserialize_with = "present")]
    phone: Option<Option<String>>,
}

/// Tells a field set to `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// The body of `PATCH /api/me`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MePatch {
    preferred_language: Option<Language>,
    notifications: Option<ChannelsPatch>,
}

/// Changes the caller's language and notification channels. Text messages need a mobile number
/// in E.164 form.
async fn update_me(
    principal: Principal,
    State(state): State<ProfileState>,
    JsonBody(patch): JsonBody<MePatch>,
) -> Result<Json<Profile>, ApiError> {
    let mut profile = state.profiles.get(&principal.sub).await?.ok_or(ApiError::NotFound)?;
    if let Some(language) = patch.preferred_language {
        profile.preferred_language = language;
    }
    if let Some(channels) = patch.notifications {
        let preferences = &mut profile.notifications;
        preferences.email = channels.email.unwrap_or(preferences.email);
        preferences.sms = channels.sms.unwrap_or(preferences.sms);
        if let Some(phone) = channels.phone {
            preferences.phone = phone.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
        }
    }
    let preferences = &profile.notifications;
    let mut errors = Vec::new();
    if preferences.phone.as_deref().is_some_and(|phone| !is_e164(phone)) {
        errors.push(FieldError::new("notifications.phone", "invalid-phone"));
    } else if preferences.sms && preferences.phone.is_none() {
        errors.push(FieldError::new("notifications.phone", "required"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    state.profiles.put(&principal.sub, &profile).await?;
    Ok(Json(profile))
}

/// One line of the caller's activity: who did what to one of their applications, and when.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Activity {
    application_id: String,
    at: u64,
    /// The applicant's own id on their own actions; officers and anyone else are shown by role
    /// only (`AuditRecord::actor_shown_to_applicant`).
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<String>,
    role: String,
    action: String,
    outcome: Outcome,
}

async fn get_my_activity(
    principal: Principal,
    State(state): State<ProfileState>,
) -> Result<Json<Vec<Activity>>, ApiError> {
    let applications = state.applications.dashboard(&principal.sub).await?;
    Ok(Json(state.activity(&applications).await?))
}

impl ProfileState {
    /// Who did what to these applications, newest first.
    async fn activity(&self, applications: &[Summary]) -> Result<Vec<Activity>, ApiError> {
        let mut activity = Vec::new();
        for application in applications {
            for record in self.audit.of(&application.id).await? {
                let actor = record.actor_shown_to_applicant().map(str::to_owned);
                activity.push(Activity {
                    application_id: application.id.clone(),
                    at: record.at,
                    actor,
                    role: record.role,
                    action: record.action,
                    outcome: record.outcome,
                });
            }
        }
        activity.sort_by_key(|line| std::cmp::Reverse(line.at));
        Ok(activity)
    }
}

/// Everything the portal keeps about the caller (their right of access): the profile, each
/// application as they see it — answers, history, documents, requests, messages — their
/// notifications and who accessed their files. Served as a file to download.
async fn export(principal: Principal, State(state): State<ProfileState>) -> Result<Response, ApiError> {
    let profile = state.profiles.get(&principal.sub).await?;
    let summaries = state.applications.dashboard(&principal.sub).await?;
    let mut applications = Vec::new();
    for summary in &summaries {
        let Some(case) = state.applications.case(&summary.id).await? else { continue };
        applications.push(json!({
            "application": case.application,
            "history": case.history.iter().map(HistoryEntry::applicant_view).collect::<Vec<_>>(),
            "documents": case.documents,
            "documentRequests": case.requests.iter().map(DocumentRequest::applicant_view).collect::<Vec<_>>(),
            "messages": case.messages.iter().map(Message::applicant_view).collect::<Vec<_>>(),
        }));
    }
    let activity = state.activity(&summaries).await?;
    let export = json!({
        "exportedAt": state.clock.now(),
        "sub": principal.sub,
        "profile": profile,
        "applications": applications,
        "notifications": state.notifications.of(&principal.sub).await?,
        "activity": activity,
    });
    let mut response = Json(export).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"my-portal-data.json\""));
    Ok(response)
}
