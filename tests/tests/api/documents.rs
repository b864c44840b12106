//! Documents over HTTP, in local mode: the browser's presigned form posted to the local blob
//! store (which checks it as S3 would), verification after upload, the checklist, downloads,
//! removal, officers' requests and reviews, and the submission hook (U1–U4, C1, C3).
//!
//! Expiry of forms and links needs a clock that moves; it is proven in `local_blobs`' tests.

use portal_tests::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::applications::{complete_visitor_form, create_draft, send, signed_declaration};

pub(crate) const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
/// The start of a Windows executable.
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0 this program cannot be run in DOS mode";

/// A declared upload: the answer of `POST …/documents`.
pub(crate) async fn request_upload(
    app: &TestApp,
    token: &str,
    id: &str,
    kind: &str,
    file_name: &str,
    content_type: &str,
    size: usize,
) -> reqwest::Response {
    let body = json!({"kind": kind, "fileName": file_name, "contentType": content_type, "size": size});
    send(app, Method::POST, &format!("/api/applications/{id}/documents"), token, Some(body)).await
}

/// Posts `bytes` with the form of a declared upload, as a browser does.
async fn post_form(app: &TestApp, upload: &Value, bytes: &[u8]) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in upload["fields"].as_object().expect("fields") {
        form = form.text(name.clone(), value.as_str().expect("text").to_owned());
    }
    form = form.part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("upload"));
    let url = app.url(upload["url"].as_str().expect("url"));
    app.client.post(url).multipart(form).send().await.expect("post")
}

/// Declares, uploads and completes one document; gives the document as it stands.
pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    id: &str,
    kind: &str,
    (file_name, content_type, bytes): (&str, &str, &[u8]),
) -> Value {
    let declared = request_upload(app, token, id, kind, file_name, content_type, bytes.len()).await;
    assert_eq!(declared.status(), StatusCode::CREATED);
    let declared: Value = declared.json().await.expect("json");
    assert_eq!(post_form(app, &declared["upload"], bytes).await.status(), StatusCode::NO_CONTENT);
    let document_id = declared["documentId"].as_str().expect("id");
    let complete = format!("/api/applications/{id}/documents/{document_id}/complete");
    let completed = send(app, Method::POST, &complete, token, None).await;
    assert_eq!(completed.status(), StatusCode::OK);
    completed.json().await.expect("json")
}

/// The visitor visa's required documents, uploaded and verified.
pub(crate) async fn attach_required_documents(app: &TestApp, token: &str, id: &str) {
    for (kind, file) in [
        ("passport", ("passport.pdf", "application/pdf", PDF)),
        ("photo", ("photo.png", "image/png", PNG)),
        ("proof-of-funds", ("bank.pdf", "application/pdf", PDF)),
    ] {
        assert_eq!(upload(app, token, id, kind, file).await["state"], "verified");
    }
}

pub(crate) async fn draft_with_form(app: &TestApp, token: &str) -> String {
    let id = create_draft(app, token).await["id"].as_str().expect("id").to_owned();
    let form = json!({"data": complete_visitor_form(), "version": 1});
    assert_eq!(send(app, Method::PUT, &format!("/api/applications/{id}/form"), token, Some(form)).await.status(), 200);
    id
}

fn checklist_line(documents: &Value, kind: &str) -> Value {
    documents["checklist"].as_array().expect("checklist").iter().find(|l| l["kind"] == kind).cloned().expect(kind)
}

fn error_fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["field"].as_str().expect("field").to_owned(), e["code"].as_str().expect("code").to_owned()))
        .collect()
}

