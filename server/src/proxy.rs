//! The PROXY protocol (HAProxy's "PROXY protocol" specification, versions 1 and 2; issue 18):
//! the line or block a load balancer sends first on a connection it passes on, naming the
//! client it came from. What a header says is pure (`parse_v1`, `parse_v2`); `read_header`
//! takes it off the socket — exactly its bytes, within a deadline and a bound — for `net`,
//! which asks it of trusted addresses only (`[proxy] trusted`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// How long a balancer has to send its header.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Reads the header at the start of `s`, and nothing after it (the client's first bytes stay
/// for the session), within `within`.
pub async fn read_header<S: AsyncRead + Unpin>(
    s: &mut S,
    within: Duration,
) -> Result<Proxied, HeaderError> {
    let cut = |_| HeaderError::Invalid("cut short");
    let read = async {
        let mut start = [0u8; 16];
        s.read_exact(&mut start[..6])
            .await
            .map_err(|_| HeaderError::Missing)?;
        match version(&start[..6]) {
            Some(1) => {
                // Byte by byte: a version 1 line has no length, and what follows its CRLF
                // is the client's.
                let mut line = start[..6].to_vec();
                while !line.ends_with(b"\r\n") {
                    if line.len() >= V1_MAX {
                        return Err(HeaderError::Invalid("a version 1 line too long"));
                    }
                    let mut b = [0u8; 1];
                    s.read_exact(&mut b).await.map_err(cut)?;
                    line.push(b[0]);
                }
                parse_v1(&line)
            }
            Some(_) => {
                s.read_exact(&mut start[6..]).await.map_err(cut)?;
                let total = v2_length(&start)?;
                let mut block = start.to_vec();
                block.resize(total, 0);
                s.read_exact(&mut block[16..]).await.map_err(cut)?;
                parse_v2(&block)
            }
            None => Err(HeaderError::Missing),
        }
    };
    tokio::time::timeout(within, read)
        .await
        .unwrap_or(Err(HeaderError::Invalid("not sent in time")))
}

/// The 12 bytes that open a version 2 header (spec §2.2).
pub const V2_SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";
/// The longest version 1 line, CRLF included (spec §2.1).
pub const V1_MAX: usize = 107;
/// The longest version 2 block taken (its addresses and TLVs): more is refused rather than
/// read.
pub const V2_MAX_BODY: usize = 1024;

/// What a header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proxied {
    /// The connection is a client's, from this address.
    Client(SocketAddr),
    /// The balancer's own connection (a health check: v2 LOCAL, v1 UNKNOWN): keep its address.
    Local,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// Not a PROXY header at all.
    Missing,
    /// A PROXY header that breaks the specification; what is wrong.
    Invalid(&'static str),
}

/// How many bytes the header at the start of `start` takes in all, once its first 16 bytes
/// are known: a version 2 block announces its length; a version 1 line ends at CRLF (None:
/// read on, byte by byte, up to [`V1_MAX`]).
pub fn v2_length(start: &[u8; 16]) -> Result<usize, HeaderError> {
    if start[..12] != V2_SIGNATURE {
        return Err(HeaderError::Missing);
    }
    let len = usize::from(u16::from_be_bytes([start[14], start[15]]));
    if len > V2_MAX_BODY {
        return Err(HeaderError::Invalid("a version 2 block too long"));
    }
    Ok(16 + len)
}

/// Whether `start` (at least 6 bytes) opens a version 1 line, a version 2 block, or neither.
pub fn version(start: &[u8]) -> Option<u8> {
    if start.starts_with(b"PROXY ") {
        Some(1)
    } else if start.len() >= 12 && start[..12] == V2_SIGNATURE {
        Some(2)
    } else if V2_SIGNATURE.starts_with(&start[..start.len().min(12)]) {
        // Not enough read to tell; the caller reads the 16 bytes of a version 2 start.
        Some(2)
    } else {
        None
    }
}

