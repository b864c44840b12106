//! Typed configuration, read once from the environment at start. A missing or malformed
//! variable stops the process with a message naming it; AWS mode has no silent defaults.

use std::str::FromStr;

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

#[cfg(test)]
mod tests {
    use super::*;

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
