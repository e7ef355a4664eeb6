//! Tests of policy loading: the built-in policy and every rejection with its place.

use super::*;

fn errors(text: &str) -> Vec<PolicyError> {
    Policy::from_toml("p.toml", text).expect_err("policy should be rejected").0
}

fn builtin_with(from: &str, to: &str) -> String {
    assert!(BUILTIN_TOML.contains(from), "fixture text {from:?} not in built-in policy");
    BUILTIN_TOML.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn builtin_policy_is_valid_and_complete() {
    let p = Policy::builtin();
    assert_eq!(p.levels.len(), 4);
    assert!(p.levels.iter().all(|l| !l.guideline.is_empty()));
    assert_eq!(p.matrix_level("extensive", "critical"), Some("P1"));
    assert_eq!(p.matrix_level("minor", "low"), Some("P4"));
    assert!(p.plan("enterprise").is_some());
    assert!(p.sla_policy("enterprise").unwrap().targets["P1"].first_response == Some(900));
}

#[test]
fn syntax_errors_name_line_and_column() {
    let text = "name = \"x\"\nversion = \n";
    let e = &errors(text)[0];
    assert_eq!(e.file, "p.toml");
    assert_eq!(e.line, 2);
    assert!(e.to_string().starts_with("p.toml:2:"), "{e}");
}

#[test]
fn unknown_fields_are_rejected_with_a_hint() {
    let text = builtin_with("currency = \"USD\"", "currency = \"USD\"\ncolour = \"blue\"");
    let e = &errors(&text)[0];
    assert!(e.message.contains("unknown field `colour`"), "{e}");
    assert_eq!(e.line, line_of(&text, "colour"));
    assert!(e.hint.as_deref().unwrap().contains("spelling"));
}

#[test]
fn a_level_without_guideline_is_rejected() {
    let text = builtin_with(
        "guideline = \"Nothing is broken: questions and how-tos, feedback, feature requests, cosmetic issues. Answer when the queue allows.\"",
        "guideline = \"\"",
    );
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert!(e[0].message.contains("level `P4` has no guideline"), "{}", e[0]);
    assert_eq!(e[0].line, line_of(&text, "name = \"P4\""));
}

#[test]
fn matrix_cells_must_name_known_levels_and_fill_every_cell() {
    let text = builtin_with("[\"P2\", \"P3\", \"P3\", \"P4\"],", "[\"P2\", \"P9\", \"P4\"],");
    let e = errors(&text);
    let msgs: Vec<String> = e.iter().map(|e| e.message.clone()).collect();
    assert!(msgs.iter().any(|m| m.contains("row 4 has 3 cells")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("unknown level `P9`")), "{msgs:?}");
    assert!(e.iter().all(|e| e.line == line_of(&text, "\"P9\"")));
}

#[test]
fn duplicate_names_and_bad_references_are_all_reported() {
    let text = builtin_with("name = \"cash\"", "name = \"cards\"");
    let text = text.replacen("sla_policy = \"premium\"", "sla_policy = \"gold\"", 1);
    let e = errors(&text);
    assert_eq!(e.len(), 4, "{e:?}");
    assert!(e.iter().any(|e| e.message == "category `cards` is declared twice"));
    // The priority rules still name `cash`, which no longer exists.
    assert!(e.iter().any(|e| e.message == "unknown category `cash`"));
    assert!(e.iter().any(|e| e.message == "view `payments` names unknown category `cash`"));
    assert!(e
        .iter()
        .any(|e| e.message.contains("unknown SLA policy `gold`") && e.hint.as_deref().unwrap().contains("premium")));
}

#[test]
fn durations_and_scores_are_checked() {
    let text = builtin_with(
        "first_response = \"4h\", resolution = \"2d\"",
        "first_response = \"4 hours\", resolution = \"2d\"",
    );
    assert!(errors(&text)[0].message.contains("invalid duration"));
    let text = builtin_with("base_score = 40", "base_score = 70");
    assert!(errors(&text)[0].message.contains("base_score not below"));
}

#[test]
fn priority_rules_must_name_what_the_policy_declares() {
    let text = builtin_with("vip = 3", "vip = 3\nplatinum = 3");
    assert!(errors(&text)[0].message.contains("unknown field `platinum`"));
    let text = builtin_with("account_type = { free = 0,", "account_type = { gold = 1, free = 0,");
    let e = errors(&text);
    assert_eq!(e[0].message, "unknown account type `gold`");
    assert_eq!(e[0].line, line_of(&text, "gold = 1"));
    let text = builtin_with(
        "environment = { values = { production = 4,",
        "security_incident = { per_unit = 2.0 }\nenvironment = { values = { production = 4,",
    );
    assert!(errors(&text)[0].message.contains("does not fit its type"));
    let text = builtin_with("severity = 1.25", "severity = -1");
    assert!(errors(&text)[0].message.contains("must be a number between 0 and 1000"));
    let text = builtin_with(
        "name = \"queue flood\"\nopen_backlog_above = 500\narrivals_per_hour_above = 300",
        "name = \"queue flood\"",
    );
    assert!(errors(&text)[0].message.contains("has no condition"));
    let text = builtin_with("[priority.weights]\nseverity = 1.0", "[priority.weights]\nseverity = 1.0\nluck = 2");
    assert_eq!(errors(&text)[0].message, "unknown strategy `luck`");
}

#[test]
fn custom_field_values_are_type_checked() {
    let p = Policy::builtin();
    let mut v = BTreeMap::new();
    v.insert("affected_users".to_string(), serde_json::json!(12));
    v.insert("environment".to_string(), serde_json::json!("production"));
    assert!(p.check_custom_fields(&v).is_ok());
    v.insert("affected_users".to_string(), serde_json::json!("many"));
    assert_eq!(p.check_custom_fields(&v).unwrap_err().field, "custom_fields.affected_users");
    let mut w = BTreeMap::new();
    w.insert("colour".to_string(), serde_json::json!("red"));
    assert_eq!(p.check_custom_fields(&w).unwrap_err().field, "custom_fields.colour");
    let mut n = BTreeMap::new();
    n.insert("affected_users".to_string(), serde_json::json!(-3));
    assert_eq!(
        p.check_custom_fields(&n).unwrap_err().message,
        "must be at least 0",
        "a field with no upper bound says so"
    );
}

#[test]
fn the_builtin_policy_lints_clean() {
    assert_eq!(Policy::builtin().warnings, vec![]);
}

#[test]
fn sla_targets_must_not_be_longer_for_a_more_urgent_level() {
    let text = builtin_with(
        "targets.P2 = { first_response = \"8h\", resolution = \"3d\" }",
        "targets.P2 = { first_response = \"2h\", resolution = \"3d\" }",
    );
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].message, "SLA policy `basic`: first_response for P2 (2h) is shorter than for the more urgent P1");
    assert_eq!(e[0].line, line_of(&text, "first_response = \"2h\""));
}

