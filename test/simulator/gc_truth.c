/*-------------------------------------------------------------------------
 *
 * gc_truth.c
 *		`gcsim truth`: what a correct client must find, as CSV files.
 *
 * Everything here is recomputed from the generated segments, never copied
 * from the metrics the API emits, so that a disagreement between metrics
 * and segments shows up when a test compares the API with the truth.
 * A session's metrics count once the session is complete (all of its
 * segments ended by --now), as the generator emits them.
 *
 *	conversations.csv	one row per conversation that started in [from, to)
 *	segments.csv		one row per segment of those conversations
 *	evaluations.csv		one row per evaluation of those conversations
 *	surveys.csv		one row per survey of those conversations, as of --now
 *	adherence.csv	one row per agent and scheduled day that is over by --now
 *	evaluations_gone.csv	with --fault-eval-404 only: the evaluations whose
 *						quality GET answers 404
 *	queue_daily.csv		per UTC date in [from, to), queue and media type
 *
 * CSV: a header line, commas, RFC 4180 quoting, empty = NULL, booleans
 * true/false, timestamps ISO-8601 UTC with ms and Z.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_truth.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"

/* what the segments of one session say */
typedef struct SessionTruth
{
	bool		complete;		/* every segment ended */
	int64_t		first_start;
	int64_t		last_end;
	int64_t		total;			/* sum of segment durations */
	int64_t		talk;			/* interact */
	int64_t		held;			/* hold */
	int64_t		acw;			/* wrapup */
	int64_t		alert;			/* closed alert segments */
	int			queue;			/* first segment queue */
	int			wrapup;			/* last wrap-up code */
	GcDisconnect disconnect;	/* of the last segment */
} SessionTruth;

static void
session_truth(const GcDay *d, const GcSession *se, SessionTruth *st)
{
	memset(st, 0, sizeof(*st));
	st->complete = true;
	st->queue = GC_NONE;
	st->wrapup = GC_NONE;
	for (int s = 0; s < se->nseg; s++)
	{
		const GcSegment *sg = &d->seg[se->first_seg + s];
		int64_t		dur;

		if (s == 0)
			st->first_start = sg->start_ms;
		if (st->queue == GC_NONE)
			st->queue = sg->queue;
		if (sg->wrapup != GC_NONE)
			st->wrapup = sg->wrapup;
		st->disconnect = (GcDisconnect) sg->disconnect;
		if (sg->end_ms == GC_OPEN)
		{
			st->complete = false;
			continue;
		}
		dur = sg->end_ms - sg->start_ms;
		st->last_end = sg->end_ms;
		st->total += dur;
		if (sg->type == SEG_INTERACT)
			st->talk += dur;
		else if (sg->type == SEG_HOLD)
			st->held += dur;
		else if (sg->type == SEG_WRAPUP)
			st->acw += dur;
		else if (sg->type == SEG_ALERT)
			st->alert += dur;
	}
}

/* a Genesys timestamp ("...Z", put2-fast); GC_OPEN is an empty field */
static void
csv_ts(FILE *f, int64_t ms, bool last)
{
	char		buf[32];

	if (ms == GC_OPEN)
	{
		sim_csv_field(f, NULL, last);
		return;
	}
	sim_format_ts(buf, ms);
	sim_csv_field(f, buf, last);
}

static const char *
queue_id(int q)
{
	return q == GC_NONE ? NULL : gc_world.queues[q].id;
}

/* conversation-level facts shared by the CSV rows */
typedef struct ConvFacts
{
	bool		has_agent;
	bool		has_acd;
	bool		has_bot;
	bool		abandoned;
} ConvFacts;

static void
conv_facts(const GcDay *d, const GcConversation *c, ConvFacts *cf)
{
	memset(cf, 0, sizeof(*cf));
	for (int p = 0; p < c->npart; p++)
	{
		int			purpose = d->part[c->first_part + p].purpose;

		cf->has_agent |= purpose == PURPOSE_AGENT;
		cf->has_acd |= purpose == PURPOSE_ACD;
		cf->has_bot |= purpose == PURPOSE_BOTFLOW;
	}
	cf->abandoned = c->end_ms != GC_OPEN && cf->has_acd && !cf->has_agent;
}

