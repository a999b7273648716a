/*
 * checker.c — runs as a container's process and checks what it sees
 * against the config.json the container was created from.
 *
 * run.py compiles it with `cc -static -O2` (the rootfs is busybox-static:
 * no libc inside), bind-mounts it with a copy of the final config.json at
 * /conformance, and starts it as process.args[0]. It prints one line per
 * check to $OCI_CHECK_OUT (default stdout):
 *
 *     ok <requirement id> - <what was checked>
 *     not ok <requirement id> - <what was expected and what was seen>
 *     skip <requirement id> - <why the check cannot be made here>
 *
 * The requirement ids are those of requirements.tsv; run.py folds all the
 * lines of one id into that requirement's TAP line.
 *
 * What the container cannot know by itself comes in the environment:
 *   OCI_HOST_NS   "mnt=4026531840,pid=…": the runtime's namespaces' inodes
 *   OCI_JOIN_NS   "net=…": inodes of the namespaces given by linux.namespaces[].path
 *   OCI_HOST_OOM  the runner's oom_score_adj (inherited when oomScoreAdj is unset)
 *
 * The config is parsed by the small JSON reader below (standard library
 * only, so that the static binary stays small and has no dependency).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

static FILE *out;

static void report(const char *status, const char *id, const char *fmt, ...)
{
    va_list ap;
    fprintf(out, "%s %s - ", status, id);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
}

#define OK(id, ...) report("ok", id, __VA_ARGS__)
#define FAIL(id, ...) report("not ok", id, __VA_ARGS__)
#define SKIP(id, ...) report("skip", id, __VA_ARGS__)
#define CHECK(cond, id, ...) ((cond) ? OK(id, __VA_ARGS__) : FAIL(id, __VA_ARGS__))

/* ------------------------------------------------------------------------
 * A minimal JSON reader: enough for config.json (no \u escapes beyond ASCII). */

enum jtype { JNULL, JBOOL, JNUM, JSTR, JARR, JOBJ };
struct json {
    enum jtype type;
    double num;
    int boolean;
    char *str;              /* JSTR; the key for members of an object */
    struct json *child;     /* JARR, JOBJ: first element */
    struct json *next;      /* next element */
    char *key;
};

static const char *jp;

static void jskip(void) { while (isspace((unsigned char)*jp)) jp++; }

static char *jstring(void)
{
    char *buf = malloc(strlen(jp) + 1), *o = buf;
    jp++; /* opening quote */
    while (*jp && *jp != '"') {
        if (*jp == '\\') {
            jp++;
            switch (*jp) {
            case 'n': *o++ = '\n'; break;
            case 't': *o++ = '\t'; break;
            case 'r': *o++ = '\r'; break;
            case 'b': *o++ = '\b'; break;
            case 'f': *o++ = '\f'; break;
            case 'u': {
                unsigned v = 0;
                sscanf(jp + 1, "%4x", &v);
                *o++ = v < 0x80 ? (char)v : '?';
                jp += 4;
                break;
            }
            default: *o++ = *jp;
            }
            jp++;
        } else {
            *o++ = *jp++;
        }
    }
    if (*jp) jp++;
    *o = 0;
    return buf;
}

static struct json *jvalue(void)
{
    struct json *v = calloc(1, sizeof *v), **tail;
    jskip();
    if (*jp == '{' || *jp == '[') {
        char close = *jp == '{' ? '}' : ']';
        v->type = *jp == '{' ? JOBJ : JARR;
        jp++;
        tail = &v->child;
        for (;;) {
            char *key = NULL;
            jskip();
            if (*jp == close) { jp++; break; }
            if (*jp == ',') { jp++; continue; }
            if (!*jp) break;
            if (v->type == JOBJ) {
                key = jstring();
                jskip();
                if (*jp == ':') jp++;
            }
            *tail = jvalue();
            (*tail)->key = key;
            tail = &(*tail)->next;
        }
    } else if (*jp == '"') {
        v->type = JSTR;
        v->str = jstring();
    } else if (!strncmp(jp, "true", 4) || !strncmp(jp, "false", 5)) {
        v->type = JBOOL;
        v->boolean = *jp == 't';
        jp += v->boolean ? 4 : 5;
    } else if (!strncmp(jp, "null", 4)) {
        v->type = JNULL;
        jp += 4;
    } else {
        char *end;
        v->type = JNUM;
        v->num = strtod(jp, &end);
        jp = end > jp ? end : jp + 1;
    }
    return v;
}

static struct json *jget(struct json *o, const char *path)
{
    /* "process.user.uid": members of nested objects */
    char part[128];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        snprintf(part, sizeof part, "%.*s", (int)n, path);
        path += n + (path[n] == '.');
        if (o->type != JOBJ) return NULL;
        struct json *c;
        for (c = o->child; c && strcmp(c->key, part); c = c->next)
            ;
        o = c;
    }
    return o;
}

static const char *jstr(struct json *o, const char *path)
{
    struct json *v = jget(o, path);
    return v && v->type == JSTR ? v->str : NULL;
}

static int jhas_string(struct json *array, const char *s)
{
    for (struct json *c = array ? array->child : NULL; c; c = c->next)
        if (c->type == JSTR && !strcmp(c->str, s)) return 1;
    return 0;
}

#define FOREACH(var, array) for (struct json *var = (array) ? (array)->child : NULL; var; var = var->next)

/* ------------------------------------------------------------------------
 * Small helpers */

static char *read_file(const char *path, ssize_t *length)
{
    static char buf[1 << 20];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = -1, total = 0;
    if (fd < 0) { if (length) *length = -1; return NULL; }
    while (total < (ssize_t)sizeof buf - 1 && (n = read(fd, buf + total, sizeof buf - 1 - total)) > 0)
        total += n;
    close(fd);
    buf[total] = 0;
    if (length) *length = n < 0 ? -1 : total;
    return buf;
}

