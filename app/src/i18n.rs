//! The two languages of the product. French is the default (the customer's users are French),
//! English is the other choice. Texts live beside the code that shows them, as `lang.pick(fr, en)`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// The BCP 47 tag, as written in `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the text in this language.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// Negotiates from an `Accept-Language` header (RFC 9110 §12.5.4): the supported language
    /// with the highest q-value wins; French when nothing matches.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (position, item) in accept_language.split(',').enumerate() {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            // Higher q wins; on a tie the earlier entry wins.
            let better = match best {
                None => true,
                Some((bq, bpos, _)) => q > bq || (q == bq && position < bpos),
            };
            if better {
                best = Some((q, position, lang));
            }
        }
        best.map(|(_, _, l)| l).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn de_elides_before_a_vowel() {
        assert_eq!(de("Pierre Martin"), "de Pierre Martin");
        assert_eq!(de("Éloïse D'Artagnan"), "d'Éloïse D'Artagnan");
        assert_eq!(de("edartagnan"), "d'edartagnan");
        assert_eq!(de("Olympe"), "d'Olympe");
    }

    #[test]
    fn negotiation() {
        assert_eq!(Lang::negotiate(""), Lang::Fr);
        assert_eq!(Lang::negotiate("de-DE,de;q=0.9"), Lang::Fr);
        assert_eq!(Lang::negotiate("en-US,en;q=0.9,fr;q=0.8"), Lang::En);
        assert_eq!(Lang::negotiate("fr-CA,en;q=0.5"), Lang::Fr);
        assert_eq!(Lang::negotiate("de;q=1, en;q=0.2, fr;q=0.7"), Lang::Fr);
        assert_eq!(Lang::negotiate("en;q=0, fr;q=0"), Lang::Fr);
        assert_eq!(Lang::negotiate("EN"), Lang::En);
    }
}

/// A text in the reader's language: `tr!(lang, "fr… {}", "en… {}", args…)` — each argument
/// named once for both languages (or captured by name inside the strings: `"{login}"`).
#[macro_export]
macro_rules! tr {
    ($lang:expr, $fr:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        match $lang {
            $crate::i18n::Lang::Fr => format!($fr $(, $arg)*),
            $crate::i18n::Lang::En => format!($en $(, $arg)*),
        }
    };
}

/// French "de" before a name, elided before a vowel sound: « de Pierre », « d'Éloïse »,
/// « d'edartagnan ». (A leading h is left alone: whether it is mute depends on the word.)
pub fn de(name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .and_then(|c| c.to_lowercase().next())
        .is_some_and(|c| "aeiouyàâäéèêëîïôöùûüÿœæ".contains(c));
    if vowel {
        format!("d'{name}")
    } else {
        format!("de {name}")
    }
}

/// The time zone pages show times in (`timezone` in the configuration, Europe/Paris unless
/// said otherwise); UTC until the server sets it.
#[cfg(feature = "ssr")]
static TIME_ZONE: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();

/// Sets the time zone of the pages, by its IANA name (from the tz database bundled in the
/// binary); the reason when the name is unknown.
#[cfg(feature = "ssr")]
pub fn set_time_zone(name: &str) -> Result<(), String> {
    let tz = jiff::tz::TimeZone::get(name)
        .map_err(|_| format!("unknown time zone {name:?} (an IANA name such as Europe/Paris)"))?;
    let _ = TIME_ZONE.set(tz);
    Ok(())
}

/// A Unix time as a date and time in the pages' time zone, with the zone's abbreviation,
/// written the way each language writes it: « 27/11/2026 à 01h40 CET », "2026-11-27 01:40 CET".
pub fn format_datetime(unix: i64, lang: Lang) -> String {
    #[cfg(feature = "ssr")]
    if let Some(tz) = TIME_ZONE.get() {
        return format_datetime_in(unix, lang, tz);
    }
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hh, mm) = (secs / 3600, (secs % 3600) / 60);
    match lang {
        Lang::Fr => format!("{d:02}/{m:02}/{y} à {hh:02}h{mm:02} UTC"),
        Lang::En => format!("{y}-{m:02}-{d:02} {hh:02}:{mm:02} UTC"),
    }
}

