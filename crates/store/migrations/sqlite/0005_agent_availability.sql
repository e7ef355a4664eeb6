-- Routing: whether an agent takes work now (online, away, offline) and their
-- shifts (weekly hours in the agent's time zone, JSON list; empty: any time).
ALTER TABLE agents ADD COLUMN availability TEXT NOT NULL DEFAULT 'online';
ALTER TABLE agents ADD COLUMN shifts TEXT NOT NULL DEFAULT '[]';
