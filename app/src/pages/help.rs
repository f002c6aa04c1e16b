//! `/help`, "Aide en ligne": the seed's questions in French and English. Signed in, each answer
//! uses the person's own server, login, settings and state, and DNS is asked about their
//! domain; otherwise the answers speak of « votredomaine.com » as the seed does.

use crate::api::help::help_answers;
use crate::i18n::{Lang, format_datetime};
use crate::model::{ClientPorts, DnsReport, HelpMe, HelpView};
use crate::pages::components::loaded::Loaded;
use crate::pages::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HelpPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| help_answers());
    let lang = current_lang();
    view! {
        <Title text=lang.pick("Aide en ligne — courrier", "Help — courrier") />
        <Loaded data render=move |v| view! { <Help v lang /> } />
    }
}

/// One question and its answer.
fn question(id: &'static str, title: &'static str, body: AnyView) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby=id>
            <h2 id=id>{title}</h2>
            {body}
        </section>
    }
}

#[component]
fn Help(v: HelpView, lang: Lang) -> impl IntoView {
    let intro = match &v.me {
        Some(me) => crate::tr!(lang, "Les réponses ci-dessous sont celles de votre boîte, {}.", "The answers below are about your own mailbox, {}.", me.settings.address),
        None => lang
            .pick(
                "Connectez-vous pour lire des réponses qui parlent de votre boîte ; en attendant, « votredomaine.com » tient lieu de votre domaine.",
                "Sign in to read answers about your own mailbox; until then, \"votredomaine.com\" stands for your domain.",
            )
            .to_string(),
    };
    let me = v.me.clone();
    view! {
        <section class="card" aria-labelledby="help-title">
            <h1 id="help-title">{lang.pick("Aide en ligne", "Help")}</h1>
            <p>{intro}</p>
            {me.is_none().then(|| view! { <a class="button primary" href="/login">{lang.pick("Se connecter", "Sign in")}</a> })}
        </section>
        {question(
            "q-settings",
            lang.pick("Quels sont mes paramètres de connexion ?", "What are my connection settings?"),
            settings_answer(&v.me, &v.ports, lang),
        )}
        {question(
            "q-collect",
            lang.pick("Je ne relève pas mon courrier", "I do not get my mail"),
            collect_answer(&v.me, lang),
        )}
        {question(
            "q-recognised",
            lang.pick("Je ne suis pas reconnu par le serveur", "The server does not recognise me"),
            recognised_answer(&v.me, lang),
        )}
        {question(
            "q-alias",
            lang.pick("Quelle différence entre alias et login ?", "What is the difference between an alias and a login?"),
            alias_answer(&v.me, lang),
        )}
        {question(
            "q-send",
            lang.pick("Comment envoyer du courrier ?", "How do I send mail?"),
            send_answer(&v.me, &v.ports, lang),
        )}
    }
}

fn settings_answer(me: &Option<HelpMe>, ports: &ClientPorts, lang: Lang) -> AnyView {
    let (server, login, admin) = match me {
        Some(m) => (
            m.settings.pop_server.clone(),
            m.settings.login.clone(),
            m.admin_path.clone(),
        ),
        None => (
            lang.pick(
                "votredomaine.com (ou mail.votredomaine.com)",
                "votredomaine.com (or mail.votredomaine.com)",
            )
            .to_string(),
            lang.pick(
                "votre login, par exemple pmartin (ou pmartin@votredomaine.com)",
                "your login, e.g. pmartin (or pmartin@votredomaine.com)",
            )
            .to_string(),
            "/siteadmin".to_string(),
        ),
    };
    let ports = crate::tr!(
        lang,
        "ports {} (SSL/TLS) ou {} (STARTTLS)",
        "ports {} (SSL/TLS) or {} (STARTTLS)",
        ports.pop3s,
        ports.pop3
    );
    view! {
        <p>{lang.pick("Trois réglages suffisent à votre logiciel de courrier :", "Your mail program needs three settings:")}</p>
        <dl class="settings">
            <dt>{lang.pick("Serveur de courrier entrant (POP3)", "Incoming mail server (POP3)")}</dt>
            <dd><code>{server}</code> " — " {ports}</dd>
            <dt>{lang.pick("Login", "Login")}</dt>
            <dd><code>{login}</code></dd>
            <dt>{lang.pick("Mot de passe", "Password")}</dt>
            <dd>{lang.pick("celui de votre espace sur ce site", "the one of your space on this site")}</dd>
        </dl>
        {me.as_ref().map(|m| {
            let admin_text = if m.manager {
                view! {
                    <p>
                        {lang.pick("Vous administrez les boîtes de votre domaine depuis ", "You manage your domain's mailboxes from ")}
                        <a href=admin.clone()>{admin.clone()}</a> "."
                    </p>
                }
                    .into_any()
            } else {
                ().into_any()
            };
            view! {
                <p>
                    <a href="/personal/settings">
                        {lang.pick("Tous mes réglages, le réglage automatique et le code QR", "All my settings, automatic setup and the QR code")}
                    </a>
                </p>
                {admin_text}
            }
        })}
    }
    .into_any()
}

