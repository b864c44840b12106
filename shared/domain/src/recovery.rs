//! Recovery codes: ten single-use codes that stand in for the authenticator when it is lost.
//!
//! A set is issued at the first enrolment of an authenticator and again whenever its owner asks
//! from "Sign-in and security"; a new set voids the old one. Codes are kept as digests only, one
//! item each (`USER#{sub}` / `RECOVERY#{generation}#{digest}`), under a generation counter
//! (`USER#{sub}` / `RECOVERY`): using a code deletes its item in one transaction with a check
//! that its generation is still the current one, so a code works once, and none of a voided set
//! works, however many requests arrive at once.
//!
//! A code is twelve characters of Crockford's base32 (60 random bits), shown in three groups;
//! it is read back forgivingly: case, spaces and hyphens do not matter.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::clock::Clock;
use crate::digest::digest;
use crate::keys;
use crate::table::{Condition, Item, Query, SortKey, StoreError, Table, Update, WriteOp};

/// How many codes a set holds.
pub const CODES_PER_SET: usize = 10;

/// Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand is not mistaken.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_CHARS: usize = 12;

/// One new code, `XXXX-XXXX-XXXX`.
fn new_code() -> Result<String, StoreError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|error| StoreError::Unavailable(error.to_string().into()))?;
    let bits = u64::from_be_bytes(bytes);
    let characters: Vec<u8> = (0..CODE_CHARS).map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize]).collect();
    let text = String::from_utf8_lossy(&characters).into_owned();
    Ok(format!("{}-{}-{}", &text[..4], &text[4..8], &text[8..]))
}

/// A code as typed, in the form its digest was taken of: capitals, no separators; `I` and `L`
/// read as `1`, `O` as `0`, as Crockford's base32 decodes them.
fn normalised(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect()
}

/// Whether `typed` has the shape of a recovery code rather than of an authenticator's 6-digit
/// code (where either is accepted).
pub fn is_recovery_code(typed: &str) -> bool {
    normalised(typed).len() == CODE_CHARS
}

/// A user's recovery codes.
#[derive(Clone)]
pub struct RecoveryCodes {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
}

impl RecoveryCodes {
    /// Codes kept in `table`.
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Self {
        Self { table, clock }
    }

    /// The generation of the user's current set (0 when none was ever issued).
    async fn generation(&self, sub: &str) -> Result<u64, StoreError> {
        let record = self.table.get(&keys::recovery_generation(sub)).await?;
        Ok(record.and_then(|item| item.get("generation").and_then(Value::as_u64)).unwrap_or_default())
    }

    /// Issues a new set, voiding the one before; gives the codes, to be shown once.
    pub async fn issue(&self, sub: &str) -> Result<Vec<String>, StoreError> {
        let current = self.generation(sub).await?;
        let next = current + 1;
        let codes = (0..CODES_PER_SET).map(|_| new_code()).collect::<Result<Vec<_>, _>>()?;
        let issued_at = self.clock.now();
        // The counter moves only from the generation read: two sets issued at once cannot both
        // become current.
        let counter =
            if current == 0 { Condition::Absent } else { Condition::Equals("generation".into(), json!(current)) };
        let mut writes = vec![WriteOp::Update {
            key: keys::recovery_generation(sub),
            update: Update::default().set("generation", next).set("issuedAt", issued_at),
            condition: Some(counter),
        }];
        for code in &codes {
            let item = Item::from_record(
                &keys::recovery_code(sub, next, &digest(&normalised(code))),
                &json!({"issuedAt": issued_at}),
            )?;
            writes.push(WriteOp::Put { item, condition: Some(Condition::Absent) });
        }
        self.table.transact_write(writes).await.map_err(|error| match error {
            StoreError::TransactionCanceled { .. } => StoreError::ConditionFailed,
            other => other,
        })?;
        self.forget_generation(sub, current).await?;
        Ok(codes)
    }

