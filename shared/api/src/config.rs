//! Typed configuration, read once from the environment at start. A missing or malformed
//! variable stops the process with a message naming it; AWS mode has no silent defaults.

use std::str::FromStr;

use portal_domain::application_types::Text;
use portal_domain::site::Site;

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A required variable is not set (or is empty).
    #[error("environment variable {0} is required but not set")]
    Missing(&'static str),
    /// A variable is set to a value that does not parse.
    #[error("environment variable {name} has an invalid value: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Reads variables through a lookup function, so tests need not touch the process environment.
pub struct Environment<F: Fn(&str) -> Option<String>> {
    lookup: F,
}

impl Environment<fn(&str) -> Option<String>> {
    /// The process environment.
    pub fn process() -> Self {
        Self { lookup: |name| std::env::var(name).ok() }
    }
}

impl<F: Fn(&str) -> Option<String>> Environment<F> {
    /// An environment answered by `lookup`.
    pub fn from_lookup(lookup: F) -> Self {
        Self { lookup }
    }

    /// A variable that must be set and not empty.
    pub fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        (self.lookup)(name).filter(|value| !value.trim().is_empty()).ok_or(ConfigError::Missing(name))
    }

    /// A variable with a documented default (local mode only).
    pub fn parsed_or<T: FromStr>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match (self.lookup)(name).filter(|value| !value.trim().is_empty()) {
            None => Ok(default),
            Some(value) => value.parse().map_err(|e: T::Err| ConfigError::Invalid { name, reason: e.to_string() }),
        }
    }
}

/// Configuration of a function that reaches the table in AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableConfig {
    /// Name of the DynamoDB table (`TABLE_NAME`).
    pub table_name: String,
}

impl TableConfig {
    /// Reads `TABLE_NAME`.
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Environment<F>) -> Result<Self, ConfigError> {
        Ok(Self { table_name: env.required("TABLE_NAME")? })
    }
}

/// Configuration of a function that reaches the documents bucket in AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketConfig {
    /// Name of the documents bucket (`DOCUMENTS_BUCKET`).
    pub bucket: String,
    /// The bucket's region (`AWS_REGION`, set by Lambda).
    pub region: String,
    /// Where browsers post uploads when not the bucket's own endpoint (`DOCUMENTS_UPLOAD_URL`,
    /// for an emulator; unset in AWS).
    pub upload_url: Option<String>,
}

impl BucketConfig {
    /// Reads `DOCUMENTS_BUCKET`, `AWS_REGION` and the optional `DOCUMENTS_UPLOAD_URL`.
    pub fn from_env<F: Fn(&str) -> Option<String>>(env: &Environment<F>) -> Result<Self, ConfigError> {
        Ok(Self {
            bucket: env.required("DOCUMENTS_BUCKET")?,
            region: env.required("AWS_REGION")?,
            upload_url: env.required("DOCUMENTS_UPLOAD_URL").ok(),
        })
    }
}

