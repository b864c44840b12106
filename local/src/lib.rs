//! The local portal: every area's Router over the embedded store, behind a stand-in for API
//! Gateway (request context and JWT authorizer), with the frontend served at `/`.

pub mod checkout;
pub mod config;
mod dev;
mod feed;
pub mod gateway;
pub mod reminders;
mod storage;

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::{HeaderName, HeaderValue};
use portal_api::metrics::{LocalMetrics, MetricSink};
use portal_api::principal::{OFFICERS_GROUP, SUPPORT_GROUP};
use portal_applications::ApplicationsState;
use portal_appointments::AppointmentsState;
use portal_auth::AuthState;
use portal_billing::BillingState;
use portal_documents::DocumentsState;
use portal_domain::application_documents::{Documents, QUARANTINE_DAYS, QUARANTINE_FOLDER};
use portal_domain::application_types::Catalog;
use portal_domain::appointments::Appointments;
use portal_domain::appointments::locations::Locations;
use portal_domain::clock::{Clock, SystemClock};
use portal_domain::email::Email;
use portal_domain::identity::{Identity as _, IdentityError, SignUp};
use portal_domain::notifications::{Dispatcher, notify_receives};
use portal_domain::password::Password;
use portal_domain::profile::{Language, Profile, Profiles};
use portal_domain::table::Table;
use portal_domain::verification::Verifier;
use portal_messages::MessagesState;
use portal_officer::OfficerState;
use portal_payments::{PaymentsConfig, PaymentsState};
use portal_profile::ProfileState;
use portal_representatives::RepresentativesState;
use portal_store::embedded::{ChangeFeed, EmbeddedTable};
use portal_store::local_blobs::LocalBlobs;
use portal_store::local_identity::LocalIdentity;
use portal_store::local_identity::passkeys::RelyingParty;
use portal_store::local_identity::signing::Signer;
use portal_store::outbox::Outbox;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::checkout::LocalGateway;
use crate::config::PortalConfig;
use crate::gateway::JwtAuthorizer;

/// File of the embedded store, inside the data folder.
const STORE_FILE: &str = "portal.redb";

/// Sign-in email of the demo officer the local portal creates on first start.
pub const DEMO_OFFICER_EMAIL: &str = "officer@portal.local";
/// Password of the demo officer (local mode only; printed by `make run`).
pub const DEMO_OFFICER_PASSWORD: &str = "demo officer passphrase";

/// The local stand-ins for AWS, opened over the data folder: the embedded table, the identity
/// provider and its signing key, the outbox, the documents' files. The portal and the admin CLI share them.
pub struct LocalServices {
    /// The embedded store.
    pub table: Arc<dyn Table>,
    /// The local identity provider's signing key.
    pub signer: Signer,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Where messages go.
    pub outbox: Arc<Outbox>,
    /// The local identity provider.
    pub identity: Arc<LocalIdentity>,
    /// The documents' files.
    pub blobs: Arc<LocalBlobs>,
    /// Every item the store writes, logged durably with its commit (the local stand-in for the
    /// table's stream).
    pub changes: ChangeFeed,
}

impl LocalServices {
    /// Opens the data folder, creating it and its files on first use. redb allows one process
    /// at a time on a store: stop the portal before running the admin CLI on the same folder.
    pub fn open(config: &PortalConfig) -> Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating the data folder {}", config.data_dir.display()))?;
        let store = config.data_dir.join(STORE_FILE);
        let embedded = EmbeddedTable::open_with_stream_filter(&store, notify_receives)
            .with_context(|| format!("opening {}", store.display()))?;
        let changes = embedded.changes().context("the store's change feed has one subscriber")?;
        let table: Arc<dyn Table> = Arc::new(embedded);
        let signer = Signer::load_or_create(&config.data_dir)?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let outbox = Arc::new(Outbox::new(Arc::clone(&table), Arc::clone(&clock), config.echo_messages));
        let identity = Arc::new(LocalIdentity::new(
            Arc::clone(&table),
            outbox.clone(),
            Arc::clone(&clock),
            signer.clone(),
            config.hash_cost,
            RelyingParty::new(&config.passkey_origin)?,
        )?);
        let blobs = Arc::new(LocalBlobs::open(&config.data_dir, Arc::clone(&clock))?);
        // The bucket's lifecycle rule, applied at each start: uploads left in quarantine go.
        let quarantine_age = Duration::from_secs(QUARANTINE_DAYS * 86_400);
        blobs.expire(QUARANTINE_FOLDER, quarantine_age).context("expiring old uploads")?;
        // Data exports last as long as uploads in quarantine (the bucket's rule for both).
        blobs.expire(portal_profile::EXPORTS_FOLDER, quarantine_age).context("expiring old exports")?;
        Ok(Self { table, signer, clock, outbox, identity, blobs, changes })
    }
}

