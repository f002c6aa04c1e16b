//! The automatic responder (DESIGN §2 rule 7, RFC 3834): whether to answer a message, and the
//! answer itself. Pure: the store runs it inside the delivery transaction.

use super::headers::{addresses, first};
use super::mailtime::rfc5322;

/// Who was answered is kept this long, so the reply interval is at most this long too.
pub const LOG_DAYS: i32 = 30;
/// The default interval: the RaQ answered each sender once a week.
pub const DEFAULT_INTERVAL_DAYS: i32 = 7;

/// The user's responder settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Responder {
    pub enabled: bool,
    pub subject: String,
    pub body: String,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub interval_days: i32,
}

/// Why no answer is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    Disabled,
    NotStarted,
    Ended,
    /// `MAIL FROM:<>`: bounces and other automatic mail (RFC 3834 §2).
    NullSender,
    /// `Auto-Submitted` other than `no` (RFC 3834 §2, §5).
    AutoSubmitted,
    /// `List-*` fields or `Precedence: bulk/list/junk`.
    ListOrBulk,
    /// mailer-daemon, owner-*, *-request (RFC 3834 §2).
    SystemSender,
    /// The sender is the user.
    OwnAddress,
    /// None of the user's addresses is in To or Cc (RFC 3834 §2).
    NotAddressed,
    /// Already answered within the interval.
    Recently,
}

/// Decides whether `fields` (the message's header fields) from envelope sender `sender` gets
/// an automatic answer. `own` are the user's addresses, lower case; `last` when this sender
/// was last answered.
pub fn decide(
    r: &Responder,
    sender: &str,
    fields: &[(String, String)],
    own: &[String],
    last: Option<i64>,
    now: i64,
) -> Result<(), Skip> {
    if !r.enabled {
        return Err(Skip::Disabled);
    }
    if r.start.is_some_and(|s| now < s) {
        return Err(Skip::NotStarted);
    }
    if r.end.is_some_and(|e| now >= e) {
        return Err(Skip::Ended);
    }
    let sender = sender.trim().to_lowercase();
    if sender.is_empty() {
        return Err(Skip::NullSender);
    }
    if first(fields, "auto-submitted").is_some_and(|v| !v.trim().eq_ignore_ascii_case("no")) {
        return Err(Skip::AutoSubmitted);
    }
    let bulk = first(fields, "precedence").is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "bulk" | "list" | "junk"
        )
    });
    if bulk || fields.iter().any(|(k, _)| k.starts_with("list-")) {
        return Err(Skip::ListOrBulk);
    }
    let local = sender.rsplit_once('@').map(|(l, _)| l).unwrap_or(&sender);
    if local == "mailer-daemon" || local.starts_with("owner-") || local.ends_with("-request") {
        return Err(Skip::SystemSender);
    }
    if own.contains(&sender) {
        return Err(Skip::OwnAddress);
    }
    let addressed = fields
        .iter()
        .filter(|(k, _)| k == "to" || k == "cc")
        .flat_map(|(_, v)| addresses(v))
        .any(|a| own.contains(&a));
    if !addressed {
        return Err(Skip::NotAddressed);
    }
    let interval = i64::from(r.interval_days.max(1)) * 86_400;
    if last.is_some_and(|t| now - t < interval) {
        return Err(Skip::Recently);
    }
    Ok(())
}

