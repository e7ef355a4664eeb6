//! Listing tickets with filters and cursor pagination.

use super::{decode, COLS};
use crate::{page_of, Page, PageRequest, Store, StoreError};
use sqlx::Row;
use triage_core::ticket::{Status, Ticket};

/// Which tickets to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub statuses: Vec<Status>,
    /// Any of these levels (empty: all).
    pub priorities: Vec<String>,
    /// `Some(None)`: unassigned tickets only.
    pub assignee_id: Option<Option<i64>>,
    pub organization_id: Option<i64>,
    pub requester_id: Option<i64>,
    /// Any of these categories (empty: all).
    pub categories: Vec<String>,
    /// Any of these tags (empty: all).
    pub tags: Vec<String>,
    /// Case-insensitive substring of subject or body.
    pub text: Option<String>,
}

enum Arg {
    Int(i64),
    Text(String),
}

/// Escapes `%`, `_` and `\` so user text matches literally in LIKE.
fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl Store {
    /// Tickets newest first; the cursor is the id of the last ticket returned.
    pub async fn list_tickets(&self, f: &TicketFilter, page: PageRequest) -> Result<Page<Ticket>, StoreError> {
        let mut wh: Vec<String> = Vec::new();
        let mut args: Vec<Arg> = Vec::new();
        fn push(wh: &mut Vec<String>, args: &mut Vec<Arg>, cond: &dyn Fn(usize) -> String, a: Arg) {
            args.push(a);
            wh.push(cond(args.len()));
        }
        // `col IN ($n, $n+1, ...)`, one bound parameter per value.
        fn any_of(wh: &mut Vec<String>, args: &mut Vec<Arg>, cond: &dyn Fn(&str) -> String, values: &[String]) {
            let mut marks = Vec::with_capacity(values.len());
            for v in values {
                args.push(Arg::Text(v.clone()));
                marks.push(format!("${}", args.len()));
            }
            wh.push(cond(&marks.join(", ")));
        }
        if let Some(after) = page.after {
            push(&mut wh, &mut args, &|n| format!("id < ${n}"), Arg::Int(after));
        }
        if !f.statuses.is_empty() {
            let list: Vec<String> = f.statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
            // Status names come from a closed enum, never from user text.
            wh.push(format!("status IN ({})", list.join(", ")));
        }
        if !f.priorities.is_empty() {
            any_of(&mut wh, &mut args, &|m| format!("priority IN ({m})"), &f.priorities);
        }
        match f.assignee_id {
            Some(Some(a)) => push(&mut wh, &mut args, &|n| format!("assignee_id = ${n}"), Arg::Int(a)),
            Some(None) => wh.push("assignee_id IS NULL".into()),
            None => {}
        }
        if let Some(o) = f.organization_id {
            push(&mut wh, &mut args, &|n| format!("organization_id = ${n}"), Arg::Int(o));
        }
        if let Some(r) = f.requester_id {
            push(&mut wh, &mut args, &|n| format!("requester_id = ${n}"), Arg::Int(r));
        }
        if !f.categories.is_empty() {
            any_of(&mut wh, &mut args, &|m| format!("category IN ({m})"), &f.categories);
        }
        if !f.tags.is_empty() {
            let tags: Vec<String> = f.tags.iter().map(|t| t.to_lowercase()).collect();
            any_of(
                &mut wh,
                &mut args,
                &|m| format!("EXISTS (SELECT 1 FROM ticket_tags g WHERE g.tag IN ({m}) AND g.ticket_id = tickets.id)"),
                &tags,
            );
        }
        if let Some(t) = &f.text {
            push(
                &mut wh,
                &mut args,
                &|n| format!("(LOWER(subject) LIKE ${n} ESCAPE '\\' OR LOWER(body) LIKE ${n} ESCAPE '\\')"),
                Arg::Text(like_pattern(t)),
            );
        }
        let where_sql = if wh.is_empty() { String::new() } else { format!("WHERE {}", wh.join(" AND ")) };
        let sql = format!("SELECT {COLS} FROM tickets {where_sql} ORDER BY id DESC LIMIT {}", page.limit + 1);
        let mut q = sqlx::query(&sql);
        for a in args {
            q = match a {
                Arg::Int(i) => q.bind(i),
                Arg::Text(s) => q.bind(s),
            };
        }
        let rows = q.fetch_all(self.r()).await?;
        let items = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(items, page.limit, |t| t.id))
    }

    /// Open tickets, and tickets created in the hour before `now`.
    pub async fn queue_volume(&self, now: chrono::DateTime<chrono::Utc>) -> Result<(u64, u64), StoreError> {
        let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE status NOT IN ('solved', 'closed')")
            .fetch_one(self.r())
            .await?;
        let recent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE created_at >= $1")
            .bind(crate::codec::ms(now) - 3_600_000)
            .fetch_one(self.r())
            .await?;
        Ok((open.max(0) as u64, recent.max(0) as u64))
    }

    /// Every ticket id in ascending order, a chunk at a time (for export).
    pub async fn tickets_after(&self, after: i64, limit: i64) -> Result<Vec<Ticket>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM tickets WHERE id > $1 ORDER BY id LIMIT $2"))
            .bind(after)
            .bind(limit)
            .fetch_all(self.r())
            .await?;
        rows.iter().map(decode).collect()
    }
}

impl Store {
    /// Open tickets (not solved or closed) after `after` by id: of one organization,
    /// or those scored by a policy version other than `not_version`.
    pub async fn open_tickets_for_rescore(
        &self,
        organization_id: Option<i64>,
        not_version: Option<&str>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<Ticket>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM tickets WHERE id > $1 AND status NOT IN ('solved', 'closed')
               AND ($2 = 0 OR organization_id = $2)
               AND ($3 = '' OR COALESCE(policy_version, '') <> $3)
             ORDER BY id LIMIT $4"
        ))
        .bind(after)
        .bind(organization_id.unwrap_or(0))
        .bind(not_version.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(decode).collect()
    }
}

impl Store {
    /// An organization's latest tickets but `except`, newest first, through
    /// the `(organization_id, id)` index: a few rows however many it has.
    pub async fn latest_tickets_of(&self, org: i64, except: i64, limit: i64) -> Result<Vec<Ticket>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM tickets WHERE organization_id = $1 AND id <> $2 ORDER BY id DESC LIMIT $3"
        ))
        .bind(org)
        .bind(except)
        .bind(limit)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(decode).collect()
    }

    /// How many of an organization's tickets but `except` are not solved or
    /// closed, counting up to `cap` (a ticket page says "more than" beyond).
    pub async fn unsolved_tickets_of(&self, org: i64, except: i64, cap: i64) -> Result<i64, StoreError> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM tickets WHERE organization_id = $1 AND id <> $2
               AND status NOT IN ('solved', 'closed') LIMIT $3) AS unsolved",
        )
        .bind(org)
        .bind(except)
        .bind(cap)
        .fetch_one(self.r())
        .await?
        .try_get("n")?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;
    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_Off"), "%50\\%\\_off%");
    }
}
