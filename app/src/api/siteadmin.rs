//! The webmaster's portal (`/siteadmin`, also `/manage`): the mailboxes of one domain. Every
//! function first checks the caller's authority over that domain or mailbox (`Caller`); the
//! server admin may act on any domain by naming it.

use crate::model::{DomainOverview, Welcome};
use leptos::prelude::*;

/// The session key holding the password of the user just added, until it is shown once.
#[cfg(feature = "ssr")]
pub(crate) const JUST_ADDED_KEY: &str = "just_added";
/// The session key holding it for the print view, a few minutes after it was shown.
#[cfg(feature = "ssr")]
const PRINTABLE_KEY: &str = "printable";
/// How long the print view may show the password after the sheet was shown.
#[cfg(feature = "ssr")]
const PRINTABLE_SECS: i64 = 10 * 60;

/// Mailboxes on one page of `/siteadmin` (a domain of thousands stays light on a phone).
pub const USERS_PER_PAGE: usize = 100;
/// Up to this many mailboxes, the catch-all is chosen from a list.
pub const CATCH_ALL_LIST_MAX: usize = 200;

/// The domain's mailboxes (those `q` matches, page `page` from 0) and its disk usage.
#[server(endpoint = "siteadmin/overview")]
pub async fn overview(
    domain: Option<String>,
    q: Option<String>,
    page: Option<usize>,
) -> Result<DomainOverview, ServerFnError> {
    use super::context::*;
    use crate::domain::Role;
    use crate::model::UserRow;
    let c = caller().await?;
    let d = c.managed_domain(domain.as_deref()).await?;
    let st = state()?;
    let users = st
        .store
        .list_users(&d.name)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    let users: Vec<UserRow> = users
        .into_iter()
        .map(|u| UserRow {
            role: Role::parse(&u.role).unwrap_or(Role::User),
            login: u.login,
            first_name: u.first_name,
            last_name: u.last_name,
            aliases: u.aliases,
            used_bytes: u.used_bytes,
            quota_bytes: u.quota_bytes,
            messages: u.messages,
            suspended: u.suspended,
            forwarding: u.forwarding,
            responder: u.responder,
        })
        .collect();
    let total_users = users.len();
    let used_bytes = users.iter().map(|u| u.used_bytes).sum();
    let catch_all_choices = (total_users <= CATCH_ALL_LIST_MAX).then(|| {
        users
            .iter()
            .map(|u| {
                (
                    u.login.clone(),
                    format!("{} ({})", u.display_name(), u.login),
                )
            })
            .collect()
    });
    let q = q.unwrap_or_default();
    let matching: Vec<UserRow> = users
        .into_iter()
        .filter(|u| crate::pages::islands::search_matches(&u.search_text(), &q))
        .collect();
    let pages = matching.len().div_ceil(USERS_PER_PAGE).max(1);
    let page = page.unwrap_or(0).min(pages - 1);
    let count = matching.len();
    let users: Vec<UserRow> = matching
        .into_iter()
        .skip(page * USERS_PER_PAGE)
        .take(USERS_PER_PAGE)
        .collect();
    let grants = st
        .store
        .grants_of(&d.name)
        .await
        .map_err(|e| store_error(e, c.lang))?
        .into_iter()
        .map(super::grant_row)
        .collect();
    let catch_all = st
        .store
        .catch_all_of(&d)
        .await
        .map_err(|e| store_error(e, c.lang))?
        .map(|a| a.login);
    let aliases = st
        .store
        .domain_aliases(d.id)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    let (limits, usage) = st
        .store
        .limits_and_usage(&d)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    Ok(DomainOverview {
        grants,
        catch_all,
        aliases,
        limits: limits.any().then_some((limits, usage)),
        used_bytes,
        domain: d.name,
        style: d.style,
        users,
        total_users,
        matching: count,
        page,
        page_size: USERS_PER_PAGE,
        catch_all_choices,
    })
}

