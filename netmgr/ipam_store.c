/* SPDX-License-Identifier: MIT */
/* netmgr/ipam_store: <root>/net/state.json (networks, leases, published ports) under flock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/file.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/fdutil.h"
#include "common/strv.h"
#include "common/xalloc.h"
#include "netmgr/ipam.h"

static void jsonp(json_t **j)
{
        if (*j)
                json_decref(*j);
}
#define cleanup_json CLEANUP(jsonp)

static const char *jstr(json_t *o, const char *k)
{
        const char *s = json_string_value(json_object_get(o, k));

        return s ? s : "";
}

static char **jstrv(json_t *a)
{
        char **v = NULL;
        size_t i;
        json_t *e;

        json_array_foreach(a, i, e) if (json_is_string(e)) v = strv_push(v, json_string_value(e));
        return v;
}

static json_t *strv_json(char **v)
{
        json_t *a = json_array();

        strv_foreach (s, v)
                json_array_append_new(a, json_string(s));
        return a;
}

static int parse_state(struct ipam_state *st, json_t *root, struct berr **err)
{
        json_t *nets = json_object_get(root, "networks"), *ports = json_object_get(root, "ports");
        json_t *jn, *jp;
        size_t i;

        json_array_foreach(nets, i, jn)
        {
                struct ipam_net *n = ipam_state_add_net(st, jstr(jn, "full_name"));
                json_t *jl;
                size_t k;

                n->project = xstrdup(jstr(jn, "project"));
                n->name = xstrdup(jstr(jn, "name"));
                n->bridge = xstrdup(jstr(jn, "bridge"));
                if (ipam_parse_cidr(jstr(jn, "subnet"), false, &n->subnet, err) < 0 ||
                    ipam_parse_addr(jstr(jn, "gateway"), &n->gateway) < 0)
                        return berr_msg(err, EINVAL, "%s: network %s: bad subnet or gateway",
                                        st->path, n->full_name);
                n->mtu = (int)json_integer_value(json_object_get(jn, "mtu"));
                n->route_mtu = (int)json_integer_value(json_object_get(jn, "route_mtu"));
                n->internal = json_is_true(json_object_get(jn, "internal"));
                n->users = jstrv(json_object_get(jn, "users"));
                json_array_foreach(json_object_get(jn, "leases"), k, jl)
                {
                        struct ipam_lease *l = ipam_net_add_lease(n, jstr(jl, "container"));

                        if (ipam_parse_addr(jstr(jl, "address"), &l->addr) < 0)
                                return berr_msg(err, EINVAL, "%s: lease %s: bad address", st->path,
                                                l->container);
                        l->ifindex = (int)json_integer_value(json_object_get(jl, "ifindex"));
                        l->names = jstrv(json_object_get(jl, "names"));
                        l->links = jstrv(json_object_get(jl, "links"));
                }
        }
        json_array_foreach(ports, i, jp)
        {
                struct ipam_port *p = ipam_state_add_port(st);

                p->project = xstrdup(jstr(jp, "project"));
                p->container = xstrdup(jstr(jp, "container"));
                p->host_ip = xstrdup(jstr(jp, "host_ip"));
                p->host_port = (uint16_t)json_integer_value(json_object_get(jp, "host_port"));
                p->container_port =
                        (uint16_t)json_integer_value(json_object_get(jp, "container_port"));
                p->proto = (int)json_integer_value(json_object_get(jp, "proto"));
                p->random = json_is_true(json_object_get(jp, "random"));
        }
        return 0;
}

int ipam_state_load(const char *root, struct ipam_state **ret, struct berr **err)
{
        cleanup_free char *dir = xasprintf("%s/net", root);
        cleanup_free char *lock = xasprintf("%s/net/lock", root);
        cleanup_free char *buf = NULL;
        CLEANUP(ipam_state_freep) struct ipam_state *st = xcalloc(1, sizeof(*st));
        cleanup_json json_t *j = NULL;
        json_error_t je;
        int r;

        st->lock_fd = -1;
        st->path = xasprintf("%s/net/state.json", root);
        r = mkdir_p(dir, 0700, err);
        if (r < 0)
                return r;
        st->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (st->lock_fd < 0)
                return berr_set(err, errno, "open %s", lock);
        while (flock(st->lock_fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return berr_set(err, errno, "flock %s", lock);
        r = read_file(st->path, 16 << 20, &buf, NULL, err);
        if (r == -ENOENT) {
                berr_freep(err);
                *ret = TAKE_PTR(st);
                return 0;
        }
        if (r < 0)
                return r;
        j = json_loads(buf, 0, &je);
        if (!j)
                return berr_msg(err, EINVAL, "%s:%d:%d: %s", st->path, je.line, je.column, je.text);
        r = parse_state(st, j, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(st);
        return 0;
}

/* temp + rename under the lock: readers never see a partial file and a crashed writer leaves the
 * old one. No fsync: this state describes kernel objects that do not survive a power loss
 * either, and an fsync costs ~3 ms per container attach. */
