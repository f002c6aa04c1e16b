//! Pure rules of the product, from the customer's help page (see DESIGN §2). No I/O here: this
//! module is compiled to WebAssembly too, so forms can preview a generated login as you type.

pub mod account_mail;
pub mod address;
#[cfg(feature = "ssr")]
pub mod change;
pub mod delivery;
pub mod dkim;
#[cfg(feature = "ssr")]
pub mod dns_plan;
#[cfg(feature = "ssr")]
pub mod dsn;
pub mod filter;
pub mod forward;
pub mod generic;
pub mod grant;
pub mod headers;
pub mod import;
pub mod limits;
pub mod line_ends;
pub mod login;
pub mod mailtime;
#[cfg(feature = "ssr")]
pub mod mta_sts;
pub mod network;
#[cfg(feature = "ssr")]
pub mod notice;
pub mod password;
pub mod profile;
pub mod queue_answer;
#[cfg(feature = "ssr")]
pub mod quota_warning;
pub mod recipient;
pub mod responder;
pub mod retry;
pub mod role;
pub mod security;
#[cfg(feature = "ssr")]
pub mod srs;

pub use address::{AddressError, DomainName, LocalPart, LoginInput};
pub use login::{LoginError, MAX_LOGIN_LEN, base_login, login_with_suffix};
pub use password::{PasswordProblem, check_chosen_password, password_from_random};
pub use role::Role;
