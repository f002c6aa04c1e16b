//! The Sender Rewriting Scheme (SRS, Shevek 2004; the scheme postsrsd and Postfix users know):
//! a forwarded message leaves with an envelope sender in the forwarding user's domain, so the
//! destination's SPF check (RFC 7208) sees a domain that authorises this server, and a bounce
//! sent back to that address can be routed to the original sender — but only for addresses
//! this server made (keyed hash) and recently (timestamp), so it is no open relay.
//!
//! Forms, with `=` as the separator:
//! - `SRS0=HHHHHHHH=TT=orig.domain=orig-local@forwarder.domain` for a plain sender;
//! - `SRS1=HHHHHHHH=first.forwarder==HHHH=TT=orig.domain=orig-local@forwarder.domain` when
//!   the sender is already an SRS address of another forwarder: the bounce goes back to the
//!   first forwarder, who knows the original sender (the chain never grows).
//!
//! The hash is ours alone to check, so it is a truncated HMAC-SHA256 in lower-case hex (local
//! parts are sometimes case-folded on the way back; hex survives that).

use sha2::{Digest, Sha256};

/// A rewritten address stays valid this many days (the spec's usual value).
pub const MAX_AGE_DAYS: i64 = 21;
/// The timestamp counts days modulo 1024, written in two base-32 characters.
const TT_MOD: i64 = 1024;
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HASH_LEN: usize = 8;

/// Why an SRS address was refused on its way back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SrsError {
    NotSrs,
    Malformed,
    BadHash,
    Expired,
}

