//! Bounded answers and counted limits over HTTP (D6, A7): every list is paged (at most 100
//! items and 1 MB, with a cursor that reaches the rest exactly once), cursors open only the list
//! they came from, and the document cap and the applicant's daily messages hold under 50
//! requests at once.

use std::sync::Arc;

use portal_domain::application_types::Text;
use portal_domain::applications::{Applications, Change, HistoryEntry};
use portal_domain::audit::{Audit, AuditRecord, Outcome};
use portal_domain::events::EventKind;
use portal_domain::keys;
use portal_domain::notifications::Notification;
use portal_domain::paging::MAX_BYTES;
use portal_domain::status::{Command, Status};
use portal_domain::table::Item;
use portal_tests::{TestApp, now, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::applications::{create_draft, send};
use crate::documents::request_upload;
use crate::officer::submitted_application;

/// Every page of a list from `path` (which has no query yet, or ends in `?…`), checking each
/// answer's shape and bounds; gives the items in order and the number of pages.
async fn every_page(app: &TestApp, path: &str, token: &str) -> (Vec<Value>, usize) {
    every_page_from(app, path, None, token).await
}

/// The same, starting after `cursor`.
async fn every_page_from(app: &TestApp, path: &str, cursor: Option<&str>, token: &str) -> (Vec<Value>, usize) {
    let separator = if path.contains('?') { '&' } else { '?' };
    let first = cursor.map_or_else(|| path.to_owned(), |cursor| format!("{path}{separator}cursor={cursor}"));
    let (mut items, mut pages, mut next) = (Vec::new(), 0, first);
    loop {
        let response = app.get(&next, Some(token)).await;
        assert_eq!(response.status(), StatusCode::OK, "{next}");
        let bytes = response.bytes().await.expect("body");
        assert!(bytes.len() <= MAX_BYTES, "D6: a page of {} bytes", bytes.len());
        let page: Value = serde_json::from_slice(&bytes).expect("json");
        let listed = page["items"].as_array().expect("items");
        assert!(listed.len() <= 100, "D6: {} items in one page", listed.len());
        items.extend(listed.iter().cloned());
        pages += 1;
        match page["nextCursor"].as_str() {
            Some(cursor) => next = format!("{path}{separator}cursor={cursor}"),
            None => return (items, pages),
        }
    }
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|item| item["id"].as_str().expect("id").to_owned()).collect()
}