/// A built portal: its router and what tests and tools need beside it.
pub struct Portal {
    /// The whole site: `/api`, the JWKS and the frontend.
    pub router: Router,
    /// The local identity provider's signing key.
    pub signer: Signer,
    /// The embedded store (admin tools and tests write through it while the portal runs).
    pub table: Arc<dyn Table>,
    /// The local identity provider.
    pub identity: Arc<LocalIdentity>,
    /// Delivers the store's changes to notifications, once spawned (`spawn` runs it beside the
    /// server and stops it with the server). It runs until `stop_notifier` says so: the store it
    /// listens to lives as long as the dispatcher that writes to it.
    pub notifier: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// Set to `true` to have the notifier end once its store work in hand is done (aborting it
    /// instead would leave that work holding the store open for a moment).
    pub stop_notifier: watch::Sender<bool>,
}

impl Portal {
    /// Opens the data folder (creating it), builds every area over the embedded store and the
    /// local identity provider, and creates the demo officer on first start.
    pub async fn build(config: &PortalConfig) -> Result<Self> {
        let LocalServices { table, signer, clock, outbox, identity, blobs, changes } = LocalServices::open(config)?;
        let catalog = Arc::new(Catalog::load()?);
        let dispatcher = Dispatcher::new(
            Arc::clone(&table),
            outbox.clone(),
            Arc::clone(&clock),
            Arc::clone(&catalog),
            config.site.clone(),
        );
        let (stop_notifier, stop) = watch::channel(false);
        // Requests, and what notify, scan and remind handle, are counted here rather than
        // printed as metric lines (portal_api::metrics).
        let metrics = Arc::new(LocalMetrics::default());
        let sink = MetricSink::Local(Arc::clone(&metrics));
        // The notifier and the appointment reminders' timer run side by side, and stop together.
        let locations = Arc::new(Locations::load()?);
        let appointments =
            Appointments::new(Arc::clone(&table), Arc::clone(&locations), config.appointment_cutoff_hours * 3600);
        let reminders = reminders::run(appointments, Arc::clone(&clock), sink.clone(), stop.clone());
        let feed = feed::run(changes, dispatcher, sink.clone(), stop);
        let notifier = Box::pin(async move {
            tokio::join!(feed, reminders);
        });
        let authorizer = Arc::new(JwtAuthorizer::new(&signer)?);
        create_demo_officer(&identity, &table).await?;
        let verifier = Verifier::new(Documents::new(Arc::clone(&table)), blobs.clone(), Arc::clone(&clock));
        // The test gateway and the webhook route share a secret drawn at each start.
        let webhook_secret =
            (config.webhook_secret.clone()).unwrap_or_else(|| format!("whsec_local_{}", uuid::Uuid::new_v4().simple()));
        let test_gateway = Arc::new(LocalGateway::new(webhook_secret.clone(), Arc::clone(&clock)));
        let payments = PaymentsConfig { return_base: String::new(), webhook_secrets: vec![webhook_secret] };

        let areas = Router::new()
            .merge(portal_system::router(config.site.clone())?)
            .merge(portal_profile::router(ProfileState::new(Arc::clone(&table), blobs.clone(), Arc::clone(&clock)))?)
            .merge(portal_auth::router(AuthState::new(
                identity.clone(),
                Arc::clone(&table),
                outbox.clone(),
                Arc::clone(&clock),
            ))?)
            .merge(portal_applications::router(ApplicationsState::new(
                Arc::clone(&table),
                Arc::clone(&catalog),
                Arc::clone(&clock),
            ))?)
            .merge(portal_documents::router(DocumentsState::new(
                Arc::clone(&table),
                blobs.clone(),
                Arc::clone(&catalog),
                Arc::clone(&clock),
            ))?)
            .merge(portal_messages::router(MessagesState::new(Arc::clone(&table), Arc::clone(&clock)))?)
            .merge(portal_payments::router(PaymentsState::new(
                Arc::clone(&table),
                Arc::clone(&catalog),
                Arc::clone(&clock),
                test_gateway.clone(),
                payments,
            ))?)
            .merge(portal_billing::router(BillingState::new(
                Arc::clone(&table),
                Arc::clone(&catalog),
                Arc::clone(&clock),
            ))?)
            .merge(portal_appointments::router(AppointmentsState::new(
                Arc::clone(&table),
                Arc::clone(&locations),
                config.appointment_cutoff_hours * 3600,
                Arc::clone(&clock),
            ))?)
            .merge(portal_representatives::router(RepresentativesState::new(
                Arc::clone(&table),
                outbox.clone(),
                Arc::clone(&clock),
            ))?)
            .merge(portal_officer::router(OfficerState::new(Arc::clone(&table), catalog, Arc::clone(&clock)))?)
            .merge(dev::router(outbox, Arc::clone(&metrics)))
            .merge(storage::router(blobs, verifier, sink.clone()))
            .route_layer(middleware::from_fn_with_state(authorizer, gateway::authorize));
        let api = portal_api::app(areas).layer(axum::Extension(sink));
        let api = Arc::new(api.layer(middleware::from_fn(gateway::request_context)));
        test_gateway.deliver_to(&api);

        let jwks = signer.jwks();
        let index = config.frontend_dir.join("index.html");
        let site = Router::new()
            .route("/.well-known/jwks.json", get(move || async move { Json(jwks) }))
            .merge(checkout::router(test_gateway, &config.frontend_dir))
            .fallback_service(ServeDir::new(&config.frontend_dir).fallback(ServeFile::new(index)));
        let site = with_security_headers(site);
        let router = site.layer(middleware::from_fn(move |request: Request, next: Next| {
            let api = Router::clone(&api);
            async move { route_api(api, request, next).await }
        }));
        Ok(Self { router, signer, table, identity, notifier, stop_notifier })
    }
}

