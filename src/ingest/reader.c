/*
 * The reader: a queue of inputs walked one article at a time.
 *
 * Inputs are explicit paths (read whatever their name), folders (walked recursively in name
 * order, with files that are not articles skipped and reported), JSON Lines streams and
 * standard input. State is a small machine: an open JSON Lines stream is drained first, then
 * the innermost open folder, then the queue. Every failure is reported for one article or
 * one file and the next call goes on.
 *
 * Memory stays bounded whatever the input: a text article is read whole but never past the
 * cap (a regular file's size is checked before reading it), and JSON Lines are read through
 * a fixed chunk and one line buffer no larger than the cap; a longer line is skipped up to
 * its newline without being stored.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "util/alloc.h"
#include "util/buf.h"

#define CHUNK ((size_t)64 << 10)
#define MAX_DEPTH 256
#define AGAIN ((nd_status)100) /* internal: nothing to return yet, go on */

typedef struct entry {
    char *name;
    mode_t mode;
    int err; /* errno of stat, 0 when it worked */
    dev_t dev;
    ino_t ino;
    off_t size;
} entry;

typedef struct frame {
    char *path;
    entry *v;
    size_t n, pos;
} frame;

typedef struct dirid {
    dev_t dev;
    ino_t ino;
    int used;
} dirid;

struct nd_reader {
    nd_read_opts opts; /* its strings are copies owned here */
    char **queue;
    size_t nqueue, qcap, qpos;
    frame *dirs;
    size_t ndirs, dcap;
    dirid *seen; /* open-addressing set of visited folders */
    size_t nseen, seencap;

    /* the open JSON Lines stream */
    int fd;
    bool open, from_stdin, skipping;
    char *path, *stem;
    uint64_t line;  /* number of the line being read */
    size_t skipped; /* bytes of an over-long line */
    char *chunk;
    size_t chunk_len, chunk_pos;
    nd_buf lbuf;

    nd_buf fbuf; /* a whole text article */
    char *msg;   /* the last message */
    size_t msgcap;
    uint64_t done, total;
};

/* ---- messages --------------------------------------------------------------------------- */

static void msg(nd_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, r->msgcap, fmt, ap);
    va_end(ap);
}

const char *nd_reader_errmsg(const nd_reader *r)
{
    return r ? r->msg : "";
}

void nd_reader_progress(const nd_reader *r, uint64_t *done, uint64_t *total)
{
    if (done)
        *done = r ? r->done : 0;
    if (total)
        *total = r ? (r->total > r->done ? r->total : r->done) : 0;
}

/* ---- small helpers ---------------------------------------------------------------------- */