static void
write_conversation(FILE *f, const GcDay *d, const GcConversation *c)
{
	int64_t		talk = 0,
				held = 0,
				acw = 0,
				handle = 0,
				acd = 0,
				ivr = 0,
				alert = 0;
	int			transfers = 0;
	int			first_queue = GC_NONE;
	int64_t		first_queue_start = INT64_MAX;
	int			wrapup = GC_NONE;
	int64_t		wrapup_start = INT64_MIN;
	int			best_user = GC_NONE;
	int64_t		best_talk = -1;
	int64_t		user_talk[128] = {0};
	char		abuf[40];
	const char *ani = gc_ani(c, abuf);
	int			phone_acct = ani && strncmp(ani, "tel:", 4) == 0 ?
		gc_phone_account(ani + 4) : GC_NONE;
	int			tier_acct = c->account != GC_NONE ? c->account : phone_acct;
	ConvFacts	cf;

	conv_facts(d, c, &cf);
	for (int p = 0; p < c->npart; p++)
	{
		const GcParticipant *pa = &d->part[c->first_part + p];

		for (int s = 0; s < pa->nsess; s++)
		{
			const GcSession *se = &d->sess[pa->first_sess + s];
			SessionTruth st;

			session_truth(d, se, &st);
			for (int g = 0; g < se->nseg; g++)
			{
				const GcSegment *sg = &d->seg[se->first_seg + g];

				if (sg->queue != GC_NONE && sg->start_ms < first_queue_start)
				{
					first_queue = sg->queue;
					first_queue_start = sg->start_ms;
				}
				if (pa->purpose == PURPOSE_AGENT && sg->wrapup != GC_NONE &&
					sg->start_ms >= wrapup_start)
				{
					wrapup = sg->wrapup;
					wrapup_start = sg->start_ms;
				}
				if (pa->purpose == PURPOSE_AGENT && sg->type == SEG_INTERACT &&
					sg->end_ms != GC_OPEN && pa->user >= 0 && pa->user < 128)
					user_talk[pa->user] += sg->end_ms - sg->start_ms;
			}
			if (pa->purpose == PURPOSE_AGENT)
			{
				alert += st.alert;
				if (st.complete)
				{
					talk += st.talk;
					held += st.held;
					acw += st.acw;
					handle += st.talk + st.held + st.acw;
					if (st.disconnect == DISC_TRANSFER || st.disconnect == DISC_CONSULT_TRANSFER)
						transfers++;
				}
			}
			else if (pa->purpose == PURPOSE_ACD && st.complete)
				acd += st.total;
			else if (pa->purpose == PURPOSE_IVR && st.complete)
				ivr += st.total;
		}
	}
	for (int p = 0; p < c->npart; p++)
	{
		const GcParticipant *pa = &d->part[c->first_part + p];

		if (pa->purpose == PURPOSE_AGENT && pa->user >= 0 && pa->user < 128 &&
			user_talk[pa->user] > best_talk)
		{
			best_talk = user_talk[pa->user];
			best_user = pa->user;
		}
	}

	sim_csv_field(f, c->id, false);
	csv_ts(f, c->start_ms, false);
	csv_ts(f, c->end_ms, false);
	sim_csv_field(f, gc_media_names[c->media], false);
	sim_csv_field(f, c->orig_dir ? "outbound" : "inbound", false);
	sim_csv_field(f, queue_id(first_queue), false);
	sim_csv_field(f, best_user == GC_NONE ? NULL : gc_world.users[best_user].id, false);
	sim_csv_field(f, gc_wrapup_id(wrapup), false);
	sim_csv_field(f, ani, false);
	sim_csv_int(f, talk, false);
	sim_csv_int(f, held, false);
	sim_csv_int(f, acw, false);
	sim_csv_int(f, handle, false);
	sim_csv_int(f, acd, false);
	sim_csv_int(f, ivr, false);
	sim_csv_int(f, alert, false);
	sim_csv_int(f, transfers, false);
	sim_csv_field(f, cf.abandoned ? "true" : "false", false);
	sim_csv_field(f, c->escalated ? "true" : "false", false);
	sim_csv_field(f, c->end_ms != GC_OPEN && cf.has_bot && !cf.has_agent && !cf.has_acd ?
			  "true" : "false", false);
	sim_csv_field(f, c->account != GC_NONE ? sf_world.accounts[c->account].id : NULL, false);
	sim_csv_field(f, phone_acct != GC_NONE ? sf_world.accounts[phone_acct].id : NULL, false);
	sim_csv_field(f, tier_acct != GC_NONE ? sf_tier_name(sf_world.accounts[tier_acct].tier) : NULL,
			  false);
	sim_csv_int(f, c->neval, false);
	sim_csv_field(f, c->sf_case == GC_NONE ? NULL : sf_case_id(c->sf_case), true);
}

