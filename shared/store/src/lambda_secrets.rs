//! Reading a secret once at init through the AWS Parameters and Secrets Lambda Extension (a
//! layer that answers on `localhost:2773` from its cache of Secrets Manager): no Secrets
//! Manager SDK client in the function, and the secret never sits in the function's
//! environment, where anyone who may read the function's configuration would see it.

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::{Request, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;

/// The extension's default port (`PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` changes it).
const DEFAULT_PORT: u16 = 2773;

/// A secret could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The extension did not answer, or refused.
    #[error("the secrets extension did not give secret {id}: {reason}")]
    Unavailable {
        /// The secret asked for.
        id: String,
        /// Why (never the secret).
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    secret_string: String,
}

/// The text of secret `id`, asked of the extension with the function's session token (the
/// extension's proof that the caller is the function itself).
pub async fn secret_string(id: &str, session_token: &str, port: Option<u16>) -> Result<String, SecretError> {
    let unavailable = |reason: String| SecretError::Unavailable { id: id.to_owned(), reason };
    let port = port.unwrap_or(DEFAULT_PORT);
    let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("secretId", id).finish();
    let uri: Uri = format!("http://127.0.0.1:{port}/secretsmanager/get?{query}")
        .parse()
        .map_err(|_| unavailable("the secret id does not fit a URL".into()))?;
    let request = Request::get(uri)
        .header("X-Aws-Parameters-Secrets-Token", session_token)
        .body(Empty::<Bytes>::new())
        .map_err(|e| unavailable(e.to_string()))?;
    let client = Client::builder(TokioExecutor::new()).build_http();
    let answer = client.request(request).await.map_err(|e| unavailable(e.to_string()))?;
    if !answer.status().is_success() {
        return Err(unavailable(format!("status {}", answer.status())));
    }
    let body = Limited::new(answer.into_body(), 256 * 1024)
        .collect()
        .await
        .map_err(|e| unavailable(e.to_string()))?
        .to_bytes();
    let answer: Answer = serde_json::from_slice(&body).map_err(|_| unavailable("not a secret's answer".into()))?;
    Ok(answer.secret_string)
}
