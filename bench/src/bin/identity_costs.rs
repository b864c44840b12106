//! Cost per operation of the local identity provider's checks: Argon2id password verification
//! at the configured cost (OWASP minimum by default) and TOTP code verification.

use std::time::Instant;

use anyhow::Result;
use portal_bench::median;
use portal_store::local_identity::secrets::{HashCost, PasswordHashing, totp};

const PASSWORD_SAMPLES: usize = 20;
const TOTP_SAMPLES: usize = 20_000;

fn main() -> Result<()> {
    let cost = HashCost::default();
    let hashing = PasswordHashing::new(cost)?;
    let stored = hashing.hash("a long and memorable passphrase")?;
    let mut verify = Vec::with_capacity(PASSWORD_SAMPLES);
    for _ in 0..PASSWORD_SAMPLES {
        let started = Instant::now();
        assert!(hashing.verify("a long and memorable passphrase", Some(&stored)));
        verify.push(started.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "argon2id verify (m={} KiB, t={}, p={}): median {:.1} ms over {PASSWORD_SAMPLES}",
        cost.memory_kib,
        cost.iterations,
        cost.parallelism,
        median(verify)
    );

    let secret = totp::new_secret()?;
    let now = 1_800_000_000;
    let code = totp::code_at(&secret, now)?;
    let started = Instant::now();
    for _ in 0..TOTP_SAMPLES {
        assert!(totp::matching_step(&secret, &code, now)?.is_some());
    }
    let per_op = started.elapsed().as_secs_f64() * 1e6 / TOTP_SAMPLES as f64;
    println!("TOTP verify (±1 step): {per_op:.2} µs per code over {TOTP_SAMPLES}");
    Ok(())
}
