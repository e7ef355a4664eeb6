//! The support-plan catalog.

use crate::codec::{from_json, json, ms, time};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use triage_core::plan::SupportPlan;
use triage_core::policy::PlanDef;
use triage_core::ticket::Channel;

/// A plan to add to the catalog.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub currency: String,
    pub channels: Vec<Channel>,
    pub sla_policy: String,
    pub priority_boost: f64,
}

const COLS: &str =
    "id, name, description, price_cents, currency, channels, sla_policy, priority_boost, active, created_at";

fn decode(r: &AnyRow) -> Result<SupportPlan, StoreError> {
    Ok(SupportPlan {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        price_cents: r.try_get("price_cents")?,
        currency: r.try_get("currency")?,
        channels: from_json(&r.try_get::<String, _>("channels")?)?,
        sla_policy: r.try_get("sla_policy")?,
        priority_boost: r.try_get("priority_boost")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: time(r.try_get("created_at")?)?,
    })
}

impl Store {
    pub async fn create_plan(&self, p: &NewPlan, now: DateTime<Utc>) -> Result<SupportPlan, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO plans (name, description, price_cents, currency, channels, sla_policy, priority_boost, active, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING {COLS}"
        ))
        .bind(&p.name)
        .bind(&p.description)
        .bind(p.price_cents)
        .bind(&p.currency)
        .bind(json(&p.channels))
        .bind(&p.sla_policy)
        .bind(p.priority_boost)
        .bind(ms(now))
        .fetch_one(self.w())
        .await?;
        decode(&row)
    }

    pub async fn get_plan(&self, id: i64) -> Result<SupportPlan, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM plans WHERE id = $1")).bind(id).fetch_one(self.r()).await?;
        decode(&row)
    }

    pub async fn get_plan_by_name(&self, name: &str) -> Result<SupportPlan, StoreError> {
        let row =
            sqlx::query(&format!("SELECT {COLS} FROM plans WHERE name = $1")).bind(name).fetch_one(self.r()).await?;
        decode(&row)
    }

    pub async fn list_plans(&self) -> Result<Vec<SupportPlan>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {COLS} FROM plans ORDER BY price_cents, id")).fetch_all(self.r()).await?;
        rows.iter().map(decode).collect()
    }

    pub async fn save_plan(&self, p: &SupportPlan) -> Result<SupportPlan, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE plans SET name = $1, description = $2, price_cents = $3, currency = $4, channels = $5,
             sla_policy = $6, priority_boost = $7, active = $8 WHERE id = $9 RETURNING {COLS}"
        ))
        .bind(&p.name)
        .bind(&p.description)
        .bind(p.price_cents)
        .bind(&p.currency)
        .bind(json(&p.channels))
        .bind(&p.sla_policy)
        .bind(p.priority_boost)
        .bind(p.active as i64)
        .bind(p.id)
        .fetch_one(self.w())
        .await?;
        decode(&row)
    }

    /// Deletes a plan no organization ever had; otherwise a conflict (retire it instead).
    pub async fn delete_plan(&self, id: i64) -> Result<(), StoreError> {
        let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan_changes WHERE plan_id = $1")
            .bind(id)
            .fetch_one(self.r())
            .await?;
        if used > 0 {
            return Err(StoreError::Conflict(
                "organizations have bought this plan; set `active` to false to retire it instead".into(),
            ));
        }
        let done = sqlx::query("DELETE FROM plans WHERE id = $1").bind(id).execute(self.w()).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Adds the policy's plans that the catalog does not have yet (by name).
    /// Plans already in the catalog are left as admins edited them.
    pub async fn sync_plans(&self, plans: &[PlanDef], currency: &str, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut added = 0;
        for p in plans {
            let done = sqlx::query(
                "INSERT INTO plans (name, description, price_cents, currency, channels, sla_policy, priority_boost, active, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) ON CONFLICT (name) DO NOTHING",
            )
            .bind(&p.name)
            .bind(&p.description)
            .bind(p.price_cents)
            .bind(currency)
            .bind(json(&p.channels))
            .bind(&p.sla_policy)
            .bind(p.priority_boost)
            .bind(ms(now))
            .execute(self.w())
            .await?;
            added += done.rows_affected() as usize;
        }
        Ok(added)
    }
}
