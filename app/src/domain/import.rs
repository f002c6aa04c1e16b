//! Bringing the mail of the previous host (issue 17; modoboa#487): the old mailbox is read
//! over POP3 (RFC 1939, with STLS of RFC 2595 or TLS from the start) by a background job that
//! survives restarts. These are its pure rules: where the old server is, what state a job is
//! in, what the page and the command line say about it. The job itself is the server's
//! (`server::import`), its records the store's (`store::imports`).
//!
//! Each message is taken once: by its UIDL on that old mailbox (so a job resumed after a
//! restart, or run again, skips what it already brought), and by its Message-ID among all
//! the messages imported into the mailbox (the same message from two old addresses). The old
//! mailbox is left as it is unless its owner asks for each message to be deleted there once
//! it is safely here. The old password serves the job only: it is erased when the job ends,
//! whatever the ending.

use crate::i18n::{Lang, format_size};

/// How the connection to the old server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (POP3S, port 995; RFC 8314).
    Tls,
    /// Plain, then STLS before the password (RFC 2595 §4), port 110.
    StartTls,
    /// No TLS at all: the password crosses the network in clear. For an old server that has
    /// none (the Cobalt generation had none).
    None,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::StartTls => "starttls",
            Security::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Security> {
        match s {
            "tls" => Some(Security::Tls),
            "starttls" => Some(Security::StartTls),
            "none" => Some(Security::None),
            _ => None,
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Security::Tls => 995,
            _ => 110,
        }
    }
}

/// The old server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// A host name (lower case) or an IP address.
    pub host: String,
    pub port: u16,
    pub security: Security,
}

impl Source {
    /// `pop3s://host:995`, `pop3://host:110` (STLS), `pop3+plain://host:110` (no TLS); the
    /// port may be left out.
    pub fn parse_url(url: &str) -> Result<Source, ImportProblem> {
        let url = url.trim();
        let (scheme, rest) = url.split_once("://").ok_or(ImportProblem::Url)?;
        let security = match scheme.to_ascii_lowercase().as_str() {
            "pop3s" => Security::Tls,
            "pop3" => Security::StartTls,
            "pop3+plain" => Security::None,
            _ => return Err(ImportProblem::Url),
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            // An IPv6 literal is written in brackets: [2001:db8::1]:995.
            Some((h, p)) if !h.ends_with(':') && (!h.contains(':') || h.starts_with('[')) => {
                (h, Some(p))
            }
            _ => (rest, None),
        };
        let port = match port {
            Some(p) => p.parse().map_err(|_| ImportProblem::Port)?,
            None => security.default_port(),
        };
        Source::new(host, port, security).map_err(|mut v| v.remove(0))
    }

    /// From the form's fields (every problem at once).
    pub fn from_form(host: &str, port: &str, security: &str) -> Result<Source, Vec<ImportProblem>> {
        let mut problems = Vec::new();
        let security = Security::parse(security).unwrap_or_else(|| {
            problems.push(ImportProblem::Security);
            Security::Tls
        });
        let port = match port.trim() {
            "" => Some(security.default_port()),
            p => p.parse::<u16>().ok().filter(|p| *p > 0),
        };
        if port.is_none() {
            problems.push(ImportProblem::Port);
        }
        match Source::new(host, port.unwrap_or(0), security) {
            Ok(s) if problems.is_empty() => Ok(s),
            Ok(_) => Err(problems),
            Err(mut more) => {
                problems.append(&mut more);
                Err(problems)
            }
        }
    }

    fn new(host: &str, port: u16, security: Security) -> Result<Source, Vec<ImportProblem>> {
        let host = host.trim().trim_start_matches('[').trim_end_matches(']');
        let is_ip = host.parse::<std::net::IpAddr>().is_ok();
        let name_ok = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        if !is_ip && !name_ok {
            return Err(vec![ImportProblem::Host]);
        }
        if port == 0 {
            return Err(vec![ImportProblem::Port]);
        }
        Ok(Source {
            host: host.to_ascii_lowercase(),
            port,
            security,
        })
    }

