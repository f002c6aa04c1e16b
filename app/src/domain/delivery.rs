//! What happens to a message for one account (DESIGN §2 rules 6 and 7), as a pure decision
//! the store carries out in one transaction: keep it, forward it, or both ("keep a copy").

/// The account's delivery choices, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryPrefs {
    /// Forward addresses; empty when no forward is set.
    pub forward_to: Vec<String>,
    pub keep_copy: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryPlan {
    /// Store the message in the mailbox.
    pub keep: bool,
    /// Queue a copy to each of these addresses.
    pub forward_to: Vec<String>,
}

/// "Forward email to": the server no longer keeps the mail ("le serveur n'est plus utilisé
/// pour recevoir le courrier"), unless the user asked to keep a copy.
pub fn plan(prefs: &DeliveryPrefs) -> DeliveryPlan {
    if prefs.forward_to.is_empty() {
        DeliveryPlan {
            keep: true,
            forward_to: Vec::new(),
        }
    } else {
        DeliveryPlan {
            keep: prefs.keep_copy,
            forward_to: prefs.forward_to.clone(),
        }
    }
}

/// `plan`, unless the message already went through this mailbox (a `Delivered-To` naming one
/// of its addresses): forwarding again would loop, so it is kept instead — never lost.
pub fn plan_checked(prefs: &DeliveryPrefs, looped: bool) -> DeliveryPlan {
    if looped && !prefs.forward_to.is_empty() {
        return DeliveryPlan {
            keep: true,
            forward_to: Vec::new(),
        };
    }
    plan(prefs)
}

/// Whether a message's `Delivered-To` fields name one of `own` addresses.
pub fn delivered_to_any(fields: &[(String, String)], own: &[String]) -> bool {
    fields
        .iter()
        .filter(|(k, _)| k == "delivered-to")
        .any(|(_, v)| {
            let v = v.trim().trim_start_matches('<').trim_end_matches('>');
            own.iter().any(|o| o.eq_ignore_ascii_case(v))
        })
}

/// The stored form of a forward list (one address per line) back to a list.
pub fn forward_list(stored: &str) -> Vec<String> {
    stored
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Would storing `size` more bytes exceed the quota? (None: no limit.)
pub fn over_quota(used: i64, quota: Option<i64>, size: i64) -> bool {
    quota.is_some_and(|q| used.saturating_add(size) > q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forward_that_comes_back_is_kept_not_looped() {
        let prefs = DeliveryPrefs {
            forward_to: vec!["x@example.org".into()],
            keep_copy: false,
        };
        assert!(!plan_checked(&prefs, false).keep);
        let looped = plan_checked(&prefs, true);
        assert!(looped.keep && looped.forward_to.is_empty());
        let own = vec!["pmartin@votredomaine.com".to_string()];
        let f = |v: &str| vec![("delivered-to".to_string(), v.to_string())];
        assert!(delivered_to_any(&f(" <PMartin@votredomaine.com>"), &own));
        assert!(!delivered_to_any(&f("other@votredomaine.com"), &own));
        assert!(!delivered_to_any(
            &[("to".into(), "pmartin@votredomaine.com".into())],
            &own
        ));
    }

    #[test]
    fn forward_keeps_nothing_unless_asked() {
        assert_eq!(
            plan(&DeliveryPrefs::default()),
            DeliveryPlan {
                keep: true,
                forward_to: vec![]
            }
        );
        let fwd = DeliveryPrefs {
            forward_to: vec!["a@b.example".into()],
            keep_copy: false,
        };
        assert_eq!(
            plan(&fwd),
            DeliveryPlan {
                keep: false,
                forward_to: vec!["a@b.example".into()]
            }
        );
        let both = DeliveryPrefs {
            keep_copy: true,
            ..fwd
        };
        assert!(plan(&both).keep);
    }

    #[test]
    fn lists_and_quota() {
        assert_eq!(
            forward_list(" a@b.example \n\nc@d.example\n"),
            ["a@b.example", "c@d.example"]
        );
        assert!(forward_list("").is_empty());
        assert!(!over_quota(10, None, 1 << 40));
        assert!(!over_quota(10, Some(20), 10));
        assert!(over_quota(10, Some(20), 11));
        assert!(!over_quota(i64::MAX, None, i64::MAX));
    }
}
