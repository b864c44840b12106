//! Configuration of the local portal (local mode only, so every setting has a default).

use std::net::SocketAddr;
use std::path::PathBuf;

use portal_api::config::{ConfigError, Environment, site_from_env};
use portal_domain::site::Site;
use portal_store::local_identity::secrets::HashCost;

/// Where the portal listens and keeps its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalConfig {
    /// `PORTAL_ADDR`, default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// `PORTAL_DATA_DIR`, default `./data`: the store, the signing key.
    pub data_dir: PathBuf,
    /// `PORTAL_FRONTEND_DIR`, default `./frontend/dist`: the web app served at `/`.
    pub frontend_dir: PathBuf,
    /// `PORTAL_ECHO_MESSAGES`, default `true`: print each outbox message (codes included) to the
    /// terminal, so a person can register without a mail server.
    pub echo_messages: bool,
    /// `PORTAL_ARGON2_MEMORY_KIB`, `PORTAL_ARGON2_ITERATIONS`, `PORTAL_ARGON2_PARALLELISM`:
    /// password hashing costs, OWASP's Argon2id minimum by default.
    pub hash_cost: HashCost,
    /// `PORTAL_WEBHOOK_SECRET`: the secret the test gateway signs payment events with (drawn
    /// at each start when unset; tests set it to sign events of their own).
    pub webhook_secret: Option<String>,
    /// `PORTAL_APPOINTMENT_CUTOFF_HOURS`, default 24: how close to its start a booking may still
    /// be cancelled or moved online (`APPOINTMENT_CUTOFF_HOURS` in AWS).
    pub appointment_cutoff_hours: u64,
    /// `PORTAL_PASSKEY_ORIGIN`, default `http://localhost`: the origin browsers register passkeys
    /// with (its host is the relying party id; on `localhost`, any port). Browsers allow WebAuthn
    /// on `localhost` or HTTPS only, never on an IP address: open the portal at
    /// `http://localhost:8080` to use passkeys.
    pub passkey_origin: String,
    /// Who runs the portal (`SITE_*`, as in AWS): by default a labelled demo agency at the
    /// portal's own address.
    pub site: Site,
}

impl PortalConfig {
    /// Reads the configuration.
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Environment<F>) -> Result<Self, ConfigError> {
        let addr = env.parsed_or("PORTAL_ADDR", SocketAddr::from(([127, 0, 0, 1], 8080)))?;
        Ok(Self {
            addr,
            data_dir: env.parsed_or("PORTAL_DATA_DIR", PathBuf::from("data"))?,
            frontend_dir: env.parsed_or("PORTAL_FRONTEND_DIR", PathBuf::from("frontend/dist"))?,
            echo_messages: env.parsed_or("PORTAL_ECHO_MESSAGES", true)?,
            hash_cost: HashCost {
                memory_kib: env.parsed_or("PORTAL_ARGON2_MEMORY_KIB", HashCost::default().memory_kib)?,
                iterations: env.parsed_or("PORTAL_ARGON2_ITERATIONS", HashCost::default().iterations)?,
                parallelism: env.parsed_or("PORTAL_ARGON2_PARALLELISM", HashCost::default().parallelism)?,
            },
            webhook_secret: env.required("PORTAL_WEBHOOK_SECRET").ok(),
            appointment_cutoff_hours: env.parsed_or("PORTAL_APPOINTMENT_CUTOFF_HOURS", 24)?,
            passkey_origin: env.parsed_or("PORTAL_PASSKEY_ORIGIN", "http://localhost".to_owned())?,
            site: site_from_env(env, Some(Site::demo(format!("http://{addr}"))))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_design() {
        let config = PortalConfig::from_env(&Environment::from_lookup(|_| None)).expect("defaults");
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.data_dir, PathBuf::from("data"));
    }

    #[test]
    fn a_bad_address_is_named() {
        let env = Environment::from_lookup(|name| (name == "PORTAL_ADDR").then(|| "localhost:http".to_owned()));
        assert!(matches!(PortalConfig::from_env(&env), Err(ConfigError::Invalid { name: "PORTAL_ADDR", .. })));
    }
}