fn collect_answer(me: &Option<HelpMe>, lang: Lang) -> AnyView {
    let Some(m) = me else {
        return view! {
            <p>
                {lang.pick(
                    "Vérifiez que votre courrier n'est pas renvoyé ailleurs par « faire suivre » : le serveur ne le garde alors plus. Une vérification simple : activez le répondeur et écrivez-vous ; si la réponse arrive, le courrier parvient bien au serveur.",
                    "Check that your mail is not sent elsewhere by \"forward\": the server then keeps none of it. A simple check: turn the responder on and write to yourself; if the answer comes, mail does reach the server.",
                )}
            </p>
        }
        .into_any();
    };
    let mut facts: Vec<String> = Vec::new();
    if !m.forward.is_empty() {
        facts.push(match (m.keep_copy, lang) {
            (false, Lang::Fr) => format!("Votre courrier est renvoyé vers {} et le serveur n'en garde rien : c'est là-bas qu'il faut le lire.", m.forward.join(", ")),
            (false, Lang::En) => format!("Your mail is forwarded to {} and the server keeps none of it: that is where to read it.", m.forward.join(", ")),
            (true, Lang::Fr) => format!("Votre courrier est renvoyé vers {} et une copie reste ici.", m.forward.join(", ")),
            (true, Lang::En) => format!("Your mail is forwarded to {} and a copy stays here.", m.forward.join(", ")),
        });
    } else {
        facts.push(lang.pick("Aucun renvoi : le serveur garde votre courrier jusqu'à ce que votre logiciel le relève.", "No forward: the server keeps your mail until your mail program collects it.").to_string());
    }
    if m.responder {
        facts.push(
            lang.pick(
                "Votre répondeur est en marche : chaque expéditeur reçoit votre message d'absence.",
                "Your responder is on: each sender gets your away message.",
            )
            .to_string(),
        );
    }
    facts.push(match (m.last_waiting, lang) {
        (Some(t), Lang::Fr) => format!(
            "{} sur le serveur ; le plus récent est arrivé le {}.",
            match m.messages {
                0 | 1 => format!("{} message attend", m.messages),
                n => format!("{} messages attendent", crate::i18n::format_count(n, lang)),
            },
            format_datetime(t, lang)
        ),
        (Some(t), Lang::En) => format!(
            "{} on the server; the newest arrived on {}.",
            match m.messages {
                1 => "1 message waits".to_string(),
                n => format!("{} messages wait", crate::i18n::format_count(n, lang)),
            },
            format_datetime(t, lang)
        ),
        (None, Lang::Fr) => "Aucun message n'attend sur le serveur.".to_string(),
        (None, Lang::En) => "No message is waiting on the server.".to_string(),
    });
    if let Some(newest) = m.refused.first() {
        let n = m.refused.len() as u64;
        let from = if newest.sender.is_empty() {
            "<>"
        } else {
            newest.sender.as_str()
        };
        let (reason, when) = (&newest.reason, format_datetime(newest.at, lang));
        let count = crate::i18n::count(n, lang, ("message", "messages"), ("message", "messages"));
        facts.push(match lang {
            Lang::Fr => format!(
                "{count} pour vous {} été {} ces 7 derniers jours par les vérifications du serveur ; le plus récent venait de {from} ({reason}), le {when}. L'expéditeur en a été averti par son propre serveur.",
                if n == 1 { "a" } else { "ont" },
                if n == 1 { "refusé" } else { "refusés" },
            ),
            Lang::En => format!(
                "{count} for you {} refused by the server's checks in the last 7 days; the newest came from {from} ({reason}) on {when}. The sender was told by their own server.",
                if n == 1 { "was" } else { "were" },
            ),
        });
    }
    facts.push(match (m.last_pop3, lang) {
        (Some(t), Lang::Fr) => format!(
            "Dernière relève par un logiciel de courrier : {}.",
            format_datetime(t, lang)
        ),
        (Some(t), Lang::En) => format!(
            "Last collected by a mail program: {}.",
            format_datetime(t, lang)
        ),
        (None, Lang::Fr) => {
            "Aucun logiciel de courrier n'a encore relevé cette boîte : vérifiez ses réglages."
                .to_string()
        }
        (None, Lang::En) => {
            "No mail program has collected this mailbox yet: check its settings.".to_string()
        }
    });
    view! {
        <ul class="plain-list">{facts.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul>
        <p>
            <a href="/personal">{lang.pick("Voir les derniers messages reçus", "See the last messages received")}</a>
        </p>
    }
    .into_any()
}

fn dns_lines(d: &DnsReport, domain: &str, host: &str, lang: Lang) -> Vec<String> {
    if !d.reachable {
        return vec![crate::tr!(
            lang,
            "Le serveur n'a pas pu interroger le DNS ({}) : impossible de vérifier où pointe {domain} pour l'instant.",
            "The server could not ask DNS ({}): where {domain} points cannot be checked for now.",
            d.error.clone().unwrap_or_default()
        )];
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            lang.pick("aucun", "none").to_string()
        } else {
            v.join(", ")
        }
    };
    let mut out = vec![
        crate::tr!(
            lang,
            "Serveurs de courrier (MX) de {domain} : {}.",
            "Mail servers (MX) of {domain}: {}.",
            list(&d.mx)
        ),
        crate::tr!(
            lang,
            "Adresses (A) de {domain} : {}.",
            "Addresses (A) of {domain}: {}.",
            list(&d.domain_addresses)
        ),
    ];
    if host != domain {
        out.push(crate::tr!(
            lang,
            "Adresses (A) de {host} : {}.",
            "Addresses (A) of {host}: {}.",
            list(&d.host_addresses)
        ));
    }
    out
}