static void
write_segments(FILE *f, const GcDay *d, const GcConversation *c)
{
	int			sidx = 0;

	for (int p = 0; p < c->npart; p++)
	{
		const GcParticipant *pa = &d->part[c->first_part + p];
		char		pid[40];

		gc_part_id(c, p, pid);
		for (int s = 0; s < pa->nsess; s++, sidx++)
		{
			const GcSession *se = &d->sess[pa->first_sess + s];
			char		sid[40];

			gc_sess_id(c, sidx, sid);
			for (int g = 0; g < se->nseg; g++)
			{
				const GcSegment *sg = &d->seg[se->first_seg + g];

				sim_csv_field(f, c->id, false);
				sim_csv_field(f, pid, false);
				sim_csv_field(f, gc_purpose_names[pa->purpose], false);
				sim_csv_field(f, pa->user == GC_NONE ? NULL : gc_world.users[pa->user].id, false);
				sim_csv_field(f, sid, false);
				sim_csv_field(f, gc_media_names[se->media], false);
				sim_csv_field(f, gc_segtype_names[sg->type], false);
				csv_ts(f, sg->start_ms, false);
				csv_ts(f, sg->end_ms, false);
				sim_csv_field(f, queue_id(sg->queue), false);
				sim_csv_field(f, gc_wrapup_id(sg->wrapup), true);
			}
		}
	}
}

/* fg, when not NULL, gets the evaluations the quality API denies */
static void
write_evaluations(FILE *f, FILE *fg, const GcDay *d, const GcConversation *c)
{
	for (int e = 0; e < c->neval; e++)
	{
		const GcEvaluation *ev = &d->eval[c->first_eval + e];

		if (fg && gc_eval_gone(ev->id))
		{
			sim_csv_field(fg, ev->id, false);
			sim_csv_field(fg, c->id, true);
		}

		sim_csv_field(f, ev->id, false);
		sim_csv_field(f, c->id, false);
		sim_csv_field(f, gc_world.users[ev->agent].id, false);
		sim_csv_field(f, gc_world.users[ev->evaluator].id, false);
		sim_csv_field(f, gc_world.forms[ev->form].id, false);
		fprintf(f, "%.2f,", ev->total_score);
		sim_csv_field(f, ev->calibration ? "true" : "false", false);
		sim_csv_field(f, ev->calibration ? ev->calibration_id : NULL, false);
		sim_csv_field(f, gc_eval_status_quality[ev->status], true);
	}
}

static void
write_survey(FILE *f, const GcConversation *c)
{
	const GcSurvey *s = &c->survey;
	bool		done = s->status == SURVEY_FINISHED;

	if (s->status == SURVEY_NONE)
		return;
	sim_csv_field(f, s->id, false);
	sim_csv_field(f, c->id, false);
	sim_csv_field(f, gc_world.survey_forms[s->form].id, false);
	sim_csv_field(f, gc_world.users[s->agent].id, false);
	sim_csv_field(f, gc_world.queues[s->queue].id, false);
	sim_csv_field(f, gc_survey_status_names[s->status], false);
	csv_ts(f, s->event_ms, false);
	csv_ts(f, s->completed_ms, false);
	if (done)
		fprintf(f, "%d,%d\n", s->promoter, s->total);
	else
		fputs(",\n", f);
}

