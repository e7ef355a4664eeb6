//! Trained categorization models, versioned; one active per target.

use crate::codec::{ms, time};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A stored model without its weights.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRecord {
    pub id: i64,
    pub target: String,
    pub created_at: DateTime<Utc>,
    pub source: String,
    pub rows_trained: i64,
    /// Its evaluation on the held-out split, JSON.
    pub metrics: String,
    pub header: String,
    pub active: bool,
    /// Why it is (not) active, in words.
    pub note: String,
}

/// A model to store.
#[derive(Debug, Clone)]
pub struct NewModel<'a> {
    pub target: &'a str,
    pub source: &'a str,
    pub rows_trained: i64,
    pub metrics: String,
    pub header: String,
    pub weights: Vec<u8>,
    pub active: bool,
    pub note: String,
}

const COLS: &str = "id, target, created_at, source, rows_trained, metrics, header, active, note";

fn decode(r: &AnyRow) -> Result<ModelRecord, StoreError> {
    Ok(ModelRecord {
        id: r.try_get("id")?,
        target: r.try_get("target")?,
        created_at: time(r.try_get("created_at")?)?,
        source: r.try_get("source")?,
        rows_trained: r.try_get("rows_trained")?,
        metrics: r.try_get("metrics")?,
        header: r.try_get("header")?,
        active: r.try_get::<i64, _>("active")? != 0,
        note: r.try_get("note")?,
    })
}

impl Store {
    /// Stores a model; when it is `active`, the target's other models stop being.
    pub async fn save_model(&self, m: NewModel<'_>, now: DateTime<Utc>) -> Result<ModelRecord, StoreError> {
        let mut tx = self.w().begin().await?;
        if m.active {
            sqlx::query("UPDATE models SET active = 0 WHERE target = $1").bind(m.target).execute(&mut *tx).await?;
        }
        let row = sqlx::query(&format!(
            "INSERT INTO models (target, created_at, source, rows_trained, metrics, header, weights, active, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLS}"
        ))
        .bind(m.target)
        .bind(ms(now))
        .bind(m.source)
        .bind(m.rows_trained)
        .bind(&m.metrics)
        .bind(&m.header)
        .bind(m.weights)
        .bind(m.active as i64)
        .bind(&m.note)
        .fetch_one(&mut *tx)
        .await?;
        let rec = decode(&row)?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Makes a model its target's active one.
    pub async fn activate_model(&self, id: i64) -> Result<ModelRecord, StoreError> {
        let m = self.model(id).await?;
        let mut tx = self.w().begin().await?;
        sqlx::query("UPDATE models SET active = 0 WHERE target = $1").bind(&m.target).execute(&mut *tx).await?;
        sqlx::query("UPDATE models SET active = 1, note = $2 WHERE id = $1")
            .bind(id)
            .bind("activated by hand")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.model(id).await
    }

    pub async fn model(&self, id: i64) -> Result<ModelRecord, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM models WHERE id = $1")).bind(id).fetch_one(self.r()).await?;
        decode(&row)
    }

    /// A model's weights.
    pub async fn model_weights(&self, id: i64) -> Result<Vec<u8>, StoreError> {
        Ok(sqlx::query_scalar("SELECT weights FROM models WHERE id = $1").bind(id).fetch_one(self.r()).await?)
    }

    /// Every model (of one target), newest first.
    pub async fn list_models(&self, target: Option<&str>) -> Result<Vec<ModelRecord>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM models WHERE ($1 = '' OR target = $1) ORDER BY id DESC"))
            .bind(target.unwrap_or(""))
            .fetch_all(self.r())
            .await?;
        rows.iter().map(decode).collect()
    }

    /// The target's active model, if any.
    pub async fn active_model(&self, target: &str) -> Result<Option<ModelRecord>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM models WHERE target = $1 AND active = 1"))
            .bind(target)
            .fetch_optional(self.r())
            .await?;
        row.as_ref().map(decode).transpose()
    }

    /// Labelled tickets for training: `(subject + body, value of field)` where a
    /// person (requester, agent, import) set the field. A value a model set and
    /// nobody has touched since is not a label: training on it would teach the
    /// model its own guesses. `field` is category, urgency, impact or a custom field.
    pub async fn labelled_tickets(&self, field: &str) -> Result<Vec<(String, String)>, StoreError> {
        let col = match field {
            "category" | "urgency" | "impact" => field,
            _ => "custom_fields",
        };
        let rows = sqlx::query(&format!(
            "SELECT subject, body, {col} AS label, predictions FROM tickets WHERE {col} IS NOT NULL ORDER BY id"
        ))
        .fetch_all(self.r())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let label: String = r.try_get("label")?;
            let label = if col == "custom_fields" {
                let fields: triage_core::ticket::CustomFields = crate::codec::from_json(&label)?;
                match fields.get(field).and_then(|v| v.as_str()) {
                    Some(v) => v.to_string(),
                    None => continue,
                }
            } else {
                label
            };
            if let Some(p) = r.try_get::<Option<String>, _>("predictions")? {
                let p: triage_core::ticket::Predictions = crate::codec::from_json(&p)?;
                if triage_core::ticket::applied(&p, field) == Some(label.as_str()) {
                    continue;
                }
            }
            let (s, b): (String, String) = (r.try_get("subject")?, r.try_get("body")?);
            out.push((format!("{s}\n{b}"), label));
        }
        Ok(out)
    }
}

impl Store {
    /// The active models that map onto `policy`, ready for intake, and why the
    /// others are not used (`(target, model id, reason)`).
    pub async fn intake_models(
        &self,
        policy: &triage_core::policy::Policy,
    ) -> Result<(triage_core::classify::Intake, Vec<(String, i64, String)>), StoreError> {
        use triage_core::classify::{IntakeModel, Model};
        let rows = sqlx::query(&format!("SELECT {COLS} FROM models WHERE active = 1 ORDER BY target"))
            .fetch_all(self.r())
            .await?;
        let mut usable = Vec::new();
        let mut skipped = Vec::new();
        for r in &rows {
            let m = decode(r)?;
            let model = match Model::decode(&m.header, &self.model_weights(m.id).await?) {
                Ok(model) => model,
                Err(e) => {
                    skipped.push((m.target, m.id, format!("cannot be read: {e}")));
                    continue;
                }
            };
            match IntakeModel::new(&m.target, m.id, model, policy) {
                Ok(im) => usable.push(im),
                Err(why) => skipped.push((m.target, m.id, why)),
            }
        }
        Ok((triage_core::classify::Intake::new(usable), skipped))
    }

    /// The active models' ids, to notice a change cheaply.
    pub async fn active_model_ids(&self) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT id FROM models WHERE active = 1 ORDER BY id").fetch_all(self.r()).await?)
    }
}
