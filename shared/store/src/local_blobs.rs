//! The local document store: files under the data folder, reached through signed forms and
//! links that the local portal checks exactly as S3 checks its presigned POST policies and GET
//! URLs — expiry, key, content type, size limit, no overwrite; any tampering is refused.
//!
//! A form's `policy` is base64url JSON `{key, contentType, maxBytes, expiresAt}`; its `signature`
//! is the hex HMAC-SHA256 of the policy under a secret kept in the data folder (mode 0600).

use std::collections::HashMap;
use std::io::{ErrorKind, Read as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_lc_rs::{constant_time, hmac};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_domain::blobs::{
    BlobError, BlobInfo, Blobs, PresignedDownload, PresignedUpload, UploadRequest, is_server_key,
};
use portal_domain::clock::Clock;
use portal_domain::uri::encode_component;
use serde::{Deserialize, Serialize};

/// How long forms and links work (the most S3 URLs are given too, U4).
pub const LINK_SECONDS: u64 = 5 * 60;
/// Where the local portal takes uploads.
pub const UPLOAD_PATH: &str = "/api/dev/blobs/upload";
/// Where the local portal serves downloads.
pub const DOWNLOAD_PATH: &str = "/api/dev/blobs/download";

const SECRET_FILE: &str = "blob-signing-secret";
const FILES_FOLDER: &str = "blobs";

/// What a signed upload form allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadPolicy {
    /// The only key the upload may be stored under.
    pub key: String,
    /// The only content type it may carry.
    pub content_type: String,
    /// The most bytes it may hold.
    pub max_bytes: u64,
    /// When the form stops working.
    pub expires_at: u64,
}

/// Why an upload or download was refused (each would be a 403 from S3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The signature does not match what was signed (tampered or forged).
    #[error("the signature does not match")]
    BadSignature,
    /// The form or link has expired.
    #[error("the link has expired")]
    Expired,
    /// A field differs from the signed policy (key or content type).
    #[error("a field differs from the signed policy")]
    PolicyMismatch,
    /// The file is empty or bigger than the signed limit.
    #[error("the file size is outside the signed range")]
    SizeOutOfRange,
    /// An object already exists under the key.
    #[error("an object already exists under this key")]
    AlreadyExists,
}

/// The local document store.
pub struct LocalBlobs {
    root: PathBuf,
    key: hmac::Key,
    clock: Arc<dyn Clock>,
}

