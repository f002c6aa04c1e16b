//! What a domain (and the host) must publish in DNS, as pure rules (issue 15): the records,
//! in words a non-expert understands, how a record found in DNS is judged (found, missing,
//! different), and the zone file. The lookups themselves are the server's (`state::DnsLookup`);
//! the DNS page, the admin's host records and the help page's "Je ne suis pas reconnu par le
//! serveur" all judge with `judge`.

use crate::i18n::Lang;

/// A record type, as DNS and zone files name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    A,
    Aaaa,
    Cname,
    Mx,
    Txt,
    Srv,
    Ptr,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::A => "A",
            Kind::Aaaa => "AAAA",
            Kind::Cname => "CNAME",
            Kind::Mx => "MX",
            Kind::Txt => "TXT",
            Kind::Srv => "SRV",
            Kind::Ptr => "PTR",
        }
    }
}

/// What the host is, as the records need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    /// Its name: the SMTP greeting, the MX target, the certificates' name.
    pub name: String,
    /// Its public addresses (`[dns] addresses`), or what DNS says of its name when none are
    /// configured.
    pub addresses: Vec<String>,
    /// Whether the addresses come from the configuration (then A/AAAA/PTR are suggested).
    pub configured: bool,
    pub pop3: u16,
    pub pop3s: u16,
    /// None: submission is off.
    pub submission: Option<u16>,
    /// The MTA-STS policy served enforces.
    pub mta_sts_enforce: bool,
}

/// A DKIM key as the plan shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DkimRecord {
    pub selector: String,
    /// `v=DKIM1; k=…; p=…`.
    pub value: String,
    pub state: crate::domain::dkim::KeyState,
}

/// Why a record is there: what the page says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    Mx,
    /// The name mail programs are told to use (the domain itself, or `mail.` for the
    /// "antivirus" style).
    ClientServer,
    Spf,
    Dkim(crate::domain::dkim::KeyState),
    Dmarc,
    Autoconfig,
    Autodiscover,
    /// An SRV record of RFC 6186 / RFC 8314 for a service offered.
    Service(&'static str),
    /// "Not offered" (`SRV 0 0 0 .`, RFC 2782) for a service there is none of.
    NotOffered(&'static str),
    MtaSts,
    MtaStsName,
    TlsRpt,
    HostAddress,
    HostPtr,
    HostSpf,
}

/// How what DNS answers is compared with what is wanted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// The same value (case and spacing aside).
    Same,
    /// One of the values is this one (MX: the host among others).
    Among,
    /// A TXT record starting with this tag exists (DMARC, TLS-RPT: the policy is theirs).
    Tagged(&'static str),
    /// SPF: a record that names this server (its addresses, `mx` or `a`) is as good.
    Spf,
    /// SRV: the same port and target (priority and weight are the webmaster's).
    Service,
    /// The name's addresses are the host's (a CNAME to it, or its A/AAAA).
    PointsAtHost,
}

/// One record to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    /// The owner name, without the final dot.
    pub name: String,
    pub kind: Kind,
    /// The value in zone-file form (without quotes for TXT; names without the final dot).
    pub value: String,
    pub purpose: Purpose,
    pub rule: Rule,
    /// Not needed for mail to work (shown as optional; missing is not a fault).
    pub optional: bool,
}

impl Wanted {
    /// What to ask DNS for to judge it: A and AAAA for "points at the host".
    pub fn lookups(&self) -> Vec<(String, Kind)> {
        match self.rule {
            Rule::PointsAtHost => vec![
                (self.name.clone(), Kind::A),
                (self.name.clone(), Kind::Aaaa),
            ],
            _ => vec![(self.name.clone(), self.kind)],
        }
    }
}

/// What DNS said of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    Found,
    Missing,
    /// Something else is published: what was found.
    Different(Vec<String>),
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Found => "found",
            Status::Missing => "missing",
            Status::Different(_) => "different",
        }
    }
}

