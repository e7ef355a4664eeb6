//! Labels people gave to tickets' predicted fields, kept to judge the models
//! against (prediction accuracy over time) and to say which prediction a
//! person corrected.

use crate::codec::{ms, time};
use crate::{page_of, Page, PageRequest, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::{Any, Row, Transaction};
use triage_core::ticket::{Actor, Ticket};

/// An agent set a predicted field (the data of a `labelled` event).
pub type NewLabel = triage_core::ticket::event_data::Label;

/// A stored label: what was given, on which ticket, by whom, when.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelRow {
    pub ticket_id: i64,
    pub label: NewLabel,
    pub actor: String,
    pub at: DateTime<Utc>,
}

pub(crate) async fn insert(
    tx: &mut Transaction<'_, Any>,
    ticket_id: i64,
    actor: Actor,
    l: &NewLabel,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO ticket_labels (ticket_id, target, label, previous, predicted, confidence, model_id,
           prediction_state, actor, at) VALUES ($1, $2, $3, $4, $5, CAST($6 AS DOUBLE PRECISION), $7, $8, $9, $10)",
    )
    .bind(ticket_id)
    .bind(&l.target)
    .bind(&l.label)
    .bind(&l.previous)
    .bind(&l.predicted)
    // As text: sqlx's Any driver binds a NULL f64 as a float4, and PostgreSQL
    // then keeps float4 for the prepared statement, so the next real f64 fails
    // ("incorrect binary data format in bind parameter 6"). Text casts the
    // same on both backends, and an f64's shortest form reads back exactly.
    .bind(l.confidence.map(|c| c.to_string()))
    .bind(l.model_id)
    .bind(&l.prediction_state)
    .bind(actor.to_string())
    .bind(ms(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Labels given in `[from, to)`, oldest first.
    pub async fn list_labels(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<LabelRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT ticket_id, target, label, previous, predicted, confidence, model_id, prediction_state, actor, at
             FROM ticket_labels WHERE at >= $1 AND at < $2 ORDER BY at, id",
        )
        .bind(ms(from))
        .bind(ms(to))
        .fetch_all(self.r())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LabelRow {
                    ticket_id: r.try_get("ticket_id")?,
                    label: NewLabel {
                        target: r.try_get("target")?,
                        label: r.try_get("label")?,
                        previous: r.try_get("previous")?,
                        predicted: r.try_get("predicted")?,
                        confidence: r.try_get("confidence")?,
                        model_id: r.try_get("model_id")?,
                        prediction_state: r.try_get("prediction_state")?,
                    },
                    actor: r.try_get("actor")?,
                    at: time(r.try_get("at")?)?,
                })
            })
            .collect()
    }

    /// Open tickets whose predictions wait for a person, oldest first, a page at a time.
    pub async fn needs_triage(&self, page: PageRequest) -> Result<Page<Ticket>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM tickets WHERE needs_triage = 1 AND id > $1 AND status NOT IN ('solved', 'closed')
             ORDER BY id LIMIT $2",
            crate::tickets::COLS
        ))
        .bind(page.after.unwrap_or(0))
        .bind(page.limit + 1)
        .fetch_all(self.r())
        .await?;
        let items = rows.iter().map(crate::tickets::decode).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(items, page.limit, |t| t.id))
    }
}
