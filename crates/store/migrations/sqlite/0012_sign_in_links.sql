-- One-time sign-in links: an admin's invitation or `triage user password
-- --link`. Only the SHA-256 of the link's secret is kept; a link works once,
-- until it expires, to set a password.
CREATE TABLE sign_in_links (
    token_hash TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