/// The deployment's identity and support contact (`portal_domain::site`), from the same
/// variables in both modes: `SITE_AGENCY_EN`, `SITE_AGENCY_FR`, `SITE_OFFICIAL_URL` and
/// `SITE_SUPPORT_EMAIL` (required in AWS; local mode falls back on `demo`, its labelled demo
/// values), `SITE_SUPPORT_PHONE`, `SITE_SUPPORT_HOURS_EN` / `_FR`, `SITE_LOGO_URL` (optional) and
/// `SITE_DEMO` (`false` unless set, or local mode's default).
pub fn site_from_env<F: Fn(&str) -> Option<String>>(
    env: &Environment<F>,
    demo: Option<Site>,
) -> Result<Site, ConfigError> {
    let text = |name: &'static str, fallback: Option<&str>| match (env.required(name), fallback) {
        (Ok(value), _) => Ok(value),
        (Err(_), Some(fallback)) => Ok(fallback.to_owned()),
        (Err(missing), None) => Err(missing),
    };
    let optional = |name: &'static str| env.required(name).ok();
    let hours = match (optional("SITE_SUPPORT_HOURS_EN"), optional("SITE_SUPPORT_HOURS_FR")) {
        (Some(en), Some(fr)) => Some(Text { en, fr }),
        (None, None) => demo.as_ref().and_then(|site| site.support_hours.clone()),
        _ => {
            return Err(ConfigError::Invalid {
                name: "SITE_SUPPORT_HOURS_FR",
                reason: "set both languages or neither".into(),
            });
        }
    };
    let official_url = text("SITE_OFFICIAL_URL", demo.as_ref().map(|site| site.official_url.as_str()))?;
    if !official_url.starts_with("https://") && demo.is_none() {
        return Err(ConfigError::Invalid { name: "SITE_OFFICIAL_URL", reason: "must be an https:// address".into() });
    }
    Ok(Site {
        agency: Text {
            en: text("SITE_AGENCY_EN", demo.as_ref().map(|site| site.agency.en.as_str()))?,
            fr: text("SITE_AGENCY_FR", demo.as_ref().map(|site| site.agency.fr.as_str()))?,
        },
        official_url,
        support_email: text("SITE_SUPPORT_EMAIL", demo.as_ref().map(|site| site.support_email.as_str()))?,
        support_phone: optional("SITE_SUPPORT_PHONE")
            .or_else(|| demo.as_ref().and_then(|site| site.support_phone.clone())),
        support_hours: hours,
        logo_url: optional("SITE_LOGO_URL"),
        demo: env.parsed_or("SITE_DEMO", demo.is_some())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deployment_names_its_agency_and_address_and_local_mode_says_it_is_a_demo() {
        let none = Environment::from_lookup(|_| None);
        assert_eq!(site_from_env(&none, None), Err(ConfigError::Missing("SITE_OFFICIAL_URL")));
        let local = site_from_env(&none, Some(Site::demo("http://127.0.0.1:8080".into()))).expect("defaults");
        assert!(local.demo && local.agency.en.contains("Demo"), "{local:?}");

        let deployed = |name: &str| {
            let value = match name {
                "SITE_AGENCY_EN" => "Example Immigration",
                "SITE_AGENCY_FR" => "Immigration Exemple",
                "SITE_OFFICIAL_URL" => "https://portal.example.ca",
                "SITE_SUPPORT_EMAIL" => "help@example.ca",
                "SITE_SUPPORT_HOURS_EN" => "Weekdays, 8:30 to 16:30 Eastern",
                _ => return None,
            };
            Some(value.to_owned())
        };
        let half = site_from_env(&Environment::from_lookup(deployed), None);
        assert!(matches!(half, Err(ConfigError::Invalid { name: "SITE_SUPPORT_HOURS_FR", .. })), "{half:?}");
        let site = site_from_env(
            &Environment::from_lookup(|name| deployed(name).filter(|_| !name.starts_with("SITE_SUPPORT_HOURS"))),
            None,
        )
        .expect("deployed");
        assert_eq!(
            (site.agency.fr.as_str(), site.demo, site.help_url()),
            ("Immigration Exemple", false, "https://portal.example.ca/help".into())
        );
    }

    #[test]
    fn a_missing_variable_is_named() {
        let env = Environment::from_lookup(|_| None);
        assert_eq!(TableConfig::from_env(&env), Err(ConfigError::Missing("TABLE_NAME")));
        assert_eq!(
            ConfigError::Missing("TABLE_NAME").to_string(),
            "environment variable TABLE_NAME is required but not set"
        );
    }

    #[test]
    fn an_empty_variable_counts_as_missing() {
        let env = Environment::from_lookup(|_| Some("  ".into()));
        assert_eq!(TableConfig::from_env(&env), Err(ConfigError::Missing("TABLE_NAME")));
    }

    #[test]
    fn a_malformed_value_is_refused_not_defaulted() {
        let env = Environment::from_lookup(|_| Some("not-a-number".into()));
        let result = env.parsed_or::<u16>("PORT", 8080);
        assert!(matches!(result, Err(ConfigError::Invalid { name: "PORT", .. })), "{result:?}");
        assert_eq!(Environment::from_lookup(|_| None).parsed_or::<u16>("PORT", 8080), Ok(8080));
    }
}