/* "Name:\tvalue" from /proc/self/status, copied. */
static char *status_field(const char *name)
{
    char *text = read_file("/proc/self/status", NULL), *p;
    size_t n = strlen(name);
    for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (!strncmp(p, name, n) && p[n] == ':') {
            p += n + 1;
            while (*p == '\t' || *p == ' ') p++;
            return strndup(p, strcspn(p, "\n"));
        }
        if (!strchr(p, '\n')) break;
    }
    return strdup("");
}

/* "key=value,key=value" lookup in an environment variable. */
static long long env_map(const char *var, const char *key)
{
    const char *s = getenv(var);
    size_t n = strlen(key);
    while (s && *s) {
        if (!strncmp(s, key, n) && s[n] == '=') return atoll(s + n + 1);
        s = strchr(s, ',');
        if (s) s++;
    }
    return -1;
}

static int has_token(const char *list, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && !strncmp(p, token, n)) return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

static int has_prefix_token(const char *list, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len >= n && !strncmp(p, prefix, n)) return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Process: args, env, cwd, user, umask, rlimits, caps, nnp, oom, personality */

static void check_args(struct json *config, int argc, char **argv)
{
    struct json *args = jget(config, "process.args");
    int i = 0, same = 1;
    FOREACH(a, args) {
        if (i >= argc || !a->str || strcmp(a->str, argv[i])) same = 0;
        i++;
    }
    CHECK(same && i == argc, "config.process.args", "argv is process.args (%d arguments)", argc);
}

static void check_env(struct json *config, char **envp)
{
    int missing = 0;
    FOREACH(e, jget(config, "process.env")) {
        int found = 0;
        for (char **p = envp; *p; p++)
            if (!strcmp(*p, e->str)) found = 1;
        if (!found) {
            missing++;
            FAIL("config.process.env", "%s is not in the environment", e->str);
        }
    }
    if (!missing) OK("config.process.env", "every process.env entry is in the environment");
}

static void check_cwd(struct json *config)
{
    char cwd[4096];
    const char *want = jstr(config, "process.cwd");
    if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "?");
    CHECK(want && !strcmp(cwd, want), "config.process.cwd", "cwd is %s (config: %s)", cwd, want ? want : "-");
}

static void check_user(struct json *config)
{
    struct json *user = jget(config, "process.user");
    long uid = (long)jget(user, "uid")->num, gid = (long)jget(user, "gid")->num;
    CHECK(getuid() == (uid_t)uid && geteuid() == (uid_t)uid, "config.process.user.uid", "uid %d (config %ld)", getuid(), uid);
    CHECK(getgid() == (gid_t)gid && getegid() == (gid_t)gid, "config.process.user.gid", "gid %d (config %ld)", getgid(), gid);

    struct json *extra = jget(user, "additionalGids");
    if (extra) {
        gid_t groups[256];
        int n = getgroups(256, groups), all = 1, count = 0;
        FOREACH(g, extra) {
            int found = 0;
            count++;
            for (int i = 0; i < n; i++)
                if (groups[i] == (gid_t)g->num) found = 1;
            all &= found;
        }
        CHECK(all, "config.process.user.additionalGids", "the %d additionalGids are among the %d supplementary groups", count, n);
    }
    struct json *umask_value = jget(user, "umask");
    if (umask_value) {
        char *have = status_field("Umask");
        long got = strtol(have, NULL, 8);
        CHECK(got == (long)umask_value->num, "config.process.user.umask", "umask %04lo (config %04lo)", got, (long)umask_value->num);
    }
}