/// The values DNS answers, in the forms `judge` compares: names lower case without the final
/// dot, TXT strings joined, MX `PREF host`, SRV `PRIO WEIGHT PORT target`.
pub fn normalize(kind: Kind, value: &str) -> String {
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    match kind {
        Kind::Txt => squeeze(value),
        _ => squeeze(value)
            .to_ascii_lowercase()
            .split(' ')
            .map(|w| w.trim_end_matches('.'))
            .map(|w| if w.is_empty() { "." } else { w })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Judges a wanted record by what DNS answered (already normalized), for `host`.
pub fn judge(w: &Wanted, found: &[String], host: &Host) -> Status {
    let wanted = normalize(w.kind, &w.value);
    let relevant: Vec<String> = match &w.rule {
        Rule::Tagged(tag) => found
            .iter()
            .filter(|f| {
                f.to_ascii_lowercase()
                    .starts_with(&tag.to_ascii_lowercase())
            })
            .cloned()
            .collect(),
        Rule::Spf => found
            .iter()
            .filter(|f| f.to_ascii_lowercase().starts_with("v=spf1"))
            .cloned()
            .collect(),
        Rule::Same if w.kind == Kind::Txt => {
            // Other TXT records at the same name (site verifications…) are not ours to judge;
            // records of the same kind are (the tag before the first `;`).
            let tag = |v: &str| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            };
            found
                .iter()
                .filter(|f| tag(f) == tag(&wanted))
                .cloned()
                .collect()
        }
        _ => found.to_vec(),
    };
    if relevant.is_empty() {
        return Status::Missing;
    }
    let ok = match &w.rule {
        Rule::Same => relevant.iter().any(|f| same(w.kind, f, &wanted)),
        Rule::Among => relevant
            .iter()
            .any(|f| f.split(' ').next_back() == wanted.split(' ').next_back()),
        Rule::Tagged(_) => true,
        // Two SPF records are a permerror (RFC 7208 §3.2): "different", whatever they say.
        Rule::Spf => relevant.len() == 1 && spf_names(&relevant[0], host, w.name == host.name),
        Rule::Service => relevant.iter().any(|f| {
            let tail = |s: &str| s.split(' ').skip(2).collect::<Vec<_>>().join(" ");
            tail(f) == tail(&wanted)
        }),
        Rule::PointsAtHost => {
            !host.addresses.is_empty() && relevant.iter().all(|a| host.addresses.contains(a))
        }
    };
    if ok {
        Status::Found
    } else {
        Status::Different(relevant)
    }
}

fn same(kind: Kind, found: &str, wanted: &str) -> bool {
    match kind {
        // DKIM keys: the same key, whatever the order or spacing of the tags.
        Kind::Txt => tags(found) == tags(wanted),
        _ => found == wanted,
    }
}

fn tags(v: &str) -> Vec<(String, String)> {
    let mut t: Vec<(String, String)> = v
        .split(';')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.split_whitespace().collect::<String>(),
            )
        })
        .collect();
    t.sort();
    t
}

/// Whether an SPF record lets this host send: `mx`, `a:HOST` (or `a` in the host's own
/// record), or every one of its addresses (RFC 7208 §5; an `include:` cannot be judged
/// without more lookups and counts as not).
fn spf_names(record: &str, host: &Host, own: bool) -> bool {
    let terms: Vec<String> = record
        .split_whitespace()
        .map(|t| t.trim_start_matches('+').to_ascii_lowercase())
        .collect();
    let named = |t: &str| terms.iter().any(|x| x == t);
    named("mx")
        || (own && named("a"))
        || named(&format!("a:{}", host.name))
        || named(&format!("mx:{}", host.name))
        || (!host.addresses.is_empty()
            && host.addresses.iter().all(|a| {
                let mech = if a.contains(':') { "ip6" } else { "ip4" };
                named(&format!("{mech}:{a}"))
            }))
}

/// What keeps the records from being right whatever the webmaster publishes: a host name
/// that is not a full domain name, or no public address known.
pub fn host_warnings(host: &Host, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if !host.name.trim_end_matches('.').contains('.') {
        out.push(crate::tr!(
            lang,
            "Le nom du serveur « {} » n'est pas un nom de domaine complet : l'administrateur du serveur doit régler « hostname » dans la configuration (par exemple mail.exemple.fr).",
            "The server's name \"{}\" is not a full domain name: the server's administrator must set hostname in the configuration (for instance mail.example.net).",
            host.name
        ));
    }
    if host.addresses.is_empty() {
        out.push(
            lang.pick(
                "L'adresse publique du serveur n'est pas connue : l'administrateur du serveur doit la donner dans la configuration (« addresses » de [dns]).",
                "The server's public address is not known: the server's administrator must give it in the configuration ([dns] addresses).",
            )
            .to_string(),
        );
    }
    out
}

