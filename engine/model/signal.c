/* signal.c - parse and validate canonical signals (docs/formats.md). */
#include "signal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jarena.h"
#include "vr.h"

static const char *const partner_names[PARTNER__COUNT] = {
	[PARTNER_BELASTINGDIENST] = "Belastingdienst",
	[PARTNER_CAK_EIGEN_BIJDRAGE] = "CAK Eigen bijdrage",
	[PARTNER_CAK_ZORGVERZEKERINGEN] = "CAK Zorgverzekeringen",
	[PARTNER_DIENST_TOESLAGEN] = "Dienst Toeslagen",
	[PARTNER_DUO] = "DUO",
	[PARTNER_ENERGIE] = "Energie",
	[PARTNER_HUUR] = "Huur",
	[PARTNER_HYPOTHEEK] = "Hypotheek",
	[PARTNER_OVERIGE] = "Overige",
	[PARTNER_WATER] = "Water",
	[PARTNER_ZORG] = "Zorg",
	[PARTNER_GEMEENTEBELASTINGEN] = "Gemeentebelastingen",
};

static const char *const reject_codes[REJ__COUNT] = {
	[REJ_NONE] = "none",
	[REJ_TOO_LONG] = "too_long",
	[REJ_NOT_UTF8] = "not_utf8",
	[REJ_JSON] = "json",
	[REJ_NOT_OBJECT] = "not_object",
	[REJ_ID] = "id",
	[REJ_PARTNER] = "partner",
	[REJ_PARTNER_TYPE] = "partner_type",
	[REJ_PARTNER_ORG] = "partner_org",
	[REJ_GEMEENTECODE] = "gemeentecode",
	[REJ_AMOUNT] = "bedrag",
	[REJ_DATE] = "date",
	[REJ_DATE_ORDER] = "date_order",
	[REJ_DATE_FUTURE] = "date_future",
	[REJ_FLAG] = "flag",
	[REJ_INCASSO] = "incasso",
	[REJ_IDENTITY] = "identity",
	[REJ_BSN] = "bsn",
	[REJ_POSTCODE] = "postcode",
	[REJ_HUISNUMMER] = "huisnummer",
	[REJ_CONTACT] = "contact",
	[REJ_MAPPING] = "mapping",
	[REJ_NUL] = "nul",
	[REJ_SEALED] = "sealed",
};

const char *sig_partner_name(enum sig_partner p)
{
	return (unsigned)p < PARTNER__COUNT ? partner_names[p] : "?";
}

void sig_partner_slug(enum sig_partner p, char *out, size_t n)
{
	const char *name = sig_partner_name(p);
	size_t k = 0;
	for (; name[k] && k + 1 < n; k++)
		out[k] = name[k] == ' ' ? '-' : (char)tolower((unsigned char)name[k]);
	if (n)
		out[k] = '\0';
}

enum sig_partner sig_partner_from_name(const char *s)
{
	for (int i = 0; i < PARTNER__COUNT; i++)
		if (s[0] == partner_names[i][0] && strcmp(s, partner_names[i]) == 0)
			return (enum sig_partner)i;
	return PARTNER__COUNT;
}

const char *sig_reject_code(enum sig_reject r)
{
	return (unsigned)r < REJ__COUNT ? reject_codes[r] : "?";
}

static int reject(struct sig_error *err, enum sig_reject code, const char *fmt, ...)
{
	va_list ap;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return VR_EINVAL;
}

bool sig_bsn_is_valid(const char *bsn)
{
	int sum = 0;
	for (int i = 0; i < 9; i++) {
		if (bsn[i] < '0' || bsn[i] > '9')
			return false;
		int d = bsn[i] - '0';
		sum += i < 8 ? d * (9 - i) : -d;
	}
	return bsn[9] == '\0' && sum % 11 == 0 && strcmp(bsn, "000000000") != 0;
}