static const struct { const char *name; int resource; } rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS}, {"RLIMIT_CORE", RLIMIT_CORE}, {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA}, {"RLIMIT_FSIZE", RLIMIT_FSIZE}, {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_NPROC", RLIMIT_NPROC}, {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO}, {"RLIMIT_RTTIME", RLIMIT_RTTIME}, {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static void check_rlimits(struct json *config)
{
    FOREACH(r, jget(config, "process.rlimits")) {
        const char *type = jstr(r, "type");
        int resource = -1;
        for (size_t i = 0; i < sizeof rlimit_names / sizeof *rlimit_names; i++)
            if (type && !strcmp(type, rlimit_names[i].name)) resource = rlimit_names[i].resource;
        struct rlimit lim;
        if (resource < 0 || getrlimit(resource, &lim) != 0) {
            FAIL("config.process.rlimits.getrlimit", "getrlimit(%s) failed", type ? type : "?");
            continue;
        }
        OK("config.process.rlimits.getrlimit", "getrlimit(%s) succeeds", type);
        unsigned long long soft = (unsigned long long)jget(r, "soft")->num, hard = (unsigned long long)jget(r, "hard")->num;
        CHECK(lim.rlim_cur == soft, "config.process.rlimits.soft", "%s rlim_cur %llu (config %llu)", type, (unsigned long long)lim.rlim_cur, soft);
        CHECK(lim.rlim_max == hard, "config.process.rlimits.hard", "%s rlim_max %llu (config %llu)", type, (unsigned long long)lim.rlim_max, hard);
    }
}

static const char *cap_names[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
    "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

static void check_capabilities(struct json *config)
{
    static const struct { const char *set, *field; } sets[] = {
        {"bounding", "CapBnd"}, {"effective", "CapEff"}, {"inheritable", "CapInh"},
        {"permitted", "CapPrm"}, {"ambient", "CapAmb"},
    };
    struct json *caps = jget(config, "process.capabilities");
    if (!caps) return; /* unset: the spec does not say what a process then has */
    /* Capabilities the runtime itself lacks cannot be granted (the spec says
     * to warn, not fail): they are left out of the comparison. */
    unsigned long long grantable = strtoull(getenv("OCI_HOST_CAPBND") ? getenv("OCI_HOST_CAPBND") : "ffffffffffffffff", NULL, 16);
    for (size_t s = 0; s < sizeof sets / sizeof *sets; s++) {
        char id[64];
        snprintf(id, sizeof id, "config.process.capabilities.%s", sets[s].set);
        unsigned long long want = 0, have = strtoull(status_field(sets[s].field), NULL, 16);
        FOREACH(c, jget(caps, sets[s].set))
            for (size_t i = 0; i < sizeof cap_names / sizeof *cap_names; i++)
                if (c->str && !strcmp(c->str, cap_names[i])) want |= 1ULL << i;
        want &= grantable;
        have &= grantable;
        CHECK(want == have, id, "%s %016llx (config %016llx, among the runtime's %016llx)", sets[s].field, have, want, grantable);
    }
}

static void check_simple_process(struct json *config)
{
    struct json *nnp = jget(config, "process.noNewPrivileges");
    char *have = status_field("NoNewPrivs");
    int want = nnp && nnp->boolean;
    CHECK(atoi(have) == want, "config.process.noNewPrivileges", "NoNewPrivs %s (config %d)", have, want);

    struct json *oom = jget(config, "process.oomScoreAdj");
    char *text = read_file("/proc/self/oom_score_adj", NULL);
    long got = text ? atol(text) : -99999;
    if (oom)
        CHECK(got == (long)oom->num, "config.process.oomScoreAdj.set", "oom_score_adj %ld (config %ld)", got, (long)oom->num);
    else
        CHECK(got == env_map("OCI_HOST", "oom"), "config.process.oomScoreAdj.unset",
              "oom_score_adj %ld, the runtime's caller's %lld", got, env_map("OCI_HOST", "oom"));

    const char *domain = jstr(config, "linux.personality.domain");
    if (domain) {
        int pers = personality(0xffffffff) & PER_MASK;
        int want_pers = !strcmp(domain, "LINUX32") ? PER_LINUX32 : PER_LINUX;
        CHECK(pers == want_pers, "config-linux.personality", "personality %#x (config %s)", pers, domain);
    }
}

/* ------------------------------------------------------------------------
 * process.scheduler, process.ioPriority, linux.memoryPolicy: what the
 * kernel says about this process */

struct sched_attr_ {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t util_min, util_max;
};

static const struct { const char *name; int value; } sched_policies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2}, {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4}, {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};

static int lookup(const char *name, int fallback, const char *const *names, int count)
{
    for (int i = 0; name && i < count; i++)
        if (names[i] && !strcmp(names[i], name)) return i;
    return fallback;
}

static void check_scheduler(struct json *config)
{
    struct json *sched = jget(config, "process.scheduler");
    if (!sched) return;
    const char *policy = jstr(sched, "policy");
    int want = -1;
    for (size_t i = 0; policy && i < sizeof sched_policies / sizeof *sched_policies; i++)
        if (!strcmp(policy, sched_policies[i].name)) want = sched_policies[i].value;
    struct sched_attr_ attr = {0};
    long r = syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0);
    if (r != 0) {
        FAIL("config.process.scheduler.policy", "sched_getattr: %s", strerror(errno));
        return;
    }
    CHECK((int)attr.sched_policy == want, "config.process.scheduler.policy",
          "sched_getattr policy %u (config %s = %d)", attr.sched_policy, policy ? policy : "(none)", want);
    struct json *nice = jget(sched, "nice"), *prio = jget(sched, "priority");
    if (nice)
        CHECK(attr.sched_nice == (int)nice->num, "config.process.scheduler.policy",
              "sched_getattr nice %d (config scheduler.nice %d)", attr.sched_nice, (int)nice->num);
    if (prio)
        CHECK(attr.sched_priority == (unsigned)prio->num, "config.process.scheduler.policy",
              "sched_getattr priority %u (config scheduler.priority %u)", attr.sched_priority, (unsigned)prio->num);
}