/// Whether an address can be published in public DNS (not loopback, private, link-local or
/// unspecified).
pub fn public_address(address: &str) -> bool {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => {
            !(a.is_loopback() || a.is_private() || a.is_link_local() || a.is_unspecified())
        }
        Ok(std::net::IpAddr::V6(a)) => {
            let first = a.segments()[0];
            !(a.is_loopback()
                || a.is_unspecified()
                || first & 0xfe00 == 0xfc00
                || first & 0xffc0 == 0xfe80)
        }
        Err(_) => false,
    }
}

/// The SPF record suggested: the host's addresses when configured, else `mx`.
pub fn spf_value(host: &Host) -> String {
    let mut v = String::from("v=spf1");
    if host.configured && !host.addresses.is_empty() {
        for a in &host.addresses {
            let mech = if a.contains(':') { "ip6" } else { "ip4" };
            v.push_str(&format!(" {mech}:{a}"));
        }
    } else {
        v.push_str(" mx");
    }
    v.push_str(" -all");
    v
}

/// The MTA-STS policy served at `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` (RFC 8461
/// §3.2): this host as the only MX, a week's max_age, `testing` until the host's certificates
/// are ones other servers verify (`[mta_sts] mode = "enforce"`).
pub fn mta_sts_policy(host_name: &str, enforce: bool) -> String {
    format!(
        "version: STSv1\r\nmode: {}\r\nmx: {}\r\nmax_age: 604800\r\n",
        if enforce { "enforce" } else { "testing" },
        host_name.trim_end_matches('.').to_ascii_lowercase()
    )
}

/// The policy's id for the `_mta-sts` TXT record (§3.1: 1 to 32 letters and digits): it
/// changes whenever the policy does.
pub fn mta_sts_id(policy: &str) -> String {
    // FNV-1a, 64 bits: stable across builds, and a policy change gives a new id.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in policy.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The records a hosted domain needs. `style` is the domain's ("cobalt": mail programs use
/// the domain's own name; "antivirus": `mail.DOMAIN`).
pub fn domain_plan(domain: &str, style: &str, host: &Host, dkim: &[DkimRecord]) -> Vec<Wanted> {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    let h = host.name.trim_end_matches('.').to_ascii_lowercase();
    let rec = |name: String, kind, value: String, purpose, rule| Wanted {
        name,
        kind,
        value,
        purpose,
        rule,
        optional: false,
    };
    let optional = |w: Wanted| Wanted {
        optional: true,
        ..w
    };
    let mut v = vec![rec(
        d.clone(),
        Kind::Mx,
        format!("10 {h}"),
        Purpose::Mx,
        Rule::Among,
    )];
    let client_server = if style == "antivirus" {
        format!("mail.{d}")
    } else {
        d.clone()
    };
    if client_server == d {
        // A CNAME cannot sit at the domain itself (RFC 1034 §3.6.2): there, its addresses.
        for a in &host.addresses {
            let kind = if a.contains(':') { Kind::Aaaa } else { Kind::A };
            v.push(rec(
                d.clone(),
                kind,
                a.clone(),
                Purpose::ClientServer,
                Rule::PointsAtHost,
            ));
        }
    } else if client_server != h {
        v.push(rec(
            client_server,
            Kind::Cname,
            h.clone(),
            Purpose::ClientServer,
            Rule::PointsAtHost,
        ));
    }
    v.push(rec(
        d.clone(),
        Kind::Txt,
        spf_value(host),
        Purpose::Spf,
        Rule::Spf,
    ));
    for k in dkim {
        v.push(rec(
            format!("{}._domainkey.{d}", k.selector),
            Kind::Txt,
            k.value.clone(),
            Purpose::Dkim(k.state),
            Rule::Same,
        ));
    }
    v.push(rec(
        format!("_dmarc.{d}"),
        Kind::Txt,
        format!("v=DMARC1; p=quarantine; rua=mailto:postmaster@{d}"),
        Purpose::Dmarc,
        Rule::Tagged("v=DMARC1"),
    ));
    v.push(optional(rec(
        format!("autoconfig.{d}"),
        Kind::Cname,
        h.clone(),
        Purpose::Autoconfig,
        Rule::PointsAtHost,
    )));
    v.push(optional(rec(
        format!("_autodiscover._tcp.{d}"),
        Kind::Srv,
        format!("0 1 443 {h}"),
        Purpose::Autodiscover,
        Rule::Service,
    )));
    let service = |name: &'static str, port: u16| {
        optional(rec(
            format!("_{name}._tcp.{d}"),
            Kind::Srv,
            format!("0 1 {port} {h}"),
            Purpose::Service(name),
            Rule::Service,
        ))
    };
    let not_offered = |name: &'static str| {
        optional(rec(
            format!("_{name}._tcp.{d}"),
            Kind::Srv,
            "0 0 0 .".into(),
            Purpose::NotOffered(name),
            Rule::Service,
        ))
    };
    v.push(service("pop3s", host.pop3s));
    v.push(service("pop3", host.pop3));
    match host.submission {
        Some(port) => {
            v.push(service("submissions", 465));
            v.push(service("submission", port));
        }
        None => {
            v.push(not_offered("submissions"));
            v.push(not_offered("submission"));
        }
    }
    v.push(not_offered("imaps"));
    v.push(not_offered("imap"));
    let policy = mta_sts_policy(&host.name, host.mta_sts_enforce);
    v.push(optional(rec(
        format!("mta-sts.{d}"),
        Kind::Cname,
        h.clone(),
        Purpose::MtaStsName,
        Rule::PointsAtHost,
    )));
    v.push(optional(rec(
        format!("_mta-sts.{d}"),
        Kind::Txt,
        format!("v=STSv1; id={}", mta_sts_id(&policy)),
        Purpose::MtaSts,
        Rule::Same,
    )));
    v.push(optional(rec(
        format!("_smtp._tls.{d}"),
        Kind::Txt,
        format!("v=TLSRPTv1; rua=mailto:postmaster@{d}"),
        Purpose::TlsRpt,
        Rule::Tagged("v=TLSRPTv1"),
    )));
    v
}

