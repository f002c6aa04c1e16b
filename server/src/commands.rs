//! The administrative commands: each opens the store, acts in one transaction, and prints the
//! result (or JSON with --json). Errors come back as one clear line.

use crate::cli::{
    AdminCommand, AliasCommand, DkimCommand, DomainCommand, FilterCommand, QueueCommand,
    RelayCommand, UserCommand,
};
use anyhow::{Result, anyhow, bail};
use app::domain::Role;
use app::store::accounts::{NewAccount, NewUser};
use app::store::{Actor, Store};
use serde::Serialize;
use std::io::{BufRead, IsTerminal, Write};

fn store_err(e: app::store::StoreError) -> anyhow::Error {
    anyhow!("{e}")
}

fn print_json(v: &impl Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("plain data serialises")
    );
}

fn print_new_account(a: &NewAccount, json: bool) {
    if json {
        print_json(a);
        return;
    }
    println!("login:    {}", a.login);
    println!("password: {}", a.password);
    if let Some(d) = &a.domain {
        println!("address:  {}@{d}", a.login);
    }
    println!("(the password is shown only now; it is stored hashed)");
}

fn mb(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

pub async fn admin(store: &Store, cmd: AdminCommand) -> Result<()> {
    match cmd {
        AdminCommand::Create { first, last, json } => {
            let a = store
                .create_server_admin(&Actor::cli(), &first, &last)
                .await
                .map_err(store_err)?;
            print_new_account(&a, json.json);
        }
    }
    Ok(())
}

pub async fn domain(store: &Store, cmd: DomainCommand) -> Result<()> {
    match cmd {
        DomainCommand::Add {
            name,
            webmaster_first,
            webmaster_last,
            json,
        } => {
            let names = match (webmaster_first.as_deref(), webmaster_last.as_deref()) {
                (None, None) => None,
                (f, l) => Some((f.unwrap_or(""), l.unwrap_or(""))),
            };
            let (d, wm) = store
                .add_domain(&Actor::cli(), &name, names)
                .await
                .map_err(store_err)?;
            // Its DKIM keys, made with it (a failure here is mended at the next start).
            if let Err(e) = crate::dkim::keys_for(store, Some(d.id)).await {
                eprintln!(
                    "warning: the DKIM keys of {} could not be made: {e}",
                    d.name
                );
            }
            if json.json {
                #[derive(Serialize)]
                struct Out<'a> {
                    domain: &'a str,
                    webmaster: Option<&'a NewAccount>,
                }
                print_json(&Out {
                    domain: &d.name,
                    webmaster: wm.as_ref(),
                });
            } else {
                println!("domain:   {}", d.name);
                if let Some(wm) = &wm {
                    print_new_account(wm, false);
                }
            }
        }
        DomainCommand::List { json } => {
            let list = store.list_domains().await.map_err(store_err)?;
            if json.json {
                print_json(&list);
            } else if list.is_empty() {
                println!("no domain yet (add one with: courrier domain add NAME)");
            } else {
                println!(
                    "{:<32} {:>8} {:>10}  webmaster",
                    "domain", "accounts", "used"
                );
                for d in list {
                    println!(
                        "{:<32} {:>8} {:>10}  {}",
                        d.name,
                        d.accounts,
                        mb(d.used_bytes),
                        d.webmasters.join(", ")
                    );
                    for alias in &d.aliases {
                        println!("  also {alias}");
                    }
                    if d.limits.any() {
                        println!("  limits: {}", d.limits.describe(app::i18n::Lang::En));
                    }
                }
            }
        }
        DomainCommand::Del { name, yes } => {
            store
                .delete_domain(&Actor::cli(), &name, yes)
                .await
                .map_err(|e| match e {
                    // The command line's way of confirming.
                    app::store::StoreError::DomainHasMailboxes { .. } => anyhow!("{e} (--yes)"),
                    e => store_err(e),
                })?;
            println!("deleted {name}");
        }
        DomainCommand::CatchAll { name, login, off } => {
            let login = if off {
                None
            } else {
                login.map(|l| strip_domain(&l))
            };
            store
                .set_catch_all(&Actor::cli(), &name, login.as_deref())
                .await
                .map_err(store_err)?;
            match login {
                Some(l) => println!("{name}: mail for unknown names goes to {l}"),
                None => println!("{name}: no catch-all, unknown names are refused"),
            }
        }
        DomainCommand::Alias { alias, of, off } => match (of, off) {
            (Some(target), false) => {
                let added = store
                    .add_domain_alias(&Actor::cli(), &alias, &target)
                    .await
                    .map_err(store_err)?;
                println!("{added}: another name of {target} (publish its DNS records)");
            }
            _ => {
                store
                    .delete_domain_alias(&Actor::cli(), &alias)
                    .await
                    .map_err(store_err)?;
                println!("{alias}: no longer a name of a hosted domain");
            }
        },
        DomainCommand::Limits {
            name,
            mailboxes,
            aliases,
            storage,
            default_quota,
            max_quota,
            json,
        } => {
            // Each option given replaces one limit ("none": no limit); the others stay.
            let given = [mailboxes, aliases, storage, default_quota, max_quota];
            if given.iter().any(Option::is_some) {
                let (now, _) = store.domain_limits(&name).await.map_err(store_err)?;
                let mut texts = now.as_typed();
                for (text, option) in texts.iter_mut().zip(given) {
                    if let Some(v) = option {
                        *text = if v.eq_ignore_ascii_case("none") {
                            String::new()
                        } else {
                            v
                        };
                    }
                }
                let limits =
                    app::domain::limits::Limits::parse(texts.each_ref().map(String::as_str))
                        .map_err(|problems| {
                            let words: Vec<String> = problems
                                .iter()
                                .map(|p| {
                                    let option = match p.field().unwrap_or_default() {
                                        "max_mailboxes" => "--mailboxes",
                                        "max_aliases" => "--aliases",
                                        "max_storage_mb" => "--storage",
                                        "default_quota_mb" => "--default-quota",
                                        _ => "--max-quota",
                                    };
                                    format!("{option}: {}", p.message(app::i18n::Lang::En))
                                })
                                .collect();
                            anyhow!(words.join("\n"))
                        })?;
                store
                    .set_domain_limits(&Actor::cli(), &name, &limits)
                    .await
                    .map_err(store_err)?;
            }
            let (limits, usage) = store.domain_limits(&name).await.map_err(store_err)?;
            if json.json {
                print_json(&serde_json::json!({ "limits": limits, "usage": usage }));
            } else {
                println!("{name}: {}", limits.describe(app::i18n::Lang::En));
                println!(
                    "uses: {} mailboxes, {} aliases, {} handed out in quotas, {} stored",
                    usage.mailboxes,
                    usage.aliases,
                    mb(usage.quotas),
                    mb(usage.stored)
                );
            }
        }
        DomainCommand::Filter {
            name,
            filtering,
            viruses,
        } => {
            use app::domain::filter::Filtering;
            let mut p =
                app::store::filter::policy_of(&store.domain(&name).await.map_err(store_err)?);
            if let Some(f) = filtering.as_deref().and_then(Filtering::parse) {
                p.filtering = f;
            }
            if let Some(v) = viruses {
                p.viruses = v == "on";
            }
            store
                .set_domain_filter(&Actor::cli(), &name, p)
                .await
                .map_err(store_err)?;
            println!(
                "{name}: filtering {}, viruses {}",
                p.filtering.as_str(),
                if p.viruses { "on" } else { "off" }
            );
        }
    }
    Ok(())
}

