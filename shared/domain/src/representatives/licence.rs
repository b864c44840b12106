//! Who may be paid to represent an applicant: a licensed immigration consultant (the College of
//! Immigration and Citizenship Consultants' numbers, `R` and six digits) or a member of a
//! provincial or territorial law society (their member number, with the province).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Longest law society member number we accept (they are short: `12345`, `P123456`, `123456-7`).
const MAX_MEMBER_NUMBER_CHARS: usize = 12;

/// A province or territory, by its postal abbreviation: where a law society licenses lawyers
/// and notaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Province {
    /// Alberta.
    AB,
    /// British Columbia.
    BC,
    /// Manitoba.
    MB,
    /// New Brunswick.
    NB,
    /// Newfoundland and Labrador.
    NL,
    /// Nova Scotia.
    NS,
    /// Northwest Territories.
    NT,
    /// Nunavut.
    NU,
    /// Ontario.
    ON,
    /// Prince Edward Island.
    PE,
    /// Quebec (the Barreau and the Chambre des notaires).
    QC,
    /// Saskatchewan.
    SK,
    /// Yukon.
    YT,
}

/// A paid representative's licence: a CICC number, or a law society's member number with its
/// province.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Licence {
    /// `R123456` for a consultant; the member number for a lawyer or notary.
    pub number: String,
    /// The law society's province; absent for a consultant licensed by the CICC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<Province>,
}

/// Why a licence number was refused (the field code the API answers with).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LicenceError {
    /// Not `R` and six digits, the CICC's form.
    #[error("not a CICC licence number")]
    NotCicc,
    /// Not a law society member number (letters, digits and one hyphen, at most 12).
    #[error("not a law society member number")]
    NotMemberNumber,
}

impl Licence {
    /// Reads a licence as typed: spaces around it and lowercase are forgiven.
    pub fn parse(number: &str, province: Option<Province>) -> Result<Self, LicenceError> {
        let number = number.trim().to_ascii_uppercase();
        match province {
            None => {
                let digits = number.strip_prefix('R').ok_or(LicenceError::NotCicc)?;
                let cicc = digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit());
                if cicc { Ok(Self { number, province }) } else { Err(LicenceError::NotCicc) }
            }
            Some(_) => {
                let well_formed = !number.is_empty()
                    && number.len() <= MAX_MEMBER_NUMBER_CHARS
                    && number.bytes().any(|b| b.is_ascii_digit())
                    && number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && number.matches('-').count() <= 1
                    && !number.starts_with('-')
                    && !number.ends_with('-');
                if well_formed { Ok(Self { number, province }) } else { Err(LicenceError::NotMemberNumber) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consultants_hold_r_and_six_digits() {
        assert_eq!(Licence::parse(" r705123 ", None).map(|l| l.number), Ok("R705123".into()));
        for wrong in ["R70512", "R7051234", "705123", "RR05123", "R70512A", ""] {
            assert_eq!(Licence::parse(wrong, None), Err(LicenceError::NotCicc), "{wrong}");
        }
    }

    #[test]
    fn lawyers_hold_their_law_society_s_member_number() {
        assert!(Licence::parse("12345", Some(Province::ON)).is_ok());
        assert!(Licence::parse("123456-7", Some(Province::QC)).is_ok());
        assert!(Licence::parse("p123456", Some(Province::BC)).is_ok_and(|l| l.number == "P123456"));
        for wrong in ["", "ABC", "1234567890123", "12 34", "-123", "12--3", "12/3"] {
            assert_eq!(Licence::parse(wrong, Some(Province::ON)), Err(LicenceError::NotMemberNumber), "{wrong}");
        }
    }
}
