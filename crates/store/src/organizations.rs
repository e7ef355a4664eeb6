//! Organizations and their plan history.

use crate::codec::{from_json, json, ms, time};
use crate::{page_of, Page, PageRequest, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use triage_core::organization::{ContractOverrides, Organization, PlanChange};

#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub name: String,
    pub account_type: String,
    pub vip: bool,
    pub customer_category: String,
    pub persona: Option<String>,
    pub contract: ContractOverrides,
    pub annual_value: f64,
    pub seats: i64,
    pub timezone: String,
    pub owner_id: Option<i64>,
}

/// An organization with its whole plan history (oldest first).
#[derive(Debug, Clone)]
pub struct OrganizationRecord {
    pub org: Organization,
    pub plan_changes: Vec<PlanChange>,
}

const COLS: &str = "id, name, account_type, vip, customer_category, persona, contract, annual_value, seats, timezone, owner_id, created_at, updated_at";
const CHANGE_COLS: &str = "id, organization_id, plan_id, effective_from, recorded_at, actor, reason";

fn decode(r: &AnyRow) -> Result<Organization, StoreError> {
    Ok(Organization {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        account_type: r.try_get("account_type")?,
        vip: r.try_get::<i64, _>("vip")? != 0,
        customer_category: r.try_get("customer_category")?,
        persona: r.try_get("persona")?,
        contract: from_json(&r.try_get::<String, _>("contract")?)?,
        annual_value: r.try_get("annual_value")?,
        seats: r.try_get("seats")?,
        timezone: r.try_get("timezone")?,
        owner_id: r.try_get("owner_id")?,
        created_at: time(r.try_get("created_at")?)?,
        updated_at: time(r.try_get("updated_at")?)?,
    })
}

fn decode_change(r: &AnyRow) -> Result<PlanChange, StoreError> {
    Ok(PlanChange {
        id: r.try_get("id")?,
        organization_id: r.try_get("organization_id")?,
        plan_id: r.try_get("plan_id")?,
        effective_from: time(r.try_get("effective_from")?)?,
        recorded_at: time(r.try_get("recorded_at")?)?,
        actor: r.try_get("actor")?,
        reason: r.try_get("reason")?,
    })
}

