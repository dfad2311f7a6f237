//! What the finished tasks cost: billed seconds of succeeded tasks per day, split by
//! resolution tier, and how many failed (failures are refunded). Summed by a pure
//! function; only the local calendar date is asked of SQLite, which knows the
//! zone (and its summer time) through the C library.

use std::collections::BTreeMap;

use serde::Serialize;

use super::store::{TaskRecord, TaskStore};
use crate::error::Error;
use crate::gateway::Status;

/// The two tiers the gateway bills at.
pub const TIERS: [&str; 2] = ["720P", "1080P"];

/// One finished task, as the sum needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Billed {
    /// Local calendar date of its finish, `YYYY-MM-DD`.
    pub date: String,
    pub succeeded: bool,
    /// `720P` or `1080P` (None: not told; counted under 720P, the default).
    pub tier: Option<String>,
    /// Billed seconds: the upstream's `usage.duration`, else what was asked for.
    pub seconds: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    pub tasks: u64,
    pub seconds: f64,
}

/// One day, or the whole: per tier, and the failed count.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(rename = "720P")]
    pub p720: Tally,
    #[serde(rename = "1080P")]
    pub p1080: Tally,
    pub failed: u64,
}

/// `{"total": {...}, "days": [{"date": ..., ...}], "weeks": [...]}`, oldest first;
/// a week's `date` is its Monday.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Usage {
    pub total: Period,
    pub days: Vec<Period>,
    pub weeks: Vec<Period>,
}

/// The Monday of the week of a `YYYY-MM-DD` date (weeks as ISO 8601 counts them),
/// by calendar arithmetic alone; None for a date that is not one.
pub fn week_start(date: &str) -> Option<String> {
    let mut parts = date.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(0..=9999).contains(&y) {
        return None;
    }
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil), then back to the
    // Monday (1970-01-01 was a Thursday) and forward to a date again.
    let days = {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    };
    let monday = days - (days + 3).rem_euclid(7);
    let z = monday + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

impl Period {
    fn add(&mut self, item: &Billed) {
        if !item.succeeded {
            self.failed += 1;
            return;
        }
        let tally = if item.tier.as_deref() == Some("1080P") {
            &mut self.p1080
        } else {
            &mut self.p720
        };
        tally.tasks += 1;
        // Hundredths: the gateway's own precision, and no float dust in the JSON.
        tally.seconds = ((tally.seconds + item.seconds) * 100.0).round() / 100.0;
    }
}

/// Sums finished tasks on or after `since` (a `YYYY-MM-DD` local date).
pub fn summarize(items: &[Billed], since: Option<&str>) -> Usage {
    let mut days: BTreeMap<&str, Period> = BTreeMap::new();
    let mut weeks: BTreeMap<String, Period> = BTreeMap::new();
    let mut total = Period::default();
    for item in items
        .iter()
        .filter(|i| since.is_none_or(|s| i.date.as_str() >= s))
    {
        total.add(item);
        days.entry(&item.date)
            .or_insert_with(|| Period {
                date: Some(item.date.clone()),
                ..Period::default()
            })
            .add(item);
        if let Some(monday) = week_start(&item.date) {
            weeks
                .entry(monday.clone())
                .or_insert_with(|| Period {
                    date: Some(monday),
                    ..Period::default()
                })
                .add(item);
        }
    }
    Usage {
        total,
        days: days.into_values().collect(),
        weeks: weeks.into_values().collect(),
    }
}