static size_t cap_of(const nd_reader *r)
{
    return r->opts.max_article_bytes ? r->opts.max_article_bytes : ND_DEFAULT_MAX_ARTICLE_BYTES;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* The file name without its last extension ("a/b/1_1ecb.txt" -> "1_1ecb"), a new string. */
static char *stem_of(const char *path)
{
    const char *b = base_name(path);
    const char *dot = strrchr(b, '.');
    size_t n = (dot && dot != b) ? (size_t)(dot - b) : strlen(b);
    return nd_strndup(b, n);
}

/* The extension without the dot, lower-cased into `out`, or "" when none. */
static void ext_of(char out[16], const char *name)
{
    const char *dot = strrchr(name, '.');
    out[0] = '\0';
    if (!dot || dot == name || strlen(dot + 1) >= 16)
        return;
    size_t i = 0;
    for (const char *p = dot + 1; *p; p++)
        out[i++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
    out[i] = '\0';
}

static bool jsonl_ext(const char *ext)
{
    return !strcmp(ext, "jsonl") || !strcmp(ext, "ndjson") || !strcmp(ext, "json");
}

/* Project files that sit beside articles: README, LICENSE, ... with any extension. */
static const char *project_file(const char *name)
{
    static const char *const names[] = {"README",  "LICENSE",      "LICENCE", "COPYING",
                                        "NOTICE",  "CHANGELOG",    "AUTHORS", "CONTRIBUTING",
                                        NULL};
    for (const char *const *p = names; *p; p++) {
        size_t n = strlen(*p), i = 0;
        while (i < n && name[i] && (name[i] & ~32) == (*p)[i])
            i++;
        if (i == n && (name[n] == '\0' || name[n] == '.' || name[n] == '-' || name[n] == '_'))
            return *p;
    }
    return NULL;
}

static char *join_path(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    bool slash = a > 0 && dir[a - 1] == '/';
    char *p = nd_malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    if (!slash)
        p[a++] = '/';
    memcpy(p + a, name, b + 1);
    return p;
}

/* ---- visited folders -------------------------------------------------------------------- */

static size_t dir_hash(dev_t dev, ino_t ino)
{
    uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15u ^ (uint64_t)dev * 0xC2B2AE3D27D4EB4Fu;
    return (size_t)(h ^ (h >> 29));
}

/* Adds a folder; returns 1 when it was new, 0 when already visited, -1 on out-of-memory. */
static int seen_add(nd_reader *r, dev_t dev, ino_t ino)
{
    if ((r->nseen + 1) * 2 > r->seencap) {
        size_t cap = r->seencap ? r->seencap * 2 : 64;
        dirid *v = nd_calloc(cap, sizeof *v);
        if (!v)
            return -1;
        for (size_t i = 0; i < r->seencap; i++) {
            if (!r->seen[i].used)
                continue;
            size_t h = dir_hash(r->seen[i].dev, r->seen[i].ino) & (cap - 1);
            while (v[h].used)
                h = (h + 1) & (cap - 1);
            v[h] = r->seen[i];
        }
        nd_free(r->seen);
        r->seen = v;
        r->seencap = cap;
    }
    size_t h = dir_hash(dev, ino) & (r->seencap - 1);
    while (r->seen[h].used) {
        if (r->seen[h].dev == dev && r->seen[h].ino == ino)
            return 0;
        h = (h + 1) & (r->seencap - 1);
    }
    r->seen[h] = (dirid){.dev = dev, .ino = ino, .used = 1};
    r->nseen++;
    return 1;
}

/* ---- life cycle ------------------------------------------------------------------------- */

static void close_stream(nd_reader *r)
{
    if (r->open && !r->from_stdin && r->fd >= 0)
        close(r->fd);
    r->open = r->skipping = false;
    r->fd = -1;
    nd_free(r->path);
    nd_free(r->stem);
    r->path = r->stem = NULL;
    r->chunk_len = r->chunk_pos = 0;
    nd_buf_reset(&r->lbuf);
}

static void pop_dir(nd_reader *r)
{
    frame *f = &r->dirs[--r->ndirs];
    for (size_t i = 0; i < f->n; i++)
        nd_free(f->v[i].name);
    nd_free(f->v);
    nd_free(f->path);
}

void nd_reader_free(nd_reader *r)
{
    if (!r)
        return;
    close_stream(r);
    while (r->ndirs)
        pop_dir(r);
    nd_free(r->dirs);
    for (size_t i = 0; i < r->nqueue; i++)
        nd_free(r->queue[i]);
    nd_free(r->queue);
    nd_free(r->seen);
    nd_free(r->chunk);
    nd_buf_free(&r->lbuf);
    nd_buf_free(&r->fbuf);
    nd_free((char *)r->opts.outlet);
    nd_free((char *)r->opts.date);
    nd_free((char *)r->opts.url);
    nd_free((char *)r->opts.stdin_id);
    nd_free(r->msg);
    nd_free(r);
}

nd_status nd_reader_new(nd_reader **out, const nd_read_opts *opts)
{
    if (!out)
        return ND_ERR_ARG;
    *out = NULL;
    if (opts && opts->date) {
        char iso[ND_DATE_ISO_MAX];
        if (nd_date_parse(iso, sizeof iso, opts->date, strlen(opts->date)) != ND_OK)
            return ND_ERR_ARG;
    }
    nd_alloc_init();
    nd_reader *r = nd_calloc(1, sizeof *r);
    if (!r)
        return ND_ERR_NOMEM;
    r->fd = -1;
    r->msgcap = 8192;
    r->msg = nd_malloc(r->msgcap);
    r->chunk = nd_malloc(CHUNK);
    if (opts) {
        r->opts.max_article_bytes = opts->max_article_bytes;
        r->opts.outlet = opts->outlet ? nd_strdup(opts->outlet) : NULL;
        r->opts.date = opts->date ? nd_strdup(opts->date) : NULL;
        r->opts.url = opts->url ? nd_strdup(opts->url) : NULL;
        r->opts.stdin_id = opts->stdin_id ? nd_strdup(opts->stdin_id) : NULL;
    }
    if (!r->msg || !r->chunk || (opts && ((opts->outlet && !r->opts.outlet) ||
                                          (opts->date && !r->opts.date) ||
                                          (opts->url && !r->opts.url) ||
                                          (opts->stdin_id && !r->opts.stdin_id)))) {
        nd_reader_free(r);
        return ND_ERR_NOMEM;
    }
    r->msg[0] = '\0';
    nd_buf_init(&r->lbuf, cap_of(r));
    nd_buf_init(&r->fbuf, cap_of(r) + 1);
    *out = r;
    return ND_OK;
}

nd_status nd_reader_add_path(nd_reader *r, const char *path)
{
    if (!r || !path || !*path)
        return ND_ERR_ARG;
    char **q = nd_grow(r->queue, &r->qcap, r->nqueue, sizeof *q, 8);
    if (!q)
        return ND_ERR_NOMEM;
    r->queue = q;
    char *p = nd_strdup(path);
    if (!p)
        return ND_ERR_NOMEM;
    r->queue[r->nqueue++] = p;
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
        r->total += (uint64_t)sb.st_size;
    return ND_OK;
}

/* ---- reading ---------------------------------------------------------------------------- */

/* read() that retries on EINTR. */
static ssize_t read_some(int fd, char *buf, size_t n)
{
    for (;;) {
        ssize_t k = read(fd, buf, n);
        if (k >= 0 || errno != EINTR)
            return k;
    }
}

/* Fills r->chunk from the start until it holds a byte that is not white space (or a BOM),
 * is full, or the input ends. Sets *first to that byte (0 when none). */
static nd_status sniff(nd_reader *r, int fd, const char *path, char *first)
{
    r->chunk_len = r->chunk_pos = 0;
    *first = 0;
    for (;;) {
        for (size_t i = 0; i < r->chunk_len; i++) {
            unsigned char c = (unsigned char)r->chunk[i];
            if (i == 0 && r->chunk_len >= 3 && memcmp(r->chunk, "\xEF\xBB\xBF", 3) == 0) {
                i = 2;
                continue;
            }
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') {
                *first = (char)c;
                return ND_OK;
            }
        }
        if (r->chunk_len == CHUNK)
            return ND_OK;
        ssize_t k = read_some(fd, r->chunk + r->chunk_len, CHUNK - r->chunk_len);
        if (k < 0) {
            msg(r, "%s: %s", path, strerror(errno));
            return ND_ERR_IO;
        }
        if (k == 0)
            return ND_OK;
        r->chunk_len += (size_t)k;
        r->done += (uint64_t)k;
    }
}

/* Parses the text article in r->fbuf. */
static nd_status parse_text_buf(nd_reader *r, nd_article **out, const char *id,
                                const char *source)
{
    char err[512];
    nd_status st = nd_article_parse_text(out, r->fbuf.data ? r->fbuf.data : "", r->fbuf.len, id,
                                         source, &r->opts, err, sizeof err);
    if (st == ND_OK)
        r->msg[0] = '\0';
    else
        msg(r, "%s: %s", strcmp(source, "-") ? source : "standard input", err);
    return st;
}

/* Reads the rest of a text article (r->chunk holds its start) and parses it. `size` is the
 * file's size when known (0 otherwise), to allocate once. */
static nd_status read_text(nd_reader *r, int fd, const char *path, const char *id,
                           uint64_t size, nd_article **out)
{
    size_t cap = cap_of(r);
    nd_buf_reset(&r->fbuf);
    nd_status st = ND_OK;
    if (size && size <= cap)
        st = nd_buf_reserve(&r->fbuf, (size_t)size + 1);
    if (st == ND_OK)
        st = nd_buf_append(&r->fbuf, r->chunk, r->chunk_len);
    r->chunk_len = 0;
    while (st == ND_OK) {
        if ((st = nd_buf_reserve(&r->fbuf, CHUNK)) == ND_ERR_TOO_BIG)
            st = nd_buf_reserve(&r->fbuf, 1); /* close to the cap: one byte proves "too big" */
        if (st != ND_OK)
            break;
        size_t room = r->fbuf.alloc - r->fbuf.len - 1;
        if (room > CHUNK)
            room = CHUNK;
        ssize_t k = read_some(fd, r->fbuf.data + r->fbuf.len, room);
        if (k < 0) {
            msg(r, "%s: %s", path, strerror(errno));
            return ND_ERR_IO;
        }
        if (k == 0)
            break;
        r->fbuf.len += (size_t)k;
        r->fbuf.data[r->fbuf.len] = '\0';
        r->done += (uint64_t)k;
        if (r->fbuf.len > cap)
            st = ND_ERR_TOO_BIG;
    }
    if (st == ND_ERR_TOO_BIG || r->fbuf.len > cap) {
        msg(r, "%s: more than the cap of %zu bytes", path, cap);
        return ND_ERR_TOO_BIG;
    }
    if (st != ND_OK) {
        msg(r, "%s: out of memory", path);
        return st;
    }
    return parse_text_buf(r, out, id, path);
}

/* Starts a JSON Lines stream on fd (r->chunk holds its first bytes). Takes ownership of fd
 * (unless it is standard input). */
static nd_status open_stream(nd_reader *r, int fd, const char *path, bool from_stdin)
{
    r->path = nd_strdup(from_stdin ? "-" : path);
    r->stem = from_stdin ? nd_strdup("stdin") : stem_of(path);
    if (!r->path || !r->stem) {
        nd_free(r->path);
        nd_free(r->stem);
        r->path = r->stem = NULL;
        if (!from_stdin)
            close(fd);
        msg(r, "%s: out of memory", path);
        return ND_ERR_NOMEM;
    }
    r->fd = fd;
    r->open = true;
    r->from_stdin = from_stdin;
    r->skipping = false;
    r->line = 1;
    r->chunk_pos = 0;
    nd_buf_reset(&r->lbuf);
    return AGAIN;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
            return false;
    return true;
}

/* One complete line of the stream is in r->lbuf (or was skipped): turn it into a result. */
static nd_status finish_line(nd_reader *r, nd_article **out)
{
    uint64_t ln = r->line++;
    size_t cap = cap_of(r);
    if (r->skipping) {
        r->skipping = false;
        msg(r, "%s:%llu: line of %zu bytes is longer than the cap of %zu bytes; skipped",
            r->path, (unsigned long long)ln, r->skipped, cap);
        return ND_ERR_TOO_BIG;
    }
    char *s = r->lbuf.data ? r->lbuf.data : (char *)"";
    size_t n = r->lbuf.len;
    if (ln == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        n -= 3;
    }
    if (n && s[n - 1] == '\r')
        n--;
    if (blank(s, n)) {
        nd_buf_reset(&r->lbuf);
        return AGAIN;
    }
    char src[4200], fid[600], err[512];
    snprintf(src, sizeof src, "%s:%llu", r->path, (unsigned long long)ln);
    snprintf(fid, sizeof fid, "%s:%llu", r->stem, (unsigned long long)ln);
    nd_status st = nd_article_parse_json(out, s, n, fid, src, &r->opts, err, sizeof err);
    nd_buf_reset(&r->lbuf);
    if (st == ND_OK)
        r->msg[0] = '\0';
    else
        msg(r, "%s: %s", src, err);
    return st;
}

/* The next line of the open stream. Returns AGAIN-free results: ND_OK, an error, or ND_DONE
 * at the end of the stream. */
static nd_status next_line(nd_reader *r, nd_article **out)
{
    size_t cap = cap_of(r);
    for (;;) {
        if (r->chunk_pos == r->chunk_len) {
            ssize_t k = read_some(r->fd, r->chunk, CHUNK);
            if (k < 0) {
                msg(r, "%s:%llu: %s", r->path, (unsigned long long)r->line, strerror(errno));
                close_stream(r);
                return ND_ERR_IO;
            }
            r->chunk_pos = 0;
            r->chunk_len = (size_t)k;
            r->done += (uint64_t)k;
            if (k == 0) {
                /* the last line may lack its newline */
                if (r->skipping || r->lbuf.len) {
                    nd_status st = finish_line(r, out);
                    if (st != AGAIN)
                        return st;
                }
                return ND_DONE;
            }
        }
        char *p = r->chunk + r->chunk_pos;
        size_t avail = r->chunk_len - r->chunk_pos;
        char *nl = memchr(p, '\n', avail);
        size_t seg = nl ? (size_t)(nl - p) : avail;
        if (r->skipping) {
            r->skipped += seg;
        } else if (r->lbuf.len + seg > cap) {
            r->skipping = true;
            r->skipped = r->lbuf.len + seg;
            nd_buf_reset(&r->lbuf);
        } else {
            nd_status st = nd_buf_append(&r->lbuf, p, seg);
            if (st != ND_OK) {
                msg(r, "%s:%llu: out of memory", r->path, (unsigned long long)r->line);
                return ND_ERR_NOMEM;
            }
        }
        r->chunk_pos += seg;
        if (!nl)
            continue;
        r->chunk_pos++;
        nd_status st = finish_line(r, out);
        if (st != AGAIN)
            return st;
    }
}

/* Opens one file and reads an article from it, or starts it as a JSON Lines stream. */
static nd_status read_path(nd_reader *r, const char *path, const struct stat *sb,
                           nd_article **out)
{
    char ext[16];
    ext_of(ext, base_name(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        msg(r, "%s: %s", path, strerror(errno));
        return ND_ERR_IO;
    }
    char first;
    nd_status st = sniff(r, fd, path, &first);
    if (st != ND_OK) {
        close(fd);
        return st;
    }
    if (jsonl_ext(ext) || first == '{')
        return open_stream(r, fd, path, false);
    size_t cap = cap_of(r);
    if (S_ISREG(sb->st_mode) && (uint64_t)sb->st_size > cap) {
        close(fd);
        r->done += (uint64_t)sb->st_size > r->chunk_len ? (uint64_t)sb->st_size - r->chunk_len
                                                         : 0;
        msg(r, "%s: %llu bytes, over the cap of %zu bytes", path,
            (unsigned long long)sb->st_size, cap);
        return ND_ERR_TOO_BIG;
    }
    char *id = stem_of(path);
    if (!id) {
        close(fd);
        msg(r, "%s: out of memory", path);
        return ND_ERR_NOMEM;
    }
    st = read_text(r, fd, path, id, S_ISREG(sb->st_mode) ? (uint64_t)sb->st_size : 0, out);
    nd_free(id);
    close(fd);
    return st;
}

static nd_status read_stdin(nd_reader *r, nd_article **out)
{
    int fd = fileno(stdin);
    char first;
    nd_status st = sniff(r, fd, "standard input", &first);
    if (st != ND_OK)
        return st;
    if (first == '{')
        return open_stream(r, fd, "-", true);
    return read_text(r, fd, "-", r->opts.stdin_id ? r->opts.stdin_id : "stdin", 0, out);
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

/* Lists a folder into a new frame (sorted by name, each entry stat'ed once). */
static nd_status push_dir(nd_reader *r, const char *path)
{
    if (r->ndirs >= MAX_DEPTH) {
        msg(r, "skipped %s: folders nested deeper than %d", path, MAX_DEPTH);
        return ND_SKIPPED;
    }
    frame *d = nd_grow(r->dirs, &r->dcap, r->ndirs, sizeof *d, 8);
    if (!d)
        return ND_ERR_NOMEM;
    r->dirs = d;
    DIR *dir = opendir(path);
    if (!dir) {
        msg(r, "%s: %s", path, strerror(errno));
        return ND_ERR_IO;
    }
    frame f = {.path = nd_strdup(path)};
    size_t cap = 0;
    nd_status st = f.path ? ND_OK : ND_ERR_NOMEM;
    struct dirent *de;
    while (st == ND_OK && (de = readdir(dir)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        entry *v = nd_grow(f.v, &cap, f.n, sizeof *v, 32);
        if (!v) {
            st = ND_ERR_NOMEM;
            break;
        }
        f.v = v;
        entry *e = &f.v[f.n];
        memset(e, 0, sizeof *e);
        if (!(e->name = nd_strdup(de->d_name))) {
            st = ND_ERR_NOMEM;
            break;
        }
        f.n++;
        struct stat sb;
        if (fstatat(dirfd(dir), de->d_name, &sb, 0) != 0) {
            e->err = errno;
            continue;
        }
        e->mode = sb.st_mode;
        e->dev = sb.st_dev;
        e->ino = sb.st_ino;
        e->size = sb.st_size;
        char ext[16];
        ext_of(ext, e->name);
        if (S_ISREG(sb.st_mode) && e->name[0] != '.' && !project_file(e->name) &&
            (!ext[0] || !strcmp(ext, "txt") || !strcmp(ext, "text") || jsonl_ext(ext)))
            r->total += (uint64_t)sb.st_size;
    }
    closedir(dir);
    if (st != ND_OK) {
        for (size_t i = 0; i < f.n; i++)
            nd_free(f.v[i].name);
        nd_free(f.v);
        nd_free(f.path);
        msg(r, "%s: out of memory", path);
        return st;
    }
    if (f.n)
        qsort(f.v, f.n, sizeof *f.v, cmp_entry);
    r->dirs[r->ndirs++] = f;
    return AGAIN;
}

/* Enters a folder unless it was visited already (a symlink loop, or the same folder twice). */
static nd_status enter_dir(nd_reader *r, const char *path, dev_t dev, ino_t ino)
{
    int fresh = seen_add(r, dev, ino);
    if (fresh < 0) {
        msg(r, "%s: out of memory", path);
        return ND_ERR_NOMEM;
    }
    if (!fresh) {
        msg(r, "skipped %s: folder already visited (symlink loop)", path);
        return ND_SKIPPED;
    }
    return push_dir(r, path);
}

/* The next entry of the innermost folder. */
static nd_status next_in_dir(nd_reader *r, nd_article **out)
{
    frame *f = &r->dirs[r->ndirs - 1];
    if (f->pos == f->n) {
        pop_dir(r);
        return AGAIN;
    }
    entry *e = &f->v[f->pos++];
    char *path = join_path(f->path, e->name);
    if (!path) {
        msg(r, "%s: out of memory", f->path);
        return ND_ERR_NOMEM;
    }
    nd_status st;
    char ext[16];
    const char *proj;
    ext_of(ext, e->name);
    if (e->err) {
        msg(r, "%s: %s", path, strerror(e->err));
        st = ND_ERR_IO;
    } else if (e->name[0] == '.') {
        msg(r, "skipped %s: not an article (hidden %s)", path,
            S_ISDIR(e->mode) ? "folder" : "file");
        st = ND_SKIPPED;
    } else if (S_ISDIR(e->mode)) {
        st = enter_dir(r, path, e->dev, e->ino);
    } else if (!S_ISREG(e->mode)) {
        msg(r, "skipped %s: not an article (not a regular file)", path);
        st = ND_SKIPPED;
    } else if ((proj = project_file(e->name)) != NULL) {
        msg(r, "skipped %s: not an article (%s)", path, proj);
        st = ND_SKIPPED;
    } else if (ext[0] && strcmp(ext, "txt") && strcmp(ext, "text") && !jsonl_ext(ext)) {
        msg(r, "skipped %s: not an article (.%s file)", path, ext);
        st = ND_SKIPPED;
    } else {
        struct stat sb = {.st_mode = e->mode, .st_size = e->size};
        st = read_path(r, path, &sb, out);
    }
    nd_free(path);
    return st;
}

/* The next explicitly queued path. */
static nd_status next_queued(nd_reader *r, nd_article **out)
{
    const char *path = r->queue[r->qpos++];
    if (!strcmp(path, "-"))
        return read_stdin(r, out);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        msg(r, "%s: %s", path, strerror(errno));
        return ND_ERR_IO;
    }
    if (S_ISDIR(sb.st_mode))
        return enter_dir(r, path, sb.st_dev, sb.st_ino);
    return read_path(r, path, &sb, out);
}

nd_status nd_reader_next(nd_reader *r, nd_article **out)
{
    if (!r || !out)
        return ND_ERR_ARG;
    *out = NULL;
    for (;;) {
        nd_status st;
        if (r->open) {
            st = next_line(r, out);
            if (st == ND_DONE) {
                close_stream(r);
                continue;
            }
        } else if (r->ndirs) {
            st = next_in_dir(r, out);
        } else if (r->qpos < r->nqueue) {
            st = next_queued(r, out);
        } else {
            r->msg[0] = '\0';
            return ND_DONE;
        }
        if (st != AGAIN)
            return st;
    }
}
