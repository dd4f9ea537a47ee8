-- Views over the warehouse tables (state/30_warehouse_tables.sql).

-- _comment_columns_like(target, source): every column of target without a
-- comment takes the comment of source's column of the same name (views over
-- a table: BI tools show the comments).
CREATE OR REPLACE FUNCTION gcanalytics._comment_columns_like(target regclass, source regclass)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT t.attname, col_description(source, s.attnum) AS comment
          FROM pg_catalog.pg_attribute t
          JOIN pg_catalog.pg_attribute s ON s.attrelid = source AND s.attname = t.attname AND s.attnum > 0
         WHERE t.attrelid = target AND t.attnum > 0 AND NOT t.attisdropped
           AND col_description(target, t.attnum) IS NULL AND col_description(source, s.attnum) IS NOT NULL
    LOOP
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', target, col.attname, col.comment);
    END LOOP;
END
$$;

-- The dead-letter list: the failed windows.
CREATE OR REPLACE VIEW gcanalytics.failed_windows AS
SELECT resource, window_start, window_end, attempts, error, error_sqlstate, finished_at
  FROM gcanalytics.sync_windows
 WHERE status = 'failed';
COMMENT ON VIEW gcanalytics.failed_windows IS
    'the dead-letter list: windows whose last load failed; retry_failed() (and every run()) loads them again';
SELECT gcanalytics._comment_columns_like('gcanalytics.failed_windows', 'gcanalytics.sync_windows');
