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

/// A short-lived copy of organizations (with plan history) and the plan catalog,
/// read by every priority decision. Same rules as [`ContactCache`].
#[derive(Clone, Default)]
pub(crate) struct OrgCache(Arc<RwLock<OrgInner>>);

#[derive(Default)]
struct OrgInner {
    orgs: HashMap<i64, (triage_store::OrganizationRecord, Instant)>,
    plans: Option<(Vec<triage_core::plan::SupportPlan>, Instant)>,
}

impl OrgCache {
    pub(crate) fn forget_all(&self) {
        if let Ok(mut m) = self.0.write() {
            m.orgs.clear();
            m.plans = None;
        }
    }

    pub(crate) async fn org(&self, store: &Store, id: i64) -> Result<triage_store::OrganizationRecord, StoreError> {
        let hit = self
            .0
            .read()
            .ok()
            .and_then(|m| m.orgs.get(&id).filter(|(_, at)| at.elapsed() < TTL).map(|(r, _)| r.clone()));
        if let Some(r) = hit {
            return Ok(r);
        }
        let r = store.get_organization(id).await?;
        if let Ok(mut m) = self.0.write() {
            if m.orgs.len() >= MAX_ENTRIES {
                m.orgs.clear();
            }
            m.orgs.insert(id, (r.clone(), Instant::now()));
        }
        Ok(r)
    }

    pub(crate) async fn plans(&self, store: &Store) -> Result<Vec<triage_core::plan::SupportPlan>, StoreError> {
        let hit = self
            .0
            .read()
            .ok()
            .and_then(|m| m.plans.as_ref().filter(|(_, at)| at.elapsed() < TTL).map(|(p, _)| p.clone()));
        if let Some(p) = hit {
            return Ok(p);
        }
        let p = store.list_plans().await?;
        if let Ok(mut m) = self.0.write() {
            m.plans = Some((p.clone(), Instant::now()));
        }
        Ok(p)
    }
}
