//! Lambda entry point of the auth area (every `/api/auth/*` function). Clients are built once.

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_auth::AuthState;
use portal_domain::clock::SystemClock;
use portal_store::cognito::{CognitoConfig, CognitoIdentity};
use portal_store::dynamodb::DynamoTable;
use portal_store::ses_sns::AwsNotifier;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(async || {
        let env = Environment::process();
        let table_config = TableConfig::from_env(&env)?;
        // Notices to account owners (a cool-down began, someone registered their address).
        let sender = env.required("EMAIL_SENDER")?;
        let cognito = CognitoConfig {
            user_pool_id: env.required("USER_POOL_ID")?,
            client_id: env.required("USER_POOL_CLIENT_ID")?,
            client_secret: env.required("USER_POOL_CLIENT_SECRET")?,
        };
        let aws = portal_store::aws::load_sdk_config().await?;
        let table = Arc::new(DynamoTable::new(aws_sdk_dynamodb::Client::new(&aws), table_config.table_name));
        let identity = CognitoIdentity::new(aws_sdk_cognitoidentityprovider::Client::new(&aws), cognito);
        let notifier = AwsNotifier::new(aws_sdk_sesv2::Client::new(&aws), aws_sdk_sns::Client::new(&aws), sender);
        Ok(portal_auth::router(AuthState::new(Arc::new(identity), table, Arc::new(notifier), Arc::new(SystemClock)))?)
    })
    .await
}
