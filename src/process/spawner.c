/*
 * corral-spawner: starts tasks for the daemon, each under a monitor of its own.
 *
 * The daemon runs one spawner and writes start requests to its stdin; the spawner forks a
 * monitor per request (forking this small process costs a fraction of forking node), and
 * the monitor starts the command in a session of its own, waits for it and writes its
 * exit status to a file, so a task outlives its daemon and the next daemon learns how it
 * ended (as podman learns it from conmon). The sh monitor in monitor.ts does the same job
 * where no C compiler was found.
 *
 * Request: NUL-terminated fields, the first being how many fields follow:
 *   ID CWD STDOUT_LOG STDERR_LOG("" = into STDOUT_LOG) EXIT_FILE STDIN_FIFO("" = /dev/null)
 *   UMASK NICE IOCLASS IOLEVEL LOG_MAX ENV_COUNT ENV... PROGRAM ARG...
 * NICE, IOCLASS and IOLEVEL are numbers, or "-" for "leave as is". LOG_MAX is the most
 * bytes each log keeps on disk, or "-" for no cap (see "the log cap" below).
 *
 * Replies on stdout, one line per write() (atomic: shorter than PIPE_BUF):
 *   S ID MONITOR_PID COMMAND_PID STDOUT_SIZE STDERR_SIZE   the command was forked
 *   F ID MESSAGE                                           nothing was started
 *   X MONITOR_PID STATUS                                   a monitor ended
 * STATUS and the exit file hold `3` for exit 3 and `143` for SIGTERM (the shell's 128+N);
 * STATUS is `-` when the monitor itself was killed (its status says nothing of the command).
 * The exit file is made when the command starts, holding EXIT_PLACEHOLDER ("no exit yet"),
 * and overwritten in place at the end: the end needs no new disk space, so a disk that
 * filled up meanwhile cannot swallow the status. (The daemon that started the task also
 * hears it in the X reply.)
 * With a STDIN_FIFO, the monitor makes that FIFO and gives its read end to the command as
 * stdin; it holds a write end itself, so the command sees no end of input while nobody
 * writes, until SIGURG tells it to let go (`send --eof`): writers open the FIFO by its path,
 * so it serves the daemon that started the task and any daemon after it.
 * The monitor also keeps each log's time index, `<stream>.times` (see "the time index"
 * below; protocol 6): the daemon leaves the logs of the tasks it started this way alone.
 * The monitor hears its command's end at once, without the pause it takes between looks at
 * the logs (protocol 7: a restart on failure waits on that end).
 * At the end of stdin the spawner exits; monitors and tasks go on without it.
 * `corral-spawner --protocol` prints the version of this format.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
#define FORWARDED (sizeof forwarded / sizeof forwarded[0])

/* ---------------------------------------------------------------- replies */

/* The replies pipe, kept apart from fd 1 (which becomes the task's stdout in a monitor). */
static int replies = -1;

static void reply(const char *format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(line, sizeof line - 1, format, args);
  va_end(args);
  if (n < 0) return;
  if (n > (int)sizeof line - 2) n = sizeof line - 2;
  for (int i = 0; i < n; i++)
    if (line[i] == '\n') line[i] = ' ';
  line[n++] = '\n';
  while (write(replies, line, n) == -1 && errno == EINTR) {
  }
}

/* ---------------------------------------------------------------- the command */

static int number(const char *text, long *out) {
  if (strcmp(text, "-") == 0) return 0;
  char *end;
  errno = 0;
  *out = strtol(text, &end, 10);
  return errno == 0 && *text != '\0' && *end == '\0' ? 1 : -1;
}

