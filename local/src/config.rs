//! Configuration of the local portal (local mode only, so every setting has a default).

use std::net::SocketAddr;
use std::path::PathBuf;

use portal_api::config::{ConfigError, Environment};

/// Where the portal listens and keeps its data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortalConfig {
    /// `PORTAL_ADDR`, default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// `PORTAL_DATA_DIR`, default `./data`: the store, the signing key.
    pub data_dir: PathBuf,
    /// `PORTAL_FRONTEND_DIR`, default `./frontend/dist`: the web app served at `/`.
    pub frontend_dir: PathBuf,
}

impl PortalConfig {
    /// Reads the configuration.
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Environment<F>) -> Result<Self, ConfigError> {
        Ok(Self {
            addr: env.parsed_or("PORTAL_ADDR", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
            data_dir: env.parsed_or("PORTAL_DATA_DIR", PathBuf::from("data"))?,
            frontend_dir: env.parsed_or("PORTAL_FRONTEND_DIR", PathBuf::from("frontend/dist"))?,
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
