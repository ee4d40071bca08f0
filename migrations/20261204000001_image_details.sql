-- What the picture's event records about how it was made: the model, the provider's request
-- id, the prompt it was given and a stock photo's credit. Rebuilt from the stream like the
-- rest of the documents read model.
ALTER TABLE images
    ADD COLUMN model TEXT,
    ADD COLUMN request_id TEXT,
    ADD COLUMN prompt TEXT,
    ADD COLUMN credit JSONB;