    /// Removes the codes of a voided set (they no longer work whether or not they are removed).
    async fn forget_generation(&self, sub: &str, generation: u64) -> Result<(), StoreError> {
        if generation == 0 {
            return Ok(());
        }
        for item in self.codes_of(sub, generation).await? {
            self.table.delete(&item.key(), None).await?;
        }
        Ok(())
    }

    async fn codes_of(&self, sub: &str, generation: u64) -> Result<Vec<Item>, StoreError> {
        let query = Query::partition(keys::user_partition(sub))
            .sort(SortKey::Prefix(keys::recovery_code_prefix(generation)))
            .limit(CODES_PER_SET as u32 * 2);
        Ok(self.table.query(query).await?.items)
    }

    /// How many codes of the current set are left.
    pub async fn remaining(&self, sub: &str) -> Result<usize, StoreError> {
        let generation = self.generation(sub).await?;
        if generation == 0 {
            return Ok(0);
        }
        Ok(self.codes_of(sub, generation).await?.len())
    }

    /// Uses a code: `true` once for each code of the current set, `false` for anything else.
    pub async fn redeem(&self, sub: &str, typed: &str) -> Result<bool, StoreError> {
        let generation = self.generation(sub).await?;
        if generation == 0 {
            return Ok(false);
        }
        let used = self
            .table
            .transact_write(vec![
                WriteOp::Delete {
                    key: keys::recovery_code(sub, generation, &digest(&normalised(typed))),
                    condition: Some(Condition::Present),
                },
                WriteOp::Check {
                    key: keys::recovery_generation(sub),
                    condition: Condition::Equals("generation".into(), json!(generation)),
                },
            ])
            .await;
        match used {
            Ok(()) => Ok(true),
            Err(StoreError::TransactionCanceled { .. }) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// Gives a used code back to the current set (its use could not go through), unless a new
    /// set was issued since.
    pub async fn give_back(&self, sub: &str, typed: &str) -> Result<(), StoreError> {
        let generation = self.generation(sub).await?;
        if generation == 0 {
            return Ok(());
        }
        let key = keys::recovery_code(sub, generation, &digest(&normalised(typed)));
        let item = Item::from_record(&key, &json!({"issuedAt": self.clock.now()}))?;
        let check = Condition::Equals("generation".into(), json!(generation));
        let given = self
            .table
            .transact_write(vec![
                WriteOp::Put { item, condition: Some(Condition::Absent) },
                WriteOp::Check { key: keys::recovery_generation(sub), condition: check },
            ])
            .await;
        match given {
            Err(StoreError::TransactionCanceled { .. }) => Ok(()),
            other => other,
        }
    }

    /// Voids the user's codes (an authenticator reset by support: they go with it).
    pub async fn void(&self, sub: &str) -> Result<(), StoreError> {
        let current = self.generation(sub).await?;
        if current == 0 {
            return Ok(());
        }
        let update = Update::default().set("generation", current + 1);
        self.table.update(&keys::recovery_generation(sub), update, None).await?;
        self.forget_generation(sub, current).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_twelve_unambiguous_characters_in_three_groups() {
        let code = new_code().expect("random");
        assert_eq!(code.len(), 14, "{code}");
        assert_eq!(code.matches('-').count(), 2, "{code}");
        assert!(code.chars().filter(|c| *c != '-').all(|c| ALPHABET.contains(&(c as u8))), "{code}");
        assert_ne!(new_code().expect("random"), code);
    }

    #[test]
    fn a_code_is_read_back_forgivingly() {
        assert_eq!(normalised("abcd-efgh-jk01"), "ABCDEFGHJK01");
        assert_eq!(normalised(" ABCD EFGH JK01 "), "ABCDEFGHJK01");
        assert_eq!(normalised("O0Il-1111-1111"), "001111111111");
    }

    #[test]
    fn a_recovery_code_is_told_from_an_authenticator_code_by_its_shape() {
        assert!(is_recovery_code(&new_code().expect("random")));
        assert!(is_recovery_code("abcd efgh jk01"));
        assert!(!is_recovery_code("123456"));
        assert!(!is_recovery_code("123 456"));
        assert!(!is_recovery_code(""));
    }
}