static void check_io_priority(struct json *config)
{
    struct json *io = jget(config, "process.ioPriority");
    if (!io) return;
    static const char *const classes[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
    const char *class = jstr(io, "class");
    int want_class = lookup(class, -1, classes, 4);
    struct json *prio = jget(io, "priority");
    int want_prio = prio ? (int)prio->num : 0;
    long got = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
    if (got < 0) {
        FAIL("config.process.ioPriority.class", "ioprio_get: %s", strerror(errno));
        return;
    }
    CHECK((got >> 13) == want_class, "config.process.ioPriority.class",
          "ioprio_get class %ld (config %s = %d)", got >> 13, class ? class : "(none)", want_class);
    CHECK((got & 0x1fff) == want_prio, "config.process.ioPriority.priority",
          "ioprio_get level %ld (config priority %d)", got & 0x1fff, want_prio);
}

static void check_memory_policy(struct json *config)
{
    struct json *policy = jget(config, "linux.memoryPolicy");
    if (!policy) return;
    static const char *const modes[] = {"MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE",
                                        "MPOL_LOCAL", "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE"};
    const char *mode = jstr(policy, "mode");
    int want = lookup(mode, -1, modes, 7);
    int got = -1;
    unsigned long mask[16] = {0};
    if (syscall(SYS_get_mempolicy, &got, mask, sizeof mask * 8, 0, 0) != 0) {
        FAIL("config-linux.memoryPolicy.mode", "get_mempolicy: %s", strerror(errno));
        return;
    }
    int flags = got & ~0xff;  /* MPOL_F_STATIC_NODES (1<<15), MPOL_F_RELATIVE_NODES (1<<14), … */
    CHECK((got & 0xff) == want, "config-linux.memoryPolicy.mode", "get_mempolicy mode %d flags %#x (config %s = %d)",
          got & 0xff, flags, mode ? mode : "(none)", want);
    const char *nodes = jstr(policy, "nodes");
    if (nodes && want != 0 && want != 4) {
        unsigned long want_mask[16] = {0};
        for (const char *p = nodes; *p;) {  /* "0-2,5" */
            char *end;
            long lo = strtol(p, &end, 10), hi = lo;
            if (*end == '-') hi = strtol(end + 1, &end, 10);
            for (long n = lo; n <= hi && n < 1024; n++) want_mask[n / 64] |= 1UL << (n % 64);
            p = *end == ',' ? end + 1 : end;
            if (end == p && *p) break;
        }
        CHECK(!memcmp(mask, want_mask, sizeof mask), "config-linux.memoryPolicy.mode",
              "get_mempolicy nodemask %#lx (config nodes \"%s\" = %#lx)", mask[0], nodes, want_mask[0]);
    }
}

/* ------------------------------------------------------------------------
 * Namespaces, hostname, sysctl */

static const struct { const char *type, *proc; } ns_names[] = {
    {"pid", "pid"}, {"network", "net"}, {"mount", "mnt"}, {"ipc", "ipc"},
    {"uts", "uts"}, {"user", "user"}, {"cgroup", "cgroup"}, {"time", "time"},
};

static void check_namespaces(struct json *config)
{
    struct json *list = jget(config, "linux.namespaces");
    for (size_t i = 0; i < sizeof ns_names / sizeof *ns_names; i++) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof path, "/proc/self/ns/%s", ns_names[i].proc);
        if (stat(path, &st) != 0) {
            SKIP("config-linux.namespaces.new", "%s: %s (kernel without that namespace)", path, strerror(errno));
            continue;
        }
        long long host = env_map("OCI_HOST_NS", ns_names[i].proc);
        long long joined = env_map("OCI_JOIN_NS", ns_names[i].proc);
        struct json *entry = NULL;
        FOREACH(n, list)
            if (jstr(n, "type") && !strcmp(jstr(n, "type"), ns_names[i].type)) entry = n;
        if (!entry)
            CHECK((long long)st.st_ino == host, "config-linux.namespaces.inherit", "%s not listed: inode %llu is the runtime's %lld",
                  ns_names[i].type, (unsigned long long)st.st_ino, host);
        else if (jstr(entry, "path"))
            CHECK((long long)st.st_ino == joined, "config-linux.namespaces.path-join", "%s joined %s: inode %llu, expected %lld",
                  ns_names[i].type, jstr(entry, "path"), (unsigned long long)st.st_ino, joined);
        else
            CHECK((long long)st.st_ino != host, "config-linux.namespaces.new", "%s: new namespace, inode %llu (runtime's %lld)",
                  ns_names[i].type, (unsigned long long)st.st_ino, host);
    }
}