/// The web app's security headers, as CloudFront's response headers policy sets them in AWS
/// (uploads and downloads are same-origin here, so the CSP needs no storage endpoint).
fn with_security_headers(site: Router) -> Router {
    const HEADERS: [(&str, &str); 4] = [
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
    ];
    HEADERS.into_iter().fold(site, |site, (name, value)| {
        site.layer(SetResponseHeaderLayer::overriding(HeaderName::from_static(name), HeaderValue::from_static(value)))
    })
}

/// Creates the demo officer unless it exists (it enrols an authenticator at first sign-in). It
/// is on the support desk too, so every officer screen can be tried locally.
async fn create_demo_officer(identity: &LocalIdentity, table: &Arc<dyn Table>) -> Result<()> {
    let officer = SignUp {
        email: Email::parse(DEMO_OFFICER_EMAIL)?,
        password: Password::parse(DEMO_OFFICER_PASSWORD)?,
        given_name: "Demo".into(),
        family_name: "Officer".into(),
        language: Language::En,
    };
    match identity.admin_create_user(&officer, &[OFFICERS_GROUP, SUPPORT_GROUP]).await {
        // Its profile holds its address, as every account's does (the account pages read it).
        Ok(sub) => {
            let profile = Profile::new(&officer.email, officer.given_name, officer.family_name, officer.language);
            Profiles::new(Arc::clone(table)).put(&sub, &profile).await.context("writing the demo officer's profile")
        }
        Err(IdentityError::AccountExists) => Ok(()),
        Err(error) => Err(error).context("creating the demo officer"),
    }
}

/// Sends `/api` and everything under it to the API, the rest to the site.
async fn route_api(api: Router, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        api.oneshot(request).await.into_response()
    } else {
        next.run(request).await
    }
}

/// A portal serving on a bound listener.
pub struct RunningPortal {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The signing key of its identity provider.
    pub signer: Signer,
    /// Its store.
    pub table: Arc<dyn Table>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    notifier: tokio::task::JoinHandle<()>,
    stop_notifier: watch::Sender<bool>,
}

impl RunningPortal {
    /// Stops accepting connections, lets requests in flight finish, and waits for the server.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let served = (&mut self.server).await.context("server task")?.context("server");
        // The notifier holds the store open: wait until it is gone. What it had not acknowledged
        // is delivered at the next start.
        let _ = self.stop_notifier.send(true);
        (&mut self.notifier).await.context("notifier task")?;
        served
    }
}

/// Builds the portal and serves it on `listener` in a background task.
pub async fn spawn(config: &PortalConfig, listener: TcpListener) -> Result<RunningPortal> {
    let addr = listener.local_addr()?;
    let portal = Portal::build(config).await?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, portal.router.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    let notifier = tokio::spawn(portal.notifier);
    Ok(RunningPortal {
        addr,
        signer: portal.signer,
        table: portal.table,
        shutdown: Some(shutdown),
        server,
        notifier,
        stop_notifier: portal.stop_notifier,
    })
}
