/*-------------------------------------------------------------------------
 *
 * sf_world.c
 *		The generated CRM world: Users, Accounts, Cases and Opportunities,
 *		deterministic in sim_config.seed, and the truth file accounts.csv.
 *
 * Every account draws from its own stream (sim_rng_derive(seed,
 * "sf.account", i)), and so do its cases and opportunities, so that one
 * account's data never depends on how many others exist.  Cases and
 * opportunities get their ids in CreatedDate order once all are drawn.
 *
 * Copyright (c) 2026, gcanalytics developers
 *
 * IDENTIFICATION
 *		test/simulator/sf_world.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sf.h"

SfWorld		sf_world;
static SfWorldPriv world_priv;

#define MS_PER_YEAR (365 * MS_PER_DAY)

static const char *const name_heads[] = {
	"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka",
	"Tyrell", "Cyberdyne", "Soylent", "Hooli", "Vandelay", "Pied Piper",
	"Dunder Mifflin", "Sterling Cooper", "Oceanic", "Aperture", "Black Mesa",
	"Monarch", "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware",
	"Adventure Works", "Blue Yonder", "Proseware", "Woodgrove", "O'Neil",
	"D'Angelo", "Zenith", "Nimbus", "Halcyon", "Vertex", "Summit", "Keystone",
	"Pinnacle", "Redwood", "Silverline", "Kowalski & Nowak"
};
static const char *const name_mids[] = {
	"Systems", "Health", "Capital", "Retail", "Industries", "Learning", "Labs",
	"Logistics", "Foods", "Energy", "Partners", "Software", "Medical", "Bank",
	"Motors", "Analytics"
};
static const char *const name_tails[] = {
	"Inc.", "LLC", "Corp.", "Ltd.", "GmbH", "Group", "& Co.", ""
};
static const char *const first_names[] = {
	"Ann", "Bob", "Carla", "Deepak", "Elena", "Farid", "Grace", "Hiro",
	"Ines", "Jamal", "Kerstin", "Luis", "Mei", "Noah", "Olga", "Priya",
	"Quinn", "Rosa", "Sven", "Tariq", "Uma", "Victor", "Wen", "Yusuf", "Zoe"
};
static const char *const last_names[] = {
	"Lee", "Garcia", "Smith", "Nguyen", "O'Connor", "Müller", "Kowalski",
	"Patel", "Okafor", "Johansson", "Rossi", "Tanaka", "Silva", "Cohen",
	"Dubois", "Novak", "Hughes", "Kim", "Larsen", "Moreau"
};
static const char *const titles[] = {
	"Account Executive", "Senior Account Executive", "Customer Success Manager",
	"Sales Director", "Key Account Manager"
};
static const char *const subjects[] = {
	"Cannot log in to the portal", "Invoice amount incorrect",
	"Agent desktop freezes", "Request for API access",
	"Password reset not received", "Call recordings missing",
	"Integration sync failing", "Billing address change",
	"Feature request: dark mode", "Outage reported in EU region",
	"Queue statistics look wrong", "IVR prompt plays twice",
	/* the rest exercise escaping in JSON and SOQL literals */
	"Customer says \"it's broken\"",
	"Export path C:\\temp\\reports fails",
	"Caf\u00e9 menu shows \u2018?\u2019 \u2014 encoding issue \u2713",
	"O'Brien can't access 50% of reports",
	"Tab\tseparated import fails",
	"Wildcard _underscore_ and 100% match"
};
static const char *const products[] = {
	"Platform Renewal", "Seat Expansion", "Premium Support",
	"Analytics Add-on", "New Business"
};

#define NELEM(a) ((int) (sizeof(a) / sizeof((a)[0])))
#define PICK(rng, a) ((a)[sim_rng_range((rng), 0, NELEM(a) - 1)])

static int
nvalues(const char *const *list)
{
	int			n = 0;

	while (list[n])
		n++;
	return n;
}

/* a uniformly chosen element of a NULL-terminated picklist */
static const char *
pick_list(SimRng *rng, const char *const *list)
{
	return list[sim_rng_range(rng, 0, nvalues(list) - 1)];
}