#[test]
fn a_level_no_ticket_can_reach_is_rejected() {
    let text = builtin_with(
        "# ITIL-style matrix",
        "[[levels]]\nname = \"P5\"\nlabel = \"Someday\"\nbase_score = 10\nguideline = \"Never, really.\"\n\n# ITIL-style matrix",
    );
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].message.starts_with("level `P5` can never be reached: no matrix cell, rule or default level"),
        "{}",
        e[0]
    );
    assert_eq!(e[0].line, line_of(&text, "name = \"P5\""));
}

#[test]
fn two_surge_rules_for_the_same_volume_are_ambiguous() {
    let text = format!(
        "{BUILTIN_TOML}\n[[priority.surge]]\nname = \"copy\"\nopen_backlog_above = 500\narrivals_per_hour_above = 300\nweights = {{ age = 0 }}\n"
    );
    let e = errors(&text);
    assert!(e[0].message.contains("switch on at the same volume"), "{e:?}");
}

#[test]
fn strategies_that_cannot_matter_are_warned_about() {
    let text = builtin_with("ai_urgency = 1.0", "ai_urgency = 0");
    let p = Policy::from_toml("p.toml", &text).expect("warnings do not stop loading");
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].message, "strategy `ai_urgency` is off (weight 0)");
    assert_eq!(p.warnings[0].line, line_of(&text, "ai_urgency = 0"));
    let text = builtin_with("[priority.category]\nsecurity = 8\ntransfers = 2\ncash = 2\n", "");
    let p = Policy::from_toml("p.toml", &text).unwrap();
    assert!(p.warnings[0].message.contains("strategy `category` has weight 1 but no rules"), "{:?}", p.warnings);
}

#[test]
fn escalation_words_that_differ_only_in_case_are_ambiguous() {
    let text = builtin_with("words = { cancel = 6,", "words = { Cancel = 9, cancel = 6,");
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.contains("is listed again as"), "{}", e[0]);
}

