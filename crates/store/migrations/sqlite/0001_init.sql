-- Triage schema (SQLite). Times are milliseconds since the Unix epoch (UTC);
-- JSON is kept as TEXT so both backends share one set of queries.
CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    price_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    channels TEXT NOT NULL,
    sla_policy TEXT NOT NULL,
    priority_boost REAL NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    account_type TEXT NOT NULL,
    vip INTEGER NOT NULL DEFAULT 0,
    customer_category TEXT NOT NULL,
    persona TEXT,
    contract TEXT NOT NULL DEFAULT '{}',
    annual_value REAL NOT NULL DEFAULT 0,
    seats INTEGER NOT NULL DEFAULT 0,
    timezone TEXT NOT NULL DEFAULT 'UTC',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE plan_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    effective_from INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX plan_changes_org ON plan_changes (organization_id, effective_from);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX contacts_org ON contacts (organization_id);

CREATE TABLE agents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    skills TEXT NOT NULL DEFAULT '[]',
    tier TEXT NOT NULL,
    team TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    timezone TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    channel TEXT NOT NULL,
    requester_id INTEGER NOT NULL REFERENCES contacts(id),
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    category TEXT,
    impact TEXT,
    urgency TEXT,
    priority TEXT,
    priority_score REAL,
    priority_explanation TEXT,
    policy_version TEXT,
    status TEXT NOT NULL,
    assignee_id INTEGER REFERENCES agents(id),
    team TEXT,
    tier TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    custom_fields TEXT NOT NULL DEFAULT '{}',
    external_id TEXT UNIQUE,
    idem_scope TEXT,
    idem_key TEXT,
    idem_fingerprint TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    first_response_at INTEGER,
    solved_at INTEGER,
    closed_at INTEGER,
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
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    PRIMARY KEY (tag, ticket_id)
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

CREATE TABLE ticket_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE import_progress (
    source TEXT PRIMARY KEY,
    lines_done INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
