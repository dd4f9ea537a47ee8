/*-------------------------------------------------------------------------
 *
 * gc_render.c
 *		The JSON of a conversation detail record (AnalyticsConversation),
 *		rendered once per generated day and reused by every endpoint.
 *
 * The record is stored without participant attributes; the attributes
 * member of the first participant is stored apart with the offset where it
 * goes, so that job results (which carry attributes) and the synchronous
 * endpoints (which do not) share one rendering.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_render.c
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gc.h"

#define ORG_OUTBOUND_ANI "tel:+18005550150"
#define MESSAGING_DNIS	"tel:+18005550120"

const char *
gc_ani(const GcConversation *c, char *buf)
{
	if (!c->ani[0])
		return NULL;
	if (c->orig_dir)
		return ORG_OUTBOUND_ANI;
	snprintf(buf, 40, "tel:%s", c->ani);
	return buf;
}

const char *
gc_dnis(const GcConversation *c, char *buf)
{
	if (!c->ani[0])
		return NULL;
	if (c->orig_dir)
	{
		snprintf(buf, 40, "tel:%s", c->ani);
		return buf;
	}
	if (c->dnis_flow != GC_NONE)
		return gc_world.flows[c->dnis_flow].dnis;
	return c->media == MEDIA_MESSAGE ? MESSAGING_DNIS : "tel:+18005550100";
}

static void
render_flow(StrBuf *sb, const GcSession *se, const GcConversation *c, bool open)
{
	const GcFlow *f = &gc_world.flows[se->flow];
	bool		first = true;

	sb_puts(sb, ",\"flow\":{");
	sb_key(sb, "flowId", &first);
	sb_json_str(sb, f->id);
	sb_key(sb, "flowName", &first);
	sb_json_str(sb, f->name);
	sb_key(sb, "flowVersion", &first);
	sb_puts(sb, "\"3.0\"");
	sb_key(sb, "flowType", &first);
	sb_json_str(sb, f->bot ? (c->media == MEDIA_VOICE ? "BOT" : "DIGITALBOT") : f->flow_type);
	sb_key(sb, "entryType", &first);
	sb_json_str(sb, f->bot ? "flow" : "dnis");
	if (!open)
	{
		sb_key(sb, "exitReason", &first);
		sb_json_str(sb, se->exit_queue != GC_NONE ? "TRANSFER" : "DISCONNECT");
		if (se->exit_queue != GC_NONE)
		{
			sb_key(sb, "transferType", &first);
			sb_puts(sb, "\"ACD\"");
			sb_key(sb, "transferTargetName", &first);
			sb_json_str(sb, gc_world.queues[se->exit_queue].name);
			sb_key(sb, "transferTargetAddress", &first);
			sb_json_str(sb, gc_world.queues[se->exit_queue].id);
		}
	}
	sb_putc(sb, '}');
}

static void
render_session(StrBuf *sb, const GcDay *d, const GcConversation *c,
			   const GcParticipant *pa, int sidx)
{
	const GcSession *se = &d->sess[pa->first_sess];
	char		id[40];
	bool		first = true;
	bool		open = false;

	gc_sess_id(c, sidx, id);
	sb_putc(sb, '{');
	sb_key(sb, "sessionId", &first);
	sb_json_str(sb, id);
	sb_key(sb, "mediaType", &first);
	sb_json_str(sb, gc_media_names[se->media]);
	sb_key(sb, "direction", &first);
	sb_json_str(sb, se->direction ? "outbound" : "inbound");
	if (c->ani[0])
	{
		sb_key(sb, "ani", &first);
		sb_json_str(sb, gc_ani(c, id));
		sb_key(sb, "dnis", &first);
		sb_json_str(sb, gc_dnis(c, id));
	}
	if (pa->purpose == PURPOSE_ACD)
	{
		sb_key(sb, "requestedRoutings", &first);
		sb_puts(sb, "[\"Standard\"]");
		sb_key(sb, "usedRouting", &first);
		sb_puts(sb, "\"Standard\"");
	}
	for (int s = 0; s < se->nseg; s++)
		open |= d->seg[se->first_seg + s].end_ms == GC_OPEN;
	if (se->flow != GC_NONE)
		render_flow(sb, se, c, open);
	if (se->nmetric > 0)
	{
		sb_puts(sb, ",\"metrics\":[");
		for (int m = 0; m < se->nmetric; m++)
		{
			const GcMetricVal *mv = &d->met[se->first_metric + m];

			sb_puts(sb, m ? ",{\"name\":\"" : "{\"name\":\"");
			sb_puts(sb, gc_metric_names[mv->metric]);
			sb_puts(sb, "\",\"value\":");
			sb_int(sb, mv->value);
			sb_puts(sb, ",\"emitDate\":");
			sb_json_ts(sb, mv->emit_ms);
			sb_putc(sb, '}');
		}
		sb_putc(sb, ']');
	}
	sb_puts(sb, ",\"segments\":[");
	for (int s = 0; s < se->nseg; s++)
	{
		const GcSegment *sg = &d->seg[se->first_seg + s];

		sb_puts(sb, s ? ",{\"segmentStart\":" : "{\"segmentStart\":");
		sb_json_ts(sb, sg->start_ms);
		if (sg->end_ms != GC_OPEN)
		{
			sb_puts(sb, ",\"segmentEnd\":");
			sb_json_ts(sb, sg->end_ms);
		}
		sb_puts(sb, ",\"segmentType\":\"");
		sb_puts(sb, gc_segtype_names[sg->type]);
		sb_putc(sb, '"');
		if (sg->queue != GC_NONE)
		{
			sb_puts(sb, ",\"queueId\":");
			sb_json_str(sb, gc_world.queues[sg->queue].id);
		}
		if (sg->wrapup != GC_NONE)
		{
			sb_puts(sb, ",\"wrapUpCode\":");
			sb_json_str(sb, gc_wrapup_id(sg->wrapup));
		}
		if (sg->disconnect != DISC_NONE)
		{
			sb_puts(sb, ",\"disconnectType\":");
			sb_json_str(sb, gc_disconnect_names[sg->disconnect]);
		}
		sb_puts(sb, ",\"conference\":false}");
	}
	sb_puts(sb, "]}");
}

static const char *
participant_name(const GcParticipant *pa, const GcDay *d, const GcConversation *c,
				 char *buf)
{
	switch (pa->purpose)
	{
		case PURPOSE_AGENT:
			return gc_world.users[pa->user].name;
		case PURPOSE_ACD:
			return gc_world.queues[pa->queue].name;
		case PURPOSE_IVR:
		case PURPOSE_BOTFLOW:
			return gc_world.flows[d->sess[pa->first_sess].flow].name;
		default:
			if (c->account != GC_NONE)
				return sf_world.accounts[c->account].name;
			if (c->ani[0])
			{
				snprintf(buf, 32, "Mobile %s", c->ani + 2);
				return buf;
			}
			return "Web Visitor";
	}
}

static void
render_evaluation(StrBuf *sb, const GcEvaluation *e)
{
	const GcForm *f = &gc_world.forms[e->form];

	sb_puts(sb, "{\"evaluationId\":");
	sb_json_str(sb, e->id);
	sb_puts(sb, ",\"evaluatorId\":");
	sb_json_str(sb, gc_world.users[e->evaluator].id);
	sb_puts(sb, ",\"userId\":");
	sb_json_str(sb, gc_world.users[e->agent].id);
	if (e->queue != GC_NONE)
	{
		sb_puts(sb, ",\"queueId\":");
		sb_json_str(sb, gc_world.queues[e->queue].id);
	}
	sb_puts(sb, ",\"formId\":");
	sb_json_str(sb, f->id);
	sb_puts(sb, ",\"formName\":");
	sb_json_str(sb, f->name);
	sb_puts(sb, ",\"contextId\":");
	sb_json_str(sb, f->context_id);
	sb_puts(sb, ",\"eventTime\":");
	sb_json_ts(sb, e->changed_ms);
	sb_puts(sb, ",\"evaluationStatus\":");
	sb_json_str(sb, gc_eval_status_names[e->status]);
	if (e->calibration)
	{
		sb_puts(sb, ",\"calibrationId\":");
		sb_json_str(sb, e->calibration_id);
	}
	sb_printf(sb, ",\"oTotalScore\":%d,\"oTotalCriticalScore\":%d",
			  (int) lround(e->total_score), (int) lround(e->critical_score));
	sb_printf(sb, ",\"released\":%s,\"rescored\":false,\"deleted\":false,"
			  "\"systemSubmitted\":false,\"assigneeApplicable\":false}",
			  e->released_ms ? "true" : "false");
}

/* an AnalyticsSurvey: its score members only once it is finished */
static void
render_survey(StrBuf *sb, const GcSurvey *s)
{
	const GcForm *f = &gc_world.survey_forms[s->form];

	sb_puts(sb, "{\"surveyId\":");
	sb_json_str(sb, s->id);
	sb_puts(sb, ",\"surveyFormId\":");
	sb_json_str(sb, f->id);
	sb_puts(sb, ",\"surveyFormName\":");
	sb_json_str(sb, f->name);
	sb_puts(sb, ",\"surveyFormContextId\":");
	sb_json_str(sb, f->context_id);
	sb_puts(sb, ",\"eventTime\":");
	sb_json_ts(sb, s->event_ms);
	sb_puts(sb, ",\"userId\":");
	sb_json_str(sb, gc_world.users[s->agent].id);
	sb_puts(sb, ",\"queueId\":");
	sb_json_str(sb, gc_world.queues[s->queue].id);
	sb_puts(sb, ",\"surveyStatus\":");
	sb_json_str(sb, gc_survey_status_names[s->status]);
	if (s->status == SURVEY_FINISHED)
	{
		sb_printf(sb, ",\"surveyPromoterScore\":%d", s->promoter);
		sb_puts(sb, ",\"surveyCompletedDate\":");
		sb_json_ts(sb, s->completed_ms);
		sb_printf(sb, ",\"oSurveyTotalScore\":%d", s->total);
	}
	sb_putc(sb, '}');
}

