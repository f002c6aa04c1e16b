//! The words of the messages about an account's security (issue 16): the code that confirms
//! a recovery address, the password-reset link, and the notice that a password was reset.
//! Subject and body in the account's language.

use crate::i18n::Lang;

/// The code that confirms `address` as `login`'s recovery address.
pub fn confirmation_code(lang: Lang, login: &str, code: &str) -> (String, String) {
    match lang {
        Lang::Fr => (
            format!("Code de confirmation : {code}"),
            format!(
                "Bonjour,\n\nCette adresse a été donnée comme adresse de secours du compte de messagerie « {login} ».\n\n\
                 Pour la confirmer, tapez ce code sur la page « Sécurité » : {code}\n\n\
                 Il sert pendant une heure. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne sera fait.\n"
            ),
        ),
        Lang::En => (
            format!("Confirmation code: {code}"),
            format!(
                "Hello,\n\nThis address was given as the recovery address of the mail account \"{login}\".\n\n\
                 To confirm it, type this code on the \"Security\" page: {code}\n\n\
                 It works for one hour. If you did not ask for this, ignore this message: nothing will be done.\n"
            ),
        ),
    }
}

/// The link that sets a new password for `login`, good for `hours`.
pub fn reset_link(
    lang: Lang,
    login: &str,
    link: &str,
    hours: i64,
    by_webmaster: bool,
) -> (String, String) {
    match lang {
        Lang::Fr => {
            let who = if by_webmaster {
                "Votre webmaster vous envoie ce lien"
            } else {
                "Quelqu'un (vous, sans doute) a demandé ce lien sur la page de connexion"
            };
            let h = if hours == 1 {
                "une heure".to_string()
            } else {
                format!("{hours} heures")
            };
            (
                "Choisir un nouveau mot de passe".to_string(),
                format!(
                    "Bonjour,\n\n{who} pour choisir un nouveau mot de passe du compte « {login} » :\n\n{link}\n\n\
                     Le lien sert une seule fois, pendant {h}. Toutes les sessions ouvertes seront fermées.\n\
                     Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.\n"
                ),
            )
        }
        Lang::En => {
            let who = if by_webmaster {
                "Your webmaster sends you this link"
            } else {
                "Someone (you, most likely) asked for this link on the sign-in page"
            };
            let h = if hours == 1 {
                "one hour".to_string()
            } else {
                format!("{hours} hours")
            };
            (
                "Choose a new password".to_string(),
                format!(
                    "Hello,\n\n{who} to choose a new password for the account \"{login}\":\n\n{link}\n\n\
                     The link works once, for {h}. Every open session will end.\n\
                     If you did not ask for anything, ignore this message: your password does not change.\n"
                ),
            )
        }
    }
}

/// The notice in the mailbox after its password was reset through a link; `app_passwords`:
/// how many app passwords still open the mail (a reset does not revoke them).
pub fn password_was_reset(lang: Lang, ip: &str, app_passwords: usize) -> (String, String) {
    let apps = match (app_passwords, lang) {
        (0, _) => String::new(),
        (n, Lang::Fr) => format!(
            "\n{n} mot(s) de passe d'application relèvent et envoient toujours : révoquez dans « Sécurité » ceux que vous ne reconnaissez pas.\n"
        ),
        (n, Lang::En) => format!(
            "\n{n} app password(s) still collect and send: revoke under \"Security\" those you do not recognise.\n"
        ),
    };
    match lang {
        Lang::Fr => (
            "Votre mot de passe a été changé".to_string(),
            format!(
                "Bonjour,\n\nLe mot de passe de votre compte vient d'être changé avec un lien de réinitialisation (depuis l'adresse {ip}). \
                 Toutes les sessions ouvertes ont été fermées ; votre logiciel de messagerie vous demandera le nouveau mot de passe.\n{apps}\n\
                 Si ce n'est pas vous, prévenez tout de suite votre webmaster.\n"
            ),
        ),
        Lang::En => (
            "Your password was changed".to_string(),
            format!(
                "Hello,\n\nYour account's password was just changed with a reset link (from the address {ip}). \
                 Every open session has ended; your mail program will ask for the new password.\n{apps}\n\
                 If this was not you, tell your webmaster at once.\n"
            ),
        ),
    }
}

/// The notice of a change to the account's security (`what`, in words), made from `ip`.
pub fn security_changed(lang: Lang, what: &str, ip: &str) -> (String, String) {
    match lang {
        Lang::Fr => (
            "Sécurité de votre compte modifiée".to_string(),
            format!(
                "Bonjour,\n\nSur votre page « Sécurité », {what} (depuis l'adresse {ip}).\n\n\
                 Si ce n'est pas vous, changez votre mot de passe et prévenez votre webmaster.\n"
            ),
        ),
        Lang::En => (
            "Your account's security was changed".to_string(),
            format!(
                "Hello,\n\nOn your \"Security\" page, {what} (from the address {ip}).\n\n\
                 If this was not you, change your password and tell your webmaster.\n"
            ),
        ),
    }
}

/// The notice that many wrong codes followed the right password: someone knows it.
pub fn codes_guessed(lang: Lang, ip: &str) -> (String, String) {
    match lang {
        Lang::Fr => (
            "Quelqu'un connaît peut-être votre mot de passe".to_string(),
            format!(
                "Bonjour,\n\nAprès votre mot de passe, juste, de nombreux codes faux ont été tapés (dernier depuis l'adresse {ip}). \
                 La validation en deux étapes a tenu, et les codes sont refusés pour un quart d'heure.\n\n\
                 Si ce n'était pas vous, changez votre mot de passe dès maintenant sur votre page personnelle.\n"
            ),
        ),
        Lang::En => (
            "Someone may know your password".to_string(),
            format!(
                "Hello,\n\nAfter your password, typed right, many wrong codes were typed (the last from the address {ip}). \
                 Two-step sign-in held, and codes are refused for a quarter of an hour.\n\n\
                 If this was not you, change your password now on your personal page.\n"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_and_the_code_are_in_the_words() {
        for lang in [Lang::Fr, Lang::En] {
            let (_, body) =
                reset_link(lang, "cdupont", "https://x/login/reset?token=abc", 1, false);
            assert!(body.contains("https://x/login/reset?token=abc"));
            let (subject, body) = confirmation_code(lang, "cdupont", "123456");
            assert!(subject.contains("123456") && body.contains("123456"));
            assert!(
                password_was_reset(lang, "192.0.2.1", 0)
                    .1
                    .contains("192.0.2.1")
            );
            assert!(password_was_reset(lang, "192.0.2.1", 2).1.contains("2 "));
            assert!(!password_was_reset(lang, "192.0.2.1", 0).1.contains("0 "));
        }
        assert!(
            reset_link(Lang::Fr, "c", "l", 24, true)
                .1
                .contains("24 heures")
        );
    }
}
