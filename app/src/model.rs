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

/// One mailbox in the webmaster's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub aliases: Vec<String>,
    pub used_bytes: i64,
    pub quota_bytes: Option<i64>,
    pub messages: u64,
    pub suspended: bool,
    pub forwarding: bool,
    pub responder: bool,
}

impl UserRow {
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        full.trim().to_string()
    }

    /// What the search looks into: login, name and aliases, in lower case.
    pub fn search_text(&self) -> String {
        let mut text = format!("{} {}", self.login, self.display_name().to_lowercase());
        for a in &self.aliases {
            text.push(' ');
            text.push_str(a);
        }
        text
    }
}

/// A domain as its webmaster sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainOverview {
    pub domain: String,
    /// The domain's style: "cobalt" or "antivirus" (see `ConnectionSettings`).
    pub style: String,
    pub used_bytes: i64,
    /// The mailboxes of this page: those the search matches, `page_size` at a time.
    pub users: Vec<UserRow>,
    /// Mailboxes of the domain, and how many the search matches.
    pub total_users: usize,
    pub matching: usize,
    /// This page (from 0) and its size.
    pub page: usize,
    pub page_size: usize,
    /// Every mailbox (login, "Name (login)") for the catch-all's list; None when the domain
    /// has too many for a list (the form then takes a login).
    pub catch_all_choices: Option<Vec<(String, String)>>,
    /// Relay grants for the domain's fixed addresses, set by the host.
    pub grants: Vec<GrantRow>,
    /// The mailbox that receives mail for unknown names (its login), if any.
    pub catch_all: Option<String>,
    /// The domain's other names (domain aliases, set by the host).
    pub aliases: Vec<String>,
    /// The limits the host set and what the domain uses (None: no limit set).
    pub limits: Option<(crate::domain::limits::Limits, crate::domain::limits::Usage)>,
}

/// A domain's settings that only the host changes (`/admin/domain/:name`): its other names
/// and its limits, with what it uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainSettingsView {
    pub name: String,
    pub aliases: Vec<String>,
    pub limits: crate::domain::limits::Limits,
    pub usage: crate::domain::limits::Usage,
}

/// What a mail client needs, in the domain's style (DESIGN §2 rule 1): the Cobalt generation
/// used the domain as server and the bare login; the anti-virus one `mail.` and the address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSettings {
    pub address: String,
    pub pop_server: String,
    pub login: String,
    /// The self-service page, e.g. `http://www.votredomaine.com/personal`.
    pub personal_url: String,
}

impl ConnectionSettings {
    pub fn for_user(login: &str, domain: &str, style: &str) -> ConnectionSettings {
        let address = format!("{login}@{domain}");
        let (pop_server, shown_login) = if style == "antivirus" {
            (format!("mail.{domain}"), address.clone())
        } else {
            (domain.to_string(), login.to_string())
        };
        ConnectionSettings {
            address,
            pop_server,
            login: shown_login,
            personal_url: format!("http://www.{domain}/personal"),
        }
    }
}

/// The ports mail clients are told to use (the public ones, which a host may map to the
/// listeners' addresses): `[client_ports]` of the configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientPorts {
    pub pop3: u16,
    pub pop3s: u16,
    /// None when submission is switched off: clients are told to use their provider's SMTP.
    pub submission: Option<u16>,
}

impl Default for ClientPorts {
    fn default() -> Self {
        ClientPorts {
            pop3: 110,
            pop3s: 995,
            submission: Some(587),
        }
    }
}

/// The result of "add user": shown once with the password, then without it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    pub first_name: String,
    pub last_name: String,
    pub aliases: Vec<String>,
    pub settings: ConnectionSettings,
    /// The generated password — present only the first time the result is read.
    pub password: Option<String>,
    /// The password was reset (the account existed before).
    #[serde(default)]
    pub reset: bool,
    /// The ports mail clients use (the sheet says the same as the settings page).
    #[serde(default)]
    pub ports: ClientPorts,
}

/// One mailbox as the pen shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub login: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub address: String,
    pub aliases: Vec<String>,
    pub quota_bytes: Option<i64>,
    pub used_bytes: i64,
    pub messages: u64,
    pub suspended: bool,
    /// The caller is looking at their own mailbox.
    pub is_self: bool,
}

impl UserDetail {
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        match full.trim() {
            "" => self.login.clone(),
            t => t.to_string(),
        }
    }
}

/// "Forward email to" and the automatic responder of one mailbox (the blue mailbox icon).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettings {
    pub login: String,
    pub address: String,
    pub display_name: String,
    pub forward_to: Vec<String>,
    pub keep_copy: bool,
    pub responder_enabled: bool,
    pub subject: String,
    pub body: String,
    /// `YYYY-MM-DD` (UTC), as a date field holds it.
    pub start: Option<String>,
    pub end: Option<String>,
    pub interval_days: i32,
    /// Who the responder answered lately (sender, when), newest first.
    pub answered: Vec<(String, i64)>,
}

