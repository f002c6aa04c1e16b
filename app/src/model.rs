//! What the server functions hand to the pages (plain serialisable data).

use crate::domain::Role;
use serde::{Deserialize, Serialize};

/// The signed-in account, as the landing page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    /// The domain of a webmaster or user; None for the server admin.
    pub domain: Option<String>,
    /// The previous web sign-in (Unix seconds), if any.
    pub previous_login_at: Option<i64>,
}

impl Me {
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        let full = full.trim();
        if full.is_empty() {
            self.login.clone()
        } else {
            full.to_string()
        }
    }

    /// The address a mailbox user receives mail at.
    pub fn address(&self) -> Option<String> {
        self.domain.as_ref().map(|d| format!("{}@{d}", self.login))
    }
}
