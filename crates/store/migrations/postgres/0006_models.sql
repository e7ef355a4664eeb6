-- Trained categorization models, versioned, shared by every server process.
-- One model per row: which ticket field it predicts (target), what it was
-- trained from, its evaluation on the held-out split (JSON), its header (JSON:
-- labels, feature and training settings, calibration) and weights (f32 LE).
-- At most one active model per target answers on intake.
CREATE TABLE models (
    id BIGSERIAL PRIMARY KEY,
    target TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    source TEXT NOT NULL,
    rows_trained BIGINT NOT NULL,
    metrics TEXT NOT NULL,
    header TEXT NOT NULL,
    weights BYTEA NOT NULL,
    active BIGINT NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX models_target ON models (target, id);
