//! The pure intake decision against the built-in policy: a new ticket's level,
//! its clocks at that level, the score's SLA points counted on those clocks.

use super::*;
use crate::organization::ContractOverrides;
use crate::priority::Strategy;
use chrono::{Duration, TimeZone};

/// Monday 2 Nov 2026, 09:00 UTC.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

/// An organization on a contract with the around-the-clock `enterprise` SLA policy.
fn enterprise(vip: bool) -> Customer {
    Customer {
        org: Organization {
            id: 1,
            name: "Acme".into(),
            account_type: "enterprise".into(),
            vip,
            customer_category: "standard".into(),
            persona: None,
            contract: ContractOverrides { sla_policy: Some("enterprise".into()), ..Default::default() },
            annual_value: 0.0,
            seats: 0,
            timezone: "UTC".into(),
            owner_id: None,
            created_at: t0(),
            updated_at: t0(),
        },
        plan: None,
    }
}

fn request<'a>(text: &'a str, fields: &'a CustomFields) -> Request<'a> {
    Request {
        impact: Some("moderate"),
        urgency: Some("medium"),
        category: Some("cards"),
        created_at: t0(),
        custom_fields: fields,
        text,
        sla_due: None,
        ai_urgency: None,
    }
}

fn opened(c: &Customer, text: &str, over: Option<&Override>) -> Opening {
    let p = Policy::builtin();
    let fields = CustomFields::new();
    let terms = terms(&p, c).expect("the contract names an SLA policy");
    open(&p, c, &request(text, &fields), Some((&terms, chrono_tz::UTC)), t0(), None, over)
}

#[test]
fn a_new_ticket_gets_the_clocks_of_its_level_and_counts_their_due_time() {
    let o = opened(&enterprise(false), "My card does not work\nplease help", None);
    assert_eq!(o.priority.level, "P3");
    let sla = o.sla.as_ref().expect("clocks");
    // enterprise P3: first response in 2 h, around the clock.
    let first = sla.first_response.as_ref().expect("first response");
    assert_eq!(first.due, t0() + Duration::hours(2));
    assert_eq!(o.sla_due(), Some(t0() + Duration::hours(2)));
    // The first alarm is the warning at half the first-response target.
    assert_eq!(o.alarm_ms, Some((t0() + Duration::hours(1)).timestamp_millis()));
    // The score counts the due time of those very clocks: the same as deciding
    // with that due time known.
    let p = Policy::builtin();
    let (c, fields) = (enterprise(false), CustomFields::new());
    let text = "My card does not work\nplease help";
    let emotion = EmotionSignals::scan(text, &p.priority.emotion);
    let r = Request { sla_due: o.sla_due(), ..request(text, &fields) };
    let known = crate::priority::decide(&p, &c.facts(&r, &emotion), t0(), None, None);
    assert_eq!(known.score, o.priority.score);
    assert_eq!(known.points, o.priority.points);
    assert!(sla.promise.as_deref().is_some_and(|p| p.contains("11:00")), "{:?}", sla.promise);
}

#[test]
fn a_raised_level_starts_the_clocks_of_the_raised_level() {
    // The same words from a VIP in an outage: the criteria raise the level, and
    // the clocks are the raised level's, not the matrix cell's.
    let calm = opened(&enterprise(false), "Card question\nwhen convenient", None);
    let raised = opened(&enterprise(true), "Everything is DOWN\nthis outage is unacceptable!!!", None);
    assert_eq!(calm.priority.level, "P3");
    assert_ne!(raised.priority.level, "P3", "{:#?}", raised.priority.explanation);
    let due = |o: &Opening| o.sla.as_ref().and_then(|s| s.first_response.as_ref()).map(|c| c.due);
    let expected = match raised.priority.level.as_str() {
        "P1" => Duration::minutes(15),
        "P2" => Duration::hours(1),
        other => panic!("raised to {other}"),
    };
    assert_eq!(due(&raised), Some(t0() + expected));
    assert!(due(&raised) < due(&calm));
    assert!(raised.priority.points.unwrap().get(Strategy::Sla) >= calm.priority.points.unwrap().get(Strategy::Sla));
}

#[test]
fn an_agents_level_picks_the_targets_like_a_computed_one() {
    let over = Override { level: "P1".into(), by: "agent:1".into(), reason: "outage at the bank".into() };
    let o = opened(&enterprise(false), "My card does not work", Some(&over));
    assert_eq!(o.priority.level, "P1");
    let sla = o.sla.as_ref().unwrap();
    assert_eq!(sla.first_response.as_ref().unwrap().due, t0() + Duration::minutes(15));
    // P1 under enterprise has a periodic update clock; P3 does not.
    assert!(sla.periodic_update.is_some());
    assert_eq!(o.sla_due(), Some(t0() + Duration::minutes(15)));
}

#[test]
fn without_sla_terms_there_are_no_clocks_and_no_alarm() {
    let p = Policy::builtin();
    let mut c = enterprise(false);
    c.org.contract.sla_policy = None;
    assert!(terms(&p, &c).is_none());
    let fields = CustomFields::new();
    let o = open(&p, &c, &request("Card question", &fields), None, t0(), None, None);
    assert_eq!(o.priority.level, "P3");
    assert!(o.sla.is_none() && o.alarm_ms.is_none() && o.sla_due().is_none());
}

#[test]
fn a_ticket_opened_in_the_past_counts_its_clocks_from_its_creation() {
    let p = Policy::builtin();
    let c = enterprise(false);
    let fields = CustomFields::new();
    let terms = terms(&p, &c).unwrap();
    let r = Request { created_at: t0() - Duration::hours(3), ..request("Card question", &fields) };
    let o = open(&p, &c, &r, Some((&terms, chrono_tz::UTC)), t0(), None, None);
    let first = o.sla.as_ref().unwrap().first_response.clone().unwrap();
    assert_eq!(first.due, t0() - Duration::hours(1), "2 h after creation, an hour ago");
    assert!(first.remaining_seconds < 0);
    // Already breached: the ticker looks at once.
    assert!(o.alarm_ms.is_some_and(|a| a <= t0().timestamp_millis()));
}
