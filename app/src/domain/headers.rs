//! Reading the header section of a message (RFC 5322 §2.2): unfolded fields, by name.

/// The header section: everything up to the first empty line (CRLF line ends).
pub fn header_section(message: &[u8]) -> &[u8] {
    if message.starts_with(b"\r\n") {
        return &message[..0];
    }
    match message.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(p) => &message[..p + 2],
        None => message,
    }
}

/// The fields of a header section as (lower-case name, unfolded value) pairs, in order.
pub fn fields(message: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(header_section(message));
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    out
}

/// The first value of field `name`.
pub fn first(fields: &[(String, String)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// How many `Received:` fields (loop detection, RFC 5321 §6.3).
pub fn count_received(message: &[u8]) -> usize {
    header_section(message)
        .split(|&b| b == b'\n')
        .filter(|l| l.len() >= 9 && l[..9].eq_ignore_ascii_case(b"received:"))
        .count()
}

/// The addresses in an address-list field value (`"Name" <a@b>, c@d`), lower case.
pub fn addresses(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut item = String::new();
    let mut quoted = false;
    let mut depth = 0usize;
    for c in value.chars().chain(std::iter::once(',')) {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                let it = item.trim();
                let addr = match (it.rfind('<'), it.rfind('>')) {
                    (Some(a), Some(b)) if a < b => &it[a + 1..b],
                    _ => it,
                };
                let addr = addr.trim().to_lowercase();
                if addr.contains('@') {
                    out.push(addr);
                }
                item.clear();
                continue;
            }
            _ => {}
        }
        if !quoted && depth > 0 || c == '(' || c == ')' {
            continue;
        }
        item.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_addresses() {
        let m = b"Received: a\r\nreceived: b\r\nSubject: Bonjour\r\n\tle monde\r\nTo: \"Martin, Pierre\" <PMartin@Votredomaine.com>, info@votredomaine.com (bureau)\r\n\r\nReceived: body\r\n";
        let f = fields(m);
        assert_eq!(first(&f, "Subject").as_deref(), Some("Bonjour le monde"));
        assert_eq!(count_received(m), 2);
        assert_eq!(
            addresses(&first(&f, "to").unwrap()),
            ["pmartin@votredomaine.com", "info@votredomaine.com"]
        );
        assert_eq!(count_received(b"\r\nReceived: x\r\n"), 0);
        assert!(addresses("undisclosed-recipients:;").is_empty());
    }
}

/// `message` without the `Authentication-Results` fields that claim to come from
/// `authserv_id` (RFC 8601 §5: a receiver removes those before adding its own, so that no
/// sender can forge its verdict), continuation lines included; None when there is none.
pub fn without_results_of(message: &[u8], authserv_id: &str) -> Option<Vec<u8>> {
    let head_len = header_section(message).len();
    let head = &message[..head_len];
    let mut out = Vec::with_capacity(message.len());
    let mut removed = false;
    let mut dropping = false;
    let mut start = 0;
    while start < head.len() {
        let end = head[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(head.len(), |p| start + p + 1);
        let line = &head[start..end];
        let continuation = matches!(line.first(), Some(b' ' | b'\t'));
        if !continuation {
            dropping = claims(line, authserv_id);
            removed |= dropping;
        }
        if !dropping {
            out.extend_from_slice(line);
        }
        start = end;
    }
    if !removed {
        return None;
    }
    out.extend_from_slice(&message[head_len..]);
    Some(out)
}

/// Whether a field's first line is an Authentication-Results of `authserv_id`.
fn claims(line: &[u8], authserv_id: &str) -> bool {
    const NAME: &[u8] = b"authentication-results:";
    if line.len() < NAME.len() || !line[..NAME.len()].eq_ignore_ascii_case(NAME) {
        return false;
    }
    let value = String::from_utf8_lossy(&line[NAME.len()..]);
    // authserv-id [version] ";" …
    let id = value
        .split(';')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .next();
    id.is_some_and(|id| id.eq_ignore_ascii_case(authserv_id))
}

#[cfg(test)]
mod results_tests {
    use super::without_results_of;

    #[test]
    fn forged_results_of_this_server_go() {
        let m = b"Authentication-Results: mx.courrier.test;\r\n\tspf=pass smtp.mailfrom=a@b.c\r\nAuthentication-Results: other.example; dkim=fail\r\nauthentication-results: MX.Courrier.Test 1; dmarc=pass\r\nSubject: x\r\n\r\nAuthentication-Results: mx.courrier.test; body stays\r\n";
        let out = without_results_of(m, "mx.courrier.test").unwrap();
        assert_eq!(
            out,
            b"Authentication-Results: other.example; dkim=fail\r\nSubject: x\r\n\r\nAuthentication-Results: mx.courrier.test; body stays\r\n"
        );
        assert_eq!(
            without_results_of(b"Subject: x\r\n\r\nbody\r\n", "mx.courrier.test"),
            None
        );
        // A name that only starts like ours is not ours.
        assert_eq!(
            without_results_of(
                b"Authentication-Results: mx.courrier.test.evil; x\r\n\r\n",
                "mx.courrier.test"
            ),
            None
        );
    }
}