int sig_postcode_normalise(const char *s, char out[7])
{
	int n = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ')
			continue;
		if (n == 6)
			return VR_EINVAL;
		if (n < 4) {
			if (!isdigit(c) || (n == 0 && c == '0'))
				return VR_EINVAL;
			out[n++] = (char)c;
		} else {
			if (!isalpha(c))
				return VR_EINVAL;
			out[n++] = (char)toupper(c);
		}
	}
	if (n != 6)
		return VR_EINVAL;
	out[6] = '\0';
	return VR_OK;
}

long sig_utf8_check(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		/* Partner data is nearly all ASCII: skip it eight bytes at a time. */
		while (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		unsigned min;
		unsigned cp;
		if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return (long)i;
		}
		if (i + n >= len)
			return (long)i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (long)i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (long)i;
		i += n + 1;
	}
	return -1;
}

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

static uint64_t fnv_more(uint64_t h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= FNV_PRIME;
	}
	return h;
}

uint64_t sig_text_hash(const char *s)
{
	return fnv_more(FNV_OFFSET, s);
}

uint64_t sig_text_hash2(const char *a, const char *b)
{
	uint64_t h = fnv_more(FNV_OFFSET, a) * FNV_PRIME; /* the NUL between */
	return fnv_more(h, b);
}

bool sig_collection_incomplete(const struct signal *s)
{
	if (!s->has_collection)
		return true;
	for (int i = 0; i < STEP__COUNT; i++)
		if (s->collection[i] != TRI_YES)
			return true;
	return false;
}

/*
 * The first member named key, like cJSON_GetObjectItemCaseSensitive but
 * comparing the first byte before calling strcmp: the validator looks up
 * some twenty names per record, and the library's full strcmp per member
 * was the largest single cost of a replay.
 */
static const cJSON *member(const cJSON *obj, const char *key)
{
	for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next) {
		const char *a = c->string, *b = key;
		if (!a || *a != *b)
			continue;
		while (*a && *a == *b)
			a++, b++;
		if (*a == *b)
			return c;
	}
	return NULL;
}

/*
 * Is an optional member absent?  Missing, null and "" all are: the DDAS
 * schema allows empty strings, and partners' exports write empty columns
 * for what they do not know.
 */
static bool absent(const cJSON *v)
{
	return !v || cJSON_IsNull(v) || (cJSON_IsString(v) && !v->valuestring[0]);
}

/* Copy a string member of at most max bytes; absent leaves dst "". */
static int get_string(const cJSON *obj, const char *key, char *dst, size_t max,
		      bool required, enum sig_reject code, struct sig_error *err)
{
	const cJSON *v = member(obj, key);
	dst[0] = '\0';
	if (!v || cJSON_IsNull(v) || (!required && absent(v))) {
		if (required)
			return reject(err, code, "missing %s", key);
		return VR_OK;
	}
	if (!cJSON_IsString(v))
		return reject(err, code, "%s must be a string", key);
	size_t len = strlen(v->valuestring);
	if (len == 0)
		return reject(err, code, "%s is empty", key);
	if (len > max)
		return reject(err, code, "%s too long (%zu bytes, max %zu)", key, len, max);
	memcpy(dst, v->valuestring, len + 1);
	return VR_OK;
}

static int get_date(const cJSON *obj, const char *key, bool required, vr_date *out,
		    struct sig_error *err)
{
	const cJSON *v = member(obj, key);
	*out = VR_DATE_NONE;
	if (!v || cJSON_IsNull(v) || (!required && absent(v))) {
		if (required)
			return reject(err, REJ_DATE, "missing %s", key);
		return VR_OK;
	}
	if (!cJSON_IsString(v))
		return reject(err, REJ_DATE, "%s must be a YYYY-MM-DD string", key);
	int rc = date_parse(v->valuestring, strlen(v->valuestring), out);
	if (rc == VR_EPARSE)
		return reject(err, REJ_DATE, "%s is not a YYYY-MM-DD date", key);
	if (rc != VR_OK)
		return reject(err, REJ_DATE, "%s is not an existing date between 1900 and 2099",
			      key);
	return VR_OK;
}