/// [`format_datetime`] in the zone `tz`.
#[cfg(feature = "ssr")]
pub fn format_datetime_in(unix: i64, lang: Lang, tz: &jiff::tz::TimeZone) -> String {
    let Ok(at) = jiff::Timestamp::from_second(unix) else {
        return unix.to_string();
    };
    let z = at.to_zoned_datetime(tz.clone());
    let pattern = match lang {
        Lang::Fr => "%d/%m/%Y à %Hh%M %Z",
        Lang::En => "%Y-%m-%d %H:%M %Z",
    };
    z.strftime(pattern).to_string()
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(format_datetime(0, Lang::En), "1970-01-01 00:00 UTC");
        assert_eq!(
            format_datetime(1_795_740_000, Lang::Fr),
            "27/11/2026 à 00h40 UTC"
        );
        assert_eq!(
            format_datetime(951_782_400, Lang::En),
            "2000-02-29 00:00 UTC"
        );
        assert_eq!(format_datetime(-86_400, Lang::En), "1969-12-31 00:00 UTC");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn in_a_time_zone_with_its_name() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        // 2026-11-27 00:40 UTC is 01:40 in Paris, winter time.
        assert_eq!(
            format_datetime_in(1_795_740_000, Lang::Fr, &paris),
            "27/11/2026 à 01h40 CET"
        );
        assert!(set_time_zone("Mars/Olympus_Mons").is_err());
        // Summer time: 2026-07-01 12:00 UTC.
        assert_eq!(
            format_datetime_in(1_782_907_200, Lang::En, &paris),
            "2026-07-01 14:00 CEST"
        );
    }
}

/// The singular or the plural form for `n`, in `lang` (French puts 0 and 1 in the singular,
/// English only 1).
pub fn by_number<'a>(
    n: u64,
    lang: Lang,
    fr: (&'a str, &'a str),
    en: (&'a str, &'a str),
) -> &'a str {
    match lang {
        Lang::Fr if n <= 1 => fr.0,
        Lang::Fr => fr.1,
        Lang::En if n == 1 => en.0,
        Lang::En => en.1,
    }
}

/// `n` and its noun, singular or plural: « 1 message », « 1 234 messages », "2 accounts".
pub fn count(n: u64, lang: Lang, fr: (&str, &str), en: (&str, &str)) -> String {
    format!("{} {}", format_count(n, lang), by_number(n, lang, fr, en))
}

/// « 2 messages », "1 message".
pub fn messages(n: u64, lang: Lang) -> String {
    count(n, lang, ("message", "messages"), ("message", "messages"))
}

/// A count the way each language writes it: "1 234" (narrow no-break space) / "1,234".
pub fn format_count(n: u64, lang: Lang) -> String {
    let sep = match lang {
        Lang::Fr => '\u{202f}',
        Lang::En => ',',
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A size in bytes, the way each language writes it: "1,5 Mo" / "1.5 MB" (powers of 1024, as
/// mail programs and quotas count).
pub fn format_size(bytes: i64, lang: Lang) -> String {
    const UNITS_FR: [&str; 5] = ["octets", "Ko", "Mo", "Go", "To"];
    const UNITS_EN: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let units = match lang {
        Lang::Fr => UNITS_FR,
        Lang::En => UNITS_EN,
    };
    let b = bytes.max(0);
    if b < 1024 {
        return count(b as u64, lang, ("octet", "octets"), ("byte", "bytes"));
    }
    let mut value = b as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let text = if value >= 100.0 || value.fract() < 0.05 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    };
    let text = match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    };
    format!("{text} {}", units[unit])
}

/// How full a mailbox is, in whole percent (0 when there is no quota).
pub fn percent_used(used: i64, quota: Option<i64>) -> u32 {
    match quota {
        Some(q) if q > 0 => ((used.max(0) as f64 / q as f64) * 100.0).round().min(999.0) as u32,
        _ => 0,
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(format_size(0, Lang::Fr), "0 octet");
        assert_eq!(format_size(2, Lang::Fr), "2 octets");
        assert_eq!(format_size(1, Lang::En), "1 byte");
        assert_eq!(format_size(1536, Lang::Fr), "1,5 Ko");
        assert_eq!(format_size(1536, Lang::En), "1.5 KB");
        assert_eq!(format_size(100 * 1024 * 1024, Lang::En), "100 MB");
        assert_eq!(format_size(5 * 1024 * 1024 * 1024, Lang::Fr), "5 Go");
        assert_eq!(percent_used(50, Some(200)), 25);
        assert_eq!(percent_used(50, None), 0);
        assert_eq!(percent_used(300, Some(200)), 150);
    }
}

/// A Unix time as the `YYYY-MM-DD` of its UTC day (what `<input type=date>` holds).
pub fn iso_date(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}
