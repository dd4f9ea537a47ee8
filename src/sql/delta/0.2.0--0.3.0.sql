-- gcanalytics 0.2.0 -> 0.3.0: the changes of state (tables, columns, types,
-- data moves, objects dropped).  The code pieces (src/sql/code/) follow it
-- in the built upgrade script and replace every function, view, dashboard
-- and grant.
\echo Use "ALTER EXTENSION gcanalytics UPDATE TO '0.3.0'" to load this file. \quit

-- the load lock is a row only load roles can claim (0.2.0: an advisory
-- lock any role could take)
CREATE TABLE gcanalytics.load_lock (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    pid           integer,
    role          name,
    backend_start timestamptz,
    held_since    timestamptz,
    refused_at    timestamptz,
    refused_pid   integer,
    refused_role  name,
    refused_count bigint NOT NULL DEFAULT 0
);
INSERT INTO gcanalytics.load_lock (id) VALUES (true);
