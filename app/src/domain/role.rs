//! Who an account is: the host's technician, a domain's webmaster, or a mailbox user.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// The host's technician: all domains, relay grants, the queue (`/admin`).
    ServerAdmin,
    /// Manages the mailboxes of one domain (`/siteadmin`, also `/manage`); has a mailbox too.
    Webmaster,
    /// A mailbox user (`/personal`).
    #[default]
    User,
}

impl Role {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::ServerAdmin => "admin",
            Role::Webmaster => "webmaster",
            Role::User => "user",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::ServerAdmin),
            "webmaster" => Some(Role::Webmaster),
            "user" => Some(Role::User),
            _ => None,
        }
    }

    /// The portal this role lands on after signing in.
    /// The role in words.
    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        match self {
            Role::ServerAdmin => lang.pick("administrateur du serveur", "server admin"),
            Role::Webmaster => "webmaster",
            Role::User => lang.pick("utilisateur", "user"),
        }
    }

    pub fn home_path(self) -> &'static str {
        match self {
            Role::ServerAdmin => "/admin",
            Role::Webmaster => "/siteadmin",
            Role::User => "/personal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for r in [Role::ServerAdmin, Role::Webmaster, Role::User] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
