//! The `scan` function against the AWS emulator: a file posted with the presigned form into the
//! moto bucket, then the S3 object-created event (the JSON S3 sends) handled twice. The document
//! is verified and copied out of quarantine once; the second delivery changes nothing (idempotent).
//! Moto checks neither signatures nor POST policies: those are proven against AWS's published
//! example (`s3_post`) and by the local store (`local_blobs`).

use std::sync::Arc;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_lambda_events::s3::S3Event;
use portal_domain::application_documents::{Document, DocumentState, Documents, quarantine_key, verified_key};
use portal_domain::applications::Applications;
use portal_domain::blobs::{Blobs, UploadRequest};
use portal_domain::clock::ManualClock;
use portal_domain::files::{FileKind, QuarantineReason};
use portal_domain::status::Status;
use portal_domain::verification::Verifier;
use portal_store::dynamodb::DynamoTable;
use portal_store::s3::S3Blobs;
use serde_json::json;

/// A PDF the parser reads (its catalog found though the cross-reference table is missing), in
/// ASCII only for the same reason as below.
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
/// A web page behind a PDF header: the first bytes say PDF, the parser finds none.
const PAGE: &[u8] = b"%PDF-1.7\n<html><script>alert(document.cookie)</script></html>\n";
/// A readable PDF whose catalog runs a script when it opens.
const SCRIPTED: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
/// An executable's magic (`MZ`) in ASCII only: moto re-encodes form parts as text, so bytes that
/// are not UTF-8 arrive changed (the local portal's tests post real binary headers).
const EXE: &[u8] = b"MZ This program cannot be run in DOS mode; renamed .pdf";

struct Fixture {
    documents: Documents,
    blobs: Arc<S3Blobs>,
    verifier: Verifier,
    bucket: String,
    clock: Arc<ManualClock>,
}

async fn fixture() -> Fixture {
    let config = portal_emulator::sdk_config().await.expect("moto");
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    let table_name = portal_emulator::unique_name("scan");
    portal_emulator::create_table_from_template(&dynamodb, &table_name).await.expect("table");
    let (s3, bucket, upload_url) = portal_emulator::s3_bucket(&config, "uploads").await.expect("bucket");
    let credentials = SharedCredentialsProvider::new(config.credentials_provider().expect("credentials"));
    let blobs = Arc::new(S3Blobs::new(s3, credentials, bucket.clone(), "ca-central-1", Some(upload_url)));
    let table: Arc<DynamoTable> = Arc::new(DynamoTable::new(dynamodb, table_name));
    // Documents are recorded on an application that accepts them (a draft).
    Applications::new(table.clone())
        .create_draft("owner", &visitor_visa(), "app-1".into(), 1_800_000_000)
        .await
        .expect("draft");
    let documents = Documents::new(table);
    let clock = Arc::new(ManualClock::at(1_800_000_000));
    let verifier = Verifier::new(documents.clone(), blobs.clone(), clock.clone());
    Fixture { documents, blobs, verifier, bucket, clock }
}

impl Fixture {
    /// A pending document whose file was posted with its presigned form.
    async fn uploaded(&self, id: &str, bytes: &[u8]) -> Document {
        let document = Document {
            id: id.into(),
            application_id: "app-1".into(),
            kind: "passport".into(),
            file_name: "passport.pdf".into(),
            file_kind: FileKind::Pdf,
            size: bytes.len() as u64,
            state: DocumentState::Pending,
            quarantine_reason: None,
            review_reason: None,
            created_at: 1_800_000_000,
            updated_at: 1_800_000_000,
        };
        self.documents.add(&document, Status::Draft).await.expect("recorded");
        let request = UploadRequest {
            key: quarantine_key("app-1", id),
            content_type: "application/pdf".into(),
            max_bytes: document.size,
        };
        let form = self.blobs.presign_upload(&request).await.expect("form");
        let mut multipart = reqwest::multipart::Form::new();
        for (name, value) in form.fields {
            multipart = multipart.text(name, value);
        }
        multipart = multipart.part("file", reqwest::multipart::Part::bytes(bytes.to_vec()));
        let posted = reqwest::Client::new().post(&form.url).multipart(multipart).send().await.expect("post");
        assert!(posted.status().is_success(), "{}", posted.status());
        document
    }

