/* mapping_keys.c - the keys of a [topic NAME] section, for the config checker. */
#include "mapping.h"

const struct conf_key mapping_conf_keys[] = {
	{"topic *", "partner", CONF_STR, NULL, "the topic's DDAS partner type (required)", 0, 0},
	{"topic *", "organisation", CONF_STR, NULL, "the partner organisation's name", 0, 0},
	{"topic *", "format", CONF_STR, "json", "json (canonical), csv or mapped", 0, 0},
	{"topic *", "csv.delimiter", CONF_STR, ",", "one character, or tab", 0, 0},
	{"topic *", "csv.header", CONF_BOOL, "true", "messages start with a header line", 0, 0},
	{"topic *", "csv.columns", CONF_STR, NULL, "column names when there is no header",
	 0, 0},
	{"topic *", "field.", CONF_STR, NULL, "field.X = source | conversion", 0, 0},
	{"topic *", "const.", CONF_STR, NULL, "const.X = value", 0, 0},
	{NULL, NULL, 0, NULL, NULL, 0, 0},
};
