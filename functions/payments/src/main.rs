//! Lambda entry point of the payments area. The Stripe client, the webhook's secrets and the
//! type catalog are loaded once: the secrets from Secrets Manager through the Parameters and
//! Secrets extension, never from the environment.

use std::sync::Arc;

use portal_api::config::{Environment, TableConfig};
use portal_api::routes::Area;
use portal_domain::application_types::Catalog;
use portal_domain::clock::SystemClock;
use portal_payments::{PaymentSecrets, PaymentsConfig, PaymentsState};
use portal_store::aws::AwsClients;
use portal_store::lambda_secrets;
use portal_store::stripe::{StripeConfig, StripePayments};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal_api::lambda::serve_area(const { Area::Payments.routes() }, async || {
        let env = Environment::process();
        let table = TableConfig::from_env(&env)?;
        let (secret_id, token) = (env.required("PAYMENTS_SECRET_ID")?, env.required("AWS_SESSION_TOKEN")?);
        let port = env.parsed_or("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", 2773)?;
        let secrets: PaymentSecrets =
            serde_json::from_str(&lambda_secrets::secret_string(&secret_id, &token, Some(port)).await?)?;
        let stripe = StripePayments::new(StripeConfig::new(secrets.stripe_secret_key))?;
        let config =
            PaymentsConfig { return_base: env.required("PORTAL_URL")?, webhook_secrets: secrets.webhook_secrets };
        let table = Arc::new(AwsClients::load().await?.table(table.table_name));
        let catalog = Arc::new(Catalog::load()?);
        let state = PaymentsState::new(table, catalog, Arc::new(SystemClock), Arc::new(stripe), config);
        Ok(portal_payments::router(state)?)
    })
    .await
}
