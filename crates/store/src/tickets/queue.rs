//! The work queue: open tickets in priority order, and taking the next one.

use super::{decode, COLS};
use crate::codec::{from_json, parse};
use crate::{Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;
use triage_core::priority::Points;
use triage_core::queue::{QueueCursor, QueueFilter, QueueItem};
use triage_core::ticket::{Status, Ticket};

/// What the queue index needs of a stored ticket, without its text.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub id: i64,
    pub version: i64,
    pub status: Status,
    pub assigned: bool,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub category: Option<String>,
    pub team: Option<String>,
    pub tier: Option<triage_core::agent::Tier>,
    pub tags: Vec<String>,
    pub points: Option<Points>,
    pub score: Option<f64>,
    pub level: Option<String>,
    pub sla_due_ms: Option<i64>,
}

impl QueueRow {
    pub fn item(&self) -> QueueItem<'_> {
        QueueItem {
            id: self.id,
            version: self.version,
            open: matches!(self.status, Status::New | Status::Open),
            assigned: self.assigned,
            created_ms: self.created_ms,
            category: self.category.as_deref(),
            team: self.team.as_deref(),
            tier: self.tier,
            tags: &self.tags,
            points: self.points.as_ref(),
            score: self.score,
            level: self.level.as_deref(),
            sla_due_ms: self.sla_due_ms,
        }
    }
}

const ROW_COLS: &str = "id, version, status, assignee_id, created_at, updated_at, category, team, tier, tags, \
    priority_points, priority_score, priority, sla_due_at";

fn decode_row(r: &AnyRow) -> Result<QueueRow, StoreError> {
    Ok(QueueRow {
        id: r.try_get("id")?,
        version: r.try_get("version")?,
        status: parse(&r.try_get::<String, _>("status")?)?,
        assigned: r.try_get::<Option<i64>, _>("assignee_id")?.is_some(),
        created_ms: r.try_get("created_at")?,
        updated_ms: r.try_get("updated_at")?,
        category: r.try_get("category")?,
        team: r.try_get("team")?,
        tier: r.try_get::<Option<String>, _>("tier")?.map(|s| parse(&s)).transpose()?,
        tags: from_json(&r.try_get::<String, _>("tags")?)?,
        points: r.try_get::<Option<String>, _>("priority_points")?.map(|s| from_json(&s)).transpose()?,
        score: r.try_get("priority_score")?,
        level: r.try_get("priority")?,
        sla_due_ms: r.try_get("sla_due_at")?,
    })
}

impl Store {
    /// Open tickets (new or open) after id `after`, for loading the queue index.
    pub async fn open_queue_rows(&self, after: i64, limit: i64) -> Result<Vec<QueueRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ROW_COLS} FROM tickets WHERE status IN ('new', 'open') AND id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(decode_row).collect()
    }

    /// Tickets changed at or after `since_ms` (any status), oldest change first:
    /// how a process learns what other processes wrote.
    pub async fn changed_queue_rows(&self, since_ms: i64, limit: i64) -> Result<Vec<QueueRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ROW_COLS} FROM tickets WHERE updated_at >= $1 ORDER BY updated_at, id LIMIT $2"
        ))
        .bind(since_ms)
        .bind(limit)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(decode_row).collect()
    }

    /// Tickets by id, in the order asked (missing ones left out).
    pub async fn tickets_by_ids(&self, ids: &[i64]) -> Result<Vec<Ticket>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        let rows = sqlx::query(&format!("SELECT {COLS} FROM tickets WHERE id IN ({})", list.join(",")))
            .fetch_all(self.r())
            .await?;
        let mut found: std::collections::HashMap<i64, Ticket> =
            rows.iter().map(decode).map(|t| t.map(|t| (t.id, t))).collect::<Result<_, _>>()?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }
}

impl Store {
    /// Open tickets (new or open) by stored priority score, highest first, then
    /// oldest first; `limit` of them after `cursor`. A plain SQL `ORDER BY`: the
    /// baseline the queue index is measured against (it does not see age or SLA
    /// points grow between writes).
    pub async fn queue(
        &self,
        f: &QueueFilter,
        cursor: Option<QueueCursor>,
        limit: i64,
    ) -> Result<(Vec<Ticket>, Option<QueueCursor>), StoreError> {
        let mut wh = vec!["status IN ('new', 'open')".to_string()];
        let mut texts: Vec<String> = Vec::new();
        let mut n = 0;
        let mut param = |v: String, texts: &mut Vec<String>| {
            texts.push(v);
            n += 1;
            format!("${n}")
        };
        if !f.categories.is_empty() {
            let ps: Vec<String> = f.categories.iter().map(|c| param(c.clone(), &mut texts)).collect();
            wh.push(format!("category IN ({})", ps.join(", ")));
        }
        if !f.levels.is_empty() {
            let ps: Vec<String> = f.levels.iter().map(|c| param(c.clone(), &mut texts)).collect();
            wh.push(format!("priority IN ({})", ps.join(", ")));
        }
        if let Some(t) = &f.tag {
            let p = param(t.to_lowercase(), &mut texts);
            wh.push(format!("EXISTS (SELECT 1 FROM ticket_tags g WHERE g.tag = {p} AND g.ticket_id = tickets.id)"));
        }
        if f.unassigned {
            wh.push("assignee_id IS NULL".into());
        }
        let after = match cursor {
            Some(c) => {
                let (s, i) = (n + 1, n + 2);
                wh.push(format!(
                    "(COALESCE(priority_score, 0) < ${s} OR (COALESCE(priority_score, 0) = ${s} AND id > ${i}))"
                ));
                Some(c)
            }
            None => None,
        };
        let sql = format!(
            "SELECT {COLS} FROM tickets WHERE {} ORDER BY COALESCE(priority_score, 0) DESC, id ASC LIMIT {}",
            wh.join(" AND "),
            limit + 1
        );
        let mut q = sqlx::query(&sql);
        for t in texts {
            q = q.bind(t);
        }
        if let Some(c) = after {
            q = q.bind(c.score).bind(c.id);
        }
        let rows = q.fetch_all(self.r()).await?;
        let mut items = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|t| QueueCursor { score: t.score().unwrap_or(0.0), id: t.id })
        } else {
            None
        };
        Ok((items, next))
    }
}
