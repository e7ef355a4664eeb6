//! Contacts: customer users, each in one organization.

use crate::codec::{ms, time};
use crate::{page_of, Page, PageRequest, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use triage_core::contact::Contact;
use triage_core::email::Email;
use triage_core::ticket::event_data::{Erased, FieldChange, FieldsChanged};

const COLS: &str = "id, organization_id, name, email, timezone, created_at";

fn decode(r: &AnyRow) -> Result<Contact, StoreError> {
    Ok(Contact {
        id: r.try_get("id")?,
        organization_id: r.try_get("organization_id")?,
        name: r.try_get("name")?,
        email: Email::parse(&r.try_get::<String, _>("email")?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        timezone: r.try_get("timezone")?,
        created_at: time(r.try_get("created_at")?)?,
    })
}

impl Store {
    pub async fn create_contact(
        &self,
        org_id: i64,
        name: &str,
        email: &Email,
        now: DateTime<Utc>,
    ) -> Result<Contact, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO contacts (organization_id, name, email, created_at) VALUES ($1, $2, $3, $4) RETURNING {COLS}"
        ))
        .bind(org_id)
        .bind(name)
        .bind(email.as_str())
        .bind(ms(now))
        .fetch_one(self.w())
        .await?;
        decode(&row)
    }

    pub async fn get_contact(&self, id: i64) -> Result<Contact, StoreError> {
        let row =
            sqlx::query(&format!("SELECT {COLS} FROM contacts WHERE id = $1")).bind(id).fetch_one(self.r()).await?;
        decode(&row)
    }

    pub async fn get_contact_by_email(&self, email: &Email) -> Result<Contact, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM contacts WHERE email = $1"))
            .bind(email.as_str())
            .fetch_one(self.r())
            .await?;
        decode(&row)
    }

    pub async fn list_contacts(&self, org: Option<i64>, page: PageRequest) -> Result<Page<Contact>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM contacts WHERE id > $1 AND ($2 = 0 OR organization_id = $2) ORDER BY id LIMIT $3"
        ))
        .bind(page.after.unwrap_or(0))
        .bind(org.unwrap_or(0))
        .bind(page.limit + 1)
        .fetch_all(self.r())
        .await?;
        let items = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(items, page.limit, |c| c.id))
    }

    /// Saves a contact; their organization decides what their tokens may
    /// read, so the authorization epoch moves with it.
    pub async fn save_contact(&self, c: &Contact) -> Result<Contact, StoreError> {
        let mut tx = self.w().begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE contacts SET organization_id = $1, name = $2, email = $3, timezone = $5 WHERE id = $4 RETURNING {COLS}"
        ))
        .bind(c.organization_id)
        .bind(&c.name)
        .bind(c.email.as_str())
        .bind(c.id)
        .bind(&c.timezone)
        .fetch_one(&mut *tx)
        .await?;
        crate::auth_epoch::bump(&mut *tx).await?;
        tx.commit().await?;
        decode(&row)
    }

    /// Deletes a contact who never raised a ticket, and their API tokens.
    pub async fn delete_contact(&self, id: i64) -> Result<(), StoreError> {
        let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE requester_id = $1")
            .bind(id)
            .fetch_one(self.r())
            .await?;
        if tickets > 0 {
            return Err(StoreError::Conflict("the contact has tickets and stays for the record".into()));
        }
        let mut tx = self.w().begin().await?;
        sqlx::query("DELETE FROM api_tokens WHERE role = 'customer' AND user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM contacts WHERE id = $1").bind(id).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        crate::auth_epoch::bump(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Erases a contact's personal data on request: their name and e-mail, and
    /// the texts they wrote (their tickets' subject and body, their replies),
    /// replaced; their tokens revoked; each of their tickets kept for reporting
    /// with the erasure in its log. One transaction. Returns the tickets touched.
    pub async fn erase_contact(&self, id: i64, by: &str, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
        const ERASED: &str = "[erased on request]";
        let mut tx = self.w().begin().await?;
        let done = sqlx::query("UPDATE contacts SET name = $1, email = $2, timezone = NULL WHERE id = $3")
            .bind(format!("Erased contact {id}"))
            .bind(format!("erased-{id}@erased.invalid"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let tickets: Vec<i64> = sqlx::query_scalar("SELECT id FROM tickets WHERE requester_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE tickets SET subject = $1, body = $1, version = version + 1, updated_at = $2 WHERE requester_id = $3",
        )
        .bind(ERASED)
        .bind(crate::codec::ms(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let replies = sqlx::query("UPDATE comments SET body = $1 WHERE author = $2")
            .bind(ERASED)
            .bind(format!("contact:{id}"))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE role = 'customer' AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(crate::codec::ms(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let event = crate::NewEvent {
            data: triage_core::ticket::EventData::FieldsChanged(FieldsChanged {
                changes: ["subject", "body"].map(|f| FieldChange { field: f.into(), from: None, to: None }).into(),
                sla_escalation: false,
                erased: Some(Erased { contact_id: id, replies: replies as u64, by: by.to_string() }),
            }),
            reason: Some("the requester's personal data erased on request".into()),
        };
        for t in &tickets {
            crate::tickets::insert_event(&mut tx, *t, now, triage_core::ticket::Actor::System, &event).await?;
        }
        crate::auth_epoch::bump(&mut *tx).await?;
        tx.commit().await?;
        Ok(tickets)
    }
}