impl std::fmt::Display for SrsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SrsError::NotSrs => "not an SRS address",
            SrsError::Malformed => "malformed SRS address",
            SrsError::BadHash => "SRS address not made by this server",
            SrsError::Expired => "SRS address too old",
        })
    }
}

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn hash(secret: &[u8], parts: &[&str]) -> String {
    let data = parts.join("=").to_ascii_lowercase();
    let mac = hmac_sha256(secret, data.as_bytes());
    mac.iter()
        .take(HASH_LEN / 2)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hash_ok(secret: &[u8], given: &str, parts: &[&str]) -> bool {
    given.len() == HASH_LEN && given.eq_ignore_ascii_case(&hash(secret, parts))
}

fn day(now: i64) -> i64 {
    now.div_euclid(86_400)
}

fn timestamp(now: i64) -> String {
    let t = day(now).rem_euclid(TT_MOD) as usize;
    [BASE32[t >> 5] as char, BASE32[t & 31] as char]
        .iter()
        .collect()
}

/// The age in days of a two-character timestamp, or None when it is not one.
fn age_days(tt: &str, now: i64) -> Option<i64> {
    let value = |c: u8| {
        BASE32
            .iter()
            .position(|&b| b == c.to_ascii_uppercase())
            .map(|p| p as i64)
    };
    let [a, b] = tt.as_bytes() else {
        return None;
    };
    let then = value(*a)? << 5 | value(*b)?;
    Some((day(now).rem_euclid(TT_MOD) - then).rem_euclid(TT_MOD))
}

fn split_address(address: &str) -> Option<(&str, &str)> {
    address
        .rsplit_once('@')
        .filter(|(l, d)| !l.is_empty() && !d.is_empty())
}

/// Whether a local part is in one of the SRS forms (checked before looking up mailboxes).
pub fn is_srs(local: &str) -> bool {
    local.len() > 5
        && (local[..5].eq_ignore_ascii_case("SRS0=") || local[..5].eq_ignore_ascii_case("SRS1="))
}

/// The envelope sender for mail `sender` forwards through `our_domain`. The null sender stays
/// null (a bounce is never rewritten), and so does a sender of `our_domain` itself.
pub fn forward(secret: &[u8], sender: &str, our_domain: &str, now: i64) -> String {
    let Some((local, domain)) = split_address(sender) else {
        return sender.to_string();
    };
    if domain.eq_ignore_ascii_case(our_domain) {
        return sender.to_string();
    }
    if local.len() > 5 && local[..5].eq_ignore_ascii_case("SRS0=") {
        // SRS0=rest@first → SRS1=H=first==rest… ("=rest" keeps its leading separator).
        let rest = &local[4..];
        let h = hash(secret, &[domain, rest]);
        return format!("SRS1={h}={domain}={rest}@{our_domain}");
    }
    if local.len() > 5 && local[..5].eq_ignore_ascii_case("SRS1=") {
        // SRS1=H=first==rest@previous → SRS1=H'=first==rest@us: the first forwarder stays.
        if let Some((_, after_hash)) = local[5..].split_once('=')
            && let Some((first, rest)) = after_hash.split_once('=')
        {
            let h = hash(secret, &[first, rest]);
            return format!("SRS1={h}={first}={rest}@{our_domain}");
        }
    }
    let tt = timestamp(now);
    let h = hash(secret, &[&tt, domain, local]);
    format!("SRS0={h}={tt}={domain}={local}@{our_domain}")
}

/// Where a bounce to an SRS address of ours goes: the original sender (SRS0), or the first
/// forwarder's SRS0 address (SRS1). Only addresses this server made, at most
/// `MAX_AGE_DAYS` old, are accepted.
pub fn reverse(secret: &[u8], address: &str, now: i64) -> Result<String, SrsError> {
    let (local, _) = split_address(address).ok_or(SrsError::NotSrs)?;
    if !is_srs(local) {
        return Err(SrsError::NotSrs);
    }
    let (tag, rest) = local.split_at(4);
    if tag.eq_ignore_ascii_case("SRS0") {
        // =HHHHHHHH=TT=domain=local (the original local part may itself hold '=').
        let mut it = rest[1..].splitn(4, '=');
        let (Some(h), Some(tt), Some(domain), Some(orig)) =
            (it.next(), it.next(), it.next(), it.next())
        else {
            return Err(SrsError::Malformed);
        };
        if domain.is_empty() || orig.is_empty() {
            return Err(SrsError::Malformed);
        }
        if !hash_ok(secret, h, &[tt, domain, orig]) {
            return Err(SrsError::BadHash);
        }
        match age_days(tt, now) {
            Some(age) if age <= MAX_AGE_DAYS => Ok(format!("{orig}@{domain}")),
            Some(_) => Err(SrsError::Expired),
            None => Err(SrsError::Malformed),
        }
    } else {
        // =HHHHHHHH=first==rest → SRS0=rest@first (the first forwarder checks its own hash).
        let mut it = rest[1..].splitn(3, '=');
        let (Some(h), Some(first), Some(tail)) = (it.next(), it.next(), it.next()) else {
            return Err(SrsError::Malformed);
        };
        if first.is_empty() || !tail.starts_with('=') || tail.len() < 2 {
            return Err(SrsError::Malformed);
        }
        if !hash_ok(secret, h, &[first, tail]) {
            return Err(SrsError::BadHash);
        }
        Ok(format!("SRS0{tail}@{first}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a secret of this server";
    const NOW: i64 = 1_795_000_000; // 2026-11-18

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // A key longer than a block is hashed first (RFC 4231 case 6).
        let mac = hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(mac[..4], [0x60, 0xe4, 0x31, 0x59]);
    }

    #[test]
    fn a_forward_round_trips_to_the_original_sender() {
        let srs = forward(SECRET, "alice@example.org", "votredomaine.com", NOW);
        assert!(srs.starts_with("SRS0="), "{srs}");
        assert!(
            srs.ends_with("=example.org=alice@votredomaine.com"),
            "{srs}"
        );
        assert_eq!(reverse(SECRET, &srs, NOW).unwrap(), "alice@example.org");
        // Case-folded on the way back: still recognised.
        assert_eq!(
            reverse(SECRET, &srs.to_lowercase(), NOW).unwrap(),
            "alice@example.org"
        );
        // Valid for 21 days, not 22.
        assert!(reverse(SECRET, &srs, NOW + 21 * 86_400).is_ok());
        assert_eq!(
            reverse(SECRET, &srs, NOW + 22 * 86_400),
            Err(SrsError::Expired)
        );
        // Across the 1024-day wrap of the timestamp.
        let late = forward(SECRET, "a@b.example", "d.example", 1023 * 86_400 + 5);
        assert!(reverse(SECRET, &late, 1024 * 86_400 + 5).is_ok());
    }

    #[test]
    fn local_parts_with_separators_survive() {
        let srs = forward(SECRET, "jean=luc+news@example.org", "d.example", NOW);
        assert_eq!(
            reverse(SECRET, &srs, NOW).unwrap(),
            "jean=luc+news@example.org"
        );
    }

    #[test]
    fn null_and_own_senders_are_not_rewritten() {
        assert_eq!(forward(SECRET, "", "d.example", NOW), "");
        assert_eq!(
            forward(SECRET, "pmartin@D.example", "d.example", NOW),
            "pmartin@D.example"
        );
    }

    #[test]
    fn forged_or_broken_addresses_are_refused() {
        let srs = forward(SECRET, "alice@example.org", "d.example", NOW);
        assert_eq!(
            reverse(b"another secret", &srs, NOW),
            Err(SrsError::BadHash)
        );
        let forged = srs.replace("alice", "mallory");
        assert_eq!(reverse(SECRET, &forged, NOW), Err(SrsError::BadHash));
        assert_eq!(
            reverse(SECRET, "pmartin@d.example", NOW),
            Err(SrsError::NotSrs)
        );
        for bad in [
            "SRS0=@d.example",
            "SRS0=abc@d.example",
            "SRS0=12345678=AA=example.org@d.example",
            "SRS0=12345678=AA==alice@d.example",
            "SRS1=12345678=first@d.example",
            "SRS1=12345678=first=x@d.example",
        ] {
            assert!(reverse(SECRET, bad, NOW).is_err(), "{bad}");
        }
        // A timestamp that is no base-32 pair.
        let h = hash(SECRET, &["!!", "example.org", "alice"]);
        let odd = format!("SRS0={h}=!!=example.org=alice@d.example");
        assert_eq!(reverse(SECRET, &odd, NOW), Err(SrsError::Malformed));
    }

    #[test]
    fn a_second_forwarder_makes_srs1_back_to_the_first() {
        let first = forward(SECRET, "alice@example.org", "first.example", NOW);
        let ours = forward(b"second", &first, "second.example", NOW);
        assert!(ours.starts_with("SRS1="), "{ours}");
        assert!(ours.ends_with("@second.example"));
        // Back at the second forwarder: to the first forwarder's SRS0 address …
        let back = reverse(b"second", &ours, NOW).unwrap();
        assert_eq!(back, first);
        // … which the first forwarder turns into the original sender.
        assert_eq!(reverse(SECRET, &back, NOW).unwrap(), "alice@example.org");
        // A third forwarder keeps the first one in the chain.
        let third = forward(b"third", &ours, "third.example", NOW);
        assert!(third.contains("=first.example=="), "{third}");
        assert_eq!(reverse(b"third", &third, NOW).unwrap(), first);
    }
}
