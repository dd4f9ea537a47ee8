-- In-database KPI functions (design.md section 3; README "KPI functions").

CREATE FUNCTION gcanalytics.timeline(conversation jsonb,
    OUT queue_wait_ms bigint, OUT talk_ms bigint, OUT customer_hold_ms bigint,
    OUT system_hold_ms bigint, OUT acw_ms bigint, OUT ivr_ms bigint,
    OUT alert_ms bigint, OUT transfers integer, OUT handle_ms bigint,
    OUT first_queue_id text, OUT last_agent_id text,
    OUT valid boolean, OUT anomaly text)
    AS 'MODULE_PATHNAME', 'gcanalytics_timeline'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.timeline(jsonb) IS
    'KPIs of one conversation detail record; valid is false and anomaly says why when the timeline is malformed';

CREATE FUNCTION gcanalytics.timeline_events(conversation jsonb)
    RETURNS TABLE (seq integer, purpose text, user_id text, queue_id text,
                   segment_type text, segment_start timestamptz,
                   segment_end timestamptz, duration_ms bigint, flag text,
                   kind text, participant_id text, session_id text,
                   media_type text, disconnect_type text)
    AS 'MODULE_PATHNAME', 'gcanalytics_timeline_events'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION gcanalytics.timeline_events(jsonb) IS
    'segments of one conversation detail record in timeline order, with the KPI each counts toward and a flag';

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

CREATE VIEW gcanalytics.weht_weights AS
SELECT e.dimension, e.key, e.multiplier, e.description
  FROM gcanalytics.weht_weights_edit e
 WHERE e.multiplier IS NOT NULL
UNION ALL
SELECT d.dimension, d.key, d.multiplier, d.description
  FROM gcanalytics.weht_weights_default d
 WHERE NOT EXISTS (SELECT FROM gcanalytics.weht_weights_edit e
                    WHERE e.dimension OPERATOR(pg_catalog.=) d.dimension
                      AND e.key OPERATOR(pg_catalog.=) d.key);
COMMENT ON VIEW gcanalytics.weht_weights IS
    'multipliers of weighted handle time: by transfer count (key "2" serves 2 or more) and by media type ("default" for the rest); editable';