static int get_flag(const cJSON *obj, const char *key, enum sig_reject code, bool *out,
		    struct sig_error *err)
{
	const cJSON *v = member(obj, key);
	*out = false;
	if (absent(v))
		return VR_OK;
	if (!cJSON_IsBool(v))
		return reject(err, code, "%s must be true or false", key);
	*out = cJSON_IsTrue(v);
	return VR_OK;
}

static int parse_partner(const cJSON *obj, const struct sig_defaults *def, struct signal *s,
			 struct sig_error *err)
{
	bool has_def = def && def->partner < PARTNER__COUNT;
	const cJSON *p = member(obj, "signaalpartner");
	const cJSON *t = NULL;
	if (!p && !has_def)
		return reject(err, REJ_PARTNER, "missing signaalpartner");
	if (p && !cJSON_IsObject(p))
		return reject(err, REJ_PARTNER, "signaalpartner must be an object");
	if (p)
		t = member(p, "type");
	if (!t && !has_def)
		return reject(err, REJ_PARTNER, "missing signaalpartner.type");
	if (t) {
		if (!cJSON_IsString(t))
			return reject(err, REJ_PARTNER_TYPE,
				      "signaalpartner.type must be a string");
		s->partner = sig_partner_from_name(t->valuestring);
		if (s->partner == PARTNER__COUNT)
			return reject(err, REJ_PARTNER_TYPE,
				      "unknown signaalpartner.type \"%.40s\"", t->valuestring);
		if (has_def && s->partner != def->partner)
			return reject(err, REJ_PARTNER_TYPE,
				      "signaalpartner.type %s on a source for %s",
				      sig_partner_name(s->partner), sig_partner_name(def->partner));
	} else {
		s->partner = def->partner;
	}
	s->partner_org[0] = '\0';
	if (p) {
		int rc = get_string(p, "naam", s->partner_org, SIG_ORG_MAX, false,
				    REJ_PARTNER_ORG, err);
		if (rc)
			return rc;
	}
	if (!s->partner_org[0])
		strcpy(s->partner_org, def && def->partner_org[0] ? def->partner_org
							  : sig_partner_name(s->partner));
	return VR_OK;
}

static int parse_amount(const cJSON *obj, struct signal *s, struct sig_error *err)
{
	const cJSON *v = member(obj, "bedrag");
	if (!v)
		return reject(err, REJ_AMOUNT, "missing bedrag");
	if (!cJSON_IsNumber(v))
		return reject(err, REJ_AMOUNT, "bedrag must be a number of whole euros");
	double d = v->valuedouble;
	if (d != floor(d))
		return reject(err, REJ_AMOUNT, "bedrag must be whole euros, not %.2f", d);
	if (d < 0)
		return reject(err, REJ_AMOUNT, "bedrag is negative");
	if (d > SIG_AMOUNT_MAX)
		return reject(err, REJ_AMOUNT, "bedrag over %d euros is not plausible",
			      SIG_AMOUNT_MAX);
	s->amount = (int64_t)d;
	return VR_OK;
}

static int parse_collection(const cJSON *obj, struct signal *s, struct sig_error *err)
{
	static const char *const steps[STEP__COUNT] = {
		"herinnering", "persoonlijkContact", "verwijzingShv", "toestemmingAangeboden"};
	const cJSON *c = member(obj, "incasso");
	s->has_collection = false;
	for (int i = 0; i < STEP__COUNT; i++)
		s->collection[i] = TRI_UNKNOWN;
	if (absent(c))
		return VR_OK;
	if (!cJSON_IsObject(c))
		return reject(err, REJ_INCASSO, "incasso must be an object");
	s->has_collection = true;
	for (int i = 0; i < STEP__COUNT; i++) {
		const cJSON *v = member(c, steps[i]);
		if (absent(v))
			continue;
		if (!cJSON_IsBool(v))
			return reject(err, REJ_INCASSO, "incasso.%s must be true or false",
				      steps[i]);
		s->collection[i] = cJSON_IsTrue(v) ? TRI_YES : TRI_NO;
	}
	return VR_OK;
}

