/**
 * The schema of corral.yaml and where its refusals point (src/config/envfile/schema.ts and
 * located.ts): every bad file is a usage error that starts with `file:line:col:`, names the
 * nearest valid key for an unknown one and says what to write.
 */
import { describe, expect, it } from 'vitest';
import { bad, escapeRe, FILE, parse, taskOf, usageOf, y } from './helpers.js';

describe('a bad corral.yaml is refused with file:line:col and what is wrong', () => {
  describe('unknown keys, with the nearest valid key', () => {
    it('at the top level', () => {
      bad(y('name: x', 'envs: {}', 'tasks:', '  a:', '    command: x'), 2, 1, 'unknown key "envs"; did you mean "env"? (valid: name, env, env_file, tasks');
    });

    it('in a task', () => {
      bad(y('tasks:', '  a:', '    command: x', '    helth: { tcp: 1 }'), 4, 5, 'unknown key "helth"; did you mean "health"?', '(valid: command, ');
      bad(y('tasks:', '  a:', '    command: x', '    depends-on: [b]'), 4, 5, 'unknown key "depends-on"; did you mean "depends_on"?');
      bad(y('tasks:', '  a:', '    command: x', '    workdir: /tmp'), 4, 5, 'unknown key "workdir"', 'cwd');
    });

    it('in a task, without a suggestion when nothing is close', () => {
      const message = bad(y('tasks:', '  a:', '    command: x', '    zzzzzzzzzzzz: 1'), 4, 5, 'unknown key "zzzzzzzzzzzz"', '(valid: command');
      expect(message).not.toContain('did you mean');
    });

    it('in health', () => {
      bad(
        y('tasks:', '  a:', '    command: x', '    health:', '      tcp: 80', '      intervl: 1s'),
        6,
        7,
        'unknown key "intervl"; did you mean "interval"? (valid: http, tcp, listen, file, socket, exec, log, liveness, interval, timeout, retries, start_period',
      );
      bad(y('tasks:', '  a:', '    command: x', '    health: { tcp: 80, star_period: 1s }'), 4, 24, 'unknown key "star_period"; did you mean "start_period"?');
    });

    it('in an edge of depends_on, and a restart that is not true or false', () => {
      bad(y('tasks:', '  db: { command: x }', '  api:', '    command: y', '    depends_on: { db: { restrat: true } }'), 5, 25, 'unknown key "restrat"; did you mean "restart"? (valid: condition, timeout, restart');
      bad(y('tasks:', '  db: { command: x }', '  api:', '    command: y', '    depends_on:', '      db: { restart: yes }'), 6, 22, 'tasks.api.depends_on.db.restart: restart is true (restart after it, when an applied file restarts it) or false');
    });

    it('in stop', () => {
      bad(y('tasks:', '  a:', '    command: x', '    stop:', '      signl: INT'), 5, 7, 'unknown key "signl"; did you mean "signal"? (valid: signal, grace, command');
    });

    it('in restart', () => {
      bad(
        y('tasks:', '  a:', '    command: x', '    restart:', '      policy: always', '      backof: 1s'),
        6,
        7,
        'unknown key "backof"; did you mean "backoff"?',
      );
    });

    it('in a depends_on edge', () => {
      bad(
        y('tasks:', '  db:', '    command: x', '  api:', '    command: y', '    depends_on:', '      db: { condition: started, timout: 5s }'),
        7,
        33,
        'unknown key "timout"; did you mean "timeout"? (valid: condition, timeout',
      );
    });

    it('in autoBackground and its rules', () => {
      bad(y('autoBackground:', '  rule: []', 'tasks:', '  a:', '    command: x'), 2, 3, 'unknown key "rule"; did you mean "rules"? (valid: enabled, patterns, excludePatterns, rules');
      bad(y('autoBackground:', '  rules:', '    - { pattern: x, backgrond: true }', 'tasks:', '  a:', '    command: x'), 3, 21, 'unknown key "backgrond"; did you mean "background"?');
    });
  });

  describe('values', () => {
    it('a bad duration', () => {
      bad(
        y('tasks:', '  a:', '    command: x', '    health:', '      tcp: 80', '      interval: 5 seconds'),
        6,
        17,
        'tasks.a.health.interval: "5 seconds" is not a duration: write it like 500ms, 5s, 2m or 1h',
      );
      bad(y('tasks:', '  a:', '    command: x', '    stop:', '      grace: soon'), 5, 14, 'tasks.a.stop.grace', '"soon" is not a duration');
      bad(y('tasks:', '  a:', '    command: x', '    stop: { grace: -1 }'), 4, 20, 'tasks.a.stop.grace', 'non-negative');
    });

    it('an invalid regular expression in health.log', () => {
      bad(y('tasks:', '  a:', '    command: x', '    health:', '      log: "("'), 5, 12, 'tasks.a.health.log', '"(" is not a valid regular expression');
      bad(y('tasks:', '  a:', '    command: x', '    health: { log: "[a-" }'), 4, 20, '"[a-" is not a valid regular expression');
    });

    it('a tcp address that is not host:port', () => {
      bad(y('tasks:', '  a:', '    command: x', '    health:', '      tcp: "host:port"'), 5, 12, 'tcp: "host:port" is not host:port');
      bad(y('tasks:', '  a:', '    command: x', '    health: { tcp: 70000 }'), 4, 20, 'tcp: "70000" is not host:port');
      bad(y('tasks:', '  a:', '    command: x', '    health: { tcp: 0 }'), 4, 20, 'tcp: "0" is not host:port');
    });

    it('an http check that is not a URL', () => {
      bad(y('tasks:', '  a:', '    command: x', '    health: { http: "localhost:4000" }'), 4, 21, 'tasks.a.health.http', 'an http check is a URL');
    });

    it('a health check without a probe', () => {
      bad(y('tasks:', '  a:', '    command: x', '    health: { interval: 1s }'), 4, 13, 'a health check needs one of http, tcp, listen, file, socket, exec or log');
    });

    it('retries below 1', () => {
      bad(y('tasks:', '  a:', '    command: x', '    health: { tcp: 1, retries: 0 }'), 4, 32, 'tasks.a.health.retries');
    });

    it('a bad signal', () => {
      bad(y('tasks:', '  a:', '    command: x', '    stop:', '      signal: SIGFOO'), 5, 15, 'tasks.a.stop.signal', '"SIGFOO" is not a signal');
      bad(y('tasks:', '  a:', '    command: x', '    stop: { signal: "99" }'), 4, 21, '"99" is not a signal');
    });

    it('a missing command', () => {
      bad(y('tasks:', '  a:', '    cwd: /tmp'), 3, 5, '"command" is required');
      bad(y('tasks:', '  a: { cwd: /tmp }'), 2, 6, '"command" is required');
    });

    it('an empty command', () => {
      bad(y('tasks:', '  a:', '    command: ""'), 3, 14, 'tasks.a.command: the command is empty');
      bad(y('tasks:', '  a:', '    command: "   "'), 3, 14, 'tasks.a.command: the command is empty');
      bad(y('tasks:', '  a:', '    command:', '    cwd: /tmp'), 3, 13, 'tasks.a.command');
    });

    it('a command that is neither a string nor a list of words', () => {
      bad(y('tasks:', '  a:', '    command: { npm: start }'), 3, 14, 'tasks.a.command');
      bad(y('tasks:', '  a:', '    command: [npm, 3]'), 3, 14, 'tasks.a.command');
      bad(y('tasks:', '  a:', '    command: []'), 3, 14, 'tasks.a.command: the command is empty');
    });

    it('takes a health check written as --health writes it, and a lone dependency as a name', () => {
      const spec = parse(y('tasks:', '  db:', '    command: x', '    health: "tcp:6390"', '  api:', '    command: y', '    depends_on: db', '    health: http://127.0.0.1:4000/health'));
      expect(spec.tasks[0]!.health!.probes).toEqual([{ kind: 'tcp', host: '127.0.0.1', port: 6390 }]);
      expect(spec.tasks[1]!.health!.probes).toEqual([{ kind: 'http', url: 'http://127.0.0.1:4000/health' }]);
      expect(spec.tasks[1]!.dependsOn.map((e) => [e.on, e.condition])).toEqual([['db', 'healthy']]);
      bad(y('tasks:', '  a:', '    command: x', '    health: "sometimes"'), 4, 13, 'tasks.a.health');
    });

    it('a command as a list of words (as in compose) is quoted word by word', () => {
      const spec = parse(y('tasks:', '  a:', `    command: [python3, -c, "print('hi there')"]`));
      expect(spec.tasks[0]!.command).toBe(`python3 -c 'print('\\''hi there'\\'')'`);
    });

    it('background that is not a boolean', () => {
      bad(y('tasks:', '  a:', '    command: x', '    background: "yes"'), 4, 17, 'tasks.a.background', 'boolean');
    });

    it('an unknown output mode', () => {
      bad(y('tasks:', '  a:', '    command: x', '    output: both'), 4, 13, 'tasks.a.output');
    });

    it('an unknown restart policy (a usage error at restart)', () => {
      bad(y('tasks:', '  a:', '    command: x', '    restart: sometimes'), 4, 14, 'tasks.a.restart');
    });

    it('an env value that is not a scalar', () => {
      bad(y('tasks:', '  a:', '    command: x', '    env:', '      LIST: [1, 2]'), 5, 13, 'tasks.a.env.LIST');
    });

    it('a bad environment name', () => {
      bad(y('name: 1x', 'tasks:', '  a:', '    command: x'), 1, 7, 'name: an environment name starts with a letter');
    });
  });

  describe('the shape of the file', () => {
    it('a YAML syntax error is a usage error with the parser message', () => {
      const message = usageOf(() => parse(y('tasks:', '  a:', '    command: x', '  a:', '    command: y'))).message;
      expect(message).toMatch(new RegExp(`^${escapeRe(FILE)}:\\d+:\\d+: Map keys must be unique`));
      const tab = usageOf(() => parse(y('tasks:', '  a:', '    command: x', '\tcwd: y'))).message;
      expect(tab).toMatch(new RegExp(`^${escapeRe(FILE)}:\\d+:\\d+: `));
      const unclosed = usageOf(() => parse(y('tasks:', '  a: { command: x', '  b: 1'))).message;
      expect(unclosed).toMatch(new RegExp(`^${escapeRe(FILE)}:\\d+:\\d+: `));
    });

    it('a file that is a list', () => {
      bad(y('- name: a', '  command: x'), 1, 1, 'an env file is a mapping with "tasks:" (or "steps:" for a workflow)');
      bad(y('# my tasks', '- a', '- b'), 2, 1, 'an env file is a mapping');
    });

    it('a file that is a scalar, empty, or only comments', () => {
      bad('npm run dev\n', 1, 1, 'an env file is a mapping');
      bad('', 1, 1, 'an env file is a mapping');
      bad('# nothing yet\n', 1, 1, 'an env file is a mapping');
    });

    it('no tasks', () => {
      bad(y('tasks: {}'), 1, 8, 'the file has no tasks');
      bad(y('name: x', 'tasks:'), 2, 7, 'tasks');
      bad(y('name: x', 'env: { A: 1 }'), 1, 1, '"tasks" is required');
    });

    it('a task name that is not a name (still a usage error)', () => {
      usageOf(() => parse(y('tasks:', '  1api:', '    command: x')));
      usageOf(() => parse(y('tasks:', '  "my api":', '    command: x')));
      usageOf(() => parse(y('tasks:', `  ${'a'.repeat(65)}:`, '    command: x')));
    });

    it('a task named like a task id, at its name', () => {
      bad(y('tasks:', '  web:', '    command: x', '  bash_5:', '    command: y'), 4, 3, '"bash_5": a name cannot look like a task id (bash_N)');
      // Only the id's very shape is refused.
      expect(parse(y('tasks:', '  bash_web:', '    command: x', '  bash5:', '    command: y', '  Bash_5:', '    command: z')).tasks).toHaveLength(3);
    });

    it('a "billion laughs" file, at its biggest alias, before it is expanded', () => {
      const lines = ['name: bomb', 'x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
      for (let i = 1; i <= 8; i++) lines.push(`x${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
      lines.push('tasks:', '  a:', '    command: echo hi', '    env:', '      X: *a8');
      bad(y(...lines), 15, 10, 'the alias *a8 would expand to 435,848,050 values', '"billion laughs"');
    });

    it('aliases that do not nest are expanded as they are', () => {
      const spec = parse(y('tasks:', '  a:', '    command: x', '    env: &common { A: "1" }', '  b:', '    command: y', '    env: *common'));
      expect(spec.tasks.map((t) => t.env)).toEqual([{ A: '1' }, { A: '1' }]);
    });

    it('a key repeated in any map, at the repeat', () => {
      bad(y('tasks:', '  a:', '    command: x', '    env: { A: "1", B: "2", A: "3" }'), 4, 28, 'Map keys must be unique');
      bad(y('name: x', 'tasks:', '  a:', '    command: x', 'name: y'), 5, 1, 'Map keys must be unique');
    });

    it('two tasks with the same name', () => {
      const message = usageOf(() => parse(y('tasks:', '  a:', '    command: x', '  a:', '    command: y'))).message;
      expect(message).toContain('Map keys must be unique');
    });
  });
});

describe('fixed bugs', () => {
  it('a YAML syntax error points at the line of the error, not 1:1', () => {
    bad(y('tasks:', '  a:', '    command: x', '  a:', '    command: y'), 4, 3, 'Map keys must be unique');
  });

  it('a tab used as indentation points at its line, not 1:1', () => {
    bad(y('tasks:', '  a:', '    command: x', '\tcwd: y'), 4, 1, 'Tabs are not allowed');
  });

  it('a bad condition name says which conditions exist and points at it', () => {
    bad(
      y('tasks:', '  db:', '    command: x', '  api:', '    command: y', '    depends_on:', '      db: health'),
      7,
      11,
      'a condition is one of started, healthy, completed, succeeded',
    );
  });

  it('a bad condition in the object form says which conditions exist', () => {
    bad(
      y('tasks:', '  db:', '    command: x', '  api:', '    command: y', '    depends_on:', '      db: { condition: up }'),
      7,
      24,
      'a condition is one of started, healthy, completed, succeeded',
    );
  });

  it('an unknown restart policy lists the policies', () => {
    bad(y('tasks:', '  a:', '    command: x', '    restart: sometimes'), 4, 14, 'on-failure');
  });

  it('a bad task name says what a name is and points at the name', () => {
    bad(y('tasks:', '  1api:', '    command: x'), 2, 3, 'a task name starts with a letter');
    bad(y('tasks:', '  web/api:', '    command: x'), 2, 3, 'a task name starts with a letter');
  });

  it('a value of the wrong type, or not one of the words a key takes, says what was given', () => {
    bad(y('tasks:', '  a:', '    command: 5'), 3, 14, 'tasks.a.command: Expected string, received number');
    bad(y('tasks: 5'), 1, 8, 'tasks: Expected object, received number');
    bad(y('tasks:', '  a:', '    command: x', '    output: both'), 4, 13, "tasks.a.output: Invalid enum value. Expected 'separate' | 'combined', received 'both'");
  });

  it('a bad task name is told as the name\'s fault even when its task is bad too', () => {
    bad(y('tasks:', '  1api:', '    command: 5'), 2, 3, '"1api": a task name starts with a letter');
  });

  it('a task named like an id is refused: a reference would mean two tasks', () => {
    bad(y('tasks:', '  web:', '    command: x', '  bash_5:', '    command: y'), 4, 3, 'a name cannot look like a task id (bash_N)');
  });

  it('a misspelt required key is reported as unknown, with the suggestion (in a task)', () => {
    bad(y('tasks:', '  a:', '    comand: x'), 3, 5, 'unknown key "comand"; did you mean "command"?');
  });

  it('a misspelt "tasks:" is reported as unknown, with the suggestion', () => {
    bad(y('task:', '  a:', '    command: x'), 1, 1, 'unknown key "task"; did you mean "tasks"?');
  });

  it('a stop signal given as a number (the error message itself suggests "15") is read', () => {
    const spec = parse(y('tasks:', '  a:', '    command: x', '    stop: { signal: 15 }'));
    expect(spec.tasks[0]!.stopSignal).toBe('SIGTERM');
  });

  it('an unknown key in a task named "health" (or stop, restart, limits, monitor) lists the task keys', () => {
    bad(y('tasks:', '  health:', '    command: x', '    helth: 1'), 4, 5, 'did you mean "health"?', '(valid: command');
  });

  it('an unknown key in a depends_on edge on a task named "health" lists condition, timeout and restart', () => {
    bad(
      y('tasks:', '  health:', '    command: x', '  api:', '    command: y', '    depends_on:', '      health: { condtion: started }'),
      7,
      17,
      'did you mean "condition"? (valid: condition, timeout, restart)',
    );
  });

  it('a bad duration in a depends_on edge says so and points at it', () => {
    bad(
      y('tasks:', '  db:', '    command: x', '  a:', '    command: x', '    depends_on:', '      db: { timeout: forever }'),
      7,
      22,
      '"forever" is not a duration',
    );
  });

  it('a bad duration in a restart object says so and points at it', () => {
    bad(y('tasks:', '  a:', '    command: x', '    restart: { policy: always, backoff: 1 sec }'), 4, 41, '"1 sec" is not a duration');
  });

  it('a bad limit duration names its field once, as every duration of the file does', () => {
    const message = bad(y('tasks:', '  a:', '    command: x', '    limits: { timeout: x }'), 4, 24, 'tasks.a.limits.timeout: "x" is not a duration: write it like 500ms, 5s, 2m or 1h');
    expect(message).not.toMatch(/timeout "x"|duration "x"/);
    bad(y('tasks:', '  a:', '    command: x', '    limits:', '      idle: 5 min'), 5, 13, 'tasks.a.limits.idle: "5 min" is not a duration: write it like 500ms, 5s, 2m or 1h');
    bad(y('tasks:', '  a:', '    command: x', '    limits: { idle: -1 }'), 4, 21, 'tasks.a.limits.idle: -1 is not a duration: write a non-negative number of seconds');
  });

  it('takes limits of days and more, and refuses one past a million days', () => {
    const limits = (value: string) => taskOf(parse(y('tasks:', '  a:', '    command: x', `    limits: { timeout: ${value}, idle: ${value} }`)), 'a').limits;
    expect(limits('30d')).toMatchObject({ timeoutMs: 30 * 86_400_000, idleMs: 30 * 86_400_000 });
    // Read once as a duration: 1000 days is not read again as 86,400,000,000 seconds.
    expect(limits('1000000d')).toMatchObject({ timeoutMs: 1_000_000 * 86_400_000 });
    bad(y('tasks:', '  a:', '    command: x', '    limits: { timeout: 1000001d }'), 4, 24, 'tasks.a.limits.timeout: "1000001d" is too long a duration: at most 1000000d');
    bad(y('tasks:', '  a:', '    command: x', '    stop: { grace: 99999999999d }'), 4, 20, 'tasks.a.stop.grace: "99999999999d" is too long a duration');
  });

  it('reads a log cap and colour, and points at a cap that is no size or too small', () => {
    const task = taskOf(parse(y('tasks:', '  a:', '    command: x', '    logs: { max_size: 50M }', '    color: true')), 'a');
    expect(task).toMatchObject({ logMaxBytes: 50 * 1024 * 1024, color: true });
    expect(taskOf(parse(y('tasks:', '  a:', '    command: x', '    logs: { max_size: off }')), 'a').logMaxBytes).toBe(0);
    expect(taskOf(parse(y('tasks:', '  a:', '    command: x')), 'a')).toMatchObject({ logMaxBytes: null, color: false });
    bad(y('tasks:', '  a:', '    command: x', '    logs: { max_size: 10K }'), 4, 23, 'tasks.a.logs.max_size: "10K" is 10240 bytes, too small for a log cap');
    bad(y('tasks:', '  a:', '    command: x', '    logs: { size: 10M }'), 4, 13, 'size');
  });

  it('a run-time or idle limit of 0 is refused: it would stop the task at once', () => {
    bad(y('tasks:', '  a:', '    command: x', '    limits: { timeout: 0 }'), 4, 24, 'a timeout of 0 would stop the task at once');
    bad(y('tasks:', '  a:', '    command: x', '    limits: { idle: 0s }'), 4, 21, 'an idle limit of 0', 'leave it out for no limit');
  });
});
