//! How long to wait before trying again: exponential backoff with "equal
//! jitter" (half fixed, half random), so that the retries of one outage
//! spread out instead of arriving together. Event deliveries and jobs share it.

use std::time::Duration;

use rand::Rng;

/// The wait after the `attempt`-th failure (from 1): `base` doubled each
/// time, at most `cap`, the upper half of it random.
pub fn backoff(base: Duration, cap: Duration, attempt: i32) -> Duration {
    let doublings = attempt.saturating_sub(1).clamp(0, 30) as u32;
    let full = base
        .saturating_mul(1u32 << doublings)
        .min(cap)
        .max(Duration::from_millis(1));
    let half = full / 2;
    half + half.mul_f64(rand::rng().random::<f64>())
}
