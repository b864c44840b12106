//! The administrator's commands, over the `Identity` port, so they work the same on the local
//! identity provider and on Cognito.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use portal_api::principal::{OFFICERS_GROUP, SUPPORT_GROUP};
use portal_domain::accounts::{Accounts, ResetBy};
use portal_domain::application_types::Catalog;
use portal_domain::applications::{Application, Applications, PaperHolder};
use portal_domain::clock::Clock;
use portal_domain::email::Email;
use portal_domain::identity::{Identity, SignUp};
use portal_domain::ids::ApplicationNumber;
use portal_domain::password::Password;
use portal_domain::profile::{Language, Profile, Profiles};
use portal_domain::sessions::Revocations;
use portal_domain::status::Status;

/// `portal-admin`: manage accounts of the portal.
#[derive(Debug, Parser)]
#[command(name = "portal-admin", version)]
pub struct Cli {
    /// Act on the AWS deployment (USER_POOL_ID, USER_POOL_CLIENT_ID, USER_POOL_CLIENT_SECRET,
    /// TABLE_NAME and AWS credentials from the environment) instead of the local portal's data
    /// folder (PORTAL_DATA_DIR; stop the portal first).
    #[arg(long)]
    pub aws: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an officer account (in the officers group). The password is read from
    /// PORTAL_ADMIN_PASSWORD or the first line of standard input, never from the command line.
    CreateOfficer {
        /// Also in the support group: may remove a person's authenticator once their identity is
        /// checked.
        #[arg(long)]
        support: bool,
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// Given name(s).
        #[arg(long)]
        given_name: String,
        /// Family name.
        #[arg(long)]
        family_name: String,
        /// Language of the portal and messages: en or fr.
        #[arg(long, default_value = "en")]
        language: String,
    },
    /// Record an application filed on paper, so its applicant can link it to their account with
    /// its number, their family name and date of birth.
    ImportPaperApplication {
        /// Application type code (see GET /api/application-types).
        #[arg(long = "type")]
        type_code: String,
        /// Its number (a letter and nine digits).
        #[arg(long)]
        number: String,
        /// The applicant's family name, as on the application.
        #[arg(long)]
        family_name: String,
        /// The applicant's date of birth, YYYY-MM-DD.
        #[arg(long)]
        date_of_birth: String,
        /// Where it stands (submitted, received, in_review, ...).
        #[arg(long, default_value = "received")]
        status: String,
    },
    /// Disable an account: it can no longer sign in, and every session ends at once.
    DisableUser {
        /// Sign-in email.
        #[arg(long)]
        email: String,
    },
    /// Remove the authenticator (and the recovery codes) of someone who lost both, once their
    /// identity is checked: every session ends, the next sign-in sets up a new authenticator
    /// before any token, the owner is told, and the account's audit trail keeps the reason.
    ResetMfa {
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// How their identity was checked, and why.
        #[arg(long)]
        reason: String,
    },
    /// AWS only: send again the notifications the notify function gave up on. Each message of
    /// its dead-letter queue names a range of the table's stream (kept 24 hours), which is read
    /// again and dispatched as notify would; a message is deleted once all of its range went out
    /// (nobody is told twice), and kept with the reason otherwise. Takes TABLE_NAME,
    /// EMAIL_SENDER and the SITE_* variables from the environment, as the notify function has them.
    ReplayDeadLetters {
        /// The queue's URL (the stack's NotifyDeadLettersUrl output).
        #[arg(long)]
        queue_url: String,
    },
    /// Local portal only: add the labelled DEMO data set (decided applications of every type, so
    /// processing-time estimates show, and a queue of work for the demo officer). Run it again
    /// and nothing changes.
    SeedDemo,
}

pub mod dead_letters;
pub mod demo;

