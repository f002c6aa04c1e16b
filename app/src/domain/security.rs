//! Securing and recovering an account (issue 16), the pure rules: the doors people sign in
//! at, the shapes of the secrets the server makes (app passwords, recovery codes, one-time
//! codes as typed), what a web session's browser is called, and the problems a form can have.
//! The TOTP arithmetic itself (RFC 6238) is `auth::totp`, on the server.

use crate::i18n::Lang;

/// Where a sign-in happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    Web,
    Pop3,
    Submission,
}

impl Door {
    pub fn as_str(self) -> &'static str {
        match self {
            Door::Web => "web",
            Door::Pop3 => "pop3",
            Door::Submission => "submission",
        }
    }

    pub fn parse(s: &str) -> Option<Door> {
        [Door::Web, Door::Pop3, Door::Submission]
            .into_iter()
            .find(|d| d.as_str() == s)
    }

    /// Whether a mail program knocks here (where app passwords serve, and where the main
    /// password is refused once two-factor sign-in is on).
    pub fn is_mail(self) -> bool {
        !matches!(self, Door::Web)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Door::Web => lang.pick("Site web", "Website"),
            Door::Pop3 => lang.pick("Relève (POP3)", "Collecting (POP3)"),
            Door::Submission => lang.pick("Envoi (SMTP)", "Sending (SMTP)"),
        }
    }
}

/// What was typed to sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Password,
    AppPassword,
    /// The six digits of the authenticator app, after the password.
    Code,
    RecoveryCode,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Password => "password",
            Method::AppPassword => "app_password",
            Method::Code => "code",
            Method::RecoveryCode => "recovery_code",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        [
            Method::Password,
            Method::AppPassword,
            Method::Code,
            Method::RecoveryCode,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Method::Password => lang.pick("mot de passe", "password"),
            Method::AppPassword => lang.pick("mot de passe d'application", "app password"),
            Method::Code => lang.pick("code à usage unique", "one-time code"),
            Method::RecoveryCode => lang.pick("code de secours", "recovery code"),
        }
    }
}

/// Letters of app passwords: lower case, without l (read as 1 or I).
const APP_ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
/// Letters of an app password (4 groups of 4, about 74 bits).
pub const APP_PASSWORD_LETTERS: usize = 16;
/// Symbols of recovery codes: no 0/o, 1/l/i (about 50 bits for 10).
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
pub const RECOVERY_CODE_LEN: usize = 10;
/// Recovery codes given at once.
pub const RECOVERY_CODES: usize = 10;
/// App passwords an account may hold.
pub const MAX_APP_PASSWORDS: usize = 20;
/// Longest name of an app password.
pub const MAX_APP_NAME: usize = 60;
/// Sign-ins shown.
pub const SIGN_INS_SHOWN: u64 = 50;
/// Days sign-ins are kept.
pub const SIGN_INS_KEPT_DAYS: i64 = 90;

/// `n` symbols of `alphabet` from random bytes, without bias (bytes that would favour the
/// first symbols are skipped); None when `random` runs out.
fn draw(random: &[u8], alphabet: &[u8], n: usize) -> Option<String> {
    let limit = 256 - (256 % alphabet.len());
    let out: String = random
        .iter()
        .filter(|&&b| (b as usize) < limit)
        .take(n)
        .map(|&b| alphabet[b as usize % alphabet.len()] as char)
        .collect();
    (out.len() == n).then_some(out)
}

/// `s` cut into groups of `size` joined by `-` ("abcd-efgh-…"), easier to copy by eye.
fn grouped(s: &str, size: usize) -> String {
    s.as_bytes()
        .chunks(size)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// What was typed, without the spaces and dashes people add or copy, in lower case.
fn compact(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A new app password from random bytes (`xxxx-xxxx-xxxx-xxxx`), or None if they run out.
pub fn app_password_from_random(random: &[u8]) -> Option<String> {
    draw(random, APP_ALPHABET, APP_PASSWORD_LETTERS).map(|s| grouped(&s, 4))
}

/// The app password in `typed`, in the one form its hash is made of, if it has the shape of
/// one (a mail program may show it with spaces, or the user type it in capitals).
pub fn normalise_app_password(typed: &str) -> Option<String> {
    let c = compact(typed);
    (c.len() == APP_PASSWORD_LETTERS && c.bytes().all(|b| APP_ALPHABET.contains(&b)))
        .then(|| grouped(&c, 4))
}

/// A new recovery code from random bytes (`xxxxx-xxxxx`).
pub fn recovery_code_from_random(random: &[u8]) -> Option<String> {
    draw(random, CODE_ALPHABET, RECOVERY_CODE_LEN).map(|s| grouped(&s, 5))
}

/// The recovery code in `typed`, normalised, if it has the shape of one.
pub fn normalise_recovery_code(typed: &str) -> Option<String> {
    let c = compact(typed);
    (c.len() == RECOVERY_CODE_LEN && c.bytes().all(|b| CODE_ALPHABET.contains(&b)))
        .then(|| grouped(&c, 5))
}

/// The six digits of a one-time code as typed ("123 456" too), if that is what it is.
pub fn normalise_totp_code(typed: &str) -> Option<String> {
    let c = compact(typed);
    (c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())).then_some(c)
}

/// How a mail session signed in: it stands while that credential does (an app password
/// revoked or past its end, or two-step sign-in turned on for a main password, ends it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    MainPassword,
    /// The id of the app password.
    AppPassword(i64),
}

