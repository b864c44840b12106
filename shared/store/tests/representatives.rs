//! Representatives on both stores: an accepted grant joins the application item and the
//! representative's dashboard in one transaction, and a revocation takes both away (C4); the
//! limits hold when requests arrive all at once: ten invitations a day per application, three
//! representatives at most, one acceptance per invitation; a grant change racing a form save
//! loses neither.

use std::sync::Arc;

use portal_domain::application_types::Catalog;
use portal_domain::applications::{Application, Applications};
use portal_domain::paging::PageRequest;
use portal_domain::profile::Language;
use portal_domain::representatives::consent;
use portal_domain::representatives::{
    Ask, GrantError, INVITATION_DAYS, Invitation, InvitationState, Invitee, MAX_INVITATIONS_PER_DAY,
    MAX_REPRESENTATIVES, Representatives, Scope, Standing,
};
use portal_domain::table::Table;
use portal_store::dynamodb::DynamoTable;
use portal_store::embedded::EmbeddedTable;
use serde_json::{Map, json};

/// Now, in the tests: 2027-01-15 08:00 UTC.
const T0: u64 = 1_800_000_000;

struct Fixture {
    applications: Applications,
    representatives: Representatives,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    fn over(table: Arc<dyn Table>, dir: Option<tempfile::TempDir>) -> Self {
        Self {
            applications: Applications::new(Arc::clone(&table)),
            representatives: Representatives::new(table),
            _dir: dir,
        }
    }

    async fn draft(&self, id: &str) -> Application {
        let visitor = Catalog::load().expect("catalog").get("visitor-visa").expect("type").clone();
        self.applications.create_draft("owner", &visitor, id.into(), T0).await.expect("draft")
    }

    async fn invite(&self, application: &Application, email: &str) -> Result<Invitation, GrantError> {
        let ask = Ask {
            email: email.into(),
            standing: Standing::Unpaid,
            scope: Scope::Full,
            ends_on: None,
            consent: consent::STATEMENT.confirmed(Language::En, T0),
        };
        self.representatives.invite(application, "owner@example.ca", "Marie Tremblay", ask, T0).await
    }
}

fn invitee(n: usize) -> Invitee {
    Invitee { user_id: format!("rep-{n}"), name: format!("Rep {n}"), email: format!("rep{n}@example.ca"), firm: None }
}

async fn embedded() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    Fixture::over(Arc::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store")), Some(dir))
}

async fn dynamodb() -> Fixture {
    let config = portal_emulator::sdk_config().await.expect("moto emulator");
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = portal_emulator::unique_name("representatives");
    portal_emulator::create_table_from_template(&client, &name).await.expect("create table");
    Fixture::over(Arc::new(DynamoTable::new(client, name)), None)
}

async fn c4_an_accepted_grant_is_on_the_application_and_the_dashboard_until_it_is_revoked(f: &Fixture) {
    let application = f.draft("a1").await;
    let invitation = f.invite(&application, "rep0@example.ca").await.expect("invited");
    let waiting = f.representatives.waiting_for("rep0@example.ca", T0 + 1, &PageRequest::first()).await.expect("list");
    assert_eq!(waiting.items, vec![invitation.clone()]);
    let found = f.representatives.invitation_for("rep0@example.ca", &invitation.id).await.expect("read");
    assert_eq!(found.as_ref(), Some(&invitation));
    assert_eq!(f.representatives.invitation_for("someone@example.ca", &invitation.id).await.expect("read"), None);

    let grant = f.representatives.accept(&invitation, &invitee(0), T0 + 2).await.expect("accepted");

    let stored = f.applications.get("a1").await.expect("read").expect("application");
    assert_eq!(stored.grant_of("rep-0", T0 + 3), Some(&grant));
    assert_eq!(stored.version, application.version + 1);
    let dashboard = f.applications.dashboard("rep-0", T0 + 3, &PageRequest::first()).await.expect("dashboard").items;
    assert_eq!(dashboard.len(), 1);
    let client = dashboard[0].client.as_ref().expect("a client's line");
    assert_eq!((client.name.as_str(), client.scope), ("Marie Tremblay", Scope::Full));
    assert!(
        f.applications
            .dashboard("owner", T0 + 3, &PageRequest::first())
            .await
            .expect("owner")
            .items
            .iter()
            .all(|line| line.client.is_none())
    );
    let again = f.representatives.accept(&invitation, &invitee(0), T0 + 4).await;
    assert!(matches!(again, Err(GrantError::NotOpen) | Err(GrantError::AlreadyRepresenting)), "{again:?}");
    let settled = f.representatives.invitation("a1", &invitation.id).await.expect("read").expect("invitation");
    assert_eq!(settled.state, InvitationState::Accepted);
    assert!(
        f.representatives
            .waiting_for("rep0@example.ca", T0 + 5, &PageRequest::first())
            .await
            .expect("list")
            .items
            .is_empty()
    );

    // An invitation not taken up in 14 days is gone from the invitee's list and cannot be taken.
    let late = f.invite(&application, "rep1@example.ca").await.expect("invited");
    let fortnight = T0 + INVITATION_DAYS * 86_400;
    let listed =
        f.representatives.waiting_for("rep1@example.ca", fortnight, &PageRequest::first()).await.expect("list");
    assert!(listed.items.is_empty(), "{listed:?}");
    assert!(matches!(f.representatives.accept(&late, &invitee(1), fortnight).await, Err(GrantError::NotOpen)));

    f.representatives.revoke("a1", "rep-0", T0 + 6).await.expect("revoked");

    let stored = f.applications.get("a1").await.expect("read").expect("application");
    assert_eq!(stored.grant_of("rep-0", T0 + 7), None, "C4: gone from the item every access check reads");
    assert!(
        f.applications.dashboard("rep-0", T0 + 7, &PageRequest::first()).await.expect("dashboard").items.is_empty()
    );
    assert!(matches!(f.representatives.revoke("a1", "rep-0", T0 + 8).await, Err(GrantError::NotFound)));
}