/// A version 1 line, CRLF included: `PROXY TCP4 192.0.2.1 198.51.100.1 56324 25\r\n`.
pub fn parse_v1(line: &[u8]) -> Result<Proxied, HeaderError> {
    let line = line
        .strip_suffix(b"\r\n")
        .ok_or(HeaderError::Invalid("a version 1 line without CRLF"))?;
    let text = std::str::from_utf8(line).map_err(|_| HeaderError::Invalid("not text"))?;
    let mut parts = text.split(' ');
    if parts.next() != Some("PROXY") {
        return Err(HeaderError::Missing);
    }
    let family = parts.next().ok_or(HeaderError::Invalid("no protocol"))?;
    if family == "UNKNOWN" {
        return Ok(Proxied::Local);
    }
    let fields: Vec<&str> = parts.collect();
    let [source, _destination, source_port, _destination_port] = fields[..] else {
        return Err(HeaderError::Invalid("a version 1 line needs four fields"));
    };
    let ip: IpAddr = match family {
        "TCP4" => source
            .parse::<Ipv4Addr>()
            .map(IpAddr::V4)
            .map_err(|_| HeaderError::Invalid("not an IPv4 address"))?,
        "TCP6" => source
            .parse::<Ipv6Addr>()
            .map(IpAddr::V6)
            .map_err(|_| HeaderError::Invalid("not an IPv6 address"))?,
        _ => return Err(HeaderError::Invalid("an unknown protocol")),
    };
    // Ports are decimal without leading zeros (spec §2.1); a bad one is a bad header.
    let port: u16 = source_port
        .parse()
        .ok()
        .filter(|_| !(source_port.len() > 1 && source_port.starts_with('0')))
        .ok_or(HeaderError::Invalid("not a port"))?;
    Ok(Proxied::Client(SocketAddr::new(ip, port)))
}

