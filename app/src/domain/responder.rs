//! The automatic responder (DESIGN §2 rule 7, RFC 3834): whether to answer a message, and the
//! answer itself. Pure: the store runs it inside the delivery transaction.

use super::headers::{addresses, first};
use crate::i18n::Lang;

/// Who was answered is kept this long, so the reply interval is at most this long too.
pub const LOG_DAYS: i32 = 30;
/// The default interval: the RaQ answered each sender once a week.
pub const DEFAULT_INTERVAL_DAYS: i32 = 7;

/// The user's responder settings (also as a backup's `settings.json` carries them).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Responder {
    pub enabled: bool,
    pub subject: String,
    pub body: String,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub interval_days: i32,
}

/// Longest responder subject and text, in characters.
pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 10_000;

/// Why a responder setting is refused, with its field and its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponderProblem {
    SubjectTooLong,
    /// A line break or other control character in the subject: it would end the header and
    /// start another one (`Bcc:`…) in every reply.
    SubjectControl,
    BodyTooLong,
    /// A control character other than tab and line ends in the text.
    BodyControl,
    Interval,
    EndBeforeStart,
    /// Switched on with an end date already past: it would say it is on and answer nobody.
    EndPassed,
    NoText,
}

impl ResponderProblem {
    /// The form field the problem belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            ResponderProblem::SubjectTooLong | ResponderProblem::SubjectControl => "subject",
            ResponderProblem::BodyTooLong
            | ResponderProblem::BodyControl
            | ResponderProblem::NoText => "body",
            ResponderProblem::Interval => "interval_days",
            ResponderProblem::EndBeforeStart | ResponderProblem::EndPassed => "end",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use ResponderProblem::*;
        match (self, lang) {
            (SubjectTooLong, Lang::Fr) => {
                format!("L'objet ne peut dépasser {MAX_SUBJECT} caractères.")
            }
            (SubjectTooLong, Lang::En) => {
                format!("The subject cannot exceed {MAX_SUBJECT} characters.")
            }
            (SubjectControl, l) => l
                .pick(
                    "L'objet tient sur une ligne, sans caractère de contrôle.",
                    "The subject is one line, without control characters.",
                )
                .into(),
            (BodyTooLong, Lang::Fr) => format!("Le texte ne peut dépasser {MAX_BODY} caractères."),
            (BodyTooLong, Lang::En) => format!("The text cannot exceed {MAX_BODY} characters."),
            (BodyControl, l) => l
                .pick(
                    "Le texte contient un caractère de contrôle : retirez-le.",
                    "The text contains a control character: remove it.",
                )
                .into(),
            (Interval, Lang::Fr) => format!("L'intervalle de réponse va de 1 à {LOG_DAYS} jours."),
            (Interval, Lang::En) => format!("The reply interval is 1 to {LOG_DAYS} days."),
            (EndBeforeStart, l) => l
                .pick(
                    "La date de fin est avant la date de début.",
                    "The end date is before the start date.",
                )
                .into(),
            (EndPassed, l) => l
                .pick(
                    "Cette date de fin est déjà passée : choisissez-en une à venir, ou aucune.",
                    "This end date has already passed: choose one to come, or none.",
                )
                .into(),
            (NoText, l) => l
                .pick(
                    "Le répondeur a besoin d'un texte.",
                    "The responder needs a text.",
                )
                .into(),
        }
    }
}

impl Responder {
    /// The responder's own rules: lengths, no control characters (the subject on one line),
    /// interval, dates in order, a text when it is on.
    pub fn check(&self) -> Result<(), ResponderProblem> {
        self.problems(None).into_iter().next().map_or(Ok(()), Err)
    }

    /// Every problem of these settings at once (a form shows them all), in the order of the
    /// form; with `now`, also an end date already past for a responder being switched on.
    pub fn problems(&self, now: Option<i64>) -> Vec<ResponderProblem> {
        let mut out = Vec::new();
        if self.subject.chars().count() > MAX_SUBJECT {
            out.push(ResponderProblem::SubjectTooLong);
        }
        if self.subject.chars().any(char::is_control) {
            out.push(ResponderProblem::SubjectControl);
        }
        if text_len(&self.body) > MAX_BODY {
            out.push(ResponderProblem::BodyTooLong);
        }
        if self
            .body
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
        {
            out.push(ResponderProblem::BodyControl);
        }
        if self.enabled && self.body.trim().is_empty() {
            out.push(ResponderProblem::NoText);
        }
        if let (Some(s), Some(e)) = (self.start, self.end)
            && e < s
        {
            out.push(ResponderProblem::EndBeforeStart);
        } else if let Some(now) = now
            && self.enabled
            && self.end.is_some_and(|e| e <= now)
        {
            out.push(ResponderProblem::EndPassed);
        }
        if !(1..=LOG_DAYS).contains(&self.interval_days) {
            out.push(ResponderProblem::Interval);
        }
        out
    }