fn unavailable(error: std::io::Error) -> BlobError {
    BlobError::Unavailable(Box::new(error))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl LocalBlobs {
    /// Opens the store in the data folder, creating its secret on first use.
    pub fn open(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Self, BlobError> {
        let root = data_dir.join(FILES_FOLDER);
        std::fs::create_dir_all(&root).map_err(unavailable)?;
        let path = data_dir.join(SECRET_FILE);
        let secret = match std::fs::read(&path) {
            Ok(secret) => secret,
            Err(error) if error.kind() == ErrorKind::NotFound => {
                let mut secret = vec![0u8; 32];
                aws_lc_rs::rand::fill(&mut secret).map_err(|_| unavailable(ErrorKind::Other.into()))?;
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .map_err(unavailable)?;
                file.write_all(&secret).map_err(unavailable)?;
                file.sync_all().map_err(unavailable)?;
                secret
            }
            Err(error) => return Err(unavailable(error)),
        };
        Ok(Self { root, key: hmac::Key::new(hmac::HMAC_SHA256, &secret), clock })
    }

    fn sign(&self, message: &str) -> String {
        hex(hmac::sign(&self.key, message.as_bytes()).as_ref())
    }

    fn signature_holds(&self, message: &str, signature: &str) -> bool {
        constant_time::verify_slices_are_equal(self.sign(message).as_bytes(), signature.as_bytes()).is_ok()
    }

    fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        if is_server_key(key) { Ok(self.root.join(key)) } else { Err(BlobError::InvalidKey) }
    }

    /// Checks a posted form (its fields and the file's size) and says where the file may go.
    pub fn check_upload(&self, fields: &HashMap<String, String>, file_size: u64) -> Result<UploadPolicy, Refusal> {
        let field = |name: &str| fields.get(name).map(String::as_str).ok_or(Refusal::PolicyMismatch);
        let encoded = field("policy")?;
        if !self.signature_holds(encoded, field("signature")?) {
            return Err(Refusal::BadSignature);
        }
        let policy: UploadPolicy = URL_SAFE_NO_PAD
            .decode(encoded)
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or(Refusal::BadSignature)?;
        if policy.expires_at <= self.clock.now() {
            return Err(Refusal::Expired);
        }
        if field("key")? != policy.key || field("Content-Type")? != policy.content_type {
            return Err(Refusal::PolicyMismatch);
        }
        if file_size == 0 || file_size > policy.max_bytes {
            return Err(Refusal::SizeOutOfRange);
        }
        Ok(policy)
    }

    /// Stores an accepted upload under its key, never over an existing object.
    pub fn store(&self, policy: &UploadPolicy, bytes: &[u8]) -> Result<Result<(), Refusal>, BlobError> {
        let path = self.path(&policy.key)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(unavailable)?;
        }
        let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == ErrorKind::AlreadyExists => return Ok(Err(Refusal::AlreadyExists)),
            Err(error) => return Err(unavailable(error)),
        };
        file.write_all(bytes).and_then(|()| file.sync_all()).map_err(unavailable)?;
        Ok(Ok(()))
    }

    fn download_message(key: &str, name: &str, content_type: &str, expires_at: u64) -> String {
        format!("{key}\n{name}\n{content_type}\n{expires_at}")
    }

    /// Checks a download link's query and gives what to serve: key, file name, content type.
    pub fn check_download(&self, query: &HashMap<String, String>) -> Result<(String, String, String), Refusal> {
        let field = |name: &str| query.get(name).cloned().ok_or(Refusal::BadSignature);
        let (key, name, content_type) = (field("key")?, field("name")?, field("type")?);
        let expires_at: u64 = field("expires")?.parse().map_err(|_| Refusal::BadSignature)?;
        let message = Self::download_message(&key, &name, &content_type, expires_at);
        if !self.signature_holds(&message, &field("signature")?) {
            return Err(Refusal::BadSignature);
        }
        if expires_at <= self.clock.now() {
            return Err(Refusal::Expired);
        }
        Ok((key, name, content_type))
    }

    /// Deletes the files under `folder` last written more than `age` ago: local mode's version of
    /// the bucket's lifecycle rule. Gives how many went.
    pub fn expire(&self, folder: &str, age: Duration) -> Result<usize, BlobError> {
        fn sweep(dir: &Path, cutoff: SystemTime) -> std::io::Result<usize> {
            let mut expired = 0;
            for entry in std::fs::read_dir(dir)? {
                let entry = entry?;
                let metadata = entry.metadata()?;
                if metadata.is_dir() {
                    expired += sweep(&entry.path(), cutoff)?;
                } else if metadata.modified()? < cutoff {
                    std::fs::remove_file(entry.path())?;
                    expired += 1;
                }
            }
            Ok(expired)
        }
        let dir = self.path(folder)?;
        let cutoff = SystemTime::now().checked_sub(age).unwrap_or(SystemTime::UNIX_EPOCH);
        match sweep(&dir, cutoff) {
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(0),
            swept => swept.map_err(unavailable),
        }
    }

    /// The bytes of an object (for the download route).
    pub fn read(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        std::fs::read(self.path(key)?).map_err(|error| match error.kind() {
            ErrorKind::NotFound => BlobError::NotFound,
            _ => unavailable(error),
        })
    }
}