#[tokio::test]
async fn a_pdf_goes_straight_to_storage_is_verified_downloaded_and_lets_the_application_be_submitted() {
    let app = spawn_app().await;
    let token = app.access_token("applicant-docs", &[]);
    let id = draft_with_form(&app, &token).await;

    // Required documents block submission, each named.
    let blocked =
        send(&app, Method::POST, &format!("/api/applications/{id}/submit"), &token, Some(signed_declaration())).await;
    assert_eq!(blocked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&blocked.json().await.expect("json"));
    for kind in ["passport", "photo", "proof-of-funds"] {
        assert!(fields.contains(&(format!("documents.{kind}"), "document-missing".into())), "{fields:?}");
    }
    assert!(!fields.iter().any(|(f, _)| f == "documents.invitation-letter"), "optional documents do not block");

    // U3: the name is kept only as sanitized metadata; the key is the server's.
    let passport = upload(&app, &token, &id, "passport", ("../../passeport été.pdf", "application/pdf", PDF)).await;
    assert_eq!(
        (passport["state"].as_str(), passport["fileName"].as_str()),
        (Some("verified"), Some("passeport été.pdf"))
    );
    let listed: Value =
        app.get(&format!("/api/applications/{id}/documents"), Some(&token)).await.json().await.expect("json");
    assert_eq!(checklist_line(&listed, "passport")["satisfied"], true);
    assert_eq!(checklist_line(&listed, "photo")["state"], Value::Null);

    let document_id = passport["id"].as_str().expect("id");
    let link = app.get(&format!("/api/applications/{id}/documents/{document_id}/download"), Some(&token)).await;
    assert_eq!(link.status(), StatusCode::OK);
    let link: Value = link.json().await.expect("json");
    let file = app.client.get(app.url(link["url"].as_str().expect("url"))).send().await.expect("download");
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    let disposition = file.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(disposition.starts_with("attachment;") && disposition.contains("passeport%20%C3%A9t%C3%A9.pdf"));
    assert_eq!(file.bytes().await.expect("bytes").as_ref(), PDF);

    attach_required_documents(&app, &token, &id).await;
    crate::payments::pay_fees(&app, &token, &id).await;
    let submitted =
        send(&app, Method::POST, &format!("/api/applications/{id}/submit"), &token, Some(signed_declaration())).await;
    assert_eq!(submitted.status(), StatusCode::OK);

    // Once submitted, documents are the agency's record: no removal, no new ones unasked.
    let path = format!("/api/applications/{id}/documents/{document_id}");
    assert_eq!(send(&app, Method::DELETE, &path, &token, None).await.status(), StatusCode::CONFLICT);
    let late = request_upload(&app, &token, &id, "invitation-letter", "letter.pdf", "application/pdf", 10).await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn u1_c3_uploads_are_declared_within_limits_and_storage_refuses_more_than_declared() {
    let app = spawn_app().await;
    let token = app.access_token("applicant-limits", &[]);
    let id = create_draft(&app, &token).await["id"].as_str().expect("id").to_owned();

    let too_big = request_upload(&app, &token, &id, "passport", "scan.pdf", "application/pdf", 10 * 1024 * 1024 + 1);
    let too_big: Value = too_big.await.json().await.expect("json");
    assert_eq!(error_fields(&too_big), [("size".to_owned(), "file-too-large".to_owned())]);
    let wrong = request_upload(&app, &token, &id, "visa-stamp", "scan.gif", "image/gif", 10).await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let fields = error_fields(&wrong.json().await.expect("json"));
    assert_eq!(fields, [("kind".into(), "unknown-kind".into()), ("contentType".into(), "unsupported-type".into())]);
    let unknown_field = json!({"kind": "passport", "fileName": "a.pdf", "contentType": "application/pdf", "size": 5,
                               "key": "documents/other/file"});
    let path = format!("/api/applications/{id}/documents");
    assert_eq!(
        send(&app, Method::POST, &path, &token, Some(unknown_field)).await.status(),
        StatusCode::BAD_REQUEST,
        "C3: the key is never the client's"
    );

    // U1: the store itself refuses a file bigger than the size signed into the form.
    let declared = request_upload(&app, &token, &id, "passport", "scan.pdf", "application/pdf", PDF.len()).await;
    let declared: Value = declared.json().await.expect("json");
    let mut bigger = PDF.to_vec();
    bigger.extend_from_slice(b"% padding past the declared size");
    assert_eq!(post_form(&app, &declared["upload"], &bigger).await.status(), StatusCode::BAD_REQUEST);
    let document_id = declared["documentId"].as_str().expect("id");
    let complete = format!("/api/applications/{id}/documents/{document_id}/complete");
    let missing = send(&app, Method::POST, &complete, &token, None).await;
    assert_eq!(missing.status(), StatusCode::CONFLICT);
    assert_eq!(missing.json::<Value>().await.expect("json")["type"], "upload-missing", "no silent failure");
}

#[tokio::test]
async fn u2_a_renamed_executable_stays_quarantined_is_never_served_and_blocks_submission() {
    let app = spawn_app().await;
    let token = app.access_token("applicant-exe", &[]);
    let id = draft_with_form(&app, &token).await;

    let document = upload(&app, &token, &id, "passport", ("passport.pdf", "application/pdf", EXE)).await;

    assert_eq!(
        (document["state"].as_str(), document["quarantineReason"].as_str()),
        (Some("quarantined"), Some("content-mismatch"))
    );
    let document_id = document["id"].as_str().expect("id");
    let download = app.get(&format!("/api/applications/{id}/documents/{document_id}/download"), Some(&token)).await;
    assert_eq!(download.status(), StatusCode::CONFLICT);
    assert_eq!(download.json::<Value>().await.expect("json")["type"], "document-unavailable");
    let blocked =
        send(&app, Method::POST, &format!("/api/applications/{id}/submit"), &token, Some(signed_declaration())).await;
    let fields = error_fields(&blocked.json().await.expect("json"));
    assert!(fields.contains(&("documents.passport".into(), "document-refused".into())), "{fields:?}");

    // The applicant can fix the mistake: remove it and send the right file.
    let path = format!("/api/applications/{id}/documents/{document_id}");
    assert_eq!(send(&app, Method::DELETE, &path, &token, None).await.status(), StatusCode::NO_CONTENT);
    let listed: Value =
        app.get(&format!("/api/applications/{id}/documents"), Some(&token)).await.json().await.expect("json");
    assert_eq!(listed["items"], json!([]));
}

#[tokio::test]
async fn u2_u3_a_page_behind_a_pdf_header_is_never_served_and_a_real_pdf_named_html_downloads_as_pdf() {
    let app = spawn_app().await;
    let token = app.access_token("applicant-polyglot", &[]);
    let id = draft_with_form(&app, &token).await;
    let page: &[u8] = b"%PDF-1.7\n<html><script>alert(document.cookie)</script></html>\n";
    let scripted: &[u8] =
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> \
                            endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

    for (kind, bytes, reason) in
        [("passport", page, "content-mismatch"), ("invitation-letter", scripted, "active-content")]
    {
        let document = upload(&app, &token, &id, kind, ("photo.html", "application/pdf", bytes)).await;
        assert_eq!(
            (document["state"].as_str(), document["quarantineReason"].as_str()),
            (Some("quarantined"), Some(reason)),
            "{kind}"
        );
        let document_id = document["id"].as_str().expect("id");
        let path = format!("/api/applications/{id}/documents/{document_id}/download");
        assert_eq!(app.get(&path, Some(&token)).await.status(), StatusCode::CONFLICT, "{kind} is never served");
    }

    // A real PDF under a misleading name: served as what it is, under a name that says so.
    let document = upload(&app, &token, &id, "proof-of-funds", ("photo.html", "application/pdf", PDF)).await;
    assert_eq!(document["state"], "verified");
    let document_id = document["id"].as_str().expect("id");
    let link = app.get(&format!("/api/applications/{id}/documents/{document_id}/download"), Some(&token)).await;
    let link: Value = link.json().await.expect("json");
    let file = app.client.get(app.url(link["url"].as_str().expect("url"))).send().await.expect("download");
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "application/pdf");
    let disposition = file.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(disposition.contains("filename=\"photo.pdf\"") && !disposition.contains("html"), "{disposition}");
}

