//! `portal-admin`: see `portal-admin --help`.

use std::io::BufRead as _;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser as _;
use portal_admin::{Backend, Cli, Command};
use portal_api::config::{Environment, TableConfig};
use portal_domain::accounts::Accounts;
use portal_domain::applications::Applications;
use portal_domain::clock::SystemClock;
use portal_domain::profile::Profiles;
use portal_domain::sessions::Revocations;
use portal_domain::table::Table;
use portal_local::LocalServices;
use portal_local::config::PortalConfig;
use portal_store::cognito::CognitoConfig;

/// The password, from the environment or standard input.
fn read_password() -> Result<String> {
    if let Ok(password) = std::env::var("PORTAL_ADMIN_PASSWORD") {
        return Ok(password);
    }
    eprintln!("Password (12 characters or more), then Enter:");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let env = Environment::process();
    let clock = SystemClock;
    if cli.aws && matches!(cli.command, Command::SeedDemo) {
        anyhow::bail!("seed-demo is for a local portal only: a deployment never gets made-up applications");
    }
    let message = if let (true, Command::ReplayDeadLetters { queue_url }) = (cli.aws, &cli.command) {
        // The notify function's dispatcher, from its environment, over the operator's credentials.
        let aws = portal_store::aws::AwsClients::load().await?;
        let dispatcher = portal_notify::dispatcher_from_env(&env, &aws).map_err(|error| anyhow::anyhow!(error))?;
        portal_admin::dead_letters::replay(&aws.dead_letters(queue_url), &dispatcher).await?.to_string()
    } else if cli.aws {
        let aws = portal_store::aws::AwsClients::load().await?;
        let cognito = CognitoConfig {
            user_pool_id: env.required("USER_POOL_ID")?,
            client_id: env.required("USER_POOL_CLIENT_ID")?,
            client_secret: env.required("USER_POOL_CLIENT_SECRET")?,
        };
        let identity = Arc::new(aws.identity(cognito));
        let table: Arc<dyn Table> = Arc::new(aws.table(TableConfig::from_env(&env)?.table_name));
        let notifier = Arc::new(aws.notifier(env.required("EMAIL_SENDER")?));
        let backend = Backend {
            identity: identity.as_ref(),
            accounts: Accounts::new(identity.clone(), Arc::clone(&table), notifier, Arc::new(SystemClock)),
            applications: Applications::new(Arc::clone(&table)),
            profiles: Profiles::new(Arc::clone(&table)),
            revocations: Revocations::new(table),
            clock: &clock,
        };
        portal_admin::run(cli.command, read_password, &backend).await?
    } else {
        let services = LocalServices::open(&PortalConfig::from_env(&env)?)?;
        let backend = Backend {
            identity: services.identity.as_ref(),
            accounts: Accounts::new(
                services.identity.clone(),
                Arc::clone(&services.table),
                services.outbox.clone(),
                Arc::clone(&services.clock),
            ),
            applications: Applications::new(Arc::clone(&services.table)),
            profiles: Profiles::new(Arc::clone(&services.table)),
            revocations: Revocations::new(services.table),
            clock: &clock,
        };
        portal_admin::run(cli.command, read_password, &backend).await?
    };
    println!("{message}");
    Ok(())
}