static int replace_file(const char *path, const char *text, struct berr **err)
{
        cleanup_free char *tmp = xasprintf("%s.tmp", path);
        cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int r;

        if (fd < 0)
                return berr_set(err, errno, "open %s", tmp);
        r = write_all(fd, text, strlen(text));
        if (r < 0) {
                (void)unlink(tmp); /* a full disk leaves no partial temp file behind */
                return berr_set(err, -r, "write %s", tmp);
        }
        if (rename(tmp, path) < 0) {
                r = errno;
                (void)unlink(tmp);
                return berr_set(err, r, "rename %s", path);
        }
        return 0;
}

int ipam_state_save(struct ipam_state *st, struct berr **err)
{
        cleanup_json json_t *root = json_object();
        json_t *nets = json_array(), *ports = json_array();
        cleanup_free char *text = NULL;
        char b[32];

        json_object_set_new(root, "version", json_integer(1));
        json_object_set_new(root, "networks", nets);
        json_object_set_new(root, "ports", ports);
        for (size_t i = 0; i < st->n_nets; i++) {
                struct ipam_net *n = &st->nets[i];
                json_t *jn = json_object(), *leases = json_array();

                json_object_set_new(jn, "full_name", json_string(n->full_name));
                json_object_set_new(jn, "project", json_string(n->project ? n->project : ""));
                json_object_set_new(jn, "name", json_string(n->name ? n->name : ""));
                json_object_set_new(jn, "bridge", json_string(n->bridge ? n->bridge : ""));
                ipam_format_cidr(&n->subnet, b, sizeof(b));
                json_object_set_new(jn, "subnet", json_string(b));
                ipam_format_addr(n->gateway, b, sizeof(b));
                json_object_set_new(jn, "gateway", json_string(b));
                json_object_set_new(jn, "mtu", json_integer(n->mtu));
                if (n->route_mtu)
                        json_object_set_new(jn, "route_mtu", json_integer(n->route_mtu));
                json_object_set_new(jn, "internal", json_boolean(n->internal));
                json_object_set_new(jn, "users", strv_json(n->users));
                for (size_t k = 0; k < n->n_leases; k++) {
                        json_t *jl = json_object();

                        json_object_set_new(jl, "container", json_string(n->leases[k].container));
                        ipam_format_addr(n->leases[k].addr, b, sizeof(b));
                        json_object_set_new(jl, "address", json_string(b));
                        json_object_set_new(jl, "ifindex", json_integer(n->leases[k].ifindex));
                        json_object_set_new(jl, "names", strv_json(n->leases[k].names));
                        if (n->leases[k].links && n->leases[k].links[0])
                                json_object_set_new(jl, "links", strv_json(n->leases[k].links));
                        json_array_append_new(leases, jl);
                }
                json_object_set_new(jn, "leases", leases);
                json_array_append_new(nets, jn);
        }
        for (size_t i = 0; i < st->n_ports; i++) {
                struct ipam_port *p = &st->ports[i];
                json_t *jp = json_object();

                json_object_set_new(jp, "project", json_string(p->project));
                json_object_set_new(jp, "container", json_string(p->container));
                json_object_set_new(jp, "host_ip", json_string(p->host_ip ? p->host_ip : ""));
                json_object_set_new(jp, "host_port", json_integer(p->host_port));
                json_object_set_new(jp, "container_port", json_integer(p->container_port));
                json_object_set_new(jp, "proto", json_integer(p->proto));
                json_object_set_new(jp, "random", json_boolean(p->random));
                json_array_append_new(ports, jp);
        }
        text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
        return replace_file(st->path, text, err);
}