/* In the command's process: its own session, default signals, the user's umask and priority. */
static void exec_command(char **argv, mode_t mask, const char *nice_text, const char *class_text, const char *level_text, int gate) {
  /* Every disposition back to default: an ignored one (the spawner ignores SIGPIPE) would survive exec. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  setsid();
  umask(mask);
  long value;
  if (number(nice_text, &value) == 1) {
    errno = 0;
    if (nice((int)value) == -1 && errno != 0) fprintf(stderr, "corral: nice %ld: %s\n", value, strerror(errno));
  }
  long io_class, io_level = 4; /* ionice's own default level */
  if (number(class_text, &io_class) == 1) {
    number(level_text, &io_level);
    if (io_class == 3) io_level = 0;
    /* ioprio_set(IOPRIO_WHO_PROCESS, self, class << 13 | level) */
    if (syscall(SYS_ioprio_set, 1, 0, (int)((io_class << 13) | io_level)) == -1)
      fprintf(stderr, "corral: ionice -c %ld: %s\n", io_class, strerror(errno));
  }
  execvp(argv[0], argv);
  int failure = errno;
  /* The gate closes on a successful exec; on a failed one the monitor reads why. */
  if (gate >= 0 && write(gate, &failure, sizeof failure) != sizeof failure) {
  }
  fprintf(stderr, "corral: %s: %s\n", argv[0], failure == ENOENT ? "not found" : strerror(failure));
  _exit(failure == ENOENT ? 127 : 126);
}

/* ---------------------------------------------------------------- the monitor */

static volatile pid_t command_pid = 0;

static void forward(int sig) {
  if (command_pid > 0) kill(command_pid, sig);
}

struct request {
  const char *id, *cwd, *out, *err, *exit_file, *stdin_fifo, *umask, *nice, *io_class, *io_level, *log_max;
  char **env;
  char **argv;
};

/* As long as every status written over it (monitor.ts's EXIT_PLACEHOLDER is the same). */
#define EXIT_PLACEHOLDER "running\n"
#define EXIT_WIDTH (sizeof EXIT_PLACEHOLDER - 1)

/* Claims the exit file's disk space now; on a full disk it stays empty, which reads as "no exit yet" too. */
static void reserve_exit_file(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    unlink(path); /* whatever an earlier run left must not be read as this run's end */
    return;
  }
  if (write(fd, EXIT_PLACEHOLDER, EXIT_WIDTH) != (ssize_t)EXIT_WIDTH) {
  }
  close(fd);
}

/* Over the placeholder, same length, no truncation: the block reserved is the one written. */
static void write_exit_file(const char *path, int code) {
  int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  char text[EXIT_WIDTH + 1];
  snprintf(text, sizeof text, "%-*d\n", (int)EXIT_WIDTH - 1, code);
  if (pwrite(fd, text, EXIT_WIDTH, 0) != (ssize_t)EXIT_WIDTH) {
  }
  close(fd);
}

/* The monitor's write end of the task's stdin FIFO: while it is open, the command reads no end of input. */
static volatile int stdin_writer = -1;

/* SIGURG: the input is over (`send --eof`). close() is async-signal-safe. */
static void end_input(int sig) {
  (void)sig;
  if (stdin_writer >= 0) close(stdin_writer);
  stdin_writer = -1;
}

/* The FIFO made anew at `path`, its read end returned (-1 on failure, errno set); the monitor keeps a write end. */
static int open_stdin_fifo(const char *path) {
  unlink(path);
  if (mkfifo(path, 0600) == -1) return -1;
  /* Non-blocking, or the open would wait for a writer; then the write end opens at once. */
  int in = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (in < 0) return -1;
  stdin_writer = open(path, O_WRONLY | O_CLOEXEC);
  if (stdin_writer < 0 || fcntl(in, F_SETFL, 0) == -1) {
    close(in);
    return -1;
  }
  return in;
}

/* ---------------------------------------------------------------- the log cap
 *
 * A log keeps at most LOG_MAX bytes on disk without any byte changing its offset: past the
 * cap, the monitor releases the head of the file in place (FALLOC_FL_PUNCH_HOLE). The file
 * keeps its apparent size and the command keeps appending to the same open file; only the
 * released blocks go back to the disk. Where the kept part starts is written, before the
 * release, into `<stream>.kept` beside the log (a fixed-width number overwritten in place),
 * so readers and the next daemon know which offsets hold output and which were released.
 * The monitor does it, not the daemon: it lives as long as the command, daemon or not, and
 * looks at the log more often the faster it grows (see wait_watching), so the cap holds at
 * the writer's pace. */