/// Reads a new password from standard input (one line), prompting when it is a terminal.
/// A password from standard input (`prompt` asked when it is a terminal).
fn read_password(prompt: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{prompt} (shown as you type; or pipe it in): ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\n', '\r']).to_string();
    if pw.is_empty() {
        bail!("no password given on standard input");
    }
    Ok(pw)
}

pub async fn user(
    store: &Store,
    settings: &crate::config::Settings,
    cmd: UserCommand,
) -> Result<()> {
    match cmd {
        UserCommand::Import {
            login,
            from,
            old_login,
            dry_run,
            delete,
        } => {
            let import = Import {
                login,
                from,
                old_login,
                dry_run,
                delete,
            };
            import_mailbox(store, settings, import).await?
        }
        UserCommand::Add {
            domain,
            first,
            last,
            aliases,
            quota,
            webmaster,
            json,
        } => {
            let role = if webmaster {
                Role::Webmaster
            } else {
                Role::User
            };
            if quota == Some(0) {
                bail!("--quota must be at least 1 MB (leave it out for no limit)");
            }
            let quota = quota.map(|mb| i64::from(mb) * 1_048_576);
            let a = store
                .add_user(
                    &Actor::cli(),
                    &domain,
                    &NewUser {
                        first,
                        last,
                        role,
                        aliases,
                        quota_bytes: quota,
                    },
                )
                .await
                .map_err(store_err)?;
            print_new_account(&a, json.json);
        }
        UserCommand::List { domain, json } => {
            let users = store.list_users(&domain).await.map_err(store_err)?;
            if json.json {
                print_json(&users);
            } else {
                println!(
                    "{:<20} {:<28} {:<10} {:>10}  aliases",
                    "login", "name", "role", "used"
                );
                for u in users {
                    println!(
                        "{:<20} {:<28} {:<10} {:>10}  {}{}",
                        u.login,
                        format!("{} {}", u.first_name, u.last_name).trim(),
                        u.role,
                        mb(u.used_bytes),
                        u.aliases.join(" "),
                        if u.suspended { "  (suspended)" } else { "" }
                    );
                }
            }
        }
        UserCommand::Passwd { login, generate } => {
            let login = strip_domain(&login);
            let chosen = if generate {
                None
            } else {
                Some(read_password("new password")?)
            };
            let pw = store
                .set_password(&Actor::cli(), &login, chosen)
                .await
                .map_err(store_err)?;
            if generate {
                println!("password: {pw}");
            } else {
                println!("password changed for {login}");
            }
        }
        UserCommand::Forward {
            login,
            to,
            keep_copy,
            off,
        } => {
            let login = strip_domain(&login);
            let to = if off { Vec::new() } else { to };
            let list = store
                .set_forward(&Actor::cli(), &login, &to, keep_copy)
                .await
                .map_err(store_err)?;
            if list.is_empty() {
                println!("{login}: forward off, mail is kept in the mailbox");
            } else if keep_copy {
                println!("{login}: forward to {}, a copy is kept", list.join(", "));
            } else {
                println!(
                    "{login}: forward to {}, mail is no longer kept",
                    list.join(", ")
                );
            }
        }
        UserCommand::Responder {
            login,
            subject,
            body_file,
            from,
            until,
            interval_days,
            off,
        } => {
            use app::domain::mailtime::{end_of_day, start_of_day};
            let login = strip_domain(&login);
            let date = |d: &Option<String>, f: fn(&str) -> Option<i64>, flag: &str| match d {
                Some(d) => f(d)
                    .map(Some)
                    .ok_or_else(|| anyhow!("{flag}: \"{d}\" is not a date (YYYY-MM-DD)")),
                None => Ok(None),
            };
            let body = match &body_file {
                Some(path) if !off => std::fs::read_to_string(path)
                    .map_err(|e| anyhow!("--body-file {}: {e}", path.display()))?,
                _ => String::new(),
            };
            let r = app::domain::responder::Responder {
                enabled: !off,
                subject,
                body,
                start: date(&from, start_of_day, "--from")?,
                end: date(&until, end_of_day, "--until")?,
                interval_days,
            };
            store
                .set_responder(&Actor::cli(), &login, &r)
                .await
                .map_err(store_err)?;
            println!("{login}: responder {}", if off { "off" } else { "on" });
        }
        UserCommand::Del { login } => {
            let login = strip_domain(&login);
            store
                .delete_user(&Actor::cli(), &login)
                .await
                .map_err(store_err)?;
            println!("deleted {login}");
        }
        UserCommand::Role { login, role } => {
            let login = strip_domain(&login);
            let changed = store
                .set_webmaster(&Actor::cli(), &login, role == "webmaster")
                .await
                .map_err(store_err)?;
            match changed {
                true => println!("{login} is now {role}"),
                false => println!("{login} was already {role}"),
            }
        }
        UserCommand::Junk { login, mode } => {
            let login = strip_domain(&login);
            let m = app::domain::filter::JunkMode::parse(&mode).unwrap_or_default();
            store
                .set_junk_mode(&Actor::cli(), &login, m)
                .await
                .map_err(store_err)?;
            println!("{login}: junk marked by {}", m.as_str());
        }
    }
    Ok(())
}

