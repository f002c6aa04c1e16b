//! The filter stage's rules (issue 14, docs/design.md "Inbound checks"): what each check of an
//! incoming message found, what the recipient's domain asked for, and the one answer the SMTP
//! dialogue gives before the `250`. Pure: the checks themselves (SPF/DKIM/DMARC, ClamAV,
//! rspamd) live in the server and report a [`Finding`] each.

/// Which check spoke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckKind {
    /// SPF, DKIM, DMARC, ARC and the hosted-sender rule.
    Sender,
    /// The virus scanner (clamd).
    Virus,
    /// The spam scorer (rspamd).
    Spam,
}

impl CheckKind {
    pub fn name(self) -> &'static str {
        match self {
            CheckKind::Sender => "sender",
            CheckKind::Virus => "virus",
            CheckKind::Spam => "spam",
        }
    }
}

/// An SMTP answer: code, enhanced status (RFC 3463) and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub code: u16,
    pub status: &'static str,
    pub text: String,
}

impl Answer {
    pub fn new(code: u16, status: &'static str, text: impl Into<String>) -> Answer {
        Answer {
            code,
            status,
            text: text.into(),
        }
    }
}

/// What one check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// Nothing against the message.
    Clean,
    /// Looks like spam or failed a `p=quarantine` policy: delivered, marked.
    Junk { reason: String },
    /// Must not be delivered: refused in the dialogue (5xx).
    Refuse { answer: Answer, reason: String },
    /// Could not decide now (a scanner that does not answer, greylisting): 4xx, the sender's
    /// server tries again later.
    Defer { answer: Answer, reason: String },
}

/// One check's report: its finding and the header fields it adds to a delivered message
/// (`Authentication-Results`, `X-Spam-*`, `X-Virus-Scan`), each a whole field without CRLF.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub kind: CheckKind,
    pub finding: Finding,
    pub headers: Vec<String>,
}

impl Report {
    pub fn clean(kind: CheckKind) -> Report {
        Report {
            kind,
            finding: Finding::Clean,
            headers: Vec::new(),
        }
    }
}

/// What a domain asks of its inbound mail (set by its webmaster or the host).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Filtering {
    /// Sender and spam checks ignored (their headers are still added).
    Off,
    /// Nothing refused for spam or a failed sender check: marked as junk instead.
    Mark,
    /// Refused as the checks say (the default).
    #[default]
    Refuse,
}

impl Filtering {
    pub fn as_str(self) -> &'static str {
        match self {
            Filtering::Off => "off",
            Filtering::Mark => "mark",
            Filtering::Refuse => "refuse",
        }
    }

    /// In words, for the pages and the change log.
    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        match self {
            Filtering::Off => lang.pick(
                "pas de filtrage (seuls les virus, s'ils sont recherchés)",
                "no filtering (only viruses, if looked for)",
            ),
            Filtering::Mark => lang.pick(
                "marquer les indésirables, ne rien refuser",
                "mark junk, refuse nothing",
            ),
            Filtering::Refuse => lang.pick(
                "refuser les indésirables et les expéditeurs falsifiés",
                "refuse junk and forged senders",
            ),
        }
    }

    pub fn parse(s: &str) -> Option<Filtering> {
        match s {
            "off" => Some(Filtering::Off),
            "mark" => Some(Filtering::Mark),
            "refuse" => Some(Filtering::Refuse),
            _ => None,
        }
    }
}

/// A domain's choices: sender/spam filtering, and whether viruses are looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub filtering: Filtering,
    pub viruses: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            filtering: Filtering::Refuse,
            viruses: true,
        }
    }
}

/// The stage's one answer for a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Deliver with `headers` added on top; `junk` says why it is marked, when it is.
    Deliver {
        headers: Vec<String>,
        junk: Option<String>,
    },
    Refuse {
        answer: Answer,
        reason: String,
        kind: CheckKind,
    },
    Defer {
        answer: Answer,
        reason: String,
        kind: CheckKind,
    },
}

/// Which checks a policy asks to run at all (the others are not run: no cost, no header).
pub fn wanted(kind: CheckKind, policy: Policy) -> bool {
    match kind {
        CheckKind::Virus => policy.viruses,
        // Sender results are recorded even when not acted on (Authentication-Results is
        // what a reader of the message uses to judge it).
        CheckKind::Sender => true,
        CheckKind::Spam => policy.filtering != Filtering::Off,
    }
}