#define KEPT_WIDTH 20

struct capped {
  int log;       /* the log, as the command writes it */
  int kept_file; /* <stream>.kept, -1 when it could not be made */
  long long kept; /* offset of the first byte still on disk */
};

static long long log_cap = 0; /* 0: no cap */

static void write_kept(struct capped *c) {
  char text[KEPT_WIDTH + 2];
  snprintf(text, sizeof text, "%-*lld\n", KEPT_WIDTH, c->kept);
  if (pwrite(c->kept_file, text, KEPT_WIDTH + 1, 0) != KEPT_WIDTH + 1) {
  }
}

/* `/x/stdout.log` → `/x/stdout<suffix>`, malloc'd; NULL when out of memory. */
static char *beside(const char *log_path, const char *suffix) {
  size_t n = strlen(log_path);
  char *path = malloc(n + strlen(suffix) + 1);
  if (!path) return NULL;
  memcpy(path, log_path, n + 1);
  if (n > 4 && strcmp(path + n - 4, ".log") == 0) path[n - 4] = '\0';
  strcat(path, suffix);
  return path;
}

static void open_kept(struct capped *c, const char *log_path) {
  c->kept = 0;
  c->kept_file = -1;
  char *path = beside(log_path, ".kept");
  if (!path) return;
  c->kept_file = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  free(path);
  if (c->kept_file < 0) return;
  char text[KEPT_WIDTH + 2] = {0};
  struct stat st;
  /* An earlier run's start holds while the log is that run's log (not shorter than it). */
  if (pread(c->kept_file, text, KEPT_WIDTH + 1, 0) > 0 && fstat(c->log, &st) == 0) {
    long long kept = strtoll(text, NULL, 10);
    if (kept > 0 && kept <= st.st_size) c->kept = kept;
  }
  write_kept(c);
}

/* Releases the head of the log once more than the cap is kept: down to 15/16 of the cap,
   block-aligned, so that a busy log is trimmed every cap/16 bytes, not on every write. */
static void trim(struct capped *c, const struct stat *st) {
  if (c->kept_file < 0 || log_cap <= 0) return;
  if (st->st_size - c->kept <= log_cap) return;
  long long block = st->st_blksize > 0 ? st->st_blksize : 4096;
  long long slack = log_cap / 16;
  long long start = (st->st_size - (log_cap - slack)) / block * block;
  if (start <= c->kept) return;
  long long before = c->kept;
  c->kept = start;
  write_kept(c);
  long long from = before / block * block;
  if (fallocate(c->log, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, from, start - from) != 0) {
    /* This file system cannot release part of a file: say so in the log once, and keep it all. */
    int why = errno;
    c->kept = before;
    write_kept(c);
    c->kept_file = -1;
    dprintf(c->log, "corral: the log cap is off for this run: releasing log space fails here (%s)\n", strerror(why));
  }
}

/* ---------------------------------------------------------------- the time index
 *
 * When each part of a log was written, for reads by time (`logs --since`): `<stream>.times`
 * beside the log, one `<ms since epoch> <size>` a line, as src/logs/time-index.ts reads it.
 * A byte between two notes was written between their times. The monitor notes a log's size
 * when it grew, at most once per NOTE_EVERY_MS: the first write after a quiet spell at the
 * next look, the writes that follow at the end of that interval. It is the same look as the
 * cap's: an idle task costs its monitor one look every 2 s (a few fstat calls), and the
 * daemon nothing. Past INDEX_MAX_BYTES the index keeps every other note of its older half,
 * as time-index.ts does for the sh monitor's tasks. */

#define NOTE_EVERY_MS 2000
#define INDEX_MAX_BYTES (256 * 1024)

