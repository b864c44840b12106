//! Verification of an uploaded file (U2): its first bytes must show the declared kind, a PDF
//! must be one with nothing active in it (`files::verify`, `pdf`), and its size must be the
//! declared size. A good file is copied out of quarantine and its document
//! becomes `verified`; a bad one stays in quarantine (never served) and its document says why.
//! Both reads are pinned to the object first looked at: a file replaced meanwhile is not copied.
//!
//! The same step runs from the S3 object-created event (the `scan` function), from the local
//! blob store after an upload, and from the "complete" route; whichever comes first records the
//! outcome, the others find it recorded and change nothing. A step interrupted between moving
//! the file and recording the outcome is finished by the next one.

use std::sync::Arc;

use crate::application_documents::{Document, DocumentState, Documents, quarantine_key, verified_key};
use crate::blobs::{BlobError, Blobs};
use crate::clock::Clock;
use crate::files::verify;
use crate::table::StoreError;

/// Why a verification could not run (it is retried: nothing was recorded).
#[derive(Debug, thiserror::Error)]
pub enum VerificationError {
    /// The table failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The document store failed.
    #[error(transparent)]
    Blobs(#[from] BlobError),
}

/// Verifies uploads.
#[derive(Clone)]
pub struct Verifier {
    documents: Documents,
    blobs: Arc<dyn Blobs>,
    clock: Arc<dyn Clock>,
}

impl Verifier {
    /// A verifier over the documents' records and files.
    pub fn new(documents: Documents, blobs: Arc<dyn Blobs>, clock: Arc<dyn Clock>) -> Self {
        Self { documents, blobs, clock }
    }

    /// Verifies the upload of one document, if it arrived and is not verified yet, and gives the
    /// document as it now stands (`None` for an unknown document: a stray or deleted upload).
    pub async fn verify(&self, application_id: &str, document_id: &str) -> Result<Option<Document>, VerificationError> {
        let Some(document) = self.documents.get(application_id, document_id).await? else {
            return Ok(None);
        };
        if document.state != DocumentState::Pending {
            return Ok(Some(document));
        }
        let (quarantined, verified) =
            (quarantine_key(application_id, document_id), verified_key(application_id, document_id));
        let outcome = match self.blobs.head(&quarantined).await? {
            Some(stored) => {
                let content = self.blobs.read_head(&quarantined, &stored, document.file_kind.bytes_to_verify()).await?;
                let outcome = verify(document.file_kind, document.size, stored.size, &content);
                if outcome.is_ok() {
                    match self.blobs.promote(&quarantined, &stored, &verified).await {
                        // Another run copied it first: the file is where it belongs.
                        Ok(()) | Err(BlobError::AlreadyExists) => {}
                        Err(other) => return Err(other.into()),
                    }
                }
                outcome
            }
            // Copied by an earlier run that stopped before recording the outcome, and the
            // quarantined original since expired.
            None if self.blobs.head(&verified).await?.is_some() => Ok(()),
            // Not uploaded (yet).
            None => return Ok(Some(document)),
        };
        let at = self.clock.now();
        // Another run recorded it meanwhile: its outcome stands (and a run that stopped before
        // refreshing the dashboard lines has them refreshed by this one).
        let recorded = match self.documents.record_verification(application_id, document_id, outcome, at).await? {
            Some(recorded) => Some(recorded),
            None => self.documents.get(application_id, document_id).await?,
        };
        if recorded.as_ref().is_some_and(|document| document.state == DocumentState::Verified) {
            self.documents.refresh_action_required(application_id).await?;
        }
        Ok(recorded)
    }
}