const char *
sf_tier_name(SfTier tier)
{
	switch (tier)
	{
		case SF_TIER_ENTERPRISE:
			return "Enterprise";
		case SF_TIER_MID_MARKET:
			return "Mid-Market";
		case SF_TIER_SMB:
			return "SMB";
	}
	return "SMB";
}

/* ---------------------------------------------------------------------
 * Ids
 * ---------------------------------------------------------------------
 */
static const char base62[] =
"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * Salesforce's case-safety suffix: for each 5-char chunk, a 5-bit mask of
 * which chars are upper-case letters (first char = lowest bit), mapped
 * through A-Z0-5.
 */
void
sf_id_suffix(const char *id15, char out[4])
{
	static const char map[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

	for (int chunk = 0; chunk < 3; chunk++)
	{
		int			bits = 0;

		for (int i = 0; i < 5; i++)
		{
			char		c = id15[chunk * 5 + i];

			if (c >= 'A' && c <= 'Z')
				bits |= 1 << i;
		}
		out[chunk] = map[bits];
	}
	out[3] = '\0';
}

/*
 * prefix + "SM0" (instance and reserved chars) + 9 base-62 digits of n,
 * then the suffix.  Ids sort (strcmp) in the order of n.
 */
void
sf_make_id(char out[19], const char *prefix, uint64_t n)
{
	memcpy(out, prefix, 3);
	memcpy(out + 3, "SM0", 3);
	for (int i = 14; i >= 6; i--)
	{
		out[i] = base62[n % 62];
		n /= 62;
	}
	sf_id_suffix(out, out + 15);
}

/* a seed-dependent start so that ids carry mixed-case letters */
static uint64_t
id_base(const char *label)
{
	SimRng		rng = sim_rng_derive(sim_config.seed, label, 0);

	return (uint64_t) sim_rng_range(&rng, INT64_C(916132832), INT64_C(56800235584));
}

/* ---------------------------------------------------------------------
 * Generation
 * ---------------------------------------------------------------------
 */
static void *
xcalloc(size_t n, size_t size)
{
	void	   *p = calloc(n ? n : 1, size);

	if (p == NULL)
	{
		fprintf(stderr, "gcsim: out of memory\n");
		exit(1);
	}
	return p;
}

static void
build_users(int nusers, int64_t now)
{
	uint64_t	base = id_base("sf.user.id");

	world_priv.nusers = nusers;
	world_priv.users = xcalloc(nusers, sizeof(SfUser));
	for (int u = 0; u < nusers; u++)
	{
		SimRng		rng = sim_rng_derive(sim_config.seed, "sf.user", u);
		SfUser	   *usr = &world_priv.users[u];
		const char *first = PICK(&rng, first_names);
		const char *last = PICK(&rng, last_names);
		char		lfirst[32],
					llast[32];
		int			k = 0;

		sf_make_id(usr->id, "005", base + (uint64_t) u * 3);
		snprintf(usr->name, sizeof(usr->name), "%s %s", first, last);
		/* e-mail local part: ASCII letters only */
		for (const char *p = first; *p && k < 30; p++)
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
				lfirst[k++] = (char) (*p | 0x20);
		lfirst[k] = '\0';
		k = 0;
		for (const char *p = last; *p && k < 30; p++)
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
				llast[k++] = (char) (*p | 0x20);
		llast[k] = '\0';
		snprintf(usr->email, sizeof(usr->email), "%s.%s%d@example.com",
				 lfirst, llast, u + 1);
		usr->title = PICK(&rng, titles);
		usr->active = sim_rng_uniform(&rng) < 0.9;
		usr->created_ms = now - 6 * MS_PER_YEAR +
			sim_rng_range(&rng, 0, MS_PER_YEAR);
		usr->modstamp_ms = usr->created_ms +
			sim_rng_range(&rng, 0, now - usr->created_ms);
	}
}

/* a growable array of records of one size */
typedef struct Grow
{
	void	   *data;
	int			n;
	int			cap;
} Grow;

static void *
grow_add(Grow *g, size_t size)
{
	if (g->n == g->cap)
	{
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->data = realloc(g->data, (size_t) g->cap * size);
		if (g->data == NULL)
		{
			fprintf(stderr, "gcsim: out of memory\n");
			exit(1);
		}
	}
	memset((char *) g->data + (size_t) g->n * size, 0, size);
	return (char *) g->data + (size_t) (g->n++) * size;
}

/* money in cents in [lo, hi] whole units, sometimes a round figure */
static int64_t
money(SimRng *rng, int64_t lo, int64_t hi)
{
	int64_t		cents = sim_rng_range(rng, lo * 100, hi * 100);

	if (sim_rng_uniform(rng) < 0.15)
		cents -= cents % 100000;	/* whole thousands */
	return cents;
}

static void
make_case(SimRng *rng, SfCase *c, int account_row, int owner_row,
		  int64_t since, int64_t now)
{
	double		r;

	c->account_row = account_row;
	c->owner_row = owner_row;
	c->created_ms = now - sim_rng_range(rng, 0, now - since);
	if (now - c->created_ms > 30 * MS_PER_DAY)
		c->closed = sim_rng_uniform(rng) < 0.9;
	else
		c->closed = sim_rng_uniform(rng) < 0.4;
	if (c->closed)
	{
		c->status = "Closed";
		c->closed_ms = c->created_ms + sim_rng_range(rng, MS_PER_HOUR, 20 * MS_PER_DAY);
		c->modstamp_ms = c->closed_ms;
		if (c->closed_ms > now)
		{
			/*
			 * it closes after now: still open (no draw, so the world's
			 * other values stay as they were)
			 */
			c->closed = false;
			c->status = "Working";
			c->closed_ms = SF_NULL_I64;
			c->modstamp_ms = c->created_ms + (now - c->created_ms) / 2;
		}
	}
	else
	{
		r = sim_rng_uniform(rng);
		c->status = r < 0.55 ? "New" : r < 0.85 ? "Working" : "Escalated";
		c->closed_ms = SF_NULL_I64;
		c->modstamp_ms = c->created_ms + sim_rng_range(rng, 0, now - c->created_ms);
	}
	c->priority = pick_list(rng, sf_pick_case_priorities);
	c->origin = pick_list(rng, sf_pick_case_origins);
	c->subject = PICK(rng, subjects);
	c->deleted = sim_rng_uniform(rng) < 0.02;
}

static void
make_opportunity(SimRng *rng, SfOpportunity *o, const SfAccount *a,
				 int account_row, int owner_row, int64_t now)
{
	static const int stage_probability[] = {10, 20, 25, 50, 75, 100, 0};
	int64_t		now_day = now / MS_PER_DAY;
	int			stage;

	o->account_row = account_row;
	o->owner_row = owner_row;
	o->created_ms = now - sim_rng_range(rng, 0, now - a->created_ms < 2 * MS_PER_YEAR ?
										now - a->created_ms : 2 * MS_PER_YEAR);
	o->close_day = o->created_ms / MS_PER_DAY + sim_rng_range(rng, 14, 180);
	if (o->close_day < now_day)
		stage = sim_rng_uniform(rng) < 0.55 ? 5 : 6;
	else
		stage = (int) sim_rng_range(rng, 0, 4);
	o->stage = sf_pick_opp_stages[stage];
	o->probability = stage_probability[stage];
	o->closed = stage >= 5;
	o->won = stage == 5;
	snprintf(o->name, sizeof(o->name), "%s - %s", a->name, PICK(rng, products));
	switch (a->tier)
	{
		case SF_TIER_ENTERPRISE:
			o->amount_cents = money(rng, 50000, 5000000);
			break;
		case SF_TIER_MID_MARKET:
			o->amount_cents = money(rng, 5000, 500000);
			break;
		case SF_TIER_SMB:
			o->amount_cents = money(rng, 500, 50000);
			break;
	}
	if (sim_rng_uniform(rng) < 0.05)
		o->amount_cents = SF_NULL_I64;
	o->modstamp_ms = o->created_ms + sim_rng_range(rng, 0, now - o->created_ms);
	o->deleted = sim_rng_uniform(rng) < 0.02;
}

/*
 * Each case's Type (its category), from a stream of its own; and the
 * planted story: Enterprise cases created from release 5.0 (2026-04-13,
 * moved with the calendar by --now wall) on take three times as long to close (those that would close after now
 * are open: Working), so that case resolution slows.  Neither draws from the streams of the rest.
 */
static void
case_types_and_story(int64_t now)
{
	int64_t		release_ms = 0;

	sim_parse_ts("2026-04-13", 10, &release_ms);
	release_ms += sim_config.shift_days * MS_PER_DAY;	/* --now wall */
	for (int k = 0; k < world_priv.ncases; k++)
	{
		SfCase	   *c = &world_priv.cases[k];
		SimRng		rng = sim_rng_derive(sim_config.seed, "sf.case.type", (uint64_t) k);
		double		u = sim_rng_uniform(&rng);

		c->type = sf_pick_case_types[u < 0.55 ? 0 : u < 0.85 ? 1 : 2];
		if (c->closed && c->account_row >= 0 && c->created_ms >= release_ms &&
			sf_world.accounts[c->account_row].tier == SF_TIER_ENTERPRISE)
		{
			int64_t		closed = c->created_ms + 3 * (c->closed_ms - c->created_ms);

			if (closed <= now)
				c->closed_ms = c->modstamp_ms = closed;
			else
			{
				/* not closed yet: open again, and counted open */
				c->closed = false;
				c->status = "Working";
				c->closed_ms = SF_NULL_I64;
				if (!c->deleted)
					sf_world.accounts[c->account_row].open_cases++;
			}
		}
	}
}

/* cases by account, in creation order: [case_first[a], case_first[a + 1]) */
static int *case_first;
static int *case_rows;

static void
index_cases_by_account(void)
{
	int			n = sf_world.naccounts;
	int		   *fill = calloc((size_t) n + 1, sizeof(int));

	case_first = calloc((size_t) n + 2, sizeof(int));
	case_rows = calloc((size_t) world_priv.ncases + 1, sizeof(int));
	if (!fill || !case_first || !case_rows)
		abort();
	for (int k = 0; k < world_priv.ncases; k++)
		if (world_priv.cases[k].account_row >= 0)
			case_first[world_priv.cases[k].account_row + 1]++;
	for (int a = 0; a < n; a++)
		case_first[a + 1] += case_first[a];
	for (int k = 0; k < world_priv.ncases; k++)
	{
		int			a = world_priv.cases[k].account_row;

		if (a >= 0)
			case_rows[case_first[a] + fill[a]++] = k;
	}
	free(fill);
}

int
sf_account_case(int account_row, int64_t at_ms)
{
	int			best = -1;

	if (account_row < 0 || account_row >= sf_world.naccounts || case_first == NULL)
		return -1;
	for (int i = case_first[account_row]; i < case_first[account_row + 1]; i++)
	{
		const SfCase *c = &world_priv.cases[case_rows[i]];

		if (c->created_ms > at_ms)
			break;
		if (!c->deleted)
			best = case_rows[i];
	}
	return best;
}

const char *
sf_case_id(int case_index)
{
	return world_priv.cases[case_index].id;
}

/* phone numbers: E.164 and display form; p is unique per account */
static void
make_phone(SfAccount *a, const char *country, SimRng *rng, int64_t p)
{
	static const int us_areas[] = {212, 312, 415, 512, 617, 206, 303, 404, 702, 919};
	static const int ca_areas[] = {416, 604, 514, 403};
	char		d[8];

	snprintf(d, sizeof(d), "%07lld", (long long) p);
	if (strcmp(country, "United States") == 0 || strcmp(country, "Canada") == 0)
	{
		int			area = strcmp(country, "Canada") == 0 ?
			PICK(rng, ca_areas) : PICK(rng, us_areas);

		snprintf(a->phone, sizeof(a->phone), "+1%d%s", area, d);
		snprintf(a->phone_display, sizeof(a->phone_display), "(%d) %.3s-%s",
				 area, d, d + 3);
	}
	else if (strcmp(country, "United Kingdom") == 0)
	{
		snprintf(a->phone, sizeof(a->phone), "+44203%s", d);
		snprintf(a->phone_display, sizeof(a->phone_display), "+44 20 3%.3s %s",
				 d, d + 3);
	}
	else if (strcmp(country, "Germany") == 0)
	{
		snprintf(a->phone, sizeof(a->phone), "+49305%s", d);
		snprintf(a->phone_display, sizeof(a->phone_display), "+49 30 5%s", d);
	}
	else
	{
		snprintf(a->phone, sizeof(a->phone), "+6129%s", d);
		snprintf(a->phone_display, sizeof(a->phone_display), "+61 2 9%.3s %s",
				 d, d + 3);
	}
}

static void
build_account(int i, int n, int64_t now, uint64_t base, Grow *cases, Grow *opps)
{
	static const char *const descriptions[] = {
		"Strategic account. Executive sponsor meets quarterly.\nRenewal handled by the regional team.",
		"Prefers e-mail contact; escalations go to the \"duty manager\".",
		"Migrated from the legacy CRM in 2021. Data before that is incomplete."
	};
	SimRng		rng = sim_rng_derive(sim_config.seed, "sf.account", (uint64_t) i);
	SfAccount  *a = &sf_world.accounts[i];
	SfAccountExtra *x = &world_priv.acc_extra[i];
	const char *head,
			   *tail;
	double		r;
	int			ncases,
				nopps;
	int64_t		span = 5 * MS_PER_YEAR;

	sf_make_id(a->id, "001", base + (uint64_t) i * 7);
	r = sim_rng_uniform(&rng);
	a->tier = r < 0.15 ? SF_TIER_ENTERPRISE : r < 0.50 ? SF_TIER_MID_MARKET : SF_TIER_SMB;
	a->crm_tier = a->tier;
	snprintf(a->industry, sizeof(a->industry), "%s",
			 pick_list(&rng, sf_pick_industries));
	head = PICK(&rng, name_heads);
	tail = PICK(&rng, name_tails);
	snprintf(a->name, sizeof(a->name), "%s %s%s%s", head, PICK(&rng, name_mids),
			 *tail ? " " : "", tail);

	r = sim_rng_uniform(&rng);
	x->country = r < 0.70 ? "United States" : r < 0.80 ? "Canada" :
		r < 0.88 ? "United Kingdom" : r < 0.95 ? "Germany" : "Australia";
	/* i -> p is a bijection on [0, 8000000): 2654435761 is prime to it */
	make_phone(a, x->country, &rng,
			   2000000 + (int64_t) (((uint64_t) i * UINT64_C(2654435761) +
									 sim_config.seed) % 8000000));

	x->owner_row = (int) sim_rng_range(&rng, 0, world_priv.nusers - 1);
	memcpy(a->owner_id, world_priv.users[x->owner_row].id, 19);

	switch (a->tier)
	{
		case SF_TIER_ENTERPRISE:
			a->ltv_cents = money(&rng, 2000000, 90000000);
			x->annual_revenue = sim_rng_range(&rng, 500, 50000) * INT64_C(1000000);
			x->employees = sim_rng_range(&rng, 1000, 100000);
			ncases = (int) sim_rng_range(&rng, 2, 12);
			nopps = (int) sim_rng_range(&rng, 1, 6);
			break;
		case SF_TIER_MID_MARKET:
			a->ltv_cents = money(&rng, 100000, 12000000);
			x->annual_revenue = sim_rng_range(&rng, 10000, 500000) * INT64_C(1000);
			x->employees = sim_rng_range(&rng, 100, 2000);
			ncases = (int) sim_rng_range(&rng, 1, 6);
			nopps = (int) sim_rng_range(&rng, 0, 4);
			break;
		default:
			a->ltv_cents = money(&rng, 500, 400000);
			x->annual_revenue = sim_rng_range(&rng, 200, 10000) * INT64_C(1000);
			x->employees = sim_rng_range(&rng, 1, 200);
			ncases = (int) sim_rng_range(&rng, 0, 3);
			nopps = (int) sim_rng_range(&rng, 0, 2);
			break;
	}
	if (sim_rng_uniform(&rng) < 0.10)
		x->annual_revenue = SF_NULL_I64;
	if (sim_rng_uniform(&rng) < 0.05)
		x->employees = SF_NULL_I64;
	x->description = sim_rng_uniform(&rng) < 0.4 ? NULL : PICK(&rng, descriptions);
	{
		char		slug[24];
		int			k = 0;

		for (const char *p = head; *p && k < 20; p++)
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
				slug[k++] = (char) (*p | 0x20);
		slug[k] = '\0';
		snprintf(x->website, sizeof(x->website), "https://www.%s.example.com", slug);
	}

	/* created in index order over the five years before now */
	a->created_ms = now - span + (int64_t) ((double) span * 0.9 * i / (n > 0 ? n : 1)) +
		sim_rng_range(&rng, 0, MS_PER_DAY);
	a->modstamp_ms = a->created_ms + sim_rng_range(&rng, 0, now - a->created_ms);
	x->last_activity_day = SF_NULL_I64;

	for (int k = 0; k < ncases; k++)
	{
		SfCase	   *c = grow_add(cases, sizeof(SfCase));
		int64_t		since = now - a->created_ms < 2 * MS_PER_YEAR ?
			a->created_ms : now - 2 * MS_PER_YEAR;

		make_case(&rng, c, i, x->owner_row, since, now);
		if (!c->deleted && !c->closed)
			a->open_cases++;
		if (!c->deleted && c->created_ms / MS_PER_DAY > x->last_activity_day)
			x->last_activity_day = c->created_ms / MS_PER_DAY;
	}
	for (int k = 0; k < nopps; k++)
	{
		SfOpportunity *o = grow_add(opps, sizeof(SfOpportunity));

		make_opportunity(&rng, o, a, i, x->owner_row, now);
		if (!o->deleted && !o->closed)
			a->open_opportunities++;
	}
}

static int
cmp_case(const void *pa, const void *pb)
{
	const SfCase *a = pa,
			   *b = pb;

	if (a->created_ms != b->created_ms)
		return a->created_ms < b->created_ms ? -1 : 1;
	return a->account_row - b->account_row;
}

static int
cmp_opp(const void *pa, const void *pb)
{
	const SfOpportunity *a = pa,
			   *b = pb;

	if (a->created_ms != b->created_ms)
		return a->created_ms < b->created_ms ? -1 : 1;
	return a->account_row - b->account_row;
}

static void
tier_change_error(const char *arg, const char *why)
{
	fprintf(stderr, "gcsim: invalid value for --sf-tier-change \"%s\": %s\n", arg, why);
	exit(2);
}

/*
 * --sf-tier-change ACCOUNT_ID=TIER: Salesforce reports the account's
 * Tier__c as TIER and its SystemModstamp as --now, as if someone had
 * edited it just now.  Only crm_tier and modstamp_ms move: tier, which
 * the Genesys world reads, and everything generated from it stay as
 * built, so the conversations are byte-identical with and without.
 */
static void
apply_tier_changes(void)
{
	for (int k = 0; k < sim_config.sf_ntier_changes; k++)
	{
		const char *arg = sim_config.sf_tier_changes[k];
		const char *eq = strchr(arg, '=');
		SfAccount  *a = NULL;
		int			t;

		if (!eq)
			tier_change_error(arg, "expected ACCOUNT_ID=TIER");
		for (t = SF_TIER_ENTERPRISE; t <= SF_TIER_SMB; t++)
			if (strcmp(eq + 1, sf_tier_name((SfTier) t)) == 0)
				break;
		if (t > SF_TIER_SMB)
			tier_change_error(arg, "the tier must be Enterprise, Mid-Market or SMB");
		for (int i = 0; i < sf_world.naccounts && !a; i++)
			if (strlen(sf_world.accounts[i].id) == (size_t) (eq - arg) &&
				strncmp(sf_world.accounts[i].id, arg, (size_t) (eq - arg)) == 0)
				a = &sf_world.accounts[i];
		if (!a)
			tier_change_error(arg, "no Account has that 18-character id");
		a->crm_tier = (SfTier) t;
		a->modstamp_ms = sim_config.now_ms;
	}
}

void
sf_world_build(void)
{
	int			n = sim_config.accounts > 0 ? sim_config.accounts : 0;
	int64_t		now = sim_config.now_ms;
	uint64_t	base = id_base("sf.account.id");
	Grow		cases = {0},
				opps = {0};
	int			norphans = n / 30 + 1;
	uint64_t	cbase,
				obase;

	sf_schema_build();
	sf_world_free();
	sf_world.priv = &world_priv;
	sf_world.naccounts = n;
	sf_world.accounts = xcalloc(n, sizeof(SfAccount));
	world_priv.acc_extra = xcalloc(n, sizeof(SfAccountExtra));
	build_users(n / 25 > 5 ? n / 25 : 5, now);

	for (int i = 0; i < n; i++)
		build_account(i, n, now, base, &cases, &opps);
	/* cases without an account */
	for (int j = 0; j < norphans; j++)
	{
		SimRng		rng = sim_rng_derive(sim_config.seed, "sf.orphan_case", (uint64_t) j);
		SfCase	   *c = grow_add(&cases, sizeof(SfCase));

		make_case(&rng, c, -1,
				  (int) sim_rng_range(&rng, 0, world_priv.nusers - 1),
				  now - 2 * MS_PER_YEAR, now);
	}

	/* ids and case numbers in creation order (qsort is not stable) */
	qsort(cases.data, cases.n, sizeof(SfCase), cmp_case);
	qsort(opps.data, opps.n, sizeof(SfOpportunity), cmp_opp);
	world_priv.cases = cases.data;
	world_priv.ncases = cases.n;
	world_priv.opps = opps.data;
	world_priv.nopps = opps.n;
	cbase = id_base("sf.case.id");
	obase = id_base("sf.opportunity.id");
	for (int k = 0; k < cases.n; k++)
	{
		sf_make_id(world_priv.cases[k].id, "500", cbase + (uint64_t) k * 5);
		snprintf(world_priv.cases[k].number, sizeof(world_priv.cases[k].number),
				 "%08d", 1001 + k);
	}
	for (int k = 0; k < opps.n; k++)
		sf_make_id(world_priv.opps[k].id, "006", obase + (uint64_t) k * 5);
	case_types_and_story(now);
	index_cases_by_account();
	apply_tier_changes();
}

void
sf_world_free(void)
{
	free(sf_world.accounts);
	free(world_priv.acc_extra);
	free(world_priv.users);
	free(world_priv.cases);
	free(world_priv.opps);
	memset(&world_priv, 0, sizeof(world_priv));
	sf_world.accounts = NULL;
	sf_world.naccounts = 0;
}

/* ---------------------------------------------------------------------
 * Truth
 * ---------------------------------------------------------------------
 */

/* DIR/name opened for writing with its header line written, or NULL */
static FILE *
open_csv(const char *dir, const char *name, const char *header)
{
	char		path[4096];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f)
		fprintf(f, "%s\n", header);
	return f;
}