/// Sets the mailbox that receives mail for unknown names of the domain ("" for none).
#[server(endpoint = "siteadmin/catch_all")]
pub async fn set_catch_all(domain: Option<String>, login: String) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let d = c.managed_domain(domain.as_deref()).await?;
    let login = login.trim();
    let target = if login.is_empty() { None } else { Some(login) };
    match state()?
        .store
        .set_catch_all(&c.actor, &d.name, target)
        .await
    {
        Ok(_) => {
            say(match (target, c.lang) {
                (Some(l), crate::i18n::Lang::Fr) => {
                    format!("Le courrier pour les noms inconnus va à {l}.")
                }
                (Some(l), crate::i18n::Lang::En) => format!("Mail for unknown names goes to {l}."),
                (None, l) => l
                    .pick(
                        "Plus d'attrape-tout : les noms inconnus sont refusés.",
                        "No catch-all: unknown names are refused.",
                    )
                    .to_string(),
            });
            Ok(None)
        }
        Err(e) => refused_store(Some("login"), e, c.lang),
    }
}

/// The form field a store refusal belongs to.
#[cfg(feature = "ssr")]
fn field_of(e: &crate::store::StoreError) -> Option<&'static str> {
    use crate::store::StoreError::*;
    match e {
        Login(_) => Some("last_name"),
        Address(_) | AddressTaken(_) | AliasNotFound(_) => Some("aliases"),
        Limit(crate::domain::limits::LimitProblem::Aliases { .. }) => Some("aliases"),
        _ => None,
    }
}

/// The add-user form's login preview for these names: the login the user would get now in
/// this domain (taken logins and aliases counted), or why the names give none. Asked by the
/// form's island as the names are typed.
#[server(endpoint = "siteadmin/login_preview")]
pub async fn login_preview(
    domain: Option<String>,
    first_name: String,
    last_name: String,
) -> Result<String, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    let d = c.managed_domain(domain.as_deref()).await?;
    if first_name.trim().is_empty() && last_name.trim().is_empty() {
        return Ok(crate::pages::islands::login_hint(c.lang).to_string());
    }
    Ok(
        match state()?
            .store
            .next_login(&d.name, &first_name, &last_name)
            .await
        {
            Ok(login) => crate::tr!(c.lang, "Login : {login}", "Login: {login}"),
            Err(crate::store::StoreError::Login(e)) => e.message(c.lang),
            Err(e) => return Err(store_error(e, c.lang)),
        },
    )
}

/// "Add user": the login and password are generated; the result (with the password, once)
/// is shown on the welcome page the browser is sent to.
#[server(endpoint = "siteadmin/add_user")]
pub async fn add_user(
    domain: Option<String>,
    first_name: String,
    last_name: String,
    aliases: String,
    quota_mb: String,
) -> super::FormResult {
    use super::context::*;
    use crate::domain::Role;
    use crate::store::accounts::NewUser;
    let c = caller().await?;
    let d = c.managed_domain(domain.as_deref()).await?;
    // Every field is judged before anything is refused, so all refusals show at once.
    let mut problems: Vec<(&str, String)> = Vec::new();
    let quota_bytes = match crate::domain::profile::parse_quota_mb(&quota_mb) {
        Ok(q) => q,
        Err(p) => {
            problems.push((p.field(), p.message(c.lang)));
            None
        }
    };
    for p in crate::domain::profile::check_names(&first_name, &last_name, true) {
        problems.push((p.field(), p.message(c.lang)));
    }
    if problems.iter().all(|(f, _)| *f != "last_name")
        && let Err(e) = crate::domain::base_login(&first_name, &last_name)
    {
        problems.push(("last_name", e.message(c.lang)));
    }
    let st = state()?;
    match st
        .store
        .alias_problems(&d.name, &split_list(&aliases))
        .await
    {
        Ok(refused) => {
            for e in refused {
                problems.push(("aliases", e.message(c.lang)));
            }
        }
        Err(e) => return refused_store(None, e, c.lang),
    }
    // The host's limits on the domain (issue 17), judged with the rest.
    let (limits, used) = match st.store.limits_and_usage(&d).await {
        Ok(l) => l,
        Err(e) => return refused_store(None, e, c.lang),
    };
    let wanted = limits.quota_for_new(quota_bytes);
    let named = split_list(&aliases).len() as i64;
    for p in limits.check_new_mailbox(&used, wanted, named) {
        let field = match (&p, p.field()) {
            (_, Some(f)) => f,
            (crate::domain::limits::LimitProblem::Aliases { .. }, None) => "aliases",
            // No more mailboxes: nothing in the form can help; said above it.
            (_, None) => return refused(p.message(c.lang)),
        };
        problems.push((field, p.message(c.lang)));
    }
    if let Some(refusal) = refused_fields(&problems) {
        return refusal;
    }
    let user = NewUser {
        first: first_name.trim().to_string(),
        last: last_name.trim().to_string(),
        role: Role::User,
        aliases: split_list(&aliases),
        quota_bytes,
    };
    match st.store.add_user(&c.actor, &d.name, &user).await {
        Ok(created) => {
            let session = session().await?;
            session
                .insert(JUST_ADDED_KEY, (&created.login, &created.password, false))
                .await
                .map_err(|e| ServerFnError::new(e.to_string()))?;
            tracing::info!(login = %created.login, by = %c.account.login, "user added");
            go_to(LocalPath::or("/siteadmin/welcome", "/").join(&created.login));
            Ok(None)
        }
        Err(e) => refused_store(field_of(&e), e, c.lang),
    }
}

