//! Implementations of the domain's ports. Each binary links only the one it runs on.

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "cognito")]
pub mod cognito;
#[cfg(feature = "dead-letters")]
pub mod dead_letters;
#[cfg(feature = "dynamodb")]
pub mod dynamodb;
#[cfg(feature = "embedded")]
pub mod embedded;
#[cfg(feature = "stripe")]
pub mod lambda_secrets;
#[cfg(feature = "local")]
pub mod local_blobs;
#[cfg(feature = "local")]
pub mod local_identity;
#[cfg(feature = "local")]
pub mod outbox;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "s3")]
pub mod s3_post;
#[cfg(feature = "notify")]
pub mod ses_sns;
#[cfg(feature = "stripe")]
pub mod stripe;
