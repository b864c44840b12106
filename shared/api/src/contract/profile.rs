//! The caller's own account data: profile, language and channels, activity, export.

use http::Method;

use portal_domain::application_documents::Document;
use portal_domain::applications::Application;
use portal_domain::audit::{Acting, Outcome};
use portal_domain::blobs::PresignedDownload;
use portal_domain::case_view::{DocumentRequestView, HistoryView};
use portal_domain::messages::MessageView;
use portal_domain::notifications::Notification;
use portal_domain::profile::{Language, Profile, is_e164};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Contract, Page, PageQuery};
use crate::body::optional_object;
use crate::problem::{ApiError, FieldErrors};
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/me",
        function: "GetMe",
        area: Area::Profile,
        auth: Auth::User,
        summary: "The signed-in caller: id, groups and profile",
        contract: Contract::json::<Me>(200),
    },
    Route {
        method: Method::PATCH,
        path: "/api/me",
        function: "UpdateMe",
        area: Area::Profile,
        auth: Auth::User,
        summary: "Change the caller's language and notification channels (email, SMS to an E.164 number)",
        contract: Contract::json::<Profile>(200).body::<MePatch>(),
    },
    Route {
        method: Method::GET,
        path: "/api/me/export",
        function: "ExportMyData",
        area: Area::Profile,
        auth: Auth::User,
        summary: "Everything the portal keeps about the caller: a five-minute link to a JSON file assembled in storage",
        contract: Contract::json::<PresignedDownload>(200),
    },
    Route {
        method: Method::GET,
        path: "/api/me/activity",
        function: "GetMyActivity",
        area: Area::Profile,
        auth: Auth::User,
        summary: "Who read or changed the caller's applications, newest first",
        contract: Contract::json::<Page<Activity>>(200).query::<PageQuery>(),
    },
];

/// The signed-in caller.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Me {
    /// The account's id.
    pub sub: String,
    /// The account's reference number, what the person gives support (`7K3M-Q9TD`; not the id).
    pub reference: String,
    /// The groups the account is in (`officers`).
    pub groups: Vec<String>,
    /// The profile; `null` for an account made outside the portal that never registered.
    pub profile: Option<Profile>,
}

/// The body of `PATCH /api/me`: what to change; fields left out stay as they are.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MePatch {
    /// The language of the portal, messages and notifications.
    pub preferred_language: Option<Language>,
    /// The notification channels.
    #[serde(default, deserialize_with = "optional_object")]
    pub notifications: Option<ChannelsPatch>,
}

impl MePatch {
    /// The profile with the changes made, or a 400 naming each field that does not fit.
    pub fn apply(self, profile: &mut Profile) -> Result<(), ApiError> {
        let mut errors = FieldErrors::new();
        if let Some(language) = self.preferred_language {
            profile.preferred_language = language;
        }
        if let Some(channels) = self.notifications {
            if channels.email.is_none() && channels.sms.is_none() && channels.phone.is_none() {
                errors.add("notifications", "required");
            }
            let preferences = &mut profile.notifications;
            preferences.email = channels.email.unwrap_or(preferences.email);
            preferences.sms = channels.sms.unwrap_or(preferences.sms);
            if let Some(phone) = channels.phone {
                preferences.phone = phone.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
            }
        }
        let preferences = &profile.notifications;
        if preferences.phone.as_deref().is_some_and(|phone| !is_e164(phone)) {
            errors.add("notifications.phone", "invalid-phone");
        } else if preferences.sms && preferences.phone.is_none() {
            errors.add("notifications.phone", "required");
        }
        errors.finish(())
    }
}

/// Notification channels to change (at least one); absent fields stay as they are.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("minProperties" = 1))]
pub struct ChannelsPatch {
    /// Email to the sign-in address.
    pub email: Option<bool>,
    /// Text messages to `phone` (which is then required).
    pub sms: Option<bool>,
    /// Mobile number in E.164 form (`+15145550123`); `null` or blank removes it.
    #[serde(default, deserialize_with = "present")]
    #[schemars(transform = without_default, regex(pattern = r"^\s*(\+[1-9][0-9]{6,14})?\s*$"))]
    pub phone: Option<Option<String>>,
}

/// A phone left out is not set to `null`: it stays as it is, so the schema names no default.
fn without_default(schema: &mut schemars::Schema) {
    schema.remove("default");
}

/// Tells a field set to `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// One line of the caller's activity: who did what to one of their applications, and when.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// The application.
    pub application_id: String,
    /// When (seconds since the epoch).
    pub at: u64,
    /// The applicant's own id on their own actions; officers and anyone else are shown by role
    /// only (`AuditRecord::actor_shown_to_applicant`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// `applicant`, `officer`, `representative`, ...
    pub role: String,
    /// What was done (`read`, `save-form`, ...).
    pub action: String,
    /// Whether it was allowed.
    pub outcome: Outcome,
    /// The representative who acted for the applicant: their name and firm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub representative: Option<Acting>,
    /// What it was about, where that helps to recognize it (an upload's file name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// The file `GET /api/me/export` links to: everything the portal keeps about the caller.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataExport {
    /// When it was assembled (seconds since the epoch).
    pub exported_at: u64,
    /// The account's id.
    pub sub: String,
    /// The profile.
    pub profile: Option<Profile>,
    /// Each application, as its applicant sees it.
    pub applications: Vec<ExportedApplication>,
    /// Every notification, newest first.
    pub notifications: Vec<Notification>,
    /// Who did what to the applications.
    pub activity: Vec<Activity>,
}

/// One application in a data export, whole: as its applicant sees it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportedApplication {
    /// The application with its answers.
    pub application: Application,
    /// Its whole history.
    pub history: Vec<HistoryView>,
    /// Its documents.
    pub documents: Vec<Document>,
    /// What officers asked for.
    pub document_requests: Vec<DocumentRequestView>,
    /// Its whole thread with the agency.
    pub messages: Vec<MessageView>,
}
