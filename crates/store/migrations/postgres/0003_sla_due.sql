-- When the ticket's next running SLA clock falls due (NULL: none running), kept
-- by the server from the ticket's history; the SLA strategy, the queue index and
-- the SLA ticker read it.
ALTER TABLE tickets ADD COLUMN sla_due_at BIGINT;
CREATE INDEX tickets_sla_due ON tickets (sla_due_at);
