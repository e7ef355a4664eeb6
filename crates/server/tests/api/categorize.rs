//! Categorization on intake: predictions with confidence and drivers, the
//! needs-triage view for doubtful ones, agents' corrections recorded as labels
//! (used by the next training) and the accuracy report.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use serde_json::json;
use triage_core::classify::{train_texts, FeatureSpec, TrainSpec};
use triage_store::NewModel;

/// Hand-made rows whose right answer is plain: each class has its own words,
/// among the everyday words every class shares (a model counts what it says of
/// a ticket by the share of the ticket's words it knows, and a real history
/// knows "my", "the" and "not").
fn rows(target: &str) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let (classes, words): (&[&str], &[&[&str]]) = match target {
        "category" => (
            &["cards", "transfers", "cash"],
            &[
                &["card", "declined", "pin", "contactless", "expired", "chip"],
                &["transfer", "iban", "beneficiary", "wire", "sepa", "recipient"],
                &["atm", "withdrawal", "cash", "machine", "banknotes", "dispense"],
            ],
        ),
        _ => (
            &["critical", "low"],
            &[
                &["outage", "down", "everyone", "blocked", "immediately", "production"],
                &["question", "whenever", "curious", "someday", "minor", "wondering"],
            ],
        ),
    };
    for (c, ws) in classes.iter().zip(words) {
        for i in 0..40 {
            let (a, b, d) = (ws[i % ws.len()], ws[(i + 1) % ws.len()], ws[(i * 7 + 3) % ws.len()]);
            let text = ["my {a} was {b} please", "the {a} does not work, {b} {d}", "{a} {b} {d} please"][i % 3]
                .replace("{a}", a)
                .replace("{b}", b)
                .replace("{d}", d);
            out.push((text, *c));
        }
    }
    out
}

