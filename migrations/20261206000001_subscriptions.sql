-- Subscriptions, rebuilt from the subscription events (`illustrator projector --rebuild
-- subscriptions`): the paid plan of each account, its period and whether it renews. The
-- scheduler reads it to find what is due; the Subscription aggregate decides.

CREATE TABLE subscriptions (
    user_id TEXT PRIMARY KEY,
    -- NULL once the subscription has ended.
    plan TEXT,
    period_start TIMESTAMPTZ,
    period_end TIMESTAMPTZ,
    monthly_price_fen BIGINT NOT NULL DEFAULT 0,
    renews BOOLEAN NOT NULL DEFAULT false,
    -- The renewal whose reminder has been decided.
    reminded_for TIMESTAMPTZ,
    -- Per-aggregate sequence of the last event applied: events must arrive without gaps.
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX subscriptions_due ON subscriptions (period_end) WHERE plan IS NOT NULL;

-- Every renewal reminder mailed, written in the same transaction as the mail projection's
-- checkpoint: one row per subscriber and renewal. Never rebuilt, so that no rebuild mails
-- a reminder again.
CREATE TABLE renewal_reminders (
    user_id TEXT NOT NULL,
    renews_at TIMESTAMPTZ NOT NULL,
    plan TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, renews_at)
);
