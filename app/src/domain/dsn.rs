//! Bounces: delivery status notifications (RFC 3464) in a `multipart/report` (RFC 6522), sent
//! to the envelope sender of a message that could not be delivered — never to `<>` (the
//! caller's rule), with the null envelope sender themselves so that they are never bounced.

use super::headers::header_section;
use super::mailtime::rfc5322;

/// What failed, for whom.
pub struct Failure<'a> {
    /// The name of this server (Reporting-MTA).
    pub reporting_mta: &'a str,
    /// The envelope sender, who receives the bounce.
    pub to: &'a str,
    pub recipient: &'a str,
    /// The last answer, e.g. "550 5.7.1 We do not want it (from 192.0.2.1:25)".
    pub answer: &'a str,
    /// When the message was queued.
    pub arrival: i64,
    /// The message as it was queued (its header section goes back to the sender).
    pub original: &'a [u8],
}

/// The RFC 3463 status in an answer ("550 5.7.1 …" → "5.7.1"); otherwise one from the reply
/// code's class ("5.0.0", "4.0.0"); a connection failure that outlived the queue gives 4.4.1.
pub fn status_of(answer: &str) -> String {
    let mut words = answer.split_whitespace();
    let code = words.next().unwrap_or("");
    if let Some(esc) = words.next()
        && esc.split('.').count() == 3
        && esc
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && (esc.starts_with("4.") || esc.starts_with("5."))
    {
        return esc.to_string();
    }
    match code.as_bytes().first() {
        Some(b'5') if code.len() == 3 => "5.0.0".into(),
        Some(b'4') if code.len() == 3 => "4.0.0".into(),
        _ => "4.4.1".into(),
    }
}

