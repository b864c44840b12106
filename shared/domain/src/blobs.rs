//! The `Blobs` port: where uploaded documents live (S3 in AWS, files in local mode). Uploads and
//! downloads go straight between the browser and the store through short-lived signed requests;
//! object keys are always chosen by the server.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Serialize;

/// What one upload may be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadRequest {
    /// Object key, chosen by the server.
    pub key: String,
    /// Declared content type; the upload must carry exactly this one.
    pub content_type: String,
    /// Declared size: the most the upload may hold.
    pub max_bytes: u64,
}

/// A signed form the browser posts the file with (field order matters: file last).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresignedUpload {
    /// Always `POST`.
    pub method: &'static str,
    /// Where to post.
    pub url: String,
    /// Form fields, in order, before the file.
    pub fields: Vec<(String, String)>,
    /// When the form stops working (seconds since the epoch).
    pub expires_at: u64,
}

/// A signed link to download one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresignedDownload {
    /// The link.
    pub url: String,
    /// When it stops working (seconds since the epoch).
    pub expires_at: u64,
}

/// What a stored object is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobInfo {
    /// Size in bytes.
    pub size: u64,
    /// Its entity tag, where the store can replace objects (S3: a presigned POST may write over
    /// an upload); reads pinned to it fail with `Changed` rather than see other content.
    pub etag: Option<String>,
}

/// What can go wrong with the store of documents.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// A key the server would never choose (a programming error).
    #[error("invalid object key")]
    InvalidKey,
    /// The object does not exist.
    #[error("no such object")]
    NotFound,
    /// An object already exists where one was to be written (nothing is overwritten).
    #[error("an object already exists under this key")]
    AlreadyExists,
    /// The object was replaced since it was looked at.
    #[error("the object changed")]
    Changed,
    /// The store failed.
    #[error("the document store is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The store of documents.
#[async_trait]
pub trait Blobs: Send + Sync {
    /// A signed upload form for one object: key, type and size limit bound into the signature,
    /// valid five minutes at most.
    async fn presign_upload(&self, request: &UploadRequest) -> Result<PresignedUpload, BlobError>;

    /// A signed download link, five minutes at most, naming the file as `file_name`.
    async fn presign_download(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
    ) -> Result<PresignedDownload, BlobError>;

    /// The object's size and tag, if it exists.
    async fn head(&self, key: &str) -> Result<Option<BlobInfo>, BlobError>;

    /// The first bytes (for recognizing its kind) of the object `seen` describes.
    async fn read_head(&self, key: &str, seen: &BlobInfo, bytes: usize) -> Result<Vec<u8>, BlobError>;

    /// Copies the object `seen` describes out of quarantine to a new key, refusing to overwrite
    /// one (`AlreadyExists`). The original stays until the bucket's lifecycle expires it, so its
    /// upload form, still valid for a few minutes, cannot store a second file under it locally.
    async fn promote(&self, from: &str, seen: &BlobInfo, to: &str) -> Result<(), BlobError>;

    /// Deletes an object; deleting a missing one is not an error.
    async fn delete(&self, key: &str) -> Result<(), BlobError>;

    /// Stores a file the server assembled (a data export) under a new key, refusing to
    /// overwrite one (`AlreadyExists`).
    async fn put(&self, key: &str, content_type: &str, bytes: Vec<u8>) -> Result<(), BlobError>;
}

/// Whether a key is one the server would choose: non-empty segments of letters, digits, `-` and
/// `_`, separated by `/`.
pub fn is_server_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 512
        && key.split('/').all(|segment| {
            !segment.is_empty() && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_segment_keys_are_server_keys() {
        assert!(is_server_key("quarantine/app-1/doc_2"));
        for bad in ["", "a//b", "../x", "a/../b", "a/b.pdf", "/a", "a/", "é"] {
            assert!(!is_server_key(bad), "{bad:?}");
        }
    }
}