static int parse_huisnummer(const cJSON *cl, struct sig_client *c, struct sig_error *err)
{
	const cJSON *v = member(cl, "huisnummer");
	c->huisnummer[0] = '\0';
	if (absent(v))
		return VR_OK;
	long n = -1;
	if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
	    v->valuedouble >= 1 && v->valuedouble <= 99999) {
		n = (long)v->valuedouble;
	} else if (cJSON_IsString(v)) {
		const char *p = v->valuestring;
		size_t len = strlen(p);
		if (len >= 1 && len <= 5 && strspn(p, "0123456789") == len)
			n = strtol(p, NULL, 10);
	}
	if (n < 1 || n > 99999)
		return reject(err, REJ_HUISNUMMER, "huisnummer must be a number from 1 to 99999");
	/* Canonical form: no leading zeros ("012" is 12). */
	char digits[6];
	int nd = 0;
	do {
		digits[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	for (int i = 0; i < nd; i++)
		c->huisnummer[i] = digits[nd - 1 - i];
	c->huisnummer[nd] = '\0';

	char toev[8];
	int rc = get_string(cl, "huisnummertoevoeging", toev, 4, false, REJ_HUISNUMMER, err);
	if (rc)
		return reject(err, REJ_HUISNUMMER,
			      "huisnummertoevoeging must be 1 to 4 letters or digits");
	size_t k = 0;
	for (const char *p = toev; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == ' ' || ch == '-')
			continue;
		if (!isalnum(ch))
			return reject(err, REJ_HUISNUMMER,
				      "huisnummertoevoeging must be 1 to 4 letters or digits");
		c->toevoeging[k++] = (char)toupper(ch);
	}
	c->toevoeging[k] = '\0';
	return VR_OK;
}

static int parse_client(const cJSON *obj, struct signal *s, struct sig_error *err)
{
	struct sig_client *c = &s->client;
	const cJSON *cl = member(obj, "client");
	int rc;

	memset(c, 0, sizeof(*c));
	c->birth = VR_DATE_NONE;
	if (!cl || !cJSON_IsObject(cl))
		return reject(err, REJ_IDENTITY, cl ? "client must be an object" : "missing client");

	const cJSON *b = member(cl, "burgerservicenummer");
	if (!absent(b)) {
		if (!cJSON_IsString(b) || strlen(b->valuestring) != 9 ||
		    strspn(b->valuestring, "0123456789") != 9)
			return reject(err, REJ_BSN, "burgerservicenummer must be 9 digits");
		if (!sig_bsn_is_valid(b->valuestring))
			return reject(err, REJ_BSN, "burgerservicenummer fails the 11-proef");
		memcpy(c->bsn, b->valuestring, 10);
	}

	const cJSON *pc = member(cl, "postcode");
	if (!absent(pc)) {
		if (!cJSON_IsString(pc) || strlen(pc->valuestring) > 16 ||
		    sig_postcode_normalise(pc->valuestring, c->postcode))
			return reject(err, REJ_POSTCODE,
				      "postcode must be 4 digits (not starting with 0) and 2 letters");
	}
	if ((rc = parse_huisnummer(cl, c, err)))
		return rc;
	if (!c->postcode[0] != !c->huisnummer[0] && !c->bsn[0])
		return reject(err, REJ_IDENTITY, "postcode and huisnummer must come together");
	if (!c->bsn[0] && !c->postcode[0])
		return reject(err, REJ_IDENTITY,
			      "no identity: need burgerservicenummer or postcode + huisnummer");
	if (!c->postcode[0] || !c->huisnummer[0])
		c->postcode[0] = c->huisnummer[0] = c->toevoeging[0] = '\0';

	if ((rc = get_date(cl, "geboortedatum", false, &c->birth, err)))
		return rc;
	if ((rc = get_string(cl, "naam", c->name, SIG_NAME_MAX, false, REJ_CONTACT, err)) ||
	    (rc = get_string(cl, "telefoon", c->phone, SIG_PHONE_MAX, false, REJ_CONTACT, err)) ||
	    (rc = get_string(cl, "email", c->email, SIG_EMAIL_MAX, false, REJ_CONTACT, err)))
		return rc;
	return VR_OK;
}