/// The finished tasks of the history with their billed seconds, or None for a
/// task still running (or never answered).
pub fn billed_of(record: &TaskRecord) -> Option<(i64, bool, Option<String>, f64)> {
    let task = record.snapshot()?;
    let succeeded = match task.status {
        Status::Succeeded => true,
        Status::Failed => false,
        _ => return None,
    };
    let finished = task
        .finished_at
        .or(task.upstream.as_ref().and_then(|u| u.ended_at))
        .or(record.checked_at)?;
    let asked = record.created.as_ref().map(|c| &c.request);
    let tier = task
        .resolution
        .clone()
        .or_else(|| {
            asked
                .and_then(|r| r.get("resolution"))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .map(|t| t.to_uppercase());
    let seconds = task
        .upstream
        .as_ref()
        .and_then(|u| u.billed_duration)
        .or(task.duration)
        .or_else(|| {
            asked
                .and_then(|r| r.get("duration"))
                .and_then(|v| v.as_f64())
        })
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(0.0);
    Some((finished, succeeded, tier, seconds))
}

impl TaskStore {
    /// Local calendar dates (`YYYY-MM-DD`) of Unix times, in the system's zone.
    pub fn local_dates(&self, times: &[i64]) -> Result<Vec<String>, Error> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT date(?1, 'unixepoch', 'localtime')")
            .map_err(|e| Error::HistoryOpen(e.to_string()))?;
        times
            .iter()
            .map(|t| {
                stmt.query_row([t], |r| r.get::<_, Option<String>>(0))
                    .map(Option::unwrap_or_default)
                    .map_err(|e| Error::HistoryOpen(e.to_string()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(date: &str, succeeded: bool, tier: Option<&str>, seconds: f64) -> Billed {
        Billed {
            date: date.into(),
            succeeded,
            tier: tier.map(str::to_owned),
            seconds,
        }
    }

    #[test]
    fn sums_by_day_and_tier_and_counts_failures_apart() {
        let items = [
            item("2026-04-28", true, Some("720P"), 6.62),
            item("2026-04-28", true, Some("1080P"), 5.0),
            item("2026-04-28", false, Some("1080P"), 5.0),
            item("2026-04-27", true, None, 0.1),
            item("2026-04-27", true, Some("720P"), 0.2),
        ];
        let usage = summarize(&items, None);
        let json = serde_json::to_value(&usage).unwrap();
        assert_eq!(
            json["total"],
            serde_json::json!({"720P": {"tasks": 3, "seconds": 6.92}, "1080P": {"tasks": 1, "seconds": 5.0}, "failed": 1})
        );
        assert_eq!(json["days"][0]["date"], "2026-04-27");
        assert_eq!(json["days"][0]["720P"]["seconds"], 0.3);
        assert_eq!(json["days"][1]["failed"], 1);
        let since = summarize(&items, Some("2026-04-28"));
        assert_eq!(since.days.len(), 1);
        assert_eq!(since.total.p720.tasks, 1);
        assert_eq!(summarize(&[], None), Usage::default());
    }

    #[test]
    fn weeks_start_on_monday_across_months_years_and_leap_days() {
        assert_eq!(week_start("2026-11-29").as_deref(), Some("2026-11-23")); // Sunday
        assert_eq!(week_start("2026-11-23").as_deref(), Some("2026-11-23")); // Monday
        assert_eq!(week_start("2026-01-01").as_deref(), Some("2025-12-29")); // Thursday
        assert_eq!(week_start("2024-03-01").as_deref(), Some("2024-02-26")); // leap year
        assert_eq!(week_start("1970-01-01").as_deref(), Some("1969-12-29"));
        for bad in [
            "",
            "2026-13-01",
            "2026-1",
            "x-y-z",
            "2026-11-32",
            "-1-01-01",
        ] {
            assert_eq!(week_start(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_of_one_week_sum_into_it() {
        let usage = summarize(
            &[
                item("2026-11-23", true, Some("720P"), 5.0),
                item("2026-11-29", true, Some("1080P"), 10.0),
                item("2026-11-30", true, Some("720P"), 2.5),
                item("2026-11-30", false, None, 5.0),
            ],
            None,
        );
        assert_eq!(usage.weeks.len(), 2);
        assert_eq!(usage.weeks[0].date.as_deref(), Some("2026-11-23"));
        assert_eq!(usage.weeks[0].p720.seconds, 5.0);
        assert_eq!(usage.weeks[0].p1080.seconds, 10.0);
        assert_eq!(usage.weeks[1].date.as_deref(), Some("2026-11-30"));
        assert_eq!(usage.weeks[1].p720.tasks, 1);
        assert_eq!(usage.weeks[1].failed, 1);
    }
}