static void check_id_mappings(struct json *config)
{
    static const char *kinds[][2] = {{"uidMappings", "/proc/self/uid_map"}, {"gidMappings", "/proc/self/gid_map"}};
    for (int k = 0; k < 2; k++) {
        char path[64], *map;
        snprintf(path, sizeof path, "linux.%s", kinds[k][0]);
        struct json *want = jget(config, path);
        if (!want) continue;
        map = strdup(read_file(kinds[k][1], NULL) ? read_file(kinds[k][1], NULL) : "");
        int all = 1;
        FOREACH(m, want) {
            unsigned long c, h, n, found = 0;
            for (char *line = map; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
                if (sscanf(line, "%lu %lu %lu", &c, &h, &n) == 3 && c == (unsigned long)jget(m, "containerID")->num &&
                    h == (unsigned long)jget(m, "hostID")->num && n == (unsigned long)jget(m, "size")->num)
                    found = 1;
            all &= found;
        }
        for (char *p = map; *p; p++) if (*p == '\n') *p = ';';
        CHECK(all, "config-linux.user-namespace-mappings", "%s has every linux.%s entry (%s)", kinds[k][1], kinds[k][0], map);
    }
}

static void check_uts(struct json *config)
{
    struct utsname u;
    uname(&u);
    const char *hostname = jstr(config, "hostname"), *domainname = jstr(config, "domainname");
    if (hostname) CHECK(!strcmp(u.nodename, hostname), "config.hostname", "hostname %s (config %s)", u.nodename, hostname);
    if (domainname) CHECK(!strcmp(u.domainname, domainname), "config.domainname", "domainname %s (config %s)", u.domainname, domainname);
}

static void check_sysctl(struct json *config)
{
    FOREACH(s, jget(config, "linux.sysctl")) {
        char path[512], *value;
        snprintf(path, sizeof path, "/proc/sys/%s", s->key);
        for (char *p = path + 10; *p; p++)
            if (*p == '.') *p = '/';
        value = read_file(path, NULL);
        if (value) value[strcspn(value, "\n")] = 0;
        /* the kernel prints tabs between the fields of multi-value sysctls */
        for (char *p = value; p && *p; p++) if (*p == '\t') *p = ' ';
        CHECK(value && !strcmp(value, s->str), "config-linux.sysctl", "%s = %s (config %s)", s->key, value ? value : "(unreadable)", s->str);
    }
}

/* ------------------------------------------------------------------------
 * Seccomp */

static const struct { const char *name; long nr; } syscall_names[] = {
    {"getcwd", SYS_getcwd}, {"getpriority", SYS_getpriority}, {"uname", SYS_uname},
    {"mkdirat", SYS_mkdirat}, {"fchmodat", SYS_fchmodat}, {"sethostname", SYS_sethostname},
    {"getpgid", SYS_getpgid}, {"getsid", SYS_getsid},
#ifdef SYS_mkdir
    {"mkdir", SYS_mkdir},
#endif
};

/* An argument condition: a value of that argument that meets it (matching)
 * and one that does not. */
static const char *arg_value(struct json *cond, int matching, uint64_t *v)
{
    const char *op = jstr(cond, "op");
    struct json *value = jget(cond, "value"), *two = jget(cond, "valueTwo");
    uint64_t x = value ? (uint64_t)value->num : 0, y = two ? (uint64_t)two->num : 0;
    if (!op) return "no op";
    if (!strcmp(op, "SCMP_CMP_EQ") || !strcmp(op, "SCMP_CMP_GE") || !strcmp(op, "SCMP_CMP_LE"))
        *v = matching ? x : (!strcmp(op, "SCMP_CMP_LE") ? x + 1 : !strcmp(op, "SCMP_CMP_GE") ? x - 1 : x + 1);
    else if (!strcmp(op, "SCMP_CMP_NE")) *v = matching ? x + 1 : x;
    else if (!strcmp(op, "SCMP_CMP_GT")) *v = matching ? x + 1 : x;
    else if (!strcmp(op, "SCMP_CMP_LT")) *v = matching ? x - 1 : x;
    else if (!strcmp(op, "SCMP_CMP_MASKED_EQ")) *v = matching ? y : (y ^ (x & -x)); /* flip the mask's lowest bit */
    else return op;
    return NULL;
}

/* Rules with argument conditions (SCMP_ACT_ERRNO on a syscall we know):
 * called with arguments meeting every condition the syscall answers the
 * rule's errno; with one condition not met, the rule does not apply (the
 * rule's errnoRet is chosen so that the syscall never returns it itself). */
static void check_seccomp_args(struct json *seccomp)
{
    FOREACH(rule, jget(seccomp, "syscalls")) {
        const char *action = jstr(rule, "action");
        struct json *ret = jget(rule, "errnoRet"), *args = jget(rule, "args");
        if (!action || strcmp(action, "SCMP_ACT_ERRNO") || !args || !args->child) continue;
        int want = ret ? (int)ret->num : EPERM;
        FOREACH(name, jget(rule, "names"))
            for (size_t i = 0; i < sizeof syscall_names / sizeof *syscall_names; i++) {
                if (strcmp(name->str, syscall_names[i].name)) continue;
                uint64_t a[6] = {0};
                const char *bad = NULL;
                FOREACH(cond, args) {
                    struct json *index = jget(cond, "index");
                    if (!index || index->num < 0 || index->num > 5) { bad = "index"; break; }
                    if ((bad = arg_value(cond, 1, &a[(int)index->num]))) break;
                }
                if (bad) {
                    SKIP("config-linux.seccomp.args.op", "%s: condition %s not understood by the checker", name->str, bad);
                    continue;
                }
                errno = 0;
                long r = syscall(syscall_names[i].nr, a[0], a[1], a[2], a[3], a[4], a[5]);
                int e = errno;
                FOREACH(cond, args) {
                    const char *op = jstr(cond, "op");
                    CHECK(r == -1 && e == want, "config-linux.seccomp.args.op",
                          "%s(%#llx, %#llx, …) meets every condition (%s on argument %d): returns %ld errno %d (config: errno %d)",
                          name->str, (unsigned long long)a[0], (unsigned long long)a[1], op, (int)jget(cond, "index")->num, r, e, want);
                }
                FOREACH(cond, args) {
                    uint64_t b[6];
                    int index = (int)jget(cond, "index")->num;
                    memcpy(b, a, sizeof b);
                    arg_value(cond, 0, &b[index]);
                    errno = 0;
                    r = syscall(syscall_names[i].nr, b[0], b[1], b[2], b[3], b[4], b[5]);
                    e = errno;
                    int applied = r == -1 && e == want;
                    char what[256];
                    snprintf(what, sizeof what, "%s(%#llx, %#llx, …): argument %d = %#llx does not meet %s %#llx: returns %ld errno %d (rule's errno %d %s)",
                             name->str, (unsigned long long)b[0], (unsigned long long)b[1], index, (unsigned long long)b[index],
                             jstr(cond, "op"), (unsigned long long)(jget(cond, "value") ? jget(cond, "value")->num : 0), r, e, want,
                             applied ? "applied anyway" : "not applied");
                    CHECK(!applied, "config-linux.seccomp.args.index", "%s", what);
                    CHECK(!applied, "config-linux.seccomp.args.value", "%s", what);
                    CHECK(!applied, "config-linux.seccomp.args.op", "%s", what);
                }
            }
    }
}

static void check_seccomp(struct json *config)
{
    struct json *seccomp = jget(config, "linux.seccomp");
    char *mode = status_field("Seccomp");
    if (!seccomp) {
        CHECK(atoi(mode) == 0, "config-linux.seccomp", "no linux.seccomp: Seccomp mode %s", mode);
        return;
    }
    CHECK(atoi(mode) == 2, "config-linux.seccomp", "linux.seccomp: Seccomp mode %s (filter is 2)", mode);
    /* Rules returning an errno on a syscall we know how to call: the filter
     * answers before the kernel looks at the (junk) arguments. */
    FOREACH(rule, jget(seccomp, "syscalls")) {
        const char *action = jstr(rule, "action");
        struct json *ret = jget(rule, "errnoRet");
        if (!action || strcmp(action, "SCMP_ACT_ERRNO") || jget(rule, "args")) continue;
        FOREACH(name, jget(rule, "names"))
            for (size_t i = 0; i < sizeof syscall_names / sizeof *syscall_names; i++) {
                if (strcmp(name->str, syscall_names[i].name)) continue;
                int want = ret ? (int)ret->num : EPERM;
                errno = 0;
                long r = syscall(syscall_names[i].nr, 0, 0, 0, 0);
                CHECK(r == -1 && errno == want, "config-linux.seccomp.errnoRet", "%s() returns %ld errno %d (config: errno %d)",
                      name->str, r, errno, want);
            }
    }
    check_seccomp_args(seccomp);
}

/* ------------------------------------------------------------------------
 * Mounts, from /proc/self/mountinfo */

struct mountinfo {
    int id;
    char point[512], root[512], mnt_opts[512], optional[256], fstype[64], super_opts[1024];
};
static struct mountinfo mounts[1024];
static int nmounts;

static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '\\' && isdigit((unsigned char)s[1])) {
            *o++ = (char)strtol((char[]){s[1], s[2], s[3], 0}, NULL, 8);
            s += 3;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
}