/// One line of the change log: who changed what, when, from which address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// A page of the change log; `more` is the entry to continue before, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub entries: Vec<LogEntry>,
    pub more: Option<i64>,
}

/// A relay grant for a customer's fixed address (read-only for the webmaster).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRow {
    pub id: i64,
    pub network: String,
    pub domain: String,
    pub note: String,
    pub hourly_cap: i32,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub active: bool,
}

/// A hosted domain, for the server admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainRow {
    pub name: String,
    pub style: String,
    pub accounts: u64,
    pub used_bytes: i64,
    pub webmasters: Vec<String>,
    /// Its other names (domain aliases).
    pub aliases: Vec<String>,
    /// The limits set, in words ("sans limite" when none).
    pub limits: String,
}

/// A message in the outbound queue, for the server admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: i64,
    pub kind: String,
    pub mail_from: String,
    pub rcpt_to: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub last_answer: String,
    pub created_at: i64,
}

/// A message as "is my mail arriving?" lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentMessage {
    pub received_at: i64,
    pub from: String,
    pub subject: String,
    pub size: i64,
}

/// What a mailbox user sees of their own mailbox at `/personal`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalView {
    pub display_name: String,
    pub address: String,
    pub aliases: Vec<String>,
    pub used_bytes: i64,
    pub quota_bytes: Option<i64>,
    pub messages: u64,
    /// The last time a mail program collected the mail over POP3.
    pub last_pop3_login: Option<i64>,
    pub recent: Vec<RecentMessage>,
}

/// A kept backup in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRow {
    pub id: i64,
    pub created_at: i64,
    pub size: i64,
    pub messages: i64,
    /// Given by the user to restore, rather than made here.
    pub uploaded: bool,
}

/// A message shown once (after a backup, an upload, a restore).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

/// The backups page of one mailbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupsView {
    pub login: String,
    /// The caller's own mailbox (at `/personal`), rather than one managed from the pen.
    pub own: bool,
    pub address: String,
    pub display_name: String,
    pub messages: u64,
    pub used_bytes: i64,
    pub backups: Vec<BackupRow>,
    /// How many backups are kept.
    pub keep: u32,
    /// The largest file accepted to restore, in bytes.
    pub max_upload: i64,
    pub flash: Option<Flash>,
}

/// One setting a restore would change: its name, now, and in the backup.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingChange {
    pub what: String,
    pub now: String,
    pub saved: String,
}

/// What restoring a kept backup would do (or why it cannot be restored).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestorePreview {
    pub id: i64,
    pub login: String,
    pub created_at: i64,
    /// The address the backup was made of.
    pub made_of: String,
    pub total: u64,
    pub new_messages: u64,
    pub new_bytes: i64,
    pub changes: Vec<SettingChange>,
    /// Why the backup's settings cannot be taken (its messages still can), in words.
    pub settings_refused: Option<String>,
    /// Why it cannot be restored (damaged, over quota), in words.
    pub refusal: Option<String>,
}

/// The connection settings page of a mailbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub settings: ConnectionSettings,
    pub ports: ClientPorts,
    /// This page's address, which the QR code holds.
    pub page_url: String,
    /// The QR code as inline SVG markup (made on the server by the qrcode crate).
    pub qr_svg: String,
    /// Two-step sign-in is on: mail programs need an app password, not the main one.
    pub two_factor: bool,
}

/// A DNS page (issue 15): a domain's records, or the host's, each checked now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsPageView {
    /// The domain (or the host's name).
    pub name: String,
    /// Set when DNS could not be asked: the records are shown unchecked.
    pub error: Option<String>,
    /// What is wrong with the host itself, in words (its name, its addresses).
    pub warnings: Vec<String>,
    pub records: Vec<DnsRecordView>,
    /// The domain's other names (domain aliases), each with its own records.
    pub aliases: Vec<DnsPageView>,
}

/// The TLS certificates, for the server admin (`/admin/dns`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificatesView {
    /// Whether certificates come by ACME (`[acme]`); else the configured or self-signed pair.
    pub acme: bool,
    pub list: Vec<CertificateView>,
}

/// One certificate obtained by ACME.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateView {
    /// "host" or the hosted domain.
    pub label: String,
    pub names: Vec<String>,
    pub not_after: Option<i64>,
    pub issued_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    pub last_error: Option<String>,
}

/// One record to publish, in the reader's language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsRecordView {
    /// What it is for, and why, in words.
    pub title: String,
    pub words: String,
    /// The owner name, absolute (`_dmarc.votredomaine.com.`).
    pub name: String,
    /// `MX`, `TXT`, …
    pub kind: String,
    pub value: String,
    /// "found", "missing", "different" or "unknown" (DNS not reachable).
    pub status: String,
    /// What DNS has instead, when different.
    pub found: Vec<String>,
    /// Not needed for mail to work.
    pub optional: bool,
}