/* queue_daily accumulators: [day offset][queue][media] */
typedef struct QueueDay
{
	int64_t		n_offered;
	int64_t		n_abandoned;
	int64_t		t_handle_sum;
	int64_t		t_handle_count;
	int64_t		t_talk_sum;
	int64_t		t_acd_sum;
	bool		any;
} QueueDay;

static QueueDay *
qd_cell(QueueDay *qd, int64_t ndays, int64_t first_day, int64_t ms, int queue, int media)
{
	int64_t		day = ms / MS_PER_DAY - first_day;

	if (queue == GC_NONE || day < 0 || day >= ndays)
		return NULL;
	qd = &qd[(day * gc_world.nqueues + queue) * NUM_MEDIA + media];
	qd->any = true;
	return qd;
}

static void
accumulate_queue_daily(QueueDay *qd, int64_t ndays, int64_t first_day, const GcDay *d,
					   const GcConversation *c)
{
	ConvFacts	cf;

	conv_facts(d, c, &cf);
	for (int p = 0; p < c->npart; p++)
	{
		const GcParticipant *pa = &d->part[c->first_part + p];
		const GcSession *se = &d->sess[pa->first_sess];
		SessionTruth st;
		QueueDay   *cell;

		session_truth(d, se, &st);
		if (pa->purpose == PURPOSE_ACD)
		{
			if ((cell = qd_cell(qd, ndays, first_day, st.first_start, pa->queue, se->media)))
				cell->n_offered++;
			if (st.complete &&
				(cell = qd_cell(qd, ndays, first_day, st.last_end, pa->queue, se->media)))
			{
				cell->t_acd_sum += st.total;
				if (cf.abandoned)
					cell->n_abandoned++;
			}
		}
		else if (pa->purpose == PURPOSE_AGENT && st.complete &&
				 (cell = qd_cell(qd, ndays, first_day, st.last_end, st.queue, se->media)))
		{
			cell->t_handle_sum += st.talk + st.held + st.acw;
			cell->t_handle_count++;
			cell->t_talk_sum += st.talk;
		}
	}
}

static FILE *
open_csv(const char *dir, const char *name, const char *header)
{
	char		path[4096];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f)
		fprintf(f, "%s\n", header);
	else
		perror(path);
	return f;
}

/*
 * adherence.csv: each agent's scheduled day (HistoricalAdherenceDayMetrics
 * in seconds) of the days of gc_truth_time_zone (UTC unless --time-zone)
 * from the one of from_ms to the one of to_ms - 1: the shifts starting in
 * the day whose UTC day is over by --now
 */
const char *gc_truth_time_zone = "UTC";

static int
write_adherence(const char *dir, int64_t from_ms, int64_t to_ms)
{
	FILE	   *f = open_csv(dir, "adherence.csv",
							 "management_unit_id,user_id,date,schedule_length_s,"
							 "adherence_schedule_s,conformance_schedule_s,conformance_actual_s,"
							 "exception_count,exception_duration_s,impact_s,actual_length_s");
	const char *tz = gc_truth_time_zone;

	if (!f)
		return -1;
	for (int k = 0;; k++)
	{
		int64_t		a = gc_local_midnight(tz, from_ms, k);
		int64_t		b = gc_local_midnight(tz, from_ms, k + 1);
		char		date[32];

		if (a >= to_ms)
			break;
		sim_format_date(date, gc_local_date(tz, a) * MS_PER_DAY);
		for (int u = 0; u < gc_world.nusers; u++)
		{
			GcWfmDay	d;

			if (!gc_wfm_span(u, a, b, &d))
				continue;
			fprintf(f, "%s,%s,%s,%d,%d,%d,%d,%d,%d,%d,%d\n", gc_wfm_mu_id(gc_wfm_mu_of(u)),
					gc_world.users[u].id, date, d.schedule_length_s, d.adherence_schedule_s,
					d.conformance_schedule_s, d.conformance_actual_s, d.nexceptions,
					d.exception_duration_s, d.impact_s, d.actual_length_s);
		}
	}
	return fclose(f) ? -1 : 0;
}