/// Wrong one-time codes an account takes in [`CODE_WINDOW_SECS`], from anywhere, before its
/// second step is refused until the window ends.
pub const MAX_CODE_FAILURES: i32 = 10;
pub const CODE_WINDOW_SECS: i64 = 15 * 60;
/// Wrong codes one half-finished sign-in takes before the password must be typed again.
pub const CODE_TRIES_PER_SIGN_IN: i64 = 5;

/// What the second step of a sign-in was given: a one-time code or a recovery code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondStep {
    Code(String),
    Recovery(String),
}

impl SecondStep {
    pub fn parse(typed: &str) -> Option<SecondStep> {
        normalise_totp_code(typed)
            .map(SecondStep::Code)
            .or_else(|| normalise_recovery_code(typed).map(SecondStep::Recovery))
    }
}

/// How long an app password lasts, as chosen in the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifetime {
    Forever,
    Days(u32),
}

impl Lifetime {
    /// The choices offered, as the form writes them.
    pub const CHOICES: [&'static str; 4] = ["never", "30", "90", "365"];

    pub fn parse(s: &str) -> Option<Lifetime> {
        match s.trim() {
            "" | "never" => Some(Lifetime::Forever),
            "30" => Some(Lifetime::Days(30)),
            "90" => Some(Lifetime::Days(90)),
            "365" => Some(Lifetime::Days(365)),
            _ => None,
        }
    }

    pub fn expires_at(self, now: i64) -> Option<i64> {
        match self {
            Lifetime::Forever => None,
            Lifetime::Days(d) => Some(now + i64::from(d) * 86_400),
        }
    }

    pub fn label(choice: &str, lang: Lang) -> &'static str {
        match choice {
            "30" => lang.pick("30 jours", "30 days"),
            "90" => lang.pick("90 jours", "90 days"),
            "365" => lang.pick("un an", "one year"),
            _ => lang.pick("jamais", "never"),
        }
    }
}

/// What a security form can get wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityProblem {
    AppNameEmpty,
    AppNameTooLong,
    /// Neither POP3 nor submission ticked.
    NoScope,
    BadLifetime,
    TooManyAppPasswords,
    AppPasswordNotFound,
    /// The one-time code typed is not the app's current one (or was used already).
    WrongCode,
    /// Two-factor sign-in is already on (enrolling again is refused).
    AlreadyOn,
    NotOn,
    /// The enrolment's secret is gone (page too old): start again.
    EnrolmentExpired,
    /// The recovery address is not an address, or is in the account's own domain.
    RecoveryAddress,
    /// The confirmation code of the recovery address is wrong or expired.
    WrongConfirmation,
    /// A confirmation code was sent less than a minute ago.
    TooSoon,
    /// Five confirmation codes were sent today already.
    TooManyCodes,
    /// A password-reset link that is unknown, used or past its hour.
    ResetLinkInvalid,
}