    /// The event S3 sends for an object created under `key` (trimmed to the fields read).
    fn event(&self, key: &str) -> S3Event {
        serde_json::from_value(json!({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "ca-central-1",
            "eventTime": "2026-11-28T01:02:03.000Z", "eventName": "ObjectCreated:Post",
            "userIdentity": {"principalId": "AWS:AROAEXAMPLE"},
            "requestParameters": {"sourceIPAddress": "192.0.2.1"},
            "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8"},
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "Upload",
                   "bucket": {"name": self.bucket, "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                              "arn": format!("arn:aws:s3:::{}", self.bucket)},
                   "object": {"key": key, "size": 42, "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                              "sequencer": "0055AED6DCD90281E5"}}
        }]}))
        .expect("an S3 event")
    }
}

#[tokio::test]
async fn u2_an_upload_event_verifies_the_document_once_even_when_delivered_twice() {
    let fixture = fixture().await;
    fixture.uploaded("doc-good", PDF).await;
    let event = fixture.event(&quarantine_key("app-1", "doc-good"));

    assert_eq!(portal_scan::handle(&fixture.verifier, event.clone()).await.expect("handled"), 1);
    let verified = fixture.documents.get("app-1", "doc-good").await.expect("read").expect("document");
    assert_eq!(verified.state, DocumentState::Verified);
    let copy = fixture.blobs.head(&verified_key("app-1", "doc-good")).await.expect("head").expect("copied");
    assert_eq!(copy.size, PDF.len() as u64);

    fixture.clock.advance(60);
    portal_scan::handle(&fixture.verifier, event).await.expect("handled again");
    let after = fixture.documents.get("app-1", "doc-good").await.expect("read").expect("document");
    assert_eq!(after, verified, "the second delivery changed nothing");
}

#[tokio::test]
async fn u2_a_renamed_executable_a_page_behind_a_pdf_header_and_a_scripted_pdf_stay_in_quarantine() {
    let fixture = fixture().await;
    let cases = [
        ("doc-exe", EXE, QuarantineReason::ContentMismatch),
        ("doc-page", PAGE, QuarantineReason::ContentMismatch),
        ("doc-script", SCRIPTED, QuarantineReason::ActiveContent),
    ];
    for (id, bytes, reason) in cases {
        fixture.uploaded(id, bytes).await;

        portal_scan::handle(&fixture.verifier, fixture.event(&quarantine_key("app-1", id))).await.expect("handled");

        let document = fixture.documents.get("app-1", id).await.expect("read").expect("document");
        assert_eq!((document.state, document.quarantine_reason), (DocumentState::Quarantined, Some(reason)), "{id}");
        assert_eq!(fixture.blobs.head(&verified_key("app-1", id)).await.expect("head"), None, "{id} never served");
    }
}

#[tokio::test]
async fn objects_outside_quarantine_and_unknown_documents_are_skipped() {
    let fixture = fixture().await;
    let outside = fixture.event("documents/app-1/doc-x");
    let unknown = fixture.event(&quarantine_key("app-1", "no-such-document"));

    assert_eq!(portal_scan::handle(&fixture.verifier, outside).await.expect("handled"), 0);
    assert_eq!(portal_scan::handle(&fixture.verifier, unknown).await.expect("handled"), 0);
}

#[tokio::test]
async fn a_run_stopped_after_the_copy_is_finished_by_the_next_delivery() {
    let fixture = fixture().await;
    fixture.uploaded("doc-crash", PDF).await;
    let quarantined = quarantine_key("app-1", "doc-crash");
    let seen = fixture.blobs.head(&quarantined).await.expect("head").expect("stored");
    // What a run that stopped between copying and recording left behind.
    fixture.blobs.promote(&quarantined, &seen, &verified_key("app-1", "doc-crash")).await.expect("copied");

    portal_scan::handle(&fixture.verifier, fixture.event(&quarantined)).await.expect("handled");

    let document = fixture.documents.get("app-1", "doc-crash").await.expect("read").expect("document");
    assert_eq!(document.state, DocumentState::Verified);
}

/// The visitor visa type of the catalog.
fn visitor_visa() -> portal_domain::application_types::ApplicationType {
    portal_domain::application_types::Catalog::load().expect("catalog").get("visitor-visa").expect("type").clone()
}