#[test]
fn categories_that_differ_only_in_case_or_punctuation_overlap() {
    let extra = "\n[[categories]]\nname = \"Top-Up\"\ndescription = \"Same as top_up.\"\nskills = [\"top_up\"]\ntier = \"L1\"\nteam = \"payments\"\n";
    let text = format!("{BUILTIN_TOML}{extra}");
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.contains("category `Top-Up` overlaps category `top_up`"), "{}", e[0]);
    assert_eq!(e[0].line, line_of(&text, "name = \"Top-Up\""));
    assert!(e[0].hint.as_deref().unwrap_or_default().contains("merge them"), "{:?}", e[0].hint);
}

#[test]
fn two_views_with_the_same_filter_are_ambiguous() {
    let extra = "\n[[views]]\nname = \"cards-and-co\"\ncategories = [\"transfers\", \"cards\", \"cash\", \"top_up\"]\n";
    let text = format!("{BUILTIN_TOML}{extra}");
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.contains("view `cards-and-co` shows exactly the tickets of view `payments`"), "{}", e[0]);
}

#[test]
fn calendars_are_compiled_and_checked() {
    let p = Policy::builtin();
    let office = p.calendar("office").unwrap();
    assert_eq!(office.compiled.tz, chrono_tz::Tz::Europe__Berlin);
    assert_eq!(p.sla_policy("standard").unwrap().calendar.as_deref(), Some("office"));
    assert_eq!(p.sla_policy("enterprise").unwrap().calendar, None, "calendar time");
    assert_eq!(p.sla_policy("enterprise").unwrap().warn_at, 0.5);
    assert_eq!(p.sla_policy("premium").unwrap().targets["P1"].periodic_update, Some(7200));

    let text = builtin_with("timezone = \"Europe/Berlin\"", "timezone = \"Europe/Berlinn\"");
    let e = errors(&text);
    assert!(e[0].message.contains("`Europe/Berlinn` is not an IANA time zone"), "{}", e[0]);
    assert_eq!(e[0].line, line_of(&text, "Europe/Berlinn"));

    let text = builtin_with("hours = [\"mon-fri 09:00-17:00\"]", "hours = [\"mon-fry 09:00-17:00\"]");
    let e = errors(&text);
    assert!(e[0].message.contains("`fry` is not a day"), "{}", e[0]);
    assert_eq!(e[0].line, line_of(&text, "mon-fry"));

    let text = builtin_with("calendar = \"office\"", "calendar = \"offce\"");
    let e = errors(&text);
    assert!(e[0].message.contains("unknown calendar `offce`"), "{}", e[0]);
    assert!(e[0].hint.as_deref().unwrap_or_default().contains("office, extended"), "{:?}", e[0].hint);

    // A calendar closed for years has no business time: no ticket could get a
    // due time or a promise on it.
    let text = builtin_with("holidays = [\"2026-12-24..2026-12-26\"", "holidays = [\"2026-01-01..2099-12-31\"");
    let e = errors(&text);
    assert!(e[0].message.contains("closes the calendar for 27028 days; a holiday range spans at most 31"), "{}", e[0]);
    assert_eq!(e[0].line, line_of(&text, "2099-12-31"));
    let text = builtin_with("holidays = [\"2026-12-24..2026-12-26\"", "holidays = [\"2026-08-01..2026-08-31\"");
    assert!(Policy::from_toml("p.toml", &text).is_ok(), "a month's closure is a holiday");

    let text = builtin_with("warn_at = 0.5", "warn_at = 1.5");
    assert!(errors(&text)[0].message.contains("warn_at must be a fraction"));
    let text = builtin_with("warn_at = 0.5", "pause_on = [\"solved\"]");
    assert!(errors(&text)[0].message.contains("`solved` cannot pause the clock"));
}

#[test]
fn the_builtin_escalations_and_messages_load() {
    let p = Policy::builtin();
    let breach = p.escalations.iter().find(|e| e.name == "breached").unwrap();
    assert_eq!(breach.on, crate::sla::TriggerKind::Breach);
    assert!(
        breach.reassign.is_none() && !breach.notify.is_empty(),
        "a breach tells people; it does not raise the level"
    );
    assert!(breach.applies(crate::sla::TriggerKind::Breach, crate::sla::ClockName::NextReply, "P3", "basic"));
    let urgent = p.escalations.iter().find(|e| e.name == "urgent resolution breached").unwrap();
    assert_eq!(urgent.reassign, Some(Reassign::NextTier));
    assert!(!urgent.applies(crate::sla::TriggerKind::Breach, crate::sla::ClockName::FirstResponse, "P1", "basic"));
    assert!(!urgent.applies(crate::sla::TriggerKind::Breach, crate::sla::ClockName::Resolution, "P3", "basic"));
    assert!(p.messages.acknowledgment.contains("{promise}"));
}