/// Combines the reports under `policy`. A refusal wins over a deferral, a deferral over a
/// mark, a mark over a clean delivery; among refusals the virus scanner's comes first (its
/// answer names the virus), then the sender's, then the spam scorer's. Under `Mark` a sender
/// or spam refusal becomes a mark and their deferrals are dropped (mark-only never holds mail
/// back); under `Off` their findings are ignored. A virus finding is always acted on when
/// viruses are looked for.
pub fn decide(reports: &[Report], policy: Policy) -> Decision {
    let mut headers = Vec::new();
    let mut refusal: Option<(u8, Answer, String, CheckKind)> = None;
    let mut deferral: Option<(u8, Answer, String, CheckKind)> = None;
    let mut junk: Option<String> = None;
    for r in reports {
        if !wanted(r.kind, policy) {
            continue;
        }
        headers.extend(r.headers.iter().cloned());
        let rank = match r.kind {
            CheckKind::Virus => 0,
            CheckKind::Sender => 1,
            CheckKind::Spam => 2,
        };
        let acted = r.kind == CheckKind::Virus || policy.filtering == Filtering::Refuse;
        let ignored = r.kind != CheckKind::Virus && policy.filtering == Filtering::Off;
        if ignored {
            continue;
        }
        match &r.finding {
            Finding::Clean => {}
            Finding::Junk { reason } => {
                junk.get_or_insert_with(|| reason.clone());
            }
            Finding::Refuse { answer, reason } if acted => {
                if refusal.as_ref().is_none_or(|(k, ..)| rank < *k) {
                    refusal = Some((rank, answer.clone(), reason.clone(), r.kind));
                }
            }
            Finding::Refuse { reason, .. } => {
                junk.get_or_insert_with(|| reason.clone());
            }
            Finding::Defer { answer, reason } if acted => {
                if deferral.as_ref().is_none_or(|(k, ..)| rank < *k) {
                    deferral = Some((rank, answer.clone(), reason.clone(), r.kind));
                }
            }
            Finding::Defer { .. } => {}
        }
    }
    if let Some((_, answer, reason, kind)) = refusal {
        return Decision::Refuse {
            answer,
            reason,
            kind,
        };
    }
    if let Some((_, answer, reason, kind)) = deferral {
        return Decision::Defer {
            answer,
            reason,
            kind,
        };
    }
    Decision::Deliver { headers, junk }
}

/// How a user wants mail marked as junk to reach their POP3 mailbox.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JunkMode {
    /// `[SPAM]` before the subject, so that any mail program can sort on it (the default).
    #[default]
    Subject,
    /// The message as it came, with the `X-Spam` headers only.
    Headers,
}

impl JunkMode {
    pub fn as_str(self) -> &'static str {
        match self {
            JunkMode::Subject => "subject",
            JunkMode::Headers => "headers",
        }
    }

    /// In words, for the pages and the change log.
    pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
        match self {
            JunkMode::Subject => lang.pick(
                "« [SPAM] » devant le sujet",
                "\"[SPAM]\" before the subject",
            ),
            JunkMode::Headers => lang.pick(
                "le message tel quel, avec un en-tête X-Spam",
                "the message as it came, with an X-Spam header",
            ),
        }
    }

    pub fn parse(s: &str) -> Option<JunkMode> {
        match s {
            "subject" => Some(JunkMode::Subject),
            "headers" => Some(JunkMode::Headers),
            _ => None,
        }
    }
}

/// The prefix put before the subject of junk in `Subject` mode.
pub const JUNK_PREFIX: &str = "[SPAM] ";

/// `message` marked as junk for a user who chose `mode`: the `X-Spam: yes` field (with the
/// reason) on top, and in `Subject` mode `[SPAM] ` before the subject (added once; a message
/// without a subject gets one). The body and every other byte stay as they were.
pub fn mark_junk(message: &[u8], reason: &str, mode: JunkMode) -> Vec<u8> {
    let reason: String = reason
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = format!("X-Spam: yes ({reason})\r\n").into_bytes();
    if mode == JunkMode::Headers {
        out.extend_from_slice(message);
        return out;
    }
    let head = super::headers::header_section(message);
    // Where the Subject field starts: at the start of a line, case-insensitive.
    let at = (0..head.len()).find(|&i| {
        (i == 0 || head[i - 1] == b'\n')
            && head.len() >= i + 8
            && head[i..i + 8].eq_ignore_ascii_case(b"subject:")
    });
    match at {
        Some(i) => {
            let mut value = i + 8;
            while value < head.len() && (head[value] == b' ' || head[value] == b'\t') {
                value += 1;
            }
            let already = head[value..].starts_with(JUNK_PREFIX.trim_end().as_bytes());
            out.extend_from_slice(&message[..value]);
            if !already {
                out.extend_from_slice(JUNK_PREFIX.as_bytes());
            }
            out.extend_from_slice(&message[value..]);
        }
        None => {
            out.extend_from_slice(b"Subject: [SPAM]\r\n");
            out.extend_from_slice(message);
        }
    }
    out
}

