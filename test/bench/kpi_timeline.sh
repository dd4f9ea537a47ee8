#!/usr/bin/env bash
# Benchmarks, printed as a Markdown section: gcanalytics.timeline()
# (C) over 1,000,000 stored conversation detail records, against the same
# logic written in PL/pgSQL and in SQL with jsonb functions.
#
# The records come from a SQL generator (IVR, queue, agent with holds,
# blind transfers to a second queue and agent, abandons; metrics on every
# session; 2 % still in progress), about 2 kB each (1.3 kB compressed):
# 100,000 distinct ones,
# copied under new conversation ids up to 1,000,000.  The PL/pgSQL and SQL versions run on the
# first 100,000 records and their time is scaled by 10 (both are linear);
# all three are checked to give the same figures on that subset.
# Parallel query is off, so every version runs on one core.
# Sizes can be lowered for a quick run: BENCH_SCALE=0.1.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning -c max_parallel_workers_per_gather=0"

SCALE=${BENCH_SCALE:-1}
N=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 1000000 * s }')
SUB=$(awk -v s="$SCALE" 'BEGIN { printf "%d", 100000 * s }')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
timed() { # SQL -> elapsed ms on stdout
    local t0 t1
    t0=$(ms)
    sql "$1" >/dev/null
    t1=$(ms)
    echo $((t1 - t0))
}

sql "DROP SCHEMA IF EXISTS kpi_bench CASCADE; CREATE SCHEMA kpi_bench;"