/// The records of a domain alias (issue 17): what mail to it and from it needs — MX, SPF,
/// the domain's DKIM keys under the alias's name (it signs as itself), DMARC, MTA-STS and
/// TLS-RPT. Mail programs keep using the domain's own names, so none of those.
pub fn alias_plan(alias: &str, host: &Host, dkim: &[DkimRecord]) -> Vec<Wanted> {
    domain_plan(alias, "cobalt", host, dkim)
        .into_iter()
        .filter(|w| {
            matches!(
                w.purpose,
                Purpose::Mx
                    | Purpose::Spf
                    | Purpose::Dkim(_)
                    | Purpose::Dmarc
                    | Purpose::MtaStsName
                    | Purpose::MtaSts
                    | Purpose::TlsRpt
            )
        })
        .collect()
}

/// The host's own records (on `/admin`): its addresses, their reverse names (PTR, which
/// receivers compare with the SMTP greeting), its SPF (for its bounces, sent with its name in
/// HELO) and its DKIM keys.
pub fn host_plan(host: &Host, dkim: &[DkimRecord]) -> Vec<Wanted> {
    let h = host.name.trim_end_matches('.').to_ascii_lowercase();
    let mut v = Vec::new();
    for a in &host.addresses {
        let kind = if a.contains(':') { Kind::Aaaa } else { Kind::A };
        v.push(Wanted {
            name: h.clone(),
            kind,
            value: a.clone(),
            purpose: Purpose::HostAddress,
            rule: Rule::Among,
            optional: false,
        });
    }
    for a in &host.addresses {
        if let Some(name) = reverse_name(a) {
            v.push(Wanted {
                name,
                kind: Kind::Ptr,
                value: h.clone(),
                purpose: Purpose::HostPtr,
                rule: Rule::Same,
                optional: false,
            });
        }
    }
    v.push(Wanted {
        name: h.clone(),
        kind: Kind::Txt,
        value: "v=spf1 a -all".into(),
        purpose: Purpose::HostSpf,
        rule: Rule::Spf,
        optional: false,
    });
    for k in dkim {
        v.push(Wanted {
            name: format!("{}._domainkey.{h}", k.selector),
            kind: Kind::Txt,
            value: k.value.clone(),
            purpose: Purpose::Dkim(k.state),
            rule: Rule::Same,
            optional: false,
        });
    }
    v
}

