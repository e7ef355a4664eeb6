-- A counter bumped with every change that can alter what a token may do: an
-- agent's role or state, a contact moved or erased, a token revoked, a user
-- deleted. Each server process reads it on every request and trusts its
-- cached callers only while it has not moved, so a demotion or a revocation
-- takes effect on every process at once.
CREATE TABLE auth_epoch (id INTEGER PRIMARY KEY, epoch BIGINT NOT NULL);
INSERT INTO auth_epoch (id, epoch) VALUES (1, 0);
