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
