-- The editable weights of weighted handle time: the view over the tables of
-- state/21_kpi_weights.sql, its INSTEAD OF trigger and its jsonb form.

CREATE OR REPLACE VIEW gcanalytics.weht_weights AS
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
CREATE OR REPLACE FUNCTION gcanalytics.weht_weights_write() RETURNS trigger
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
DROP TRIGGER IF EXISTS weht_weights_write ON gcanalytics.weht_weights;
CREATE TRIGGER weht_weights_write INSTEAD OF INSERT OR UPDATE OR DELETE ON gcanalytics.weht_weights
    FOR EACH ROW EXECUTE FUNCTION gcanalytics.weht_weights_write();

CREATE OR REPLACE FUNCTION gcanalytics.weht_weights_json() RETURNS jsonb
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
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