/// `pmartin@domain` → `pmartin` (logins are unique server-wide).
fn strip_domain(login: &str) -> String {
    login
        .rsplit_once('@')
        .map(|(l, _)| l)
        .unwrap_or(login)
        .to_string()
}

pub async fn alias(store: &Store, cmd: AliasCommand) -> Result<()> {
    match cmd {
        AliasCommand::Add { login, alias } => {
            let address = store
                .add_alias(&Actor::cli(), &strip_domain(&login), &alias)
                .await
                .map_err(store_err)?;
            println!("{address} now reaches {}", strip_domain(&login));
        }
        AliasCommand::Del { login, alias } => {
            let address = store
                .delete_alias(&Actor::cli(), &strip_domain(&login), &alias)
                .await
                .map_err(store_err)?;
            println!("{address} removed");
        }
        AliasCommand::List { domain, json } => {
            let list = store.list_aliases(&domain).await.map_err(store_err)?;
            if json.json {
                print_json(&list);
            } else {
                for a in list {
                    println!("{:<40} -> {}", a.address, a.login);
                }
            }
        }
    }
    Ok(())
}

pub async fn relay(store: &Store, cmd: RelayCommand) -> Result<()> {
    match cmd {
        RelayCommand::Allow {
            network,
            domain,
            expires,
            note,
            cap,
            wide,
            json,
        } => {
            let expires_at = match expires.as_deref() {
                Some(d) => Some(
                    app::domain::mailtime::end_of_day(d)
                        .ok_or_else(|| anyhow!("--expires: \"{d}\" is not a date (YYYY-MM-DD)"))?,
                ),
                None => None,
            };
            let g = store
                .add_grant(
                    &Actor::cli(),
                    app::store::relay::NewGrant {
                        network: &network,
                        domain: &domain,
                        expires_at,
                        note: &note,
                        hourly_cap: cap,
                        wide,
                    },
                )
                .await
                .map_err(store_err)?;
            if json.json {
                print_json(&g);
            } else {
                println!(
                    "grant {}: relay open for {} ({}), at most {} messages an hour",
                    g.id, g.network, g.domain, g.hourly_cap
                );
            }
        }
        RelayCommand::List { json } => {
            let grants = store.list_grants().await.map_err(store_err)?;
            if json.json {
                print_json(&grants);
            } else {
                for g in grants {
                    let state = if g.revoked_at.is_some() {
                        "revoked"
                    } else if g.active {
                        "active"
                    } else {
                        "expired"
                    };
                    println!(
                        "{:>4}  {:<20} {:<28} {:<8} {}",
                        g.id, g.network, g.domain, state, g.note
                    );
                }
            }
        }
        RelayCommand::Revoke { id } => {
            store
                .revoke_grant(&Actor::cli(), id)
                .await
                .map_err(store_err)?;
            println!("grant {id} revoked");
        }
    }
    Ok(())
}

