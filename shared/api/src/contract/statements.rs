//! A person's confirmation of a statement (`portal_domain::statements`): the consent that
//! authorizes a representative, the declaration sent with a submission.

use portal_domain::profile::Language;
use portal_domain::statements::{Consent, Statement};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::problem::FieldErrors;

/// The confirmation of a statement the web app showed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentGiven {
    /// The version of the statement shown.
    #[schemars(length(min = 1, max = 20))]
    pub version: String,
    /// The language it was read in.
    pub language: Language,
    /// That the person agrees: only `true` confirms (`false` is answered `must-agree`).
    #[schemars(extend("const" = true))]
    pub agreed: bool,
}

impl ConsentGiven {
    /// The confirmation of `statement` as recorded, or what is wrong with it (into `errors`, its
    /// fields under `within` when it is part of a larger body).
    pub fn record(
        &self,
        statement: &Statement,
        within: Option<&str>,
        errors: &mut FieldErrors,
        now: u64,
    ) -> Option<Consent> {
        let field = |name: &str| within.map_or_else(|| name.to_owned(), |outer| format!("{outer}.{name}"));
        if self.version != statement.version {
            errors.add(field("version"), "stale-statement");
            return None;
        }
        if !self.agreed {
            errors.add(field("agreed"), "must-agree");
            return None;
        }
        Some(statement.confirmed(self.language, now))
    }
}
