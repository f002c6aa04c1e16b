use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_turns")]
pub struct Model {
    /// A job that runs on one process at a time (`housekeeping`, `acme`, `dkim-keys`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub job: String,
    /// The process whose turn it is (host/pid/random).
    pub holder: String,
    /// Unix milliseconds.
    pub taken_at_ms: i64,
    /// The turn is free again from this time (the job's period, or its holder died).
    pub until_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