int sig_from_json(const cJSON *obj, vr_date today, const struct sig_defaults *def,
		  struct signal *s, struct sig_error *err)
{
	int rc;

	err->code = REJ_NONE;
	err->msg[0] = '\0';
	if (!cJSON_IsObject(obj))
		return reject(err, REJ_NOT_OBJECT, "record is not a JSON object");
	if ((rc = get_string(obj, "ID", s->id, SIG_ID_MAX, true, REJ_ID, err)) ||
	    (rc = parse_partner(obj, def, s, err)))
		return rc;

	const cJSON *g = member(obj, "gemeentecode");
	if (!g)
		return reject(err, REJ_GEMEENTECODE, "missing gemeentecode");
	if (!cJSON_IsString(g) || strlen(g->valuestring) != 4 ||
	    strspn(g->valuestring, "0123456789") != 4)
		return reject(err, REJ_GEMEENTECODE, "gemeentecode must be a string of 4 digits");
	memcpy(s->gemeentecode, g->valuestring, 5);

	if ((rc = parse_amount(obj, s, err)) ||
	    (rc = get_date(obj, "ontstaansdatum", true, &s->arrears_since, err)) ||
	    (rc = get_date(obj, "signaaldatum", true, &s->signal_date, err)))
		return rc;
	if (s->arrears_since > s->signal_date)
		return reject(err, REJ_DATE_ORDER, "ontstaansdatum is after signaaldatum");
	if (today != VR_DATE_NONE && s->signal_date > today) {
		char d1[VR_DATE_STRLEN], d2[VR_DATE_STRLEN];
		return reject(err, REJ_DATE_FUTURE,
			      "signaaldatum %s is in the future (latest acceptable date %s)",
			      date_format(s->signal_date, d1), date_format(today, d2));
	}
	if ((rc = get_date(obj, "ontvangstdatum", false, &s->received, err)))
		return rc;
	if (s->received != VR_DATE_NONE) {
		char d1[VR_DATE_STRLEN], d2[VR_DATE_STRLEN];
		if (s->signal_date > s->received)
			return reject(err, REJ_DATE_FUTURE,
				      "signaaldatum %s is after ontvangstdatum %s",
				      date_format(s->signal_date, d1), date_format(s->received, d2));
		if (today != VR_DATE_NONE && s->received > today)
			return reject(err, REJ_DATE_FUTURE,
				      "ontvangstdatum %s is in the future (latest acceptable date %s)",
				      date_format(s->received, d1), date_format(today, d2));
	}
	if ((rc = get_flag(obj, "crisissignaal", REJ_FLAG, &s->crisis, err)) ||
	    (rc = get_flag(obj, "warmeOverdracht", REJ_FLAG, &s->warm_handover, err)) ||
	    (rc = get_flag(obj, "eindelevering", REJ_FLAG, &s->end_of_supply, err)) ||
	    (rc = parse_collection(obj, s, err)) || (rc = parse_client(obj, s, err)))
		return rc;
	if (s->client.birth != VR_DATE_NONE && s->client.birth > s->signal_date)
		return reject(err, REJ_DATE_ORDER, "geboortedatum is after signaaldatum");
	return VR_OK;
}

