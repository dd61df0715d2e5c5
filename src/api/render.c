/*
 * render.c - building the API's JSON documents.
 */
#include "api/render.h"

#include <string.h>

#include "core/media.h"
#include "core/wording.h"

json_t *render_time(dt_ms_t t)
{
    char buf[40];
    if (!t)
        return json_null();
    return json_string(dt_format_instant(t, buf, sizeof buf));
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *base_case(svc_t *s, const svc_user_t *u, const db_case_t *k, arena_t *a)
{
    const cat_t *cat = svc_case_category(s, k);
    bool pii = svc_sees_pii(u->role);
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(k->id));
    json_object_set_new(o, "number", json_string(svc_case_number(k, a)));
    json_object_set_new(o, "category", json_string(k->category));
    json_object_set_new(o, "category_name", str_or_null(cat ? cat->name : NULL));
    json_object_set_new(o, "kind", json_string(k->kind));
    json_object_set_new(o, "published", json_boolean(k->published)); /* readable through Open311 */
    json_object_set_new(o, "reopen_requested", json_boolean(k->reopen_requested));
    json_object_set_new(o, "title", json_string(k->title));
    json_object_set_new(o, "description", json_string(k->description));
    json_object_set_new(o, "source", json_string(k->source));
    json_object_set_new(o, "source_label", str_or_null(svc_source_label(k->source)));
    json_object_set_new(o, "urgency", json_string(k->urgency ? k->urgency : "normal"));
    json_object_set_new(o, "status", json_string(case_state_name(k->status)));
    json_object_set_new(o, "status_label", json_string(case_state_label(k->status)));
    json_object_set_new(o, "unit", json_string(k->unit));
    json_object_set_new(o, "handling_unit", str_or_null(k->handling_unit));
    if (k->has_location || k->address)
        json_object_set_new(o, "location", json_pack("{s:o, s:o, s:o}",
            "lat", k->has_location ? json_real(k->lat) : json_null(),
            "lng", k->has_location ? json_real(k->lng) : json_null(),
            "address", str_or_null(k->address)));
    else
        json_object_set_new(o, "location", json_null());
    if (k->reporter_name || k->reporter_phone)
        json_object_set_new(o, "reporter", json_pack("{s:o, s:o, s:b}",
            "name", str_or_null(pii ? k->reporter_name : svc_mask_name(k->reporter_name, a)),
            "phone", str_or_null(pii ? k->reporter_phone : svc_mask_phone(k->reporter_phone, a)),
            "masked", !pii));
    else
        json_object_set_new(o, "reporter", json_null());
    json_object_set_new(o, "external_id", str_or_null(k->external_id));
    json_object_set_new(o, "created_by", str_or_null(k->created_by));
    json_object_set_new(o, "created_at", render_time(k->created_at));
    json_object_set_new(o, "updated_at", render_time(k->updated_at));
    json_object_set_new(o, "version", json_integer(k->version));
    json_object_set_new(o, "policy_version", json_integer(k->policy_version));
    json_object_set_new(o, "light", json_string(sla_light_name(k->light)));
    json_object_set_new(o, "light_label", json_string(sla_light_label(k->light)));
    json_object_set_new(o, "supervised", json_boolean(k->supervised > 0));
    json_object_set_new(o, "supervise_level", json_integer(k->supervised));
    json_object_set_new(o, "rework_count", json_integer(k->rework_count));
    json_object_set_new(o, "rating", k->rating ? json_integer(k->rating) : json_null());
    json_object_set_new(o, "due_at", render_time(k->due_at));
    return o;
}

/* What is left of a running clock (amount: in the clock's own unit, as
 * sla_remaining gives it) as people say it: "超期 3 个工作日",
 * "剩余 2 小时 15 分" (core/wording.h). */
static json_t *remaining_text(const svc_t *s, const sla_clock_def_t *d, double amount)
{
    int64_t day = cal_hours_per_day(s->env.hours) / 60000;
    double minutes;
    wording_clock_t kind;
    char buf[64];
    if (sla_day_based(d)) {
        kind = d->basis == SLA_BASIS_WORKING_DAYS ? WR_WORKING_DAYS : WR_NATURAL;
        minutes = amount * (d->basis == SLA_BASIS_WORKING_DAYS ? (double)day : 1440.0);
    } else {
        kind = d->basis == SLA_BASIS_WORKING_HOURS ? WR_WORKING_HOURS : WR_NATURAL;
        minutes = amount * (d->unit == SLA_UNIT_MINUTES ? 1.0 : d->unit == SLA_UNIT_HOURS ? 60.0 : 1440.0);
    }
    wording_remaining(kind, minutes, day, buf, sizeof buf);
    return json_string(buf);
}