/* a Salesforce datetime with Z instead of +0000; SF_NULL_I64 is empty */
static void
csv_ts(FILE *f, int64_t ms, bool last)
{
	char		buf[40];

	if (ms == SF_NULL_I64)
	{
		sim_csv_field(f, NULL, last);
		return;
	}
	sim_format_ts(buf, ms);
	sim_csv_field(f, buf, last);
}

static void
csv_cents(FILE *f, int64_t cents)
{
	char		buf[40];

	if (cents == SF_NULL_I64)
	{
		sim_csv_field(f, NULL, false);
		return;
	}
	sf_format_decimal(buf, sizeof(buf), cents, 2);
	sim_csv_field(f, buf, false);
}

static const char *
account_id_of(int row)
{
	return row >= 0 ? sf_world.accounts[row].id : NULL;
}

/*
 * accounts.csv (the contract), and cases.csv and opportunities.csv with
 * every row, soft-deleted ones included (is_deleted).
 */
int
sf_write_truth(const char *dir)
{
	FILE	   *f;
	int			rc = 0;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return -1;
	f = open_csv(dir, "accounts.csv",
				 "account_id,name,tier,industry,owner_id,owner_name,ltv,phone,"
				 "open_cases,open_opportunities,created,system_modstamp");
	if (f == NULL)
		return -1;
	for (int i = 0; i < sf_world.naccounts; i++)
	{
		const SfAccount *a = &sf_world.accounts[i];
		const SfUser *owner = &SF_PRIV->users[SF_PRIV->acc_extra[i].owner_row];

		sim_csv_field(f, a->id, false);
		sim_csv_field(f, a->name, false);
		sim_csv_field(f, sf_tier_name(a->crm_tier), false);
		sim_csv_field(f, a->industry, false);
		sim_csv_field(f, a->owner_id, false);
		sim_csv_field(f, owner->name, false);
		csv_cents(f, a->ltv_cents);
		sim_csv_field(f, a->phone, false);
		sim_csv_int(f, a->open_cases, false);
		sim_csv_int(f, a->open_opportunities, false);
		csv_ts(f, a->created_ms, false);
		csv_ts(f, a->modstamp_ms, true);
	}
	rc |= fclose(f);

	f = open_csv(dir, "cases.csv",
				 "case_id,case_number,account_id,owner_id,status,is_closed,priority,"
				 "origin,subject,created,closed,system_modstamp,is_deleted,type");
	if (f == NULL)
		return -1;
	for (int i = 0; i < SF_PRIV->ncases; i++)
	{
		const SfCase *c = &SF_PRIV->cases[i];

		sim_csv_field(f, c->id, false);
		sim_csv_field(f, c->number, false);
		sim_csv_field(f, account_id_of(c->account_row), false);
		sim_csv_field(f, SF_PRIV->users[c->owner_row].id, false);
		sim_csv_field(f, c->status, false);
		sim_csv_field(f, c->closed ? "true" : "false", false);
		sim_csv_field(f, c->priority, false);
		sim_csv_field(f, c->origin, false);
		sim_csv_field(f, c->subject, false);
		csv_ts(f, c->created_ms, false);
		csv_ts(f, c->closed_ms, false);
		csv_ts(f, c->modstamp_ms, false);
		sim_csv_field(f, c->deleted ? "true" : "false", false);
		sim_csv_field(f, c->type, true);
	}
	rc |= fclose(f);

	f = open_csv(dir, "opportunities.csv",
				 "opportunity_id,account_id,owner_id,name,stage,is_closed,is_won,"
				 "amount,close_date,probability,created,system_modstamp,is_deleted");
	if (f == NULL)
		return -1;
	for (int i = 0; i < SF_PRIV->nopps; i++)
	{
		const SfOpportunity *o = &SF_PRIV->opps[i];
		char		day[32];

		sim_csv_field(f, o->id, false);
		sim_csv_field(f, account_id_of(o->account_row), false);
		sim_csv_field(f, SF_PRIV->users[o->owner_row].id, false);
		sim_csv_field(f, o->name, false);
		sim_csv_field(f, o->stage, false);
		sim_csv_field(f, o->closed ? "true" : "false", false);
		sim_csv_field(f, o->won ? "true" : "false", false);
		csv_cents(f, o->amount_cents);
		sf_format_date(day, o->close_day);
		sim_csv_field(f, day, false);
		sim_csv_int(f, o->probability, false);
		csv_ts(f, o->created_ms, false);
		csv_ts(f, o->modstamp_ms, false);
		sim_csv_field(f, o->deleted ? "true" : "false", true);
	}
	rc |= fclose(f);
	return rc == 0 ? 0 : -1;
}
