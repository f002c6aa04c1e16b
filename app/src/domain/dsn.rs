//! Bounces: delivery status notifications (RFC 3464) in a `multipart/report` (RFC 6522), sent
//! to the envelope sender of a message that could not be delivered — never to `<>` (the
//! caller's rule), with the null envelope sender themselves so that they are never bounced.

use super::headers::header_section;
use super::mailtime::rfc5322;
use super::responder::quoted_printable;

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

/// The bounce message, ready to queue from `<>` to `failure.to`.
pub fn compose(f: &Failure<'_>, message_id: &str, boundary: &str, now: i64) -> Vec<u8> {
    let status = status_of(f.answer);
    let human = format!(
        "Ceci est le serveur de messagerie {mta}.\n\
         Votre message n'a pas pu être remis à {rcpt}.\n\
         Réponse du serveur du destinataire : {answer}\n\
         \n\
         This is the mail server at {mta}.\n\
         Your message could not be delivered to {rcpt}.\n\
         The recipient's server answered: {answer}\n",
        mta = f.reporting_mta,
        rcpt = f.recipient,
        answer = f.answer,
    );
    let diagnostic = if f.answer.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        format!("smtp; {}", f.answer)
    } else {
        format!("X-courrier; {}", f.answer)
    };
    let mut out = String::new();
    out.push_str(&format!(
        "From: Mail Delivery System <MAILER-DAEMON@{mta}>\r\n\
         To: <{to}>\r\n\
         Subject: =?UTF-8?Q?Non_remis_/_Undelivered_Mail_Returned_to_Sender?=\r\n\
         Date: {date}\r\n\
         Message-ID: <{message_id}>\r\n\
         Auto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status;\r\n\
         \tboundary=\"{boundary}\"\r\n\
         \r\n\
         This is a MIME-encapsulated message.\r\n\
         \r\n\
         --{boundary}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n",
        mta = f.reporting_mta,
        to = f.to,
        date = rfc5322(now),
    ));
    out.push_str(&quoted_printable(&human));
    out.push_str(&format!(
        "\r\n--{boundary}\r\n\
         Content-Type: message/delivery-status\r\n\
         \r\n\
         Reporting-MTA: dns; {mta}\r\n\
         Arrival-Date: {arrival}\r\n\
         \r\n\
         Final-Recipient: rfc822; {rcpt}\r\n\
         Action: failed\r\n\
         Status: {status}\r\n\
         Diagnostic-Code: {diagnostic}\r\n\
         \r\n\
         --{boundary}\r\n\
         Content-Type: text/rfc822-headers\r\n\
         \r\n",
        mta = f.reporting_mta,
        arrival = rfc5322(f.arrival),
        rcpt = f.recipient,
    ));
    let mut bytes = out.into_bytes();
    let headers = header_section(f.original);
    bytes.extend_from_slice(headers);
    if !headers.ends_with(b"\r\n") {
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    bytes
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
        assert!(m.contains("Content-Type: multipart/report; report-type=delivery-status;"));
        assert!(m.contains("To: <a@sender.example>\r\n"));
        assert!(m.contains("Auto-Submitted: auto-replied\r\n"));
        assert!(m.contains("Final-Recipient: rfc822; boss@hostile.example\r\n"));
        assert!(m.contains("Action: failed\r\nStatus: 5.7.1\r\n"));
        assert!(m.contains("Diagnostic-Code: smtp; 550 5.7.1 We do not want it\r\n"));
        assert!(m.contains("Content-Type: text/rfc822-headers\r\n\r\nSubject: Bonjour\r\n"));
        assert!(!m.contains("secret body"), "only the header goes back");
        assert!(m.ends_with("\r\n--BOUNDARY--\r\n"));
        assert!(!m.replace("\r\n", "").contains('\n'), "CRLF line ends only");
    }
}
