-- When the ticket's next running SLA clock falls due (NULL: none running), kept
-- by the server from the ticket's history; the SLA strategy and the queue index
-- read it. (The SLA ticker will add its index on it.)
ALTER TABLE tickets ADD COLUMN sla_due_at BIGINT;
