//! Short-lived copies of what almost every request reads: callers behind tokens,
//! contacts (every ticket creation finds its requester), organizations and the
//! plan catalog (every priority decision reads them).
//!
//! Keeping what was read for [`TTL`] takes those reads off the hot path. Changes
//! through this process clear the copies at once; changes through another process
//! show here within [`TTL`]. The database stays the only source of truth.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use triage_core::contact::Contact;
use triage_core::email::Email;
use triage_core::plan::SupportPlan;
use triage_store::{OrganizationRecord, Store, StoreError};

pub const TTL: Duration = Duration::from_secs(10);
const MAX_ENTRIES: usize = 50_000;

/// A map whose entries are trusted for [`TTL`] after they were put.
pub(crate) struct TtlMap<K, V>(Arc<RwLock<HashMap<K, (V, Instant)>>>);

impl<K, V> Clone for TtlMap<K, V> {
    fn clone(&self) -> Self {
        TtlMap(self.0.clone())
    }
}

impl<K, V> Default for TtlMap<K, V> {
    fn default() -> Self {
        TtlMap(Arc::new(RwLock::new(HashMap::new())))
    }
}

impl<K: Eq + Hash, V: Clone> TtlMap<K, V> {
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        let map = self.0.read().ok()?;
        map.get(key).filter(|(_, at)| at.elapsed() < TTL).map(|(v, _)| v.clone())
    }

    pub(crate) fn put(&self, key: K, value: V) {
        if let Ok(mut map) = self.0.write() {
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, (_, at)| at.elapsed() < TTL);
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
            }
            map.insert(key, (value, Instant::now()));
        }
    }

    /// Keeps only the entries `keep` accepts.
    pub(crate) fn retain(&self, mut keep: impl FnMut(&V) -> bool) {
        if let Ok(mut map) = self.0.write() {
            map.retain(|_, (v, _)| keep(v));
        }
    }

    pub(crate) fn clear(&self) {
        self.retain(|_| false);
    }
}

#[derive(Clone, Default)]
pub(crate) struct ContactCache {
    by_email: TtlMap<Email, Contact>,
    by_id: TtlMap<i64, Contact>,
}

impl ContactCache {
    fn put(&self, c: &Contact) {
        self.by_email.put(c.email.clone(), c.clone());
        self.by_id.put(c.id, c.clone());
    }

    pub(crate) fn forget_all(&self) {
        self.by_email.clear();
        self.by_id.clear();
    }

    pub(crate) async fn by_email(&self, store: &Store, email: &Email) -> Result<Contact, StoreError> {
        if let Some(c) = self.by_email.get(email) {
            return Ok(c);
        }
        let c = store.get_contact_by_email(email).await?;
        self.put(&c);
        Ok(c)
    }

    pub(crate) async fn by_id(&self, store: &Store, id: i64) -> Result<Contact, StoreError> {
        if let Some(c) = self.by_id.get(&id) {
            return Ok(c);
        }
        let c = store.get_contact(id).await?;
        self.put(&c);
        Ok(c)
    }
}

#[derive(Clone, Default)]
pub(crate) struct OrgCache {
    orgs: TtlMap<i64, OrganizationRecord>,
    plans: TtlMap<(), Vec<SupportPlan>>,
}

impl OrgCache {
    pub(crate) fn forget_all(&self) {
        self.orgs.clear();
        self.plans.clear();
    }

    pub(crate) async fn org(&self, store: &Store, id: i64) -> Result<OrganizationRecord, StoreError> {
        if let Some(r) = self.orgs.get(&id) {
            return Ok(r);
        }
        let r = store.get_organization(id).await?;
        self.orgs.put(id, r.clone());
        Ok(r)
    }

    pub(crate) async fn plans(&self, store: &Store) -> Result<Vec<SupportPlan>, StoreError> {
        if let Some(p) = self.plans.get(&()) {
            return Ok(p);
        }
        let p = store.list_plans().await?;
        self.plans.put((), p.clone());
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::TtlMap;

    #[test]
    fn entries_can_be_dropped_by_rule_or_all_at_once() {
        let m: TtlMap<i64, &str> = TtlMap::default();
        m.put(1, "a");
        m.put(2, "b");
        assert_eq!(m.get(&1), Some("a"));
        m.retain(|v| *v != "a");
        assert_eq!((m.get(&1), m.get(&2)), (None, Some("b")));
        m.clear();
        assert_eq!(m.get(&2), None);
    }
}
