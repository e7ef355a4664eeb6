-- The SLA ticker: when a ticket's next SLA warning or breach falls (NULL: none
-- pending), kept by the server with sla_due_at. The ticker reads only the rows
-- whose alarm has come, through this index, never the whole open backlog.
ALTER TABLE tickets ADD COLUMN sla_alarm_at BIGINT;
CREATE INDEX tickets_sla_alarm ON tickets (sla_alarm_at) WHERE sla_alarm_at IS NOT NULL;
-- Breached and at-risk reports read open tickets by due time.
CREATE INDEX tickets_sla_due ON tickets (sla_due_at) WHERE sla_due_at IS NOT NULL;

-- Each SLA warning or breach of one clock run, recorded once: the primary key
-- makes the escalation that comes with it happen exactly once, across restarts
-- and across server processes sharing the database.
CREATE TABLE sla_triggers (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    trigger_key TEXT NOT NULL,
    fired_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, trigger_key)
);

-- Records for internal stakeholders: an escalation's notify action, a VIP or
-- enterprise account's changed promise. recipient is agent:<id> or team:<name>.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_recipient ON notifications (recipient, id);
CREATE INDEX notifications_ticket ON notifications (ticket_id, id);

-- The agent who owns the account (told when a VIP or enterprise promise moves).
ALTER TABLE organizations ADD COLUMN owner_id BIGINT REFERENCES agents(id);

-- The team's pace (first responses per hour), for response forecasts.
CREATE INDEX tickets_first_response ON tickets (first_response_at) WHERE first_response_at IS NOT NULL;

-- Arrivals over a time range: reports, and the last hour's arrivals for surge mode.
CREATE INDEX tickets_created ON tickets (created_at, id);