struct indexed {
  char *times_path;   /* <stream>.times, NULL when it could not be named */
  long long noted;    /* the size noted last (at first, the size the run started at) */
  long long noted_at; /* when, in ms since the epoch; 0: never */
};

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Keeps every other note of the older half and all of the newer, through a rename: a reader sees the old index or the new. */
static void thin_index(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  char *text = NULL;
  ssize_t got = -1;
  if (fstat(fd, &st) == 0 && (text = malloc((size_t)st.st_size + 1))) got = pread(fd, text, (size_t)st.st_size, 0);
  close(fd);
  if (got <= 0) {
    free(text);
    return;
  }
  text[got] = '\0';
  size_t lines = 0;
  for (ssize_t i = 0; i < got; i++) lines += text[i] == '\n';
  size_t half = lines / 2;
  size_t tmp_len = strlen(path) + 5;
  char *tmp = malloc(tmp_len);
  char *kept = malloc((size_t)got + 1);
  if (!tmp || !kept) {
    free(tmp);
    free(kept);
    free(text);
    return;
  }
  snprintf(tmp, tmp_len, "%s.new", path);
  size_t used_bytes = 0, line = 0;
  for (char *at = text; *at; line++) {
    char *end = strchr(at, '\n');
    size_t len = end ? (size_t)(end - at) + 1 : strlen(at);
    if (line >= half || line % 2 == 1) {
      memcpy(kept + used_bytes, at, len);
      used_bytes += len;
    }
    at += len;
  }
  int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out >= 0) {
    int whole = write(out, kept, used_bytes) == (ssize_t)used_bytes;
    close(out);
    if (!whole || rename(tmp, path) != 0) unlink(tmp);
  }
  free(tmp);
  free(kept);
  free(text);
}