impl SecurityProblem {
    pub fn field(&self) -> &'static str {
        use SecurityProblem::*;
        match self {
            AppNameEmpty | AppNameTooLong | TooManyAppPasswords => "name",
            NoScope => "pop3",
            BadLifetime => "lifetime",
            AppPasswordNotFound => "id",
            WrongCode | AlreadyOn | NotOn | EnrolmentExpired => "code",
            RecoveryAddress | TooSoon | TooManyCodes => "address",
            WrongConfirmation => "confirmation",
            ResetLinkInvalid => "token",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use SecurityProblem::*;
        match (self, lang) {
            (AppNameEmpty, l) => l
                .pick(
                    "Donnez-lui un nom qui dit quel logiciel s'en sert (« Thunderbird à la maison »).",
                    "Give it a name that says which program uses it (\"Thunderbird at home\").",
                )
                .into(),
            (AppNameTooLong, Lang::Fr) => format!("Le nom tient en {MAX_APP_NAME} caractères."),
            (AppNameTooLong, Lang::En) => format!("The name fits in {MAX_APP_NAME} characters."),
            (NoScope, l) => l
                .pick(
                    "Cochez au moins la relève ou l'envoi.",
                    "Tick collecting, sending, or both.",
                )
                .into(),
            (BadLifetime, l) => l
                .pick("Cette durée n'est pas proposée.", "That lifetime is not offered.")
                .into(),
            (TooManyAppPasswords, Lang::Fr) => format!(
                "{MAX_APP_PASSWORDS} mots de passe d'application au plus : supprimez ceux qui ne servent plus."
            ),
            (TooManyAppPasswords, Lang::En) => format!(
                "{MAX_APP_PASSWORDS} app passwords at most: revoke those no longer used."
            ),
            (AppPasswordNotFound, l) => l
                .pick(
                    "Ce mot de passe d'application n'existe plus.",
                    "That app password no longer exists.",
                )
                .into(),
            (WrongCode, l) => l
                .pick(
                    "Ce code n'est pas le bon, ou il a déjà servi : tapez celui que l'application affiche maintenant.",
                    "That code is not right, or was used already: type the one the app shows now.",
                )
                .into(),
            (AlreadyOn, l) => l
                .pick(
                    "La validation en deux étapes est déjà activée.",
                    "Two-step sign-in is already on.",
                )
                .into(),
            (NotOn, l) => l
                .pick(
                    "La validation en deux étapes n'est pas activée.",
                    "Two-step sign-in is not on.",
                )
                .into(),
            (EnrolmentExpired, l) => l
                .pick(
                    "Cette page est trop ancienne : recommencez l'activation.",
                    "This page is too old: start the set-up again.",
                )
                .into(),
            (RecoveryAddress, l) => l
                .pick(
                    "Une adresse e-mail complète, hors de votre domaine (sinon elle ne vous servira pas si vous perdez l'accès).",
                    "A complete e-mail address outside your domain (otherwise it is no help if you lose access).",
                )
                .into(),
            (WrongConfirmation, l) => l
                .pick(
                    "Ce code de confirmation n'est pas le bon, ou il a expiré : demandez-en un nouveau.",
                    "That confirmation code is not right, or has expired: ask for a new one.",
                )
                .into(),
            (TooSoon, l) => l
                .pick(
                    "Un code vient d'être envoyé : attendez une minute avant d'en demander un autre.",
                    "A code was just sent: wait a minute before asking for another.",
                )
                .into(),
            (TooManyCodes, l) => l
                .pick(
                    "Cinq codes ont déjà été envoyés aujourd'hui : réessayez demain.",
                    "Five codes were already sent today: try again tomorrow.",
                )
                .into(),
            (ResetLinkInvalid, l) => l
                .pick(
                    "Ce lien ne sert plus : il a déjà servi ou il a expiré. Demandez-en un nouveau.",
                    "This link no longer works: it was used or has expired. Ask for a new one.",
                )
                .into(),
        }
    }
}

/// The name of an app password, trimmed, if it is acceptable.
pub fn check_app_name(name: &str) -> Result<String, SecurityProblem> {
    let name = name.trim();
    if name.is_empty() {
        Err(SecurityProblem::AppNameEmpty)
    } else if name.chars().count() > MAX_APP_NAME {
        Err(SecurityProblem::AppNameTooLong)
    } else {
        // One line of printable text: it is shown on pages and written in the log.
        Ok(name
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect())
    }
}

/// A recovery address: a plain address, not in the account's own domain (DESIGN: it is the
/// way back when the mailbox itself cannot be reached).
pub fn check_recovery_address(typed: &str, own_domain: &str) -> Result<String, SecurityProblem> {
    let a = typed.trim().to_ascii_lowercase();
    let (local, domain) = a.rsplit_once('@').ok_or(SecurityProblem::RecoveryAddress)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
    let domain_ok = crate::domain::DomainName::parse(domain).is_ok() && domain.contains('.');
    let own = domain == own_domain || domain.ends_with(&format!(".{own_domain}"));
    if local_ok && domain_ok && !own {
        Ok(a)
    } else {
        Err(SecurityProblem::RecoveryAddress)
    }
}