#[async_trait]
impl Blobs for LocalBlobs {
    async fn presign_upload(&self, request: &UploadRequest) -> Result<PresignedUpload, BlobError> {
        if !is_server_key(&request.key) {
            return Err(BlobError::InvalidKey);
        }
        let expires_at = self.clock.now() + LINK_SECONDS;
        let policy = UploadPolicy {
            key: request.key.clone(),
            content_type: request.content_type.clone(),
            max_bytes: request.max_bytes,
            expires_at,
        };
        let encoded =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&policy).map_err(|e| BlobError::Unavailable(e.into()))?);
        let signature = self.sign(&encoded);
        let fields = vec![
            ("key".to_owned(), policy.key),
            ("Content-Type".to_owned(), policy.content_type),
            ("policy".to_owned(), encoded),
            ("signature".to_owned(), signature),
        ];
        Ok(PresignedUpload { method: "POST", url: UPLOAD_PATH.to_owned(), fields, expires_at })
    }

    async fn presign_download(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
    ) -> Result<PresignedDownload, BlobError> {
        self.path(key)?;
        let expires_at = self.clock.now() + LINK_SECONDS;
        let signature = self.sign(&Self::download_message(key, file_name, content_type, expires_at));
        let url = format!(
            "{DOWNLOAD_PATH}?key={}&name={}&type={}&expires={expires_at}&signature={signature}",
            encode_component(key),
            encode_component(file_name),
            encode_component(content_type)
        );
        Ok(PresignedDownload { url, expires_at })
    }

    async fn head(&self, key: &str) -> Result<Option<BlobInfo>, BlobError> {
        match std::fs::metadata(self.path(key)?) {
            // Files are written once (`create_new`): nothing to pin.
            Ok(metadata) => Ok(Some(BlobInfo { size: metadata.len(), etag: None })),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn read_head(&self, key: &str, _seen: &BlobInfo, bytes: usize) -> Result<Vec<u8>, BlobError> {
        let file = std::fs::File::open(self.path(key)?).map_err(|error| match error.kind() {
            ErrorKind::NotFound => BlobError::NotFound,
            _ => unavailable(error),
        })?;
        let mut head = Vec::with_capacity(bytes);
        file.take(bytes as u64).read_to_end(&mut head).map_err(unavailable)?;
        Ok(head)
    }

    async fn promote(&self, from: &str, _seen: &BlobInfo, to: &str) -> Result<(), BlobError> {
        let (from, to) = (self.path(from)?, self.path(to)?);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(unavailable)?;
        }
        // A hard link fails if the target exists: no overwrite, as with a conditional copy.
        std::fs::hard_link(&from, &to).map_err(|error| match error.kind() {
            ErrorKind::NotFound => BlobError::NotFound,
            ErrorKind::AlreadyExists => BlobError::AlreadyExists,
            _ => unavailable(error),
        })
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        match std::fs::remove_file(self.path(key)?) {
            Err(error) if error.kind() != ErrorKind::NotFound => Err(unavailable(error)),
            _ => Ok(()),
        }
    }

    async fn put(&self, key: &str, _content_type: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(unavailable)?;
        }
        let mut file =
            std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|error| {
                match error.kind() {
                    ErrorKind::AlreadyExists => BlobError::AlreadyExists,
                    _ => unavailable(error),
                }
            })?;
        file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(unavailable)
    }
}

#[cfg(test)]
mod tests {
    use percent_encoding::percent_decode_str;
    use portal_domain::clock::ManualClock;

    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn store() -> (LocalBlobs, Arc<ManualClock>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(ManualClock::at(NOW));
        (LocalBlobs::open(dir.path(), clock.clone()).expect("store"), clock, dir)
    }

    async fn form(blobs: &LocalBlobs) -> HashMap<String, String> {
        let request =
            UploadRequest { key: "quarantine/a1/d1".into(), content_type: "application/pdf".into(), max_bytes: 100 };
        blobs.presign_upload(&request).await.expect("form").fields.into_iter().collect()
    }

    #[tokio::test]
    async fn a_signed_form_admits_its_upload_once() {
        let (blobs, _, _dir) = store();
        let fields = form(&blobs).await;

        let policy = blobs.check_upload(&fields, 42).expect("accepted");
        blobs.store(&policy, b"%PDF-1.7 ...").expect("io").expect("stored");

        assert_eq!(policy.key, "quarantine/a1/d1");
        assert_eq!(
            blobs.store(&policy, b"%PDF-1.7 again").expect("io"),
            Err(Refusal::AlreadyExists),
            "U3: no overwrite"
        );
    }

    #[tokio::test]
    async fn u1_a_file_bigger_than_signed_is_refused() {
        let (blobs, _, _dir) = store();
        assert_eq!(blobs.check_upload(&form(&blobs).await, 101), Err(Refusal::SizeOutOfRange));
        assert_eq!(blobs.check_upload(&form(&blobs).await, 0), Err(Refusal::SizeOutOfRange));
    }

    #[tokio::test]
    async fn u2_u3_fields_must_match_the_signed_policy() {
        let (blobs, _, _dir) = store();
        let mut other_type = form(&blobs).await;
        other_type.insert("Content-Type".into(), "application/x-msdownload".into());
        let mut other_key = form(&blobs).await;
        other_key.insert("key".into(), "verified/a1/d1".into());

        assert_eq!(blobs.check_upload(&other_type, 10), Err(Refusal::PolicyMismatch));
        assert_eq!(blobs.check_upload(&other_key, 10), Err(Refusal::PolicyMismatch));
    }