/// `in-addr.arpa` / `ip6.arpa` name of an address (RFC 1035 §3.5, RFC 3596 §2.5).
pub fn reverse_name(address: &str) -> Option<String> {
    match address.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(v4) => {
            let o = v4.octets();
            Some(format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0]))
        }
        std::net::IpAddr::V6(v6) => {
            let nibbles: Vec<String> = v6
                .octets()
                .iter()
                .rev()
                .flat_map(|b| [b & 0x0f, b >> 4])
                .map(|n| format!("{n:x}"))
                .collect();
            Some(format!("{}.ip6.arpa", nibbles.join(".")))
        }
    }
}

/// A zone file (RFC 1035 §5) of the records, for the webmaster's DNS host to import.
pub fn zone_file(origin: &str, records: &[Wanted], comment: &str) -> String {
    let mut out = format!(
        "; {comment}\n$ORIGIN {}.\n$TTL 3600\n",
        origin.trim_end_matches('.')
    );
    for w in records {
        let value = match w.kind {
            Kind::Txt => quoted(&w.value),
            Kind::Cname | Kind::Ptr => format!("{}.", w.value.trim_end_matches('.')),
            Kind::Mx | Kind::Srv => {
                let mut parts: Vec<String> = w.value.split(' ').map(String::from).collect();
                if let Some(last) = parts.last_mut()
                    && last != "."
                {
                    last.push('.');
                }
                parts.join(" ")
            }
            Kind::A | Kind::Aaaa => w.value.clone(),
        };
        if value.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "{}. IN {} {value}\n",
            w.name.trim_end_matches('.'),
            w.kind.as_str()
        ));
    }
    out
}

/// A TXT value as zone-file character-strings of at most 255 octets (RFC 1035 §3.3.14).
pub fn quoted(value: &str) -> String {
    let escaped: Vec<String> = value
        .as_bytes()
        .chunks(255)
        .map(|c| {
            let s = String::from_utf8_lossy(c);
            format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
        })
        .collect();
    escaped.join(" ")
}

