//! The records of sessions (`portal_domain::sessions`) on both stores, the embedded one and
//! DynamoDB on moto: sessions ended at once, from the list and one by one, all stay ended, and
//! the one kept goes on (S2).

use std::sync::Arc;

use portal_domain::clock::SystemClock;
use portal_domain::sessions::{Place, Revocations, Sessions};
use portal_domain::table::Table;
use portal_store::dynamodb::DynamoTable;
use portal_store::embedded::EmbeddedTable;

const SUB: &str = "user-1";
const CONCURRENT: usize = 50;

struct Fixture {
    sessions: Sessions,
    revocations: Revocations,
    _dir: Option<tempfile::TempDir>,
}

fn over(table: Arc<dyn Table>, dir: Option<tempfile::TempDir>) -> Fixture {
    Fixture {
        sessions: Sessions::new(Arc::clone(&table), Arc::new(SystemClock)),
        revocations: Revocations::new(table),
        _dir: dir,
    }
}

async fn embedded() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    over(Arc::new(EmbeddedTable::open(&dir.path().join("t.redb")).expect("store")), Some(dir))
}

async fn dynamodb() -> Fixture {
    let config = portal_emulator::sdk_config().await.expect("moto emulator");
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = portal_emulator::unique_name("sessions");
    portal_emulator::create_table_from_template(&client, &name).await.expect("create table");
    over(Arc::new(DynamoTable::new(client, name)), None)
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs()
}

fn id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// 50 sessions begun at once, as 50 sign-ins finishing together would record them.
async fn fifty_sessions(f: &Fixture) {
    let place = Place { address: "192.0.2.1".into(), user_agent: "Firefox/133.0 (Windows NT 10.0)".into() };
    let begun: Vec<_> = (0..CONCURRENT)
        .map(|n| {
            let (sessions, place) = (f.sessions.clone(), place.clone());
            tokio::spawn(async move { sessions.used(SUB, &id(n), &place).await })
        })
        .collect();
    for task in begun {
        task.await.expect("task").expect("recorded");
    }
    assert_eq!(f.sessions.list(SUB).await.expect("list").len(), CONCURRENT);
}

async fn s2_sessions_ended_at_once_all_stay_ended(f: Fixture) {
    fifty_sessions(&f).await;
    // Each end writes its own attribute of the one revocation record: none overwrites another.
    let ended: Vec<_> = (0..CONCURRENT)
        .map(|n| {
            let sessions = f.sessions.clone();
            tokio::spawn(async move { sessions.end(SUB, &id(n)).await })
        })
        .collect();
    for task in ended {
        assert!(task.await.expect("task").expect("ended"), "each session existed");
    }
    for n in 0..CONCURRENT {
        let revoked = f.revocations.is_revoked(SUB, now(), Some(&id(n))).await.expect("check");
        assert!(revoked, "session {n} stays ended");
    }
    assert!(f.sessions.list(SUB).await.expect("list").is_empty());
    assert!(!f.revocations.is_revoked(SUB, now(), Some(&id(CONCURRENT))).await.expect("check"), "a new session works");
}

async fn s2_every_other_session_ends_and_the_kept_one_goes_on(f: Fixture) {
    fifty_sessions(&f).await;
    let kept = id(7);
    assert_eq!(f.sessions.end_others(SUB, Some(&kept)).await.expect("ended"), CONCURRENT - 1);
    let left = f.sessions.list(SUB).await.expect("list");
    assert_eq!(left.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), vec![kept.as_str()]);
    assert!(!f.revocations.is_revoked(SUB, now(), Some(&kept)).await.expect("check"));
    assert!(f.revocations.is_revoked(SUB, now(), Some(&id(8))).await.expect("check"));
    // Ending a session that is gone names nothing.
    assert!(!f.sessions.end(SUB, &id(8)).await.expect("end"));
}

#[tokio::test]
async fn s2_sessions_ended_at_once_all_stay_ended_embedded() {
    s2_sessions_ended_at_once_all_stay_ended(embedded().await).await;
}

#[tokio::test]
async fn s2_sessions_ended_at_once_all_stay_ended_dynamodb() {
    s2_sessions_ended_at_once_all_stay_ended(dynamodb().await).await;
}

#[tokio::test]
async fn s2_every_other_session_ends_and_the_kept_one_goes_on_embedded() {
    s2_every_other_session_ends_and_the_kept_one_goes_on(embedded().await).await;
}

#[tokio::test]
async fn s2_every_other_session_ends_and_the_kept_one_goes_on_dynamodb() {
    s2_every_other_session_ends_and_the_kept_one_goes_on(dynamodb().await).await;
}