-- INSTEAD OF trigger of the view.  Runs as the extension's owner so that
-- a role granted INSERT, UPDATE or DELETE on the view needs no privilege on
-- the tables behind it; only this trigger can call it.
CREATE FUNCTION gcanalytics.weht_weights_write() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.dimension, OLD.key) IS DISTINCT FROM (NEW.dimension, NEW.key)) THEN
        -- the old key goes: a default is masked, an added key removed
        IF EXISTS (SELECT FROM gcanalytics.weht_weights_default d
                    WHERE d.dimension = OLD.dimension AND d.key = OLD.key) THEN
            INSERT INTO gcanalytics.weht_weights_edit VALUES (OLD.dimension, OLD.key, NULL, NULL)
                ON CONFLICT (dimension, key) DO UPDATE SET multiplier = NULL, description = NULL;
        ELSE
            DELETE FROM gcanalytics.weht_weights_edit e WHERE e.dimension = OLD.dimension AND e.key = OLD.key;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
    END IF;
    IF NEW.multiplier IS NULL THEN
        RAISE not_null_violation USING
            MESSAGE = 'null value in column "multiplier" of relation "weht_weights" violates not-null constraint';
    END IF;
    IF (TG_OP = 'INSERT' OR (OLD.dimension, OLD.key) IS DISTINCT FROM (NEW.dimension, NEW.key))
       AND EXISTS (SELECT FROM gcanalytics.weht_weights w WHERE w.dimension = NEW.dimension AND w.key = NEW.key) THEN
        RAISE unique_violation USING
            MESSAGE = 'duplicate key value violates unique constraint "weht_weights_pkey"',
            DETAIL = format('Key (dimension, key)=(%s, %s) already exists.', NEW.dimension, NEW.key);
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.dimension, OLD.key) IS NOT DISTINCT FROM (NEW.dimension, NEW.key) THEN
        INSERT INTO gcanalytics.weht_weights_edit VALUES (NEW.dimension, NEW.key, NEW.multiplier, NEW.description)
            ON CONFLICT (dimension, key) DO UPDATE SET multiplier = EXCLUDED.multiplier, description = EXCLUDED.description;
    ELSE
        -- a new key: re-adds a deleted default, or is added (two sessions
        -- adding one key meet the edit table's primary key)
        UPDATE gcanalytics.weht_weights_edit e SET multiplier = NEW.multiplier, description = NEW.description
         WHERE e.dimension = NEW.dimension AND e.key = NEW.key AND e.multiplier IS NULL;
        IF NOT FOUND THEN
            INSERT INTO gcanalytics.weht_weights_edit VALUES (NEW.dimension, NEW.key, NEW.multiplier, NEW.description);
        END IF;
    END IF;
    -- an edit that equals its default is no edit
    DELETE FROM gcanalytics.weht_weights_edit e USING gcanalytics.weht_weights_default d
     WHERE e.dimension = NEW.dimension AND e.key = NEW.key AND d.dimension = e.dimension AND d.key = e.key
       AND e.multiplier = d.multiplier AND e.description IS NOT DISTINCT FROM d.description;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION gcanalytics.weht_weights_write() IS
    'INSTEAD OF trigger of gcanalytics.weht_weights: turns INSERT, UPDATE and DELETE into rows of weht_weights_edit';
CREATE TRIGGER weht_weights_write INSTEAD OF INSERT OR UPDATE OR DELETE ON gcanalytics.weht_weights
    FOR EACH ROW EXECUTE FUNCTION gcanalytics.weht_weights_write();

CREATE FUNCTION gcanalytics.weht_weights_json() RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT pg_catalog.jsonb_build_object(
        'transfers', COALESCE((SELECT pg_catalog.jsonb_object_agg(w.key, w.multiplier)
                                 FROM gcanalytics.weht_weights w
                                WHERE w.dimension OPERATOR(pg_catalog.=) 'transfers'), '{}'),
        'media_type', COALESCE((SELECT pg_catalog.jsonb_object_agg(w.key, w.multiplier)
                                  FROM gcanalytics.weht_weights w
                                 WHERE w.dimension OPERATOR(pg_catalog.=) 'media_type'), '{}'))
    $$;
COMMENT ON FUNCTION gcanalytics.weht_weights_json() IS
    'the weights of gcanalytics.weht_weights as the jsonb weighted_handle_time() takes';

CREATE FUNCTION gcanalytics.weht_default_weights() RETURNS jsonb
    AS 'MODULE_PATHNAME', 'gcanalytics_weht_default_weights'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.weht_default_weights() IS
    'the built-in weights that the three-argument weighted_handle_time() uses';

CREATE FUNCTION gcanalytics.weighted_handle_time(handle_ms bigint, transfers integer, media_type text)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'gcanalytics_weighted_handle_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.weighted_handle_time(bigint, integer, text) IS
    'handle_ms times the transfer and channel multipliers of the built-in weights';

CREATE FUNCTION gcanalytics.weighted_handle_time(handle_ms bigint, transfers integer, media_type text, weights jsonb)
    RETURNS float8
    AS 'MODULE_PATHNAME', 'gcanalytics_weighted_handle_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.weighted_handle_time(bigint, integer, text, jsonb) IS
    'handle_ms times the transfer and channel multipliers of weights (see weht_weights_json())';

CREATE FUNCTION gcanalytics.evaluation_scores(answers jsonb)
    RETURNS TABLE (question_group_id text, question_id text, answer_id text,
                   score integer, max_score integer, marked_na boolean,
                   failed_kill_question boolean)
    AS 'MODULE_PATHNAME', 'gcanalytics_evaluation_scores'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION gcanalytics.evaluation_scores(jsonb) IS
    'one row per question score of a Quality API evaluation''s answers';

CREATE FUNCTION gcanalytics.interpolate(value float8, at timestamptz) RETURNS float8
    AS 'MODULE_PATHNAME', 'gcanalytics_interpolate'
    LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.interpolate(float8, timestamptz) IS
    'window function: NULL values filled linearly in "at" between the nearest non-NULL values of the partition; edges take the nearest value';

CREATE FUNCTION gcanalytics.normalize_phone(phone text, default_country_code text DEFAULT '1')
    RETURNS text
    AS 'MODULE_PATHNAME', 'gcanalytics_normalize_phone'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gcanalytics.normalize_phone(text, text) IS
    'a phone number in E.164 (+15551234567), or NULL when it cannot be one; national numbers take default_country_code (1 = NANP)';