static void append_note(struct indexed *x, long long at, long long size) {
  x->noted = size;
  x->noted_at = at;
  if (!x->times_path) return;
  int fd = open(x->times_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return; /* a full disk or a removed home: the index is a convenience */
  char line[64];
  int n = snprintf(line, sizeof line, "%lld %lld\n", at, size);
  struct stat st;
  int written = write(fd, line, (size_t)n) == n;
  int large = written && fstat(fd, &st) == 0 && st.st_size > INDEX_MAX_BYTES;
  close(fd);
  if (large) thin_index(x->times_path);
}

/* Notes the log's size if it grew and the last note is old enough; otherwise returns when
   a note will be due (ms since the epoch), or 0 when nothing waits to be noted. */
static long long index_log(struct indexed *x, long long size, long long now, int final) {
  if (size == x->noted) return 0;
  long long due = x->noted_at + NOTE_EVERY_MS;
  if (final || now >= due) {
    append_note(x, now, size);
    return 0;
  }
  return due;
}

static void on_child(int sig) {
  (void)sig;
}

/* How often the monitor looks at its logs. Not through inotify: an instance a task would
   count against the user's inotify instances (128 on many systems), so that a hundred tasks
   would leave the user's editors and file watchers none. A quiet log is looked at every
   QUIET_LOOK_MS (the time index notes no more often anyway); a log that grows under a cap is
   looked at before it could fill a quarter of the room left under the cap at the pace it
   grew, down to a look a millisecond. After the start, the looks begin at FIRST_LOOK_MS and
   double while nothing is written, so that output from the start is caught early. */
#define QUIET_LOOK_MS NOTE_EVERY_MS
#define FIRST_LOOK_MS 10

/* When to look next: `grown` bytes were written over `elapsed_ms`, and `room` is what the
   fullest capped log may still take before its cap (-1: no cap). */
static long long next_look_ms(long long previous_ms, long long grown, long long elapsed_ms, long long room) {
  if (grown <= 0) return previous_ms * 2 < QUIET_LOOK_MS ? previous_ms * 2 : QUIET_LOOK_MS;
  if (room < 0) return QUIET_LOOK_MS;
  if (elapsed_ms < 1) elapsed_ms = 1;
  /* room/4 at grown/elapsed_ms bytes a ms; in doubles, as a fast writer's product overflows. */
  double ms = (double)room / 4.0 * (double)elapsed_ms / (double)grown;
  if (ms < 1) return 1;
  return ms > QUIET_LOOK_MS ? QUIET_LOOK_MS : (long long)ms;
}

/* Waits for the command while it keeps each log under the cap and notes when it grew; returns the command's status. */
static int wait_watching(pid_t pid, const char *out_path, const char *err_path, const long long start_sizes[2]) {
  struct capped logs[2];
  struct indexed index[2];
  long long sizes[2];
  int count = err_path[0] ? 2 : 1;
  const char *paths[2] = {out_path, err_path};
  for (int i = 0; i < count; i++) {
    logs[i].log = i + 1; /* the monitor's own stdout and stderr are the logs */
    if (log_cap > 0) open_kept(&logs[i], paths[i]);
    else logs[i].kept_file = -1;
    index[i] = (struct indexed){.times_path = beside(paths[i], ".times"), .noted = start_sizes[i], .noted_at = 0};
    sizes[i] = start_sizes[i];
  }
  long long due = 0; /* when the next note is due; 0: none waits */
  long long look_every = FIRST_LOOK_MS;
  long long looked_at = now_ms();
  sigset_t waiting;
  sigprocmask(SIG_SETMASK, NULL, &waiting);
  sigdelset(&waiting, SIGCHLD);
  int status;
  pid_t done = waitpid(pid, &status, WNOHANG);
  while (done != pid) {
    if (done == -1 && errno != EINTR) _exit(126);
    long long wait_ms = look_every;
    if (due) {
      long long until_due = due - looked_at;
      if (until_due < 0) until_due = 0;
      if (until_due < wait_ms) wait_ms = until_due;
    }
    struct timespec wait_for = {wait_ms / 1000, (wait_ms % 1000) * 1000000};
    /* SIGCHLD is blocked outside ppoll: an end that comes before it interrupts it at once. */
    ppoll(NULL, 0, &wait_for, &waiting);
    long long now = now_ms();
    long long grown = 0, room = -1;
    due = 0;
    for (int i = 0; i < count; i++) {
      /* One fstat a log and look: the cap, the index and the pace all read it. */
      struct stat st;
      if (fstat(logs[i].log, &st) != 0) continue;
      trim(&logs[i], &st);
      long long next = index_log(&index[i], st.st_size, now, 0);
      if (next && (!due || next < due)) due = next;
      if (st.st_size > sizes[i]) grown += st.st_size - sizes[i];
      sizes[i] = st.st_size;
      if (logs[i].kept_file >= 0 && log_cap > 0) {
        long long left = log_cap - (st.st_size - logs[i].kept);
        if (left < 0) left = 0;
        if (room < 0 || left < room) room = left;
      }
    }
    look_every = next_look_ms(look_every, grown, now - looked_at, room);
    looked_at = now;
    /* The command's end is heard at once: its replacement (restart on failure) waits on it. */
    done = waitpid(pid, &status, WNOHANG);
  }
  long long now = now_ms();
  for (int i = 0; i < count; i++) {
    struct stat st;
    if (fstat(logs[i].log, &st) != 0) continue;
    trim(&logs[i], &st);
    index_log(&index[i], st.st_size, now, 1);
  }
  return status;
}

static int open_log(const char *path) {
  return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

/* In the monitor's process (forked from the spawner), never returns. */
static void monitor(struct request *r) {
  /* Its own session: a signal to the daemon's group never reaches a task. */
  setsid();
  /* The task's log folder, and no exit status of an earlier run: made here, in parallel
     with the daemon's work, since creating a file or folder can take a millisecond. */
  char *slash = strrchr(r->out, '/');
  if (slash && slash != r->out) {
    *slash = '\0';
    /* Its parent too, should the home's logs folder have been removed since the daemon made it. */
    if (mkdir(r->out, 0700) == -1 && errno == ENOENT) {
      char *parent = strrchr(r->out, '/');
      if (parent && parent != r->out) {
        *parent = '\0';
        mkdir(r->out, 0700);
        *parent = '/';
      }
    }
    if (mkdir(r->out, 0700) == -1 && errno != EEXIST) {
      reply("F %s cannot make the log folder %s: %s", r->id, r->out, strerror(errno));
      _exit(126);
    }
    *slash = '/';
  }
  reserve_exit_file(r->exit_file);
  int out = open_log(r->out);
  int err = r->err[0] ? open_log(r->err) : out;
  if (out < 0 || err < 0) {
    reply("F %s cannot open the log of the task: %s", r->id, strerror(errno));
    _exit(126);
  }
  if (chdir(r->cwd) == -1) {
    reply("F %s cannot use %s as the working folder: %s", r->id, r->cwd, strerror(errno));
    _exit(126);
  }
  struct stat so, se;
  fstat(out, &so);
  fstat(err, &se);
  int null = r->stdin_fifo[0] ? open_stdin_fifo(r->stdin_fifo) : open("/dev/null", O_RDONLY);
  if (null < 0) {
    reply("F %s cannot make the stdin pipe %s: %s", r->id, r->stdin_fifo, strerror(errno));
    _exit(126);
  }
  dup2(null, 0);
  dup2(out, 1);
  dup2(err, 2);
  if (null > 2) close(null);
  if (out > 2) close(out);
  if (err > 2 && err != out) close(err);
  environ = r->env;

  /* Blocked across the fork: a signal that comes before the command's pid is known is passed on once it is. */
  sigset_t set;
  sigemptyset(&set);
  for (size_t i = 0; i < FORWARDED; i++) sigaddset(&set, forwarded[i]);
  sigprocmask(SIG_BLOCK, &set, NULL);
  long cap_value = 0;
  if (number(r->log_max, &cap_value) == 1 && cap_value > 0) log_cap = cap_value;
  struct sigaction pass;
  memset(&pass, 0, sizeof pass);
  pass.sa_handler = forward;
  pass.sa_flags = SA_RESTART;
  sigemptyset(&pass.sa_mask);
  for (size_t i = 0; i < FORWARDED; i++) sigaction(forwarded[i], &pass, NULL);

  mode_t mask = (mode_t)strtol(r->umask, NULL, 8);
  /* A close-on-exec pipe: end of file means the exec succeeded, an errno means it did not.
     The task counts as started only once its program runs. */
  int gate[2] = {-1, -1};
  if (pipe2(gate, O_CLOEXEC) == -1) gate[0] = gate[1] = -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (gate[0] >= 0) close(gate[0]);
    exec_command(r->argv, mask, r->nice, r->io_class, r->io_level, gate[1]);
  }
  if (pid < 0) {
    reply("F %s cannot start %s: %s", r->id, r->argv[0], strerror(errno));
    _exit(126);
  }
  if (gate[1] >= 0) close(gate[1]);
  if (gate[0] >= 0) {
    int failure = 0;
    ssize_t n;
    while ((n = read(gate[0], &failure, sizeof failure)) == -1 && errno == EINTR) {
    }
    close(gate[0]);
    if (n == sizeof failure && failure != 0) {
      waitpid(pid, NULL, 0);
      reply("F %s %s: %s", r->id, r->argv[0], failure == ENOENT ? "not found" : strerror(failure));
      _exit(failure == ENOENT ? 127 : 126);
    }
  }
  command_pid = pid;
  if (stdin_writer >= 0) {
    /* The monitor reads nothing: only the command holds a read end, so a writer learns when it has closed its stdin. */
    int none = open("/dev/null", O_RDONLY);
    if (none >= 0 && none != 0) {
      dup2(none, 0);
      close(none);
    }
    struct sigaction eof;
    memset(&eof, 0, sizeof eof);
    eof.sa_handler = end_input;
    sigemptyset(&eof.sa_mask);
    sigaction(SIGURG, &eof, NULL);
  }
  reply("S %s %d %d %lld %lld", r->id, (int)getpid(), (int)pid, (long long)so.st_size, (long long)se.st_size);
  /* The replies pipe stays the spawner's: the daemon sees its end when the spawner goes. */
  close(replies);
  sigset_t none;
  sigemptyset(&none);
  struct sigaction child;
  memset(&child, 0, sizeof child);
  child.sa_handler = on_child;
  sigemptyset(&child.sa_mask);
  sigaction(SIGCHLD, &child, NULL);
  sigaddset(&none, SIGCHLD);
  sigprocmask(SIG_SETMASK, &none, NULL);
  const long long start_sizes[2] = {(long long)so.st_size, (long long)se.st_size};
  int status = wait_watching(pid, r->out, r->err, start_sizes);
  int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  write_exit_file(r->exit_file, code);
  _exit(code);
}

/* ---------------------------------------------------------------- the spawner */

static char *buffer = NULL;
static size_t used = 0, capacity = 0;

/* Splits one complete request off the front of the buffer; 0 when more input is needed. */
static size_t take_request(char ***fields_out, size_t *count_out) {
  char *end = memchr(buffer, '\0', used);
  if (!end) return 0;
  char *stop;
  long count = strtol(buffer, &stop, 10);
  if (stop != end || count < 13 || count > 1 << 20) return (size_t)-1;
  char **fields = calloc((size_t)count + 1, sizeof *fields);
  if (!fields) return (size_t)-1;
  char *at = end + 1;
  for (long i = 0; i < count; i++) {
    char *next = memchr(at, '\0', used - (size_t)(at - buffer));
    if (!next) {
      free(fields);
      return 0;
    }
    fields[i] = at;
    at = next + 1;
  }
  *fields_out = fields;
  *count_out = (size_t)count;
  return (size_t)(at - buffer);
}

static int sigchld_fd = -1;

static void start(char **f, size_t count) {
  struct request r = {f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], NULL, NULL};
  long envc = strtol(f[11], NULL, 10);
  if (envc < 0 || (size_t)envc + 13 > count) {
    reply("F %s malformed request", f[0]);
    return;
  }
  /* fields[count] is NULL, so both lists end where they must once split apart. */
  char **env = calloc((size_t)envc + 1, sizeof *env);
  if (!env) {
    reply("F %s out of memory", f[0]);
    return;
  }
  memcpy(env, f + 12, (size_t)envc * sizeof *env);
  r.env = env;
  r.argv = f + 12 + envc;
  pid_t pid = fork();
  if (pid == 0) {
    close(sigchld_fd);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    monitor(&r);
  }
  if (pid < 0) reply("F %s cannot start a monitor: %s", f[0], strerror(errno));
  free(env);
}