/// The bounce message, ready to queue from `<>` to `failure.to`, written by mail-builder.
pub fn compose(f: &Failure<'_>, message_id: &str, boundary: &str, now: i64) -> Vec<u8> {
    use mail_builder::MessageBuilder;
    use mail_builder::headers::address::Address;
    use mail_builder::headers::content_type::ContentType;
    use mail_builder::headers::raw::Raw;
    use mail_builder::mime::MimePart;
    // The remote answer is one line wherever it goes: a multi-line answer (or a hostile one)
    // must not add fields to the report.
    let answer = super::responder::one_line(f.answer);
    let status = status_of(&answer);
    let human = format!(
        "Ceci est le serveur de messagerie {mta}.\r\n\
         Votre message n'a pas pu être remis à {rcpt}.\r\n\
         Réponse du serveur du destinataire : {answer}\r\n\
         \r\n\
         This is the mail server at {mta}.\r\n\
         Your message could not be delivered to {rcpt}.\r\n\
         The recipient's server answered: {answer}\r\n",
        mta = f.reporting_mta,
        rcpt = f.recipient,
    );
    let diagnostic = if answer.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        format!("smtp; {answer}")
    } else {
        format!("X-courrier; {answer}")
    };
    // RFC 3464 §2.1: per-message fields, a blank line, then per-recipient fields.
    let fields = format!(
        "Reporting-MTA: dns; {mta}\r\n\
         Arrival-Date: {arrival}\r\n\
         \r\n\
         Final-Recipient: rfc822; {rcpt}\r\n\
         Action: failed\r\n\
         Status: {status}\r\n\
         Diagnostic-Code: {diagnostic}\r\n",
        mta = f.reporting_mta,
        arrival = rfc5322(f.arrival),
        rcpt = f.recipient,
    );
    let mut headers = header_section(f.original).to_vec();
    if !headers.ends_with(b"\r\n") {
        headers.extend_from_slice(b"\r\n");
    }
    // message/* parts take no transfer encoding but 7bit or 8bit (RFC 2046 §5.2.1).
    let bits = |b: &[u8]| if b.is_ascii() { "7bit" } else { "8bit" };
    let (fields_bits, headers_bits) = (bits(fields.as_bytes()), bits(&headers));
    let report = MimePart::new(
        ContentType::new("multipart/report")
            .attribute("report-type", "delivery-status")
            .attribute("boundary", boundary),
        vec![
            MimePart::new(
                ContentType::new("text/plain").attribute("charset", "utf-8"),
                human,
            ),
            MimePart::new("message/delivery-status", fields).transfer_encoding(fields_bits),
            MimePart::new("text/rfc822-headers", headers).transfer_encoding(headers_bits),
        ],
    );
    MessageBuilder::new()
        .from((
            "Mail Delivery System",
            format!("MAILER-DAEMON@{}", f.reporting_mta).as_str(),
        ))
        .to(Address::new_address(None::<&str>, f.to))
        .subject("Non remis / Undelivered Mail Returned to Sender")
        .date(now)
        .message_id(message_id)
        .header("Auto-Submitted", Raw::new("auto-replied"))
        .body(report)
        .write_to_vec()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(
            status_of("550 5.7.1 We do not want it (from h:25)"),
            "5.7.1"
        );
        assert_eq!(status_of("554 no thanks"), "5.0.0");
        assert_eq!(status_of("452 4.2.2 full"), "4.2.2");
        assert_eq!(status_of("451 try later"), "4.0.0");
        assert_eq!(
            status_of("gave up after 9 attempts: connection refused"),
            "4.4.1"
        );
        assert_eq!(status_of("550 5.x.1 odd"), "5.0.0");
    }

    #[test]
    fn a_report_with_the_three_parts() {
        let original = b"Subject: Bonjour\r\nFrom: a@sender.example\r\n\r\nsecret body\r\n";
        let f = Failure {
            reporting_mta: "mail.votredomaine.com",
            to: "a@sender.example",
            recipient: "boss@hostile.example",
            answer: "550 5.7.1 We do not want it",
            arrival: 0,
            original,
        };
        let m =
            String::from_utf8(compose(&f, "id@mail.votredomaine.com", "BOUNDARY", 86400)).unwrap();
        assert!(
            m.contains("Content-Type: multipart/report; report-type=\"delivery-status\"")
                || m.contains("Content-Type: multipart/report; report-type=delivery-status"),
            "{m}"
        );
        assert!(m.contains("To: <a@sender.example>\r\n"));
        assert!(m.contains("Auto-Submitted: auto-replied\r\n"));
        assert!(m.contains("Final-Recipient: rfc822; boss@hostile.example\r\n"));
        assert!(m.contains("Action: failed\r\nStatus: 5.7.1\r\n"));
        assert!(m.contains("Diagnostic-Code: smtp; 550 5.7.1 We do not want it\r\n"));
        assert!(m.contains("Content-Type: text/rfc822-headers\r\n"), "{m}");
        assert!(
            m.contains("\r\n\r\nSubject: Bonjour\r\nFrom: a@sender.example\r\n"),
            "{m}"
        );
        assert!(!m.contains("secret body"), "only the header goes back");
        assert!(m.trim_end().ends_with("--BOUNDARY--"), "{m}");
        assert!(!m.replace("\r\n", "").contains('\n'), "CRLF line ends only");
    }

    #[test]
    fn a_remote_answer_cannot_add_fields() {
        let f = Failure {
            reporting_mta: "mail.votredomaine.com",
            to: "a@sender.example",
            recipient: "boss@hostile.example",
            answer: "550 no\r\nBcc: spy@hostile.example\r\nAction: delivered",
            arrival: 0,
            original: b"Subject: x\r\n\r\n",
        };
        let m = String::from_utf8(compose(&f, "id@m", "B", 0)).unwrap();
        let head = m.split("\r\n\r\n").next().unwrap();
        assert!(!head.contains("Bcc"), "{m}");
        let report = m.split("message/delivery-status").nth(1).unwrap();
        let report = report.split("--B").next().unwrap();
        let fields: Vec<&str> = report
            .lines()
            .filter(|l| l.starts_with("Action:") || l.starts_with("Bcc:"))
            .collect();
        assert_eq!(fields, ["Action: failed"], "{m}");
        assert!(m.contains(
            "Diagnostic-Code: smtp; 550 no  Bcc: spy@hostile.example  Action: delivered\r\n"
        ));
    }
}