/// The answer (RFC 3834 §3): from the user's address to the sender, `Auto-Submitted:
/// auto-replied`, threaded with `In-Reply-To`/`References`, UTF-8 text in quoted-printable and
/// an RFC 2047 subject. Sent with the null envelope sender (the caller's job).
pub fn compose(
    r: &Responder,
    from: &str,
    to: &str,
    fields: &[(String, String)],
    message_id: &str,
    now: i64,
) -> Vec<u8> {
    let original_subject = first(fields, "subject").unwrap_or_default();
    let subject = if r.subject.trim().is_empty() {
        format!("Auto: {original_subject}")
    } else {
        r.subject.trim().to_string()
    };
    let mut h = String::new();
    h.push_str(&format!("From: <{from}>\r\nTo: <{to}>\r\n"));
    h.push_str(&format!("Subject: {}\r\n", encode_word(&subject)));
    h.push_str(&format!(
        "Date: {}\r\nMessage-ID: <{message_id}>\r\n",
        rfc5322(now)
    ));
    if let Some(id) = first(fields, "message-id") {
        h.push_str(&format!("In-Reply-To: {id}\r\n"));
        let refs = first(fields, "references")
            .map(|r| format!("{r} {id}"))
            .unwrap_or(id);
        h.push_str(&format!("References: {refs}\r\n"));
    }
    h.push_str("Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n");
    h.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n");
    h.push_str("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    let mut out = h.into_bytes();
    out.extend_from_slice(quoted_printable(&r.body).as_bytes());
    out
}

/// RFC 2047 encoded words (`=?UTF-8?B?…?=`) when the text is not plain ASCII.
pub fn encode_word(text: &str) -> String {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.to_string();
    }
    // Each word ≤ 75 characters: 45 bytes of UTF-8 at most, cut on character boundaries.
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        s.push(T[(n >> 18) as usize & 63] as char);
        s.push(T[(n >> 12) as usize & 63] as char);
        s.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        s.push(if c.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    s
}

/// Quoted-printable (RFC 2045 §6.7) with CRLF line ends and soft breaks under 76 characters.
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    let normalised = text.replace("\r\n", "\n");
    for line in normalised.split('\n') {
        let bytes = line.as_bytes();
        let mut len = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let enc = if (b == b' ' || b == b'\t') && !last || (33..=126).contains(&b) && b != b'='
            {
                (b as char).to_string()
            } else {
                format!("={b:02X}")
            };
            if len + enc.len() > 75 {
                out.push_str("=\r\n");
                len = 0;
            }
            len += enc.len();
            out.push_str(&enc);
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::headers::fields;
    use super::*;

    const NOW: i64 = 1_795_740_000;

    fn on() -> Responder {
        Responder {
            enabled: true,
            subject: "Absent".into(),
            body: "Je suis absent.".into(),
            interval_days: 7,
            ..Default::default()
        }
    }

    fn own() -> Vec<String> {
        vec![
            "pmartin@votredomaine.com".into(),
            "info@votredomaine.com".into(),
        ]
    }

    fn check(headers: &str, sender: &str, last: Option<i64>) -> Result<(), Skip> {
        decide(
            &on(),
            sender,
            &fields(format!("{headers}\r\n\r\nbody").as_bytes()),
            &own(),
            last,
            NOW,
        )
    }

    #[test]
    fn the_rfc_3834_table() {
        let to = "To: Pierre <pmartin@votredomaine.com>";
        assert_eq!(check(to, "alice@example.org", None), Ok(()));
        assert_eq!(
            check("Cc: info@votredomaine.com", "alice@example.org", None),
            Ok(())
        );
        assert_eq!(check(to, "", None), Err(Skip::NullSender));
        assert_eq!(
            check(
                &format!("{to}\r\nAuto-Submitted: auto-generated"),
                "a@example.org",
                None
            ),
            Err(Skip::AutoSubmitted)
        );
        assert_eq!(
            check(
                &format!("{to}\r\nAuto-Submitted: auto-replied"),
                "a@example.org",
                None
            ),
            Err(Skip::AutoSubmitted)
        );
        assert_eq!(
            check(
                &format!("{to}\r\nAuto-Submitted: No"),
                "a@example.org",
                None
            ),
            Ok(())
        );
        assert_eq!(
            check(
                &format!("{to}\r\nList-Id: <l.example.org>"),
                "a@example.org",
                None
            ),
            Err(Skip::ListOrBulk)
        );
        assert_eq!(
            check(
                &format!("{to}\r\nList-Unsubscribe: <mailto:x@y>"),
                "a@example.org",
                None
            ),
            Err(Skip::ListOrBulk)
        );
        for p in ["bulk", "list", "junk", "Bulk"] {
            assert_eq!(
                check(&format!("{to}\r\nPrecedence: {p}"), "a@example.org", None),
                Err(Skip::ListOrBulk)
            );
        }
        for s in [
            "MAILER-DAEMON@example.org",
            "owner-list@example.org",
            "list-request@example.org",
        ] {
            assert_eq!(check(to, s, None), Err(Skip::SystemSender), "{s}");
        }
        assert_eq!(
            check(to, "PMartin@votredomaine.com", None),
            Err(Skip::OwnAddress)
        );
        assert_eq!(
            check("To: someone@else.example", "a@example.org", None),
            Err(Skip::NotAddressed)
        );
        assert_eq!(
            check("Bcc: pmartin@votredomaine.com", "a@example.org", None),
            Err(Skip::NotAddressed)
        );
        assert_eq!(
            check(to, "a@example.org", Some(NOW - 86_400)),
            Err(Skip::Recently)
        );
        assert_eq!(check(to, "a@example.org", Some(NOW - 8 * 86_400)), Ok(()));
    }

    #[test]
    fn dates_switch_it_on_and_off() {
        let f = fields(b"To: pmartin@votredomaine.com\r\n\r\n");
        let mut r = on();
        r.start = Some(NOW + 10);
        assert_eq!(
            decide(&r, "a@b.example", &f, &own(), None, NOW),
            Err(Skip::NotStarted)
        );
        r.start = Some(NOW - 10);
        r.end = Some(NOW);
        assert_eq!(
            decide(&r, "a@b.example", &f, &own(), None, NOW),
            Err(Skip::Ended)
        );
        r.end = Some(NOW + 1);
        assert_eq!(decide(&r, "a@b.example", &f, &own(), None, NOW), Ok(()));
        r.enabled = false;
        assert_eq!(
            decide(&r, "a@b.example", &f, &own(), None, NOW),
            Err(Skip::Disabled)
        );
    }

    #[test]
    fn the_answer() {
        let f =
            fields(b"Subject: Devis\r\nMessage-ID: <abc@example.org>\r\nReferences: <x@y>\r\n\r\n");
        let r = Responder {
            subject: "Absent jusqu'au 2 décembre".into(),
            body: "Bonjour,\nje suis absent = en congé.".into(),
            ..on()
        };
        let m = String::from_utf8(compose(
            &r,
            "pmartin@votredomaine.com",
            "alice@example.org",
            &f,
            "id1@mx",
            NOW,
        ))
        .unwrap();
        assert!(m.contains("From: <pmartin@votredomaine.com>\r\nTo: <alice@example.org>\r\n"));
        assert!(m.contains("Subject: =?UTF-8?B?"), "{m}");
        assert!(
            m.contains("In-Reply-To: <abc@example.org>\r\nReferences: <x@y> <abc@example.org>\r\n")
        );
        assert!(m.contains("Auto-Submitted: auto-replied\r\n"));
        assert!(
            m.ends_with("Bonjour,\r\nje suis absent =3D en cong=C3=A9.\r\n"),
            "{m}"
        );
        assert!(m.lines().all(|l| l.len() <= 78));
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64("é".as_bytes()), "w6k=");
        let long = quoted_printable(&"é".repeat(60));
        assert!(long.lines().all(|l| l.len() <= 76), "{long}");
    }
}