json_t *render_case_row(svc_t *s, const svc_user_t *u, const db_case_t *k,
                        const db_clock_t *clocks, int nclocks, arena_t *a)
{
    json_t *o = base_case(s, u, k, a), *arr = json_array();
    const sla_policy_t *p = svc_case_policy(s, k);
    dt_ms_t now = svc_now();
    for (int i = 0; i < nclocks; i++) {
        json_t *c = json_pack("{s:s, s:o, s:o, s:o, s:s}",
            "name", clocks[i].name, "started_at", render_time(clocks[i].started_at),
            "deadline", render_time(clocks[i].deadline), "stopped_at", render_time(clocks[i].stopped_at),
            "light", sla_light_name(clocks[i].light));
        /* A running clock: what is left, in its own unit (working days or hours). */
        for (int j = 0; p && j < p->nclocks; j++)
            if (strcmp(p->clock[j].name, clocks[i].name) == 0) {
                json_object_set_new(c, "label", json_string(p->clock[j].label));
                if (clocks[i].deadline && !clocks[i].stopped_at && k->status != CASE_ST_SUSPENDED) {
                    double left = sla_remaining(&p->clock[j], &s->env, now, clocks[i].deadline);
                    json_object_set_new(c, "remaining", json_real(left));
                    json_object_set_new(c, "remaining_label", json_string(sla_unit_label(&p->clock[j])));
                    json_object_set_new(c, "remaining_text", remaining_text(s, &p->clock[j], left));
                }
            }
        json_array_append_new(arr, c);
    }
    json_object_set_new(o, "clocks", arr);
    return o;
}

static json_t *render_clock(const svc_t *s, const sla_clock_state_t *c)
{
    const sla_clock_def_t *d = c->def;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:f}",
        "name", d->name, "label", d->label, "basis", sla_basis_name(d->basis),
        "unit", sla_day_based(d) ? "days" : sla_unit_name(d->unit),
        "limit", sla_amount_from_units(d, c->started ? c->limit : d->limit));
    json_object_set_new(o, "started_at", c->started ? render_time(c->started_at) : json_null());
    json_object_set_new(o, "deadline", c->started ? render_time(c->deadline) : json_null());
    json_object_set_new(o, "stopped_at", c->stopped ? render_time(c->stopped_at) : json_null());
    json_object_set_new(o, "light", json_string(sla_light_name(c->light)));
    json_object_set_new(o, "light_label", json_string(sla_light_label(c->light)));
    json_object_set_new(o, "state", json_string(!c->started ? "not_started" : c->stopped ? "stopped"
                                                : c->paused ? "paused" : "running"));
    json_object_set_new(o, "remaining", c->started ? json_real(sla_amount_from_units(d, c->remaining)) : json_null());
    json_object_set_new(o, "remaining_label", json_string(sla_unit_label(d)));
    json_object_set_new(o, "remaining_text",
                        c->started && !c->stopped
                            ? remaining_text(s, d, sla_amount_from_units(d, c->remaining))
                            : json_null());
    json_object_set_new(o, "extension", json_real(sla_amount_from_units(d, c->extension)));
    json_object_set_new(o, "on_time", c->stopped ? json_boolean(c->on_time) : json_null());
    return o;
}

/* One history entry; what a client sent with it (the commenter's name and
 * e-mail) only for the roles that see personal data. */
static json_t *render_event(const case_event_t *e, int seq, bool pii)
{
    json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:o, s:o, s:o}", "seq", seq,
        "action", case_action_name(e->action), "action_label", case_action_label(e->action),
        "role", role_name(e->role), "actor", str_or_null(e->actor),
        "actor_unit", str_or_null(e->actor_unit), "at", render_time(e->at));
    if (e->reason) json_object_set_new(o, "reason", json_string(e->reason));
    if (e->note) json_object_set_new(o, "note", json_string(e->note));
    if (e->to_unit) json_object_set_new(o, "to_unit", json_string(e->to_unit));
    if (e->result) json_object_set_new(o, "result", json_string(e->result));
    if (e->clock) json_object_set_new(o, "clock", json_string(e->clock));
    if (e->amount) json_object_set_new(o, "amount", json_real(e->amount));
    if (e->level) json_object_set_new(o, "level", json_integer(e->level));
    if (e->rating) json_object_set_new(o, "rating", json_integer(e->rating));
    if (e->into) json_object_set_new(o, "into", json_string(e->into));
    if (e->ext_id) json_object_set_new(o, "ext_id", json_string(e->ext_id));
    if (e->extra && pii) {
        json_error_t je;
        json_t *x = json_loads(e->extra, 0, &je);
        if (x)
            json_object_set_new(o, "extra", x);
    }
    return o;
}

/* An attachment as u may see it: where the photo was taken only for the
 * roles that see personal data. */
json_t *render_attachment(const svc_user_t *u, const db_attachment_t *f)
{
    bool image = media_is_image(media_from_name(f->type));
    json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:o, s:o, s:s, s:o}", "id",
                          (json_int_t)f->id, "sha256", f->sha256, "type", f->type, "size",
                          (json_int_t)f->size, "stage", f->stage, "name", str_or_null(f->name),
                          "taken_at", render_time(f->taken_at), "uploaded_by", f->uploaded_by,
                          "at", render_time(f->at));
    char url[64];
    json_object_set_new(o, "case", f->case_id ? json_integer(f->case_id) : json_null());
    snprintf(url, sizeof url, "/api/v1/attachments/%lld", (long long)f->id);
    json_object_set_new(o, "url", json_string(url));
    snprintf(url, sizeof url, "/api/v1/attachments/%lld/thumbnail", (long long)f->id);
    json_object_set_new(o, "thumbnail_url", image ? json_string(url) : json_null());
    if (svc_sees_pii(u->role))
        json_object_set_new(o, "location", f->has_gps ? json_pack("{s:f, s:f}", "lat", f->lat, "lng", f->lng)
                                                      : json_null());
    return o;
}