/// One queued message as the CLI shows it.
#[derive(Serialize)]
struct QueueEntry {
    id: i64,
    kind: String,
    status: String,
    mail_from: String,
    rcpt_to: String,
    attempts: i32,
    next_attempt: String,
    last_answer: String,
    message_id: String,
    created: String,
}

pub async fn queue(store: &Store, cmd: QueueCommand) -> Result<()> {
    use app::domain::mailtime::rfc5322;
    match cmd {
        QueueCommand::List { limit, json } => {
            let rows = store.queue_list(limit).await.map_err(store_err)?;
            let entries: Vec<QueueEntry> = rows
                .into_iter()
                .map(|m| QueueEntry {
                    id: m.id,
                    kind: m.kind,
                    status: m.status,
                    mail_from: m.mail_from,
                    rcpt_to: m.rcpt_to,
                    attempts: m.attempts,
                    next_attempt: rfc5322(m.next_attempt_at),
                    last_answer: m.last_answer,
                    message_id: m.message_id,
                    created: rfc5322(m.created_at),
                })
                .collect();
            if json.json {
                print_json(&entries);
            } else {
                for e in entries {
                    let from = if e.mail_from.is_empty() {
                        "<>"
                    } else {
                        &e.mail_from
                    };
                    println!(
                        "{:>5}  {:<8} {:<8} {} -> {}  attempts {}  {}",
                        e.id, e.kind, e.status, from, e.rcpt_to, e.attempts, e.last_answer
                    );
                }
            }
        }
        QueueCommand::Retry { id } => {
            store.queue_retry_now(id).await.map_err(store_err)?;
            println!("message {id} will be tried again now");
        }
        QueueCommand::Delete { id } => {
            store.queue_delete(id).await.map_err(store_err)?;
            println!("message {id} removed from the queue");
        }
    }
    Ok(())
}

