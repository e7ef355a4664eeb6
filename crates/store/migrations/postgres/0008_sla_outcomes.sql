-- Each SLA clock run's outcome, met or breached, and when: recorded when it
-- happens and never rewritten. Clocks are computed from a ticket's history on
-- the level and policy in force, so a later change would re-decide the past;
-- views and reports read these records for every run they hold.
CREATE TABLE sla_outcomes (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    clock TEXT NOT NULL,
    run_started_at BIGINT NOT NULL,
    verdict TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    decided_at BIGINT NOT NULL,
    target_seconds BIGINT NOT NULL,
    level TEXT NOT NULL,
    sla_policy TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, clock, run_started_at)
);
CREATE INDEX sla_outcomes_decided ON sla_outcomes (decided_at);

-- The ticket version whose SLA outcomes were settled. Every write after the
-- first (nothing is decided when a ticket is made) leaves the ticket here until
-- its process settles it; one that stopped before doing so leaves work that the
-- next start finds through this index.
ALTER TABLE tickets ADD COLUMN sla_settled BIGINT NOT NULL DEFAULT 0;
CREATE INDEX tickets_sla_unsettled ON tickets (id) WHERE sla_settled < version AND version > 1;
