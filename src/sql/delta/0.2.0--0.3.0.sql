-- gcanalytics 0.2.0 -> 0.3.0: the changes of state (tables, columns, types,
-- data moves, objects dropped).  The code pieces (src/sql/code/) follow it
-- in the built upgrade script and replace every function, view, dashboard
-- and grant.
\echo Use "ALTER EXTENSION gcanalytics UPDATE TO '0.3.0'" to load this file. \quit

-- _crm_match() became a join of the load and the relink (Citus plans no SQL
-- function with parameters reading a reference table)
DROP FUNCTION gcanalytics._crm_match(text, text);