/// What a browser's `User-Agent` says it is, in a few words ("Firefox · Android").
pub fn device_of(user_agent: &str, lang: Lang) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        "Opera"
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("CriOS/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.starts_with("curl/") {
        "curl"
    } else {
        ""
    };
    let system = if ua.contains("iPhone") {
        "iPhone"
    } else if ua.contains("iPad") {
        "iPad"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "Mac"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    match (browser, system) {
        ("", "") => lang
            .pick("Navigateur inconnu", "Unknown browser")
            .to_string(),
        (b, "") => b.to_string(),
        ("", s) => s.to_string(),
        (b, s) => format!("{b} · {s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_passwords_have_one_form() {
        let p = app_password_from_random(&[7u8; 64]).unwrap();
        assert_eq!(p.len(), 19);
        assert_eq!(normalise_app_password(&p), Some(p.clone()));
        let spaced = p.replace('-', " ").to_uppercase();
        assert_eq!(normalise_app_password(&spaced), Some(p));
        // A main password is not taken for one.
        assert_eq!(normalise_app_password("Le chat dort"), None);
        assert_eq!(normalise_app_password("abcd-efgh-ijkl-mnol"), None, "no l");
        assert!(
            app_password_from_random(&[255u8; 64]).is_none(),
            "biased bytes skipped"
        );
    }

    #[test]
    fn codes_as_typed() {
        assert_eq!(normalise_totp_code(" 123 456 "), Some("123456".into()));
        assert_eq!(normalise_totp_code("12345"), None);
        assert_eq!(normalise_totp_code("12345a"), None);
        let r = recovery_code_from_random(&(0u8..64).collect::<Vec<_>>()).unwrap();
        assert_eq!(r.len(), 11);
        assert_eq!(
            SecondStep::parse(&r.to_uppercase().replace('-', "")),
            Some(SecondStep::Recovery(r))
        );
        assert_eq!(
            SecondStep::parse("654 321"),
            Some(SecondStep::Code("654321".into()))
        );
        assert_eq!(SecondStep::parse("nope"), None);
    }

    #[test]
    fn names_and_lifetimes() {
        assert_eq!(check_app_name("  Thunderbird  "), Ok("Thunderbird".into()));
        assert_eq!(check_app_name(" "), Err(SecurityProblem::AppNameEmpty));
        assert_eq!(
            check_app_name(&"x".repeat(61)),
            Err(SecurityProblem::AppNameTooLong)
        );
        assert_eq!(check_app_name("a\nb"), Ok("a b".into()));
        assert_eq!(Lifetime::parse("never"), Some(Lifetime::Forever));
        assert_eq!(
            Lifetime::parse("90").unwrap().expires_at(0),
            Some(90 * 86_400)
        );
        assert_eq!(Lifetime::parse("7"), None);
    }

    #[test]
    fn recovery_addresses_are_elsewhere() {
        let own = "votredomaine.com";
        assert_eq!(
            check_recovery_address(" Pierre@Example.NET ", own),
            Ok("pierre@example.net".into())
        );
        for bad in [
            "pierre@votredomaine.com",
            "p@mail.votredomaine.com",
            "pierre",
            "@example.net",
            "pierre@localhost",
            "a b@example.net",
        ] {
            assert_eq!(
                check_recovery_address(bad, own),
                Err(SecurityProblem::RecoveryAddress),
                "{bad}"
            );
        }
    }

    #[test]
    fn devices() {
        let l = Lang::En;
        let firefox_android =
            "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0";
        assert_eq!(device_of(firefox_android, l), "Firefox · Android");
        let safari_iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(device_of(safari_iphone, l), "Safari · iPhone");
        let chrome_linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36 Chrome/131.0";
        assert_eq!(device_of(chrome_linux, l), "Chrome · Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0";
        assert_eq!(device_of(edge, l), "Edge · Windows");
        assert_eq!(device_of("curl/8.5.0", l), "curl");
        assert_eq!(device_of("", Lang::Fr), "Navigateur inconnu");
    }

    #[test]
    fn doors_and_methods_round_trip() {
        for d in [Door::Web, Door::Pop3, Door::Submission] {
            assert_eq!(Door::parse(d.as_str()), Some(d));
        }
        assert!(Door::Pop3.is_mail() && !Door::Web.is_mail());
        for m in [
            Method::Password,
            Method::AppPassword,
            Method::Code,
            Method::RecoveryCode,
        ] {
            assert_eq!(Method::parse(m.as_str()), Some(m));
        }
    }
}
