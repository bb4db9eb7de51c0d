/* SPDX-License-Identifier: MIT */
/* orchestrator/plan_json: a plan_service as JSON and back, field for field (every pointer and
 * array it owns), so that a process started afresh (the berth-supervisor binary) gets the same
 * plans the CLI built without loading the compose file, the image store or their libraries.
 * The format is private to one berth build: the CLI and berth-supervisor come from the same
 * `make`. Published ports are not carried: the CLI applies them, never the supervisor. */
#pragma once

struct berr;
struct plan_service;
typedef struct json_t json_t;

json_t *plan_service_to_json(const struct plan_service *s);
/* A new plan_service from o; *err names the missing or mistyped field. */
int plan_service_from_json(const json_t *o, struct plan_service **ret, struct berr **err);
