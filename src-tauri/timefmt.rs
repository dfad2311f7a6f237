//! The few calendar conversions Paddock needs: unix seconds to RFC 3339, and the two
//! stamp formats found in the API (DashScope's Beijing-time strings and the compact
//! `20260428T023742Z` of signed URLs). Small enough not to justify a date crate.

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2026-04-28T02:37:42Z` for unix seconds.
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// `2026-04-28` (UTC) for unix seconds, used in file names.
pub fn date_only(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn unix_from_parts(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64) -> Option<i64> {
    if !(1..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || mi > 59
        || s > 60
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// DashScope's `"2026-04-28 10:37:42.625"`: Beijing time (UTC+8) with no zone marker.
/// Fractional seconds are dropped.
pub fn parse_beijing(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once([' ', 'T'])?;
    let mut dp = date.split('-');
    let (y, mo, d) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    let time = time.split('.').next()?;
    let mut tp = time.split(':');
    let (h, mi, s) = (
        num(tp.next()?)?,
        num(tp.next()?)?,
        num(tp.next().unwrap_or("0"))?,
    );
    let local = unix_from_parts(y, u32::try_from(mo).ok()?, u32::try_from(d).ok()?, h, mi, s)?;
    Some(local - 8 * 3600)
}

/// The compact UTC stamp of signed URLs: `20260428T023742Z`.
///
/// Works on bytes: the text comes from a URL the gateway sent, and a multibyte
/// character among the 16 bytes must read as "no stamp", not split a `str`.
pub fn parse_compact_utc(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |from: usize, to: usize| -> Option<i64> {
        let part = b.get(from..to)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    unix_from_parts(
        digits(0, 4)?,
        u32::try_from(digits(4, 6)?).ok()?,
        u32::try_from(digits(6, 8)?).ok()?,
        digits(9, 11)?,
        digits(11, 13)?,
        digits(13, 15)?,
    )
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110's preferred form), as a
/// `Retry-After` header may carry. The obsolete forms are not read.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let (_, rest) = text.trim().split_once(", ")?;
    let mut parts = rest.split(' ');
    let day = num(parts.next()?)?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = num(parts.next()?)?;
    let mut clock = parts.next()?.split(':');
    let (h, mi, s) = (
        num(clock.next()?)?,
        num(clock.next()?)?,
        num(clock.next()?)?,
    );
    if parts.next()? != "GMT" || parts.next().is_some() || clock.next().is_some() {
        return None;
    }
    unix_from_parts(year, month, u32::try_from(day).ok()?, h, mi, s)
}

/// Seconds since the epoch, now.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_777_343_862), "2026-04-28T02:37:42Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn beijing_strings_line_up_with_the_gateway_unix_times() {
        // The seed example: submit_time 1777343862 and output.submit_time 10:37:42.625.
        assert_eq!(
            parse_beijing("2026-04-28 10:37:42.625"),
            Some(1_777_343_862)
        );
        assert_eq!(parse_beijing("2026-04-28 07:00:00"), Some(1_777_330_800));
        assert_eq!(parse_beijing("garbage"), None);
        assert_eq!(parse_beijing("2026-13-01 00:00:00"), None);
    }

    #[test]
    fn compact_stamps() {
        assert_eq!(parse_compact_utc("20260428T023742Z"), Some(1_777_343_862));
        assert_eq!(parse_compact_utc("20260428T023742"), None);
        assert_eq!(parse_compact_utc("2026042XT023742Z"), None);
    }

    /// Issue 13: `x-oss-date=1234567%C3%A9T12345Z` decodes to 16 bytes with `é` across
    /// bytes 7..9, and slicing `[8..9]` panicked (exit 101, or an abort in release).
    /// Each of these reads as "no time", from either parser.
    #[test]
    fn regression_multibyte_character_inside_a_compact_stamp() {
        assert_eq!("1234567éT12345Z".len(), 16);
        type Parser = fn(&str) -> Option<i64>;
        let parsers: [(Parser, &[&str]); 2] = [
            (
                parse_compact_utc,
                &[
                    "1234567éT12345Z",
                    "é234567éT1234éZ",
                    "2026042€023742Z",
                    "+026+428T023742Z",
                ],
            ),
            (
                parse_http_date,
                &[
                    "Tue, 28 Apr 2026 02:37:42 UTC",
                    "28 Apr 2026 02:37:42 GMT",
                    "Tue, 28 Äpr 2026 02:37:42 GMT",
                    "120",
                ],
            ),
        ];
        for (parse, texts) in parsers {
            for text in texts {
                assert_eq!(parse(text), None, "{text}");
            }
        }
        assert_eq!(
            parse_http_date("Tue, 28 Apr 2026 02:37:42 GMT"),
            Some(1_777_343_862)
        );
    }

    #[test]
    fn dates_for_file_names() {
        assert_eq!(date_only(1_777_343_862), "2026-04-28");
        assert_eq!(date_only(-1), "1969-12-31");
    }

    #[test]
    fn round_trips_across_centuries() {
        for unix in [-86_400 * 400, 0, 1_000_000_000, 4_102_444_800] {
            let s = rfc3339(unix);
            let compact = format!(
                "{}{}{}T{}{}{}Z",
                &s[0..4],
                &s[5..7],
                &s[8..10],
                &s[11..13],
                &s[14..16],
                &s[17..19]
            );
            assert_eq!(parse_compact_utc(&compact), Some(unix), "{s}");
        }
    }
}
