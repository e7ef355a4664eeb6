//! The work queue: open tickets in priority order, and taking the next one.

use super::{decode, COLS};
use crate::{Store, StoreError};
use triage_core::ticket::Ticket;

/// Which open tickets a queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Only these categories (empty: all).
    pub categories: Vec<String>,
    /// Only these priority levels (empty: all).
    pub levels: Vec<String>,
    pub tag: Option<String>,
    /// Only tickets nobody is assigned to.
    pub unassigned: bool,
}

/// A position in the queue: after this (score, id).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueCursor {
    pub score: f64,
    pub id: i64,
}

impl Store {
    /// Open tickets (new or open) by stored priority score, highest first, then
    /// oldest first; `limit` of them after `cursor`.
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
            items.last().map(|t| QueueCursor { score: t.priority_score.unwrap_or(0.0), id: t.id })
        } else {
            None
        };
        Ok((items, next))
    }
}