void
gc_render_conversation(GcDay *d, GcConversation *c, StrBuf *json, StrBuf *attrs)
{
	StrBuf	   *sb = json;
	char		buf[40];

	c->json_off = sb->len;
	sb_puts(sb, "{\"conversationId\":\"");
	sb_puts(sb, c->id);
	sb_puts(sb, "\",\"conversationStart\":");
	sb_json_ts(sb, c->start_ms);
	if (c->end_ms != GC_OPEN)
	{
		sb_puts(sb, ",\"conversationEnd\":");
		sb_json_ts(sb, c->end_ms);
	}
	sb_puts(sb, ",\"originatingDirection\":");
	sb_puts(sb, c->orig_dir ? "\"outbound\"" : "\"inbound\"");
	sb_puts(sb, ",\"divisionIds\":[");
	sb_json_str(sb, gc_world.divisions[c->division].id);
	sb_puts(sb, "],\"conversationInitiator\":");
	sb_puts(sb, c->orig_dir ? "\"agent\"" : "\"customer\"");
	sb_puts(sb, ",\"customerParticipation\":true");
	if (c->media == MEDIA_VOICE && c->end_ms != GC_OPEN)
		sb_printf(sb, ",\"mediaStatsMinConversationMos\":%.2f",
				  4.0 + (double) (c->id_seed % 45) / 50.0);
	sb_puts(sb, ",\"participants\":[");
	for (int p = 0; p < c->npart; p++)
	{
		const GcParticipant *pa = &d->part[c->first_part + p];

		if (p)
			sb_putc(sb, ',');
		sb_putc(sb, '{');
		if (p == 0)
			c->attr_at = (uint32_t) (sb->len - c->json_off);
		gc_part_id(c, p, buf);
		sb_puts(sb, "\"participantId\":");
		sb_json_str(sb, buf);
		sb_puts(sb, ",\"participantName\":");
		sb_json_str(sb, participant_name(pa, d, c, buf));
		sb_puts(sb, ",\"purpose\":\"");
		sb_puts(sb, gc_purpose_names[pa->purpose]);
		sb_putc(sb, '"');
		if (pa->user != GC_NONE)
		{
			sb_puts(sb, ",\"userId\":");
			sb_json_str(sb, gc_world.users[pa->user].id);
		}
		sb_puts(sb, ",\"sessions\":[");
		render_session(sb, d, c, pa, (int) (pa->first_sess - d->part[c->first_part].first_sess));
		sb_puts(sb, "]}");
	}
	sb_putc(sb, ']');
	if (c->neval > 0)
	{
		sb_puts(sb, ",\"evaluations\":[");
		for (int e = 0; e < c->neval; e++)
		{
			if (e)
				sb_putc(sb, ',');
			render_evaluation(sb, &d->eval[c->first_eval + e]);
		}
		sb_putc(sb, ']');
	}
	if (c->survey.status != SURVEY_NONE)
	{
		sb_puts(sb, ",\"surveys\":[");
		render_survey(sb, &c->survey);
		sb_putc(sb, ']');
	}
	sb_putc(sb, '}');
	c->json_len = (uint32_t) (sb->len - c->json_off);

	/* participant data of the first participant */
	c->attr_off = (uint32_t) attrs->len;
	sb_puts(attrs, "\"attributes\":{");
	if (c->account != GC_NONE)
	{
		sb_puts(attrs, "\"sfAccountId\":");
		sb_json_str(attrs, sf_world.accounts[c->account].id);
		sb_putc(attrs, ',');
	}
	if (c->sf_case != GC_NONE)
	{
		sb_puts(attrs, "\"sfCaseId\":");
		sb_json_str(attrs, sf_case_id(c->sf_case));
		sb_putc(attrs, ',');
	}
	sb_printf(attrs, "\"escalated\":\"%s\",\"botHandled\":\"%s\",\"productVersion\":\"%s\"},",
			  c->escalated ? "true" : "false", c->bot_handled ? "true" : "false",
			  gc_world.releases[c->product_release].version);
	c->attr_len = (uint32_t) (attrs->len - c->attr_off);
}

void
gc_append_conversation(StrBuf *sb, const GcDay *d, const GcConversation *c,
					   bool attributes)
{
	const char *j = d->json + c->json_off;

	if (!attributes)
	{
		sb_append(sb, j, c->json_len);
		return;
	}
	sb_reserve(sb, c->json_len + c->attr_len);
	sb_append(sb, j, c->attr_at);
	sb_append(sb, d->attrs + c->attr_off, c->attr_len);
	sb_append(sb, j + c->attr_at, c->json_len - c->attr_at);
}
