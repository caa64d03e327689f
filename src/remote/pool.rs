//! The server's store connections: a few, shared by every session, each used by one request at
//! a time on a blocking thread. Writes still take SQLite's write lock one at a time.

use crate::domain::Calendar;
use crate::store::Store;
use std::path::PathBuf;
use tokio::sync::Semaphore;

pub struct Pool {
    db: PathBuf,
    calendar: Calendar,
    idle: std::sync::Mutex<Vec<Store>>,
    permits: Semaphore,
}

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("the request failed inside the server: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("the server is stopping")]
    Closed,
}

impl Pool {
    pub fn new(first: Store, calendar: Calendar, connections: usize) -> Pool {
        Pool {
            db: first.path().to_path_buf(),
            calendar,
            idle: std::sync::Mutex::new(vec![first]),
            permits: Semaphore::new(connections),
        }
    }

    /// Runs `work` on a connection of the pool, on a blocking thread.
    pub async fn run<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store) -> R + Send + 'static,
    ) -> Result<R, PoolError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PoolError::Closed)?;
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut store = match idle {
            Some(store) => store,
            None => {
                let (db, calendar) = (self.db.clone(), self.calendar.clone());
                tokio::task::spawn_blocking(move || Store::open(&db, calendar)).await??
            }
        };
        let (store, result) = tokio::task::spawn_blocking(move || {
            let result = work(&mut store);
            (store, result)
        })
        .await?;
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(store);
        }
        Ok(result)
    }
}
