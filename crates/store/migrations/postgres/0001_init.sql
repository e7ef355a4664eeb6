-- Triage schema (PostgreSQL). Times are milliseconds since the Unix epoch (UTC);
-- JSON is kept as TEXT so both backends share one set of queries.
CREATE TABLE plans (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    price_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    channels TEXT NOT NULL,
    sla_policy TEXT NOT NULL,
    priority_boost DOUBLE PRECISION NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE organizations (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    account_type TEXT NOT NULL,
    vip BIGINT NOT NULL DEFAULT 0,
    customer_category TEXT NOT NULL,
    persona TEXT,
    contract TEXT NOT NULL DEFAULT '{}',
    annual_value DOUBLE PRECISION NOT NULL DEFAULT 0,
    seats BIGINT NOT NULL DEFAULT 0,
    timezone TEXT NOT NULL DEFAULT 'UTC',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE plan_changes (
    id BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    effective_from BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX plan_changes_org ON plan_changes (organization_id, effective_from);

CREATE TABLE contacts (
    id BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX contacts_org ON contacts (organization_id);

CREATE TABLE agents (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    skills TEXT NOT NULL DEFAULT '[]',
    tier TEXT NOT NULL,
    team TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    timezone TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE tickets (
    id BIGSERIAL PRIMARY KEY,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    channel TEXT NOT NULL,
    requester_id BIGINT NOT NULL REFERENCES contacts(id),
    organization_id BIGINT NOT NULL REFERENCES organizations(id),
    category TEXT,
    impact TEXT,
    urgency TEXT,
    priority TEXT,
    priority_score DOUBLE PRECISION,
    priority_explanation TEXT,
    policy_version TEXT,
    status TEXT NOT NULL,
    assignee_id BIGINT REFERENCES agents(id),
    team TEXT,
    tier TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    custom_fields TEXT NOT NULL DEFAULT '{}',
    external_id TEXT UNIQUE,
    idem_scope TEXT,
    idem_key TEXT,
    idem_fingerprint TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    first_response_at BIGINT,
    solved_at BIGINT,
    closed_at BIGINT,
    UNIQUE (idem_scope, idem_key)
);
CREATE INDEX tickets_org ON tickets (organization_id, id);
CREATE INDEX tickets_status ON tickets (status, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, id);
CREATE INDEX tickets_category ON tickets (category, id);
CREATE INDEX tickets_priority ON tickets (priority, id);
CREATE INDEX tickets_requester ON tickets (requester_id, id);

CREATE TABLE ticket_tags (
    tag TEXT NOT NULL,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    PRIMARY KEY (tag, ticket_id)
);

CREATE TABLE comments (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

CREATE TABLE ticket_events (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE import_progress (
    source TEXT PRIMARY KEY,
    lines_done BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
