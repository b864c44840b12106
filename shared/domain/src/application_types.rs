//! Application types as data (`data/application-types/*.json`): the form's sections and fields
//! with their rules and labels in both official languages, the document checklist, and the fees
//! in CAD. Adding a type is adding a file; the build embeds every file of the folder.

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::profile::Language;

mod files {
    include!(concat!(env!("OUT_DIR"), "/application_type_files.rs"));
}

/// A text in English and French.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// English.
    pub en: String,
    /// French.
    pub fr: String,
}

impl Text {
    /// The text in `language`.
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::En => &self.en,
            Language::Fr => &self.fr,
        }
    }
}

/// The kind of value a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// Free text (optionally limited in length and pattern).
    Text,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A number (optionally bounded).
    Number,
    /// One of the listed options.
    Select,
}

/// One option of a select field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The stored value.
    pub value: String,
    /// What the applicant sees.
    pub label: Text,
}

/// A field's regular expression, compiled once when the type is loaded.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String", extend("format" = "regex"))]
pub struct Pattern {
    source: String,
    compiled: regex_lite::Regex,
}

impl Pattern {
    /// Whether `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        self.compiled.is_match(text)
    }
}

impl TryFrom<String> for Pattern {
    type Error = regex_lite::Error;

    fn try_from(source: String) -> Result<Self, Self::Error> {
        Ok(Self { compiled: regex_lite::Regex::new(&source)?, source })
    }
}

impl From<Pattern> for String {
    fn from(pattern: Pattern) -> Self {
        pattern.source
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// One form field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Field {
    /// Name of the field in the form data.
    pub id: String,
    /// Kind of value.
    #[serde(rename = "type")]
    pub kind: FieldKind,
    /// Must be filled in before submission (drafts may leave it empty).
    pub required: bool,
    /// Label shown to the applicant.
    pub label: Text,
    /// Most characters of a text field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// Regular expression a text field must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Pattern>,
    /// Smallest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Options of a select field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<Choice>>,
    /// What a text field's pattern asks for, in words ("6 to 12 capital letters or digits"):
    /// what its error says. Every pattern has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_hint: Option<Text>,
    /// A date field's value comes before this date (strictly): `today` (the day of the check,
    /// UTC), or the id of another date field of the form (checked when both are filled in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// A date field's value comes after this date (strictly): `today`, or another date field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// The bound of a date rule that means the day of the check.
pub const TODAY: &str = "today";

/// A step of the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Stable id.
    pub id: String,
    /// Heading.
    pub title: Text,
    /// Fields, in order.
    pub fields: Vec<Field>,
}

/// A document of the checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentRequirement {
    /// Stable kind (`passport`, `photo`, ...).
    pub kind: String,
    /// Needed before submission.
    pub required: bool,
    /// What the applicant sees.
    pub label: Text,
}

/// A fee of the application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fee {
    /// Stable code.
    pub code: String,
    /// Amount in cents of CAD.
    pub amount_cents: u64,
    /// What the applicant sees.
    pub label: Text,
}

/// An application type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationType {
    /// Stable code, also the file name.
    #[schemars(with = "crate::ids::TypeCode")]
    pub code: String,
    /// Name shown to the applicant.
    pub name: Text,
    /// The letter application numbers of this type start with (IRCC style: `V123456789`).
    #[schemars(regex(pattern = "^[A-Z]$"))]
    pub number_prefix: char,
    /// The form, step by step.
    pub sections: Vec<Section>,
    /// The document checklist.
    pub documents: Vec<DocumentRequirement>,
    /// The fees due before submission.
    pub fees: Vec<Fee>,
    /// Fees an officer may add to a case later (the right of permanent residence fee, a
    /// restoration fee): due once added.
    #[serde(default)]
    pub optional_fees: Vec<Fee>,
}

impl ApplicationType {
    /// The optional fee of this code, if the type has one.
    pub fn optional_fee(&self, code: &str) -> Option<&Fee> {
        self.optional_fees.iter().find(|fee| fee.code == code)
    }
}