    /// How it is shown and recorded: `pop3s://mail.ancien.fr:995`.
    pub fn label(&self) -> String {
        let scheme = match self.security {
            Security::Tls => "pop3s",
            Security::StartTls => "pop3",
            Security::None => "pop3+plain",
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{scheme}://{host}:{}", self.port)
    }

    /// What names the old mailbox among all those imported from (its UIDLs are its own).
    pub fn mailbox_key(&self, login: &str) -> String {
        format!("{}@{}:{}", login.trim(), self.host, self.port)
    }
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// The old mailbox was looked at (how many messages, how much); waiting to be started.
    Checked,
    /// Started; waiting for the job runner.
    Queued,
    Running,
    Done,
    /// The mailbox here is full: stopped before the message that would not fit.
    Full,
    /// The old server refused or failed; the error says what it said.
    Failed,
    Cancelled,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Checked => "checked",
            State::Queued => "queued",
            State::Running => "running",
            State::Done => "done",
            State::Full => "full",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
        }
    }

    pub const ALL: [State; 7] = [
        State::Checked,
        State::Queued,
        State::Running,
        State::Done,
        State::Full,
        State::Failed,
        State::Cancelled,
    ];

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still holds the old password: waiting or working.
    pub fn is_open(self) -> bool {
        matches!(self, State::Checked | State::Queued | State::Running)
    }

    /// Working, or about to: the page follows it.
    pub fn is_moving(self) -> bool {
        matches!(self, State::Queued | State::Running)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (fr, en) = match self {
            State::Checked => ("Prête à démarrer", "Ready to start"),
            State::Queued => ("En attente", "Waiting"),
            State::Running => ("En cours", "In progress"),
            State::Done => ("Terminée", "Finished"),
            State::Full => ("Arrêtée : boîte pleine", "Stopped: mailbox full"),
            State::Failed => ("Échouée", "Failed"),
            State::Cancelled => ("Annulée", "Cancelled"),
        };
        lang.pick(fr, en)
    }
}

/// What a look at the old mailbox found (STAT, RFC 1939 §5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Survey {
    pub messages: u64,
    pub bytes: u64,
}

impl Survey {
    /// "12 messages, 3,4 Mo", and whether that fits in the room left here (None: no quota).
    pub fn describe(&self, free: Option<u64>, lang: Lang) -> String {
        let mut s = crate::tr!(
            lang,
            "{}, {} sur l'ancien serveur.",
            "{}, {} on the old server.",
            crate::i18n::messages(self.messages, lang),
            format_size(self.bytes as i64, lang)
        );
        match free {
            Some(free) if self.bytes > free => s.push_str(&crate::tr!(
                lang,
                " Il reste {} ici : l'import s'arrêtera quand la boîte sera pleine.",
                " {} is left here: the import will stop when the mailbox is full.",
                format_size(free as i64, lang)
            )),
            _ => {}
        }
        s
    }
}

/// What is wrong with a request to import, in words next to the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportProblem {
    Host,
    Port,
    Security,
    /// Not a `pop3s://host:port` address (the command line).
    Url,
    Login,
    Password,
    /// An import of this mailbox is already under way (or waiting to start).
    Busy,
    /// No import waiting to start or to cancel.
    Nothing,
    /// Too many looks at old mailboxes lately: wait a few minutes.
    TooMany,
    /// The old server could not be reached or refused: what happened, in its words.
    Server(String),
}

