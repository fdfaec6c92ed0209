/**
 * Which commands belong in the background: servers and watchers (`npm run dev`, `vite`,
 * `flask run`, `tail -f`, anything with `--watch`…) go there; everything else runs in the
 * foreground. Users add patterns and exclusions (globs or /regexes/); theirs win over the
 * built-in ones, and an exclusion wins over a pattern. Rules (`{pattern, background}`, as
 * agent configurations write them) come before all of that: the first that matches decides.
 * Pure: a table-driven test covers it.
 */
export interface AutoBackgroundRule {
  pattern: string;
  background: boolean;
  /** The file the rule was read from, for --explain. */
  source?: string;
}

export interface AutoBackgroundConfig {
  enabled: boolean;
  /** Tried in order before the patterns: the first match decides, either way. */
  rules?: AutoBackgroundRule[];
  patterns: string[];
  excludePatterns: string[];
  /** Where the user's patterns came from, for --explain. */
  source?: string;
}

interface Classification {
  background: boolean;
  /** The rule that decided, in words: `built-in pattern "dev server (npm/yarn/pnpm/bun)"`. */
  rule: string;
}

interface BuiltIn {
  name: string;
  test: RegExp;
}

const WATCH_TOOLS = 'tsc|jest|vitest|mocha|webpack|rollup|esbuild|tsup|sass|babel|nodemon|coffee|less|stylus|elm-live';

const BUILT_IN_PATTERNS: BuiltIn[] = [
  { name: 'dev server (npm/yarn/pnpm/bun)', test: /^(npm|pnpm|yarn|bun)\s+(run\s+)?(dev|start|serve|watch|preview)(\s|$|:)/ },
  { name: 'a watch or serve script', test: /^(npm|pnpm|yarn|bun)\s+(run\s+)?[\w.-]*[:-](dev|watch|serve)(\s|$)/ },
  { name: 'dev server', test: /^(npx\s+|pnpm\s+exec\s+|yarn\s+)?(vite|next\s+dev|nuxt\s+dev|nuxi\s+dev|astro\s+dev|remix\s+dev|gatsby\s+develop|ng\s+serve|vue-cli-service\s+serve|webpack\s+serve|webpack-dev-server|parcel(?!\s+build)|nodemon|ts-node-dev|tsx\s+watch|live-server|http-server|browser-sync|serve|storybook\s+dev|start-storybook|expo\s+start|react-native\s+start|ember\s+serve|svelte-kit\s+dev|wrangler\s+dev|netlify\s+dev|vercel\s+dev|firebase\s+emulators:start)(\s|$)/ },
  { name: '--watch flag', test: /(^|\s)--watch(=|\s|$)/ },
  { name: '-w flag of a build tool', test: new RegExp(`^(npx\\s+)?(${WATCH_TOOLS})\\b.*\\s-w(\\s|$)`) },
  { name: 'python server', test: /^(python3?\s+(-m\s+(http\.server|SimpleHTTPServer|flask\s+run|uvicorn|gunicorn)|manage\.py\s+runserver|[\w./-]*manage\.py\s+runserver)|flask\s+run|uvicorn\s|gunicorn\s|hypercorn\s|streamlit\s+run|jupyter\s+(notebook|lab)|mkdocs\s+serve)/ },
  { name: 'ruby/php/other server', test: /^((bundle\s+exec\s+)?rails\s+(s|server)|php\s+-S\s|php\s+artisan\s+serve|hugo\s+server|jekyll\s+serve|(bundle\s+exec\s+)?jekyll\s+serve|air(\s|$)|cargo\s+watch|dotnet\s+watch|mix\s+phx\.server|iex\s+-S\s+mix\s+phx\.server)/ },
  { name: 'docker compose up (attached)', test: /^(?!.*\s(-d|--detach)(\s|$))docker[-\s]compose\s+(.*\s)?up(\s|$)/ },
  { name: 'docker run with published ports (attached)', test: /^(?!.*\s(-d|--detach)(\s|$))docker\s+run(\s.*)?\s(-p|--publish)[\s=]/ },
  { name: 'follows a log', test: /^(tail\s+(-[a-zA-Z]*[fF]|--follow)|journalctl\s.*(-f|--follow)(\s|$)|kubectl\s+logs\s.*(-f|--follow)(\s|$)|docker(-|\s)compose\s+logs\s.*(-f|--follow)|docker\s+logs\s.*(-f|--follow)|watch\s)/ },
  { name: 'a database or queue server', test: /^(redis-server|postgres|mongod|memcached|mysqld|nats-server|minio\s+server|elasticsearch)(\s|$)/ },
  { name: 'cypress open', test: /^(npx\s+)?cypress\s+open/ },
];

