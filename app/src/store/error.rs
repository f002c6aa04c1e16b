//! What can go wrong in the store, in words a person can act on (FR/EN).

use crate::domain::{AddressError, LoginError, PasswordProblem};
use crate::i18n::Lang;
use std::fmt;

#[derive(Debug)]
pub enum StoreError {
    /// The database URL cannot be understood.
    BadUrl(String),
    /// The database cannot be reached or opened.
    Unreachable(String),
    /// Any other database failure (the detail is for logs, not for users).
    Db(String),
    DomainNotFound(String),
    AccountNotFound(String),
    AliasNotFound(String),
    QueueEntryNotFound(i64),
    DomainExists(String),
    /// The alias is already a login or an alias in that domain.
    AddressTaken(String),
    DomainHasMailboxes {
        domain: String,
        count: u64,
    },
    /// The only webmaster of a domain cannot be deleted: postmaster and abuse reach them.
    LastWebmaster(String),
    NotInDomain {
        login: String,
        domain: String,
    },
    Login(LoginError),
    Address(AddressError),
    Password(PasswordProblem),
    /// Names, quota, or a server admin where a mailbox is meant (`domain::profile`).
    Profile(crate::domain::profile::ProfileProblem),
    /// A relay grant against its rules (`domain::grant`).
    Grant(crate::domain::grant::GrantProblem),
    /// A way of showing settings that does not exist (`cobalt` or `antivirus`).
    UnknownStyle(String),
    /// A responder setting against its rules (`domain::responder`).
    Responder(crate::domain::responder::ResponderProblem),
    Forward(crate::domain::forward::ForwardError),
    /// Forwarding to this address would send the mail round in a circle of local users.
    ForwardLoop(String),
    /// A relay grant wider than a /24 or a /48, without saying it is meant.
    WideGrant(String),
    /// The seed: the responder and a forward cannot be on together.
    ForwardAndResponder,
    BackupNotFound(i64),
    /// A POP3 session holds the mailbox (a restore waits for it to end).
    MaildropBusy,
    /// A backup file refused (hostile, damaged, too big) or a restore that would not fit.
    Backup(crate::backup::Refusal),
    /// Two-factor sign-in, app passwords, recovery (`domain::security`).
    Security(crate::domain::security::SecurityProblem),
    /// A limit the host set on the domain (`domain::limits`), or limits that do not hold
    /// together.
    Limit(crate::domain::limits::LimitProblem),
    /// The name is another name of a hosted domain (a domain alias), not a domain itself.
    IsDomainAlias {
        alias: String,
        domain: String,
    },
    /// Bringing the mail of the previous host (`domain::import`).
    Import(crate::domain::import::ImportProblem),
}

/// What a person is told when the database did not answer (the detail is for the log).
pub fn unavailable_text(lang: Lang) -> &'static str {
    lang.pick(
        "Le service est momentanément indisponible. Réessayez dans un instant.",
        "The service is unavailable for a moment. Try again shortly.",
    )
}