impl ImportProblem {
    pub fn field(&self) -> &'static str {
        match self {
            ImportProblem::Host | ImportProblem::Url => "host",
            ImportProblem::Port => "port",
            ImportProblem::Security => "security",
            ImportProblem::Login => "user",
            ImportProblem::Password => "password",
            ImportProblem::Busy
            | ImportProblem::Nothing
            | ImportProblem::TooMany
            | ImportProblem::Server(_) => "import",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ImportProblem::Host, l) => l
                .pick(
                    "Le nom du serveur, par exemple mail.ancien-hebergeur.fr.",
                    "The server's name, for example mail.old-host.com.",
                )
                .to_string(),
            (ImportProblem::Port, l) => l
                .pick(
                    "Un numéro de port entre 1 et 65535 (995 pour POP3S, 110 sinon).",
                    "A port number between 1 and 65535 (995 for POP3S, 110 otherwise).",
                )
                .to_string(),
            (ImportProblem::Security, l) => l
                .pick(
                    "Choisissez TLS, STARTTLS ou aucune protection.",
                    "Choose TLS, STARTTLS or no protection.",
                )
                .to_string(),
            (ImportProblem::Url, l) => l
                .pick(
                    "Une adresse pop3s://serveur:995, pop3://serveur:110 (STARTTLS) ou pop3+plain://serveur:110.",
                    "An address pop3s://server:995, pop3://server:110 (STARTTLS) or pop3+plain://server:110.",
                )
                .to_string(),
            (ImportProblem::Login, l) => l
                .pick(
                    "L'identifiant de l'ancienne boîte.",
                    "The old mailbox's login.",
                )
                .to_string(),
            (ImportProblem::Password, l) => l
                .pick(
                    "Le mot de passe de l'ancienne boîte.",
                    "The old mailbox's password.",
                )
                .to_string(),
            (ImportProblem::Busy, l) => l
                .pick(
                    "Un import de cette boîte est déjà en cours : attendez sa fin ou annulez-le.",
                    "An import into this mailbox is already under way: wait for it or cancel it.",
                )
                .to_string(),
            (ImportProblem::TooMany, l) => l
                .pick(
                    "Trop d'essais ces dernières minutes : réessayez dans dix minutes.",
                    "Too many tries these last minutes: try again in ten minutes.",
                )
                .to_string(),
            (ImportProblem::Nothing, l) => l
                .pick("Aucun import en attente.", "No import waiting.")
                .to_string(),
            (ImportProblem::Server(said), Lang::Fr) => {
                format!("L'ancien serveur n'a pas permis la lecture : {said}")
            }
            (ImportProblem::Server(said), Lang::En) => {
                format!("The old server could not be read: {said}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_old_servers() {
        let s = Source::parse_url("pop3s://Mail.Ancien.fr").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("mail.ancien.fr", 995, Security::Tls)
        );
        assert_eq!(s.label(), "pop3s://mail.ancien.fr:995");
        let s = Source::parse_url("pop3://127.0.0.1:1110/").unwrap();
        assert_eq!((s.port, s.security), (1110, Security::StartTls));
        let s = Source::parse_url("pop3+plain://[::1]:110").unwrap();
        assert_eq!((s.host.as_str(), s.security), ("::1", Security::None));
        assert_eq!(s.label(), "pop3+plain://[::1]:110");
        for bad in [
            "imap://x:143",
            "mail.ancien.fr",
            "pop3s://:995",
            "pop3s://x:99999",
            "pop3s://a b:995",
            "pop3s://x:0",
        ] {
            assert!(Source::parse_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Source::from_form("", "abc", "ssl"),
            Err(vec![
                ImportProblem::Security,
                ImportProblem::Port,
                ImportProblem::Host
            ])
        );
        assert_eq!(
            Source::from_form("mail.ancien.fr", "", "starttls")
                .unwrap()
                .port,
            110
        );
        assert_eq!(
            Source::from_form("mail.ancien.fr", "", "tls")
                .unwrap()
                .mailbox_key(" jean "),
            "jean@mail.ancien.fr:995"
        );
    }

    #[test]
    fn states_and_words() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
            assert_ne!(s.label(Lang::Fr), s.label(Lang::En));
        }
        assert!(State::Running.is_open() && !State::Done.is_open());
        assert!(!State::Checked.is_moving());
        let survey = Survey {
            messages: 12,
            bytes: 3 << 20,
        };
        assert!(survey.describe(None, Lang::En).starts_with("12 messages"));
        assert!(
            survey
                .describe(Some(1 << 20), Lang::Fr)
                .contains("s'arrêtera")
        );
        assert!(
            !survey
                .describe(Some(10 << 20), Lang::Fr)
                .contains("s'arrêtera")
        );
    }
}
