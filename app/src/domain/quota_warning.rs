//! The quota warning a mailbox gets by mail when it reaches 80 % and again at 95 % of its
//! quota (once per level: the level is kept on the account and falls back when the mailbox is
//! emptied). Pure: the store decides and stores it inside the delivery transaction.

use crate::i18n::{Lang, format_size};

/// The warning levels, in percent of the quota.
pub const LEVELS: [i32; 2] = [80, 95];

/// The highest level `used` has reached (0 below the first, or without a quota).
pub fn level(used: i64, quota: Option<i64>) -> i32 {
    let Some(q) = quota.filter(|q| *q > 0) else {
        return 0;
    };
    LEVELS
        .iter()
        .copied()
        .filter(|l| used.saturating_mul(100) >= q.saturating_mul(*l as i64))
        .max()
        .unwrap_or(0)
}

/// The warning's subject and body for `to`, in `lang`.
pub fn text(lang: Lang, to: &str, used: i64, quota: i64) -> (String, String) {
    let pct = crate::i18n::percent_used(used, Some(quota));
    let (used_s, quota_s) = (format_size(used, lang), format_size(quota, lang));
    match lang {
        Lang::Fr => (
            format!("Votre boîte aux lettres est pleine à {pct} %"),
            format!(
                "Bonjour,\n\nVotre boîte {to} occupe {used_s} sur les {quota_s} permis ({pct} %).\n\n\
                 Quand elle sera pleine, les nouveaux messages seront refusés et renvoyés à leur \
                 expéditeur. Relevez votre courrier avec votre logiciel de messagerie (POP3), en \
                 veillant à ce qu'il ne laisse pas de copie sur le serveur, ou faites une sauvegarde \
                 depuis votre page personnelle puis videz la boîte.\n\n\
                 Ce message est envoyé une seule fois à ce niveau.\n"
            ),
        ),
        Lang::En => (
            format!("Your mailbox is {pct} % full"),
            format!(
                "Hello,\n\nYour mailbox {to} uses {used_s} of the {quota_s} allowed ({pct} %).\n\n\
                 Once it is full, new messages will be refused and returned to their senders. \
                 Collect your mail with your mail program (POP3), making sure it does not leave a \
                 copy on the server, or make a backup from your personal page and then empty the \
                 mailbox.\n\n\
                 This message is sent only once at this level.\n"
            ),
        ),
    }
}

/// The warning message for `to`, from the server's postmaster address `from`, in `lang`:
/// its subject (for the list of messages received) and its bytes.
pub fn compose(
    lang: Lang,
    from: &str,
    to: &str,
    used: i64,
    quota: i64,
    message_id: &str,
    now: i64,
) -> (String, Vec<u8>) {
    let (subject, body) = text(lang, to, used, quota);
    let raw = super::notice::compose(from, to, &subject, &body, message_id, now);
    (subject, raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level(0, None), 0);
        assert_eq!(level(10_000, None), 0);
        assert_eq!(level(79, Some(100)), 0);
        assert_eq!(level(80, Some(100)), 80);
        assert_eq!(level(94, Some(100)), 80);
        assert_eq!(level(95, Some(100)), 95);
        assert_eq!(level(150, Some(100)), 95);
        assert_eq!(level(i64::MAX, Some(i64::MAX)), 95);
    }

    #[test]
    fn the_message_is_valid_mail_in_the_users_language() {
        let (subject, m) = compose(
            Lang::En,
            "postmaster@a.example",
            "jd@a.example",
            85,
            100,
            "x@a.example",
            0,
        );
        assert_eq!(subject, "Your mailbox is 85 % full");
        let text = String::from_utf8(m.clone()).unwrap();
        assert!(text.contains("Auto-Submitted: auto-generated\r\n"));
        assert!(text.contains("Subject: Your mailbox is 85 % full\r\n"));
        assert!(
            !m.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'),
            "CRLF only"
        );
        // Only fixed fields: nothing a person typed reaches the header.
        let head = text.split("\r\n\r\n").next().unwrap();
        for line in head.lines().filter(|l| !l.starts_with([' ', '\t'])) {
            let name = line.split(':').next().unwrap().to_ascii_lowercase();
            assert!(
                [
                    "from",
                    "to",
                    "subject",
                    "date",
                    "message-id",
                    "auto-submitted",
                    "mime-version",
                    "content-type",
                    "content-transfer-encoding"
                ]
                .contains(&name.as_str()),
                "{line}"
            );
        }
        let (subject, fr) = compose(Lang::Fr, "p@a", "j@a", 96, 100, "y@a", 0);
        assert_eq!(subject, "Votre boîte aux lettres est pleine à 96 %");
        assert!(
            fr.is_ascii(),
            "the French subject and text are MIME-encoded"
        );
    }
}
