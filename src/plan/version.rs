//! Migration versions: 14-digit UTC timestamps (`YYYYMMDDHHMMSS`), shifted by seconds.

use anyhow::{bail, Result};

/// Seconds since 1970-01-01 00:00:00 UTC of a 14-digit version, or None when the digits are
/// not a valid timestamp.
fn to_seconds(version: &str) -> Option<i64> {
    if version.len() != 14 || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |range: std::ops::Range<usize>| version[range].parse::<i64>().ok();
    let (y, mo, d) = (field(0..4)?, field(4..6)?, field(6..8)?);
    let (h, mi, s) = (field(8..10)?, field(10..12)?, field(12..14)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

fn from_seconds(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// The current time as a version.
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    from_seconds(secs)
}

/// `count` versions strictly between `after` and `before` (either may be absent), in order.
/// Right after `after` when there is one (what the files need was just created), else right
/// before `before`; in an empty history, ending now, so that no version lies in the future
/// (a migration written a minute later must sort after them). Versions that are not
/// timestamps are treated as plain numbers.
pub fn between(after: Option<&str>, before: Option<&str>, count: usize) -> Result<Vec<String>> {
    let count = count as i64;
    let start = match (after, before) {
        (Some(a), _) => Step::of(a).shift(1),
        (None, Some(b)) => Step::of(b).shift(-count),
        (None, None) => Step::of(&now()).shift(1 - count),
    };
    let versions: Vec<String> = (0..count).map(|i| start.shift(i).text()).collect();
    if let (Some(last), Some(b)) = (versions.last(), before) {
        if Step::of(last).value >= Step::of(b).value
            || Step::of(&versions[0]).value <= after.map_or(i64::MIN, |a| Step::of(a).value)
        {
            bail!(
                "no free version for {count} new file(s) between {} and {b}: rename one of those migrations to leave a gap, or import fewer tables at once",
                after.unwrap_or("the start of history")
            );
        }
    }
    Ok(versions)
}

#[cfg(test)]
mod between_tests {
    use super::*;

    #[test]
    fn an_empty_history_gets_versions_ending_now() {
        let before = now();
        let versions = between(None, None, 3).unwrap();
        let after = now();
        let last = Step::of(&versions[2]).value;
        assert!(Step::of(&before).value <= last && last <= Step::of(&after).value);
        assert_eq!(Step::of(&versions[0]).value, last - 2, "{versions:?}");
    }
}

/// A version as a number of seconds (timestamps) or a plain number of a fixed width.
#[derive(Clone, Copy)]
struct Step {
    value: i64,
    timestamp: bool,
    width: usize,
}

impl Step {
    fn of(version: &str) -> Step {
        match to_seconds(version) {
            Some(value) => Step {
                value,
                timestamp: true,
                width: 14,
            },
            None => Step {
                value: version.parse().unwrap_or(0),
                timestamp: false,
                width: version.len(),
            },
        }
    }

    fn shift(self, by: i64) -> Step {
        Step {
            value: self.value + by,
            ..self
        }
    }

    fn text(self) -> String {
        if self.timestamp {
            from_seconds(self.value)
        } else {
            format!("{:0width$}", self.value.max(0), width = self.width)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_and_carry() {
        assert_eq!(
            from_seconds(to_seconds("20240201090000").unwrap()),
            "20240201090000"
        );
        assert_eq!(
            between(None, Some("20240201090000"), 2).unwrap(),
            ["20240201085958", "20240201085959"]
        );
        assert_eq!(
            between(Some("20231231235959"), Some("20240301000000"), 2).unwrap(),
            ["20240101000000", "20240101000001"]
        );
        assert_eq!(
            between(Some("20240228235959"), None, 1).unwrap(),
            ["20240229000000"]
        );
        assert!(to_seconds("20230229000000").is_none());
    }

    #[test]
    fn no_room_is_an_error_naming_both_versions() {
        let err = between(Some("20240101000000"), Some("20240101000002"), 2)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("between 20240101000000 and 20240101000002"),
            "{err}"
        );
        assert_eq!(
            between(Some("20240101000000"), Some("20240101000002"), 1).unwrap(),
            ["20240101000001"]
        );
    }

    #[test]
    fn plain_numbers_keep_their_width() {
        assert_eq!(
            between(Some("0001"), Some("0005"), 2).unwrap(),
            ["0002", "0003"]
        );
        assert_eq!(between(None, Some("0005"), 2).unwrap(), ["0003", "0004"]);
    }
}
