//! What the benchmark binaries share.

pub mod dynamodb_stub;
pub mod runtime_api;

/// The middle value of `samples` (the upper one of the two middles when their number is even).
pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}