/// A logged reason in the reader's language. The log keeps the checks' own words (English:
/// they are also the SMTP answer's); the known ones are put into French.
pub fn render_reason(reason: &str, lang: crate::i18n::Lang) -> String {
    use crate::i18n::Lang;
    if lang == Lang::En {
        return reason.to_string();
    }
    if let Some(name) = reason.strip_prefix("virus ") {
        return format!("virus {name}");
    }
    if let Some(rest) = reason.strip_prefix("spam score ")
        && let Some((score, action)) = rest.split_once(", rspamd: ")
    {
        let action = match action {
            "reject" => "refusé",
            "add header" | "rewrite subject" => "marqué",
            "soft reject" | "greylist" => "remis à plus tard",
            other => other,
        };
        return format!(
            "indésirable (score {}, rspamd : {action})",
            score.replace('.', ",")
        );
    }
    if let Some(rest) = reason.strip_prefix("DMARC p=reject of ") {
        return format!(
            "la politique DMARC de {rest} demande de refuser ce qui ne la respecte pas"
        );
    }
    if let Some(rest) = reason.strip_prefix("DMARC p=quarantine of ") {
        return format!(
            "la politique DMARC de {rest} demande de mettre à l'écart ce qui ne la respecte pas"
        );
    }
    if let Some(rest) = reason.strip_prefix("forged sender @")
        && let Some((domain, _)) = rest.split_once(' ')
    {
        return format!(
            "expéditeur falsifié : une adresse @{domain} envoyée d'ailleurs que par ce serveur"
        );
    }
    reason.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(kind: CheckKind, finding: Finding) -> Report {
        Report {
            kind,
            finding,
            headers: vec![format!("X-{}: seen", kind.name())],
        }
    }
    fn refuse(code: u16, text: &str) -> Finding {
        Finding::Refuse {
            answer: Answer::new(code, "5.7.1", text),
            reason: text.to_string(),
        }
    }
    fn defer(text: &str) -> Finding {
        Finding::Defer {
            answer: Answer::new(451, "4.7.0", text),
            reason: text.to_string(),
        }
    }
    fn junk(text: &str) -> Finding {
        Finding::Junk {
            reason: text.to_string(),
        }
    }
    const REFUSE: Policy = Policy {
        filtering: Filtering::Refuse,
        viruses: true,
    };
    const MARK: Policy = Policy {
        filtering: Filtering::Mark,
        viruses: true,
    };
    const OFF: Policy = Policy {
        filtering: Filtering::Off,
        viruses: false,
    };

    /// (what the checks found, the policy, what the stage answers)
    #[test]
    fn the_table() {
        use CheckKind::*;
        let virus = || report(Virus, refuse(554, "Eicar found"));
        let forged = || report(Sender, refuse(550, "DMARC reject"));
        let gtube = || report(Spam, refuse(550, "spam"));
        let down = || report(Virus, defer("scanner unavailable"));
        let greylist = || report(Spam, defer("try later"));
        let quarantine = || report(Sender, junk("DMARC quarantine"));
        let clean = |k| report(k, Finding::Clean);
        let kind_of = |d: &Decision| match d {
            Decision::Deliver { junk: None, .. } => "deliver".to_string(),
            Decision::Deliver { junk: Some(r), .. } => format!("junk: {r}"),
            Decision::Refuse { answer, .. } => format!("refuse {}", answer.text),
            Decision::Defer { answer, .. } => format!("defer {}", answer.text),
        };
        let table: Vec<(Vec<Report>, Policy, &str)> = vec![
            (
                vec![clean(Sender), clean(Virus), clean(Spam)],
                REFUSE,
                "deliver",
            ),
            (vec![], REFUSE, "deliver"),
            // The virus's answer comes first, whatever the order of the reports.
            (
                vec![gtube(), forged(), virus()],
                REFUSE,
                "refuse Eicar found",
            ),
            (vec![gtube(), forged()], REFUSE, "refuse DMARC reject"),
            // A refusal wins over a deferral.
            (vec![down(), forged()], REFUSE, "refuse DMARC reject"),
            (
                vec![down(), clean(Sender)],
                REFUSE,
                "defer scanner unavailable",
            ),
            (vec![greylist(), quarantine()], REFUSE, "defer try later"),
            (
                vec![quarantine(), clean(Spam)],
                REFUSE,
                "junk: DMARC quarantine",
            ),
            // Mark only: refusals of sender and spam become marks, deferrals are dropped;
            // viruses are still refused, and a scanner down still defers.
            (vec![forged(), gtube()], MARK, "junk: DMARC reject"),
            (vec![greylist()], MARK, "deliver"),
            (vec![virus(), forged()], MARK, "refuse Eicar found"),
            (vec![down()], MARK, "defer scanner unavailable"),
            // Off (and viruses off): nothing acted on.
            (vec![virus(), forged(), gtube(), down()], OFF, "deliver"),
            (vec![quarantine()], OFF, "deliver"),
        ];
        for (reports, policy, want) in table {
            let got = decide(&reports, policy);
            assert_eq!(kind_of(&got), want, "{reports:?} under {policy:?}");
        }
    }

    #[test]
    fn headers_of_the_checks_that_ran() {
        let reports = [
            report(CheckKind::Sender, Finding::Clean),
            report(CheckKind::Virus, Finding::Clean),
            report(CheckKind::Spam, Finding::Clean),
        ];
        let Decision::Deliver { headers, .. } = decide(&reports, REFUSE) else {
            panic!()
        };
        assert_eq!(headers, ["X-sender: seen", "X-virus: seen", "X-spam: seen"]);
        // Viruses off, filtering off: the sender's record stays, the others were not wanted.
        let Decision::Deliver { headers, .. } = decide(&reports, OFF) else {
            panic!()
        };
        assert_eq!(headers, ["X-sender: seen"]);
    }

    #[test]
    fn junk_is_marked_the_users_way() {
        let m = b"From: a@example.org\r\nSubject: Cheap pills\r\n\r\nBuy now\r\n";
        let subject = mark_junk(m, "spam score 16", JunkMode::Subject);
        assert_eq!(
            subject,
            b"X-Spam: yes (spam score 16)\r\nFrom: a@example.org\r\nSubject: [SPAM] Cheap pills\r\n\r\nBuy now\r\n"
        );
        // Once only.
        let twice = mark_junk(&subject[29..], "again", JunkMode::Subject);
        assert!(twice.ends_with(b"Subject: [SPAM] Cheap pills\r\n\r\nBuy now\r\n"));
        let headers = mark_junk(m, "x\r\nInjected: 1", JunkMode::Headers);
        assert_eq!(&headers[..30], b"X-Spam: yes (x  Injected: 1)\r\n");
        assert!(headers.ends_with(m));
        // No subject: one is given; a "Subject:" in the body is not the header.
        let none = mark_junk(
            b"From: a@b.c\r\n\r\nSubject: body\r\n",
            "r",
            JunkMode::Subject,
        );
        assert!(none.starts_with(b"X-Spam: yes (r)\r\nSubject: [SPAM]\r\nFrom: a@b.c\r\n"));
        assert!(none.ends_with(b"\r\n\r\nSubject: body\r\n"));
    }

    #[test]
    fn reasons_in_french() {
        use crate::i18n::Lang::{En, Fr};
        let fr = |r: &str| render_reason(r, Fr);
        assert_eq!(
            fr("virus Eicar-Test-Signature"),
            "virus Eicar-Test-Signature"
        );
        assert_eq!(
            fr("spam score 16.50, rspamd: reject"),
            "indésirable (score 16,50, rspamd : refusé)"
        );
        assert!(fr("DMARC p=reject of sender.example").contains("DMARC de sender.example"));
        assert!(
            fr("forged sender @votredomaine.com (SPF none, no DKIM)")
                .starts_with("expéditeur falsifié")
        );
        assert_eq!(render_reason("virus X", En), "virus X");
    }

    #[test]
    fn names_round_trip() {
        for f in [Filtering::Off, Filtering::Mark, Filtering::Refuse] {
            assert_eq!(Filtering::parse(f.as_str()), Some(f));
        }
        for m in [JunkMode::Subject, JunkMode::Headers] {
            assert_eq!(JunkMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(Filtering::parse("maybe"), None);
    }
}
