//! Activity analytics over audit events, independent of how they were ingested or stored.
//!
//! This module owns three things: UTC time helpers on `i64` microseconds ([`time`]), exact
//! re-implementations of Kusto's `activity_counts_metrics` and `activity_engagement` plugins
//! generic over the Id and dimension types ([`metrics`]), and the Azure "rare process" hunting
//! query built on them ([`hunt`]). The contract is `activity-metrics.md` (the shared spec);
//! those three depend on no other trailwatch module, so callers pass plain rows and a fixed
//! "now". [`views`] is the bridge: the per-principal and organisation day tables the TUI and
//! the report draw, computed from the event store.

pub mod hunt;
pub mod metrics;
pub mod time;
pub mod views;

pub use hunt::{
    EXACT_EXCLUSIONS, EXCLUSIONS, HuntRow, LOOKBACK_US, OUTER_WINDOW_US, ProcessEvent, contains_ignore_case,
    is_excluded, rare_process,
};
pub use metrics::{CountsRow, EngagementRow, Row, counts_metrics, engagement};
pub use time::{DAY_US, format_rfc3339, parse_rfc3339, start_of_day, start_of_week};

#[cfg(test)]
mod tests_hunt;
#[cfg(test)]
mod tests_metrics;

/// A small deterministic generator for the randomised tests: `next(n)` is in `0..n`.
#[cfg(test)]
pub(crate) fn xorshift(mut x: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    }
}
#[cfg(test)]
mod tests_metrics_reference;
