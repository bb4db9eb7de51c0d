/* SPDX-License-Identifier: MIT */
/* orchestrator/timefmt: time as berth stores and prints it. Instants are int64 nanoseconds since
 * the Unix epoch (UTC); log records and state carry them as RFC3339Nano text
 * ("2026-11-22T21:00:13.123456789Z", docker's format). Durations as compose and `logs --since`
 * write them ("1h30m", "1.5s", "300ms", "2us"). Pure except timefmt_now_ns()/timefmt_mono_ms(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_RFC3339NANO_MAX 40

int64_t timefmt_now_ns(void);
/* CLOCK_MONOTONIC in ms: for timers and run lengths, never stored. */
uint64_t timefmt_mono_ms(void);
/* Write ns as RFC3339Nano UTC with 9 fraction digits into buf (>= TIMEFMT_RFC3339NANO_MAX). */
void timefmt_rfc3339nano(int64_t ns, char *buf, size_t size);
/* Parse RFC3339 with optional fraction and Z or +hh:mm offset, or a date alone (YYYY-MM-DD).
 * Returns 0 or -EINVAL. */
int timefmt_parse_rfc3339(const char *s, int64_t *ret_ns);
/* Parse a Go-style duration: sequence of <number>[.fraction]<unit>, units ns us ms s m h
 * (and d for days); a bare "0" is allowed. Returns 0 or -EINVAL / -ERANGE. */
int timefmt_parse_duration(const char *s, int64_t *ret_ns);
/* `logs --since/--until` value: a duration meaning now minus it, an RFC3339 timestamp, or Unix
 * seconds with an optional fraction. Returns 0 or -EINVAL. */
int timefmt_parse_since(const char *s, int64_t now_ns, int64_t *ret_ns);
/* Whether the wall clock is past ns. */
bool timefmt_until_passed(int64_t ns);
