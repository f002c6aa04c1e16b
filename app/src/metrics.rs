//! What the process counts for `GET /metrics` (issue 18, item 4): counters, gauges and
//! histograms kept in memory, rendered in the Prometheus text exposition format (0.0.4).
//! Every family is declared in [`FAMILIES`] with its help text, so a scrape shows each one
//! (with no series yet) from the first second. Counting is always on and cheap; the endpoint
//! is off unless configured. Each instance counts its own work: a cluster is summed by the
//! scraper.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

pub const RECEIVED: &str = "courrier_smtp_messages_received_total";
pub const REFUSED: &str = "courrier_smtp_refused_total";
pub const HELD: &str = "courrier_filter_held_total";
pub const QUEUED: &str = "courrier_queue_enqueued_total";
pub const QUEUE_OUTCOMES: &str = "courrier_queue_outcomes_total";
pub const QUEUE_DEPTH: &str = "courrier_queue_depth";
pub const QUEUE_OLDEST: &str = "courrier_queue_oldest_age_seconds";
pub const SIGN_INS: &str = "courrier_sign_ins_total";
pub const CONNECTIONS_OPEN: &str = "courrier_connections_open";
pub const CONNECTIONS_REFUSED: &str = "courrier_connections_refused_total";
pub const HTTP_DURATION: &str = "courrier_http_request_duration_seconds";

/// Every family this process exposes: name, kind, help.
pub const FAMILIES: &[(&str, Kind, &str)] = &[
    (
        RECEIVED,
        Kind::Counter,
        "Messages taken (250 after DATA or the last BDAT), by listener.",
    ),
    (
        REFUSED,
        Kind::Counter,
        "Refusals (4xx or 5xx) of MAIL, RCPT, DATA and BDAT, by listener, command and \
         enhanced status code (RFC 3463).",
    ),
    (
        HELD,
        Kind::Counter,
        "Messages held back by a check (antivirus, antispam, sender checks), by check and \
         action (refused or deferred).",
    ),
    (
        QUEUED,
        Kind::Counter,
        "Messages put in the outbound queue (forwards, auto-replies, submissions, bounces, \
         notices), by kind.",
    ),
    (
        QUEUE_OUTCOMES,
        Kind::Counter,
        "Attempts of the outbound queue, by outcome: delivered, deferred (to be tried \
         again), bounced (failed for good).",
    ),
    (
        QUEUE_DEPTH,
        Kind::Gauge,
        "Messages waiting in the outbound queue (all instances: read from the database).",
    ),
    (
        QUEUE_OLDEST,
        Kind::Gauge,
        "Age of the oldest message waiting in the outbound queue (0 when empty).",
    ),
    (
        SIGN_INS,
        Kind::Counter,
        "Password checks, by door (web, pop3, submission) and result.",
    ),
    (
        CONNECTIONS_OPEN,
        Kind::Gauge,
        "Open connections, by listener.",
    ),
    (
        CONNECTIONS_REFUSED,
        Kind::Counter,
        "Connections closed at once over the connection caps, by listener.",
    ),
    (
        HTTP_DURATION,
        Kind::Histogram,
        "Time to answer a web request (to its headers), by kind: page, api (server \
         functions), asset, other.",
    ),
];

/// Upper bounds of the histograms' buckets, in seconds.
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

type Key = (&'static str, Vec<(&'static str, String)>);

#[derive(Clone, Debug, Default)]
struct Histogram {
    /// Observations at most each bound (not yet cumulative).
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
struct Values {
    scalars: BTreeMap<Key, f64>,
    histograms: BTreeMap<Key, Histogram>,
}

static VALUES: Mutex<Values> = Mutex::new(Values {
    scalars: BTreeMap::new(),
    histograms: BTreeMap::new(),
});

fn values() -> std::sync::MutexGuard<'static, Values> {
    VALUES.lock().unwrap_or_else(|e| e.into_inner())
}

fn key(name: &'static str, labels: &[(&'static str, &str)]) -> Key {
    (
        name,
        labels.iter().map(|(k, v)| (*k, (*v).to_string())).collect(),
    )
}

/// Adds one to a counter.
pub fn inc(name: &'static str, labels: &[(&'static str, &str)]) {
    add(name, labels, 1.0);
}

/// Adds `v` to a counter or gauge (negative for a gauge going down).
pub fn add(name: &'static str, labels: &[(&'static str, &str)], v: f64) {
    *values().scalars.entry(key(name, labels)).or_default() += v;
}

/// Sets a gauge.
pub fn set(name: &'static str, labels: &[(&'static str, &str)], v: f64) {
    values().scalars.insert(key(name, labels), v);
}