/// What a record is for, in words: (title, explanation).
pub fn words(p: &Purpose, lang: Lang) -> (String, String) {
    use crate::domain::dkim::KeyState;
    let when = crate::i18n::iso_date;
    let (title, text) = match p {
        Purpose::Mx => (
            lang.pick("Réception du courrier (MX)", "Receiving mail (MX)").to_string(),
            lang.pick(
                "Dit aux autres serveurs où livrer le courrier de votre domaine. Sans lui, vous ne recevez rien.",
                "Tells other servers where to deliver your domain's mail. Without it, nothing arrives.",
            )
            .to_string(),
        ),
        Purpose::ClientServer => (
            lang.pick("Serveur de vos logiciels de courrier", "Server of your mail programs")
                .to_string(),
            lang.pick(
                "Le nom que les téléphones et logiciels de courrier utilisent pour relever et envoyer : il doit mener à ce serveur.",
                "The name phones and mail programs use to collect and send: it must lead to this server.",
            )
            .to_string(),
        ),
        Purpose::Spf => (
            lang.pick("Expéditeurs autorisés (SPF)", "Allowed senders (SPF)").to_string(),
            lang.pick(
                "Dit quels serveurs peuvent envoyer au nom de votre domaine. Si d'autres services envoient pour vous (boutique, lettre d'information), ajoutez-les avant « -all ».",
                "Says which servers may send for your domain. If other services send for you (a shop, a newsletter), add them before \"-all\".",
            )
            .to_string(),
        ),
        Purpose::Dkim(state) => (
            lang.pick("Signature (DKIM)", "Signature (DKIM)").to_string(),
            match state {
                KeyState::Signing => lang
                    .pick(
                        "La clé publique qui prouve que vos messages viennent bien de vous.",
                        "The public key that proves your messages really come from you.",
                    )
                    .to_string(),
                KeyState::Retiring { until } => crate::tr!(
                    lang,
                    "La clé actuelle, remplacée le {} : laissez-la publiée.",
                    "The current key, replaced on {}: keep it published.",
                    when(*until)
                ),
                KeyState::Next { from } => crate::tr!(
                    lang,
                    "Nouvelle clé : publiez-la maintenant, elle signera à partir du {}.",
                    "New key: publish it now; it signs from {}.",
                    when(*from)
                ),
                KeyState::Retired { remove_from } => crate::tr!(
                    lang,
                    "Ancienne clé, plus utilisée : vous pourrez la retirer à partir du {}.",
                    "Old key, no longer used: you may remove it from {}.",
                    when(*remove_from)
                ),
            },
        ),
        Purpose::Dmarc => (
            lang.pick("Politique d'authentification (DMARC)", "Authentication policy (DMARC)")
                .to_string(),
            lang.pick(
                "Dit aux destinataires quoi faire d'un message qui se réclame de votre domaine sans l'être (« quarantine » : le mettre en indésirable), et où vous envoyer leurs rapports.",
                "Tells receivers what to do with a message that claims your domain falsely (\"quarantine\": file it as junk), and where to send you their reports.",
            )
            .to_string(),
        ),
        Purpose::Autoconfig => (
            lang.pick("Configuration automatique", "Automatic set-up").to_string(),
            lang.pick(
                "Permet à Thunderbird et à d'autres logiciels de se régler seuls avec l'adresse et le mot de passe.",
                "Lets Thunderbird and other programs set themselves up from the address and password alone.",
            )
            .to_string(),
        ),
        Purpose::Autodiscover => (
            lang.pick("Configuration automatique (Outlook)", "Automatic set-up (Outlook)")
                .to_string(),
            lang.pick(
                "Le même service pour Outlook.",
                "The same service for Outlook.",
            )
            .to_string(),
        ),
        Purpose::Service(s) => (
            crate::tr!(lang, "Service offert : {s}", "Service offered: {s}"),
            lang.pick(
                "Indique aux logiciels de courrier le serveur et le port de ce service.",
                "Tells mail programs the server and port of this service.",
            )
            .to_string(),
        ),
        Purpose::NotOffered(s) => (
            crate::tr!(lang, "Service non offert : {s}", "Service not offered: {s}"),
            lang.pick(
                "Dit aux logiciels de courrier de ne pas chercher ce service ici.",
                "Tells mail programs not to look for this service here.",
            )
            .to_string(),
        ),
        Purpose::MtaStsName => (
            lang.pick("Politique TLS (MTA-STS) : adresse", "TLS policy (MTA-STS): address")
                .to_string(),
            lang.pick(
                "Le nom où les autres serveurs lisent votre politique de chiffrement.",
                "The name where other servers read your encryption policy.",
            )
            .to_string(),
        ),
        Purpose::MtaSts => (
            lang.pick("Politique TLS (MTA-STS)", "TLS policy (MTA-STS)").to_string(),
            lang.pick(
                "Demande aux autres serveurs de vous livrer toujours chiffré. Son identifiant change quand la politique change.",
                "Asks other servers to always deliver to you encrypted. Its id changes when the policy does.",
            )
            .to_string(),
        ),
        Purpose::TlsRpt => (
            lang.pick("Rapports TLS (TLS-RPT)", "TLS reports (TLS-RPT)").to_string(),
            lang.pick(
                "Où les autres serveurs signalent un échec de chiffrement en vous livrant.",
                "Where other servers report a failure to encrypt when delivering to you.",
            )
            .to_string(),
        ),
        Purpose::HostAddress => (
            lang.pick("Adresse du serveur", "The server's address").to_string(),
            lang.pick(
                "Le nom du serveur doit mener à son adresse publique.",
                "The server's name must lead to its public address.",
            )
            .to_string(),
        ),
        Purpose::HostPtr => (
            lang.pick("Nom inverse (PTR)", "Reverse name (PTR)").to_string(),
            lang.pick(
                "L'adresse doit redonner le nom du serveur (celui de son accueil SMTP) : beaucoup de serveurs refusent sinon. Il se règle chez le fournisseur de l'adresse.",
                "The address must give back the server's name (its SMTP greeting): many servers refuse mail otherwise. It is set with the address's provider.",
            )
            .to_string(),
        ),
        Purpose::HostSpf => (
            lang.pick("Expéditeurs autorisés du serveur (SPF)", "The server's allowed senders (SPF)")
                .to_string(),
            lang.pick(
                "Pour les avis de non-remise, envoyés au nom du serveur.",
                "For the delivery failure notices, sent in the server's name.",
            )
            .to_string(),
        ),
    };
    (title, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dkim::KeyState;

    fn host() -> Host {
        Host {
            name: "mail.courrier.test".into(),
            addresses: vec!["192.0.2.25".into(), "2001:db8::25".into()],
            configured: true,
            pop3: 110,
            pop3s: 995,
            submission: Some(587),
            mta_sts_enforce: false,
        }
    }

    fn plan() -> Vec<Wanted> {
        let dkim = [DkimRecord {
            selector: "c20261130e".into(),
            value: "v=DKIM1; k=ed25519; p=AAAA".into(),
            state: KeyState::Signing,
        }];
        domain_plan("votredomaine.com", "cobalt", &host(), &dkim)
    }

    fn find<'a>(plan: &'a [Wanted], name: &str, kind: Kind) -> &'a Wanted {
        plan.iter()
            .find(|w| w.name == name && w.kind == kind)
            .unwrap_or_else(|| panic!("{name} {kind:?} in {plan:#?}"))
    }

    #[test]
    fn a_domain_alias_needs_mail_records_only() {
        let dkim = [DkimRecord {
            selector: "c20261130e".into(),
            value: "v=DKIM1; k=ed25519; p=AAAA".into(),
            state: KeyState::Signing,
        }];
        let p = alias_plan("ancien-nom.fr", &host(), &dkim);
        assert_eq!(
            find(&p, "ancien-nom.fr", Kind::Mx).value,
            "10 mail.courrier.test"
        );
        assert_eq!(
            find(&p, "c20261130e._domainkey.ancien-nom.fr", Kind::Txt).value,
            "v=DKIM1; k=ed25519; p=AAAA"
        );
        assert!(
            find(&p, "_dmarc.ancien-nom.fr", Kind::Txt)
                .value
                .contains("postmaster@ancien-nom.fr")
        );
        // Mail programs keep the domain's own names: no A, no autoconfig, no SRV.
        assert!(
            p.iter()
                .all(|w| !matches!(w.kind, Kind::A | Kind::Aaaa | Kind::Srv)
                    && !w.name.starts_with("autoconfig."))
        );
    }

    #[test]
    fn a_domain_needs_these_records() {
        let p = plan();
        assert_eq!(
            find(&p, "votredomaine.com", Kind::Mx).value,
            "10 mail.courrier.test"
        );
        assert_eq!(
            find(&p, "votredomaine.com", Kind::Txt).value,
            "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 -all"
        );
        // The Cobalt style: mail programs use the domain itself, which cannot be a CNAME.
        assert_eq!(find(&p, "votredomaine.com", Kind::A).value, "192.0.2.25");
        assert!(
            find(&p, "c20261130e._domainkey.votredomaine.com", Kind::Txt)
                .value
                .contains("k=ed25519")
        );
        assert!(
            find(&p, "_dmarc.votredomaine.com", Kind::Txt)
                .value
                .starts_with("v=DMARC1; p=quarantine; rua=mailto:postmaster@")
        );
        assert_eq!(
            find(&p, "_pop3s._tcp.votredomaine.com", Kind::Srv).value,
            "0 1 995 mail.courrier.test"
        );
        assert_eq!(
            find(&p, "_submissions._tcp.votredomaine.com", Kind::Srv).value,
            "0 1 465 mail.courrier.test"
        );
        assert_eq!(
            find(&p, "_imaps._tcp.votredomaine.com", Kind::Srv).value,
            "0 0 0 ."
        );
        assert!(
            find(&p, "_mta-sts.votredomaine.com", Kind::Txt)
                .value
                .starts_with("v=STSv1; id=")
        );
        assert_eq!(
            find(&p, "autoconfig.votredomaine.com", Kind::Cname).value,
            "mail.courrier.test"
        );
        // The "antivirus" style: mail.DOMAIN, a CNAME; submission off: not offered.
        let h = Host {
            submission: None,
            configured: false,
            ..host()
        };
        let p = domain_plan("votredomaine.com", "antivirus", &h, &[]);
        assert_eq!(
            find(&p, "mail.votredomaine.com", Kind::Cname).value,
            "mail.courrier.test"
        );
        assert_eq!(
            find(&p, "_submission._tcp.votredomaine.com", Kind::Srv).value,
            "0 0 0 ."
        );
        assert_eq!(
            find(&p, "votredomaine.com", Kind::Txt).value,
            "v=spf1 mx -all"
        );
    }

    #[test]
    fn records_are_judged_found_missing_or_different() {
        let p = plan();
        let h = host();
        let mx = find(&p, "votredomaine.com", Kind::Mx);
        assert_eq!(
            judge(mx, &[normalize(Kind::Mx, "10 Mail.Courrier.Test.")], &h),
            Status::Found
        );
        assert_eq!(judge(mx, &[], &h), Status::Missing);
        assert_eq!(
            judge(mx, &["10 mx.oldhost.example".into()], &h),
            Status::Different(vec!["10 mx.oldhost.example".into()])
        );
        let spf = find(&p, "votredomaine.com", Kind::Txt);
        let found = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            judge(
                spf,
                &found(&["google-site-verification=x", "v=spf1 mx ~all"]),
                &h
            ),
            Status::Found
        );
        assert_eq!(
            judge(spf, &found(&["google-site-verification=x"]), &h),
            Status::Missing
        );
        assert!(matches!(
            judge(
                spf,
                &found(&["v=spf1 include:_spf.oldhost.example -all"]),
                &h
            ),
            Status::Different(_)
        ));
        let dkim = find(&p, "c20261130e._domainkey.votredomaine.com", Kind::Txt);
        assert_eq!(
            judge(dkim, &found(&["v=DKIM1;k=ed25519; p=AA AA"]), &h),
            Status::Found
        );
        assert!(matches!(
            judge(dkim, &found(&["v=DKIM1; k=ed25519; p=BBBB"]), &h),
            Status::Different(_)
        ));
        let dmarc = find(&p, "_dmarc.votredomaine.com", Kind::Txt);
        assert_eq!(
            judge(dmarc, &found(&["v=DMARC1; p=none"]), &h),
            Status::Found
        );
        let a = find(&p, "votredomaine.com", Kind::A);
        assert_eq!(judge(a, &found(&["192.0.2.25"]), &h), Status::Found);
        assert!(matches!(
            judge(a, &found(&["198.51.100.7"]), &h),
            Status::Different(_)
        ));
        let srv = find(&p, "_pop3s._tcp.votredomaine.com", Kind::Srv);
        assert_eq!(
            judge(
                srv,
                &[normalize(Kind::Srv, "10 5 995 mail.courrier.test.")],
                &h
            ),
            Status::Found
        );
        let off = find(&p, "_imaps._tcp.votredomaine.com", Kind::Srv);
        assert_eq!(
            judge(off, &[normalize(Kind::Srv, "0 0 0 .")], &h),
            Status::Found
        );
    }

    #[test]
    fn a_host_without_a_full_name_or_an_address_is_said_so() {
        assert!(host_warnings(&host(), Lang::En).is_empty());
        let bare = Host {
            name: "vm".into(),
            addresses: Vec::new(),
            ..host()
        };
        let w = host_warnings(&bare, Lang::En);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("\"vm\""));
        assert!(public_address("192.0.2.25") && public_address("2001:db8::25"));
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "x",
        ] {
            assert!(!public_address(private), "{private}");
        }
    }

    #[test]
    fn the_host_needs_its_addresses_reverse_names_and_spf() {
        let p = host_plan(&host(), &[]);
        assert_eq!(
            find(&p, "25.2.0.192.in-addr.arpa", Kind::Ptr).value,
            "mail.courrier.test"
        );
        assert!(
            p.iter()
                .any(|w| w.kind == Kind::Ptr && w.name.ends_with(".8.b.d.0.1.0.0.2.ip6.arpa"))
        );
        assert_eq!(
            find(&p, "mail.courrier.test", Kind::Txt).value,
            "v=spf1 a -all"
        );
    }

    #[test]
    fn the_zone_file_has_absolute_names_and_split_strings() {
        let long = "p=".to_string() + &"A".repeat(400);
        let w = Wanted {
            name: "c._domainkey.votredomaine.com".into(),
            kind: Kind::Txt,
            value: long.clone(),
            purpose: Purpose::Dkim(KeyState::Signing),
            rule: Rule::Same,
            optional: false,
        };
        let z = zone_file(
            "votredomaine.com",
            &[w, find(&plan(), "votredomaine.com", Kind::Mx).clone()],
            "test",
        );
        assert!(z.contains("$ORIGIN votredomaine.com.\n"), "{z}");
        assert!(
            z.contains("votredomaine.com. IN MX 10 mail.courrier.test.\n"),
            "{z}"
        );
        assert!(
            z.contains(&format!("\"{}\" \"{}\"", &long[..255], &long[255..])),
            "{z}"
        );
        assert_eq!(mta_sts_id("a"), mta_sts_id("a"));
        assert_ne!(mta_sts_id("a"), mta_sts_id("b"));
    }
}
