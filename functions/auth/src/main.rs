//! Lambda entry point of the auth area (every `/api/auth/*` function). Clients are built once.

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_api::routes::Area;
use portal_auth::AuthState;
use portal_domain::clock::SystemClock;
use portal_store::aws::AwsClients;
use portal_store::cognito::CognitoConfig;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(const { Area::Auth.routes() }, async || {
        let env = Environment::process();
        let table_config = TableConfig::from_env(&env)?;
        // Notices to account owners (a cool-down began, someone registered their address).
        let sender = env.required("EMAIL_SENDER")?;
        let cognito = CognitoConfig {
            user_pool_id: env.required("USER_POOL_ID")?,
            client_id: env.required("USER_POOL_CLIENT_ID")?,
            client_secret: env.required("USER_POOL_CLIENT_SECRET")?,
        };
        let aws = AwsClients::load().await?;
        let table = Arc::new(aws.table(table_config.table_name));
        let (identity, notifier) = (Arc::new(aws.identity(cognito)), Arc::new(aws.notifier(sender)));
        Ok(portal_auth::router(AuthState::new(identity, table, notifier, Arc::new(SystemClock)))?)
    })
    .await
}