/// What the commands act through.
pub struct Backend<'a> {
    /// The identity provider.
    pub identity: &'a dyn Identity,
    /// The account operations (the same identity provider behind the portal's records).
    pub accounts: Accounts,
    /// Applications in the table.
    pub applications: Applications,
    /// Profiles in the table.
    pub profiles: Profiles,
    /// Session revocations in the table.
    pub revocations: Revocations,
    /// The clock.
    pub clock: &'a dyn Clock,
}

/// Runs one command and says what it did.
pub async fn run(command: Command, password: impl FnOnce() -> Result<String>, backend: &Backend<'_>) -> Result<String> {
    match command {
        Command::CreateOfficer { support, email, given_name, family_name, language } => {
            let language = match language.as_str() {
                "en" => Language::En,
                "fr" => Language::Fr,
                other => anyhow::bail!("language must be en or fr, not {other}"),
            };
            let request = SignUp {
                email: Email::parse(&email).context("the email address is not valid")?,
                password: Password::parse(&password()?).context("the password does not meet the rules")?,
                given_name,
                family_name,
                language,
            };
            let groups: &[&str] = if support { &[OFFICERS_GROUP, SUPPORT_GROUP] } else { &[OFFICERS_GROUP] };
            let sub = backend.identity.admin_create_user(&request, groups).await?;
            let profile = Profile::new(&request.email, request.given_name, request.family_name, language);
            backend.profiles.put(&sub, &profile).await?;
            Ok(format!("Created officer {} ({sub}); they set up an authenticator app at first sign-in.", request.email))
        }
        Command::ImportPaperApplication { type_code, number, family_name, date_of_birth, status } => {
            let catalog = Catalog::load()?;
            let application_type =
                catalog.get(&type_code).with_context(|| format!("no application type {type_code}"))?;
            let number = ApplicationNumber::parse(&number)
                .ok()
                .filter(|number| number.prefix() == application_type.number_prefix)
                .with_context(|| {
                    format!("a {type_code} number is {}, then nine digits", application_type.number_prefix)
                })?;
            let status: Status = serde_json::from_value(serde_json::Value::String(status.clone()))
                .with_context(|| format!("no status {status}"))?;
            let now = backend.clock.now();
            let application = Application {
                id: uuid::Uuid::new_v4().to_string(),
                owner: String::new(),
                type_code,
                status,
                version: 1,
                data: serde_json::Map::new(),
                number: Some(number.to_string()),
                submitted_at: Some(now),
                created_at: now,
                updated_at: now,
                representatives: Vec::new(),
                declaration: None,
            };
            let holder = PaperHolder { id: application.id.clone(), family_name, date_of_birth };
            backend.applications.import_paper(&application, &holder).await?;
            Ok(format!("Imported paper application {number}; its applicant can now link it."))
        }
        Command::SeedDemo => demo::seed(&backend.applications, backend.clock.now()).await,
        // Run by `main` with the AWS clients it needs; the local portal keeps no queue.
        Command::ReplayDeadLetters { .. } => anyhow::bail!(
            "replay-dead-letters is for a deployment only (--aws): the local portal has no dead-letter queue, and a \
             notification it gave up on is an error line in its log"
        ),
        Command::DisableUser { email } => {
            let email = Email::parse(&email).context("the email address is not valid")?;
            let sub = backend.identity.admin_disable_user(&email).await?;
            backend.revocations.revoke_all(&sub, backend.clock).await?;
            Ok(format!("Disabled {email} ({sub}); every session has ended."))
        }
        Command::ResetMfa { email, reason } => {
            let email = Email::parse(&email).context("the email address is not valid")?;
            let reason = reason.trim().to_owned();
            anyhow::ensure!(!reason.is_empty(), "say how their identity was checked (--reason)");
            let by = ResetBy { actor: "portal-admin".into(), role: "administrator".into(), reason };
            let sub = backend.accounts.reset_authenticator(&email, &by).await?;
            Ok(format!(
                "Removed the authenticator of {email} ({sub}); every session has ended, and the next sign-in \
                 sets up a new one."
            ))
        }
    }
}