#[test]
fn escalations_must_name_what_exists_and_do_something() {
    let text = format!(
        "{BUILTIN_TOML}\n[[escalations]]\nname = \"odd\"\non = \"later\"\nclocks = [\"lunch\"]\nlevels = [\"P9\"]\n\
         notify = [\"everyone\"]\nreassign = \"team:nobody\"\n\n[[escalations]]\nname = \"idle\"\non = \"warning\"\n"
    );
    let errs = errors(&text);
    let all: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
    for want in [
        "unknown SLA trigger `later`",
        "unknown SLA clock `lunch`",
        "names unknown level `P9`",
        "cannot notify `everyone`",
        "names team `nobody`, which no category routes to",
        "escalation `idle` does nothing",
    ] {
        assert!(all.iter().any(|m| m.contains(want)), "missing {want:?} in {all:#?}");
    }
    assert!(errs.iter().all(|e| e.line > line_of(&text, "[[escalations]]\nname = \"odd\"") - 1));
}

#[test]
fn message_templates_only_use_known_placeholders() {
    let text = builtin_with(
        "promise_changed = \"Update on your request #{ticket}: {reason}. {promise}\"",
        "promise_changed = \"Update: {reson}\"",
    );
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].message.contains("unknown placeholder `{reson}`"), "{}", errs[0].message);
    assert_eq!(errs[0].line, line_of(&text, "promise_changed = "));
    assert_eq!(
        render("Hi {name}, {unknown} stays", &[("name", "Ana")]),
        "Hi Ana, {unknown} stays",
        "an unknown placeholder is left as written"
    );
}

#[test]
fn customer_messages_never_speak_of_priority_and_say_nothing_twice() {
    let text = builtin_with("We received your request #{ticket}", "Your request #{ticket} has priority {level}");
    let errs = errors(&text);
    assert!(errs.iter().any(|e| e.message.contains("unknown placeholder `{level}`")), "{errs:?}");
    assert!(errs.iter().any(|e| e.message.contains("speaks of priority to the customer")), "{errs:?}");
    let bad = builtin_with("coalesce = \"10m\"", "coalesce = \"2d\"");
    assert!(errors(&bad)[0].message.contains("messages.coalesce `2d` is not a duration up to 1d"));
    let p = Policy::builtin();
    assert_eq!(p.messages.coalesce_seconds, 600);
    assert_eq!(
        customer_text("Thanks. We will reply by Mon 10:00. We will reply by Mon 10:00. Sure?  Yes!"),
        "Thanks. We will reply by Mon 10:00. Sure? Yes!"
    );
    assert!(p.customers.may_set.is_empty());
    let may = builtin_with("may_set = []", "may_set = [\"urgency\", \"assignee\"]");
    assert!(errors(&may)[0].message.contains("customers.may_set names `assignee`"));
}

#[test]
fn teams_name_a_known_strategy_and_every_category_routes_to_one() {
    let p = Policy::builtin();
    assert_eq!(p.team("payments").unwrap().strategy, crate::routing::RoutingStrategy::LoadBalanced);
    assert!(p.team("trust_and_safety").unwrap().overflow);
    assert_eq!(p.routing.load_of(Some("P1")), 4.0);
    assert_eq!(p.routing.load_of(None), 1.0);
    let text = builtin_with("strategy = \"round_robin\"", "strategy = \"whoever\"");
    let errs = errors(&text);
    assert!(errs[0].message.contains("unknown routing strategy `whoever`"), "{errs:?}");
    assert_eq!(errs[0].line, line_of(&text, "strategy = \"whoever\""));
    let text = builtin_with("name = \"billing\"\nstrategy", "name = \"finance\"\nstrategy");
    let errs = errors(&text);
    assert!(
        errs.iter().any(|e| e.message.contains("category `fees_and_exchange` routes to team `billing`")),
        "{errs:?}"
    );
    let text = builtin_with("load = { P1 = 4,", "load = { P9 = 4, P1 = -1,");
    let all: Vec<String> = errors(&text).into_iter().map(|e| e.message).collect();
    assert!(
        all.iter().any(|m| m.contains("unknown level `P9`")) && all.iter().any(|m| m.contains("positive")),
        "{all:?}"
    );
}

