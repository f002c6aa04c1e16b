//! The last answer of a queued message as the host reads it on the queue page. The queue keeps
//! the technical text (it also goes into bounces, RFC 3464 diagnostics, in English); this puts
//! courrier's own words into the reader's language and frames a remote server's answer, which
//! stays verbatim (they are that server's words).

use crate::i18n::Lang;

/// `answer` in the reader's language.
pub fn render(answer: &str, lang: Lang) -> String {
    if lang == Lang::En || answer.is_empty() {
        return answer.to_string();
    }
    if let Some(rest) = answer.strip_prefix("gave up after ")
        && let Some((n, last)) = rest.split_once(" attempts: ")
    {
        return format!("Abandon après {n} essais : {}", render(last, lang));
    }
    if let Some(rest) = answer.strip_prefix("DNS lookup of ")
        && let Some((domain, _)) = rest.split_once(" failed")
    {
        return format!(
            "Le domaine {domain} est introuvable, ou le DNS ne répond pas : pas de serveur où le porter."
        );
    }
    if answer.starts_with("local lookup failed") || answer.starts_with("local delivery failed") {
        return "La distribution dans une boîte de ce serveur a échoué ; un nouvel essai suivra."
            .to_string();
    }
    if let Some(rest) = answer.strip_prefix("TLS setup: ") {
        let _ = rest;
        return "Le chiffrement TLS n'a pas pu être mis en place.".to_string();
    }
    if answer.ends_with("mailbox full") {
        return "La boîte du destinataire est pleine.".to_string();
    }
    if let Some(server) = answer.strip_prefix("250 accepted by ") {
        return format!("Accepté par {server}.");
    }
    // "550 5.7.1 text (from host:port)": the remote server's own words.
    if let Some((said, from)) = answer.rsplit_once(" (from ")
        && said.as_bytes().first().is_some_and(u8::is_ascii_digit)
    {
        return format!("Réponse de {} : {said}", from.trim_end_matches(')'));
    }
    // "any error (host:port)": the server could not be reached or spoken to.
    if let Some((_, at)) = answer.rsplit_once(" (")
        && let Some(at) = at.strip_suffix(')')
        && at.contains(':')
        && !at.contains(' ')
    {
        return format!(
            "Le serveur {at} est injoignable (nom introuvable, connexion refusée ou coupée) ; un nouvel essai suivra."
        );
    }
    answer.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_words_around_remote_words() {
        let fr = |a: &str| render(a, Lang::Fr);
        assert_eq!(
            fr(
                "I/O error: failed to lookup address information: Name or service not known (mx.example.net:25)"
            ),
            "Le serveur mx.example.net:25 est injoignable (nom introuvable, connexion refusée ou coupée) ; un nouvel essai suivra."
        );
        assert_eq!(
            fr("550 5.1.1 No such user (from mx.example.net:25)"),
            "Réponse de mx.example.net:25 : 550 5.1.1 No such user"
        );
        assert!(fr("DNS lookup of example.invalid failed: no record").contains("example.invalid"));
        assert!(
            fr("gave up after 12 attempts: TLS setup: bad certificate")
                .starts_with("Abandon après 12 essais : Le chiffrement TLS")
        );
        assert_eq!(render("TLS setup: x", Lang::En), "TLS setup: x");
    }
}
