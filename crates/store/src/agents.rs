//! Agents: support staff with role, skills, tier, team and capacity.

use crate::codec::{from_json, json, ms, parse, time};
use crate::{page_of, Page, PageRequest, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use triage_core::agent::{Agent, AgentRole, Availability, Skill, Tier};
use triage_core::email::Email;

const COLS: &str =
    "id, name, email, role, skills, tier, team, capacity, timezone, active, availability, shifts, created_at";

fn decode(r: &AnyRow) -> Result<Agent, StoreError> {
    Ok(Agent {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        email: Email::parse(&r.try_get::<String, _>("email")?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        role: parse::<AgentRole>(&r.try_get::<String, _>("role")?)?,
        skills: from_json::<Vec<Skill>>(&r.try_get::<String, _>("skills")?)?,
        tier: parse::<Tier>(&r.try_get::<String, _>("tier")?)?,
        team: r.try_get("team")?,
        capacity: r.try_get("capacity")?,
        timezone: r.try_get("timezone")?,
        active: r.try_get::<i64, _>("active")? != 0,
        availability: parse::<Availability>(&r.try_get::<String, _>("availability")?)?,
        shifts: from_json::<Vec<String>>(&r.try_get::<String, _>("shifts")?)?,
        created_at: time(r.try_get("created_at")?)?,
    })
}

impl Store {
    /// Stores a new agent; `a.id` and `a.created_at` are ignored.
    pub async fn create_agent(&self, a: &Agent, now: DateTime<Utc>) -> Result<Agent, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO agents (name, email, role, skills, tier, team, capacity, timezone, active, created_at, availability, shifts)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {COLS}"
        ))
        .bind(&a.name)
        .bind(a.email.as_str())
        .bind(a.role.as_str())
        .bind(json(&a.skills))
        .bind(a.tier.as_str())
        .bind(&a.team)
        .bind(a.capacity)
        .bind(&a.timezone)
        .bind(a.active as i64)
        .bind(ms(now))
        .bind(a.availability.as_str())
        .bind(json(&a.shifts))
        .fetch_one(self.w())
        .await?;
        decode(&row)
    }

    pub async fn get_agent(&self, id: i64) -> Result<Agent, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM agents WHERE id = $1")).bind(id).fetch_one(self.r()).await?;
        decode(&row)
    }

    pub async fn get_agent_by_email(&self, email: &Email) -> Result<Agent, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM agents WHERE email = $1"))
            .bind(email.as_str())
            .fetch_one(self.r())
            .await?;
        decode(&row)
    }

    pub async fn list_agents(&self, page: PageRequest) -> Result<Page<Agent>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM agents WHERE id > $1 ORDER BY id LIMIT $2"))
            .bind(page.after.unwrap_or(0))
            .bind(page.limit + 1)
            .fetch_all(self.r())
            .await?;
        let items = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(items, page.limit, |a| a.id))
    }

    pub async fn count_admins(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM agents WHERE role = 'admin'").fetch_one(self.r()).await?)
    }

    /// Saves an agent; their role and state decide what their tokens may do,
    /// so the authorization epoch moves with it.
    pub async fn save_agent(&self, a: &Agent) -> Result<Agent, StoreError> {
        let mut tx = self.w().begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE agents SET name = $1, email = $2, role = $3, skills = $4, tier = $5, team = $6, capacity = $7,
             timezone = $8, active = $9, availability = $11, shifts = $12 WHERE id = $10 RETURNING {COLS}"
        ))
        .bind(&a.name)
        .bind(a.email.as_str())
        .bind(a.role.as_str())
        .bind(json(&a.skills))
        .bind(a.tier.as_str())
        .bind(&a.team)
        .bind(a.capacity)
        .bind(&a.timezone)
        .bind(a.active as i64)
        .bind(a.id)
        .bind(a.availability.as_str())
        .bind(json(&a.shifts))
        .fetch_one(&mut *tx)
        .await?;
        crate::auth_epoch::bump(&mut *tx).await?;
        tx.commit().await?;
        decode(&row)
    }

    /// Deletes an agent with no tickets assigned, and their tokens. Agents who
    /// worked tickets stay for the record: deactivate them instead.
    pub async fn delete_agent(&self, id: i64) -> Result<(), StoreError> {
        let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE assignee_id = $1")
            .bind(id)
            .fetch_one(self.r())
            .await?;
        if tickets > 0 {
            return Err(StoreError::Conflict(
                "the agent has assigned tickets; reassign them or set `active` to false".into(),
            ));
        }
        let mut tx = self.w().begin().await?;
        sqlx::query("DELETE FROM api_tokens WHERE role <> 'customer' AND user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM agents WHERE id = $1").bind(id).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        crate::auth_epoch::bump(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Every agent (routing reads them all; teams are small next to tickets).
    pub async fn all_agents(&self) -> Result<Vec<Agent>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM agents ORDER BY id")).fetch_all(self.r()).await?;
        rows.iter().map(decode).collect()
    }

    /// Open work per agent: `(agent id, level, tickets)` over unsolved tickets.
    pub async fn open_work_by_agent(&self) -> Result<Vec<(i64, Option<String>, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT assignee_id, priority, COUNT(*) AS n FROM tickets
             WHERE assignee_id IS NOT NULL AND status NOT IN ('solved', 'closed')
             GROUP BY assignee_id, priority",
        )
        .fetch_all(self.r())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("assignee_id")?, r.try_get("priority")?, r.try_get("n")?))).collect()
    }

    /// The unsolved tickets assigned to an agent (ids).
    pub async fn open_tickets_of(&self, agent: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM tickets WHERE assignee_id = $1 AND status NOT IN ('solved', 'closed') ORDER BY id",
        )
        .bind(agent)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(|r| Ok(r.try_get::<i64, _>(0)?)).collect()
    }
}
