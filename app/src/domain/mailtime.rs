//! Dates in mail headers (RFC 5322 §3.3), e.g. `Fri, 27 Nov 2026 01:40:00 +0000`. Pure, so the
//! same code serves the SMTP trace fields and, later, generated messages.

/// `unix` seconds as an RFC 5322 date-time in UTC.
pub fn rfc5322(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = crate::i18n::civil_from_days(days);
    format!(
        "{}, {d} {} {y} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc5322(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc5322(1_795_740_000), "Fri, 27 Nov 2026 00:40:00 +0000");
        assert_eq!(rfc5322(951_782_399), "Mon, 28 Feb 2000 23:59:59 +0000");
    }
}
