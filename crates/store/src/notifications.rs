//! Notification records for internal stakeholders: an escalation's `notify`, a
//! VIP or enterprise account's changed promise. Delivery (e-mail, chat) reads them.

use crate::codec::{ms, opt_time, time};
use crate::{page_of, Page, PageRequest, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use triage_core::notification::Notification;

/// A notification to record: for `agent:<id>` or `team:<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub recipient: String,
    pub kind: String,
    pub body: String,
}

pub(crate) async fn insert(
    tx: &mut Transaction<'_, Any>,
    ticket_id: Option<i64>,
    n: &NewNotification,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO notifications (recipient, ticket_id, kind, body, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&n.recipient)
        .bind(ticket_id)
        .bind(&n.kind)
        .bind(&n.body)
        .bind(ms(now))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn decode(r: &AnyRow) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: r.try_get("id")?,
        recipient: r.try_get("recipient")?,
        ticket_id: r.try_get("ticket_id")?,
        kind: r.try_get("kind")?,
        body: r.try_get("body")?,
        created_at: time(r.try_get("created_at")?)?,
        read_at: opt_time(r.try_get("read_at")?)?,
    })
}

impl Store {
    /// Notifications for any of `recipients` (all when empty), oldest first.
    pub async fn list_notifications(
        &self,
        recipients: &[String],
        ticket_id: Option<i64>,
        page: PageRequest,
    ) -> Result<Page<Notification>, StoreError> {
        // Recipients are few (an agent and their team): bound as a JSON list so
        // one query text serves both backends.
        let mut sql = String::from(
            "SELECT id, recipient, ticket_id, kind, body, created_at, read_at FROM notifications WHERE id > $1",
        );
        if ticket_id.is_some() {
            sql.push_str(" AND ticket_id = $2");
        } else {
            sql.push_str(" AND $2 = 0");
        }
        if !recipients.is_empty() {
            let list: Vec<String> = (0..recipients.len()).map(|i| format!("${}", i + 4)).collect();
            sql.push_str(&format!(" AND recipient IN ({})", list.join(", ")));
        }
        sql.push_str(" ORDER BY id LIMIT $3");
        let mut q = sqlx::query(&sql).bind(page.after.unwrap_or(0)).bind(ticket_id.unwrap_or(0)).bind(page.limit + 1);
        for r in recipients {
            q = q.bind(r);
        }
        let rows = q.fetch_all(self.r()).await?;
        let items = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(items, page.limit, |n| n.id))
    }

    /// Records notifications outside a ticket change.
    pub async fn notify(
        &self,
        ticket_id: Option<i64>,
        list: &[NewNotification],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.w().begin().await?;
        for n in list {
            insert(&mut tx, ticket_id, n, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One notification.
    pub async fn get_notification(&self, id: i64) -> Result<Notification, StoreError> {
        let row = sqlx::query(
            "SELECT id, recipient, ticket_id, kind, body, created_at, read_at FROM notifications WHERE id = $1",
        )
        .bind(id)
        .fetch_one(self.r())
        .await?;
        decode(&row)
    }

    /// Marks a notification read (the first time only; reading again keeps the
    /// first instant).
    pub async fn mark_notification_read(&self, id: i64, now: DateTime<Utc>) -> Result<Notification, StoreError> {
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL")
            .bind(ms(now))
            .bind(id)
            .execute(self.w())
            .await?;
        self.get_notification(id).await
    }
}
