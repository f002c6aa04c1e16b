//! MTA-STS (RFC 8461) as pure rules: a policy file read, its MX patterns matched, and what a
//! policy asks of one delivery. The lookups, the HTTPS fetch and the cache are the server's
//! (`server/src/outbound/mta_sts.rs`).

/// What a policy asks (§5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Verified TLS to a listed MX, or no delivery (retried, then bounced).
    Enforce,
    /// Deliver as usual; failures are only reported (logged).
    Testing,
    /// The domain withdrew its policy.
    None,
}

/// A policy (§3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub mode: Mode,
    /// MX patterns: `mail.example.com` or `*.example.com`, lower case.
    pub mx: Vec<String>,
    /// Seconds the policy may be cached (at most a year, §3.2).
    pub max_age: u64,
}

/// The longest a policy is kept (§3.2: max_age up to 31557600).
pub const MAX_AGE_LIMIT: u64 = 31_557_600;

/// Reads a policy file: `key: value` lines (CRLF or LF), `version: STSv1` required; unknown
/// keys ignored (§3.2).
pub fn parse(text: &str) -> Result<Policy, String> {
    let mut version = None;
    let mut mode = None;
    let mut max_age = None;
    let mut mx = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!("not a policy line: {line:?}"));
        };
        let value = value.trim();
        match key.trim() {
            "version" => version = Some(value.to_string()),
            "mode" => {
                mode = Some(match value {
                    "enforce" => Mode::Enforce,
                    "testing" => Mode::Testing,
                    "none" => Mode::None,
                    other => return Err(format!("unknown mode {other:?}")),
                })
            }
            "max_age" => {
                max_age = Some(
                    value
                        .parse::<u64>()
                        .map_err(|_| format!("max_age {value:?} is not a number"))?
                        .min(MAX_AGE_LIMIT),
                )
            }
            "mx" => mx.push(value.trim_end_matches('.').to_ascii_lowercase()),
            _ => {}
        }
    }
    if version.as_deref() != Some("STSv1") {
        return Err("no \"version: STSv1\"".into());
    }
    let mode = mode.ok_or("no mode")?;
    let max_age = max_age.ok_or("no max_age")?;
    if mode != Mode::None && mx.is_empty() {
        return Err("no mx".into());
    }
    Ok(Policy { mode, mx, max_age })
}

/// Whether `host` is one of the policy's MX (§4.1: a `*.` pattern stands for exactly one
/// leftmost label).
pub fn mx_matches(policy: &Policy, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    policy.mx.iter().any(|p| match p.strip_prefix("*.") {
        Some(base) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == base),
        None => *p == host,
    })
}

/// What one delivery to `host` must do under a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// As without a policy: STARTTLS when offered, certificates not checked.
    Opportunistic,
    /// Verified TLS to this host; nothing in clear.
    VerifiedTls,
    /// Not to this host: it is not among the policy's MX (the reason, for the queue).
    Refused(String),
}

/// The requirement of `policy` (None: no policy) for `host`; with `testing`, what enforce
/// would have refused is only reported, so the delivery stays opportunistic (§5).
pub fn requirement(policy: Option<&Policy>, host: &str) -> Requirement {
    match policy {
        Some(p) if p.mode == Mode::Enforce => {
            if mx_matches(p, host) {
                Requirement::VerifiedTls
            } else {
                Requirement::Refused(format!(
                    "{host} is not among the MX of the domain's MTA-STS policy ({})",
                    p.mx.join(", ")
                ))
            }
        }
        _ => Requirement::Opportunistic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_are_read_as_the_rfc_writes_them() {
        let p = parse(
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.Example.net.\r\nmax_age: 86400\r\n",
        )
        .unwrap();
        assert_eq!(p.mode, Mode::Enforce);
        assert_eq!(p.mx, ["mail.example.com", "*.example.net"]);
        assert_eq!(p.max_age, 86400);
        assert!(
            parse("mode: enforce\nmx: a\nmax_age: 1\n").is_err(),
            "no version"
        );
        assert!(parse("version: STSv1\nmode: strict\nmx: a\nmax_age: 1\n").is_err());
        assert!(
            parse("version: STSv1\nmode: enforce\nmax_age: 1\n").is_err(),
            "no mx"
        );
        assert_eq!(
            parse("version: STSv1\nmode: testing\nmx: a\nmax_age: 99999999999\nextra: x\n")
                .unwrap()
                .max_age,
            MAX_AGE_LIMIT
        );
    }

    #[test]
    fn wildcards_stand_for_one_label() {
        let p = parse(
            "version: STSv1\nmode: enforce\nmx: *.example.net\nmx: mx.example.com\nmax_age: 1\n",
        )
        .unwrap();
        assert!(mx_matches(&p, "mx1.example.net."));
        assert!(!mx_matches(&p, "a.b.example.net"));
        assert!(!mx_matches(&p, "example.net"));
        assert!(mx_matches(&p, "MX.example.com"));
        assert_eq!(
            requirement(Some(&p), "mx.example.com"),
            Requirement::VerifiedTls
        );
        assert!(matches!(
            requirement(Some(&p), "evil.example.org"),
            Requirement::Refused(_)
        ));
        let testing = Policy {
            mode: Mode::Testing,
            ..p
        };
        assert_eq!(
            requirement(Some(&testing), "evil.example.org"),
            Requirement::Opportunistic
        );
        assert_eq!(requirement(None, "x"), Requirement::Opportunistic);
    }
}
