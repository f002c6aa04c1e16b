//! File descriptors, budgeted so that no kind of client can starve the others
//! (docs/design.md, "Availability under abuse"): at start the soft `nofile` limit is raised to
//! the hard one, a reserve is kept for the database, files and outbound connections, and the
//! listeners' connection caps are scaled down together when their sum would not fit in the
//! rest. Web clients then run out of their own slots (and get 503) long before SMTP, POP3 or
//! the database could run out of descriptors.

/// Descriptors kept out of the listeners' caps: the database pools (up to 20 connections,
/// SQLite's WAL and shared-memory files), listening sockets, TLS files, backups being made,
/// outbound SMTP connections, DNS sockets, and the short-lived socket of each refused client.
pub const RESERVE: u64 = 160;

/// The smallest cap a listener is given, whatever the limit.
const MIN_CAP: usize = 4;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the soft limit now in effect.
pub fn raise_nofile_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
    }
    lim.rlim_cur
}

/// The caps that fit in `limit` descriptors: `wanted` as is when their sum fits beside
/// [`RESERVE`], else each scaled down in proportion (at least [`MIN_CAP`]).
pub fn fit(limit: u64, wanted: &[usize]) -> Vec<usize> {
    let room = limit.saturating_sub(RESERVE) as u128;
    let sum: u128 = wanted.iter().map(|&w| w as u128).sum();
    if sum <= room || sum == 0 {
        return wanted.to_vec();
    }
    wanted
        .iter()
        .map(|&w| ((w as u128 * room / sum) as usize).max(MIN_CAP).min(w))
        .collect()
}

/// A listener's caps once fitted: `cap` in all (at least one), and per address no more.
pub fn set_cap(cap: usize, total: &mut usize, per_ip: &mut usize) {
    *total = cap.max(1);
    *per_ip = (*per_ip).min(*total);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_fit_the_limit() {
        // SMTP, submission, POP3, web: the defaults fit a large limit untouched.
        let wanted = [500, 500, 1000, 512];
        assert_eq!(fit(1 << 20, &wanted), wanted);
        // Under 1024 they are scaled together and leave the reserve free.
        let got = fit(1024, &wanted);
        assert!(
            got.iter().sum::<usize>() as u64 + RESERVE <= 1024,
            "{got:?}"
        );
        assert!(got.iter().all(|&c| c >= MIN_CAP));
        assert!(got[2] > got[0], "proportions kept: {got:?}");
        // Even a tiny limit leaves every listener something.
        assert!(fit(100, &wanted).iter().all(|&c| c == MIN_CAP));
    }

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_one() {
        let now = raise_nofile_limit();
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as above.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
        assert_eq!(now, lim.rlim_cur);
        assert_eq!(lim.rlim_cur, lim.rlim_max);
    }
}