static void reap(void) {
  struct signalfd_siginfo info;
  while (read(sigchld_fd, &info, sizeof info) > 0) {
  }
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (WIFEXITED(status)) reply("X %d %d", (int)pid, WEXITSTATUS(status));
    else reply("X %d -", (int)pid);
  }
}

/* The request and reply format above; the daemon checks it before it uses a spawner. */
#define PROTOCOL "7"

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--protocol") == 0) {
    puts(PROTOCOL);
    return 0;
  }
  replies = fcntl(1, F_DUPFD_CLOEXEC, 3);
  if (replies < 0) return 2;
  fcntl(0, F_SETFD, FD_CLOEXEC);
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  sigchld_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigchld_fd < 0) return 2;

  struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = sigchld_fd, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) == -1) {
      if (errno == EINTR) continue;
      return 2;
    }
    if (fds[1].revents & POLLIN) reap();
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      if (capacity - used < 65536) {
        capacity = capacity ? capacity * 2 : 1 << 17;
        buffer = realloc(buffer, capacity);
        if (!buffer) return 2;
      }
      ssize_t n = read(0, buffer + used, capacity - used);
      if (n == 0) return 0;
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return 2;
      }
      used += (size_t)n;
      for (;;) {
        char **fields = NULL;
        size_t count = 0;
        size_t taken = take_request(&fields, &count);
        if (taken == 0) break;
        if (taken == (size_t)-1) {
          reply("F ? malformed request");
          return 2;
        }
        start(fields, count);
        free(fields);
        memmove(buffer, buffer + taken, used - taken);
        used -= taken;
      }
    }
  }
}
