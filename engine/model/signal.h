/*
 * signal.h - the canonical signal and its validation.
 *
 * A signal is one payment-arrears report from a signal partner, in DDAS v1.2
 * Vroegsignaal terms plus the extensions routing needs (docs/formats.md).
 * sig_parse() turns one untrusted record (a JSONL line, a Kafka message) into
 * a struct signal, or rejects it with a reason code and a message.  It never
 * aborts on input and never echoes client data (BSN, name, address, contact
 * details) in its messages, so a reason can go to logs and dead letters.
 *
 * struct signal is a plain value with fixed-size fields: no heap, so a batch
 * is one array and a signal can be copied with '='.
 */
#ifndef VR_SIGNAL_H
#define VR_SIGNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"

struct cJSON;

#define SIG_LINE_MAX 65536     /* bytes in one record, newline excluded */
#define SIG_ID_MAX 64          /* partner's signal ID */
#define SIG_ORG_MAX 100        /* partner organisation name */
#define SIG_NAME_MAX 200
#define SIG_PHONE_MAX 32
#define SIG_EMAIL_MAX 254
#define SIG_AMOUNT_MAX 1000000 /* whole euros; more is a data error */
#define SIG_REASON_MAX 160

/* signaalpartner.type: the DDAS enumeration plus Gemeentebelastingen. */
enum sig_partner {
	PARTNER_BELASTINGDIENST,
	PARTNER_CAK_EIGEN_BIJDRAGE,
	PARTNER_CAK_ZORGVERZEKERINGEN,
	PARTNER_DIENST_TOESLAGEN,
	PARTNER_DUO,
	PARTNER_ENERGIE,
	PARTNER_HUUR,
	PARTNER_HYPOTHEEK,
	PARTNER_OVERIGE,
	PARTNER_WATER,
	PARTNER_ZORG,
	PARTNER_GEMEENTEBELASTINGEN,
	PARTNER__COUNT
};

/* A fact a partner may or may not have reported. */
enum tri { TRI_UNKNOWN = 0, TRI_NO, TRI_YES };

/* The four social-collection steps (DOMAIN.md, "sociaal incasseren"). */
enum sig_step {
	STEP_HERINNERING,          /* at least one written reminder */
	STEP_PERSOONLIJK_CONTACT,  /* tried personal contact */
	STEP_VERWIJZING_SHV,       /* pointed to schuldhulpverlening */
	STEP_TOESTEMMING,          /* offered to pass details on */
	STEP__COUNT
};

struct sig_client {
	char bsn[10];          /* 9 digits or "" */
	char postcode[7];      /* normalised "1234AB" or "" */
	char huisnummer[6];    /* digits, no leading zero, or "" */
	char toevoeging[5];    /* upper case, or "" */
	vr_date birth;         /* VR_DATE_NONE when absent */
	char name[SIG_NAME_MAX + 1];
	char phone[SIG_PHONE_MAX + 1];
	char email[SIG_EMAIL_MAX + 1];
};

struct signal {
	char id[SIG_ID_MAX + 1];
	enum sig_partner partner;
	char partner_org[SIG_ORG_MAX + 1]; /* naam, or the type name when absent */
	char gemeentecode[5];
	int64_t amount;                    /* whole euros */
	vr_date arrears_since;             /* ontstaansdatum */
	vr_date signal_date;               /* signaaldatum */
	vr_date received;                  /* ontvangstdatum (vroeg's own, optional):
					    * when the municipality received it;
					    * VR_DATE_NONE when the record does not say */
	bool crisis;                       /* crisissignaal */
	bool warm_handover;                /* warmeOverdracht */
	bool end_of_supply;                /* eindelevering */
	bool has_collection;               /* incasso block present */
	enum tri collection[STEP__COUNT];
	struct sig_client client;
};

/* Why a record was rejected; stable codes for counting (sig_reject_code()). */
enum sig_reject {
	REJ_NONE = 0,
	REJ_TOO_LONG,
	REJ_NOT_UTF8,
	REJ_JSON,
	REJ_NOT_OBJECT,
	REJ_ID,
	REJ_PARTNER,
	REJ_PARTNER_TYPE,
	REJ_PARTNER_ORG,
	REJ_GEMEENTECODE,
	REJ_AMOUNT,
	REJ_DATE,
	REJ_DATE_ORDER,
	REJ_DATE_FUTURE,
	REJ_FLAG,
	REJ_INCASSO,
	REJ_IDENTITY,
	REJ_BSN,
	REJ_POSTCODE,
	REJ_HUISNUMMER,
	REJ_CONTACT,
	REJ_MAPPING,     /* a partner format could not be mapped (connectors) */
	REJ_NUL,         /* a string with an embedded NUL (\u0000) */
	REJ_SEALED,      /* a repartition record that does not open (the service) */
	REJ__COUNT
};

struct sig_error {
	enum sig_reject code;
	char msg[SIG_REASON_MAX];
};

/*
 * Parse and validate one record of len bytes (no trailing newline).  `today`
 * is the latest acceptable signaaldatum (the clock's horizon): later dates
 * are rejected as future dates; VR_DATE_NONE skips that check.  A record
 * longer than SIG_LINE_MAX is rejected without reading rec.  Returns VR_OK
 * and fills *out, or VR_EINVAL and fills *err.
 */
int sig_parse(const char *rec, size_t len, vr_date today, struct signal *out,
	      struct sig_error *err);

/*
 * What a source knows about its records when they do not say: a Kafka
 * topic's partner type and organisation.  A record without signaalpartner
 * (or without its type or naam) takes these; a record that names another
 * partner type than its topic's is rejected (partner_type).
 */
struct sig_defaults {
	enum sig_partner partner;           /* PARTNER__COUNT: none */
	char partner_org[SIG_ORG_MAX + 1];  /* "": none */
};

/* sig_parse() with defaults (NULL: none). */
int sig_parse_def(const char *rec, size_t len, vr_date today, const struct sig_defaults *def,
		  struct signal *out, struct sig_error *err);

/* Same, from an already-parsed JSON value. */
int sig_from_json(const struct cJSON *obj, vr_date today, const struct sig_defaults *def,
		  struct signal *out, struct sig_error *err);

const char *sig_partner_name(enum sig_partner p);
/* The type as a topic-name part: lower case, spaces as '-' ("cak-eigen-bijdrage"). */
void sig_partner_slug(enum sig_partner p, char *out, size_t n);
/* Exact DDAS spelling; returns PARTNER__COUNT when unknown. */
enum sig_partner sig_partner_from_name(const char *s);
/* Short stable code such as "bsn_checksum"; for metrics and summaries. */
const char *sig_reject_code(enum sig_reject r);

/* Days between ontstaansdatum and signaaldatum. */
static inline int sig_days_overdue(const struct signal *s)
{
	return s->signal_date - s->arrears_since;
}

/* 64-bit FNV-1a of a text (partner org names, codes): not secret, stable. */
uint64_t sig_text_hash(const char *s);
/* The same over a, a NUL, then b: two texts as one key. */
uint64_t sig_text_hash2(const char *a, const char *b);

/* True when the incasso block is missing or any of its steps is not yes. */
bool sig_collection_incomplete(const struct signal *s);

/* The 11-proef on exactly 9 ASCII digits. */
bool sig_bsn_is_valid(const char *bsn9);
/* Returns 0 and writes "1234AB" to out[7] when s is a valid postcode. */
int sig_postcode_normalise(const char *s, char out[7]);
/* Byte offset of the first invalid UTF-8 sequence, or -1 when valid. */
long sig_utf8_check(const char *s, size_t len);

#endif