/* memmem() is not POSIX: the first byte by memchr, then the rest. */
static const char *find(const char *h, size_t n, const char *needle, size_t m)
{
	const char *end = h + n;
	while (n >= m && (h = memchr(h, needle[0], n - m + 1))) {
		if (memcmp(h + 1, needle + 1, m - 1) == 0)
			return h;
		h++;
		n = (size_t)(end - h);
	}
	return NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The number token at p[0..n): no leading zero, and within double's range. */
static int strict_number(const char *p, size_t n, size_t at, struct sig_error *err)
{
	size_t k = 0;
	bool exp = false;
	if (k < n && p[k] == '-')
		k++;
	if (k + 1 < n && p[k] == '0' && is_digit(p[k + 1]))
		return reject(err, REJ_JSON, "not valid JSON (a number with a leading zero at "
			      "byte %zu)", at);
	while (k < n && (is_digit(p[k]) || p[k] == '.' || p[k] == 'e' || p[k] == 'E' ||
			 p[k] == '+' || p[k] == '-')) {
		exp |= p[k] == 'e' || p[k] == 'E';
		k++;
	}
	if (exp) { /* only an exponent takes a number out of range */
		char num[64];
		snprintf(num, sizeof(num), "%.*s", (int)(k < 63 ? k : 63), p);
		errno = 0;
		double d = strtod(num, NULL);
		if (errno == ERANGE || k >= 63)
			return reject(err, REJ_JSON, "a number out of range at byte %zu%s", at,
				      d == 0 ? " (too small: it would be read as 0)" : "");
	}
	return VR_OK;
}

/*
 * Every member's number in the record's text: a colon right after a
 * member name's closing quote, then a number.  Inside a string such a quote
 * is escaped (an odd number of backslashes before it), so only real
 * members are looked at.
 */
static int strict_member_numbers(const char *rec, size_t len, struct sig_error *err)
{
	const char *end = rec + len;
	for (const char *p = rec; (p = memchr(p, ':', (size_t)(end - p))); p++) {
		if (p - rec < 2 || p[-1] != '"')
			continue;
		size_t bs = 0;
		while (p - 2 - bs >= rec && p[-2 - (ptrdiff_t)bs] == '\\')
			bs++;
		if (bs % 2)
			continue;
		const char *v = p + 1;
		while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
			v++;
		if (v < end && (*v == '-' || is_digit(*v))) {
			int rc = strict_number(v, (size_t)(end - v), (size_t)(v - rec), err);
			if (rc)
				return rc;
		}
	}
	return VR_OK;
}

/* The whole text, token by token: for numbers that have no member name
 * (in arrays), which canonical signals never have. */
static int strict_scan(const char *p, size_t n, struct sig_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"') {
			for (i++; i < n && p[i] != '"'; i++)
				if (p[i] == '\\')
					i++;
		} else if (p[i] == '-' || is_digit(p[i])) {
			size_t k = i;
			int rc = strict_number(p + i, n - i, i, err);
			if (rc)
				return rc;
			while (k + 1 < n && (is_digit(p[k + 1]) || strchr(".eE+-", p[k + 1])))
				k++;
			i = k;
		}
	}
	return VR_OK;
}

/*
 * What the JSON parser lets through and vroeg must not, for one object or
 * array of the tree: a member name twice in an object (the parser keeps
 * both and a look-up finds the first), and numbers with a leading zero
 * (0100 is not JSON) or out of a double's range (1e-400 would be 0).
 * scan says what kind of numbers there are, for the text checks.
 */
struct strict_scan {
	bool members;  /* numbers that are members' values */
	bool all;      /* numbers in arrays: only a scan of the text finds them */
};