/// One check of the DNS page, in a sentence: what it is, what DNS says, what to publish.
fn check_line(c: &crate::model::DnsRecordView, lang: Lang) -> String {
    let wanted = format!("{} {} {}", c.name, c.kind, c.value);
    match c.status.as_str() {
        "found" => crate::tr!(
            lang,
            "{} : publié ({wanted}).",
            "{}: published ({wanted}).",
            c.title
        ),
        "missing" => crate::tr!(
            lang,
            "{} : manquant. À publier : {wanted}",
            "{}: missing. To publish: {wanted}",
            c.title
        ),
        "different" => crate::tr!(
            lang,
            "{} : différent — trouvé {}, attendu {wanted}",
            "{}: different — found {}, expected {wanted}",
            c.title,
            c.found.join(", ")
        ),
        _ => crate::tr!(lang, "{} : non vérifié.", "{}: not checked.", c.title),
    }
}

fn recognised_answer(me: &Option<HelpMe>, lang: Lang) -> AnyView {
    let check = lang.pick(
        "Essayez de vous connecter sur ce site avec le même login et le même mot de passe, en respectant les majuscules et minuscules. Si cela marche ici, l'erreur est dans les réglages de votre logiciel de courrier ; sinon, votre webmaster peut vous donner un nouveau mot de passe.",
        "Try signing in on this site with the same login and password, minding upper and lower case. If it works here, the mistake is in your mail program's settings; if not, your webmaster can give you a new password.",
    );
    let dns = match me {
        Some(m) => {
            let lines = dns_lines(&m.dns, &m.domain, &m.settings.pop_server, lang);
            let class = if m.dns.reachable { "plain-list" } else { "plain-list warning" };
            view! {
                <p>
                    {lang.pick(
                        "Vérifiez d'abord que votre domaine pointe sur nos serveurs ; sinon, votre logiciel parle à un autre serveur (celui de votre ancien hébergeur, par exemple). Voici ce que dit le DNS en ce moment :",
                        "First check that your domain points at our servers; otherwise your program talks to another server (your former host's, for instance). This is what DNS says right now:",
                    )}
                </p>
                <ul class=class>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                <ul class="plain-list">
                    {m.dns.checks.iter().map(|c| view! { <li>{check_line(c, lang)}</li> }).collect_view()}
                </ul>
                {m.manager.then(|| view! {
                    <p>
                        <a href="/siteadmin/dns">{lang.pick("Tous les enregistrements DNS du domaine", "All the domain's DNS records")}</a>
                    </p>
                })}
            }
            .into_any()
        }
        None => view! {
            <p>
                {lang.pick(
                    "Vérifiez d'abord que votre domaine pointe sur nos serveurs ; sinon, votre logiciel parle à un autre serveur (celui de votre ancien hébergeur, par exemple).",
                    "First check that your domain points at our servers; otherwise your program talks to another server (your former host's, for instance).",
                )}
            </p>
        }
        .into_any(),
    };
    view! {
        {dns}
        <p>{check}</p>
        <p><a href="/login">{lang.pick("Page de connexion", "Sign-in page")}</a></p>
    }
    .into_any()
}

