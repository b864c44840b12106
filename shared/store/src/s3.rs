//! The `Blobs` port on Amazon S3: uploads through presigned POST policies (`s3_post`, which the
//! SDK lacks), downloads through the SDK's presigned GET, and the object operations the
//! verification step needs. Copying out of quarantine never overwrites (`If-None-Match: *`)
//! and reads only the object that was verified (`If-Match` its ETag).

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_credential_types::provider::ProvideCredentials as _;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use portal_domain::blobs::{
    BlobError, BlobInfo, Blobs, PresignedDownload, PresignedUpload, UploadRequest, is_server_key,
};
use portal_domain::files::sanitize_file_name;

use crate::s3_post::{MAX_EXPIRY, SigningCredentials, UploadRule, presign_post};

/// The `Blobs` port on one bucket.
#[derive(Clone, Debug)]
pub struct S3Blobs {
    client: Client,
    credentials: SharedCredentialsProvider,
    bucket: String,
    region: String,
    /// Where browsers post uploads; the bucket's regional endpoint unless set (an emulator).
    upload_url: Option<String>,
}

fn unavailable(error: impl std::error::Error + Send + Sync + 'static) -> BlobError {
    BlobError::Unavailable(Box::new(error))
}

/// `NotFound` for S3's missing-object answers (HEAD has no body, so only its status says so),
/// `AlreadyExists` for a refused conditional write (`If-None-Match: *`), `Unavailable` otherwise.
fn blob_error<E>(error: SdkError<E, HttpResponse>) -> BlobError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = error.raw_response().map(|response| response.status().as_u16());
    if matches!(error.code(), Some("NoSuchKey" | "NotFound")) || status == Some(404) {
        BlobError::NotFound
    } else if matches!(error.code(), Some("PreconditionFailed")) || status == Some(412) {
        BlobError::AlreadyExists
    } else {
        unavailable(error)
    }
}

/// For reads pinned with `If-Match`: a failed precondition means the object was replaced.
fn changed_or_blob_error<E>(error: SdkError<E, HttpResponse>) -> BlobError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match blob_error(error) {
        BlobError::AlreadyExists => BlobError::Changed,
        other => other,
    }
}

impl S3Blobs {
    /// Documents in `bucket`, signed with `credentials` (the function's role).
    pub fn new(
        client: Client,
        credentials: SharedCredentialsProvider,
        bucket: impl Into<String>,
        region: impl Into<String>,
        upload_url: Option<String>,
    ) -> Self {
        Self { client, credentials, bucket: bucket.into(), region: region.into(), upload_url }
    }

    fn key(key: &str) -> Result<&str, BlobError> {
        if is_server_key(key) { Ok(key) } else { Err(BlobError::InvalidKey) }
    }
}

#[async_trait]
impl Blobs for S3Blobs {
    async fn presign_upload(&self, request: &UploadRequest) -> Result<PresignedUpload, BlobError> {
        Self::key(&request.key)?;
        let credentials = self.credentials.provide_credentials().await.map_err(unavailable)?;
        let signing = SigningCredentials {
            access_key_id: credentials.access_key_id().to_owned(),
            secret_access_key: credentials.secret_access_key().to_owned(),
            session_token: credentials.session_token().map(str::to_owned),
        };
        let rule = UploadRule {
            bucket: self.bucket.clone(),
            key: request.key.clone(),
            content_type: request.content_type.clone(),
            max_bytes: request.max_bytes,
            expires_in: MAX_EXPIRY,
        };
        let post = presign_post(&signing, &self.region, &rule, SystemTime::now());
        Ok(PresignedUpload {
            method: "POST",
            url: self.upload_url.clone().unwrap_or(post.url),
            fields: post.fields,
            expires_at: post.expires_at,
        })
    }

    async fn presign_download(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
    ) -> Result<PresignedDownload, BlobError> {
        let config = PresigningConfig::expires_in(MAX_EXPIRY).map_err(unavailable)?;
        let disposition = format!("attachment; filename=\"{}\"", sanitize_file_name(file_name));
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(Self::key(key)?)
            .response_content_disposition(disposition)
            .response_content_type(content_type);
        let presigned = request.presigned(config).await.map_err(unavailable)?;
        let expires_at = SystemTime::now()
            .checked_add(MAX_EXPIRY)
            .and_then(|at| at.duration_since(SystemTime::UNIX_EPOCH).ok())
            .unwrap_or(Duration::ZERO)
            .as_secs();
        Ok(PresignedDownload { url: presigned.uri().to_owned(), expires_at })
    }

    async fn head(&self, key: &str) -> Result<Option<BlobInfo>, BlobError> {
        match self.client.head_object().bucket(&self.bucket).key(Self::key(key)?).send().await.map_err(blob_error) {
            Ok(object) => Ok(Some(BlobInfo {
                size: u64::try_from(object.content_length().unwrap_or_default()).unwrap_or_default(),
                etag: object.e_tag().map(str::to_owned),
            })),
            Err(BlobError::NotFound) => Ok(None),
            Err(other) => Err(other),
        }
    }

    async fn read_head(&self, key: &str, seen: &BlobInfo, bytes: usize) -> Result<Vec<u8>, BlobError> {
        let range = format!("bytes=0-{}", bytes.saturating_sub(1));
        let object = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(Self::key(key)?)
            .set_if_match(seen.etag.clone())
            .range(range)
            .send()
            .await
            .map_err(changed_or_blob_error)?;
        let body = object.body.collect().await.map_err(unavailable)?.into_bytes();
        Ok(body.iter().take(bytes).copied().collect())
    }

    async fn promote(&self, from: &str, seen: &BlobInfo, to: &str) -> Result<(), BlobError> {
        let object = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(Self::key(from)?)
            .set_if_match(seen.etag.clone())
            .send()
            .await
            .map_err(changed_or_blob_error)?;
        let content_type = object.content_type().map(str::to_owned);
        let body = object.body.collect().await.map_err(unavailable)?.into_bytes();
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(Self::key(to)?)
            .set_content_type(content_type)
            .if_none_match("*")
            .body(body.into())
            .send()
            .await
            .map_err(blob_error)?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        self.client.delete_object().bucket(&self.bucket).key(Self::key(key)?).send().await.map_err(blob_error)?;
        Ok(())
    }

    async fn put(&self, key: &str, content_type: &str, bytes: Vec<u8>) -> Result<(), BlobError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(Self::key(key)?)
            .content_type(content_type)
            .if_none_match("*")
            .body(bytes.into())
            .send()
            .await
            .map_err(blob_error)?;
        Ok(())
    }
}