async fn fifty_invitations_at_once_send_the_day_s_ten(f: &Fixture) {
    let application = f.draft("a2").await;
    let attempts = (0..50).map(|n| {
        let application = &application;
        async move { f.invite(application, &format!("rep{n}@example.ca")).await }
    });
    let outcomes = futures::future::join_all(attempts).await;
    let sent = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
    assert_eq!(sent, usize::try_from(MAX_INVITATIONS_PER_DAY).expect("small"), "{outcomes:?}");
    assert!(outcomes.iter().all(|o| matches!(o, Ok(_) | Err(GrantError::TooManyToday { .. }))), "{outcomes:?}");
    let listed = f.representatives.of(&application, T0).await.expect("list").invitations;
    assert_eq!(listed.len(), sent, "a refused invitation left nothing behind");
}

async fn representatives_accepting_at_once_with_a_form_save_keep_three_grants_and_the_form(f: &Fixture) {
    let application = f.draft("a3").await;
    let mut invitations = Vec::new();
    for n in 0..6 {
        invitations.push(f.invite(&application, &format!("rep{n}@example.ca")).await.expect("invited"));
    }
    let mut data = Map::new();
    data.insert("familyName".into(), json!("Tremblay"));
    let accepts = invitations.iter().enumerate().map(|(n, invitation)| async move {
        f.representatives.accept(invitation, &invitee(n), T0 + 1).await.map(|_| ())
    });
    let save = async {
        // The applicant's save starts from the version it read: it may lose to a grant, never
        // overwrite one.
        f.applications.save_form(&application, data.clone(), application.version, T0 + 1).await.map(|_| ())
    };
    let (outcomes, saved) = tokio::join!(futures::future::join_all(accepts), save);
    let accepted = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
    assert!((1..=MAX_REPRESENTATIVES).contains(&accepted), "{outcomes:?}");
    assert!(
        outcomes.iter().all(|o| matches!(o, Ok(()) | Err(GrantError::TooMany) | Err(GrantError::Busy))),
        "{outcomes:?}"
    );
    let stored = f.applications.get("a3").await.expect("read").expect("application");
    assert_eq!(stored.representatives.len(), accepted, "every accepted grant is on the item, and no other");
    if saved.is_ok() {
        assert_eq!(stored.data.get("familyName"), Some(&json!("Tremblay")), "the save was kept");
    }
    // Those the race turned away may try again, until the application has its three.
    for (n, invitation) in invitations.iter().enumerate() {
        if outcomes[n].is_err() {
            let again = f.representatives.accept(invitation, &invitee(n), T0 + 2).await;
            assert!(matches!(again, Ok(_) | Err(GrantError::TooMany)), "{again:?}");
        }
    }
    let stored = f.applications.get("a3").await.expect("read").expect("application");
    assert_eq!(stored.representatives.len(), MAX_REPRESENTATIVES);
    for grant in &stored.representatives {
        let line =
            f.applications.dashboard(&grant.user_id, T0 + 2, &PageRequest::first()).await.expect("dashboard").items;
        assert_eq!(line.len(), 1, "{} sees the case", grant.user_id);
    }
}

/// Instantiates the tests for one store.
macro_rules! on_store {
    ($module:ident, $store:ident: $($test:ident),* $(,)?) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(&super::$store().await).await;
                }
            )*
        }
    };
}

on_store!(embedded, embedded: c4_an_accepted_grant_is_on_the_application_and_the_dashboard_until_it_is_revoked, fifty_invitations_at_once_send_the_day_s_ten, representatives_accepting_at_once_with_a_form_save_keep_three_grants_and_the_form);
on_store!(dynamodb, dynamodb: c4_an_accepted_grant_is_on_the_application_and_the_dashboard_until_it_is_revoked, fifty_invitations_at_once_send_the_day_s_ten, representatives_accepting_at_once_with_a_form_save_keep_three_grants_and_the_form);
