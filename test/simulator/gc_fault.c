/*-------------------------------------------------------------------------
 *
 * gc_fault.c
 *		Faults in the middle of a read, for clients that must notice a
 *		short read (README.md, "Read faults"): empty or missing pages of
 *		the details query and of job results, windows whose first read is
 *		short, quality evaluations that vanished, and windows whose
 *		details reads always fail with one status.
 *
 * Unlike the request faults of main.c (a share of all requests, drawn
 * from the request sequence), these are tied to what is read: a page
 * number, a window, an evaluation id; so a test knows exactly which reads
 * are hit.  The reads already served are remembered (by a 64-bit key)
 * until POST /sim/reset.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/gc_fault.c
 *
 *-------------------------------------------------------------------------
 */
#include <json-c/json.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"

/* pages read once; the table starts over when full (a long run) */
#define READ_SLOTS 16384

static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t read_keys[READ_SLOTS];
static int	nread_keys;

/*
 * The short window's state: 0 nothing read yet, 1 the details query
 * short_key is being read short, 2 spent (every read is complete).
 */
static int	short_state;
static uint64_t short_key;

/* records key as read; true if it had been read before (mutex held) */
static bool
seen_before(uint64_t key)
{
	uint64_t	k = key ? key : 1;	/* 0 marks a free slot */
	size_t		i = (size_t) (k % READ_SLOTS);

	while (read_keys[i])
	{
		if (read_keys[i] == k)
			return true;
		i = (i + 1) % READ_SLOTS;
	}
	if (nread_keys >= READ_SLOTS * 3 / 4)
	{
		memset(read_keys, 0, sizeof(read_keys));
		nread_keys = 0;
		i = (size_t) (k % READ_SLOTS);
	}
	read_keys[i] = k;
	nread_keys++;
	return false;
}

GcPageFault
gc_page_fault(int page_number, uint64_t read_key)
{
	GcPageFault f = GC_PAGE_OK;
	bool		again;

	if (page_number == gc_config.fault_empty_page)
		f = GC_PAGE_EMPTY;
	else if (page_number == gc_config.fault_missing_page)
		f = GC_PAGE_MISSING;
	if (f == GC_PAGE_OK || !gc_config.fault_page_once)
		return f;
	pthread_mutex_lock(&fault_lock);
	again = seen_before(read_key);
	pthread_mutex_unlock(&fault_lock);
	return again ? GC_PAGE_OK : f;
}

bool
gc_short_read(int64_t start_ms, int64_t end_ms, uint64_t query_key, int page_number)
{
	bool		shrt = false;

	if (gc_config.short_share <= 0 ||
		end_ms <= gc_config.short_from_ms || start_ms >= gc_config.short_to_ms)
		return false;
	pthread_mutex_lock(&fault_lock);
	if (short_state == 0)
	{
		/* the first read overlapping the window */
		shrt = true;
		short_state = query_key ? 1 : 2;
		short_key = query_key;
	}
	else if (short_state == 1 && query_key == short_key && page_number > 1)
		shrt = true;			/* a later page of the same first read */
	else
		short_state = 2;
	pthread_mutex_unlock(&fault_lock);
	return shrt;
}

int
gc_window_status(const SimRequest *req)
{
	const char *label;
	json_object *body,
			   *v;
	int64_t		start_ms,
				end_ms;
	int			status = 0;

	if (gc_config.nstatus_windows == 0)
		return 0;
	label = gc_endpoint_label(req);
	if (!label || (strcmp(label, "gc.details.query") != 0 &&
				   strcmp(label, "gc.jobs.create") != 0))
		return 0;
	body = json_tokener_parse(req->body);
	if (body && json_object_is_type(body, json_type_object) &&
		json_object_object_get_ex(body, "interval", &v) &&
		gc_parse_interval(json_object_get_string(v), &start_ms, &end_ms) == 0)
	{
		for (int i = 0; i < gc_config.nstatus_windows && !status; i++)
			if (start_ms < gc_config.status_windows[i].to_ms &&
				end_ms > gc_config.status_windows[i].from_ms)
				status = gc_config.status_windows[i].status;
	}
	json_object_put(body);
	return status;
}

/* a uniform [0, 1) draw of the seed and a string, for choices by id */
static double
draw_by_id(const char *label, const char *id)
{
	SimRng		r = sim_rng_derive(sim_config.seed, label, sim_hash_str(id));

	return sim_rng_uniform(&r);
}

bool
gc_short_drops(const GcConversation *c)
{
	return c->start_ms >= gc_config.short_from_ms &&
		c->start_ms < gc_config.short_to_ms &&
		draw_by_id("short-window", c->id) < gc_config.short_share;
}

bool
gc_eval_gone(const char *evaluation_id)
{
	return gc_config.fault_eval_404 > 0 &&
		draw_by_id("eval-404", evaluation_id) < gc_config.fault_eval_404;
}

void
gc_faults_reset(void)
{
	pthread_mutex_lock(&fault_lock);
	memset(read_keys, 0, sizeof(read_keys));
	nread_keys = 0;
	short_state = 0;
	short_key = 0;
	pthread_mutex_unlock(&fault_lock);
}