/// What DNS says about a user's domain, for the help page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsReport {
    /// False when DNS could not be asked at all (then `error` says why).
    pub reachable: bool,
    pub error: Option<String>,
    pub mx: Vec<String>,
    pub domain_addresses: Vec<String>,
    /// Addresses of the POP3 server's name.
    pub host_addresses: Vec<String>,
    /// The DNS page's own checks of the records that lead mail and mail programs here (MX,
    /// the server name of the settings).
    pub checks: Vec<DnsRecordView>,
}

/// The signed-in person's state, for the help page's answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpMe {
    pub domain: String,
    /// `/siteadmin` (Cobalt style) or `/manage` (anti-virus style).
    pub admin_path: String,
    /// A webmaster, who manages the domain's mailboxes.
    pub manager: bool,
    pub aliases: Vec<String>,
    pub forward: Vec<String>,
    pub keep_copy: bool,
    pub responder: bool,
    /// When the newest message waiting on the server arrived.
    pub last_waiting: Option<i64>,
    pub messages: u64,
    pub last_pop3: Option<i64>,
    /// Refused for this mailbox by the checks of inbound mail in the last 7 days (newest
    /// first, at most 50).
    pub refused: Vec<FilterRow>,
    pub settings: ConnectionSettings,
    pub dns: DnsReport,
}

/// The help page: the general answers, and the person's own when signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpView {
    pub me: Option<HelpMe>,
    pub ports: ClientPorts,
}

/// One message refused or marked by the checks of inbound mail, as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterRow {
    pub at: i64,
    /// Empty for `<>`.
    pub sender: String,
    pub recipient: String,
    /// "refused" or "junk".
    pub action: String,
    /// In the reader's language.
    pub reason: String,
}

/// A domain's choices for its inbound mail, and what was refused or marked lately.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFilterView {
    pub domain: String,
    /// "off", "mark" or "refuse".
    pub filtering: String,
    pub viruses: bool,
    pub log: Vec<FilterRow>,
}

/// A user's way of marking junk, and what was refused or marked for them lately.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyFilterView {
    /// "subject" or "headers".
    pub junk_mode: String,
    pub log: Vec<FilterRow>,
}

/// The security page of an account (issue 16): its second factor, app passwords, web
/// sessions and sign-ins. The webmaster's view of a user's is the same, without secrets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityView {
    pub login: String,
    /// Since when two-step sign-in is on (None: off).
    pub two_factor_since: Option<i64>,
    pub recovery_codes_left: u64,
    /// Recovery codes just made, shown this once.
    pub fresh_codes: Vec<String>,
    /// An app password just made (name, password), shown this once.
    pub fresh_app_password: Option<(String, String)>,
    pub app_passwords: Vec<AppPasswordView>,
    pub sessions: Vec<WebSessionView>,
    pub sign_ins: Vec<SignInView>,
    /// The recovery address, and whether it is confirmed.
    pub recovery_address: Option<(String, bool)>,
    /// Whether two-step sign-in is required for this account's role.
    pub required: bool,
}

/// Setting up an authenticator app: the QR code of its `otpauth://` address and the secret
/// to type by hand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentView {
    pub qr_svg: String,
    /// The secret, base32, in groups of four.
    pub secret: String,
    /// What the app will list it as.
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPasswordView {
    pub id: i64,
    pub name: String,
    pub pop3: bool,
    pub submission: bool,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub last_used_door: Option<String>,
    pub last_used_ip: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebSessionView {
    /// What the sign-out button names (the SHA-256 the database keys it by).
    pub id: String,
    pub device: String,
    pub ip: String,
    pub started_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    /// The session this page was asked in.
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInView {
    pub door: String,
    pub method: String,
    pub app_password: Option<String>,
    pub ip: String,
    pub ok: bool,
    pub first_at: i64,
    pub at: i64,
    pub count: i64,
}

/// The import of an old mailbox (issue 17) as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub login: String,
    /// The caller's own mailbox (else one they manage).
    pub own: bool,
    /// Room left in the mailbox (None: no quota).
    pub free: Option<i64>,
    /// The latest import, if any.
    pub job: Option<ImportJobView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportJobView {
    /// The old server: `pop3s://mail.ancien.fr:995`.
    pub source: String,
    /// The old mailbox's login.
    pub login: String,
    /// `domain::import::State` word, and in words.
    pub state: String,
    pub state_label: String,
    /// Waiting or working (the old password still kept).
    pub open: bool,
    /// Working or about to: the page follows it.
    pub moving: bool,
    /// What the look at the old mailbox found, in words.
    pub survey: String,
    pub total_messages: i64,
    pub done_messages: i64,
    pub done_bytes: i64,
    pub skipped: i64,
    pub delete_after: bool,
    pub error: String,
    pub updated_at: i64,
}
