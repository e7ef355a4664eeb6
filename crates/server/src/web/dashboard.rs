//! The dashboard (`/agent/dashboard`): charts from the SLA report, drawn as
//! SVG on the server (hand-written: a few bars need no chart library), each
//! with its numbers as a table (the text alternative) and as CSV.

use super::layout::page;
use super::session::Session;
use crate::api::reports::{sla_view, SlaReportParams, SlaReportView};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use triage_core::report::{Attainment, Distribution};
use triage_store::TokenRole;

/// One chart: a title, what a bar counts, and its rows.
struct Chart {
    id: &'static str,
    title: &'static str,
    unit: &'static str,
    rows: Vec<(String, f64)>,
}

fn attainment(groups: &[Attainment]) -> Vec<(String, f64)> {
    groups.iter().filter_map(|a| a.attainment_pct.map(|p| (a.key.clone(), p))).collect()
}

fn charts(r: &SlaReportView) -> Vec<Chart> {
    let mut categories: Vec<(String, f64)> =
        r.report.by_category.iter().map(|a| (a.key.clone(), a.tickets as f64)).collect();
    categories.sort_by(|a, b| b.1.total_cmp(&a.1));
    categories.truncate(8);
    let hours = |d: &Distribution| {
        [("median", d.median_seconds), ("90th percentile", d.p90_seconds)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v as f64 / 3600.0)))
            .collect::<Vec<_>>()
    };
    vec![
        Chart {
            id: "tickets-by-level",
            title: "Tickets by level",
            unit: "tickets",
            rows: r.report.by_priority.iter().map(|a| (a.key.clone(), a.tickets as f64)).collect(),
        },
        Chart {
            id: "sla-by-level",
            title: "SLA attainment by level",
            unit: "% met",
            rows: attainment(&r.report.by_priority),
        },
        Chart {
            id: "sla-by-plan",
            title: "SLA attainment by plan",
            unit: "% met",
            rows: attainment(&r.report.by_plan),
        },
        Chart { id: "top-categories", title: "Top request categories", unit: "tickets", rows: categories },
        Chart {
            id: "first-response",
            title: "First response time (business hours)",
            unit: "hours",
            rows: hours(&r.report.first_response_time.business),
        },
        Chart {
            id: "resolution",
            title: "Resolution time (business hours)",
            unit: "hours",
            rows: hours(&r.report.resolution_time.business),
        },
    ]
}

/// Horizontal bars, one row each, scaled to the largest value.
fn svg(c: &Chart) -> Markup {
    let most = c.rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1e-9);
    let (label_w, bar_w, row_h) = (150.0, 360.0, 26.0);
    let height = row_h * c.rows.len().max(1) as f64 + 8.0;
    html! {
        svg role="img" aria-labelledby={ (c.id) "-title" } viewBox={ "0 0 " (label_w + bar_w + 90.0) " " (height) }
            width="100%" xmlns="http://www.w3.org/2000/svg" class="chart" {
            title id={ (c.id) "-title" } { (c.title) " (" (c.unit) ")" }
            @for (i, (k, v)) in c.rows.iter().enumerate() {
                @let y = 4.0 + i as f64 * row_h;
                text x=(label_w - 8.0) y=(y + 16.0) text-anchor="end" class="chart-label" { (k) }
                rect x=(label_w) y=(y + 3.0) width=(format!("{:.1}", bar_w * v / most)) height=(row_h - 8.0) class="chart-bar" {}
                text x=(label_w + bar_w * v / most + 6.0) y=(y + 16.0) class="chart-value" { (format!("{v:.1}")) }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    /// Days back from now the tickets counted were created (1-365, default 30).
    pub days: Option<i64>,
}

async fn report(s: &AppState, q: &DashboardQuery) -> Result<SlaReportView, crate::error::AppError> {
    let days = q.days.unwrap_or(30).clamp(1, 365);
    let now = s.now();
    sla_view(s, &SlaReportParams { from: Some(now - chrono::Duration::days(days)), to: Some(now) }).await
}

/// `GET /agent/dashboard`.
pub async fn show(State(s): State<AppState>, who: Session, Query(q): Query<DashboardQuery>) -> Response {
    if who.caller.role == TokenRole::Customer {
        return Redirect::to("/portal").into_response();
    }
    let r = match report(&s, &q).await {
        Ok(r) => r,
        Err(e) => return super::agent::internal(&who, e),
    };
    let days = q.days.unwrap_or(30).clamp(1, 365);
    let body = html! {
        h1 { "Dashboard" }
        p.muted { "Tickets created in the last " (days) " days: " (r.tickets)
            @if r.truncated { " (more than one report reads; the oldest are left out)" } "." }
        div.kpis {
            div.card { strong { (r.report.overall.attainment_pct.map(|p| format!("{p:.1}%")).unwrap_or("-".into())) } br; "SLA targets met" }
            div.card { strong { (r.breached_now.len()) } br; "open tickets breached now" }
            div.card { strong { (r.at_risk.len()) } br; "open tickets at risk" }
        }
        div.charts {
            @for c in charts(&r) {
                section.card aria-labelledby={ (c.id) "-h" } {
                    h2 id={ (c.id) "-h" } { (c.title) }
                    @if c.rows.is_empty() { p.muted { "No data in this range." } } @else { (svg(&c)) }
                    details {
                        summary { "The numbers" }
                        table {
                            thead { tr { th scope="col" { "" } th scope="col" { (c.unit) } } }
                            tbody { @for (k, v) in &c.rows { tr { th scope="row" { (k) } td { (format!("{v:.1}")) } } } }
                        }
                    }
                    a href={ "/agent/dashboard.csv?chart=" (c.id) "&days=" (days) } download { "Download CSV" }
                }
            }
        }
    };
    page("Dashboard", Some(&who), body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CsvQuery {
    pub chart: String,
    pub days: Option<i64>,
}

/// `GET /agent/dashboard.csv?chart=ID`: one chart's numbers.
pub async fn csv(State(s): State<AppState>, who: Session, Query(q): Query<CsvQuery>) -> Response {
    if who.caller.role == TokenRole::Customer {
        return Redirect::to("/portal").into_response();
    }
    let r = match report(&s, &DashboardQuery { days: q.days }).await {
        Ok(r) => r,
        Err(e) => return super::agent::internal(&who, e),
    };
    let Some(c) = charts(&r).into_iter().find(|c| c.id == q.chart) else {
        return super::layout::not_found(Some(&who));
    };
    let mut out = format!("key,{}\n", c.unit);
    for (k, v) in &c.rows {
        // Keys are policy names and ids; quoted all the same.
        out.push_str(&format!("\"{}\",{v:.3}\n", k.replace('"', "\"\"")));
    }
    let disposition = format!("attachment; filename=\"{}.csv\"", c.id);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        out,
    )
        .into_response()
}
