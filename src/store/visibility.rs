//! An import's cases stay out of sight until its last chunk commits (issue 16, item 2).
//!
//! An import is written in short transactions so that consoles never wait long, but a batch must
//! appear whole or not at all. Each import batch reserves a block of case ids above every id in
//! the store and fills it from the top down: its first case takes the block's highest id, so
//! every other insert meanwhile (a clerk's new case, a sync) is numbered above the block and the
//! block holds the batch's cases only. While the batch is `applying`, its block is hidden: from
//! queues, counts, search, export, reports and actions. The last chunk adds the block to the tab
//! counts and marks the batch applied in one transaction, which makes the whole batch visible at
//! once. At most one import is unfinished at a time (`import` refuses a second file), so there is
//! one block to leave out, tested by one comparison on the row id.

use super::error::{Result, SqlContext};
use rusqlite::{Connection, OptionalExtension};

/// The condition that leaves the hidden block out; its two parameters come from
/// [`Hidden::bounds`].
pub(crate) const VISIBLE_CASES: &str = "cases.id NOT BETWEEN ? AND ?";

/// The ids of the unfinished import's cases, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hidden {
    first: i64,
    last: i64,
}

impl Hidden {
    /// Nothing hidden: a block no id is in.
    pub(crate) const NONE: Hidden = Hidden { first: 1, last: 0 };

    pub(crate) fn read(conn: &Connection) -> Result<Hidden> {
        let block = conn
            .prepare_cached(
                "SELECT first_id, last_id FROM import_batches
                 WHERE status = 'applying' AND first_id IS NOT NULL
                 ORDER BY started_at LIMIT 1",
            )
            .ctx("preparing the unfinished import's block")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .ctx("reading the unfinished import's block")?;
        Ok(block.map_or(Hidden::NONE, |(first, last)| Hidden { first, last }))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.first > self.last
    }

    pub(crate) fn contains(&self, id: i64) -> bool {
        (self.first..=self.last).contains(&id)
    }

    /// The parameters of [`VISIBLE_CASES`].
    pub(crate) fn bounds(&self) -> [i64; 2] {
        [self.first, self.last]
    }
}
