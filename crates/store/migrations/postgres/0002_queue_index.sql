-- The engine's unweighted points per strategy (JSON array), so the in-memory
-- queue index can weigh them again when surge mode switches the weights.
ALTER TABLE tickets ADD COLUMN priority_points TEXT;
-- Other server processes' changes, picked up by each process's queue index.
CREATE INDEX tickets_updated ON tickets (updated_at, id);
