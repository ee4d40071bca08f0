-- Read models of usage and bills, rebuilt from the usage events
-- (`illustrator projector --rebuild usage`). One row per billed picture, keyed by its job
-- id, so a picture can never be counted twice; one row per correction.

CREATE TABLE usage_pictures (
    job_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    plan TEXT NOT NULL,
    month TEXT NOT NULL,
    day DATE NOT NULL,
    source TEXT NOT NULL,
    unit_milli_fen BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    stream_seq BIGINT NOT NULL
);
CREATE INDEX usage_pictures_by_month ON usage_pictures (month, user_id);
CREATE INDEX usage_pictures_by_day ON usage_pictures (user_id, day);

CREATE TABLE usage_corrections (
    stream_seq BIGINT NOT NULL,
    position INT NOT NULL,
    user_id TEXT NOT NULL,
    plan TEXT NOT NULL,
    month TEXT NOT NULL,
    day DATE NOT NULL,
    source TEXT NOT NULL,
    pictures BIGINT NOT NULL,
    amount_milli_fen BIGINT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    corrected_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (stream_seq, position)
);
CREATE INDEX usage_corrections_by_month ON usage_corrections (month, user_id);

-- Per-aggregate sequence of the last usage event applied: events must arrive without gaps.
CREATE TABLE usage_versions (
    aggregate_id TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);

-- Daily usage per user and source, corrections included.
CREATE VIEW usage_daily AS
SELECT user_id, day, source, sum(pictures)::BIGINT AS pictures,
       sum(amount_milli_fen)::BIGINT AS amount_milli_fen
FROM (
    SELECT user_id, day, source, 1 AS pictures, unit_milli_fen AS amount_milli_fen
    FROM usage_pictures
    UNION ALL
    SELECT user_id, day, source, pictures, amount_milli_fen FROM usage_corrections
) AS lines
GROUP BY user_id, day, source;

-- The monthly bill per user, a line per source.
CREATE VIEW usage_monthly_bill AS
SELECT user_id, month, source, sum(pictures)::BIGINT AS pictures,
       sum(amount_milli_fen)::BIGINT AS amount_milli_fen
FROM (
    SELECT user_id, month, source, 1 AS pictures, unit_milli_fen AS amount_milli_fen
    FROM usage_pictures
    UNION ALL
    SELECT user_id, month, source, pictures, amount_milli_fen FROM usage_corrections
) AS lines
GROUP BY user_id, month, source;

-- What each source cost, a month at a time.
CREATE VIEW usage_cost_by_source AS
SELECT month, source, sum(pictures)::BIGINT AS pictures,
       sum(amount_milli_fen)::BIGINT AS amount_milli_fen
FROM usage_monthly_bill
GROUP BY month, source;