static void load_mountinfo(void)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[4096];
    while (f && nmounts < 1024 && fgets(line, sizeof line, f)) {
        struct mountinfo *m = &mounts[nmounts];
        char *sep = strstr(line, " - "), *tok, *save;
        if (!sep) continue;
        *sep = 0;
        int field = 0;
        m->optional[0] = 0;
        for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save), field++) {
            if (field == 0) m->id = atoi(tok);
            else if (field == 3) snprintf(m->root, sizeof m->root, "%s", tok);
            else if (field == 4) snprintf(m->point, sizeof m->point, "%s", tok);
            else if (field == 5) snprintf(m->mnt_opts, sizeof m->mnt_opts, "%s", tok);
            else if (field > 5) {
                if (m->optional[0]) strncat(m->optional, ",", sizeof m->optional - strlen(m->optional) - 1);
                strncat(m->optional, tok, sizeof m->optional - strlen(m->optional) - 1);
            }
        }
        char source[512];
        sscanf(sep + 3, "%63s %511s %1023s", m->fstype, source, m->super_opts);
        unescape(m->point);
        unescape(m->root);
        nmounts++;
    }
    if (f) fclose(f);
}

/* The index of the n-th (0-based) mountinfo entry at point, or -1. */
static int find_mount(const char *point, int nth)
{
    for (int i = 0; i < nmounts; i++)
        if (!strcmp(mounts[i].point, point) && nth-- == 0) return i;
    return -1;
}

/* The mount that a path lookup of point sees: the last one there. */
static int top_mount(const char *point)
{
    int found = -1;
    for (int i = 0; i < nmounts; i++)
        if (!strcmp(mounts[i].point, point)) found = i;
    return found;
}

/* What each option shows in mountinfo: a token that must be present
 * (or absent) in the per-mount options, the superblock options or the
 * propagation fields. Options not listed have no visible effect. */
enum where { MNT, SUPER, PROPAGATION };
static const struct { const char *option; enum where where; const char *token; int present; } visible[] = {
    {"ro", MNT, "ro", 1},            {"rw", MNT, "rw", 1},
    {"nosuid", MNT, "nosuid", 1},    {"suid", MNT, "nosuid", 0},
    {"nodev", MNT, "nodev", 1},      {"dev", MNT, "nodev", 0},
    {"noexec", MNT, "noexec", 1},    {"exec", MNT, "noexec", 0},
    {"nosymfollow", MNT, "nosymfollow", 1}, {"symfollow", MNT, "nosymfollow", 0},
    {"noatime", MNT, "noatime", 1},  {"atime", MNT, "noatime", 0},
    {"nodiratime", MNT, "nodiratime", 1}, {"diratime", MNT, "nodiratime", 0},
    /* norelatime is not here: without strictatime or noatime the kernel
     * makes every mount relatime, so mount(8)'s norelatime shows nothing */
    {"relatime", MNT, "relatime", 1},
    {"sync", SUPER, "sync", 1},      {"async", SUPER, "sync", 0},
    {"dirsync", SUPER, "dirsync", 1},
    {"lazytime", SUPER, "lazytime", 1}, {"nolazytime", SUPER, "lazytime", 0},
    {"shared", PROPAGATION, "shared:", 1},
    {"slave", PROPAGATION, "master:", 1},
    {"unbindable", PROPAGATION, "unbindable", 1},
};

/* The option without its recursive "r" prefix ("rnosuid" -> "nosuid"). */
static const char *base_option(const char *option)
{
    static const char *plain_r[] = {"ro", "rw", "relatime", "remount", "rbind"};
    if (option[0] != 'r') return option;
    for (size_t i = 0; i < sizeof plain_r / sizeof *plain_r; i++)
        if (!strcmp(option, plain_r[i])) return option;
    return option + 1;
}

static int is_recursive(const char *option) { return base_option(option) != option; }

/* Options that set one property: a later one in a mount's list overrides
 * an earlier one, as with mount(8) ("-o nosuid,suid" is suid). */
static const char *families[][6] = {
    {"suid", "nosuid"}, {"dev", "nodev"}, {"exec", "noexec"}, {"ro", "rw"}, {"symfollow", "nosymfollow"},
    {"atime", "noatime", "relatime", "norelatime", "strictatime", "nostrictatime"}, {"diratime", "nodiratime"},
    {"sync", "async"}, {"lazytime", "nolazytime"}, {"private", "shared", "slave", "unbindable"},
};

static int family(const char *option)
{
    option = base_option(option);
    for (size_t f = 0; f < sizeof families / sizeof *families; f++)
        for (int i = 0; i < 6 && families[f][i]; i++)
            if (!strcmp(option, families[f][i])) return (int)f;
    return -1;
}

static int overridden(struct json *option)
{
    int f = family(option->str);
    for (struct json *later = option->next; f >= 0 && later; later = later->next)
        if (later->type == JSTR && family(later->str) == f && is_recursive(later->str) == is_recursive(option->str))
            return 1;
    return 0;
}

/* One option's visible effect on one mount: 1 holds, 0 does not, -1 not observable. */
static int option_holds(const char *option, const struct mountinfo *m)
{
    option = base_option(option);
    if (!strcmp(option, "strictatime")) return !has_token(m->mnt_opts, "relatime") && !has_token(m->mnt_opts, "noatime");
    if (!strcmp(option, "nostrictatime")) return has_token(m->mnt_opts, "relatime") || has_token(m->mnt_opts, "noatime");
    if (!strcmp(option, "private"))
        return !has_prefix_token(m->optional, "shared:") && !has_prefix_token(m->optional, "master:") &&
               !has_token(m->optional, "unbindable");
    if (!strcmp(option, "slave") && has_prefix_token(m->optional, "shared:")) return 0;
    for (size_t i = 0; i < sizeof visible / sizeof *visible; i++) {
        if (strcmp(option, visible[i].option)) continue;
        const char *list = visible[i].where == MNT ? m->mnt_opts : visible[i].where == SUPER ? m->super_opts : m->optional;
        int found = visible[i].where == PROPAGATION ? has_prefix_token(list, visible[i].token) : has_token(list, visible[i].token);
        return found == visible[i].present;
    }
    return -1;
}