/// Aliases typed in one field: separated by commas, spaces or new lines.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The aliases among a user's addresses (all but the first, the login's), their local
/// parts, sorted.
#[cfg(feature = "ssr")]
fn alias_parts(own: &[String]) -> Vec<String> {
    let mut v: Vec<String> = own
        .iter()
        .skip(1)
        .filter_map(|x| x.split_once('@').map(|(l, _)| l.to_string()))
        .collect();
    v.sort();
    v
}

/// The welcome sheet of a mailbox: its connection settings, and the password the first time
/// it is read after "add user" (then never again).
#[server(endpoint = "siteadmin/welcome")]
pub async fn welcome_sheet(login: String, print: Option<bool>) -> Result<Welcome, ServerFnError> {
    let print = print.unwrap_or(false);
    use super::context::*;
    use crate::model::ConnectionSettings;
    let c = caller().await?;
    let a = c.managed_account(&login).await?;
    let st = state()?;
    let d = st
        .store
        .domain_of(&a)
        .await
        .map_err(|e| store_error(e, c.lang))?
        .ok_or_else(|| not_allowed(c.lang))?;
    let session = session().await?;
    let now = crate::store::now();
    let (password, reset) = if print {
        // The print view, within the minutes after the sheet was shown (DESIGN: "Pages on a
        // phone"): the password once more, on paper.
        let printable: Option<(String, String, bool, i64)> =
            session.get(PRINTABLE_KEY).await.ok().flatten();
        match printable {
            Some((l, p, reset, until)) if l == a.login && now < until => (Some(p), reset),
            _ => (None, false),
        }
    } else {
        // (login, password shown once, whether it was a reset rather than a new account)
        let pending: Option<(String, String, bool)> =
            session.get(JUST_ADDED_KEY).await.ok().flatten();
        match pending {
            Some((l, p, reset)) if l == a.login => {
                let _ = session
                    .remove::<(String, String, bool)>(JUST_ADDED_KEY)
                    .await;
                let _ = session
                    .insert(PRINTABLE_KEY, (&l, &p, reset, now + PRINTABLE_SECS))
                    .await;
                (Some(p), reset)
            }
            _ => (None, false),
        }
    };
    let own = st
        .store
        .addresses_of(&a)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    let aliases = alias_parts(&own);
    Ok(Welcome {
        settings: ConnectionSettings::for_user(&a.login, &d.name, &d.style),
        first_name: a.first_name,
        last_name: a.last_name,
        aliases,
        password,
        reset,
        ports: st.client_ports.clone(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn alias_lists() {
        assert_eq!(
            super::split_list(" ventes, info;contact\nsav  "),
            ["ventes", "info", "contact", "sav"]
        );
        assert!(super::split_list(" , ").is_empty());
    }
}

/// One mailbox, for the pen.
#[server(endpoint = "siteadmin/user")]
pub async fn user_detail(login: String) -> Result<crate::model::UserDetail, ServerFnError> {
    use super::context::*;
    use crate::domain::Role;
    let c = caller().await?;
    let a = c.managed_by_manager(&login).await?;
    let st = state()?;
    let own = st
        .store
        .addresses_of(&a)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    let messages = st
        .store
        .mailbox_count(a.id)
        .await
        .map_err(|e| store_error(e, c.lang))?;
    Ok(crate::model::UserDetail {
        address: own.first().cloned().unwrap_or_default(),
        aliases: alias_parts(&own),
        role: Role::parse(&a.role).unwrap_or(Role::User),
        is_self: a.id == c.account.id,
        login: a.login,
        first_name: a.first_name,
        last_name: a.last_name,
        quota_bytes: a.quota_bytes,
        used_bytes: a.used_bytes,
        messages,
        suspended: a.suspended,
    })
}

/// Makes a user of the domain one of its webmasters (`webmaster=yes`), or takes the role
/// back: by a webmaster of the domain or the server admin; never from the last webmaster, and
/// never one's own (another webmaster or the admin does that).
#[server(endpoint = "siteadmin/role")]
pub async fn set_webmaster(login: String, webmaster: String) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let a = c.managed_by_manager(&login).await?;
    if a.id == c.account.id {
        return refused_at(
            "webmaster",
            c.lang.pick(
                "Votre propre rôle se change par un autre webmaster ou par l'administrateur.",
                "Your own role is changed by another webmaster or by the administrator.",
            ),
        );
    }
    let make = webmaster == "yes";
    match state()?.store.set_webmaster(&c.actor, &a.login, make).await {
        Ok(_) => {
            say(match (make, c.lang) {
                (true, crate::i18n::Lang::Fr) => {
                    format!("{} est maintenant webmaster du domaine.", a.login)
                }
                (true, crate::i18n::Lang::En) => {
                    format!("{} is now a webmaster of the domain.", a.login)
                }
                (false, crate::i18n::Lang::Fr) => format!("{} n'est plus webmaster.", a.login),
                (false, crate::i18n::Lang::En) => format!("{} is no longer a webmaster.", a.login),
            });
            Ok(None)
        }
        Err(e) => super::context::refused_store(Some("webmaster"), e, c.lang),
    }
}

/// The pen's profile form: names, quota, suspended.
#[server(endpoint = "siteadmin/profile")]
pub async fn save_profile(
    login: String,
    first_name: String,
    last_name: String,
    quota_mb: String,
    suspended: Option<String>,
) -> super::FormResult {
    use super::context::*;
    use crate::store::accounts::Profile;
    let c = caller().await?;
    let a = c.managed_by_manager(&login).await?;
    // Every field judged first: all refusals at once.
    let mut problems: Vec<(&str, String)> = Vec::new();
    let quota_bytes = match crate::domain::profile::parse_quota_mb(&quota_mb) {
        Ok(q) => q,
        Err(p) => {
            problems.push((p.field(), p.message(c.lang)));
            None
        }
    };
    for p in crate::domain::profile::check_names(&first_name, &last_name, false) {
        problems.push((p.field(), p.message(c.lang)));
    }
    if suspended.is_some() && a.id == c.account.id {
        problems.push((
            "suspended",
            c.lang
                .pick(
                    "Vous ne pouvez pas suspendre votre propre compte.",
                    "You cannot suspend your own account.",
                )
                .to_string(),
        ));
    }
    if let Some(refusal) = refused_fields(&problems) {
        return refusal;
    }
    let p = Profile {
        first_name,
        last_name,
        quota_bytes,
        suspended: suspended.is_some(),
    };
    match state()?.store.update_profile(&c.actor, &a.login, &p).await {
        Ok(()) => Ok(None),
        Err(e) => super::context::refused_store(Some("profile"), e, c.lang),
    }
}

/// The pen's password: the one typed (checked against the policy), or, left empty, a new
/// random one shown once on the welcome sheet. Every session of that user ends.
#[server(endpoint = "siteadmin/password")]
pub async fn new_password(login: String, password: String) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let a = c.managed_by_manager(&login).await?;
    let chosen = Some(password).filter(|p| !p.is_empty());
    let generated = chosen.is_none();
    match state()?
        .store
        .set_password(&c.actor, &a.login, chosen)
        .await
    {
        Ok(password) if generated => {
            session()
                .await?
                .insert(JUST_ADDED_KEY, (&a.login, &password, true))
                .await
                .map_err(|e| ServerFnError::new(e.to_string()))?;
            go_to(LocalPath::or("/siteadmin/welcome", "/").join(&a.login));
            Ok(None)
        }
        Ok(_) => {
            say(c.lang.pick(
                "Mot de passe changé : ses sessions sont fermées.",
                "Password changed: their sessions have ended.",
            ));
            Ok(None)
        }
        Err(e) => super::context::refused_store(Some("password"), e, c.lang),
    }
}

/// Gives the mailbox one more alias.
#[server(endpoint = "siteadmin/alias_add")]
pub async fn add_alias(login: String, alias: String) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let a = c.managed_by_manager(&login).await?;
    match state()?
        .store
        .add_alias(&c.actor, &a.login, alias.trim())
        .await
    {
        Ok(_) => {
            say(match c.lang {
                crate::i18n::Lang::Fr => format!("Alias {} ajouté.", alias.trim()),
                crate::i18n::Lang::En => format!("Alias {} added.", alias.trim()),
            });
            Ok(None)
        }
        Err(e) => super::context::refused_store(Some("alias"), e, c.lang),
    }
}

