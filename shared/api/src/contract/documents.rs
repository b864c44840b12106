//! Documents: presigned uploads, verification, the checklist, downloads.

use std::collections::BTreeMap;

use http::Method;
use portal_domain::application_documents::{ChecklistLine, Document};
use portal_domain::blobs::{PresignedDownload, PresignedUpload};
use portal_domain::case_view::DocumentRequestView;
use portal_domain::files::MAX_UPLOAD_BYTES;
use portal_domain::ids::{ApplicationId, DocumentId};
use portal_domain::paging::Paged;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Contract, PageQuery};
use crate::body::whole_number;
use crate::routes::{Area, Auth, Route};

/// The area's routes.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/documents",
        function: "ListDocuments",
        area: Area::Documents,
        auth: Auth::User,
        summary: "The application's document checklist, documents and officers' requests",
        contract: Contract::json::<DocumentList>(200).path::<ApplicationId>().query::<PageQuery>(),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/documents",
        function: "RequestUpload",
        area: Area::Documents,
        auth: Auth::User,
        summary: "Declare a document (kind, name, type, size) and get a presigned upload form valid 5 minutes",
        contract: Contract::json::<UploadTicket>(201)
            .path::<ApplicationId>()
            .body::<UploadDeclaration>()
            .problems(&[409]),
    },
    Route {
        method: Method::POST,
        path: "/api/applications/{id}/documents/{docId}/complete",
        function: "CompleteUpload",
        area: Area::Documents,
        auth: Auth::User,
        summary: "Verify the uploaded file now and give the document's state",
        contract: Contract::json::<Document>(200).path::<(ApplicationId, DocumentId)>().without_body().problems(&[409]),
    },
    Route {
        method: Method::GET,
        path: "/api/applications/{id}/documents/{docId}/download",
        function: "DownloadDocument",
        area: Area::Documents,
        auth: Auth::User,
        summary: "A download link valid 5 minutes (verified files only)",
        contract: Contract::json::<PresignedDownload>(200).path::<(ApplicationId, DocumentId)>().problems(&[409]),
    },
    Route {
        method: Method::DELETE,
        path: "/api/applications/{id}/documents/{docId}",
        function: "DeleteDocument",
        area: Area::Documents,
        auth: Auth::User,
        summary: "Remove a document while the application is a draft or an officer asked for that kind",
        contract: Contract::empty(204).path::<(ApplicationId, DocumentId)>().problems(&[409]),
    },
];

/// The application's documents (one page), its checklist and officers' requests.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentList {
    /// This page's documents.
    pub items: Vec<Document>,
    /// Give it back as `?cursor=` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
    /// Each document the type asks for, with the best state among those sent and any open
    /// request for it.
    pub checklist: Vec<ChecklistLine>,
    /// Officers' requests for documents, as the caller may see them.
    pub requests: Vec<DocumentRequestView>,
}

impl DocumentList {
    /// A page of documents with the checklist and the requests.
    pub fn new(page: Paged<Document>, checklist: Vec<ChecklistLine>, requests: Vec<DocumentRequestView>) -> Self {
        let next_cursor = page.next.map(|cursor| cursor.as_str().to_owned());
        Self { items: page.items, next_cursor, checklist, requests }
    }
}

/// The body of `POST /api/applications/{id}/documents`: the document about to be uploaded.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UploadDeclaration {
    /// The checklist requirement it answers (`passport`, `photo`, ...), one of the type's.
    pub kind: String,
    /// The file's name on the applicant's device (kept only as sanitized metadata).
    pub file_name: String,
    /// The file's type; the file must be what it says.
    #[schemars(with = "DeclaredType")]
    pub content_type: String,
    /// The file's size in bytes (at most 10 MiB); the upload must be exactly this size.
    #[schemars(range(min = 1, max = MAX_UPLOAD_BYTES))]
    #[serde(deserialize_with = "whole_number")]
    pub size: u64,
}

/// The content types a document may be (`FileKind::from_content_type`).
#[derive(JsonSchema)]
#[expect(dead_code, reason = "only its schema is read")]
enum DeclaredType {
    /// A PDF document.
    #[schemars(rename = "application/pdf")]
    Pdf,
    /// A JPEG image.
    #[schemars(rename = "image/jpeg")]
    Jpeg,
    /// A PNG image.
    #[schemars(rename = "image/png")]
    Png,
}

/// A declared document and the form that uploads its file straight to storage.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadTicket {
    /// The document's id.
    #[schemars(with = "DocumentId")]
    pub document_id: String,
    /// The document, pending until its file is verified.
    pub document: Document,
    /// The form to post the file with.
    pub upload: UploadForm,
    /// When the form stops working (seconds since the epoch, five minutes from now).
    pub expires_at: u64,
}

/// A signed form: post `fields` then the file (last) as `multipart/form-data` to `url`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UploadForm {
    /// Always `POST`.
    pub method: &'static str,
    /// Where to post.
    pub url: String,
    /// Form fields to send before the file, in any order.
    pub fields: BTreeMap<String, String>,
}

impl UploadTicket {
    /// The ticket of `document`, with its signed form.
    pub fn new(document: Document, upload: PresignedUpload) -> Self {
        let form = UploadForm { method: upload.method, url: upload.url, fields: upload.fields.into_iter().collect() };
        Self { document_id: document.id.clone(), document, upload: form, expires_at: upload.expires_at }
    }
}

#[cfg(test)]
mod tests {
    use portal_domain::files::FileKind;

    use super::*;

    #[test]
    fn the_declared_types_are_the_accepted_kinds() {
        let schema = schemars::schema_for!(DeclaredType).to_value();
        let mut declared: Vec<String> = schema["oneOf"]
            .as_array()
            .expect("one of")
            .iter()
            .map(|variant| variant["const"].as_str().expect("a name").to_owned())
            .collect();
        declared.sort();
        let mut accepted: Vec<String> =
            [FileKind::Pdf, FileKind::Jpeg, FileKind::Png].map(|kind| kind.content_type().to_owned()).into();
        accepted.sort();
        assert_eq!(declared, accepted);
        assert!(declared.iter().all(|name| FileKind::from_content_type(name).is_some()));
    }
}