static int strict_tree(const cJSON *v, struct strict_scan *scan, struct sig_error *err)
{
	uint64_t seen = 0;
	int rc;
	for (const cJSON *c = v->child; c; c = c->next) {
		if (c->string) {
			/* Two bytes and the length pick one of 64 bits; only a
			 * bit seen before costs string comparisons. */
			const unsigned char *k = (const unsigned char *)c->string;
			uint64_t bit = 1ull << ((k[0] * 31u + (k[0] ? k[1] : 0u)) & 63);
			if (seen & bit)
				for (const cJSON *d = v->child; d != c; d = d->next)
					if (strcmp(d->string, c->string) == 0)
						return reject(err, REJ_JSON, "not valid JSON (\"%.40s\" "
							      "twice in one object)", c->string);
			seen |= bit;
		}
		if (cJSON_IsNumber(c))
			*(c->string ? &scan->members : &scan->all) = true;
		if (c->child && (rc = strict_tree(c, scan, err)))
			return rc;
	}
	return VR_OK;
}

/* A "\u0000" escape in a string would end it there: two IDs "A\u0000x" and
 * "A\u0000y" would both be "A", and "0344\u0000junk" would pass as 0344. */
static int strict_nul(const char *rec, size_t len, struct sig_error *err)
{
	for (const char *p = rec, *end = rec + len; (p = find(p, (size_t)(end - p), "\\u0000", 6));
	     p += 6) {
		size_t bs = 0; /* an escape if preceded by an even number of backslashes */
		while (p - bs > rec && p[-(ptrdiff_t)bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			return reject(err, REJ_NUL, "a string holds \\u0000 (NUL) at byte %td",
				      p - rec);
	}
	return VR_OK;
}

/* All of the above for a record that parsed into obj. */
static int json_strict(const cJSON *obj, const char *rec, size_t len, struct sig_error *err)
{
	struct strict_scan scan = {false, false};
	int rc = strict_nul(rec, len, err);
	if (rc == VR_OK && obj->child)
		rc = strict_tree(obj, &scan, err);
	if (rc == VR_OK && scan.all)
		return strict_scan(rec, len, err);
	if (rc == VR_OK && scan.members)
		rc = strict_member_numbers(rec, len, err);
	return rc;
}

int sig_parse(const char *rec, size_t len, vr_date today, struct signal *out,
	      struct sig_error *err)
{
	return sig_parse_def(rec, len, today, NULL, out, err);
}

int sig_parse_def(const char *rec, size_t len, vr_date today, const struct sig_defaults *def,
		  struct signal *out, struct sig_error *err)
{
	if (len > SIG_LINE_MAX)
		return reject(err, REJ_TOO_LONG, "record too long (%zu bytes, max %d)", len,
			      SIG_LINE_MAX);
	long bad = sig_utf8_check(rec, len);
	if (bad >= 0)
		return reject(err, REJ_NOT_UTF8, "invalid UTF-8 at byte %ld", bad);
	if (memchr(rec, '\0', len))
		return reject(err, REJ_JSON, "NUL byte in record");

	const char *end = NULL;
	cJSON *obj = jarena_parse(rec, len, &end);
	if (!obj) {
		long at = end ? (long)(end - rec) : 0;
		return reject(err, REJ_JSON, "not valid JSON (error near byte %ld)", at);
	}
	/* Only whitespace may follow the value (JSON's four: a Kafka message
	 * may well end in a line break). */
	size_t used = (size_t)(end - rec), value_end = used;
	while (used < len && (rec[used] == ' ' || rec[used] == '\t' || rec[used] == '\r' ||
			      rec[used] == '\n'))
		used++;
	int rc;
	if (used != len)
		rc = reject(err, REJ_JSON, "not valid JSON (trailing data at byte %zu)", used);
	else if ((rc = json_strict(obj, rec, value_end, err)) == VR_OK)
		rc = sig_from_json(obj, today, def, out, err);
	jarena_release(obj);
	return rc;
}