/// One line of the filter log as the CLI shows it.
#[derive(Serialize)]
struct FilterEntry {
    at: String,
    sender: String,
    recipient: String,
    action: String,
    reason: String,
}

pub async fn filter(store: &Store, cmd: FilterCommand) -> Result<()> {
    use app::store::filter::{LOG_KEPT_DAYS, LogOf};
    match cmd {
        FilterCommand::Log {
            domain,
            limit,
            json,
        } => {
            let of = match domain {
                Some(name) => LogOf::Domain(store.domain(&name).await.map_err(store_err)?.id),
                None => LogOf::Everything,
            };
            let since = app::store::now() - LOG_KEPT_DAYS * 86_400;
            let rows = store
                .filter_log(of, since, limit)
                .await
                .map_err(store_err)?;
            let entries: Vec<FilterEntry> = rows
                .into_iter()
                .map(|r| FilterEntry {
                    at: app::domain::mailtime::rfc5322(r.at),
                    sender: r.sender,
                    recipient: r.recipient,
                    action: r.action,
                    reason: r.reason,
                })
                .collect();
            if json.json {
                print_json(&entries);
            } else {
                for e in entries {
                    let from = if e.sender.is_empty() { "<>" } else { &e.sender };
                    println!(
                        "{}  {:<7} {} -> {}  {}",
                        e.at, e.action, from, e.recipient, e.reason
                    );
                }
            }
        }
    }
    Ok(())
}

/// A DKIM record to publish, as the CLI shows it, with where its key is in its life.
#[derive(Serialize)]
struct Record {
    name: String,
    value: String,
    /// "signing", "retiring" (signs until `until`), "next" (signs from `from`), "retired"
    /// (its record may be removed from `from`).
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<i64>,
}

fn dkim_records(keys: &[app::store::entities::dkim_key::Model], domain: &str) -> Vec<Record> {
    use app::domain::dkim::KeyState;
    app::store::dkim::records(keys, app::store::now())
        .into_iter()
        .map(|r| {
            let (state, from, until) = match r.state {
                KeyState::Signing => ("signing", None, None),
                KeyState::Retiring { until } => ("retiring", None, Some(until)),
                KeyState::Next { from } => ("next", Some(from), None),
                KeyState::Retired { remove_from } => ("retired", Some(remove_from), None),
            };
            Record {
                name: format!("{}._domainkey.{domain}.", r.selector),
                value: r.value,
                state,
                from,
                until,
            }
        })
        .collect()
}

/// Records in zone-file form (TXT strings of at most 255 characters each), with a comment
/// saying what to do with the ones that are changing.
fn print_records(records: &[Record]) {
    let when = |t: i64| app::i18n::iso_date(t);
    for r in records {
        let chunks: Vec<String> = r
            .value
            .as_bytes()
            .chunks(255)
            .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
            .collect();
        let note = match (r.state, r.from, r.until) {
            ("next", Some(f), _) => format!(" ; new: publish now, signs from {}", when(f)),
            ("retiring", _, Some(u)) => format!(" ; signs until {}", when(u)),
            ("retired", Some(f), _) => format!(" ; retired: may be removed from {}", when(f)),
            _ => String::new(),
        };
        println!("{} IN TXT {}{note}", r.name, chunks.join(" "));
    }
}

/// The domain's id (None: the host's) and name.
async fn dkim_whose(
    store: &Store,
    hostname: &str,
    whose: crate::cli::DkimWhose,
) -> Result<(Option<i64>, String)> {
    match whose.domain {
        Some(domain) if !whose.host => {
            let d = store.domain(&domain).await.map_err(store_err)?;
            Ok((Some(d.id), d.name))
        }
        _ => Ok((None, hostname.to_ascii_lowercase())),
    }
}

