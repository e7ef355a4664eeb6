-- Signing in from a browser: a password per person (an argon2 PHC string;
-- none until one is set), sessions (only the SHA-256 of the cookie's value is
-- kept, with the form token that state-changing forms must carry), and failed
-- sign-ins, counted per account and per address to slow and then lock guessing.
ALTER TABLE agents ADD COLUMN password_hash TEXT;
ALTER TABLE contacts ADD COLUMN password_hash TEXT;

CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (role, user_id);

CREATE TABLE sign_in_failures (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