/// Trains a model for `target` on the hand-made rows and stores it active.
async fn install(app: &TestApp, target: &str) -> i64 {
    let rows = rows(target);
    let texts: Vec<&str> = rows.iter().map(|(t, _)| t.as_str()).collect();
    let labels: Vec<&str> = rows.iter().map(|(_, l)| *l).collect();
    let features = FeatureSpec { bits: 14, ..FeatureSpec::default() };
    let model = train_texts(&texts, &labels, features, TrainSpec::default());
    let (header, weights) = model.encode();
    let rec = app
        .store
        .save_model(
            NewModel {
                target,
                source: "test",
                rows_trained: rows.len() as i64,
                metrics: "{}".into(),
                header,
                weights,
                active: true,
                note: "test".into(),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    rec.id
}

async fn predictions_fill_fields_explain_and_wait_for_people(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (_, agent_token) = app.agent("ann@triage.example").await;
    let category_model = install(&app, "category").await;
    let urgency_model = install(&app, "urgency").await;
    assert_eq!(triage_server::categorize::reload(&app.state).await.unwrap(), 2);

    // Plain words: both fields are filled, with the words that drove them.
    let sure = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "card declined", "body": "my card was declined, the pin does not work, production blocked immediately",
                   "requester_email": "c@acme.example"}),
        )
        .await;
    let id = sure["id"].as_i64().unwrap();
    assert_eq!(sure["category"], "cards", "{sure}");
    let t = app.get(&format!("/api/v1/tickets/{id}"), &agent_token).await.body;
    let p = &t["predictions"]["category"];
    assert_eq!((p["value"].as_str(), p["state"].as_str()), (Some("cards"), Some("applied")), "{t}");
    assert!(p["confidence"].as_f64().unwrap() >= 0.6, "{p}");
    // Eleven of the fourteen words are the history's ("production",
    // "blocked" and "immediately" are only the urgency model's).
    assert_eq!(p["known_words"], 0.786, "{p}");
    assert_eq!(p["model_id"], category_model);
    let drivers: Vec<&str> = p["drivers"].as_array().unwrap().iter().map(|d| d["phrase"].as_str().unwrap()).collect();
    assert!(drivers.iter().any(|d| d.contains("card") || d.contains("declined") || d.contains("pin")), "{drivers:?}");
    assert_eq!(t["predictions"]["urgency"]["model_id"], urgency_model);
    assert_eq!(t["urgency"], "critical", "{t}");
    // The predicted urgency counts in the score, explained.
    let ai = t["priority_explanation"]["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["strategy"] == "ai_urgency")
        .cloned()
        .expect("an ai_urgency contribution");
    assert!(ai["contribution"].as_f64().unwrap() > 0.0, "{ai}");
    // The event log keeps what the models said.
    let events = app.get(&format!("/api/v1/tickets/{id}/events"), &agent_token).await.body;
    let created = events["items"].as_array().unwrap().iter().find(|e| e["kind"] == "created").unwrap().clone();
    assert_eq!(created["data"]["predictions"]["category"]["value"], "cards", "{created}");
    // Customers see the fields, not the model's reasoning.
    let customer = app.token("customer", "c@acme.example").await;
    let seen = app.get(&format!("/api/v1/tickets/{id}"), &customer).await.body;
    assert!(seen.get("predictions").is_none(), "{seen}");

    // Words the models never saw: nothing is set, the ticket needs triage.
    let unsure = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "hello", "body": "something odd happened yesterday", "requester_email": "c@acme.example"}),
        )
        .await;
    let unsure_id = unsure["id"].as_i64().unwrap();
    assert_eq!(unsure["category"], serde_json::Value::Null, "{unsure}");
    // A field the requester set is kept; its prediction is for the record.
    let given = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "atm", "body": "the atm did not dispense cash", "category": "cards",
                   "requester_email": "c@acme.example"}),
        )
        .await;
    let given_id = given["id"].as_i64().unwrap();
    assert_eq!(given["category"], "cards");
    let g = app.get(&format!("/api/v1/tickets/{given_id}"), &agent_token).await.body;
    assert_eq!(g["predictions"]["category"]["state"], "given", "{g}");

    let view = app.get("/api/v1/triage", &agent_token).await;
    assert_eq!(view.status, 200, "{}", view.body);
    let ids: Vec<i64> = view.body["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert!(ids.contains(&unsure_id) && !ids.contains(&id), "{ids:?}");
    let item = view.body["items"].as_array().unwrap().iter().find(|t| t["id"] == unsure_id).unwrap().clone();
    let p = &item["predictions"]["category"];
    assert_eq!(p["state"], "suggested", "{item}");
    assert!(p["confidence"].as_f64().unwrap() < p["threshold"].as_f64().unwrap(), "{p}");
    assert!(p["runner_up"].is_array(), "{p}");
    // It knows none of the words: the classes' base rates (a third each), and
    // no word drove it.
    assert_eq!(p["confidence"], 0.333, "{p}");
    assert_eq!(p["drivers"], json!([]), "{p}");
    assert_eq!(p["known_words"], 0.0, "{p}");

    // The agent decides: a label is recorded; the ticket waits while its
    // urgency is in doubt too, and leaves the view once that is set.
    let r = app.patch(&format!("/api/v1/tickets/{unsure_id}"), &agent_token, json!({"category": "transfers"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["predictions"]["category"]["state"], "corrected", "{}", r.body);
    assert_eq!(r.body["predictions"]["urgency"]["state"], "suggested", "{}", r.body);
    let view = app.get("/api/v1/triage", &agent_token).await.body;
    assert!(view["items"].as_array().unwrap().iter().any(|t| t["id"] == unsure_id), "{view}");
    let r = app.patch(&format!("/api/v1/tickets/{unsure_id}"), &agent_token, json!({"urgency": "low"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let view = app.get("/api/v1/triage", &agent_token).await.body;
    assert!(!view["items"].as_array().unwrap().iter().any(|t| t["id"] == unsure_id), "{view}");
    let events = app.get(&format!("/api/v1/tickets/{unsure_id}/events"), &agent_token).await.body;
    let label = events["items"].as_array().unwrap().iter().find(|e| e["kind"] == "labelled").unwrap().clone();
    assert_eq!(label["data"]["label"], "transfers");
    assert_eq!(label["data"]["model_id"], category_model);
    assert!(label["actor"].as_str().unwrap().starts_with("agent:"), "{label}");
    assert!(label["reason"].as_str().unwrap().contains("corrects the predicted category"), "{label}");
    // An agent confirming the confident prediction is a label too.
    let r = app.patch(&format!("/api/v1/tickets/{id}"), &agent_token, json!({"category": "cards"})).await;
    assert_eq!(r.body["predictions"]["category"]["state"], "confirmed", "{}", r.body);

    // The next training reads people's values only: the corrected and the
    // confirmed ticket and the requester's own, not a model's untouched guess.
    let training = app.store.labelled_tickets("urgency").await.unwrap();
    let labels: Vec<&str> = training.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["low"], "the urgency the model set on the first ticket is no label: {training:?}");
    let training = app.store.labelled_tickets("category").await.unwrap();
    let labels: Vec<&str> = training.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["cards", "transfers", "cards"], "{training:?}");

    // The report: two checked predictions, one right (the confident one).
    let r = app.get("/api/v1/reports/predictions", &agent_token).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = r.body["targets"].as_array().unwrap().iter().find(|t| t["target"] == "category").unwrap().clone();
    assert_eq!((c["overall"]["checked"].as_i64(), c["overall"]["agreed"].as_i64()), (Some(2), Some(1)), "{c}");
    assert_eq!(c["applied"]["accuracy"], 1.0, "{c}");
    assert_eq!(c["suggested"]["accuracy"], 0.0, "{c}");
    assert_eq!(c["weekly"].as_array().unwrap().len(), 1, "{c}");
    assert_eq!(r.body["models_in_use"].as_array().unwrap().len(), 2);
}
both!(predictions_fill_fields_explain_and_wait_for_people);

async fn the_customers_tone_is_read_per_message_and_raises_the_score(b: Backend) {
    let app = TestApp::spawn_at_weekend(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let customer = app.token("customer", "c@acme.example").await;
    let (_, agent_token) = app.agent("ann@triage.example").await;
    let t = app
        .ticket(&customer, json!({"subject": "Card not arrived", "body": "Where is my new card?", "category": "cards"}))
        .await;
    let id = t["id"].as_i64().unwrap();
    let first = app.get(&format!("/api/v1/tickets/{id}"), &agent_token).await.body;
    assert_eq!(first["sentiment"]["current"]["tone"], "neutral", "{first}");
    assert_eq!(first["sentiment"]["trend"], "first");
    let score_before = first["priority_score"].as_f64().unwrap();

    for body in ["Any news on this?", "This is unacceptable. I am extremely unhappy and will cancel my account."] {
        let r = app.post(&format!("/api/v1/tickets/{id}/comments"), &customer, json!({"body": body})).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let t = app.get(&format!("/api/v1/tickets/{id}"), &agent_token).await.body;
    let s = &t["sentiment"];
    assert_eq!(s["messages"], 3, "{s}");
    assert_eq!(s["per_message"].as_array().unwrap().len(), 3);
    assert_eq!(s["current"]["tone"], "negative", "{s}");
    assert!(s["current"]["strength"].as_f64().unwrap() > 0.5, "{s}");
    assert_eq!(s["trend"], "worsening");
    assert_eq!(s["follow_ups"], 2);
    assert_eq!(s["signals"][0]["kind"], "threat to leave");
    // The emotional strategy counts it, explained in words.
    assert!(t["priority_score"].as_f64().unwrap() > score_before, "{t}");
    let emotion = t["priority_explanation"]["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["strategy"] == "emotion")
        .cloned()
        .unwrap();
    let why = emotion["reason"].as_str().unwrap();
    assert!(why.contains("tone negative") && why.contains("without an answer"), "{why}");
    // Read when the last reply came, as its own message: two unanswered after the first.
    assert!(why.contains("wrote 2 more times without an answer"), "{why}");
    // Customers do not see the reading.
    let seen = app.get(&format!("/api/v1/tickets/{id}"), &customer).await.body;
    assert!(seen.get("sentiment").is_none(), "{seen}");

    // An agent answers; the customer's thanks read as an improvement, no follow-ups.
    let r = app.post(&format!("/api/v1/tickets/{id}/comments"), &agent_token, json!({"body": "Sent today."})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app
        .post(&format!("/api/v1/tickets/{id}/comments"), &customer, json!({"body": "Great, thank you so much!"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let s = app.get(&format!("/api/v1/tickets/{id}"), &agent_token).await.body["sentiment"].clone();
    assert_eq!((s["trend"].as_str(), s["follow_ups"].as_i64()), (Some("improving"), Some(0)), "{s}");
    assert_eq!(s["current"]["tone"], "positive");
}
both!(the_customers_tone_is_read_per_message_and_raises_the_score);

/// Setting a category records a label, with the model's confidence when it had
/// predicted one and without when it had not; on PostgreSQL the two used to
/// poison each other's prepared statement (a NULL confidence bound as float4),
/// failing about a third of later edits. Every edit, on every pooled
/// connection, must store its label.
async fn category_edits_store_their_labels_with_and_without_a_prediction(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let until = chrono::Utc::now() + chrono::Duration::days(3650);
    let edit = |round: usize, to: &'static str| {
        let app = &app;
        async move {
            let t = app
                .ticket(
                    ADMIN_TOKEN,
                    json!({"subject": "card declined", "body": "my card was declined, the pin does not work",
                                             "requester_email": "c@acme.example"}),
                )
                .await;
            let id = t["id"].as_i64().unwrap();
            let r = app.patch(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN, json!({"category": to})).await;
            assert_eq!(r.status, 200, "edit {round} of ticket {id}: {}", r.body);
        }
    };
    // No model yet: nothing was predicted, so the labels carry no confidence
    // (and every pooled connection prepares the insert with a NULL).
    for i in 0..12 {
        edit(i, "cash").await;
    }
    install(&app, "category").await;
    triage_server::categorize::reload(&app.state).await.unwrap();
    // Now predicted: the same insert with a confidence, on the same connections.
    for i in 0..12 {
        edit(i, "transfers").await;
    }
    let labels = app.store.list_labels(chrono::DateTime::UNIX_EPOCH, until).await.unwrap();
    let conf: Vec<Option<f64>> =
        labels.iter().filter(|l| l.label.target == "category").map(|l| l.label.confidence).collect();
    assert_eq!(conf.len(), 24, "one label per edit");
    assert_eq!(conf.iter().filter(|c| c.is_none()).count(), 12, "{conf:?}");
}
both!(category_edits_store_their_labels_with_and_without_a_prediction);

/// The needs-triage page: the doubtful suggestion with how sure it is, one
/// click to confirm it or choose another value (a label either way).
async fn the_triage_page_confirms_or_corrects_a_suggestion(b: Backend) {
    use crate::web::{csrf, with_password, Browser};
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    app.agent("ann@triage.example").await;
    install(&app, "category").await;
    install(&app, "urgency").await;
    triage_server::categorize::reload(&app.state).await.unwrap();
    let unsure = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "hello", "body": "something odd happened yesterday", "requester_email": "c@acme.example"}),
        )
        .await;
    let id = unsure["id"].as_i64().unwrap();
    with_password(&app, "ann@triage.example").await;
    let mut web = Browser::new(&app);
    web.sign_in("ann@triage.example", "correct horse").await;
    let page = web.get("/agent/triage").await;
    assert_eq!(page.status, reqwest::StatusCode::OK);
    assert!(page.html.contains(&format!("#{id} hello")) && page.html.contains("the model suggests"), "{}", page.html);
    assert!(page.html.contains("% sure, needs"), "{}", page.html);
    let token = csrf(&page.html);
    let path = format!("/agent/triage/{id}");
    // A choice is needed when not confirming.
    let p = web.post(&path, &[("field", "category"), ("value", ""), ("other", ""), ("csrf", &token)]).await;
    assert_eq!(p.status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let p = web.post(&path, &[("field", "category"), ("value", ""), ("other", "transfers"), ("csrf", &token)]).await;
    assert_eq!(p.location.as_deref(), Some("/agent/triage"), "{}", p.html);
    let suggested =
        app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body["predictions"]["urgency"]["value"].clone();
    let p = web.post(&path, &[("field", "urgency"), ("value", suggested.as_str().unwrap()), ("csrf", &token)]).await;
    assert_eq!(p.location.as_deref(), Some("/agent/triage"), "{}", p.html);
    let t = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!(t["predictions"]["category"]["state"], "corrected", "{t}");
    assert_eq!(t["predictions"]["urgency"]["state"], "confirmed", "{t}");
    assert!(!web.get("/agent/triage").await.html.contains(&format!("#{id} hello")), "settled, it leaves the page");
}
both!(the_triage_page_confirms_or_corrects_a_suggestion);
