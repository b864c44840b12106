//! D4: the local portal killed with SIGKILL in the middle of writes restarts with every
//! acknowledged write present and no torn item.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use portal_domain::keys;
use portal_domain::table::{Query, SortKey, Table};
use portal_store::embedded::EmbeddedTable;
use serde_json::json;

/// Registrations acknowledged before the kill.
const ACKNOWLEDGED_BEFORE_KILL: usize = 30;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d4_sigkill_mid_write_loses_no_acknowledged_write() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut portal = Command::new(env!("CARGO_BIN_EXE_portal"))
        .env("PORTAL_ADDR", "127.0.0.1:0")
        .env("PORTAL_DATA_DIR", data.path())
        .env("PORTAL_FRONTEND_DIR", data.path())
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