static void check_mounts(struct json *config)
{
    int last_index = -1, in_order = 1, count = 0;
    load_mountinfo();
    FOREACH(m, jget(config, "mounts")) {
        char dest[512];
        const char *d = jstr(m, "destination"), *type = jstr(m, "type");
        struct json *options = jget(m, "options");
        int bind = jhas_string(options, "bind") || jhas_string(options, "rbind") || (type && !strcmp(type, "bind"));
        snprintf(dest, sizeof dest, "%s%s", d[0] == '/' ? "" : "/", d);
        if (strlen(dest) > 1 && dest[strlen(dest) - 1] == '/') dest[strlen(dest) - 1] = 0;
        /* the n-th config mount at dest is the n-th mountinfo entry there */
        int nth = 0;
        for (struct json *e = jget(config, "mounts")->child; e != m; e = e->next)
            if (!strcmp(jstr(e, "destination"), d)) nth++;
        int i = find_mount(dest, nth);
        const char *id = d[0] == '/' ? "config.mounts" : "config.mounts.destination-relative";
        if (i < 0) {
            FAIL(id, "no mount at %s", dest);
            continue;
        }
        count++;
        if (d[0] != '/') OK(id, "relative destination %s is mounted at %s", d, dest);
        if (i < last_index) in_order = 0;
        last_index = i;
        struct mountinfo *mi = &mounts[i];
        if (type && !bind && strcmp(type, "none"))
            CHECK(!strcmp(mi->fstype, type), "config.mounts", "%s: type %s (config %s)", dest, mi->fstype, type);
        if (bind) {
            /* the runner puts a file named "marker" in every bind source */
            char marker[600];
            snprintf(marker, sizeof marker, "%s/marker", dest);
            if (access(marker, F_OK) == 0 || !strcmp(dest, "/out") || !strcmp(dest, "/conformance"))
                OK("config.mounts.option.bind", "%s shows the bind source", dest);
            else
                FAIL("config.mounts.option.bind", "%s: no marker from the bind source", dest);
            char sub[600];
            snprintf(sub, sizeof sub, "%s/sub", dest);
            if (access(marker, F_OK) == 0) {
                int has_sub = top_mount(sub) >= 0;
                if (jhas_string(options, "rbind"))
                    CHECK(has_sub, "config.mounts.option.rbind", "%s: the source's submount is there", dest);
                else
                    CHECK(!has_sub, "config.mounts.option.bind", "%s: bind without r is not recursive", dest);
            }
        }
        FOREACH(o, options) {
            char optid[128];
            snprintf(optid, sizeof optid, "config.mounts.option.%s", o->str);
            if (!strcmp(o->str, "bind") || !strcmp(o->str, "rbind")) continue;
            if (strchr(o->str, '=') || overridden(o)) continue;
            int holds = option_holds(o->str, mi);
            if (holds < 0) {
                OK(optid, "%s: accepted; its effect is not visible in mountinfo", dest);
                continue;
            }
            CHECK(holds, optid, "%s: mount options %s, superblock %s, propagation [%s]", dest, mi->mnt_opts, mi->super_opts, mi->optional);
            if (is_recursive(o->str)) {
                char sub[600];
                snprintf(sub, sizeof sub, "%s/sub", dest);
                int s = top_mount(sub);
                if (s < 0)
                    FAIL(optid, "%s: no submount to check the recursive option on", sub);
                else
                    CHECK(option_holds(o->str, &mounts[s]), optid, "%s (submount): mount options %s, propagation [%s]",
                          sub, mounts[s].mnt_opts, mounts[s].optional);
            }
        }
    }
    CHECK(in_order, "config.mounts.order", "the %d mounts appear in mountinfo in the listed order", count);

    /* root.readonly */
    struct json *ro = jget(config, "root.readonly");
    int root = top_mount("/");
    int want_ro = ro && ro->boolean;
    int is_ro = root >= 0 && has_token(mounts[root].mnt_opts, "ro");
    CHECK(is_ro == want_ro, "config.root.readonly", "/ mount options %s (root.readonly %d)", root >= 0 ? mounts[root].mnt_opts : "?", want_ro);

    const char *propagation = jstr(config, "linux.rootfsPropagation");
    if (propagation && root >= 0)
        CHECK(option_holds(propagation, &mounts[root]) == 1, "config-linux.rootfsPropagation", "/ propagation [%s] (config %s)",
              mounts[root].optional, propagation);

    /* Default filesystems (a SHOULD) */
    static const char *defaults[][2] = {{"/proc", "proc"}, {"/sys", "sysfs"}, {"/dev/pts", "devpts"}, {"/dev/shm", "tmpfs"}};
    for (size_t k = 0; k < 4; k++) {
        int t = top_mount(defaults[k][0]);
        CHECK(t >= 0 && !strcmp(mounts[t].fstype, defaults[k][1]), "config-linux.default-filesystems", "%s is %s (expected %s)",
              defaults[k][0], t >= 0 ? mounts[t].fstype : "not a mount", defaults[k][1]);
    }
}

/* ------------------------------------------------------------------------
 * Devices, dev symlinks, masked and readonly paths */

