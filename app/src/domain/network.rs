//! IP networks for relay grants: an address or a CIDR block, IPv4 or IPv6.

use std::fmt;
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkError(pub String);

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"{}\" is not an IP address or a CIDR block (e.g. 192.0.2.7 or 192.0.2.0/28)",
            self.0
        )
    }
}

impl std::error::Error for NetworkError {}

impl Network {
    pub fn parse(input: &str) -> Result<Network, NetworkError> {
        let err = || NetworkError(input.trim().to_string());
        let s = input.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| err())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(err)?,
            None => max,
        };
        // Canonical form: the host bits cleared.
        let addr = mask(addr, prefix);
        Ok(Network { addr, prefix })
    }

    /// Wider than one customer's office would need — more than a /24 of IPv4 or a /48 of
    /// IPv6 — so that a typo (`/2` for `/28`) does not open the relay to the world.
    pub fn is_wide(&self) -> bool {
        self.prefix < if self.addr.is_ipv4() { 24 } else { 48 }
    }

    /// Whether `ip` is in one of `networks`.
    pub fn any_contains(networks: &[Network], ip: IpAddr) -> bool {
        networks.iter().any(|n| n.contains(ip))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is that IPv4 client.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        ip.is_ipv4() == self.addr.is_ipv4() && mask(ip, self.prefix) == self.addr
    }
}

fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(prefix))
            };
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(prefix))
            };
            IpAddr::V6((bits & m).into())
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let max = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == max {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parse_and_contains() {
        let n = Network::parse("192.0.2.77/28").unwrap();
        assert_eq!(n.to_string(), "192.0.2.64/28");
        assert!(n.contains(ip("192.0.2.64")) && n.contains(ip("192.0.2.79")));
        assert!(!n.contains(ip("192.0.2.80")) && !n.contains(ip("::1")));
        assert!(n.contains(ip("::ffff:192.0.2.70")));
        let one = Network::parse(" 127.0.0.7 ").unwrap();
        assert_eq!(one.to_string(), "127.0.0.7");
        assert!(one.contains(ip("127.0.0.7")) && !one.contains(ip("127.0.0.1")));
        let v6 = Network::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")));
        assert!(Network::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        for bad in [
            "",
            "x",
            "192.0.2.1/33",
            "::1/129",
            "192.0.2.1/-1",
            "192.0.2/24",
        ] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wide_networks() {
        for wide in [
            "0.0.0.0/0",
            "10.0.0.0/8",
            "192.0.0.0/23",
            "2001:db8::/32",
            "::/0",
        ] {
            assert!(Network::parse(wide).unwrap().is_wide(), "{wide}");
        }
        for narrow in [
            "192.0.2.0/24",
            "192.0.2.7",
            "2001:db8:1::/48",
            "2001:db8::1",
        ] {
            assert!(!Network::parse(narrow).unwrap().is_wide(), "{narrow}");
        }
    }
}
