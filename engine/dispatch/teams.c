/*
 * teams.c - the teams' capacity per working day: [team NAME] sections of a
 * config and the --capacity TEAM=N option (dispatch.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "vr.h"

#define CAPACITY_MAX 1000000L

const struct conf_key dispatch_team_keys[] = {
	{"team *", "capacity", CONF_LONG, "unlimited",
	 "cases the team takes on per working day (crisis cases go out at once)", 0,
	 CAPACITY_MAX},
	{NULL, NULL, 0, NULL, NULL, 0, 0},
};

void dispatch_conf_init(struct dispatch_conf *c)
{
	memset(c, 0, sizeof(*c));
}

static bool team_name_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= CASE_TEAM_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n;
}

int dispatch_conf_set(struct dispatch_conf *c, const char *team, long capacity)
{
	if (!team_name_ok(team) || capacity < DISPATCH_UNLIMITED || capacity > CAPACITY_MAX)
		return VR_EINVAL;
	for (size_t i = 0; i < c->n_teams; i++) {
		if (strcmp(c->teams[i].name, team) == 0) {
			c->teams[i].capacity = capacity;
			return VR_OK;
		}
	}
	if (c->n_teams == DISPATCH_TEAMS_MAX)
		return VR_ELIMIT;
	snprintf(c->teams[c->n_teams].name, sizeof(c->teams[0].name), "%s", team);
	c->teams[c->n_teams++].capacity = capacity;
	return VR_OK;
}

int dispatch_conf_parse(struct dispatch_conf *c, const char *spec, char *err, size_t errlen)
{
	char team[CASE_TEAM_MAX + 2];
	const char *eq = strchr(spec, '=');
	char *end;
	long n = -2;
	if (eq && (size_t)(eq - spec) < sizeof(team)) {
		memcpy(team, spec, (size_t)(eq - spec));
		team[eq - spec] = '\0';
		n = strcmp(eq + 1, "unlimited") == 0 ? DISPATCH_UNLIMITED : strtol(eq + 1, &end, 10);
		if (n != DISPATCH_UNLIMITED && (!eq[1] || *end || n < 0))
			n = -2;
	}
	int rc = n == -2 ? VR_EINVAL : dispatch_conf_set(c, team, n);
	if (rc == VR_ELIMIT)
		snprintf(err, errlen, "too many teams (at most %d)", DISPATCH_TEAMS_MAX);
	else if (rc != VR_OK)
		snprintf(err, errlen, "expected TEAM=N (a team name, N from 0 to %ld, or unlimited)",
			 CAPACITY_MAX);
	return rc;
}

int dispatch_conf_load(struct dispatch_conf *c, const struct conf *cf, char *err, size_t errlen)
{
	for (size_t i = 0; i < conf_count(cf); i++) {
		const struct conf_entry *en = conf_at(cf, i);
		if (strncmp(en->section, "team ", 5) != 0 || strcmp(en->key, "capacity") != 0)
			continue;
		long n;
		int rc = conf_get_long(cf, en->section, "capacity", 0, CAPACITY_MAX, 0, &n, err,
				       errlen);
		if (rc == VR_OK && (rc = dispatch_conf_set(c, en->section + 5, n)) != VR_OK)
			snprintf(err, errlen, "[%s]: %s", en->section,
				 rc == VR_ELIMIT ? "too many teams" : "not a team name");
		if (rc != VR_OK)
			return rc;
	}
	return VR_OK;
}