static void check_device(const char *id, const char *path, char type, long major_, long minor_, long mode, long uid, long gid)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        FAIL(id, "%s: %s", path, strerror(errno));
        return;
    }
    int type_ok = type == 'c' || type == 'u' ? S_ISCHR(st.st_mode) : type == 'b' ? S_ISBLK(st.st_mode) : S_ISFIFO(st.st_mode);
    int numbers_ok = type == 'p' || (major(st.st_rdev) == (unsigned)major_ && minor(st.st_rdev) == (unsigned)minor_);
    int mode_ok = mode < 0 || (long)(st.st_mode & 07777) == mode;
    int owner_ok = (uid < 0 || st.st_uid == (uid_t)uid) && (gid < 0 || st.st_gid == (gid_t)gid);
    CHECK(type_ok && numbers_ok && mode_ok && owner_ok, id, "%s: type %c %u:%u mode %04o owner %d:%d (config %c %ld:%ld mode %04lo owner %ld:%ld)",
          path, S_ISCHR(st.st_mode) ? 'c' : S_ISBLK(st.st_mode) ? 'b' : S_ISFIFO(st.st_mode) ? 'p' : '?', major(st.st_rdev), minor(st.st_rdev),
          st.st_mode & 07777, st.st_uid, st.st_gid, type, major_, minor_, mode < 0 ? 0 : mode, uid, gid);
}

static void check_devices(struct json *config)
{
    static const struct { const char *path; int major_, minor_; } defaults[] = {
        {"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
        {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
    };
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) {
        check_device("config-linux.devices.default", defaults[i].path, 'c', defaults[i].major_, defaults[i].minor_, -1, -1, -1);
        /* "available": usable, not just present (a cgroup device rule could deny it) */
        int fd = open(defaults[i].path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (strcmp(defaults[i].path, "/dev/tty"))
            CHECK(fd >= 0, "config-linux.devices.default", "%s opens read-write: %s", defaults[i].path, fd >= 0 ? "yes" : strerror(errno));
        if (fd >= 0) close(fd);
    }
    char target[256] = "";
    ssize_t n = readlink("/dev/ptmx", target, sizeof target - 1);
    struct stat st, pts;
    if (n > 0) target[n] = 0;
    int ptmx_ok = (n > 0 && (!strcmp(target, "pts/ptmx") || !strcmp(target, "/dev/pts/ptmx"))) ||
                  (n < 0 && stat("/dev/ptmx", &st) == 0 && stat("/dev/pts/ptmx", &pts) == 0 && st.st_rdev == pts.st_rdev && st.st_ino == pts.st_ino);
    CHECK(ptmx_ok, "config-linux.devices.default", "/dev/ptmx is a symlink to or bind mount of /dev/pts/ptmx (%s)", n > 0 ? target : "not a symlink");

    FOREACH(d, jget(config, "linux.devices")) {
        struct json *mode = jget(d, "fileMode"), *uid = jget(d, "uid"), *gid = jget(d, "gid");
        struct json *ma = jget(d, "major"), *mi = jget(d, "minor");
        check_device("config-linux.devices", jstr(d, "path"), jstr(d, "type")[0], ma ? (long)ma->num : 0, mi ? (long)mi->num : 0,
                     mode ? (long)mode->num : -1, uid ? (long)uid->num : -1, gid ? (long)gid->num : -1);
    }

    static const char *links[][2] = {
        {"/dev/fd", "/proc/self/fd"}, {"/dev/stdin", "/proc/self/fd/0"},
        {"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"},
    };
    for (size_t i = 0; i < 4; i++) {
        char got[256] = "";
        ssize_t len = readlink(links[i][0], got, sizeof got - 1);
        if (len > 0) got[len] = 0;
        CHECK(len > 0 && !strcmp(got, links[i][1]), "runtime-linux.dev-symlinks", "%s -> %s (expected %s)", links[i][0],
              len > 0 ? got : strerror(errno), links[i][1]);
    }
}

static void check_paths(struct json *config)
{
    FOREACH(p, jget(config, "linux.maskedPaths")) {
        struct stat st;
        if (stat(p->str, &st) != 0) {
            OK("config-linux.maskedPaths", "%s does not exist in the container", p->str);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            int i = top_mount(p->str);
            CHECK(i >= 0 && (!strcmp(mounts[i].fstype, "tmpfs")) && has_token(mounts[i].mnt_opts, "ro"),
                  "config-linux.maskedPaths", "directory %s is covered by a read-only tmpfs (%s %s)", p->str,
                  i >= 0 ? mounts[i].fstype : "no mount", i >= 0 ? mounts[i].mnt_opts : "");
        } else {
            ssize_t len;
            read_file(p->str, &len);
            CHECK(len == 0, "config-linux.maskedPaths", "%s reads empty (%zd bytes)", p->str, len);
        }
    }
    FOREACH(p, jget(config, "linux.readonlyPaths")) {
        struct stat st;
        if (stat(p->str, &st) != 0) {
            OK("config-linux.readonlyPaths", "%s does not exist in the container", p->str);
            continue;
        }
        int i = top_mount(p->str);
        CHECK(i >= 0 && has_token(mounts[i].mnt_opts, "ro"), "config-linux.readonlyPaths", "%s is a read-only mount (%s)",
              p->str, i >= 0 ? mounts[i].mnt_opts : "not a mount point");
    }
}

int main(int argc, char **argv, char **envp)
{
    const char *out_path = getenv("OCI_CHECK_OUT");
    out = out_path ? fopen(out_path, "we") : stdout;
    if (!out) {
        perror(out_path);
        return 2;
    }
    char *text = read_file("/conformance/config.json", NULL);
    if (!text) {
        FAIL("checker", "cannot read /conformance/config.json: %s", strerror(errno));
        return 2;
    }
    jp = text = strdup(text);
    struct json *config = jvalue();

    check_args(config, argc, argv);
    check_env(config, envp);
    check_cwd(config);
    check_user(config);
    check_rlimits(config);
    check_capabilities(config);
    check_simple_process(config);
    check_scheduler(config);
    check_io_priority(config);
    check_memory_policy(config);
    check_namespaces(config);
    check_id_mappings(config);
    check_uts(config);
    check_sysctl(config);
    check_seccomp(config);
    check_mounts(config);
    check_devices(config);
    check_paths(config);
    fprintf(out, "done\n");
    fclose(out);
    return 0;
}