/// Why a value does not fit its field: a stable code the frontend translates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.code())]
pub enum FieldProblem {
    /// A required field is empty.
    Required,
    /// Not the kind of value the field holds.
    WrongType,
    /// Longer than allowed.
    TooLong,
    /// Does not match the field's pattern.
    Pattern,
    /// Not a real date in `YYYY-MM-DD` form.
    InvalidDate,
    /// Below the minimum.
    TooSmall,
    /// Above the maximum.
    TooLarge,
    /// Not one of the options.
    NotAnOption,
    /// A date that must be in the past is not.
    NotInPast,
    /// A date that must be in the future is not.
    NotInFuture,
    /// A date that must come before another field's comes on or after it.
    NotBefore,
    /// A date that must come after another field's comes on or before it.
    NotAfter,
}

impl FieldProblem {
    /// The stable code of the problem, as the API reports it.
    pub fn code(self) -> &'static str {
        match self {
            FieldProblem::Required => "required",
            FieldProblem::WrongType => "wrong-type",
            FieldProblem::TooLong => "too-long",
            FieldProblem::Pattern => "pattern",
            FieldProblem::InvalidDate => "invalid-date",
            FieldProblem::TooSmall => "too-small",
            FieldProblem::TooLarge => "too-large",
            FieldProblem::NotAnOption => "not-an-option",
            FieldProblem::NotInPast => "not-in-past",
            FieldProblem::NotInFuture => "not-in-future",
            FieldProblem::NotBefore => "not-before",
            FieldProblem::NotAfter => "not-after",
        }
    }
}

impl ApplicationType {
    /// What is wrong with form data, field by field (`field id`, problem code): fields the form
    /// does not have, values that do not fit theirs, and dates out of their rules' range on
    /// `today` (`YYYY-MM-DD`); `complete` also asks for every required field (submission).
    pub fn form_problems(&self, data: &Map<String, Value>, complete: bool, today: &str) -> Vec<(String, &'static str)> {
        let fields: Vec<&Field> = self.sections.iter().flat_map(|s| &s.fields).collect();
        let unknown = data.keys().filter(|name| !fields.iter().any(|f| &f.id == *name));
        let mut problems: Vec<(String, &'static str)> = unknown.map(|name| (name.clone(), "unknown-field")).collect();
        for field in fields {
            let checked = field.check(data.get(&field.id), complete).and_then(|()| field.check_range(data, today));
            if let Err(problem) = checked {
                problems.push((field.id.clone(), problem.code()));
            }
        }
        problems
    }
}

/// Whether `text` is a real calendar date written `YYYY-MM-DD`.
pub fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else { return false };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (year.parse::<u32>(), month.parse::<u32>(), day.parse::<u32>()) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

impl Field {
    /// Checks a value entered in the field. An empty value is fine in a draft; `complete` asks
    /// that required fields be filled in (submission).
    pub fn check(&self, value: Option<&Value>, complete: bool) -> Result<(), FieldProblem> {
        let value = match value {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.trim().is_empty() => None,
            Some(other) => Some(other),
        };
        let Some(value) = value else {
            return if complete && self.required { Err(FieldProblem::Required) } else { Ok(()) };
        };
        match self.kind {
            FieldKind::Text => {
                let text = value.as_str().ok_or(FieldProblem::WrongType)?;
                if self.max_length.is_some_and(|max| text.chars().count() > max) {
                    return Err(FieldProblem::TooLong);
                }
                if self.pattern.as_ref().is_some_and(|pattern| !pattern.is_match(text)) {
                    return Err(FieldProblem::Pattern);
                }
                Ok(())
            }
            FieldKind::Date => {
                if is_date(value.as_str().ok_or(FieldProblem::WrongType)?) {
                    Ok(())
                } else {
                    Err(FieldProblem::InvalidDate)
                }
            }
            FieldKind::Number => {
                let number = value.as_f64().ok_or(FieldProblem::WrongType)?;
                if self.min.is_some_and(|min| number < min) {
                    return Err(FieldProblem::TooSmall);
                }
                if self.max.is_some_and(|max| number > max) {
                    return Err(FieldProblem::TooLarge);
                }
                Ok(())
            }
            FieldKind::Select => {
                let chosen = value.as_str().ok_or(FieldProblem::WrongType)?;
                let options = self.options.as_deref().unwrap_or_default();
                if options.iter().any(|option| option.value == chosen) {
                    Ok(())
                } else {
                    Err(FieldProblem::NotAnOption)
                }
            }
        }
    }
}

impl Field {
    /// Checks a filled-in date against its `before` and `after` rules: a bound that is another
    /// field counts only once that field holds a real date (its own check reports it otherwise).
    fn check_range(&self, data: &Map<String, Value>, today: &str) -> Result<(), FieldProblem> {
        let Some(date) = data.get(&self.id).and_then(Value::as_str).filter(|text| is_date(text)) else {
            return Ok(());
        };
        let bound = |rule: &Option<String>| -> Option<(String, bool)> {
            match rule.as_deref()? {
                TODAY => Some((today.to_owned(), true)),
                other => {
                    data.get(other).and_then(Value::as_str).filter(|text| is_date(text)).map(|d| (d.to_owned(), false))
                }
            }
        };
        // Real `YYYY-MM-DD` dates order as their text does.
        if let Some((limit, is_today)) = bound(&self.before)
            && date >= limit.as_str()
        {
            return Err(if is_today { FieldProblem::NotInPast } else { FieldProblem::NotBefore });
        }
        if let Some((limit, is_today)) = bound(&self.after)
            && date <= limit.as_str()
        {
            return Err(if is_today { FieldProblem::NotInFuture } else { FieldProblem::NotAfter });
        }
        Ok(())
    }
}

/// A data file that does not describe a valid type.
#[derive(Debug, thiserror::Error)]
#[error("application type file {file}: {problem}")]
pub struct CatalogError {
    /// The file.
    pub file: &'static str,
    /// What is wrong.
    pub problem: String,
}

/// Every application type.
#[derive(Clone, Debug)]
pub struct Catalog {
    types: Vec<ApplicationType>,
}

impl Catalog {
    /// Loads and checks the embedded data files.
    pub fn load() -> Result<Self, CatalogError> {
        let mut types = Vec::new();
        for (file, text) in files::FILES {
            let fail = |problem: String| CatalogError { file, problem };
            let parsed: ApplicationType = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
            if format!("{}.json", parsed.code) != *file {
                return Err(fail(format!("code {} does not match the file name", parsed.code)));
            }
            check_type(&parsed).map_err(fail)?;
            types.push(parsed);
        }
        Ok(Self { types })
    }