impl StoreError {
    /// The form field a typed problem belongs to, when it knows it.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            StoreError::Responder(p) => Some(p.field()),
            StoreError::Profile(p) => Some(p.field()),
            StoreError::Grant(p) => Some(p.field()),
            StoreError::Security(p) => Some(p.field()),
            StoreError::Limit(p) => p.field(),
            StoreError::Import(p) => Some(p.field()),
            StoreError::UnknownStyle(_) => Some("style"),
            _ => None,
        }
    }

    /// The message for a person: a database failure is only "unavailable for a moment".
    pub fn public_message(&self, lang: Lang) -> String {
        match self {
            StoreError::Db(_) | StoreError::Unreachable(_) => unavailable_text(lang).to_string(),
            e => e.message(lang),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use StoreError::*;
        match (self, lang) {
            (BadUrl(u), Lang::Fr) => format!("Adresse de base de données incompréhensible : {u}"),
            (BadUrl(u), Lang::En) => format!("Cannot understand the database URL: {u}"),
            (Unreachable(e), Lang::Fr) => format!("Base de données injoignable : {e}"),
            (Unreachable(e), Lang::En) => format!("Cannot reach the database: {e}"),
            (Db(e), Lang::Fr) => format!("Erreur de la base de données : {e}"),
            (Db(e), Lang::En) => format!("Database error: {e}"),
            (DomainNotFound(d), Lang::Fr) => format!("Le domaine « {d} » n'est pas hébergé ici."),
            (DomainNotFound(d), Lang::En) => format!("The domain \"{d}\" is not hosted here."),
            (AccountNotFound(l), Lang::Fr) => format!("Aucun compte « {l} »."),
            (AccountNotFound(l), Lang::En) => format!("No account \"{l}\"."),
            (AliasNotFound(a), Lang::Fr) => format!("Aucun alias « {a} »."),
            (AliasNotFound(a), Lang::En) => format!("No alias \"{a}\"."),
            (QueueEntryNotFound(id), Lang::Fr) => {
                format!("Aucun message n° {id} en attente dans la file (ou il part en ce moment).")
            }
            (QueueEntryNotFound(id), Lang::En) => {
                format!("No message #{id} waiting in the queue (or it is being sent right now).")
            }
            (DomainExists(d), Lang::Fr) => format!("Le domaine « {d} » existe déjà."),
            (DomainExists(d), Lang::En) => format!("The domain \"{d}\" already exists."),
            (AddressTaken(a), Lang::Fr) => {
                format!("« {a} » est déjà un login ou un alias de ce domaine.")
            }
            (AddressTaken(a), Lang::En) => {
                format!("\"{a}\" is already a login or an alias in this domain.")
            }
            (DomainHasMailboxes { domain, count }, Lang::Fr) => format!(
                "Le domaine « {domain} » a encore {} et leur courrier : \
                 confirmez la suppression de tout.",
                crate::i18n::count(*count, lang, ("compte", "comptes"), ("", ""))
            ),
            (DomainHasMailboxes { domain, count }, Lang::En) => format!(
                "The domain \"{domain}\" still has {} and their mail: \
                 confirm deleting everything.",
                crate::i18n::count(*count, lang, ("", ""), ("account", "accounts"))
            ),
            (LastWebmaster(l), Lang::Fr) => format!(
                "« {l} » est le seul webmaster du domaine (postmaster et abuse lui arrivent) : \
                 nommez d'abord un autre webmaster."
            ),
            (LastWebmaster(l), Lang::En) => format!(
                "\"{l}\" is the domain's only webmaster (postmaster and abuse reach them): \
                 make someone else webmaster first."
            ),
            (NotInDomain { login, domain }, Lang::Fr) => {
                format!("« {login} » n'appartient pas au domaine « {domain} ».")
            }
            (NotInDomain { login, domain }, Lang::En) => {
                format!("\"{login}\" does not belong to the domain \"{domain}\".")
            }
            (Login(e), l) => e.message(l),
            (Address(e), l) => e.message(l),
            (Forward(e), l) => e.message(l),
            (Responder(p), l) => p.message(l),
            (WideGrant(n), Lang::Fr) => format!(
                "« {n} » couvre plus qu'un /24 (IPv4) ou un /48 (IPv6) : le relais serait ouvert \
                 à beaucoup d'adresses. Si c'est bien voulu, cochez « réseau large » (--wide)."
            ),
            (WideGrant(n), Lang::En) => format!(
                "\"{n}\" covers more than a /24 (IPv4) or a /48 (IPv6): the relay would be open \
                 to many addresses. If that is really meant, tick \"wide network\" (--wide)."
            ),
            (ForwardLoop(a), Lang::Fr) => format!(
                "Renvoyer vers « {a} » ferait tourner le courrier en rond : cette adresse le \
                 renvoie déjà, directement ou non, vers vous."
            ),
            (ForwardLoop(a), Lang::En) => format!(
                "Forwarding to \"{a}\" would send mail round in circles: that address already \
                 forwards it back to you, directly or not."
            ),
            (ForwardAndResponder, Lang::Fr) => "Le répondeur automatique et le renvoi du \
                 courrier ne peuvent pas être actifs en même temps : désactivez l'un avant \
                 d'activer l'autre."
                .to_string(),
            (ForwardAndResponder, Lang::En) => "The automatic responder and forwarding cannot \
                 be on at the same time: turn one off before turning the other on."
                .to_string(),
            (Password(e), l) => e.message(l),
            (Profile(p), l) => p.message(l),
            (Grant(p), l) => p.message(l),
            (Security(p), l) => p.message(l),
            (Limit(p), l) => p.message(l),
            (Import(p), l) => p.message(l),
            (IsDomainAlias { alias, domain }, Lang::Fr) => {
                format!("« {alias} » est déjà un autre nom du domaine {domain}.")
            }
            (IsDomainAlias { alias, domain }, Lang::En) => {
                format!("\"{alias}\" is already another name of the domain {domain}.")
            }
            (UnknownStyle(s), Lang::Fr) => {
                format!(
                    "« {s} » n'est pas une façon d'afficher les paramètres (cobalt ou antivirus)."
                )
            }
            (UnknownStyle(s), Lang::En) => {
                format!("\"{s}\" is not a way of showing settings (cobalt or antivirus).")
            }
            (MaildropBusy, Lang::Fr) => "Un logiciel de messagerie relève cette boîte en ce \
                 moment : réessayez dans une minute."
                .to_string(),
            (MaildropBusy, Lang::En) => "A mail program is collecting this mailbox right \
                 now: try again in a minute."
                .to_string(),
            (BackupNotFound(id), Lang::Fr) => format!("Aucune sauvegarde n° {id}."),
            (BackupNotFound(id), Lang::En) => format!("No backup #{id}."),
            (Backup(r), l) => r.message(l),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for StoreError {}

impl From<sea_orm::DbErr> for StoreError {
    fn from(e: sea_orm::DbErr) -> Self {
        match e {
            sea_orm::DbErr::Conn(c) => StoreError::Unreachable(c.to_string()),
            other => StoreError::Db(other.to_string()),
        }
    }
}

impl From<LoginError> for StoreError {
    fn from(e: LoginError) -> Self {
        StoreError::Login(e)
    }
}

impl From<AddressError> for StoreError {
    fn from(e: AddressError) -> Self {
        StoreError::Address(e)
    }
}

impl From<crate::domain::profile::ProfileProblem> for StoreError {
    fn from(p: crate::domain::profile::ProfileProblem) -> Self {
        StoreError::Profile(p)
    }
}

impl From<crate::domain::security::SecurityProblem> for StoreError {
    fn from(p: crate::domain::security::SecurityProblem) -> Self {
        StoreError::Security(p)
    }
}

impl From<crate::domain::import::ImportProblem> for StoreError {
    fn from(p: crate::domain::import::ImportProblem) -> Self {
        StoreError::Import(p)
    }
}

impl From<crate::domain::limits::LimitProblem> for StoreError {
    fn from(p: crate::domain::limits::LimitProblem) -> Self {
        StoreError::Limit(p)
    }
}

impl From<crate::domain::grant::GrantProblem> for StoreError {
    fn from(p: crate::domain::grant::GrantProblem) -> Self {
        StoreError::Grant(p)
    }
}

impl From<PasswordProblem> for StoreError {
    fn from(e: PasswordProblem) -> Self {
        StoreError::Password(e)
    }
}

impl From<crate::backup::Refusal> for StoreError {
    fn from(r: crate::backup::Refusal) -> Self {
        StoreError::Backup(r)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