/// One observation of a histogram, in seconds.
pub fn observe(name: &'static str, labels: &[(&'static str, &str)], secs: f64) {
    let mut v = values();
    let h = v.histograms.entry(key(name, labels)).or_default();
    if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
        h.counts[i] += 1;
    }
    h.count += 1;
    h.sum += secs;
}

/// One open connection of a listener, counted while it lives.
pub struct Open(&'static str);

impl Open {
    pub fn new(listener: &'static str) -> Open {
        add(CONNECTIONS_OPEN, &[("listener", listener)], 1.0);
        Open(listener)
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        add(CONNECTIONS_OPEN, &[("listener", self.0)], -1.0);
    }
}

/// A label value as the format wants it: `\`, `"` and line feeds escaped.
fn escape(v: &str) -> String {
    v.replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
}

fn labels_text(labels: &[(&'static str, String)], extra: Option<(&str, &str)>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    if let Some((k, v)) = extra {
        parts.push(format!("{k}=\"{v}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Everything counted so far, in the text format.
pub fn render() -> String {
    let v = values();
    let mut out = String::new();
    for (name, kind, help) in FAMILIES {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {}", kind.as_str());
        if *kind == Kind::Histogram {
            for ((_, labels), h) in v.histograms.iter().filter(|((n, _), _)| n == name) {
                let mut cumulative = 0;
                for (bound, count) in BUCKETS.iter().zip(h.counts) {
                    cumulative += count;
                    let le = number(*bound);
                    let l = labels_text(labels, Some(("le", &le)));
                    let _ = writeln!(out, "{name}_bucket{l} {cumulative}");
                }
                let l = labels_text(labels, Some(("le", "+Inf")));
                let _ = writeln!(out, "{name}_bucket{l} {}", h.count);
                let l = labels_text(labels, None);
                let _ = writeln!(out, "{name}_sum{l} {}", h.sum);
                let _ = writeln!(out, "{name}_count{l} {}", h.count);
            }
        } else {
            for ((_, labels), value) in v.scalars.iter().filter(|((n, _), _)| n == name) {
                let l = labels_text(labels, None);
                let _ = writeln!(out, "{name}{l} {}", number(*value));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of one series in a rendering.
    fn series<'a>(text: &'a str, head: &str) -> Option<&'a str> {
        text.lines()
            .find_map(|l| l.strip_prefix(head)?.strip_prefix(' '))
    }

    #[test]
    fn counts_render_in_the_text_format() {
        // The registry is the process's: this test uses a label no other test writes.
        inc(
            REFUSED,
            &[("listener", "t1"), ("command", "rcpt"), ("status", "5.1.1")],
        );
        inc(
            REFUSED,
            &[("listener", "t1"), ("command", "rcpt"), ("status", "5.1.1")],
        );
        set(QUEUE_DEPTH, &[], 3.0);
        {
            let _a = Open::new("t1");
            let _b = Open::new("t1");
            let text = render();
            assert_eq!(
                series(&text, r#"courrier_connections_open{listener="t1"}"#),
                Some("2")
            );
        }
        observe(HTTP_DURATION, &[("kind", "t1")], 0.007);
        observe(HTTP_DURATION, &[("kind", "t1")], 30.0);
        let text = render();
        assert_eq!(
            series(
                &text,
                r#"courrier_smtp_refused_total{listener="t1",command="rcpt",status="5.1.1"}"#
            ),
            Some("2")
        );
        assert_eq!(series(&text, "courrier_queue_depth"), Some("3"));
        assert_eq!(
            series(&text, r#"courrier_connections_open{listener="t1"}"#),
            Some("0")
        );
        // Buckets are cumulative; +Inf counts everything.
        let bucket = |le: &str| {
            series(
                &text,
                &format!(r#"courrier_http_request_duration_seconds_bucket{{kind="t1",le="{le}"}}"#),
            )
        };
        assert_eq!(bucket("0.005"), Some("0"));
        assert_eq!(bucket("0.01"), Some("1"));
        assert_eq!(bucket("10"), Some("1"));
        assert_eq!(bucket("+Inf"), Some("2"));
        assert_eq!(
            series(
                &text,
                r#"courrier_http_request_duration_seconds_count{kind="t1"}"#
            ),
            Some("2")
        );
        // Every family is declared once, even without series.
        for (name, kind, _) in FAMILIES {
            assert_eq!(
                text.matches(&format!("# TYPE {name} {}\n", kind.as_str()))
                    .count(),
                1
            );
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), r#"a\"b\\c\nd"#);
    }
}