#[test]
fn categorization_thresholds_and_label_maps_are_checked() {
    let p = Policy::builtin();
    assert_eq!(p.categorization.threshold("category"), 0.6);
    assert_eq!(p.categorization.threshold("urgency"), 0.55);
    assert_eq!(p.policy_value("urgency", "high").as_deref(), Some("high"));
    assert_eq!(p.policy_value("urgency", "1"), None, "an unmapped code is no policy value");
    let text = builtin_with(
        "# labels.urgency = { \"0\" = \"critical\", \"1\" = \"high\", \"2\" = \"medium\", \"3\" = \"low\" }",
        "labels.urgency = { \"0\" = \"critical\", \"1\" = \"high\" }",
    );
    let p = Policy::from_toml("p.toml", &text).unwrap();
    assert_eq!(p.policy_value("urgency", "1").as_deref(), Some("high"));
    let text = builtin_with("thresholds = { category = 0.6,", "thresholds = { category = 1.5, persona = 0.5,");
    let e = errors(&text);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e.iter().any(|e| e.message.contains("categorization.thresholds.category is 1.5")), "{e:?}");
    assert!(e.iter().any(|e| e.message.contains("`persona`, which no model can fill")), "{e:?}");
    let text = builtin_with("# labels.urgency = {", "labels.urgency = { \"0\" = \"urgent\" }\n# {");
    let e = errors(&text);
    assert!(e[0].message.contains("maps `0` to `urgent`, not a urgency value"), "{e:?}");
    assert_eq!(e[0].line, line_of(&text, "labels.urgency = { \"0\""));
    assert!(e[0].hint.as_deref().unwrap_or("").contains("critical, high, medium, low"), "{e:?}");
}

#[test]
fn weights_that_could_raise_more_than_max_raise_are_rejected() {
    let text = builtin_with("vip = 3", "vip = 30");
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.contains("enough to raise P3 to P1: more than max_raise = 1 level"), "{}", e[0]);
    assert_eq!(e[0].line, line_of(&text, "max_raise = 1"));
    assert!(e[0].hint.as_deref().unwrap_or_default().contains("under 40"), "{:?}", e[0].hint);
    // Allowed two levels, the same weights pass while they cannot reach three.
    let two = text.replacen("vip = 30", "vip = 20", 1).replacen("max_raise = 1", "max_raise = 2", 1);
    Policy::from_toml("p.toml", &two).expect("two levels allowed");
    let unbounded =
        builtin_with("affected_users = { per_unit = 0.05, max = 5 }", "affected_users = { per_unit = 0.05 }");
    assert!(errors(&unbounded)[0].message.contains("without bound"), "{:?}", errors(&unbounded));
    let out_of_range = builtin_with("max_raise = 1", "max_raise = 9");
    assert!(errors(&out_of_range)[0].message.contains("max_raise must be a whole number from 0 to 3"));
}

#[test]
fn level_rules_must_name_what_exists_and_have_a_condition() {
    let rule = |body: &str| format!("{BUILTIN_TOML}\n[[priority.rules]]\nname = \"odd\"\n{body}\n");
    let e = errors(&rule("level = \"P9\"\nvip = true"));
    assert!(e[0].message.contains("rule `odd` sets unknown level `P9`"), "{e:?}");
    let e = errors(&rule("level = \"P1\""));
    assert!(e[0].message.contains("rule `odd` has no condition"), "{e:?}");
    let e = errors(&rule("level = \"P1\"\ncategories = [\"cars\"]"));
    assert!(e[0].message.contains("unknown category `cars`"), "{e:?}");
    let e = errors(&rule("level = \"P1\"\nsignals = [\"angry\"]"));
    assert!(e[0].hint.as_deref().unwrap_or_default().contains("threat to leave, legal, outage"), "{e:?}");
    let e = errors(&rule("level = \"P1\"\ncustom_fields = { environment = \"prod\" }"));
    assert!(e[0].message.contains("`\"prod\"` is not a value of custom field `environment`"), "{e:?}");
    let ok = rule("level = \"P2\"\ncategories = [\"security\"]\ncustom_fields = { affected_users = 10 }");
    let p = Policy::from_toml("p.toml", &ok).unwrap();
    let r = p.priority.rules.iter().find(|r| r.name == "odd").unwrap();
    assert_eq!(r.custom_fields.get("affected_users"), Some(&serde_json::json!(10)));
}

