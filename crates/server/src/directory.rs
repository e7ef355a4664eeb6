//! A short-lived copy of contacts, the lookup every ticket creation makes.
//!
//! Opening a ticket for a requester reads the contact (to find the organization).
//! Keeping what was read for a few seconds takes that read off the hot path.
//! Changes through this process clear the copy at once; changes through another
//! process show here within [`TTL`]. The database stays the only source of truth.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use triage_core::contact::Contact;
use triage_core::email::Email;
use triage_store::{Store, StoreError};

pub const TTL: Duration = Duration::from_secs(10);
const MAX_ENTRIES: usize = 50_000;

#[derive(Clone, Default)]
pub(crate) struct ContactCache(Arc<RwLock<Inner>>);

#[derive(Default)]
struct Inner {
    by_email: HashMap<Email, (Contact, Instant)>,
    by_id: HashMap<i64, (Contact, Instant)>,
}

impl ContactCache {
    fn fresh(hit: Option<&(Contact, Instant)>) -> Option<Contact> {
        hit.filter(|(_, at)| at.elapsed() < TTL).map(|(c, _)| c.clone())
    }

    fn put(&self, c: &Contact) {
        if let Ok(mut m) = self.0.write() {
            if m.by_id.len() >= MAX_ENTRIES {
                m.by_id.clear();
                m.by_email.clear();
            }
            let now = Instant::now();
            m.by_email.insert(c.email.clone(), (c.clone(), now));
            m.by_id.insert(c.id, (c.clone(), now));
        }
    }

    pub(crate) fn forget_all(&self) {
        if let Ok(mut m) = self.0.write() {
            m.by_email.clear();
            m.by_id.clear();
        }
    }

    pub(crate) async fn by_email(&self, store: &Store, email: &Email) -> Result<Contact, StoreError> {
        if let Some(c) = self.0.read().ok().and_then(|m| Self::fresh(m.by_email.get(email))) {
            return Ok(c);
        }
        let c = store.get_contact_by_email(email).await?;
        self.put(&c);
        Ok(c)
    }

    pub(crate) async fn by_id(&self, store: &Store, id: i64) -> Result<Contact, StoreError> {
        if let Some(c) = self.0.read().ok().and_then(|m| Self::fresh(m.by_id.get(&id))) {
            return Ok(c);
        }
        let c = store.get_contact(id).await?;
        self.put(&c);
        Ok(c)
    }
}