json_t *render_case_view(svc_t *s, const svc_user_t *u, const svc_case_view_t *v, arena_t *a)
{
    json_t *o = base_case(s, u, &v->k, a), *clocks = json_array(), *hist = json_array(),
           *allowed = json_array(), *warn = json_array();
    unsigned flags = 0;

    for (int i = 0; i < v->policy->nclocks; i++) {
        json_array_append_new(clocks, render_clock(s, &v->clocks[i]));
        flags |= v->clocks[i].cal_flags;
    }
    for (int i = 0; i < v->nevents; i++)
        json_array_append_new(hist, render_event(&v->events[i], i + 1, svc_sees_pii(u->role)));
    for (int act = 0; act < CASE_ACT__COUNT; act++)
        if ((v->allowed >> act) & 1u)
            json_array_append_new(allowed, json_pack("{s:s, s:s}", "action",
                case_action_name((case_action_t)act), "label", case_action_label((case_action_t)act)));
    if (flags & CAL_F_UNPUBLISHED)
        json_array_append_new(warn, json_pack("{s:s, s:s}", "code", "unpublished_year",
            "message", "时限计算涉及尚未公布节假日安排的年份，按周一至周五推算"));
    json_object_set_new(o, "policy", json_string(v->policy->name));
    json_object_set_new(o, "clocks", clocks);
    json_object_set_new(o, "history", hist);
    json_object_set_new(o, "allowed_actions", allowed);
    json_object_set_new(o, "warnings", warn);
    if (v->files) { /* the single-case read lists them; a write's answer does not */
        json_t *files = json_array();
        for (int i = 0; i < v->nfiles; i++)
            json_array_append_new(files, render_attachment(u, &v->files[i]));
        json_object_set_new(o, "attachments", files);
    }
    /* what the reporter's client sent with the case (Open311 attributes,
     * those the service does not define under "x-unknown") */
    {
        json_error_t je;
        json_t *attrs = v->k.attributes ? json_loads(v->k.attributes, 0, &je) : NULL;
        json_object_set_new(o, "attributes", attrs ? attrs : json_null());
    }
    return o;
}

static json_t *clocks_json(const sla_policy_t *p)
{
    json_t *clocks = json_array();
    for (int k = 0; k < p->nclocks; k++) {
        const sla_clock_def_t *d = &p->clock[k];
        json_array_append_new(clocks, json_pack("{s:s, s:s, s:s, s:s, s:b, s:f, s:f, s:f, s:f}",
            "name", d->name, "label", d->label, "basis", sla_basis_name(d->basis),
            "unit", sla_day_based(d) ? "days" : sla_unit_name(d->unit), "civil", d->civil,
            "limit", sla_amount_from_units(d, d->limit), "yellow", sla_amount_from_units(d, d->yellow),
            "red", sla_amount_from_units(d, d->red),
            "max_extension", sla_amount_from_units(d, d->max_extension)));
    }
    return clocks;
}

json_t *render_categories(const svc_catver_t *v)
{
    const cat_set_t *set = v->set;
    json_t *arr = json_array(), *policies = json_array();
    for (int i = 0; i < set->ncats; i++) {
        const cat_t *c = &set->cats[i];
        const sla_policy_t *p = &set->policies[c->policy];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:{s:s, s:s, s:o}}",
            "code", c->code, "name", c->name, "kind", cat_kind_name(c->kind),
            "kind_label", cat_kind_label(c->kind), "parent", str_or_null(c->parent),
            "default_unit_type", cat_unit_type_name(c->default_unit_type),
            "default_department", str_or_null(c->default_department),
            "register_standard", c->register_standard, "close_standard", c->close_standard,
            "policy", "key", set->policy_keys[c->policy], "name", p->name, "clocks", clocks_json(p)));
    }
    for (int k = 0; k < set->npolicies; k++) {
        json_t *codes = json_array();
        for (int i = 0; i < set->ncats; i++)
            if (set->cats[i].policy == k)
                json_array_append_new(codes, json_string(set->cats[i].code));
        json_array_append_new(policies, json_pack("{s:s, s:s, s:o, s:o}", "key", set->policy_keys[k],
            "name", set->policies[k].name, "categories", codes, "clocks", clocks_json(&set->policies[k])));
    }
    return json_pack("{s:o, s:i, s:o, s:o, s:o, s:o}", "items", arr, "version", v->version,
                     "updated_at", render_time(v->at), "updated_by", str_or_null(v->by),
                     "source", str_or_null(v->source), "policies", policies);
}