impl Store {
    /// Creates an organization, with its first plan purchase when `plan` is given
    /// as `(plan_id, effective_from)`, in one transaction.
    pub async fn create_organization(
        &self,
        o: &NewOrganization,
        plan: Option<(i64, DateTime<Utc>)>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<OrganizationRecord, StoreError> {
        let mut tx = self.w().begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO organizations (name, account_type, vip, customer_category, persona, contract, annual_value, seats, timezone, owner_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10, $10) RETURNING {COLS}"
        ))
        .bind(&o.name)
        .bind(&o.account_type)
        .bind(o.vip as i64)
        .bind(&o.customer_category)
        .bind(&o.persona)
        .bind(json(&o.contract))
        .bind(o.annual_value)
        .bind(o.seats)
        .bind(&o.timezone)
        .bind(ms(now))
        .bind(o.owner_id)
        .fetch_one(&mut *tx)
        .await?;
        let org = decode(&row)?;
        let mut plan_changes = Vec::new();
        if let Some((plan_id, from)) = plan {
            let row = sqlx::query(&format!(
                "INSERT INTO plan_changes (organization_id, plan_id, effective_from, recorded_at, actor, reason)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {CHANGE_COLS}"
            ))
            .bind(org.id)
            .bind(plan_id)
            .bind(ms(from))
            .bind(ms(now))
            .bind(actor)
            .bind(Some("initial plan".to_string()))
            .fetch_one(&mut *tx)
            .await?;
            plan_changes.push(decode_change(&row)?);
        }
        tx.commit().await?;
        Ok(OrganizationRecord { org, plan_changes })
    }

    pub async fn get_organization(&self, id: i64) -> Result<OrganizationRecord, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM organizations WHERE id = $1"))
            .bind(id)
            .fetch_one(self.r())
            .await?;
        let org = decode(&row)?;
        let plan_changes = self.plan_changes(id).await?;
        Ok(OrganizationRecord { org, plan_changes })
    }

    pub async fn get_organization_by_name(&self, name: &str) -> Result<OrganizationRecord, StoreError> {
        let id: i64 =
            sqlx::query_scalar("SELECT id FROM organizations WHERE name = $1").bind(name).fetch_one(self.r()).await?;
        self.get_organization(id).await
    }

    pub async fn plan_changes(&self, org_id: i64) -> Result<Vec<PlanChange>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CHANGE_COLS} FROM plan_changes WHERE organization_id = $1 ORDER BY effective_from, id"
        ))
        .bind(org_id)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(decode_change).collect()
    }

    /// Organizations in id order, each with its plan history.
    pub async fn list_organizations(&self, page: PageRequest) -> Result<Page<OrganizationRecord>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM organizations WHERE id > $1 ORDER BY id LIMIT $2"))
            .bind(page.after.unwrap_or(0))
            .bind(page.limit + 1)
            .fetch_all(self.r())
            .await?;
        let orgs: Vec<Organization> = rows.iter().map(decode).collect::<Result<_, _>>()?;
        let page = page_of(orgs, page.limit, |o| o.id);
        let (Some(first), Some(last)) = (page.items.first(), page.items.last()) else {
            return Ok(Page { items: vec![], next: None });
        };
        let rows = sqlx::query(&format!(
            "SELECT {CHANGE_COLS} FROM plan_changes WHERE organization_id BETWEEN $1 AND $2 ORDER BY effective_from, id"
        ))
        .bind(first.id)
        .bind(last.id)
        .fetch_all(self.r())
        .await?;
        let changes: Vec<PlanChange> = rows.iter().map(decode_change).collect::<Result<_, _>>()?;
        let items = page
            .items
            .into_iter()
            .map(|org| {
                let plan_changes = changes.iter().filter(|c| c.organization_id == org.id).cloned().collect();
                OrganizationRecord { org, plan_changes }
            })
            .collect();
        Ok(Page { items, next: page.next })
    }

    pub async fn save_organization(&self, o: &Organization, now: DateTime<Utc>) -> Result<Organization, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE organizations SET name = $1, account_type = $2, vip = $3, customer_category = $4, persona = $5,
             contract = $6, annual_value = $7, seats = $8, timezone = $9, updated_at = $10, owner_id = $12 WHERE id = $11 RETURNING {COLS}"
        ))
        .bind(&o.name)
        .bind(&o.account_type)
        .bind(o.vip as i64)
        .bind(&o.customer_category)
        .bind(&o.persona)
        .bind(json(&o.contract))
        .bind(o.annual_value)
        .bind(o.seats)
        .bind(&o.timezone)
        .bind(ms(now))
        .bind(o.id)
        .bind(o.owner_id)
        .fetch_one(self.w())
        .await?;
        decode(&row)
    }

    /// Deletes an organization that has no contacts and no tickets.
    pub async fn delete_organization(&self, id: i64) -> Result<(), StoreError> {
        let contacts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE organization_id = $1")
            .bind(id)
            .fetch_one(self.r())
            .await?;
        if contacts > 0 {
            return Err(StoreError::Conflict("the organization still has contacts; delete or move them first".into()));
        }
        let done = sqlx::query("DELETE FROM organizations WHERE id = $1").bind(id).execute(self.w()).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a purchase, upgrade or downgrade taking effect at `effective_from`.
    pub async fn change_plan(
        &self,
        org_id: i64,
        plan_id: i64,
        effective_from: DateTime<Utc>,
        actor: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<PlanChange, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO plan_changes (organization_id, plan_id, effective_from, recorded_at, actor, reason)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {CHANGE_COLS}"
        ))
        .bind(org_id)
        .bind(plan_id)
        .bind(ms(effective_from))
        .bind(ms(now))
        .bind(actor)
        .bind(reason)
        .fetch_one(self.w())
        .await?;
        decode_change(&row)
    }
}
