//! The `courrier` command line (clap). Global options work before or after the subcommand and
//! each has an environment variable.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "courrier",
    version,
    about = "Hosted mail for small domains: web portals, POP3 and SMTP in one process.",
    propagate_version = true,
    // A flag given twice: the last one counts (scripts and tests append overrides).
    args_override_self = true
)]
pub struct Cli {
    /// Directory for the SQLite database, TLS material and backups.
    #[arg(long, global = true, env = "COURRIER_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Database URL: sqlite://PATH (default: DIR/courrier.db) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "COURRIER_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Configuration file (TOML). Command-line options and environment variables win over it.
    #[arg(long, global = true, env = "COURRIER_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: web portals, SMTP-in, POP3 and POP3S, and the outbound worker.
    Serve(ServeArgs),
    /// The host's technicians (server admins).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Hosted domains.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// Mailbox users (and webmasters).
    #[command(subcommand)]
    User(UserCommand),
    /// Aliases: other addresses under which a user receives mail.
    #[command(subcommand)]
    Alias(AliasCommand),
    /// Relay grants: SMTP relay opened for a customer's fixed IP address.
    #[command(subcommand)]
    Relay(RelayCommand),
    /// The outbound queue: forwards, auto-replies and relayed mail waiting to leave.
    #[command(subcommand)]
    Queue(QueueCommand),
    /// The checks of inbound mail: what they refused or marked as junk.
    #[command(subcommand)]
    Filter(FilterCommand),
    /// DKIM signing keys of the hosted domains.
    #[command(subcommand)]
    Dkim(DkimCommand),
    /// The configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Copy this (stopped) SQLite installation into an empty PostgreSQL database, then verify
    /// every table's rows on both sides.
    Migrate {
        /// The PostgreSQL database: postgres://USER@HOST/DB.
        #[arg(long, value_name = "URL")]
        to: String,
        /// Check everything and list what would be copied; copy nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Reads the configuration, opens the database and tries each listener's address, as
    /// `serve` would (the same options); says what is wrong, one line each; exit 1 if any.
    Check(ServeArgs),
}

#[derive(Debug, Subcommand)]
pub enum DkimCommand {
    /// The TXT records to publish for a domain's signing keys (made now if it has none),
    /// with where each key is in its life (signing, next, retiring, retired).
    Records {
        #[command(flatten)]
        whose: DkimWhose,
        #[command(flatten)]
        json: Json,
    },
    /// A new key pair beside the current one: publish its records; it signs once the grace
    /// period is over, and the old pair retires then.
    Rotate {
        #[command(flatten)]
        whose: DkimWhose,
        /// Days the old pair still signs (the time to publish the new records).
        #[arg(long, value_name = "DAYS", default_value_t = 3)]
        grace_days: u32,
        #[command(flatten)]
        json: Json,
    },
}

/// A hosted domain, or the host's own name (its bounces are signed by it).
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct DkimWhose {
    /// The hosted domain.
    pub domain: Option<String>,
    /// The host's own name (`hostname` in the configuration) instead of a domain.
    #[arg(long)]
    pub host: bool,
}

#[derive(Debug, Subcommand)]
pub enum FilterCommand {
    /// Refused and marked mail of the last 30 days, newest first.
    Log {
        /// Only this domain's.
        #[arg(long)]
        domain: Option<String>,
        /// How many at most.
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[command(flatten)]
        json: Json,
    },
}

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// The newest messages of the queue with their state and last answer.
    List {
        /// How many (newest first).
        #[arg(long, default_value_t = 100)]
        limit: u64,
        #[command(flatten)]
        json: Json,
    },
    /// Make a waiting or failed message due now.
    Retry { id: i64 },
    /// Remove a message from the queue (not while it is being sent).
    Delete { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum RelayCommand {
    /// Open relay for an address or a CIDR block, on behalf of one hosted domain.
    Allow {
        /// 192.0.2.7 or 192.0.2.0/28 (IPv6 too).
        network: String,
        /// The hosted domain the customer's mail comes from.
        #[arg(long)]
        domain: String,
        /// Last day of the grant, YYYY-MM-DD (UTC); no end when absent.
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        /// Why, for whom (shown in the lists and the audit log).
        #[arg(long, default_value = "")]
        note: String,
        /// Messages per hour the grant may relay [default: 200].
        #[arg(long, value_name = "N")]
        cap: Option<i32>,
        /// Allow a network wider than a /24 (IPv4) or a /48 (IPv6).
        #[arg(long)]
        wide: bool,
        #[command(flatten)]
        json: Json,
    },
    /// List relay grants (active, expired and revoked).
    List {
        #[command(flatten)]
        json: Json,
    },
    /// Revoke a grant by its number.
    Revoke { id: i64 },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address of the web portals [default: 127.0.0.1:3000].
    #[arg(long, env = "COURRIER_HTTP", value_name = "ADDR")]
    pub http: Option<String>,
    /// Address of SMTP-in, mail for the hosted domains [default: 127.0.0.1:2525; 25 in production].
    #[arg(long, env = "COURRIER_SMTP", value_name = "ADDR")]
    pub smtp: Option<String>,
    /// Address of POP3 with STLS [default: 127.0.0.1:1110; 110 in production].
    #[arg(long, env = "COURRIER_POP3", value_name = "ADDR")]
    pub pop3: Option<String>,
    /// Address of POP3S, implicit TLS [default: 127.0.0.1:1995; 995 in production].
    #[arg(long, env = "COURRIER_POP3S", value_name = "ADDR")]
    pub pop3s: Option<String>,
    /// Address of submission with STARTTLS, for signed-in users ("off" to switch it off)
    /// [default: 127.0.0.1:1587; 587 in production].
    #[arg(long, env = "COURRIER_SUBMISSION", value_name = "ADDR")]
    pub submission: Option<String>,
    /// Address of submission with implicit TLS ("off" to switch it off)
    /// [default: 127.0.0.1:1465; 465 in production].
    #[arg(long, env = "COURRIER_SUBMISSIONS", value_name = "ADDR")]
    pub submissions: Option<String>,
    /// Address of the web portals over TLS; when on, `--http` sends the portals there
    /// [default: off; 443 in production].
    #[arg(long, env = "COURRIER_HTTPS", value_name = "ADDR")]
    pub https: Option<String>,
    /// How the log is written: "text" (one readable line an event) or "json" (one JSON
    /// object a line, for a log collector).
    #[arg(long, env = "COURRIER_LOG_FORMAT", value_parser = ["text", "json"], default_value = "text")]
    pub log_format: String,
}

#[derive(Debug, Args)]
pub struct Json {
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a server admin; prints the login and a one-time password.
    Create {
        /// First name (the login is generated from the names; `srvadmin` without names).
        #[arg(long, default_value = "")]
        first: String,
        /// Last name.
        #[arg(long, default_value = "")]
        last: String,
        #[command(flatten)]
        json: Json,
    },
}

#[derive(Debug, Subcommand)]
pub enum DomainCommand {
    /// Host a new domain, optionally with its webmaster (prints their login and password).
    Add {
        /// The domain name, e.g. votredomaine.com (IDN allowed).
        name: String,
        /// The webmaster's first name.
        #[arg(long, value_name = "F")]
        webmaster_first: Option<String>,
        /// The webmaster's last name.
        #[arg(long, value_name = "L")]
        webmaster_last: Option<String>,
        #[command(flatten)]
        json: Json,
    },
    /// List hosted domains with their accounts and disk usage.
    List {
        #[command(flatten)]
        json: Json,
    },
    /// Delete a domain. With accounts in it, --yes confirms deleting them and their mail.
    Del {
        name: String,
        /// Also delete every account, alias and message of the domain.
        #[arg(long)]
        yes: bool,
    },
    /// What the domain asks of its inbound mail; prints the settings.
    Filter {
        name: String,
        /// Sender and spam checks: off, mark (mark junk, refuse nothing) or refuse.
        #[arg(long, value_parser = ["off", "mark", "refuse"])]
        filtering: Option<String>,
        /// Look for viruses (when a scanner is configured): on or off.
        #[arg(long, value_parser = ["on", "off"])]
        viruses: Option<String>,
    },
    /// Mail for any unknown name of the domain goes to this mailbox (it catches spam too);
    /// --off: unknown names are refused again (550 5.1.1).
    #[command(name = "catch-all")]
    #[command(group(clap::ArgGroup::new("catch").required(true).args(["login", "off"])))]
    CatchAll {
        name: String,
        /// The mailbox: pmartin or pmartin@domain.
        login: Option<String>,
        #[arg(long)]
        off: bool,
    },
    /// Another name of a hosted domain: mail to any address of ALIAS reaches the same mailbox
    /// of DOMAIN (--of DOMAIN); --off takes the name back.
    #[command(group(clap::ArgGroup::new("alias_of").required(true).args(["of", "off"])))]
    Alias {
        /// The other name, e.g. ancien-nom.fr.
        alias: String,
        /// The hosted domain it is another name of.
        #[arg(long, value_name = "DOMAIN")]
        of: Option<String>,
        #[arg(long)]
        off: bool,
    },
    /// The limits the host sets on a domain, and what it uses; each option changes one
    /// ("none" removes it), the others stay.
    Limits {
        name: String,
        /// Mailboxes at most.
        #[arg(long, value_name = "N|none")]
        mailboxes: Option<String>,
        /// Aliases at most.
        #[arg(long, value_name = "N|none")]
        aliases: Option<String>,
        /// The domain's storage in MB: the quotas handed out may not add up to more.
        #[arg(long, value_name = "MB|none")]
        storage: Option<String>,
        /// The quota in MB of a mailbox made without one.
        #[arg(long, value_name = "MB|none")]
        default_quota: Option<String>,
        /// The largest quota in MB of one mailbox.
        #[arg(long, value_name = "MB|none")]
        max_quota: Option<String>,
        #[command(flatten)]
        json: Json,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a mailbox user; the login and the password are generated and printed once.
    Add {
        /// The user's domain.
        domain: String,
        /// First name.
        #[arg(long, default_value = "")]
        first: String,
        /// Last name.
        #[arg(long, default_value = "")]
        last: String,
        /// An alias (repeatable): info, ventes, pierre.martin…
        #[arg(long = "alias", value_name = "A")]
        aliases: Vec<String>,
        /// Mailbox quota in MB (no limit when absent).
        #[arg(long, value_name = "MB")]
        quota: Option<u32>,
        /// Make the user a webmaster of the domain.
        #[arg(long)]
        webmaster: bool,
        #[command(flatten)]
        json: Json,
    },
    /// List a domain's users.
    List {
        domain: String,
        #[command(flatten)]
        json: Json,
    },
    /// Set a user's password: read from standard input, or --generate a new random one.
    Passwd {
        /// pmartin or pmartin@domain.
        login: String,
        /// Generate a random password and print it.
        #[arg(long)]
        generate: bool,
    },
    /// Delete a user with their aliases and mail.
    Del { login: String },
    /// Make a user one of the domain's webmasters ("webmaster"), or take the role back
    /// ("user"); never from the domain's last webmaster.
    Role {
        login: String,
        #[arg(value_parser = ["webmaster", "user"])]
        role: String,
    },
    /// Bring the mail of an old mailbox over POP3 (its password on standard input, used for
    /// this import only); each message once, resumable: run it again after an interruption.
    Import {
        /// The mailbox here: pmartin or pmartin@domain.
        login: String,
        /// The old server: pop3s://host:995, pop3://host:110 (STARTTLS) or
        /// pop3+plain://host:110 (no TLS).
        #[arg(long, value_name = "URL")]
        from: String,
        /// The old mailbox's login.
        #[arg(long = "login", value_name = "L")]
        old_login: String,
        /// Only say what the old mailbox holds.
        #[arg(long)]
        dry_run: bool,
        /// Delete each message on the old server once it is here.
        #[arg(long)]
        delete: bool,
    },
    /// How mail marked as junk reaches the mailbox: "subject" ([SPAM] before the subject)
    /// or "headers" (untouched, with an X-Spam header).
    Junk {
        login: String,
        #[arg(value_parser = ["subject", "headers"])]
        mode: String,
    },
    /// "Forward email to": mail goes on to these addresses and is not kept, unless
    /// --keep-copy. Not together with the responder.
    #[command(group(clap::ArgGroup::new("forward").required(true).args(["to", "off"])))]
    Forward {
        login: String,
        /// A forward address (repeat for several, at most 5).
        #[arg(long, value_name = "ADDR")]
        to: Vec<String>,
        /// Also keep the mail in the mailbox.
        #[arg(long, requires = "to")]
        keep_copy: bool,
        /// Stop forwarding.
        #[arg(long)]
        off: bool,
    },
    /// The automatic responder (RFC 3834: once per sender per interval, never to lists or
    /// robots). Not together with a forward.
    #[command(group(clap::ArgGroup::new("responder").required(true).args(["body_file", "off"])))]
    Responder {
        login: String,
        #[arg(long, default_value = "")]
        subject: String,
        /// The text of the answer (UTF-8), read from this file.
        #[arg(long, value_name = "FILE")]
        body_file: Option<std::path::PathBuf>,
        /// First day it answers (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day it answers (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Answer each sender at most once in this many days (1 to 30).
        #[arg(long, default_value_t = app::domain::responder::DEFAULT_INTERVAL_DAYS)]
        interval_days: i32,
        /// Turn the responder off.
        #[arg(long)]
        off: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AliasCommand {
    /// Give a user an alias in their domain.
    Add {
        /// pmartin or pmartin@domain.
        login: String,
        /// The alias: info, ventes, pierre.martin…
        alias: String,
    },
    /// Take an alias away from a user.
    Del { login: String, alias: String },
    /// List a domain's aliases.
    List {
        domain: String,
        #[command(flatten)]
        json: Json,
    },
}
