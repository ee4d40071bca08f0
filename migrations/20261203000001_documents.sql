-- Read models of documents and their pictures. Everything here can be dropped and rebuilt
-- from the event stream (`illustrator projector --rebuild documents`).

-- How far each projection has read the event stream, written in the same transaction as
-- the rows it changed.
CREATE TABLE projection_checkpoints (
    projection TEXT PRIMARY KEY,
    stream_seq BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE documents (
    id UUID PRIMARY KEY,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT,
    language TEXT,
    technical BOOLEAN,
    source TEXT NOT NULL,
    batch INTEGER NOT NULL,
    article_sha256 TEXT NOT NULL,
    article_bytes BIGINT NOT NULL,
    image_count INTEGER NOT NULL DEFAULT 0,
    generated_count INTEGER NOT NULL DEFAULT 0,
    failed_count INTEGER NOT NULL DEFAULT 0,
    -- Per-aggregate sequence of the last event applied: events must arrive without gaps.
    version BIGINT NOT NULL,
    last_stream_seq BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX documents_owner_created ON documents (owner, created_at DESC);

-- One row per placement of a document's plan.
CREATE TABLE document_images (
    document_id UUID NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    prompt TEXT NOT NULL,
    alt TEXT NOT NULL,
    status TEXT NOT NULL,
    selected INTEGER,
    placement JSONB NOT NULL,
    errors JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (document_id, position)
);

-- One row per drawn candidate; `id` is what /v1/images/{id} serves.
CREATE TABLE images (
    id TEXT PRIMARY KEY,
    document_id UUID NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    candidate INTEGER NOT NULL,
    source TEXT NOT NULL,
    object TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    price_milli_fen BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX images_document ON images (document_id, position, candidate);
