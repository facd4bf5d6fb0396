//! Open database connections kept for reuse by a long-running front end (the server): opening a
//! connection costs SQLite a parse of the whole schema and empties its statement cache, which at
//! a request each was most of a request's time. The command line opens once per command and needs
//! no pool. A connection taken from the pool goes back when its guard is dropped.

use crate::store::Store;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

/// Idle connections, read-only and read-write, to one database.
#[derive(Default)]
pub struct StorePool {
    readers: Mutex<Vec<Store>>,
    writers: Mutex<Vec<Store>>,
}

/// The most idle connections of each kind kept.
const KEEP: usize = 8;

impl StorePool {
    pub(super) fn take(&self, write: bool) -> Option<Store> {
        self.list(write).lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    fn list(&self, write: bool) -> &Mutex<Vec<Store>> {
        if write {
            &self.writers
        } else {
            &self.readers
        }
    }

    fn give_back(&self, store: Store, write: bool) {
        let mut list = self.list(write).lock().unwrap_or_else(|e| e.into_inner());
        if list.len() < KEEP {
            list.push(store);
        }
    }
}

/// A connection, from the pool or opened for this use; back to the pool (if any) when dropped.
pub struct Pooled {
    store: Option<Store>,
    home: Option<(Arc<StorePool>, bool)>,
}

impl Pooled {
    pub(super) fn new(store: Store, home: Option<(Arc<StorePool>, bool)>) -> Pooled {
        Pooled { store: Some(store), home }
    }
}

impl Deref for Pooled {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store.as_ref().expect("a pooled store is present until dropped")
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Store {
        self.store.as_mut().expect("a pooled store is present until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let (Some(store), Some((pool, write))) = (self.store.take(), &self.home) {
            pool.give_back(store, *write);
        }
    }
}
