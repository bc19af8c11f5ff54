/* jarena.c - a bump allocator for cJSON parse trees. */
#include "jarena.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define ARENA_SIZE (256u << 10) /* a 64 KiB record needs well under this */

/* Under AddressSanitizer every node goes to malloc, so the sanitizer still
 * sees each cJSON allocation on its own. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ENABLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ENABLED 0
#endif
#endif
#ifndef ARENA_ENABLED
#define ARENA_ENABLED 1
#endif
#define ARENA_ALIGN 16

struct arena {
	bool active;            /* inside jarena_parse() */
	size_t used;
	size_t fallbacks;       /* live allocations that went to malloc */
	_Alignas(ARENA_ALIGN) unsigned char block[ARENA_SIZE];
};

static _Thread_local struct arena *tl_arena;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *arena_malloc(size_t n)
{
	struct arena *a = tl_arena;
	if (a && a->active) {
		size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
		if (ARENA_ENABLED && need <= ARENA_SIZE - a->used) {
			void *p = a->block + a->used;
			a->used += need;
			return p;
		}
		a->fallbacks++;
	}
	return malloc(n);
}

static bool in_arena(const struct arena *a, const void *p)
{
	uintptr_t q = (uintptr_t)p, lo = (uintptr_t)a->block;
	return q >= lo && q < lo + ARENA_SIZE;
}

static void arena_free(void *p)
{
	struct arena *a = tl_arena;
	if (a && in_arena(a, p))
		return;
	free(p);
}

static void install_hooks(void)
{
	cJSON_Hooks h = {arena_malloc, arena_free};
	cJSON_InitHooks(&h);
}

static void arena_destroy(void *p)
{
	free(p);
}

static pthread_key_t arena_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void make_key(void)
{
	pthread_key_create(&arena_key, arena_destroy);
}

cJSON *jarena_parse(const char *s, size_t len, const char **end)
{
	pthread_once(&hooks_once, install_hooks);
	if (!tl_arena) {
		pthread_once(&key_once, make_key);
		tl_arena = calloc(1, sizeof(*tl_arena));
		if (tl_arena)
			pthread_setspecific(arena_key, tl_arena);
	}
	struct arena *a = tl_arena;
	if (a) {
		a->used = 0;
		a->fallbacks = 0;
		a->active = true;
	}
	cJSON *root = cJSON_ParseWithLengthOpts(s, len, end, false);
	if (a)
		a->active = false;
	return root;
}

void jarena_release(cJSON *root)
{
	struct arena *a = tl_arena;
	/* With every node in the arena there is nothing to free: skip the
	 * tree walk.  Otherwise let cJSON free the malloc'ed ones. */
	if (root && (!a || a->fallbacks))
		cJSON_Delete(root);
	if (a)
		a->used = 0;
}