# ------------------------------------------------------------ generator
# r(i, k): a deterministic pseudo-random number in [0, 1) for record i.
sql "CREATE FUNCTION kpi_bench.r(i int, k int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
     \$\$ SELECT (('x' || substr(md5(i::text || ':' || k), 1, 8))::bit(32)::bigint)::float8 / 4294967296.0 \$\$;
     CREATE FUNCTION kpi_bench.ts(t float8) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
     \$\$ SELECT to_char(timestamptz '2026-03-02 00:00:00+00' + t * interval '1 ms', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') \$\$;
     CREATE FUNCTION kpi_bench.seg(type text, s float8, e float8, extra text DEFAULT '') RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
     \$\$ SELECT format('{\"segmentType\":\"%s\",\"segmentStart\":\"%s\",\"segmentEnd\":\"%s\",\"conference\":false%s}',
                       type, kpi_bench.ts(s), kpi_bench.ts(e), extra) \$\$;
     CREATE FUNCTION kpi_bench.met(name text, v float8) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
     \$\$ SELECT format('{\"name\":\"%s\",\"value\":%s,\"emitDate\":\"2026-03-02T00:00:00.000Z\"}', name, v::bigint) \$\$;
     CREATE FUNCTION kpi_bench.part(purpose text, uid text, media text, metrics text, segs text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
     \$\$ SELECT format('{\"participantId\":\"%s\",\"purpose\":\"%s\"%s,\"sessions\":[{\"sessionId\":\"%s\",\"mediaType\":\"%s\",\"direction\":\"inbound\",\"metrics\":[%s],\"segments\":[%s]}]}',
                       md5(segs), purpose, CASE WHEN uid IS NULL THEN '' ELSE format(',\"userId\":\"%s\"', uid) END,
                       md5(metrics || segs), media, metrics, segs) \$\$;
     -- one agent leg from t: alert, talk (split by a hold or not), wrap-up,
     -- the last talk ending with disc; returns the participant and its end
     CREATE FUNCTION kpi_bench.agent(i int, k int, t float8, q text, media text, disc text, OUT p text, OUT t_end float8)
       LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS \$\$
     DECLARE
         al float8 := 3000 + 12000 * kpi_bench.r(i, k);
         talk float8 := 60000 + 540000 * kpi_bench.r(i, k + 1);
         hold float8 := CASE WHEN kpi_bench.r(i, k + 2) < 0.3 THEN 15000 + 105000 * kpi_bench.r(i, k + 3) ELSE 0 END;
         acw float8 := 10000 + 110000 * kpi_bench.r(i, k + 4);
         uid text := 'u' || (1 + (kpi_bench.r(i, k + 5) * 200)::int);
         segs text; mets text; a float8 := t + al; h float8;
     BEGIN
         segs := kpi_bench.seg('alert', t, a, format(',\"queueId\":\"%s\"', q));
         IF hold > 0 THEN
             h := a + talk / 2;
             segs := segs || ',' || kpi_bench.seg('interact', a, h, format(',\"queueId\":\"%s\"', q))
                          || ',' || kpi_bench.seg('hold', h, h + hold, format(',\"queueId\":\"%s\"', q))
                          || ',' || kpi_bench.seg('interact', h + hold, a + talk + hold, format(',\"queueId\":\"%s\",\"disconnectType\":\"%s\"', q, disc));
         ELSE
             segs := segs || ',' || kpi_bench.seg('interact', a, a + talk, format(',\"queueId\":\"%s\",\"disconnectType\":\"%s\"', q, disc));
         END IF;
         t_end := a + talk + hold;
         segs := segs || ',' || kpi_bench.seg('wrapup', t_end, t_end + acw, format(',\"queueId\":\"%s\",\"wrapUpCode\":\"w%s\"', q, k));
         mets := kpi_bench.met('tAlert', al) || ',' || kpi_bench.met('tTalk', talk)
                 || CASE WHEN hold > 0 THEN ',' || kpi_bench.met('tHeld', hold) ELSE '' END
                 || ',' || kpi_bench.met('tAcw', acw) || ',' || kpi_bench.met('tHandle', talk + hold + acw)
                 || CASE WHEN disc = 'transfer' THEN ',' || kpi_bench.met('nTransferred', 1) ELSE '' END;
         p := kpi_bench.part('agent', uid, media, mets, segs);
     END \$\$;
     CREATE FUNCTION kpi_bench.record(i int) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS \$\$
     DECLARE
         t0 float8 := i * 2000.0;
         t float8 := t0;
         media text := CASE WHEN kpi_bench.r(i, 1) < 0.75 THEN 'voice' ELSE 'chat' END;
         q1 text := 'q' || (1 + (kpi_bench.r(i, 2) * 12)::int);
         parts text[] := '{}';
         d float8; a record; b record; t_end float8; rec jsonb;
     BEGIN
         IF media = 'voice' AND kpi_bench.r(i, 3) < 0.8 THEN      -- IVR
             d := 15000 + 75000 * kpi_bench.r(i, 4);
             parts := parts || kpi_bench.part('ivr', NULL, media, kpi_bench.met('nFlow', 1) || ',' || kpi_bench.met('tIvr', d),
                                              kpi_bench.seg('ivr', t, t + d, ',\"disconnectType\":\"transfer\"'));
             t := t + d;
         END IF;
         d := 5000 + 295000 * kpi_bench.r(i, 5);                   -- queue
         IF kpi_bench.r(i, 6) < 0.08 THEN                          -- abandoned
             parts := parts || kpi_bench.part('acd', NULL, media, kpi_bench.met('nOffered', 1) || ',' || kpi_bench.met('tAcd', d) || ',' || kpi_bench.met('tAbandon', d),
                                              kpi_bench.seg('interact', t, t + d, format(',\"queueId\":\"%s\",\"disconnectType\":\"peer\"', q1)));
             t_end := t + d;
         ELSE
             parts := parts || kpi_bench.part('acd', NULL, media, kpi_bench.met('nOffered', 1) || ',' || kpi_bench.met('tAcd', d),
                                              kpi_bench.seg('interact', t, t + d, format(',\"queueId\":\"%s\",\"disconnectType\":\"transfer\"', q1)));
             IF kpi_bench.r(i, 7) < 0.15 THEN                      -- blind transfer to a second queue
                 a := kpi_bench.agent(i, 10, t + d - 5000, q1, media, 'transfer');
                 d := 5000 + 55000 * kpi_bench.r(i, 8);
                 parts := parts || a.p || kpi_bench.part('acd', NULL, media, kpi_bench.met('nOffered', 1) || ',' || kpi_bench.met('tAcd', d),
                                              kpi_bench.seg('interact', a.t_end, a.t_end + d, ',\"queueId\":\"q99\",\"disconnectType\":\"transfer\"'));
                 b := kpi_bench.agent(i, 20, a.t_end + d - 4000, 'q99', media, 'peer');
                 parts := parts || b.p;
                 t_end := b.t_end;
             ELSE
                 a := kpi_bench.agent(i, 10, t + d - 5000, q1, media, 'peer');
                 parts := parts || a.p;
                 t_end := a.t_end;
             END IF;
         END IF;
         parts := kpi_bench.part('customer', NULL, media, kpi_bench.met('nConnected', 1),
                                 kpi_bench.seg('interact', t0, t_end, ',\"disconnectType\":\"endpoint\"')) || parts;
         rec := format('{\"conversationId\":\"%s\",\"conversationStart\":\"%s\",\"conversationEnd\":\"%s\",\"originatingDirection\":\"inbound\",\"divisionIds\":[\"d1\"],\"participants\":[%s]}',
                       md5(i::text), kpi_bench.ts(t0), kpi_bench.ts(t_end), array_to_string(parts, ','))::jsonb;
         IF kpi_bench.r(i, 9) < 0.02 THEN                          -- still in progress: the last segment is open
             rec := (rec - 'conversationEnd') #- '{participants,-1,sessions,0,segments,-1,segmentEnd}';
         END IF;
         RETURN rec;
     END \$\$;"

# The PL/pgSQL version of timeline(): the same classification, sums, first
# queue, last agent, transfers, in-progress rule and checks (segment
# without end, ends before it starts, overlapping agent segments, wrap-up
# before talk, transfer without following queue or agent, metric
# disagreement), segments sorted the same way; anomaly names without the
# JSON paths.
sql "CREATE TYPE kpi_bench.seg_t AS (pi int, si int, pclass text, prio int, uid text, kind text,
             typ text, st timestamptz, en timestamptz, q text, xfer boolean);
     CREATE FUNCTION kpi_bench.timeline_plpgsql(c jsonb,
        OUT queue_wait_ms bigint, OUT talk_ms bigint, OUT customer_hold_ms bigint, OUT system_hold_ms bigint,
        OUT acw_ms bigint, OUT ivr_ms bigint, OUT alert_ms bigint, OUT transfers int, OUT handle_ms bigint,
        OUT first_queue_id text, OUT last_agent_id text, OUT valid boolean, OUT anomaly text)
     LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS \$\$
     DECLARE
         finished boolean := c ? 'conversationEnd';
         p jsonb; s jsonb; g jsonb; m jsonb;
         purpose text; uid text; pclass text; kind text; typ text;
         st timestamptz; en timestamptz; d bigint;
         pi int := 0; si int := 0;
         seg record; talked text[] := '{}';
         sums bigint[]; mets bigint[]; k int;
         anomalies text[] := '{}';
         segs kpi_bench.seg_t[] := '{}';
         open_sessions int[]; last_start timestamptz[] := '{}'; moment timestamptz;
         max_end timestamptz[] := '{}'; counted boolean; queue_from_acd boolean := false; sess_open boolean;
     BEGIN
         queue_wait_ms := 0; talk_ms := 0; customer_hold_ms := 0; system_hold_ms := 0;
         acw_ms := 0; ivr_ms := 0; alert_ms := 0; transfers := 0;
         FOR p IN SELECT * FROM jsonb_array_elements(c->'participants') LOOP
             purpose := p->>'purpose'; uid := p->>'userId';
             pclass := CASE purpose WHEN 'acd' THEN 'acd' WHEN 'ivr' THEN 'ivr' WHEN 'botflow' THEN 'bot'
                                    WHEN 'agent' THEN 'agent' WHEN 'user' THEN 'agent'
                                    WHEN 'customer' THEN 'party' WHEN 'external' THEN 'external' ELSE 'other' END;
             FOR s IN SELECT * FROM jsonb_array_elements(p->'sessions') LOOP
                 sums := '{0,0,0,0,0,0}'; mets := '{NULL,NULL,NULL,NULL,NULL,NULL}'; sess_open := false;
                 FOR g IN SELECT * FROM jsonb_array_elements(s->'segments') LOOP
                     typ := g->>'segmentType';
                     kind := CASE
                         WHEN pclass IN ('party', 'external') THEN 'party'
                         WHEN pclass = 'agent' THEN CASE typ WHEN 'interact' THEN 'talk' WHEN 'hold' THEN 'customer_hold'
                              WHEN 'wrapup' THEN 'acw' WHEN 'alert' THEN 'alert' WHEN 'system' THEN 'system_hold'
                              WHEN 'parked' THEN 'system_hold' ELSE 'other' END
                         WHEN typ IN ('hold', 'system', 'parked') THEN 'system_hold'
                         WHEN pclass = 'acd' THEN 'queue' WHEN pclass = 'ivr' THEN 'ivr' WHEN pclass = 'bot' THEN 'bot'
                         ELSE 'other' END;
                     st := (g->>'segmentStart')::timestamptz; en := (g->>'segmentEnd')::timestamptz;
                     sess_open := sess_open OR en IS NULL;
                     segs := segs || row(pi, si, pclass,
                         CASE purpose WHEN 'customer' THEN 0 WHEN 'external' THEN 1 WHEN 'ivr' THEN 2 WHEN 'botflow' THEN 3
                                      WHEN 'acd' THEN 4 WHEN 'agent' THEN 5 WHEN 'user' THEN 6 ELSE 7 END,
                         uid, kind, typ, st, en, g->>'queueId',
                         pclass = 'agent' AND g->>'disconnectType' IN ('transfer', 'consultTransfer', 'forwardTransfer', 'conferenceTransfer'))::kpi_bench.seg_t;
                     IF en IS NOT NULL AND en >= st THEN
                         d := (extract(epoch FROM en - st) * 1000)::bigint;
                         k := CASE kind WHEN 'queue' THEN 1 WHEN 'ivr' THEN 2 WHEN 'talk' THEN 3 WHEN 'customer_hold' THEN 4
                                        WHEN 'acw' THEN 5 WHEN 'alert' THEN 6 ELSE 0 END;
                         IF kind = 'system_hold' AND pclass = 'acd' THEN k := 1; END IF;
                         IF kind = 'system_hold' AND pclass = 'ivr' THEN k := 2; END IF;
                         IF k > 0 THEN sums[k] := sums[k] + d; END IF;
                     END IF;
                 END LOOP;
                 FOR m IN SELECT * FROM jsonb_array_elements(s->'metrics') LOOP
                     k := CASE m->>'name' WHEN 'tAcd' THEN 1 WHEN 'tIvr' THEN 2 WHEN 'tTalk' THEN 3 WHEN 'tHeld' THEN 4
                                          WHEN 'tAcw' THEN 5 WHEN 'tAlert' THEN 6 ELSE 0 END;
                     IF k > 0 THEN mets[k] := coalesce(mets[k], 0) + (m->>'value')::bigint; END IF;
                 END LOOP;
                 FOR k IN 1..6 LOOP
                     IF NOT sess_open AND mets[k] IS NOT NULL AND abs(mets[k] - sums[k]) > 1000 THEN
                         anomalies := anomalies || 'metric disagreement'::text;
                     END IF;
                 END LOOP;
                 si := si + 1;
             END LOOP;
             pi := pi + 1;
         END LOOP;
         open_sessions := ARRAY(SELECT DISTINCT x.si FROM unnest(segs) x WHERE x.en IS NULL);
         FOR seg IN SELECT * FROM unnest(segs) ORDER BY st, en NULLS LAST, prio, typ LOOP
             -- a transfer must be followed by another participant's queue, flow, external party or agent
             IF seg.kind <> 'acw' THEN last_start[seg.si + 1] := seg.st; END IF;
             IF seg.xfer AND (finished OR NOT seg.si = ANY (open_sessions)) THEN transfers := transfers + 1; END IF;
             IF seg.xfer THEN
                 moment := CASE WHEN seg.kind = 'acw' THEN coalesce(last_start[seg.si + 1], seg.st) ELSE seg.st END;
                 IF NOT EXISTS (SELECT 1 FROM unnest(segs) x
                                 WHERE x.pi <> seg.pi AND x.st >= moment
                                   AND (x.pclass IN ('acd', 'ivr', 'bot', 'external') OR (x.pclass = 'agent' AND x.kind IN ('talk', 'alert')))) THEN
                     anomalies := anomalies || 'transfer without following queue or agent'::text;
                 END IF;
             END IF;
             counted := true;
             IF seg.en IS NULL THEN
                 IF finished THEN anomalies := anomalies || 'segment without end'::text; END IF;
                 counted := false;
             ELSIF seg.en < seg.st THEN
                 anomalies := anomalies || 'segment ends before it starts'::text;
                 counted := false;
             ELSIF NOT finished AND seg.si = ANY (open_sessions) AND seg.kind NOT IN ('alert', 'party', 'other', 'bot') THEN
                 counted := false;                                 -- in progress: waits for its session to end
             END IF;
             IF counted THEN
                 d := (extract(epoch FROM seg.en - seg.st) * 1000)::bigint;
                 CASE seg.kind
                     WHEN 'queue' THEN queue_wait_ms := queue_wait_ms + d;
                     WHEN 'ivr' THEN ivr_ms := ivr_ms + d;
                     WHEN 'talk' THEN talk_ms := talk_ms + d;
                     WHEN 'customer_hold' THEN customer_hold_ms := customer_hold_ms + d;
                     WHEN 'system_hold' THEN
                         system_hold_ms := system_hold_ms + d;
                         IF seg.pclass = 'acd' THEN queue_wait_ms := queue_wait_ms + d; END IF;
                         IF seg.pclass = 'ivr' THEN ivr_ms := ivr_ms + d; END IF;
                     WHEN 'acw' THEN acw_ms := acw_ms + d;
                     WHEN 'alert' THEN alert_ms := alert_ms + d;
                     ELSE NULL;
                 END CASE;
             END IF;
             IF seg.q IS NOT NULL THEN
                 IF seg.pclass = 'acd' AND NOT queue_from_acd THEN first_queue_id := seg.q; queue_from_acd := true;
                 ELSIF first_queue_id IS NULL THEN first_queue_id := seg.q;
                 END IF;
             END IF;
             IF seg.pclass = 'agent' THEN                           -- per agent session and participant
                 IF max_end[seg.si + 1] IS NOT NULL AND seg.st < max_end[seg.si + 1] THEN
                     anomalies := anomalies || 'overlapping agent segments'::text;
                 END IF;
                 IF max_end[seg.si + 1] IS NULL OR coalesce(seg.en, 'infinity') > max_end[seg.si + 1] THEN
                     max_end[seg.si + 1] := coalesce(seg.en, 'infinity');
                 END IF;
                 IF seg.kind = 'talk' THEN talked := talked || seg.pi::text; last_agent_id := seg.uid; END IF;
                 IF seg.kind = 'acw' AND NOT seg.pi::text = ANY (talked) THEN anomalies := anomalies || 'wrap-up before talk'::text; END IF;
             END IF;
         END LOOP;
         handle_ms := talk_ms + customer_hold_ms + acw_ms;
         valid := cardinality(anomalies) = 0;
         anomaly := CASE WHEN valid THEN NULL ELSE array_to_string(anomalies, '; ') END;
     END \$\$;"

# The SQL version: segments expanded with jsonb_array_elements and summed
# by kind in one query (no per-session state machine beyond the tTalk
# check).
# A set-returning SQL function with one SELECT, so that the planner inlines
# it into the calling query and plans it once.
sql "CREATE FUNCTION kpi_bench.timeline_sql(c jsonb)
     RETURNS TABLE (queue_wait_ms bigint, talk_ms bigint, customer_hold_ms bigint, system_hold_ms bigint,
        acw_ms bigint, ivr_ms bigint, alert_ms bigint, transfers int, handle_ms bigint,
        first_queue_id text, last_agent_id text, valid boolean)
     LANGUAGE sql IMMUTABLE PARALLEL SAFE AS \$\$
     WITH seg AS (
         SELECT pi, si, p->>'purpose' AS purpose, p->>'userId' AS uid, g->>'segmentType' AS typ, g->>'queueId' AS q,
                (g->>'segmentStart')::timestamptz AS st, (g->>'segmentEnd')::timestamptz AS en,
                g->>'disconnectType' AS disc, s->'metrics' AS metrics
           FROM jsonb_array_elements(c->'participants') WITH ORDINALITY pp(p, pi),
                jsonb_array_elements(p->'sessions') WITH ORDINALITY ss(s, si),
                jsonb_array_elements(s->'segments') gg(g)),
     k0 AS (
         SELECT *, (extract(epoch FROM en - st) * 1000)::bigint AS d0, c ? 'conversationEnd' AS finished,
                bool_or(en IS NULL) OVER (PARTITION BY pi, si) AS open_sess,
                CASE WHEN purpose IN ('customer', 'external') THEN 'party'
                     WHEN purpose IN ('agent', 'user') THEN CASE typ WHEN 'interact' THEN 'talk' WHEN 'hold' THEN 'customer_hold'
                          WHEN 'wrapup' THEN 'acw' WHEN 'alert' THEN 'alert' WHEN 'system' THEN 'system_hold'
                          WHEN 'parked' THEN 'system_hold' ELSE 'other' END
                     WHEN typ IN ('hold', 'system', 'parked') THEN 'system_hold'
                     WHEN purpose = 'acd' THEN 'queue' WHEN purpose = 'ivr' THEN 'ivr' ELSE 'other' END AS kind
           FROM seg),
     -- in progress: an open session counts only its finished alerts
     k AS (
         SELECT *, CASE WHEN NOT finished AND open_sess AND kind NOT IN ('alert', 'party', 'other') THEN NULL
                        WHEN en >= st THEN d0 END AS d
           FROM k0),
     sess AS (
         SELECT pi, si, sum(d) FILTER (WHERE kind = 'talk') AS talk, bool_or(open_sess) AS open,
                (SELECT sum((m->>'value')::bigint) FROM jsonb_array_elements(min(metrics::text)::jsonb) m WHERE m->>'name' = 'tTalk') AS ttalk
           FROM k GROUP BY pi, si)
     SELECT coalesce(sum(d) FILTER (WHERE kind = 'queue' OR (kind = 'system_hold' AND purpose = 'acd')), 0)::bigint,
            coalesce(sum(d) FILTER (WHERE kind = 'talk'), 0)::bigint,
            coalesce(sum(d) FILTER (WHERE kind = 'customer_hold'), 0)::bigint,
            coalesce(sum(d) FILTER (WHERE kind = 'system_hold'), 0)::bigint,
            coalesce(sum(d) FILTER (WHERE kind = 'acw'), 0)::bigint,
            coalesce(sum(d) FILTER (WHERE kind = 'ivr' OR (kind = 'system_hold' AND purpose = 'ivr')), 0)::bigint,
            coalesce(sum(d) FILTER (WHERE kind = 'alert'), 0)::bigint,
            (count(*) FILTER (WHERE purpose IN ('agent', 'user') AND (finished OR NOT open_sess)
                                    AND disc IN ('transfer', 'consultTransfer', 'forwardTransfer', 'conferenceTransfer')))::int,
            coalesce(sum(d) FILTER (WHERE kind IN ('talk', 'customer_hold', 'acw')), 0)::bigint,
            (array_agg(q ORDER BY st, en) FILTER (WHERE purpose = 'acd' AND q IS NOT NULL))[1],
            (array_agg(uid ORDER BY st DESC, en DESC) FILTER (WHERE kind = 'talk'))[1],
            bool_and(CASE WHEN en IS NULL THEN NOT finished ELSE en >= st END)
              AND NOT EXISTS (SELECT 1 FROM sess WHERE NOT open AND abs(coalesce(ttalk, talk) - coalesce(talk, 0)) > 1000)
       FROM k
     \$\$;"

# ---------------------------------------------------------------- data
t0=$(ms)
sql "CREATE TABLE kpi_bench.records (id int, raw jsonb);
     INSERT INTO kpi_bench.records SELECT i, kpi_bench.record(i) FROM generate_series(1, $SUB) i;
     -- the rest: copies of those under new conversation ids, shifted by a day each
     INSERT INTO kpi_bench.records
       SELECT k * $SUB + id, jsonb_set(raw, '{conversationId}', to_jsonb(md5((k * $SUB + id)::text)))
         FROM kpi_bench.records, generate_series(1, $N / $SUB - 1) k;
     ANALYZE kpi_bench.records;"
t_gen=$(( $(ms) - t0 ))
size=$(sql "SELECT pg_size_pretty(pg_total_relation_size('kpi_bench.records'))")
avg=$(sql "SELECT avg(pg_column_size(raw))::int FROM kpi_bench.records WHERE id <= 10000")
nseg=$(sql "SELECT round(avg((SELECT count(*) FROM gcanalytics.timeline_events(raw))), 1) FROM kpi_bench.records WHERE id <= 10000")

# the three versions agree on the subset
diff_n=$(sql "SELECT count(*) FROM kpi_bench.records r,
                gcanalytics.timeline(raw) c, kpi_bench.timeline_plpgsql(raw) p, kpi_bench.timeline_sql(raw) s
              WHERE id <= $SUB / 10 AND (
                    row(c.queue_wait_ms, c.talk_ms, c.customer_hold_ms, c.system_hold_ms, c.acw_ms, c.ivr_ms, c.alert_ms,
                        c.transfers, c.handle_ms, c.first_queue_id, c.last_agent_id, c.valid)
                    IS DISTINCT FROM
                    row(p.queue_wait_ms, p.talk_ms, p.customer_hold_ms, p.system_hold_ms, p.acw_ms, p.ivr_ms, p.alert_ms,
                        p.transfers, p.handle_ms, p.first_queue_id, p.last_agent_id, p.valid)
                 OR row(c.queue_wait_ms, c.talk_ms, c.customer_hold_ms, c.system_hold_ms, c.acw_ms, c.ivr_ms, c.alert_ms,
                        c.transfers, c.handle_ms, c.first_queue_id, c.last_agent_id, c.valid)
                    IS DISTINCT FROM row(s.*))")
n_invalid=$(sql "SELECT count(*) FROM kpi_bench.records, gcanalytics.timeline(raw) t WHERE id <= $SUB / 10 AND NOT t.valid")
n_open=$(sql "SELECT count(*) FROM kpi_bench.records WHERE id <= $SUB / 10 AND NOT raw ? 'conversationEnd'")
[ "$diff_n" = 0 ] || { echo "the three versions disagree on $diff_n records" >&2; exit 1; }

# warm the cache, then time each version (aggregating so that output
# costs nothing)
AGG="sum(t.handle_ms), sum(t.queue_wait_ms), count(*) FILTER (WHERE NOT t.valid), count(DISTINCT t.last_agent_id)"
sql "SELECT count(*), sum(length(raw::text)) FROM kpi_bench.records" >/dev/null
t_scan=$(timed "SELECT sum(pg_column_size(raw)) FROM kpi_bench.records")
t_c=$(timed "SELECT $AGG FROM kpi_bench.records, gcanalytics.timeline(raw) t")
t_c_sub=$(timed "SELECT $AGG FROM kpi_bench.records, gcanalytics.timeline(raw) t WHERE id <= $SUB")
t_p_sub=$(timed "SELECT $AGG FROM kpi_bench.records, kpi_bench.timeline_plpgsql(raw) t WHERE id <= $SUB")
t_s_sub=$(timed "SELECT $AGG FROM kpi_bench.records, kpi_bench.timeline_sql(raw) t WHERE id <= $SUB")
scale=$(awk -v n="$N" -v s="$SUB" 'BEGIN { printf "%g", n / s }')
t_p=$(awk -v t="$t_p_sub" -v k="$scale" 'BEGIN { printf "%d", t * k }')
t_s=$(awk -v t="$t_s_sub" -v k="$scale" 'BEGIN { printf "%d", t * k }')
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%d", n / (t / 1000.0) }'; }

echo "### Interaction timelines in C"
echo
echo "\`make bench TESTS=kpi_timeline\`; $(nproc) cores, parallel query off (one core per version);"
echo "$N generated records ($size, about $avg bytes and $nseg segments each, generated in $((t_gen / 1000)) s)."
echo "PL/pgSQL and SQL ran on the first $SUB records and are scaled by $scale; on $((SUB / 10)) records all"
echo "three give the same figures ($n_open of them in progress, $n_invalid flagged)."
echo
echo "| version | records | time | records/s | C is faster by |"
echo "|---|---:|---:|---:|---:|"
echo "| \`gcanalytics.timeline()\` (C) | $N | $t_c ms | $(rate "$N" "$t_c") | 1.0x |"
echo "| \`gcanalytics.timeline()\` (C), subset | $SUB | $t_c_sub ms | $(rate "$SUB" "$t_c_sub") | - |"
echo "| PL/pgSQL, same logic | $SUB (x$scale) | $t_p_sub ms ($t_p ms scaled) | $(rate "$SUB" "$t_p_sub") | $(ratio "$t_p" "$t_c")x |"
echo "| SQL with jsonb functions | $SUB (x$scale) | $t_s_sub ms ($t_s ms scaled) | $(rate "$SUB" "$t_s_sub") | $(ratio "$t_s" "$t_c")x |"
echo "| baseline: reading the jsonb only (\`sum(pg_column_size(raw))\`) | $N | $t_scan ms | $(rate "$N" "$t_scan") | - |"

sql "DROP SCHEMA kpi_bench CASCADE"
