-- The SQL that computed the warehouse load's per-conversation values from
-- a detail record until the C of src/kpi/load_rows.c replaced it (release
-- 0.3.0's SQL as it was), in schema load_rows_ref: the suite load_rows
-- compares the two on gcsim's conversations and on edge cases.
CREATE SCHEMA load_rows_ref;
-- _agent_talk_ms(raw): the longest talk of one agent (ms, closed interact
-- segments of its agent participants summed by user), 0 without agent.
CREATE OR REPLACE FUNCTION load_rows_ref._agent_talk_ms(raw jsonb)
    RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- a body parsed when created: its names and operators are bound then,
-- whatever search_path the load runs under
BEGIN ATOMIC
    SELECT coalesce(max(talk), 0)
      FROM (SELECT sum(extract(epoch FROM ((g->>'segmentEnd')::timestamptz - (g->>'segmentStart')::timestamptz)) * 1000)::bigint AS talk
              FROM jsonb_array_elements(raw->'participants') p,
                   jsonb_array_elements(p->'sessions') s,
                   jsonb_array_elements(s->'segments') g
             WHERE p->>'purpose' = 'agent' AND g->>'segmentType' = 'interact' AND g ? 'segmentEnd'
             GROUP BY p->>'userId') a;
END;

-- _bot_only(raw, ended): ended inside a bot flow, no queue, no agent.
CREATE OR REPLACE FUNCTION load_rows_ref._bot_only(raw jsonb, ended boolean)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT ended AND bool_or(p->>'purpose' = 'botflow') AND NOT bool_or(p->>'purpose' IN ('acd', 'agent'))
      FROM jsonb_array_elements(raw->'participants') p;
END;

-- _queue_entries(raw): the conversation's queue entries, one per ACD
-- session (with a queue) in order of entry, from the detail record's
-- session metrics, the observations Genesys's aggregates count:
-- offered_at = nOffered's emitDate, wait_ms = tAcd, abandoned_at =
-- tAbandon's emitDate; answered_at, answer_ms = the tAnswered of the first
-- agent session of that queue that starts at or after the entry (never one
-- an earlier entry took), with that session's agent and tHandle.  An agent
-- session answered (tAnswered) without an entry of its queue before it (a
-- consult transfer straight to an agent) is an entry of its own without
-- offered_at.
CREATE OR REPLACE FUNCTION load_rows_ref._queue_entries(raw jsonb)
    RETURNS gcanalytics.queue_entry[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    WITH s AS (
        SELECT p.value->>'purpose' AS purpose, p.value->>'userId' AS user_id, p.ord * 1000 + x.ord AS ord,
               x.value->>'mediaType' AS media_type,
               (SELECT g->>'queueId' FROM jsonb_array_elements(x.value->'segments') g
                 WHERE g ? 'queueId' LIMIT 1) AS queue_id,
               (SELECT min((g->>'segmentStart')::timestamptz) FROM jsonb_array_elements(x.value->'segments') g) AS started,
               m.*
          FROM jsonb_array_elements(raw->'participants') WITH ORDINALITY p(value, ord),
               jsonb_array_elements(p.value->'sessions') WITH ORDINALITY x(value, ord),
               LATERAL (SELECT max((e->>'emitDate')::timestamptz) FILTER (WHERE e->>'name' = 'nOffered') AS offered_at,
                               max((e->>'value')::bigint) FILTER (WHERE e->>'name' = 'tAcd') AS wait_ms,
                               max((e->>'emitDate')::timestamptz) FILTER (WHERE e->>'name' = 'tAbandon') AS abandoned_at,
                               max((e->>'emitDate')::timestamptz) FILTER (WHERE e->>'name' = 'tAnswered') AS answered_at,
                               max((e->>'value')::bigint) FILTER (WHERE e->>'name' = 'tAnswered') AS answer_ms,
                               max((e->>'value')::bigint) FILTER (WHERE e->>'name' = 'tHandle') AS handle_ms
                          FROM jsonb_array_elements(coalesce(x.value->'metrics', '[]')) e) m
         WHERE p.value->>'purpose' IN ('acd', 'agent')
    ), acd AS (
        SELECT * FROM s WHERE purpose = 'acd' AND queue_id IS NOT NULL
    ), ans AS (
        SELECT * FROM s WHERE purpose = 'agent' AND queue_id IS NOT NULL AND answered_at IS NOT NULL
    ), pair AS (   -- each answer to the latest entry of its queue that started before it and was not abandoned
        SELECT DISTINCT ON (e.ord) e.ord AS entry_ord, a.ord AS answer_ord
          FROM ans a
          JOIN LATERAL (SELECT e.ord FROM acd e
                         WHERE e.queue_id = a.queue_id AND e.started <= a.started AND e.abandoned_at IS NULL
                         ORDER BY e.started DESC, e.ord DESC LIMIT 1) e ON true
         ORDER BY e.ord, a.started, a.ord
    ), rows AS (
        SELECT e.started, e.ord, e.queue_id, e.media_type, e.offered_at, e.wait_ms, e.abandoned_at,
               a.answered_at, a.answer_ms, a.user_id AS agent_id, a.handle_ms
          FROM acd e
          LEFT JOIN pair p ON p.entry_ord = e.ord
          LEFT JOIN ans a ON a.ord = p.answer_ord
        UNION ALL
        SELECT a.started, a.ord, a.queue_id, a.media_type, NULL, NULL, NULL, a.answered_at, a.answer_ms, a.user_id, a.handle_ms
          FROM ans a
         WHERE a.ord NOT IN (SELECT answer_ord FROM pair)
    )
    SELECT array_agg(ROW(r.queue_id, r.media_type, r.offered_at, r.wait_ms, r.abandoned_at, r.answered_at, r.answer_ms,
                         r.agent_id, r.handle_ms)::gcanalytics.queue_entry ORDER BY r.started, r.ord)
      FROM rows r
$$;

-- _self_service(raw, ended): the self-service flow the conversation
-- entered ('bot' for a bot flow, 'ivr' for an IVR; NULL for none), whether
-- it ended there (a flow, no queue, no agent: contained), and whether the
-- flow handed it to an agent (a flow, then an agent participant).
CREATE OR REPLACE FUNCTION load_rows_ref._self_service(raw jsonb, ended boolean,
                                          OUT flow text, OUT contained boolean, OUT handed_off boolean)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE WHEN bool_or(x.purpose = 'botflow') THEN 'bot' WHEN bool_or(x.purpose = 'ivr') THEN 'ivr' END,
           coalesce(ended AND bool_or(x.purpose IN ('botflow', 'ivr')) AND NOT bool_or(x.purpose IN ('acd', 'agent')), false),
           coalesce(bool_or(x.purpose IN ('botflow', 'ivr')) AND bool_or(x.purpose = 'agent'), false)
      FROM jsonb_array_elements(raw->'participants') p, LATERAL (SELECT p->>'purpose' AS purpose) x
$$;