/// Takes an alias away from the mailbox, once confirmed.
#[server(endpoint = "siteadmin/alias_remove")]
pub async fn remove_alias(
    login: String,
    alias: String,
    confirmed: Option<String>,
) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let a = c.managed_by_manager(&login).await?;
    if !is_confirmed(&confirmed) {
        return ask(super::questions::remove_alias(c.lang, alias.trim()));
    }
    match state()?
        .store
        .delete_alias(&c.actor, &a.login, alias.trim())
        .await
    {
        Ok(_) => {
            announce(match c.lang {
                crate::i18n::Lang::Fr => format!("Alias {} retiré.", alias.trim()),
                crate::i18n::Lang::En => format!("Alias {} removed.", alias.trim()),
            });
            Ok(None)
        }
        Err(e) => super::context::refused_store(Some("alias"), e, c.lang),
    }
}

/// Deletes a mailbox with its aliases and mail, once confirmed; back to the list.
#[server(endpoint = "siteadmin/delete")]
pub async fn delete_user(login: String, domain: Option<String>) -> super::FormResult {
    use super::context::*;
    let c = caller().await?;
    let a = c.managed_by_manager(&login).await?;
    if a.id == c.account.id {
        return refused(c.lang.pick(
            "Vous ne pouvez pas supprimer votre propre compte : demandez-le à un autre webmaster.",
            "You cannot delete your own account: ask another webmaster.",
        ));
    }
    match state()?.store.delete_user(&c.actor, &a.login).await {
        Ok(()) => {
            let who = format!("{} {}", a.first_name, a.last_name)
                .trim()
                .to_string();
            let who = if who.is_empty() { a.login.clone() } else { who };
            announce(match c.lang {
                crate::i18n::Lang::Fr => {
                    format!("La boîte {} a été supprimée.", crate::i18n::de(&who))
                }
                crate::i18n::Lang::En => format!("{who}'s mailbox was deleted."),
            });
            let back = LocalPath::or("/siteadmin", "/");
            go_to(match domain.filter(|d| !d.is_empty()) {
                Some(d) => back.with_query("domain", &d),
                None => back,
            });
            Ok(None)
        }
        Err(e) => super::context::refused_store(Some("delete"), e, c.lang),
    }
}

/// The domain's change log, newest first, a page at a time.
#[server(endpoint = "siteadmin/log")]
pub async fn domain_log(
    domain: Option<String>,
    before: Option<i64>,
) -> Result<crate::model::LogPage, ServerFnError> {
    use super::context::*;
    let c = caller().await?;
    let d = c.managed_domain(domain.as_deref()).await?;
    super::log_page(Some(d.id), before, c.lang).await
}
