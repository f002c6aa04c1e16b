//! BDAT (RFC 3030 CHUNKING): the chunk is always read in full, even when refused, so the
//! client and the server stay in step.

use crate::smtp::reply::{self, Reply};
use crate::smtp::session::{BdatState, Next, Session, Step};

pub fn bdat(s: &mut Session, size: usize, last: bool) -> Step {
    let refusal = match &s.tx {
        None => Some(reply::bad_sequence("send MAIL first")),
        Some(tx) if tx.rcpts.is_empty() => Some(Reply::new(554, "5.5.1", "No valid recipients")),
        Some(_) => {
            s.start_checks();
            None
        }
    };
    match s.bdat.as_mut() {
        Some(b) => {
            b.last = last;
            b.refusal = refusal;
        }
        None => {
            s.bdat = Some(BdatState {
                last,
                refusal,
                ..Default::default()
            })
        }
    }
    Step {
        replies: Vec::new(),
        next: Next::Bdat { size },
    }
}
