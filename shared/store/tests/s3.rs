//! The S3 adapter on moto: a file posted with the presigned form is stored, read back, copied out
//! of quarantine and downloaded through the presigned link. Moto checks neither signatures nor
//! POST policies: what the policy enforces is proven byte for byte against AWS's published
//! example (`s3_post`) and, in local mode, by the local store (`local_blobs`).

use aws_credential_types::provider::SharedCredentialsProvider;
use portal_domain::blobs::{BlobError, BlobInfo, Blobs, UploadRequest};
use portal_store::s3::S3Blobs;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

async fn blobs() -> S3Blobs {
    let config = portal_emulator::sdk_config().await.expect("moto");
    let (client, bucket, upload_url) = portal_emulator::s3_bucket(&config, "documents").await.expect("bucket");
    let credentials = SharedCredentialsProvider::new(config.credentials_provider().expect("credentials"));
    S3Blobs::new(client, credentials, bucket, "ca-central-1", Some(upload_url))
}

#[tokio::test]
async fn a_posted_file_is_stored_verified_promoted_and_downloaded() {
    let blobs = blobs().await;
    let request = UploadRequest {
        key: "quarantine/a1/d1".into(),
        content_type: "application/pdf".into(),
        max_bytes: PDF.len() as u64,
    };

    let form = blobs.presign_upload(&request).await.expect("form");
    let mut multipart = reqwest::multipart::Form::new();
    for (name, value) in form.fields.clone() {
        multipart = multipart.text(name, value);
    }
    multipart = multipart.part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("passport.pdf"));
    let posted = reqwest::Client::new().post(&form.url).multipart(multipart).send().await.expect("post");
    assert!(posted.status().is_success(), "{}", posted.status());

    let seen = blobs.head("quarantine/a1/d1").await.expect("head").expect("stored");
    assert_eq!(seen.size, PDF.len() as u64);
    assert_eq!(blobs.read_head("quarantine/a1/d1", &seen, 5).await.expect("first bytes"), b"%PDF-");
    blobs.promote("quarantine/a1/d1", &seen, "verified/a1/d1").await.expect("promoted");
    assert!(
        matches!(blobs.promote("quarantine/a1/d1", &seen, "verified/a1/d1").await, Err(BlobError::AlreadyExists)),
        "the verified copy is never overwritten"
    );
    let replaced = BlobInfo { etag: Some("\"another-version\"".into()), ..seen };
    assert!(
        matches!(blobs.read_head("quarantine/a1/d1", &replaced, 5).await, Err(BlobError::Changed)),
        "reads are pinned to the object that was looked at"
    );

    let link = blobs.presign_download("verified/a1/d1", "../passport.pdf", "application/pdf").await.expect("link");
    // U3: the name and type S3 serves the file with are signed into the link (moto does not
    // apply them to its answer; S3 does).
    let url = reqwest::Url::parse(&link.url).expect("url");
    let signed = |name: &str| url.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned());
    assert_eq!(signed("response-content-disposition").as_deref(), Some("attachment; filename=\"passport.pdf\""));
    assert_eq!(signed("response-content-type").as_deref(), Some("application/pdf"));
    let downloaded = reqwest::get(&link.url).await.expect("download");
    assert!(downloaded.status().is_success());
    assert_eq!(downloaded.bytes().await.expect("bytes").as_ref(), PDF);

    blobs.delete("verified/a1/d1").await.expect("deleted");
    assert_eq!(blobs.head("verified/a1/d1").await.expect("head"), None);
}

#[tokio::test]
async fn form_fields_bind_key_type_and_size() {
    let blobs = blobs().await;
    let request = UploadRequest { key: "quarantine/a1/d2".into(), content_type: "image/png".into(), max_bytes: 2048 };

    let form = blobs.presign_upload(&request).await.expect("form");

    let field = |name: &str| form.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    assert_eq!(field("key"), Some("quarantine/a1/d2"));
    assert_eq!(field("Content-Type"), Some("image/png"));
    assert!(field("policy").is_some() && field("x-amz-signature").is_some());
    assert!(blobs.presign_upload(&UploadRequest { key: "../escape".into(), ..request }).await.is_err());
}
