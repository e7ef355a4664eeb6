-- What a customer suggested for fields the policy does not let customers set
-- (impact, urgency, category): JSON object, field -> value; shown in the
-- needs-triage view until a person sets the field.
ALTER TABLE tickets ADD COLUMN suggested TEXT;

-- The contact's own time zone: their promises are written in it (else the
-- organization's, else the SLA calendar's).
ALTER TABLE contacts ADD COLUMN timezone TEXT;

-- Customer messages gather: the first change since the customer was last told
-- (UTC ms), until the coalescing window has passed and they are told once.
ALTER TABLE tickets ADD COLUMN notice_from BIGINT;
CREATE INDEX tickets_notice_from ON tickets (notice_from) WHERE notice_from IS NOT NULL;
