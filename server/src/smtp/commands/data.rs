//! DATA (RFC 5321 §4.1.1.4): 354, then the body until `<CRLF>.<CRLF>`.

use crate::smtp::reply::{self, Reply};
use crate::smtp::session::{Next, Session, Step, data_reader};

pub fn data(s: &mut Session) -> Step {
    if s.bdat.is_some() {
        return Step::reply(reply::bad_sequence("BDAT in progress, DATA not allowed"));
    }
    match &s.tx {
        None => Step::reply(reply::bad_sequence("send MAIL first")),
        Some(tx) if tx.rcpts.is_empty() => {
            Step::reply(Reply::new(554, "5.5.1", "No valid recipients"))
        }
        Some(_) => {
            s.start_checks();
            Step::then(reply::start_data(), Next::Data(data_reader(s)))
        }
    }
}
