/*
 * store_redis.h - the Redis store backend (docs/state.md).
 *
 * A library of its own (vroeg_store_redis, the only code that links the
 * Redis client library); a program that offers redis:// and unix:// store URLs calls
 * store_redis_register() once at start-up.
 */
#ifndef VR_STORE_REDIS_H
#define VR_STORE_REDIS_H

void store_redis_register(void);

#endif