#[tokio::test]
async fn u3_u4_a_form_uploads_once_and_tampered_forms_or_links_are_refused() {
    let app = spawn_app().await;
    let token = app.access_token("applicant-tamper", &[]);
    let id = create_draft(&app, &token).await["id"].as_str().expect("id").to_owned();
    let declared = request_upload(&app, &token, &id, "photo", "me.png", "image/png", PNG.len()).await;
    let declared: Value = declared.json().await.expect("json");
    let form = &declared["upload"];

    let mut other_type = form.clone();
    other_type["fields"]["Content-Type"] = json!("application/x-msdownload");
    assert_eq!(post_form(&app, &other_type, PNG).await.status(), StatusCode::FORBIDDEN);
    let mut other_key = form.clone();
    other_key["fields"]["key"] = json!(format!("documents/{id}/chosen-by-client"));
    assert_eq!(post_form(&app, &other_key, PNG).await.status(), StatusCode::FORBIDDEN);
    let mut forged = form.clone();
    forged["fields"]["signature"] = json!("0".repeat(64));
    assert_eq!(post_form(&app, &forged, PNG).await.status(), StatusCode::FORBIDDEN);

    assert_eq!(post_form(&app, form, PNG).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(post_form(&app, form, PNG).await.status(), StatusCode::FORBIDDEN, "no second upload over the first");

    let document_id = declared["documentId"].as_str().expect("id");
    let link: Value = app
        .get(&format!("/api/applications/{id}/documents/{document_id}/download"), Some(&token))
        .await
        .json()
        .await
        .expect("json");
    let url = link["url"].as_str().expect("url");
    let tampered = url.replace(&format!("documents%2F{id}"), "documents%2Fanother-application");
    assert_ne!(tampered, url);
    let refused = app.client.get(app.url(&tampered)).send().await.expect("download");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn c1_another_applicant_gets_404_on_every_document_route() {
    let app = spawn_app().await;
    let owner = app.access_token("owner-docs", &[]);
    let other = app.access_token("other-docs", &[]);
    let id = create_draft(&app, &owner).await["id"].as_str().expect("id").to_owned();
    let document = upload(&app, &owner, &id, "passport", ("p.pdf", "application/pdf", PDF)).await;
    let document_id = document["id"].as_str().expect("id");

    let declare = json!({"kind": "passport", "fileName": "p.pdf", "contentType": "application/pdf", "size": 5});
    for (method, path, body) in [
        (Method::GET, format!("/api/applications/{id}/documents"), None),
        (Method::POST, format!("/api/applications/{id}/documents"), Some(declare)),
        (Method::POST, format!("/api/applications/{id}/documents/{document_id}/complete"), None),
        (Method::GET, format!("/api/applications/{id}/documents/{document_id}/download"), None),
        (Method::DELETE, format!("/api/applications/{id}/documents/{document_id}"), None),
    ] {
        let response = send(&app, method.clone(), &path, &other, body).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    let listed: Value =
        app.get(&format!("/api/applications/{id}/documents"), Some(&owner)).await.json().await.expect("json");
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1), "nothing changed");
}

/// A submitted visitor visa taken to `in_review` by an officer; gives its version.
async fn in_review(app: &TestApp, applicant: &str, officer: &str, id: &str) -> u64 {
    attach_required_documents(app, applicant, id).await;
    crate::payments::pay_fees(app, applicant, id).await;
    let body = Some(signed_declaration());
    let submitted = send(app, Method::POST, &format!("/api/applications/{id}/submit"), applicant, body).await;
    let mut version = submitted.json::<Value>().await.expect("json")["version"].as_u64().expect("version");
    for to in ["received", "in_review"] {
        let body = json!({"to": to, "reason": "next step", "version": version});
        let moved =
            send(app, Method::POST, &format!("/api/officer/applications/{id}/status"), officer, Some(body)).await;
        assert_eq!(moved.status(), StatusCode::OK, "to {to}");
        version = moved.json::<Value>().await.expect("json")["version"].as_u64().expect("version");
    }
    version
}

#[tokio::test]
async fn an_officer_asks_for_a_document_by_a_due_date_and_reviews_the_replacement() {
    let app = spawn_app().await;
    let applicant = app.access_token("applicant-asked", &[]);
    let officer = app.access_token("officer-asks", &["officers"]);
    let id = draft_with_form(&app, &applicant).await;
    let version = in_review(&app, &applicant, &officer, &id).await;
    let requests = format!("/api/officer/applications/{id}/document-requests");

    let past = json!({"documents": [{"kind": "passport"}], "dueDate": "2020-01-01", "version": version});
    let unknown = json!({"documents": [{"kind": "tax-return"}], "dueDate": "2099-02-30", "version": version});
    let past: Value = send(&app, Method::POST, &requests, &officer, Some(past)).await.json().await.expect("json");
    assert_eq!(error_fields(&past), [("dueDate".to_owned(), "in-the-past".to_owned())]);
    let unknown: Value = send(&app, Method::POST, &requests, &officer, Some(unknown)).await.json().await.expect("json");
    assert_eq!(
        error_fields(&unknown),
        [("documents[0].kind".into(), "unknown-kind".into()), ("dueDate".into(), "invalid-date".into())]
    );
    let by_status = json!({"to": "documents_requested", "reason": "r", "version": version});
    let status_path = format!("/api/officer/applications/{id}/status");
    let by_status = send(&app, Method::POST, &status_path, &officer, Some(by_status)).await;
    assert_eq!(by_status.status(), StatusCode::CONFLICT, "asking for documents says which");
    let as_applicant = json!({"documents": [{"kind": "passport"}], "dueDate": "2099-01-31", "version": version});
    assert_eq!(send(&app, Method::POST, &requests, &applicant, Some(as_applicant)).await.status(), 403);

    let ask = json!({"documents": [{"kind": "passport", "note": "The scan is blurred: send a sharper one."}],
                     "dueDate": "2099-01-31", "version": version});
    let asked = send(&app, Method::POST, &requests, &officer, Some(ask)).await;
    assert_eq!(asked.status(), StatusCode::OK);
    assert_eq!(asked.json::<Value>().await.expect("json")["status"], "documents_requested");

    // The applicant sees it: action required on the dashboard, the request on the checklist.
    let mut dashboard: Value =
        app.get("/api/applications", Some(&applicant)).await.json::<Value>().await.expect("json");
    let dashboard = dashboard["items"].take();
    assert_eq!(dashboard[0]["actionRequired"], true);
    let listed: Value =
        app.get(&format!("/api/applications/{id}/documents"), Some(&applicant)).await.json().await.expect("json");
    let passport = checklist_line(&listed, "passport");
    assert_eq!(
        passport["requested"],
        json!({"note": "The scan is blurred: send a sharper one.", "dueDate": "2099-01-31"})
    );
    assert_eq!(passport["satisfied"], false);

    // Only what was asked may be sent.
    let unasked = request_upload(&app, &applicant, &id, "photo", "me.png", "image/png", PNG.len()).await;
    assert_eq!(unasked.status(), StatusCode::CONFLICT);
    let replacement = upload(&app, &applicant, &id, "passport", ("sharper.pdf", "application/pdf", PDF)).await;
    assert_eq!(replacement["state"], "verified");
    let listed: Value =
        app.get(&format!("/api/applications/{id}/documents"), Some(&officer)).await.json().await.expect("json");
    assert_eq!(checklist_line(&listed, "passport")["satisfied"], true);
    assert!(checklist_line(&listed, "passport").get("requested").is_none(), "answered");
    let action_required = async || {
        let mut dashboard: Value =
            app.get("/api/applications", Some(&applicant)).await.json::<Value>().await.expect("json");
        let dashboard = dashboard["items"].take();
        (dashboard[0]["status"].clone(), dashboard[0]["actionRequired"].clone())
    };
    assert_eq!(action_required().await, (json!("documents_requested"), json!(false)), "nothing left to do");

    // The officer reviews it: a rejection needs a reason, which the applicant reads.
    let review = format!("/api/officer/applications/{id}/documents/{}/review", replacement["id"].as_str().expect("id"));
    let reasonless = send(&app, Method::POST, &review, &officer, Some(json!({"decision": "reject"}))).await;
    assert_eq!(reasonless.status(), StatusCode::BAD_REQUEST);
    let rejected =
        send(&app, Method::POST, &review, &officer, Some(json!({"decision": "reject", "reason": "Expired passport"})));
    let rejected: Value = rejected.await.json().await.expect("json");
    assert_eq!(
        (rejected["state"].as_str(), rejected["reviewReason"].as_str()),
        (Some("rejected"), Some("Expired passport"))
    );
    assert_eq!(action_required().await.1, json!(true), "a rejected document reopens its request");
    let accepted = send(&app, Method::POST, &review, &officer, Some(json!({"decision": "accept"}))).await;
    assert_eq!(accepted.json::<Value>().await.expect("json")["state"], "accepted");
    assert_eq!(action_required().await.1, json!(false));
    let case: Value =
        app.get(&format!("/api/officer/applications/{id}"), Some(&officer)).await.json().await.expect("json");
    assert_eq!(case["documentRequests"][0]["kind"], "passport");
    assert_eq!(case["documents"]["items"].as_array().map(Vec::len), Some(4));
}
