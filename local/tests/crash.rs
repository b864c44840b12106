//! D4: the local portal killed with SIGKILL in the middle of writes restarts with every
//! acknowledged write present and no torn item, and every event committed before the kill
//! notified exactly once after the restart (N1).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use portal_domain::keys;
use portal_domain::profile::{Language, Profile, Profiles};
use portal_domain::table::{Item, Query, SortKey, Table};
use portal_store::embedded::EmbeddedTable;
use portal_store::local_identity::signing::{AccessClaims, Signer};
use serde_json::{Value, json};

/// Writes acknowledged before the kill.
const ACKNOWLEDGED_BEFORE_KILL: usize = 30;
/// How long the restarted portal may take to deliver what was pending before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);

/// Starts the portal binary over `data` and gives the process and its URL.
fn start_portal(data: &Path) -> (Child, String) {
    let mut portal = Command::new(env!("CARGO_BIN_EXE_portal"))
        .env("PORTAL_ADDR", "127.0.0.1:0")
        .env("PORTAL_DATA_DIR", data)
        .env("PORTAL_FRONTEND_DIR", data)
        .env("PORTAL_ECHO_MESSAGES", "false")
        .env("PORTAL_ARGON2_MEMORY_KIB", "1024")
        .env("PORTAL_ARGON2_ITERATIONS", "1")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("portal starts");
    let mut stdout = BufReader::new(portal.stdout.take().expect("stdout"));
    let mut first_line = String::new();
    stdout.read_line(&mut first_line).expect("banner");
    let url = first_line.split_whitespace().find(|word| word.starts_with("http://")).expect("url").to_owned();
    // Keep reading the portal's output: a closed pipe would make its next println! fail and the
    // portal die before the kill, which is not the crash under test.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    (portal, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d4_sigkill_mid_write_loses_no_acknowledged_write() {
    let data = tempfile::tempdir().expect("temp dir");
    let (mut portal, url) = start_portal(data.path());

    // Four writers register accounts without pause; the portal is killed while they write.
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let client = reqwest::Client::new();
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (client, url, acknowledged) = (client.clone(), url.clone(), acknowledged.clone());
            tokio::spawn(async move {
                for n in 0.. {
                    let email = format!("w{writer}n{n}@example.ca");
                    let body = json!({"email": email, "password": "a long enough passphrase", "givenName": "A",
                                      "familyName": "B", "preferredLanguage": "en"});
                    match client.post(format!("{url}api/auth/register")).json(&body).send().await {
                        Ok(response) if response.status() == 201 => acknowledged.lock().expect("list").push(email),
                        _ => break,
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().expect("list").len() < ACKNOWLEDGED_BEFORE_KILL {
        assert!(!writers.iter().all(|w| w.is_finished()), "every writer stopped before the kill: the portal failed");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    portal.kill().expect("SIGKILL");
    portal.wait().expect("reaped");
    for writer in writers {
        writer.await.expect("writer ends");
    }

    let table = EmbeddedTable::open(&data.path().join("portal.redb")).expect("the store reopens");
    let acknowledged = acknowledged.lock().expect("list").clone();
    assert!(acknowledged.len() >= ACKNOWLEDGED_BEFORE_KILL);
    for email in &acknowledged {
        let account =
            table.get(&keys::local_account(email)).await.expect("read").expect("acknowledged account present");
        assert!(account.get("sub").is_some_and(|s| s.is_string()), "no torn item");
        assert!(account.get("passwordHash").is_some_and(|h| h.is_string()), "no torn item");
        // The registration waits for its code, which it was acknowledged with.
        let codes = table
            .query(Query::partition(keys::local_account(email).pk).sort(SortKey::Prefix("CODE#confirm#".into())))
            .await;
        assert_eq!(codes.expect("read").items.len(), 1, "its confirmation code is stored");
    }
}

fn token(signer: &Signer, sub: &str, groups: &[&str]) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
    let groups = groups.iter().map(|g| (*g).to_owned()).collect();
    signer.sign(&AccessClaims::new(sub, "test-session", groups, now, 15 * 60)).expect("signed")
}

/// Every item of a partition with a sort key in `sort`.
async fn items(table: &EmbeddedTable, partition: String, sort: SortKey) -> Vec<Item> {
    let query = Query::partition(partition).sort(sort).limit(1000);
    table.query(query).await.expect("query").items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d4_n1_sigkill_while_officers_write_loses_no_notification_and_doubles_none() {
    let data = tempfile::tempdir().expect("temp dir");
    let signer = Signer::load_or_create(data.path()).expect("the portal's signing key");
    {
        let table: Arc<dyn Table> = Arc::new(EmbeddedTable::open(&data.path().join("portal.redb")).expect("store"));
        let profile = Profile {
            email: "applicant@example.ca".into(),
            given_name: "Marie".into(),
            family_name: "Tremblay".into(),
            preferred_language: Language::En,
            notifications: Default::default(),
        };
        Profiles::new(table).put("applicant", &profile).await.expect("profile");
    }
    let (mut portal, url) = start_portal(data.path());
    let client = reqwest::Client::new();
    let applicant = token(&signer, "applicant", &[]);
    let draft = client
        .post(format!("{url}api/applications"))
        .bearer_auth(&applicant)
        .json(&json!({"type": "visitor-visa"}))
        .send()
        .await
        .expect("draft");
    assert_eq!(draft.status(), 201);
    let id = draft.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned();

    // Two officers write to the applicant without pause; the portal is killed while they write
    // and while the change feed is telling the applicant.
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..2)
        .map(|writer| {
            let (client, url, id, acknowledged) = (client.clone(), url.clone(), id.clone(), acknowledged.clone());
            let officer = token(&signer, &format!("officer-{writer}"), &["officers"]);
            tokio::spawn(async move {
                for n in 0.. {
                    let body = json!({"body": format!("Message {n} from officer {writer}")});
                    let sent = client
                        .post(format!("{url}api/officer/applications/{id}/messages"))
                        .bearer_auth(&officer)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(response) if response.status() == 201 => {
                            let message: Value = response.json().await.expect("json");
                            acknowledged.lock().expect("list").push(message["id"].as_str().expect("id").to_owned());
                        }
                        _ => break,
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().expect("list").len() < ACKNOWLEDGED_BEFORE_KILL {
        assert!(!writers.iter().all(|w| w.is_finished()), "every writer stopped before the kill: the portal failed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    portal.kill().expect("SIGKILL");
    portal.wait().expect("reaped");
    for writer in writers {
        writer.await.expect("writer ends");
    }

    let store = data.path().join("portal.redb");
    let events = {
        let table = EmbeddedTable::open(&store).expect("the store reopens");
        let messages =
            items(&table, keys::application_partition(&id), SortKey::Prefix(keys::MESSAGE_PREFIX.into())).await;
        let stored: Vec<&str> = messages.iter().filter_map(|m| m.get("id").and_then(Value::as_str)).collect();
        for message in acknowledged.lock().expect("list").iter() {
            assert!(stored.contains(&message.as_str()), "acknowledged message {message} present");
        }
        let events = items(&table, format!("{}{id}", keys::EVENT_PARTITION_PREFIX), SortKey::Any).await;
        assert_eq!(events.len(), messages.len(), "each officer message has its event");
        events.into_iter().map(|event| event.key().sk).collect::<Vec<_>>()
    };
    // Every notification appears in the listing (it holds up to 50): waiting for all of them
    // is waiting for the restarted portal to have delivered what was pending.
    assert!(events.len() < 50, "the listing can show every notification");

    let (mut portal, url) = start_portal(data.path());
    let started = Instant::now();
    loop {
        let listed: Value = client
            .get(format!("{url}api/notifications"))
            .bearer_auth(&applicant)
            .send()
            .await
            .expect("notifications")
            .json()
            .await
            .expect("json");
        if listed["items"].as_array().is_some_and(|items| items.len() >= events.len()) {
            break;
        }
        assert!(started.elapsed() < PATIENCE, "not every event was notified after the restart: {listed}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    portal.kill().expect("SIGKILL");
    portal.wait().expect("reaped");

    let table = EmbeddedTable::open(&store).expect("the store reopens");
    let notified: Vec<String> =
        items(&table, keys::user_partition("applicant"), SortKey::Prefix(keys::NOTIFICATION_PREFIX.into()))
            .await
            .iter()
            .map(|n| n.get("id").and_then(Value::as_str).expect("id").to_owned())
            .collect();
    let (mut expected, mut got) = (events.clone(), notified);
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected, "exactly one notification per event");
    // Emails are sent at most once per event (a kill between claiming and sending loses one).
    let outbox = items(&table, keys::OUTBOX_PARTITION.to_owned(), SortKey::Any).await;
    let emails: Vec<&Item> =
        outbox.iter().filter(|m| m.get("to").and_then(Value::as_str) == Some("applicant@example.ca")).collect();
    assert!(!emails.is_empty(), "the applicant is also told by email");
    assert!(emails.len() <= events.len(), "no event emailed twice: {} emails, {} events", emails.len(), events.len());
}