    /// [`Responder::check`], and for a responder being set now (`now`, Unix seconds): not
    /// switched on with an end date already past. (A restored backup's old responder is
    /// only checked by `check`: restored, it is simply over.)
    pub fn check_to_set(&self, now: i64) -> Result<(), ResponderProblem> {
        self.problems(Some(now))
            .into_iter()
            .next()
            .map_or(Ok(()), Err)
    }

    /// The text with every line end as CRLF (as mail carries it, RFC 5322 §2.3): a bare CR
    /// or LF typed in a form or a file becomes one.
    pub fn body_crlf(&self) -> String {
        crlf(&self.body)
    }
}

/// The length of a text as the limits count it: characters, a line end counting one however
/// it is written (typed LF, stored CRLF), so that what passed the rule once passes again.
pub fn text_len(text: &str) -> usize {
    text.chars().filter(|c| *c != '\r').count()
}

/// `text` with CRLF, lone CR and lone LF all made CRLF.
pub fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

/// One line for a header: control characters (CR, LF, NUL, tab…) become spaces, so no text
/// of a person can ever start a header of its own.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
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
/// auto-replied`, threaded with `In-Reply-To`/`References`, written by mail-builder (UTF-8
/// text in the transfer encoding it fits, RFC 2047 subject). Sent with the null envelope
/// sender (the caller's job).
#[cfg(feature = "ssr")]
pub fn compose(
    r: &Responder,
    from: &str,
    to: &str,
    fields: &[(String, String)],
    message_id: &str,
    now: i64,
) -> Vec<u8> {
    use mail_builder::MessageBuilder;
    use mail_builder::headers::address::Address;
    use mail_builder::headers::raw::Raw;
    let original_subject = first(fields, "subject").unwrap_or_default();
    // Typed headers only, and never a line break in them, whatever is stored (the rules
    // refuse one; an older row or a file may still carry it).
    let subject = if r.subject.trim().is_empty() {
        one_line(&format!("Auto: {original_subject}"))
    } else {
        one_line(r.subject.trim())
    };
    let mut m = MessageBuilder::new()
        .from(Address::new_address(None::<&str>, from))
        .to(Address::new_address(None::<&str>, to))
        .subject(subject)
        .date(now)
        .message_id(message_id)
        .header("Auto-Submitted", Raw::new("auto-replied"))
        .header("X-Auto-Response-Suppress", Raw::new("All"));
    if let Some(id) = first(fields, "message-id").and_then(|v| message_ids(&v).pop()) {
        let mut refs = first(fields, "references")
            .map(|v| message_ids(&v))
            .unwrap_or_default();
        refs.push(id.clone());
        m = m.in_reply_to(id).references(refs);
    }
    m.text_body(r.body_crlf())
        .write_to_vec()
        .unwrap_or_default()
}

/// The ids of a Message-ID, In-Reply-To or References field, without their angle brackets.
pub fn message_ids(value: &str) -> Vec<String> {
    value
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_start_matches('<').trim_end_matches('>'))
        .filter(|w| w.contains('@'))
        .map(str::to_string)
        .collect()
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
    fn an_end_already_past_is_refused_when_set() {
        let mut r = on();
        r.end = Some(1_000);
        assert_eq!(r.check(), Ok(()), "a restored old responder is only over");
        assert_eq!(r.check_to_set(2_000), Err(ResponderProblem::EndPassed));
        assert_eq!(ResponderProblem::EndPassed.field(), "end");
        assert_eq!(r.check_to_set(500), Ok(()));
        r.enabled = false;
        assert_eq!(
            r.check_to_set(2_000),
            Ok(()),
            "off, its dates do not matter"
        );
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
    #[cfg(feature = "ssr")]
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
        assert!(m.contains("From: <pmartin@votredomaine.com>\r\n"), "{m}");
        assert!(m.contains("To: <alice@example.org>\r\n"), "{m}");
        assert!(
            m.contains("Subject: =?utf-8?") || m.contains("Subject: =?UTF-8?"),
            "{m}"
        );
        assert!(m.contains("In-Reply-To: <abc@example.org>\r\n"), "{m}");
        assert!(m.contains("References: <x@y> <abc@example.org>\r\n"), "{m}");
        assert!(m.contains("Message-ID: <id1@mx>\r\n"), "{m}");
        assert!(m.contains("Auto-Submitted: auto-replied\r\n"));
        assert!(
            !m.replace("\r\n", "").contains('\n'),
            "CRLF line ends only: {m}"
        );
        assert!(m.lines().all(|l| l.len() <= 78), "{m}");
        // The text survives the transfer encoding, whichever mail-builder chose.
        let body = m.split_once("\r\n\r\n").unwrap().1;
        let decoded = if m.contains("quoted-printable") {
            qp_decode(body)
        } else {
            body.to_string()
        };
        assert!(decoded.contains("je suis absent = en congé."), "{m}");
        assert_eq!(message_ids("<a@b> <c@d>,<e@f> junk"), ["a@b", "c@d", "e@f"]);
    }

    /// Just enough quoted-printable decoding to read the test's answer back.
    fn qp_decode(s: &str) -> String {
        let s = s.replace("=\r\n", "");
        let mut out = Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }
}
