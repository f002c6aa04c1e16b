//! POP3 command lines (RFC 1939 §3, RFC 2449, RFC 2595, RFC 5034) as a pure parser: bytes in,
//! a `Command` or the reason it is not one out. Keywords are case-insensitive; arguments are
//! separated by spaces. PASS keeps the rest of the line, spaces included (RFC 1939 §7).

/// RFC 2449 §4: a command line is at most 255 octets with its CRLF.
pub const MAX_COMMAND_LINE: usize = 255;

/// A message number: 1-based position in the session's snapshot.
pub type Msg = u32;

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    User(String),
    Pass(String),
    /// RFC 5034: the mechanism (upper-cased) and the initial response, if given. No mechanism
    /// asks for the list (what older clients do before choosing).
    Auth {
        mechanism: Option<String>,
        initial: Option<String>,
    },
    Apop,
    Capa,
    Stls,
    Stat,
    List(Option<Msg>),
    Uidl(Option<Msg>),
    Retr(Msg),
    Top(Msg, u64),
    Dele(Msg),
    Rset,
    Noop,
    Quit,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Not a POP3 command keyword.
    Unknown,
    /// The keyword is known but its arguments are not right; the text says what is expected.
    Syntax(&'static str),
    /// A message number that is not a positive decimal number.
    BadNumber,
}

/// The line without its line end (CRLF, or a bare LF from a sloppy client).
pub fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn number(arg: &str) -> Result<Msg, ParseError> {
    if arg.is_empty() || arg.len() > 9 || !arg.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::BadNumber);
    }
    match arg.parse::<Msg>() {
        Ok(0) | Err(_) => Err(ParseError::BadNumber),
        Ok(n) => Ok(n),
    }
}

