//! Lambda entry point of the auth area (every `/api/auth/*` function). Clients are built once.

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_auth::AuthState;
use portal_domain::clock::SystemClock;
use portal_store::cognito::{CognitoConfig, CognitoIdentity};
use portal_store::dynamodb::DynamoTable;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(async || {
        let env = Environment::process();
        let table_config = TableConfig::from_env(&env)?;
        let cognito = CognitoConfig {
            user_pool_id: env.required("USER_POOL_ID")?,
            client_id: env.required("USER_POOL_CLIENT_ID")?,
            client_secret: env.required("USER_POOL_CLIENT_SECRET")?,
        };
        let aws = portal_store::aws::load_sdk_config().await?;
        let table = Arc::new(DynamoTable::new(aws_sdk_dynamodb::Client::new(&aws), table_config.table_name));
        let identity = CognitoIdentity::new(aws_sdk_cognitoidentityprovider::Client::new(&aws), cognito);
        Ok(portal_auth::router(AuthState::new(Arc::new(identity), table, Arc::new(SystemClock)))?)
    })
    .await
}