    #[tokio::test]
    async fn u4_expired_or_tampered_forms_are_refused() {
        let (blobs, clock, _dir) = store();
        let mut tampered = form(&blobs).await;
        // A policy that grants more (a bigger size) than the one signed.
        let mut granted: UploadPolicy =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&tampered["policy"]).expect("base64")).expect("json");
        granted.max_bytes = 1_000_000_000;
        tampered.insert("policy".into(), URL_SAFE_NO_PAD.encode(serde_json::to_vec(&granted).expect("json")));
        assert_eq!(blobs.check_upload(&tampered, 10), Err(Refusal::BadSignature));

        let fields = form(&blobs).await;
        clock.advance(LINK_SECONDS);
        assert_eq!(blobs.check_upload(&fields, 10), Err(Refusal::Expired));
    }

    #[tokio::test]
    async fn u4_download_links_expire_and_cannot_be_altered() {
        let (blobs, clock, _dir) = store();
        let link =
            blobs.presign_download("verified/a1/d1", "passeport été.pdf", "application/pdf").await.expect("link");
        let query: HashMap<String, String> = link
            .url
            .split_once('?')
            .expect("query")
            .1
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), percent_decode_str(v).decode_utf8().expect("utf-8").into_owned()))
            .collect();

        assert_eq!(
            blobs.check_download(&query),
            Ok(("verified/a1/d1".into(), "passeport été.pdf".into(), "application/pdf".into()))
        );
        let mut other_key = query.clone();
        other_key.insert("key".into(), "verified/a2/d9".into());
        assert_eq!(blobs.check_download(&other_key), Err(Refusal::BadSignature));
        clock.advance(LINK_SECONDS);
        assert_eq!(blobs.check_download(&query), Err(Refusal::Expired));
    }

    #[tokio::test]
    async fn expired_uploads_are_swept_and_recent_ones_kept() {
        let (blobs, _, dir) = store();
        let policy = blobs.check_upload(&form(&blobs).await, 8).expect("accepted");
        blobs.store(&policy, b"%PDF-1.7").expect("io").expect("stored");
        let recent = UploadPolicy { key: "quarantine/a2/d2".into(), ..policy.clone() };
        blobs.store(&recent, b"%PDF-1.7").expect("io").expect("stored");
        let old = std::fs::File::options().write(true).open(dir.path().join("blobs/quarantine/a1/d1")).expect("file");
        old.set_modified(SystemTime::now() - Duration::from_secs(2 * 86_400)).expect("backdated");

        assert_eq!(blobs.expire("quarantine", Duration::from_secs(86_400)).expect("swept"), 1);
        assert_eq!(blobs.head("quarantine/a1/d1").await.expect("head"), None);
        assert!(blobs.head("quarantine/a2/d2").await.expect("head").is_some());
        assert_eq!(blobs.expire("nothing-here", Duration::from_secs(1)).expect("swept"), 0);
    }

    #[tokio::test]
    async fn objects_are_copied_out_of_quarantine_without_overwrite_and_deleted() {
        let (blobs, _, _dir) = store();
        let policy = blobs.check_upload(&form(&blobs).await, 8).expect("accepted");
        blobs.store(&policy, b"%PDF-1.7").expect("io").expect("stored");

        let seen = blobs.head("quarantine/a1/d1").await.expect("head").expect("stored");
        assert_eq!(blobs.read_head("quarantine/a1/d1", &seen, 5).await.expect("head"), b"%PDF-");
        blobs.promote("quarantine/a1/d1", &seen, "verified/a1/d1").await.expect("promoted");
        assert!(matches!(
            blobs.promote("quarantine/a1/d1", &seen, "verified/a1/d1").await,
            Err(BlobError::AlreadyExists)
        ));
        assert_eq!(blobs.head("verified/a1/d1").await.expect("head"), Some(BlobInfo { size: 8, etag: None }));
        blobs.delete("verified/a1/d1").await.expect("deleted");
        blobs.delete("verified/a1/d1").await.expect("deleting twice is fine");
        assert!(matches!(blobs.presign_download("../etc/passwd", "x", "y").await, Err(BlobError::InvalidKey)));
    }
}