/// Parses one command line (with or without its line end).
pub fn parse(line: &[u8]) -> Result<Command, ParseError> {
    let line = strip_line_end(line);
    let (keyword, rest) = match line.iter().position(|&b| b == b' ') {
        Some(sp) => (&line[..sp], &line[sp + 1..]),
        None => (line, &b""[..]),
    };
    if keyword.is_empty() || keyword.len() > 4 {
        return Err(ParseError::Unknown);
    }
    let keyword = keyword.to_ascii_uppercase();
    // PASS: everything after the first space is the password, as typed.
    if keyword == b"PASS" {
        return match std::str::from_utf8(rest) {
            Ok(p) if !p.is_empty() => Ok(Command::Pass(p.to_string())),
            Ok(_) => Err(ParseError::Syntax("PASS needs a password")),
            Err(_) => Err(ParseError::Syntax("the password is not valid UTF-8")),
        };
    }
    let Ok(rest) = std::str::from_utf8(rest) else {
        return Err(ParseError::Syntax("arguments must be text"));
    };
    let args: Vec<&str> = rest.split(' ').filter(|a| !a.is_empty()).collect();
    let none = |c: Command| {
        if args.is_empty() {
            Ok(c)
        } else {
            Err(ParseError::Syntax("this command takes no argument"))
        }
    };
    let optional_msg = |make: fn(Option<Msg>) -> Command| match args.as_slice() {
        [] => Ok(make(None)),
        [n] => Ok(make(Some(number(n)?))),
        _ => Err(ParseError::Syntax("give at most one message number")),
    };
    let one_msg = |make: fn(Msg) -> Command| match args.as_slice() {
        [n] => Ok(make(number(n)?)),
        _ => Err(ParseError::Syntax("give one message number")),
    };
    match keyword.as_slice() {
        b"USER" => match args.as_slice() {
            [name] => Ok(Command::User(name.to_string())),
            _ => Err(ParseError::Syntax("USER needs one login")),
        },
        b"AUTH" => match args.as_slice() {
            [] => Ok(Command::Auth {
                mechanism: None,
                initial: None,
            }),
            [m] => Ok(Command::Auth {
                mechanism: Some(m.to_ascii_uppercase()),
                initial: None,
            }),
            [m, i] => Ok(Command::Auth {
                mechanism: Some(m.to_ascii_uppercase()),
                initial: Some(i.to_string()),
            }),
            _ => Err(ParseError::Syntax(
                "AUTH takes a mechanism and an initial response",
            )),
        },
        b"APOP" => Ok(Command::Apop),
        b"CAPA" => none(Command::Capa),
        b"STLS" => none(Command::Stls),
        b"STAT" => none(Command::Stat),
        b"LIST" => optional_msg(Command::List),
        b"UIDL" => optional_msg(Command::Uidl),
        b"RETR" => one_msg(Command::Retr),
        b"DELE" => one_msg(Command::Dele),
        b"TOP" => match args.as_slice() {
            [n, lines] => {
                let n = number(n)?;
                match lines.parse::<u64>() {
                    Ok(l) if lines.bytes().all(|b| b.is_ascii_digit()) => Ok(Command::Top(n, l)),
                    _ => Err(ParseError::Syntax(
                        "TOP needs a message number and a line count",
                    )),
                }
            }
            _ => Err(ParseError::Syntax(
                "TOP needs a message number and a line count",
            )),
        },
        b"RSET" => none(Command::Rset),
        b"NOOP" => none(Command::Noop),
        b"QUIT" => none(Command::Quit),
        _ => Err(ParseError::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_case_insensitive() {
        assert_eq!(parse(b"stat\r\n"), Ok(Command::Stat));
        assert_eq!(parse(b"Quit\r\n"), Ok(Command::Quit));
        assert_eq!(parse(b"NOOP\n"), Ok(Command::Noop), "bare LF tolerated");
        assert_eq!(parse(b"capa"), Ok(Command::Capa));
    }

    #[test]
    fn arguments() {
        assert_eq!(
            parse(b"USER pmartin\r\n"),
            Ok(Command::User("pmartin".into()))
        );
        assert_eq!(parse(b"LIST\r\n"), Ok(Command::List(None)));
        assert_eq!(parse(b"LIST 2\r\n"), Ok(Command::List(Some(2))));
        assert_eq!(parse(b"uidl 12\r\n"), Ok(Command::Uidl(Some(12))));
        assert_eq!(parse(b"RETR 1\r\n"), Ok(Command::Retr(1)));
        assert_eq!(parse(b"TOP 3 0\r\n"), Ok(Command::Top(3, 0)));
        assert_eq!(parse(b"DELE 4\r\n"), Ok(Command::Dele(4)));
        assert_eq!(
            parse(b"AUTH plain dGVzdA==\r\n"),
            Ok(Command::Auth {
                mechanism: Some("PLAIN".into()),
                initial: Some("dGVzdA==".into())
            })
        );
        assert_eq!(
            parse(b"AUTH\r\n"),
            Ok(Command::Auth {
                mechanism: None,
                initial: None
            })
        );
    }

    #[test]
    fn pass_keeps_spaces_and_case() {
        assert_eq!(
            parse(b"PASS my Secret  pass\r\n"),
            Ok(Command::Pass("my Secret  pass".into()))
        );
        assert!(matches!(parse(b"PASS\r\n"), Err(ParseError::Syntax(_))));
        assert!(matches!(
            parse(b"PASS \xff\r\n"),
            Err(ParseError::Syntax(_))
        ));
    }

    #[test]
    fn bad_input() {
        assert_eq!(parse(b"\r\n"), Err(ParseError::Unknown));
        assert_eq!(parse(b"HELO x\r\n"), Err(ParseError::Unknown));
        assert_eq!(parse(b"RETRIEVE 1\r\n"), Err(ParseError::Unknown));
        assert_eq!(parse(b"RETR 0\r\n"), Err(ParseError::BadNumber));
        assert_eq!(parse(b"RETR -1\r\n"), Err(ParseError::BadNumber));
        assert_eq!(parse(b"RETR x\r\n"), Err(ParseError::BadNumber));
        assert_eq!(parse(b"RETR 99999999999\r\n"), Err(ParseError::BadNumber));
        assert!(matches!(parse(b"RETR\r\n"), Err(ParseError::Syntax(_))));
        assert!(matches!(parse(b"STAT 1\r\n"), Err(ParseError::Syntax(_))));
        assert!(matches!(parse(b"TOP 1\r\n"), Err(ParseError::Syntax(_))));
        assert!(matches!(parse(b"TOP 1 -2\r\n"), Err(ParseError::Syntax(_))));
        assert!(matches!(parse(b"USER\r\n"), Err(ParseError::Syntax(_))));
        assert!(matches!(parse(b"LIST 1 2\r\n"), Err(ParseError::Syntax(_))));
    }

    #[test]
    fn never_panics_on_bytes() {
        for a in 0u8..=255 {
            for b in [0u8, b' ', b'1', 0xff] {
                let _ = parse(&[b'L', b'I', b'S', b'T', b' ', a, b]);
                let _ = parse(&[a, b, a, b' ', b]);
            }
        }
    }
}