/// Officers may write without limit: how a long thread is made.
async fn officer_messages(app: &TestApp, id: &str, bodies: impl Iterator<Item = String>) -> Vec<String> {
    let officer = app.access_token("agent", &["officers"]);
    let mut sent = Vec::new();
    for body in bodies {
        let response = send(
            app,
            Method::POST,
            &format!("/api/officer/applications/{id}/messages"),
            &officer,
            Some(json!({"body": body})),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        sent.push(response.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned());
    }
    sent
}

#[tokio::test]
async fn d6_a_thread_of_more_than_100_messages_pages_to_every_message_once_newest_first() {
    let app = spawn_app().await;
    let applicant = app.access_token("long-thread", &[]);
    let id = submitted_application(&app, &applicant).await;
    let sent = officer_messages(&app, &id, (0..130).map(|n| format!("message {n}"))).await;

    let (items, pages) = every_page(&app, &format!("/api/applications/{id}/messages"), &applicant).await;

    assert_eq!(pages, 2, "100 then 30");
    let mut newest_first = sent.clone();
    newest_first.reverse();
    assert_eq!(ids(&items), newest_first, "each message exactly once, newest first");
    // The case view holds a bounded first page and the cursor to the rest of the same list.
    let case: Value = app.get(&format!("/api/applications/{id}"), Some(&applicant)).await.json().await.expect("json");
    let officer = app.access_token("agent", &["officers"]);
    let officer_case: Value =
        app.get(&format!("/api/officer/applications/{id}"), Some(&officer)).await.json().await.expect("json");
    let first = officer_case["messages"]["items"].as_array().expect("messages");
    assert_eq!(first.len(), 20);
    let cursor = officer_case["messages"]["nextCursor"].as_str().expect("more messages");
    let (rest, _) = every_page_from(&app, &format!("/api/applications/{id}/messages"), Some(cursor), &officer).await;
    assert_eq!(ids(first).into_iter().chain(ids(&rest)).collect::<Vec<_>>(), newest_first);
    assert!(case.get("messages").is_none(), "the applicant's case view shows the thread through its own route");
}

#[tokio::test]
async fn d6_a_page_of_the_largest_messages_stays_under_one_megabyte() {
    let app = spawn_app().await;
    let applicant = app.access_token("large-thread", &[]);
    let id = submitted_application(&app, &applicant).await;
    // 5,000 characters of four UTF-8 bytes, or of control characters JSON escapes to six bytes:
    // 20 to 30 kB a message, so 60 of them would be well over 1 MB in one page.
    let bodies = (0..60).map(|n| if n % 2 == 0 { "😀".repeat(5000) } else { "\u{1}".repeat(4999) + "x" });
    let sent = officer_messages(&app, &id, bodies).await;

    let (items, pages) = every_page(&app, &format!("/api/applications/{id}/messages"), &applicant).await;

    assert!(pages >= 2, "the byte cap ended the first page early");
    assert_eq!(ids(&items).len(), sent.len());
    let mut newest_first = sent;
    newest_first.reverse();
    assert_eq!(ids(&items), newest_first, "each message exactly once");
}

#[tokio::test]
async fn d6_history_documents_activity_notifications_and_the_queue_page_to_every_item_once() {
    let app = spawn_app().await;
    let table = Arc::clone(&app.portal.table);
    let owner = app.access_token("pager", &[]);
    let officer = app.access_token("agent", &["officers"]);
    let draft = create_draft(&app, &owner).await;
    let id = draft["id"].as_str().expect("id").to_owned();

    // History: 130 entries (written as the store holds them; no status machine allows 130 steps).
    for n in 0..130u64 {
        let entry = HistoryEntry {
            at: 1_800_000_000 + n,
            actor: "agent".into(),
            role: "officer".into(),
            from: Status::InReview,
            to: Status::InReview,
            reason: Some(format!("step {n}")),
            note_to_applicant: None,
        };
        let item = Item::from_record(&keys::history_entry(&id, entry.at, n), &entry).expect("item");
        table.put(item, None).await.expect("history");
    }
    let (history, pages) = every_page(&app, &format!("/api/applications/{id}/history"), &officer).await;
    assert_eq!(pages, 2);
    let reasons: Vec<_> = history.iter().map(|h| h["reason"].as_str().expect("reason").to_owned()).collect();
    assert_eq!(reasons, (0..130).map(|n| format!("step {n}")).collect::<Vec<_>>(), "oldest first, once each");
    let (mine, _) = every_page(&app, &format!("/api/applications/{id}/history?limit=7"), &owner).await;
    assert!(mine.iter().all(|h| h.get("reason").is_none()), "the applicant's view, page after page");

    // Documents: as many as the cap allows, in pages of 30.
    for n in 0..100 {
        let declared = request_upload(&app, &owner, &id, "passport", &format!("p{n}.pdf"), "application/pdf", 10).await;
        assert_eq!(declared.status(), StatusCode::CREATED);
    }
    let (documents, pages) = every_page(&app, &format!("/api/applications/{id}/documents?limit=30"), &owner).await;
    assert_eq!((pages, documents.len()), (4, 100));
    let mut unique = ids(&documents);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 100, "each document once");

    // Activity: every read and write above is in the trail, plus 150 more records.
    let audit = Audit::new(Arc::clone(&table));
    for n in 0..150 {
        audit
            .record(&id, &AuditRecord::new(now() + n, "agent", "officer", "read", Outcome::Allowed))
            .await
            .expect("audit");
    }
    let (activity, pages) = every_page(&app, "/api/me/activity", &owner).await;
    assert!(pages >= 3, "{pages}");
    assert!(activity.len() >= 150 + 100 + 2, "{}", activity.len());
    let stamps: Vec<u64> = activity.iter().map(|line| line["at"].as_u64().expect("at")).collect();
    assert!(stamps.windows(2).all(|pair| pair[0] >= pair[1]), "newest first, none repeated out of order");

    // Notifications: 120 for the owner.
    for n in 0..120u64 {
        let notification = Notification {
            id: uuid::Uuid::now_v7().to_string(),
            application_id: id.clone(),
            kind: EventKind::OfficerMessage,
            title: Text { en: format!("notification {n}"), fr: format!("avis {n}") },
            body: Text { en: "An officer sent you a message.".into(), fr: "Un agent vous a écrit.".into() },
            at: 1_800_000_000 + n,
            read_at: 0,
        };
        let item = Item::from_record(&keys::notification("pager", &notification.id), &notification).expect("item");
        table.put(item, None).await.expect("notification");
    }
    let (notifications, pages) = every_page(&app, "/api/notifications", &owner).await;
    assert_eq!((pages, notifications.len()), (2, 120));
    let titles: Vec<_> = notifications.iter().map(|n| n["title"]["en"].as_str().expect("title").to_owned()).collect();
    assert_eq!(titles, (0..120).rev().map(|n| format!("notification {n}")).collect::<Vec<_>>(), "newest first");

    // The queue: 105 submitted applications.
    let applications = Applications::new(Arc::clone(&table));
    let mut queued = Vec::new();
    for n in 0..105u64 {
        let draft = applications
            .create_draft("queued", &visitor_visa(), format!("q{n:03}"), 1_800_000_000 + n)
            .await
            .expect("draft");
        let number = Some(format!("V{n:09}"));
        let submit = Change { number, ..Change::new(Command::Submit, "queued", 1, 1_800_000_000 + n) };
        applications.change_status(&draft, submit).await.expect("submitted");
        queued.push(draft.id);
    }
    let (queue, pages) = every_page(&app, "/api/officer/queue?status=submitted", &officer).await;
    assert_eq!(pages, 2);
    assert_eq!(ids(&queue), queued, "oldest change first, each once");

    // The dashboard (issue 17, point 4): the 105 applicant's lines in pages of at most 50, with
    // nothing to do on any of them, newest change first; then a new draft, which asks for action,
    // comes first.
    let queuer = app.access_token("queued", &[]);
    let (lines, pages) = every_page(&app, "/api/applications", &queuer).await;
    assert_eq!(pages, 3, "105 lines in pages of 50, whatever the default page of other lists");
    assert_eq!(ids(&lines), queued.iter().rev().cloned().collect::<Vec<_>>(), "newest change first, each once");
    let draft = create_draft(&app, &queuer).await;
    let page: Value = app.get("/api/applications?limit=2", Some(&queuer)).await.json().await.expect("json");
    assert_eq!(page["items"][0]["id"], draft["id"], "action required first: {page}");
    assert_eq!(page["items"][1]["id"], json!(queued.last()));
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn d6_bad_limits_and_cursors_are_400_naming_the_parameter_and_open_no_other_list() {
    let app = spawn_app().await;
    let owner = app.access_token("cursor-owner", &[]);
    let other = app.access_token("cursor-other", &[]);
    let id = submitted_application(&app, &owner).await;
    officer_messages(&app, &id, (0..3).map(|n| format!("message {n}"))).await;
    let thread = format!("/api/applications/{id}/messages");
    let page: Value = app.get(&format!("{thread}?limit=1"), Some(&owner)).await.json().await.expect("json");
    let cursor = page["nextCursor"].as_str().expect("more").to_owned();

    let problem = |path: String, token: String| {
        let app = &app;
        async move {
            let response = app.get(&path, Some(&token)).await;
            let status = response.status();
            let kind = response.headers()["content-type"].to_str().expect("ascii").to_owned();
            let body: Value = response.json().await.expect("json");
            (status, kind, body["errors"][0]["field"].as_str().unwrap_or_default().to_owned())
        }
    };
    for limit in ["0", "101", "-1", "ten", ""] {
        let (status, kind, field) = problem(format!("{thread}?limit={limit}"), owner.clone()).await;
        assert_eq!(
            (status, kind.as_str(), field.as_str()),
            (StatusCode::BAD_REQUEST, "application/problem+json", "limit"),
            "{limit}"
        );
    }
    let history = format!("/api/applications/{id}/history?cursor={cursor}");
    let other_app = create_draft(&app, &other).await;
    let foreign = format!("/api/applications/{}/messages?cursor={cursor}", other_app["id"].as_str().expect("id"));
    for (path, token) in [
        (format!("{thread}?cursor=garbage"), owner.clone()),
        (history, owner.clone()),
        (foreign, other.clone()),
        (format!("/api/notifications?cursor={cursor}"), owner.clone()),
        (format!("/api/applications?cursor={cursor}"), owner.clone()),
        (format!("/api/me/activity?cursor={cursor}"), owner.clone()),
        (format!("/api/officer/queue?status=submitted&cursor={cursor}"), app.access_token("agent", &["officers"])),
    ] {
        let (status, kind, field) = problem(path.clone(), token).await;
        assert_eq!(
            (status, kind.as_str(), field.as_str()),
            (StatusCode::BAD_REQUEST, "application/problem+json", "cursor"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a7_fifty_declarations_at_once_past_the_document_cap_record_exactly_the_cap() {
    let app = spawn_app().await;
    let owner = app.access_token("capped", &[]);
    let draft = create_draft(&app, &owner).await;
    let id = draft["id"].as_str().expect("id");
    for n in 0..90 {
        let declared = request_upload(&app, &owner, id, "passport", &format!("p{n}.pdf"), "application/pdf", 10).await;
        assert_eq!(declared.status(), StatusCode::CREATED);
    }

    let racing = (0..50).map(|n| {
        let (app, owner) = (&app, &owner);
        async move { request_upload(app, owner, id, "photo", &format!("ph{n}.png"), "image/png", 10).await }
    });
    let responses = futures::future::join_all(racing).await;

    let created = responses.iter().filter(|r| r.status() == StatusCode::CREATED).count();
    let refused: Vec<_> = responses.iter().filter(|r| r.status() == StatusCode::CONFLICT).collect();
    assert_eq!((created, refused.len()), (10, 40));
    assert!(refused.iter().all(|r| r.headers()["content-type"] == "application/problem+json"));
    let refused = responses.into_iter().find(|r| r.status() == StatusCode::CONFLICT).expect("a refusal");
    assert_eq!(refused.json::<Value>().await.expect("json")["type"], "too-many-documents");
    let listed: Value =
        app.get(&format!("/api/applications/{id}/documents"), Some(&owner)).await.json().await.expect("json");
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(100));
}

#[tokio::test]
async fn a7_fifty_messages_at_once_past_the_daily_limit_store_exactly_the_limit() {
    let app = spawn_app().await;
    let owner = app.access_token("chatty", &[]);
    let id = submitted_application(&app, &owner).await;
    let thread = format!("/api/applications/{id}/messages");

    let racing = (0..50).map(|n| {
        let (app, owner, thread) = (&app, &owner, &thread);
        async move { send(app, Method::POST, thread, owner, Some(json!({"body": format!("message {n}")}))).await }
    });
    let responses = futures::future::join_all(racing).await;

    let created = responses.iter().filter(|r| r.status() == StatusCode::CREATED).count();
    let limited: Vec<_> = responses.iter().filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS).collect();
    assert_eq!((created, limited.len()), (20, 30));
    for response in &limited {
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let retry_after: u64 = response.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
        assert!((1..=86_400).contains(&retry_after), "until the next day: {retry_after}");
    }
    let (stored, _) = every_page(&app, &thread, &owner).await;
    assert_eq!(stored.len(), 20);
    let too_long = send(&app, Method::POST, &thread, &owner, Some(json!({"body": "x".repeat(5001)}))).await;
    assert_eq!(too_long.status(), StatusCode::BAD_REQUEST, "the length is checked before the limit");
}

#[tokio::test]
async fn c1_another_applicant_gets_404_on_the_history_and_thread_pages_and_the_officer_reads_them() {
    let app = spawn_app().await;
    let owner = app.access_token("pages-owner", &[]);
    let other = app.access_token("pages-other", &[]);
    let officer = app.access_token("agent", &["officers"]);
    let id = submitted_application(&app, &owner).await;
    officer_messages(&app, &id, (0..2).map(|n| format!("message {n}"))).await;

    for path in [format!("/api/applications/{id}/history"), format!("/api/applications/{id}/messages?limit=1")] {
        let refused = app.get(&path, Some(&other)).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(refused.headers()["content-type"], "application/problem+json");
        assert!(!refused.text().await.expect("body").contains("message 0"), "no data");
        for token in [&owner, &officer] {
            let (items, _) = every_page(&app, &path, token).await;
            assert!(!items.is_empty(), "{path}");
        }
    }
}

/// The visitor visa type of the catalog.
fn visitor_visa() -> portal_domain::application_types::ApplicationType {
    portal_domain::application_types::Catalog::load().expect("catalog").get("visitor-visa").expect("type").clone()
}