/// A version 2 block, all of it (its length from [`v2_length`]).
pub fn parse_v2(block: &[u8]) -> Result<Proxied, HeaderError> {
    let start: &[u8; 16] = block
        .get(..16)
        .and_then(|s| s.try_into().ok())
        .ok_or(HeaderError::Invalid("a version 2 block too short"))?;
    if v2_length(start)? != block.len() {
        return Err(HeaderError::Invalid(
            "a version 2 block of the wrong length",
        ));
    }
    let (version, command) = (block[12] >> 4, block[12] & 0x0f);
    if version != 2 {
        return Err(HeaderError::Invalid("not version 2"));
    }
    let body = &block[16..];
    match command {
        // LOCAL: the balancer's own connection; the addresses (if any) are to be ignored.
        0 => Ok(Proxied::Local),
        1 => match block[13] {
            // TCP over IPv4: source, destination, source port, destination port.
            0x11 if body.len() >= 12 => {
                let ip = Ipv4Addr::new(body[0], body[1], body[2], body[3]);
                let port = u16::from_be_bytes([body[8], body[9]]);
                Ok(Proxied::Client(SocketAddr::new(IpAddr::V4(ip), port)))
            }
            0x21 if body.len() >= 36 => {
                let mut octets = [0u8; 16];
                octets.copy_from_slice(&body[..16]);
                let port = u16::from_be_bytes([body[32], body[33]]);
                Ok(Proxied::Client(SocketAddr::new(
                    IpAddr::V6(Ipv6Addr::from(octets)),
                    port,
                )))
            }
            // UNSPEC: unknown family, treated as LOCAL (spec §2.2).
            0x00 => Ok(Proxied::Local),
            0x11 | 0x21 => Err(HeaderError::Invalid("addresses cut short")),
            _ => Err(HeaderError::Invalid(
                "a family other than TCP over IPv4 or IPv6",
            )),
        },
        _ => Err(HeaderError::Invalid("an unknown command")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(command: u8, family: u8, body: &[u8]) -> Vec<u8> {
        let mut b = V2_SIGNATURE.to_vec();
        b.push(0x20 | command);
        b.push(family);
        b.extend_from_slice(&(body.len() as u16).to_be_bytes());
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn version_1_lines() {
        assert_eq!(
            parse_v1(b"PROXY TCP4 192.0.2.7 203.0.113.1 56324 25\r\n"),
            Ok(Proxied::Client("192.0.2.7:56324".parse().unwrap()))
        );
        assert_eq!(
            parse_v1(b"PROXY TCP6 2001:db8::7 2001:db8::1 4000 110\r\n"),
            Ok(Proxied::Client("[2001:db8::7]:4000".parse().unwrap()))
        );
        assert_eq!(parse_v1(b"PROXY UNKNOWN\r\n"), Ok(Proxied::Local));
        assert_eq!(
            parse_v1(b"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"),
            Ok(Proxied::Local)
        );
        for bad in [
            &b"PROXY TCP4 192.0.2.7 203.0.113.1 56324 25\n"[..],
            b"PROXY TCP4 2001:db8::7 203.0.113.1 1 25\r\n",
            b"PROXY TCP4 192.0.2.7 203.0.113.1 0123 25\r\n",
            b"PROXY TCP4 192.0.2.7 203.0.113.1 70000 25\r\n",
            b"PROXY UDP4 192.0.2.7 203.0.113.1 1 25\r\n",
            b"PROXY TCP4 192.0.2.7\r\n",
        ] {
            assert!(
                matches!(parse_v1(bad), Err(HeaderError::Invalid(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(parse_v1(b"EHLO x\r\n"), Err(HeaderError::Missing));
    }

    #[test]
    fn version_2_blocks() {
        let mut body = vec![192, 0, 2, 7, 203, 0, 113, 1];
        body.extend_from_slice(&56324u16.to_be_bytes());
        body.extend_from_slice(&25u16.to_be_bytes());
        body.extend_from_slice(&[0x04, 0x00, 0x01, 0xff]); // a TLV, skipped
        let block = v2(1, 0x11, &body);
        let start: [u8; 16] = block[..16].try_into().unwrap();
        assert_eq!(v2_length(&start), Ok(block.len()));
        assert_eq!(
            parse_v2(&block),
            Ok(Proxied::Client("192.0.2.7:56324".parse().unwrap()))
        );
        let mut six = "2001:db8::7".parse::<Ipv6Addr>().unwrap().octets().to_vec();
        six.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        six.extend_from_slice(&[0x0f, 0xa0, 0x00, 0x6e]);
        assert_eq!(
            parse_v2(&v2(1, 0x21, &six)),
            Ok(Proxied::Client("[2001:db8::7]:4000".parse().unwrap()))
        );
        assert_eq!(parse_v2(&v2(0, 0x00, &[])), Ok(Proxied::Local));
        assert!(matches!(
            parse_v2(&v2(1, 0x11, &body[..6])),
            Err(HeaderError::Invalid(_))
        ));
        assert!(matches!(
            parse_v2(&v2(1, 0x31, &body)),
            Err(HeaderError::Invalid(_))
        ));
        let mut long = start;
        long[14..16].copy_from_slice(&2000u16.to_be_bytes());
        assert!(matches!(v2_length(&long), Err(HeaderError::Invalid(_))));
        assert_eq!(version(b"PROXY TCP4"), Some(1));
        assert_eq!(version(&block[..6]), Some(2));
        assert_eq!(version(b"EHLO x"), None);
    }

    /// Off a stream: exactly the header's bytes, the client's first line left in place.
    #[tokio::test]
    async fn read_off_a_stream() {
        use tokio::io::AsyncWriteExt;
        let (mut a, mut b) = tokio::io::duplex(4096);
        a.write_all(b"PROXY TCP4 192.0.2.7 203.0.113.1 1234 25\r\nEHLO x\r\n")
            .await
            .unwrap();
        assert_eq!(
            read_header(&mut b, HEADER_TIMEOUT).await,
            Ok(Proxied::Client("192.0.2.7:1234".parse().unwrap()))
        );
        let mut rest = [0u8; 8];
        b.read_exact(&mut rest).await.unwrap();
        assert_eq!(&rest, b"EHLO x\r\n");
        let (mut a, mut b) = tokio::io::duplex(4096);
        a.write_all(&v2(0, 0, &[])).await.unwrap();
        assert_eq!(
            read_header(&mut b, HEADER_TIMEOUT).await,
            Ok(Proxied::Local)
        );
        let (mut a, mut b) = tokio::io::duplex(4096);
        a.write_all(b"EHLO x\r\n").await.unwrap();
        assert_eq!(
            read_header(&mut b, HEADER_TIMEOUT).await,
            Err(HeaderError::Missing)
        );
        // A line that never ends, or nothing at all: bounded, then refused.
        let (mut a, mut b) = tokio::io::duplex(4096);
        a.write_all(b"PROXY ").await.unwrap();
        a.write_all(&[b'x'; 200]).await.unwrap();
        assert!(matches!(
            read_header(&mut b, HEADER_TIMEOUT).await,
            Err(HeaderError::Invalid(_))
        ));
        let (_a, mut b) = tokio::io::duplex(4096);
        assert!(matches!(
            read_header(&mut b, Duration::from_millis(50)).await,
            Err(HeaderError::Invalid(_))
        ));
    }
}
