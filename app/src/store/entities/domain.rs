use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domains")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Canonical: lower case, punycode for IDN.
    #[sea_orm(unique)]
    pub name: String,
    /// "cobalt" (server `domain`, login `pmartin`) or "antivirus" (server `mail.domain`,
    /// login `pmartin@domain`): how connection settings are shown to this domain's users.
    pub style: String,
    pub created_at: i64,
    /// Sender and spam checks of inbound mail: "off", "mark" or "refuse"
    /// (`domain::filter::Filtering`).
    pub filtering: String,
    /// Whether inbound mail is scanned for viruses (when a scanner is configured).
    pub viruses: bool,
    /// The mailbox that receives mail for unknown names of the domain (None: off, unknown
    /// names get `550 5.1.1`).
    pub catch_all_account_id: Option<i64>,
    /// Limits the host sets (issue 17; None: no limit), `domain::limits::Limits`.
    pub max_mailboxes: Option<i64>,
    pub max_aliases: Option<i64>,
    /// The storage sold: the sum of the quotas handed out may not pass it.
    pub max_storage_bytes: Option<i64>,
    /// The quota of a new mailbox when none is given.
    pub default_quota_bytes: Option<i64>,
    pub max_quota_bytes: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
