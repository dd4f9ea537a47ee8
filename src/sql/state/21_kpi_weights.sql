-- Weighted effective handle time.  The function reads a weights jsonb so
-- that it stays IMMUTABLE; the multipliers a user edits are the view
-- gcanalytics.weht_weights over two tables:
--   weht_weights_default  the defaults this version ships; part of the
--                         extension, so pg_dump leaves it out and
--                         CREATE EXTENSION / ALTER EXTENSION UPDATE write it
--   weht_weights_edit     the user's edits, the only configuration table
--                         pg_dump dumps: a row adds a key or replaces a
--                         default, a NULL multiplier deletes a default
-- A restore (CREATE EXTENSION, then the dumped edits) and an upgrade (new
-- defaults, the edits kept) therefore give back exactly the user's weights,
-- and the two never collide on a key.  INSERT, UPDATE and DELETE on the view
-- become edits through weht_weights_write().
CREATE TABLE gcanalytics.weht_weights_default (
    dimension   text NOT NULL,
    key         text NOT NULL,
    multiplier  float8 NOT NULL,
    description text,
    PRIMARY KEY (dimension, key)
);
COMMENT ON TABLE gcanalytics.weht_weights_default IS
    'the weighted handle time multipliers this version of gcanalytics ships; edit gcanalytics.weht_weights instead';
-- keep in step with WEHT_DEFAULTS in src/kpi/weht.c
INSERT INTO gcanalytics.weht_weights_default VALUES
    ('transfers', '0', 1.0, 'handled without transfer'),
    ('transfers', '1', 1.2, 'one transfer'),
    ('transfers', '2', 1.5, 'two or more transfers'),
    ('media_type', 'voice', 1.0, NULL),
    ('media_type', 'callback', 1.0, NULL),
    ('media_type', 'chat', 0.9, 'agents handle chats concurrently'),
    ('media_type', 'message', 0.9, 'agents handle messages concurrently'),
    ('media_type', 'email', 1.1, 'written answers take more care'),
    ('media_type', 'video', 1.2, NULL),
    ('media_type', 'default', 1.0, 'any other media type');

CREATE TABLE gcanalytics.weht_weights_edit (
    dimension   text NOT NULL CHECK (dimension IN ('transfers', 'media_type')),
    key         text NOT NULL,
    multiplier  float8 CHECK (multiplier > 0 AND multiplier < 'Infinity'),
    description text,
    PRIMARY KEY (dimension, key),
    CHECK (dimension <> 'transfers' OR key ~ '^[0-9]+$')
);
COMMENT ON TABLE gcanalytics.weht_weights_edit IS
    'the user''s edits of gcanalytics.weht_weights (a NULL multiplier deletes a default); dumped by pg_dump';
SELECT pg_catalog.pg_extension_config_dump('gcanalytics.weht_weights_edit', '');
