//! The profile area: who the caller is, their profile and notification preferences, and who
//! accessed their files.

use std::sync::Arc;

use axum::extract::State;
use axum::{Json, Router};
use portal_api::body::JsonBody;
use portal_api::contract::Page;
use portal_api::contract::profile::{Activity, DataExport, ExportedApplication, Me, MePatch};
use portal_api::paging::Paging;
use portal_api::principal::Principal;
use portal_api::problem::ApiError;
use portal_api::routes::{self, Area, MissingHandler};
use portal_domain::application_documents::Documents;
use portal_domain::applications::{Applications, Summary};
use portal_domain::audit::Audit;
use portal_domain::blobs::{Blobs, PresignedDownload};
use portal_domain::case_view::{DocumentRequestView, HistoryView, Party};
use portal_domain::clock::Clock;
use portal_domain::messages::{MessageView, Messages, Side};
use portal_domain::notifications::Notifications;
use portal_domain::paging::{self, PageRequest, Paged};
use portal_domain::profile::{Profile, Profiles};
use portal_domain::sessions::Revocations;
use portal_domain::site::account_reference;
use portal_domain::table::Table;

/// What the area's handlers need.
#[derive(Clone)]
pub struct ProfileState {
    profiles: Profiles,
    applications: Applications,
    documents: Documents,
    messages: Messages,
    audit: Audit,
    notifications: Notifications,
    blobs: Arc<dyn Blobs>,
    revocations: Revocations,
    clock: Arc<dyn Clock>,
}

/// Where data exports are assembled (the bucket's lifecycle rule expires them after a day).
pub const EXPORTS_FOLDER: &str = "exports";

impl ProfileState {
    /// State over a table, with exports assembled in `blobs`.
    pub fn new(table: Arc<dyn Table>, blobs: Arc<dyn Blobs>, clock: Arc<dyn Clock>) -> Self {
        Self {
            blobs,
            profiles: Profiles::new(Arc::clone(&table)),
            applications: Applications::new(Arc::clone(&table)),
            documents: Documents::new(Arc::clone(&table)),
            messages: Messages::new(Arc::clone(&table)),
            audit: Audit::new(Arc::clone(&table)),
            notifications: Notifications::new(Arc::clone(&table), Arc::clone(&clock)),
            revocations: Revocations::new(table),
            clock,
        }
    }
}

/// The area's router.
pub fn router(state: ProfileState) -> Result<Router, MissingHandler> {
    let router = routes::area_router(Area::Profile, state.revocations.clone(), |route| match route.function {
        "GetMe" => Some(route.serve(get_me)),
        "UpdateMe" => Some(route.serve(update_me)),
        "GetMyActivity" => Some(route.serve(get_my_activity)),
        "ExportMyData" => Some(route.serve(export)),
        _ => None,
    })?;
    Ok(router.with_state(state))
}

async fn get_me(principal: Principal, State(state): State<ProfileState>) -> Result<Json<Me>, ApiError> {
    let profile = state.profiles.get(&principal.sub).await?;
    Ok(Json(Me { reference: account_reference(&principal.sub), sub: principal.sub, groups: principal.groups, profile }))
}

/// Changes the caller's language and notification channels. Text messages need a mobile number
/// in E.164 form.
async fn update_me(
    principal: Principal,
    State(state): State<ProfileState>,
    JsonBody(patch): JsonBody<MePatch>,
) -> Result<Json<Profile>, ApiError> {
    let mut profile = state.profiles.get(&principal.sub).await?.ok_or(ApiError::NotFound)?;
    patch.apply(&mut profile)?;
    state.profiles.put(&principal.sub, &profile).await?;
    Ok(Json(profile))
}

/// One page of who did what to the caller's applications: each application's trail newest
/// first, one application after the other.
async fn get_my_activity(
    principal: Principal,
    State(state): State<ProfileState>,
    Paging(page): Paging,
) -> Result<Json<Page<Activity>>, ApiError> {
    let applications = state.own_applications(&principal.sub).await?;
    Ok(Json(state.activity(&applications, &page).await?.into()))
}

impl ProfileState {
    /// The caller's own applications: their dashboard without those they represent (a
    /// client's files are the client's to list and export).
    async fn own_applications(&self, sub: &str) -> Result<Vec<Summary>, ApiError> {
        let mut lines = self.applications.every_dashboard_line(sub, self.clock.now()).await?;
        lines.retain(|line| line.client.is_none());
        Ok(lines)
    }

    /// One page of the activity on these applications.
    async fn activity(&self, applications: &[Summary], page: &PageRequest) -> Result<Paged<Activity>, ApiError> {
        // In id order, which does not change between pages (the dashboard's order does).
        let mut ids: Vec<String> = applications.iter().map(|a| a.id.clone()).collect();
        ids.sort();
        let lines = self.audit.activity(&ids, page).await?;
        Ok(lines.map(|(application_id, record)| Activity {
            application_id,
            at: record.at,
            actor: record.actor_shown_to_applicant().map(str::to_owned),
            role: record.role,
            action: record.action,
            outcome: record.outcome,
            representative: record.representative,
            subject: record.subject,
        }))
    }
}

/// Everything the portal keeps about the caller (their right of access). It grows with the
/// caller's files, so it is not an answer (Lambda answers at most 6 MB, and a buffered answer
/// cannot stream): it is assembled as a file in storage, and the answer is a five-minute link to
/// download it.
async fn export(principal: Principal, State(state): State<ProfileState>) -> Result<Json<PresignedDownload>, ApiError> {
    let export = state.data_of(&principal.sub).await?;
    let bytes = serde_json::to_vec(&export).map_err(|error| ApiError::Internal(Box::new(error)))?;
    let key = format!("{EXPORTS_FOLDER}/{}", uuid::Uuid::new_v4());
    state.blobs.put(&key, "application/json", bytes).await?;
    Ok(Json(state.blobs.presign_download(&key, "my-portal-data.json", "application/json").await?))
}

impl ProfileState {
    /// The caller's data: the profile, each application as they see it — answers, history,
    /// documents, requests, messages — their notifications and who accessed their files.
    async fn data_of(&self, sub: &str) -> Result<DataExport, ApiError> {
        let summaries = self.own_applications(sub).await?;
        let mut applications = Vec::new();
        for summary in &summaries {
            if let Some(application) = self.application_of(&summary.id).await? {
                applications.push(application);
            }
        }
        let notifications = paging::every(|page| async move { self.notifications.of(sub, &page).await }).await?;
        let summaries = &summaries;
        let activity = paging::every(|page| async move { self.activity(summaries, &page).await }).await?;
        let profile = self.profiles.get(sub).await?;
        Ok(DataExport {
            exported_at: self.clock.now(),
            sub: sub.to_owned(),
            profile,
            applications,
            notifications,
            activity,
        })
    }

    /// One application, whole, as its applicant sees it.
    async fn application_of(&self, id: &str) -> Result<Option<ExportedApplication>, ApiError> {
        let Some(application) = self.applications.get(id).await? else { return Ok(None) };
        let history = paging::every(|page| async move { self.applications.history(id, &page).await }).await?;
        let messages = paging::every(|page| async move { self.messages.thread(id, &page).await }).await?;
        Ok(Some(ExportedApplication {
            application,
            history: history.into_iter().map(|entry| HistoryView::for_party(entry, Party::Owner)).collect(),
            documents: self.documents.of(id).await?,
            document_requests: DocumentRequestView::all_for_party(self.documents.requests(id).await?, Party::Owner),
            messages: messages.into_iter().map(|message| MessageView::for_side(message, Side::Applicant)).collect(),
        }))
    }
}