pub async fn dkim(store: &Store, hostname: &str, cmd: DkimCommand) -> Result<()> {
    match cmd {
        DkimCommand::Records { whose, json } => {
            let (id, name) = dkim_whose(store, hostname, whose).await?;
            let keys = crate::dkim::keys_for(store, id)
                .await
                .map_err(|e| anyhow!("cannot make the keys of {name}: {e}"))?;
            let records = dkim_records(&keys, &name);
            if json.json {
                print_json(&records);
            } else {
                print_records(&records);
            }
        }
        DkimCommand::Rotate {
            whose,
            grace_days,
            json,
        } => {
            let (id, name) = dkim_whose(store, hostname, whose).await?;
            let grace = i64::from(grace_days) * 86_400;
            match crate::dkim::rotate(store, id, grace)
                .await
                .map_err(|e| anyhow!("cannot rotate the keys of {name}: {e}"))?
            {
                Ok(rotation) => {
                    let keys = store.dkim_keys(id).await.map_err(store_err)?;
                    let records = dkim_records(&keys, &name);
                    if json.json {
                        print_json(&records);
                    } else {
                        println!(
                            "New keys for {name}: publish these records now; they sign from {}, when the old ones retire.",
                            app::i18n::iso_date(rotation.retire_at)
                        );
                        print_records(&records);
                    }
                }
                Err(app::domain::dkim::RotateProblem::UnderWay { from }) => bail!(
                    "a rotation of {name}'s keys is already under way: the new keys sign from {}",
                    app::i18n::iso_date(from)
                ),
            }
        }
    }
    Ok(())
}

/// `courrier user import`: what the command line asked.
struct Import {
    login: String,
    from: String,
    old_login: String,
    dry_run: bool,
    delete: bool,
}

/// Brings an old mailbox in the foreground (the same job as the portals', held by this
/// process; interrupted, it is taken over by a running server or by this command again).
async fn import_mailbox(
    store: &Store,
    settings: &crate::config::Settings,
    a: Import,
) -> Result<()> {
    use app::domain::import::Source;
    use app::i18n::Lang;
    let source =
        Source::parse_url(&a.from).map_err(|p| anyhow!("--from: {}", p.message(Lang::En)))?;
    let account = store.account(&a.login).await.map_err(store_err)?;
    if account.domain_id.is_none() {
        bail!("{} is a server admin and has no mailbox", account.login);
    }
    let password = read_password("the old mailbox's password")?;
    let config = settings
        .file
        .import
        .config(&settings.file.outbound, 25 * 1024 * 1024)?;
    let survey = crate::import::survey(&config, &source, &a.old_login, &password)
        .await
        .map_err(|p| anyhow!("{}", p.message(Lang::En)))?;
    let free = account
        .quota_bytes
        .map(|q| (q - account.used_bytes).max(0) as u64);
    println!("{}", survey.describe(free, Lang::En));
    if a.dry_run {
        return Ok(());
    }
    let new = app::store::imports::NewImport {
        source,
        login: a.old_login.clone(),
        password,
        delete_after: a.delete,
        survey,
    };
    let job = store
        .add_import(&Actor::cli(), &account.login, &new, true)
        .await
        .map_err(store_err)?;
    let holder = format!("cli-{}", std::process::id());
    let lease = config.lease.as_secs() as i64;
    let Some(job) = store
        .claim_import(&holder, lease, Some(job.id))
        .await
        .map_err(store_err)?
    else {
        bail!("this import is being run by another process (a running server): see its page");
    };
    let id = job.id;
    let ending = crate::import::run_job(store, &config, job, &holder, &mut |done, total| {
        eprint!("\r{done}/{total}");
    })
    .await;
    eprintln!();
    let job = store.import_job(id).await.map_err(store_err)?;
    let (brought, here) = job.map_or((0, 0), |j| (j.done_messages, j.skipped));
    use crate::import::Ending;
    match ending {
        Ending::Done => {
            println!("{brought} messages brought, {here} here already");
            Ok(())
        }
        Ending::Full => bail!(
            "the mailbox is full after {brought} messages: free some room or raise the quota, then run this again"
        ),
        Ending::Failed(e) => bail!("the old server: {e}"),
        Ending::Left => bail!("the import was cancelled"),
    }
}