static void lease_done(struct ipam_lease *l)
{
        free(l->container);
        strv_free(l->names);
        strv_free(l->links);
}

static void net_done(struct ipam_net *n)
{
        free(n->full_name);
        free(n->project);
        free(n->name);
        free(n->bridge);
        strv_free(n->users);
        for (size_t k = 0; k < n->n_leases; k++)
                lease_done(&n->leases[k]);
        free(n->leases);
}

static void port_done(struct ipam_port *p)
{
        free(p->project);
        free(p->container);
        free(p->host_ip);
}

void ipam_state_free(struct ipam_state *st)
{
        if (!st)
                return;
        for (size_t i = 0; i < st->n_nets; i++)
                net_done(&st->nets[i]);
        free(st->nets);
        for (size_t i = 0; i < st->n_ports; i++)
                port_done(&st->ports[i]);
        free(st->ports);
        if (st->lock_fd >= 0)
                close(st->lock_fd); /* releases the flock */
        free(st->path);
        free(st);
}

void ipam_state_freep(struct ipam_state **st)
{
        ipam_state_free(*st);
        *st = NULL;
}

struct ipam_net *ipam_state_find_net(struct ipam_state *st, const char *full_name)
{
        for (size_t i = 0; i < st->n_nets; i++)
                if (strcmp(st->nets[i].full_name, full_name) == 0)
                        return &st->nets[i];
        return NULL;
}

struct ipam_net *ipam_state_add_net(struct ipam_state *st, const char *full_name)
{
        struct ipam_net *n;

        st->nets = xrealloc(st->nets, (st->n_nets + 1) * sizeof(*st->nets));
        n = &st->nets[st->n_nets++];
        memset(n, 0, sizeof(*n));
        n->full_name = xstrdup(full_name);
        return n;
}

void ipam_state_del_net(struct ipam_state *st, const char *full_name)
{
        struct ipam_net *n = ipam_state_find_net(st, full_name);
        size_t i;

        if (!n)
                return;
        i = (size_t)(n - st->nets);
        net_done(n);
        memmove(&st->nets[i], &st->nets[i + 1], (st->n_nets - i - 1) * sizeof(*n));
        st->n_nets--;
}

struct ipam_lease *ipam_net_find_lease(struct ipam_net *n, const char *container)
{
        for (size_t k = 0; k < n->n_leases; k++)
                if (strcmp(n->leases[k].container, container) == 0)
                        return &n->leases[k];
        return NULL;
}

struct ipam_lease *ipam_net_add_lease(struct ipam_net *n, const char *container)
{
        struct ipam_lease *l;

        n->leases = xrealloc(n->leases, (n->n_leases + 1) * sizeof(*n->leases));
        l = &n->leases[n->n_leases++];
        memset(l, 0, sizeof(*l));
        l->container = xstrdup(container);
        return l;
}

void ipam_net_del_lease(struct ipam_net *n, const char *container)
{
        struct ipam_lease *l = ipam_net_find_lease(n, container);
        size_t k;

        if (!l)
                return;
        k = (size_t)(l - n->leases);
        lease_done(l);
        memmove(&n->leases[k], &n->leases[k + 1], (n->n_leases - k - 1) * sizeof(*l));
        n->n_leases--;
}

void ipam_state_del_ports(struct ipam_state *st, const char *project)
{
        size_t o = 0;

        for (size_t i = 0; i < st->n_ports; i++) {
                if (strcmp(st->ports[i].project, project) == 0)
                        port_done(&st->ports[i]);
                else
                        st->ports[o++] = st->ports[i];
        }
        st->n_ports = o;
}

struct ipam_port *ipam_state_add_port(struct ipam_state *st)
{
        struct ipam_port *p;

        st->ports = xrealloc(st->ports, (st->n_ports + 1) * sizeof(*st->ports));
        p = &st->ports[st->n_ports++];
        memset(p, 0, sizeof(*p));
        return p;
}