int
gc_write_truth(const char *dir, int64_t from_ms, int64_t to_ms)
{
	int64_t		first_day = from_ms / MS_PER_DAY;
	int64_t		last_day = (to_ms - 1) / MS_PER_DAY;
	int64_t		ndays = last_day - first_day + 1;
	int64_t		now_day = sim_config.now_ms / MS_PER_DAY;
	QueueDay   *qd = calloc((size_t) (ndays * gc_world.nqueues * NUM_MEDIA), sizeof(QueueDay));
	FILE	   *fc = open_csv(dir, "conversations.csv",
							  "conversation_id,conversation_start,conversation_end,media_type,"
							  "originating_direction,queue_id,agent_id,wrapup_code,ani,talk_ms,"
							  "held_ms,acw_ms,handle_ms,acd_ms,ivr_ms,alert_ms,transfers,"
							  "abandoned,escalated,bot_only,account_id,phone_account_id,tier,"
							  "n_evaluations,case_id");
	FILE	   *fs = open_csv(dir, "segments.csv",
							  "conversation_id,participant_id,purpose,user_id,session_id,"
							  "media_type,segment_type,segment_start,segment_end,queue_id,"
							  "wrapup_code");
	FILE	   *fe = open_csv(dir, "evaluations.csv",
							  "evaluation_id,conversation_id,agent_id,evaluator_id,form_id,"
							  "total_score,is_calibration,calibration_id,status");
	FILE	   *fq = open_csv(dir, "queue_daily.csv",
							  "date,queue_id,media_type,n_offered,n_abandoned,t_handle_sum,"
							  "t_handle_count,t_talk_sum,t_acd_sum");
	FILE	   *fv = open_csv(dir, "surveys.csv",
							  "survey_id,conversation_id,form_id,agent_id,queue_id,status,"
							  "event_time,completed,promoter_score,total_score");
	FILE	   *fg = gc_config.fault_eval_404 <= 0 ? NULL :
		open_csv(dir, "evaluations_gone.csv", "evaluation_id,conversation_id");
	int			rc = 0;

	if (!qd || !fc || !fs || !fe || !fq || !fv || (gc_config.fault_eval_404 > 0 && !fg))
		return -1;
	/* the day before: its conversations may end (and count) on day one */
	for (int64_t day = first_day - 1; day <= last_day && day <= now_day; day++)
	{
		GcDay	   *d;

		if (day < 0)
			continue;
		d = gc_day_generate(day);
		for (int i = 0; i < d->nconv; i++)
		{
			const GcConversation *c = &d->conv[i];

			accumulate_queue_daily(qd, ndays, first_day, d, c);
			if (c->start_ms < from_ms || c->start_ms >= to_ms)
				continue;
			write_conversation(fc, d, c);
			write_segments(fs, d, c);
			write_evaluations(fe, fg, d, c);
			write_survey(fv, c);
		}
		gc_day_free(d);
	}
	for (int64_t day = 0; day < ndays; day++)
	{
		char		date[32];

		sim_format_date(date, (first_day + day) * MS_PER_DAY);
		for (int q = 0; q < gc_world.nqueues; q++)
			for (int m = 0; m < NUM_MEDIA; m++)
			{
				QueueDay   *cell = &qd[(day * gc_world.nqueues + q) * NUM_MEDIA + m];

				if (!cell->any)
					continue;
				fprintf(fq, "%s,%s,%s,%lld,%lld,%lld,%lld,%lld,%lld\n", date,
						gc_world.queues[q].id, gc_media_names[m],
						(long long) cell->n_offered, (long long) cell->n_abandoned,
						(long long) cell->t_handle_sum, (long long) cell->t_handle_count,
						(long long) cell->t_talk_sum, (long long) cell->t_acd_sum);
			}
	}
	free(qd);
	if (fclose(fc) || fclose(fs) || fclose(fe) || fclose(fq) || fclose(fv) || (fg && fclose(fg)))
		rc = -1;
	if (write_adherence(dir, from_ms, to_ms) != 0)
		rc = -1;
	return rc;
}