const BUILT_IN_EXCLUDES: BuiltIn[] = [
  { name: 'tests run once', test: /^(npm|pnpm|yarn|bun)\s+(run\s+)?test(\s|$)(?!.*--watch)/ },
  { name: 'a one-off build', test: /^(npm|pnpm|yarn|bun)\s+(run\s+)?build(\s|$)(?!.*--watch)/ },
  { name: 'asks for a version or help', test: /(\s|^)(--version|-v|--help|-h)$/ },
];

/** A user pattern: `/regex/flags`, a glob with `*`/`?`, or a command prefix (`npm run dev`). */
export function userPatternMatches(pattern: string, command: string): boolean {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex) {
    try {
      return new RegExp(regex[1]!, regex[2]).test(command);
    } catch {
      return false;
    }
  }
  if (/[*?]/.test(pattern)) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${source}$`).test(command);
  }
  const p = pattern.trim();
  return command === p || command.startsWith(`${p} `);
}

/** `cd web && npm run dev` → [`cd web`, `npm run dev`]: each part is judged on its own. */
function commandParts(command: string): string[] {
  return command
    .split(/&&|\|\||;|\n/)
    .map((part) => part.trim().replace(/^(sudo\s+|exec\s+|env\s+(\w+=\S*\s+)*|(\w+=\S*\s+)+)/, '').trim())
    .filter((part) => part.length > 0);
}

const DEFAULT_AUTOBACKGROUND: AutoBackgroundConfig = { enabled: true, patterns: [], excludePatterns: [] };

export function classifyCommand(command: string, config: AutoBackgroundConfig = DEFAULT_AUTOBACKGROUND): Classification {
  const whole = command.trim();
  const from = config.source ? ` (${config.source})` : '';
  if (!config.enabled) return { background: false, rule: `auto-background is disabled${from}` };
  const matches = (p: string) => userPatternMatches(p, whole) || commandParts(whole).some((part) => userPatternMatches(p, part));
  const rule = config.rules?.find((r) => matches(r.pattern));
  if (rule) {
    const where = rule.source ? ` (${rule.source})` : from;
    return { background: rule.background, rule: `your rule {"pattern": ${JSON.stringify(rule.pattern)}, "background": ${rule.background}}${where}` };
  }
  const exclude = config.excludePatterns.find(matches);
  if (exclude) return { background: false, rule: `excluded by your pattern "${exclude}"${from}` };
  const mine = config.patterns.find(matches);
  if (mine) return { background: true, rule: `your pattern "${mine}"${from}` };
  for (const part of commandParts(whole)) {
    const excluded = BUILT_IN_EXCLUDES.find((r) => r.test.test(part));
    if (excluded) continue;
    const hit = BUILT_IN_PATTERNS.find((r) => r.test.test(part));
    if (hit) return { background: true, rule: `built-in pattern "${hit.name}" matched "${part}"` };
  }
  const excluded = commandParts(whole).map((p) => BUILT_IN_EXCLUDES.find((r) => r.test.test(p))).find(Boolean);
  if (excluded) return { background: false, rule: `built-in exclusion "${excluded.name}"` };
  return { background: false, rule: 'no background pattern matched: it runs in the foreground' };
}