fn alias_answer(me: &Option<HelpMe>, lang: Lang) -> AnyView {
    let general = lang.pick(
        "Le login vous identifie quand vous relevez votre courrier ; il est fait de l'initiale du prénom et du nom (pmartin). Les alias sont les autres adresses sous lesquelles vous recevez le courrier (info, ventes, pierre.martin…).",
        "The login identifies you when you collect your mail; it is made of the first name's initial and the last name (pmartin). Aliases are the other addresses you receive mail at (info, sales, pierre.martin…).",
    );
    let mine = me.as_ref().map(|m| {
        let aliases = if m.aliases.is_empty() {
            lang.pick("aucun", "none").to_string()
        } else {
            m.aliases.join(", ")
        };
        let text = crate::tr!(
            lang,
            "Votre login : {}. Vos alias : {aliases}.",
            "Your login: {}. Your aliases: {aliases}.",
            m.settings.login
        );
        view! { <p>{text}</p> }
    });
    view! { <p>{general}</p> {mine} }.into_any()
}

/// How to send. With submission on, it comes first: it works from any network, which is what
/// a phone needs; the access provider's server (the seed's answer) suits a computer that stays
/// home.
fn send_answer(me: &Option<HelpMe>, ports: &ClientPorts, lang: Lang) -> AnyView {
    let relay = lang.pick(
        "Si votre accès à Internet a une adresse IP fixe, votre hébergeur peut ouvrir le relais SMTP pour elle, sur simple demande.",
        "If your Internet access has a fixed IP address, your host can open the SMTP relay for it on request.",
    );
    let Some(port) = ports.submission else {
        let provider = lang.pick(
            "Envoyez par le serveur SMTP de votre fournisseur d'accès à Internet : ainsi personne ne peut envoyer de courrier indésirable sous le nom de votre domaine.",
            "Send through your Internet provider's SMTP server: that way nobody can send junk mail in your domain's name.",
        );
        return view! { <p>{provider}</p> <p class="hint">{relay}</p> }.into_any();
    };
    let host = me
        .as_ref()
        .map(|m| m.settings.pop_server.clone())
        .unwrap_or_else(|| "votredomaine.com".into());
    let first = crate::tr!(
        lang,
        "Envoyez par {host}, port {port} avec STARTTLS, en vous identifiant avec votre login et votre mot de passe : cela marche de partout, ce qu'il faut à un téléphone.",
        "Send through {host}, port {port} with STARTTLS, signing in with your login and password: it works from anywhere, which is what a phone needs."
    );
    let provider = lang.pick(
        "Depuis un ordinateur qui reste chez vous, le serveur SMTP de votre fournisseur d'accès à Internet convient aussi.",
        "From a computer that stays at home, your Internet provider's SMTP server does too.",
    );
    view! { <p>{first}</p> <p>{provider}</p> <p class="hint">{relay}</p> }.into_any()
}