#[test]
fn an_sla_escalation_may_not_raise_the_level() {
    let text = builtin_with(
        "clocks = [\"first_response\", \"next_reply\"]\n",
        "clocks = [\"first_response\", \"next_reply\"]\nraise_priority = 1\n",
    );
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.contains("cannot raise the level"), "{}", e[0]);
    assert!(e[0].hint.as_deref().unwrap_or_default().contains("tighten the targets"), "{:?}", e[0].hint);
}

#[test]
fn surge_weights_are_multipliers() {
    let p = Policy::builtin();
    let s = &p.priority.surge[0];
    let w = p.priority.weights_for(Some(s));
    assert_eq!(
        w.get(crate::priority::Strategy::Severity),
        p.priority.weights.get(crate::priority::Strategy::Severity) * 1.25
    );
    assert_eq!(
        w.get(crate::priority::Strategy::Plan),
        p.priority.weights.get(crate::priority::Strategy::Plan),
        "not named: x1"
    );
}

#[test]
fn unclosed_placeholders_and_targets_beyond_a_year_are_refused_by_line() {
    let text = builtin_with(
        "promise_changed = \"Update on your request #{ticket}: {reason}. {promise}\"",
        "promise_changed = \"Update on your request #{ticket}: {reason}. {promise\"",
    );
    let errs = errors(&text);
    assert!(errs.iter().any(|e| e.message.contains("has a `{` without its `}`")), "{errs:?}");
    assert_eq!(errs[0].line, line_of(&text, "promise_changed = "));
    let text = builtin_with("first_response = \"4h\"", "first_response = \"100000000d\"");
    let errs = errors(&text);
    assert!(errs.iter().any(|e| e.message.contains("longer than a year")), "{errs:?}");
    assert_eq!(errs[0].line, line_of(&text, "first_response = \"100000000d\""));
}

#[test]
fn plan_prices_and_boosts_are_refused_out_of_range_by_line() {
    let text = builtin_with("price_cents = 49900", "price_cents = 100000000000");
    let e = errors(&text);
    assert!(e[0].message.contains("plan `standard`: price_cents must be between 0 and 10000000000"), "{}", e[0]);
    assert_eq!(e[0].line, line_of(&text, "100000000000"));
    let text = builtin_with("priority_boost = 3", "priority_boost = 1e308");
    let e = errors(&text);
    assert!(e[0].message.contains("plan `premium`: priority_boost must be between -100 and 100"), "{}", e[0]);
    assert_eq!(e[0].line, line_of(&text, "1e308"));
    let text = builtin_with("priority_boost = 3", "priority_boost = -100");
    assert_eq!(Policy::from_toml("p.toml", &text).unwrap().plan("premium").unwrap().priority_boost, -100.0);
}

/// Findings name their line however many there are (each is found by a
/// binary search over line starts), and duplicates are found in one pass.
#[test]
fn many_duplicate_views_are_each_named_by_line() {
    let mut text = BUILTIN_TOML.to_string();
    for i in 0..2_000 {
        text.push_str(&format!("\n[[views]]\nname = \"view {i}\"\nlevels = [\"P1\"]\n"));
    }
    let e = errors(&text);
    assert_eq!(e.len(), 1_999, "every view after the first repeats it");
    assert!(e[0].message.contains("view `view 1` shows exactly the tickets of view `view 0`"), "{}", e[0]);
    assert_eq!(e[0].line, line_of(&text, "name = \"view 1\"") - 1);
    assert_eq!(e[1_998].line, line_of(&text, "name = \"view 1999\"") - 1);
}

/// A weight or points value of 1e308 made every score infinite (the queue fell
/// back to id order): every number has a range.
#[test]
fn weights_and_points_beyond_a_thousand_are_refused_by_line() {
    let text = builtin_with("[priority.weights]\nseverity = 1.0", "[priority.weights]\nseverity = 1e308");
    let e = errors(&text);
    assert!(e[0].message.contains("weight of `severity` must be a number between 0 and 1000"), "{}", e[0]);
    assert_eq!(e[0].line, line_of(&text, "1e308"));
}
