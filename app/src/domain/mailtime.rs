//! Dates in mail headers (RFC 5322 §3.3), e.g. `Fri, 27 Nov 2026 01:40:00 +0000`. Pure, so the
//! same code serves the SMTP trace fields and, later, generated messages.

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Day name, day, month name, year, and the time of day `HH:MM:SS`, in UTC.
fn parts(unix: i64) -> (&'static str, u32, &'static str, i64, String) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = crate::i18n::civil_from_days(days);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    );
    (
        DAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        clock,
    )
}

/// `unix` seconds as an RFC 5322 date-time in UTC.
pub fn rfc5322(unix: i64) -> String {
    let (day, d, month, y, clock) = parts(unix);
    format!("{day}, {d} {month} {y} {clock} +0000")
}

/// `unix` seconds in C's `asctime` form, as mbox "From " lines carry it:
/// `Fri Nov 27 00:40:00 2026` (UTC; the day padded to two places).
pub fn asctime(unix: i64) -> String {
    let (day, d, month, y, clock) = parts(unix);
    format!("{day} {month} {d:>2} {clock} {y}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc5322(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc5322(1_795_740_000), "Fri, 27 Nov 2026 00:40:00 +0000");
        assert_eq!(rfc5322(951_782_399), "Mon, 28 Feb 2000 23:59:59 +0000");
        assert_eq!(asctime(1_795_740_000), "Fri Nov 27 00:40:00 2026");
        assert_eq!(asctime(0), "Thu Jan  1 00:00:00 1970");
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` → the Unix time at the start of that day (UTC), for "from" dates.
pub fn start_of_day(date: &str) -> Option<i64> {
    end_of_day(date).map(|t| t - 86_400)
}

/// `YYYY-MM-DD` → the Unix time at the end of that day (UTC), for "valid until" dates.
pub fn end_of_day(date: &str) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || !(1970..=9999).contains(&y) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // Reject 2026-02-30 and the like: the date must come back unchanged.
    if crate::i18n::civil_from_days(days) != (y, m, d) {
        return None;
    }
    Some((days + 1) * 86_400)
}

#[cfg(test)]
mod date_parse_tests {
    use super::*;

    #[test]
    fn until_dates() {
        assert_eq!(end_of_day("1970-01-01"), Some(86_400));
        assert_eq!(end_of_day("2026-11-26"), Some(1_795_737_600));
        assert_eq!(
            end_of_day("2000-02-29").map(|t| t - 86_400),
            Some(951_782_400)
        );
        for bad in [
            "",
            "2026-02-30",
            "2026-13-01",
            "26-1-1x",
            "2026/01/01",
            "1969-12-31",
        ] {
            assert_eq!(end_of_day(bad), None, "{bad}");
        }
    }
}
