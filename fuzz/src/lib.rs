//! Fuzz targets (V2), one `#[test]` each in `targets`: request bodies, file names, magic-byte
//! sniffing and the PDF check (webhook signature parsing joins them when payments arrive).
//!
//! Under `cargo test` (so in `make test`) each target replays its corpus,
//! `src/__fuzz__/targets__<name>/corpus/`, then runs random inputs for a bounded time
//! (`BOLERO_RANDOM_TEST_TIME_MS`, 1 s by default). `make fuzz` runs the same harnesses
//! coverage-guided, with libFuzzer through cargo-bolero, and adds what it finds to the corpus.
//!
//! The targets are unit tests of an otherwise empty library because cargo-bolero instruments
//! every test binary of the crate, and each must link libFuzzer's runtime, which only a binary
//! using bolero brings.

#[cfg(test)]
mod targets;
