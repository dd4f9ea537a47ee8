/*-------------------------------------------------------------------------
 *
 * jsonc_parse.c
 *		Benchmark baseline: how fast json-c alone parses detail pages.
 *
 * Reads files named on the command line, each one details-query page,
 * parses each with json_tokener_parse and walks every conversation's
 * participants, sessions, metrics and segments (as the FDW must), then
 * prints "conversations seconds".
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/bench/jsonc_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

static char *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;

	if (!f)
	{
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(*len + 1);
	if (fread(buf, 1, *len, f) != *len)
		exit(1);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* touches every node, so the walk is not optimised away */
static long
walk(json_object *o)
{
	long		n = 1;

	if (json_object_is_type(o, json_type_object))
	{
		json_object_object_foreach(o, k, v)
		{
			(void) k;
			if (v)
				n += walk(v);
		}
	}
	else if (json_object_is_type(o, json_type_array))
	{
		for (size_t i = 0; i < json_object_array_length(o); i++)
			n += walk(json_object_array_get_idx(o, i));
	}
	return n;
}

int
main(int argc, char **argv)
{
	int			rounds = atoi(argv[1]);
	long		conversations = 0,
				nodes = 0;
	struct timespec t0,
				t1;
	char	  **bufs = calloc(argc, sizeof(char *));

	for (int i = 2; i < argc; i++)
	{
		size_t		len;

		bufs[i] = slurp(argv[i], &len);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = 0; r < rounds; r++)
		for (int i = 2; i < argc; i++)
		{
			json_object *root = json_tokener_parse(bufs[i]);
			json_object *convs;

			if (root && json_object_object_get_ex(root, "conversations", &convs))
			{
				conversations += json_object_array_length(convs);
				nodes += walk(convs);
			}
			json_object_put(root);
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%ld %.6f %ld\n", conversations,
		   (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, nodes);
	return 0;
}
