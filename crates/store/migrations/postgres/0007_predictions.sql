-- Categorization on intake: each ticket keeps what the models predicted per
-- field (JSON: value, confidence, drivers, model, state), and whether some
-- prediction waits for a person (the needs-triage view reads the partial index).
ALTER TABLE tickets ADD COLUMN predictions TEXT;
ALTER TABLE tickets ADD COLUMN needs_triage BIGINT NOT NULL DEFAULT 0;
CREATE INDEX tickets_needs_triage ON tickets (created_at, id) WHERE needs_triage = 1;

-- Labels people gave: an agent setting a predicted field (category, urgency,
-- impact, a custom field), who and when, and what the model had said. The
-- next training reads the tickets' fields; prediction accuracy over time reads these.
CREATE TABLE ticket_labels (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    target TEXT NOT NULL,
    label TEXT,
    previous TEXT,
    predicted TEXT,
    confidence DOUBLE PRECISION,
    model_id BIGINT,
    prediction_state TEXT,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX ticket_labels_at ON ticket_labels (at);
CREATE INDEX ticket_labels_ticket ON ticket_labels (ticket_id);