    /// Every type, in code order.
    pub fn all(&self) -> &[ApplicationType] {
        &self.types
    }

    /// One type.
    pub fn get(&self, code: &str) -> Option<&ApplicationType> {
        self.types.iter().find(|t| t.code == code)
    }
}

/// The rules a data file must meet beyond its shape.
fn check_type(application_type: &ApplicationType) -> Result<(), String> {
    // The officer queue takes the code as a `TypeCode`: every type must be one.
    if crate::ids::TypeCode::parse(&application_type.code).is_err() {
        return Err("code must be lowercase letters, digits and hyphens".into());
    }
    if !application_type.number_prefix.is_ascii_uppercase() {
        return Err("numberPrefix must be one capital letter".into());
    }
    let complete = |text: &Text| !text.en.trim().is_empty() && !text.fr.trim().is_empty();
    let mut labels = vec![&application_type.name];
    let mut field_ids = HashSet::new();
    for section in &application_type.sections {
        labels.push(&section.title);
        for field in &section.fields {
            labels.push(&field.label);
            if !field_ids.insert(field.id.as_str()) {
                return Err(format!("field {} appears twice", field.id));
            }
            let options = field.options.as_deref().unwrap_or_default();
            if (field.kind == FieldKind::Select) == options.is_empty() {
                return Err(format!(
                    "field {}: options belong to select fields, and select fields need them",
                    field.id
                ));
            }
            labels.extend(options.iter().map(|o| &o.label));
            if field.pattern.is_some() != field.pattern_hint.is_some() {
                return Err(format!("field {}: a pattern needs its hint in words, and a hint its pattern", field.id));
            }
            labels.extend(&field.pattern_hint);
        }
    }
    let date_fields: Vec<&str> = application_type
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .filter(|f| f.kind == FieldKind::Date)
        .map(|f| f.id.as_str())
        .collect();
    for field in application_type.sections.iter().flat_map(|s| &s.fields) {
        for bound in field.before.iter().chain(&field.after) {
            if field.kind != FieldKind::Date {
                return Err(format!("field {}: only dates have before and after", field.id));
            }
            if bound != TODAY && (bound == &field.id || !date_fields.contains(&bound.as_str())) {
                return Err(format!("field {}: {bound} is neither today nor another date field", field.id));
            }
        }
    }
    let mut kinds = HashSet::new();
    for document in &application_type.documents {
        labels.push(&document.label);
        if !kinds.insert(document.kind.as_str()) {
            return Err(format!("document {} appears twice", document.kind));
        }
    }
    let mut codes = HashSet::new();
    for fee in application_type.fees.iter().chain(&application_type.optional_fees) {
        labels.push(&fee.label);
        if fee.amount_cents == 0 {
            return Err(format!("fee {} is zero", fee.code));
        }
        if !codes.insert(fee.code.as_str()) {
            return Err(format!("fee {} appears twice", fee.code));
        }
    }
    match labels.iter().find(|text| !complete(text)) {
        Some(text) => Err(format!("a text is missing in English or French: {text:?}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn form_problems_name_unknown_fields_misfits_and_on_submission_what_is_missing() {
        let catalog = Catalog::load().expect("catalog");
        let visitor = catalog.get("visitor-visa").expect("type");
        let data = json!({"familyName": "Roy", "colour": "red", "dateOfBirth": "1990-02-30"});
        let data = data.as_object().expect("object");
        let draft = visitor.form_problems(data, false, "2026-12-01");
        assert_eq!(draft, [("colour".to_owned(), "unknown-field"), ("dateOfBirth".to_owned(), "invalid-date")]);
        let submission = visitor.form_problems(data, true, "2026-12-01");
        assert!(submission.contains(&("givenNames".to_owned(), "required")), "{submission:?}");
        assert!(!submission.iter().any(|(field, _)| field == "familyName"));
    }

    #[test]
    fn the_six_types_load_and_are_complete_in_both_languages() {
        let catalog = Catalog::load().expect("every data file is valid");
        let prefixes: HashSet<char> = catalog.all().iter().map(|t| t.number_prefix).collect();
        assert_eq!(prefixes.len(), 6, "each type numbers its applications with its own letter");
        let codes: Vec<&str> = catalog.all().iter().map(|t| t.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "citizenship-grant",
                "permanent-residence-express-entry",
                "pr-card-renewal",
                "study-permit",
                "visitor-visa",
                "work-permit"
            ]
        );
        let visitor = catalog.get("visitor-visa").expect("visitor visa");
        assert_eq!(visitor.fees.iter().map(|f| f.amount_cents).sum::<u64>(), 18_500, "CAD 100 + 85 biometrics");
    }

    fn field(kind: FieldKind) -> Field {
        Field {
            id: "f".into(),
            kind,
            required: true,
            label: Text { en: "F".into(), fr: "F".into() },
            max_length: Some(5),
            pattern: None,
            min: Some(1.0),
            max: Some(10.0),
            options: Some(vec![Choice { value: "a".into(), label: Text { en: "A".into(), fr: "A".into() } }]),
            pattern_hint: None,
            before: None,
            after: None,
        }
    }

    #[test]
    fn dates_are_checked_against_today_and_each_other_by_the_type_s_rules() {
        let catalog = Catalog::load().expect("catalog");
        let visitor = catalog.get("visitor-visa").expect("type");
        let problems = |data: Value| {
            let mut found = visitor.form_problems(data.as_object().expect("object"), false, "2026-12-01");
            found.sort();
            found
        };
        let at = |field: &str, code: &'static str| (field.to_owned(), code);
        // Born today or later, arriving today or earlier, a passport that ends before the trip.
        assert_eq!(
            problems(json!({"dateOfBirth": "2026-12-01", "arrivalDate": "2026-12-01", "passportExpiry": "2026-11-30"})),
            [at("arrivalDate", "not-in-future"), at("dateOfBirth", "not-in-past"), at("passportExpiry", "not-after")]
        );
        assert_eq!(
            problems(json!({"dateOfBirth": "2026-11-30", "arrivalDate": "2027-07-01", "passportExpiry": "2027-07-02"})),
            []
        );
        // A bound that is not filled in (or not a date) leaves the rule for later.
        assert_eq!(problems(json!({"passportExpiry": "2020-01-01"})), []);
        assert_eq!(
            problems(json!({"passportExpiry": "2020-01-01", "arrivalDate": "soon"})),
            [at("arrivalDate", "invalid-date")]
        );
    }

    #[test]
    fn a_rule_names_today_or_another_date_field_and_a_pattern_says_what_it_asks() {
        let mut visitor = Catalog::load().expect("catalog").get("visitor-visa").expect("type").clone();
        let fields = &mut visitor.sections[0].fields;
        fields[2].after = Some("familyName".into());
        assert!(check_type(&visitor).expect_err("a text bound").contains("neither today nor another date field"));
        let mut visitor = Catalog::load().expect("catalog").get("visitor-visa").expect("type").clone();
        let passport =
            visitor.sections.iter_mut().flat_map(|s| &mut s.fields).find(|f| f.pattern.is_some()).expect("a pattern");
        passport.pattern_hint = None;
        assert!(check_type(&visitor).expect_err("no hint").contains("hint"));
    }

    #[test]
    fn drafts_may_leave_required_fields_empty_but_submissions_may_not() {
        let text = field(FieldKind::Text);
        assert_eq!(text.check(None, false), Ok(()));
        assert_eq!(text.check(Some(&json!("  ")), false), Ok(()));
        assert_eq!(text.check(None, true), Err(FieldProblem::Required));
    }

    #[test]
    fn values_are_checked_against_their_field() {
        assert_eq!(field(FieldKind::Text).check(Some(&json!("toolong")), false), Err(FieldProblem::TooLong));
        assert_eq!(field(FieldKind::Text).check(Some(&json!(12)), false), Err(FieldProblem::WrongType));
        assert_eq!(field(FieldKind::Number).check(Some(&json!(0)), false), Err(FieldProblem::TooSmall));
        assert_eq!(field(FieldKind::Number).check(Some(&json!(11)), false), Err(FieldProblem::TooLarge));
        assert_eq!(field(FieldKind::Number).check(Some(&json!(5)), false), Ok(()));
        assert_eq!(field(FieldKind::Select).check(Some(&json!("b")), false), Err(FieldProblem::NotAnOption));
        assert_eq!(field(FieldKind::Select).check(Some(&json!("a")), false), Ok(()));
        let mut passport = field(FieldKind::Text);
        passport.pattern = Some(Pattern::try_from("^[A-Z0-9]{6,12}$".to_owned()).expect("valid pattern"));
        passport.max_length = None;
        assert_eq!(passport.check(Some(&json!("AB12345")), false), Ok(()));
        assert_eq!(passport.check(Some(&json!("ab-123")), false), Err(FieldProblem::Pattern));
    }

    #[test]
    fn an_invalid_pattern_is_refused_when_the_type_loads() {
        let field =
            r#"{"id": "f", "type": "text", "required": true, "label": {"en": "F", "fr": "F"}, "pattern": "(["}"#;
        assert!(serde_json::from_str::<Field>(field).is_err());
    }

    #[test]
    fn dates_must_exist_on_the_calendar() {
        let date = field(FieldKind::Date);
        for good in ["2024-02-29", "2026-12-31", "1990-01-01"] {
            assert_eq!(date.check(Some(&json!(good)), false), Ok(()), "{good}");
        }
        for bad in ["2026-02-29", "2026-13-01", "2026-04-31", "26-01-01", "2026/01/01", "2026-1-1"] {
            assert_eq!(date.check(Some(&json!(bad)), false), Err(FieldProblem::InvalidDate), "{bad}");
        }
    }
}
