/**
 * Every default of corral in one place. The CLI help, the env-file loader and the
 * supervisor all read them from here, so a default is changed once.
 */
export const DEFAULTS = {
  /** Signal sent first when a task is stopped. */
  stopSignal: 'SIGTERM',
  /** Time between the stop signal and SIGKILL to whatever is left of the tree. */
  graceMs: 5_000,
  restart: {
    policy: 'no',
    backoffMs: 1_000,
    factor: 2,
    maxBackoffMs: 30_000,
    /** ±10 % of the delay, so that tasks crashing together do not restart together. */
    jitter: 0.1,
    /** Running this long without a crash resets the backoff. */
    minUptimeMs: 10_000,
    maxRestarts: 5,
    windowMs: 60_000,
  },
  /** Health checks, tuned for dev environments. */
  health: {
    intervalMs: 1_000,
    timeoutMs: 2_000,
    retries: 3,
    startPeriodMs: 0,
  },
  /** How long a dependent waits for a dependency's condition before failing. */
  dependencyTimeoutMs: 5 * 60_000,
  /** How many bytes a log read returns at most when the caller does not say. */
  readMaxBytes: 1024 * 1024,
  /** Consumer name of `logs --new` when `--as` is not given. */
  cursorConsumer: 'cli',
  /**
   * A new run of an environment (`up`, `orchestrate`) keeps the ended tasks of this many
   * runs before it, for their logs; those of older runs are removed, records and logs.
   */
  envRunsKept: 3,
  /** How long `wait` waits when no `--timeout` is given. */
  waitTimeoutMs: 5 * 60_000,
  /**
   * A service without a check is ready once it has run this long: one that fails at once
   * (a bad flag, a missing file) is not taken for ready in the moment before its exit is seen.
   */
  settleMs: 250,
  /**
   * The event journal's bound on disk (its file and the older half together): about
   * 200 bytes an event, so the latest 80,000 or so are kept.
   */
  journalMaxBytes: 16 * 1024 * 1024,
  /**
   * The most bytes each task log (stdout, stderr) keeps on disk: past it the oldest bytes
   * are released and offsets stay put. Set per task (`logs.max_size`, `--log-max-size`) or
   * for the home (`logMaxSize` in <home>/corral.config.json).
   */
  logMaxBytes: 200 * 1024 * 1024,
  /**
   * Finished tasks kept, with their logs (`retention` in <home>/corral.config.json): the
   * 200 latest to end, and none that ended more than 7 days ago. Running tasks always stay.
   */
  retention: { maxEnded: 200, maxAgeMs: 7 * 86_400_000 },
  /** The daemon's own log (daemon.log and daemon.log.1 together), kept like the journal. */
  daemonLogMaxBytes: 16 * 1024 * 1024,
  /** A consumer that has no event cursor yet (`events --new`, `background_monitor`) starts with this many of the latest events. */
  newEventsBacklog: 100,
  /** A watched task restarts once its files have been quiet this long after a change. */
  watchDebounceMs: 300,
  /** Path segments a watch skips unless a watched path names them itself. */
  watchIgnored: ['.git', 'node_modules'],
} as const;
