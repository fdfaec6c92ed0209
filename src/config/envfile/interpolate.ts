/**
 * Variables in an env file's values, as docker compose expands them: `${VAR}`, `$VAR`,
 * `${VAR:-default}` (unset or empty), `${VAR-default}` (unset), defaults that hold references
 * themselves (`${A:-${B:-x}}`), and `$$` for a dollar sign. Commands are left to the shell.
 */
import type { Located, NodePath } from './located.js';

export type CallerEnv = Record<string, string | undefined>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const WHOLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WITH_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(:?-)([\s\S]*)$/;

/** Where the `}` closing a `${` that starts before `from` is, counting nested `${…}`; -1 when none. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let k = from; k < text.length; k++) {
    if (text[k] === '$' && text[k + 1] === '{') {
      depth++;
      k++;
    } else if (text[k] === '}') {
      if (depth === 0) return k;
      depth--;
    }
  }
  return -1;
}

/**
 * `value` with its references replaced from `callerEnv`; a bad reference is given to `refuse`,
 * which throws with the value's place in the file. A default is expanded only when it is used.
 * A variable that is not set expands to nothing, as in compose; `unset` hears its name.
 */
export function expandValue(value: string, callerEnv: CallerEnv, refuse: (message: string) => never, unset: (name: string) => void = () => {}): string {
  const lookup = (name: string): string => {
    const v = callerEnv[name];
    if (v === undefined) unset(name);
    return v ?? '';
  };
  const braced = (inner: string, whole: string): string => {
    const fallback = WITH_DEFAULT.exec(inner);
    if (fallback) {
      const v = callerEnv[fallback[1]!];
      const useDefault = v === undefined || (fallback[2] === ':-' && v === '');
      return useDefault ? expand(fallback[3]!) : v;
    }
    if (!WHOLE_NAME.test(inner)) refuse(`"${whole}" is not a variable reference (write \${NAME}, or $$ for a dollar sign)`);
    return lookup(inner);
  };
  const expand = (text: string): string => {
    let out = '';
    let i = 0;
    while (i < text.length) {
      const dollar = text.indexOf('$', i);
      if (dollar < 0) return out + text.slice(i);
      out += text.slice(i, dollar);
      const next = text[dollar + 1];
      if (next === '$') {
        out += '$';
        i = dollar + 2;
      } else if (next === '{') {
        const end = closingBrace(text, dollar + 2);
        if (end < 0) refuse(`"${text.slice(dollar)}" has no closing brace (write $$ for a dollar sign)`);
        out += braced(text.slice(dollar + 2, end), text.slice(dollar, end + 1));
        i = end + 1;
      } else {
        const name = NAME.exec(text.slice(dollar + 1))?.[0];
        out += name ? lookup(name) : '$';
        i = dollar + 1 + (name?.length ?? 0);
      }
    }
    return out;
  };
  return expand(value);
}

/** Commands are left to the shell, which expands their variables itself (with the task's environment). */
function isShellCommand(at: NodePath): boolean {
  const p = at.map(String);
  if ((p[0] === 'tasks' || p[0] === 'steps') && p.length === 3 && p[2] === 'command') return true;
  return (p[0] === 'tasks' || p[0] === 'steps') && p.length === 4 && ((p[2] === 'stop' && p[3] === 'command') || (p[2] === 'health' && p[3] === 'exec'));
}

/**
 * The plain document `value` (at `at`) with every string that is not a command expanded.
 * The variables that were not set are noted at their place, so that a refusal of the value
 * they emptied names them.
 */
export function interpolate(value: unknown, callerEnv: CallerEnv, loc: Located, at: NodePath = []): unknown {
  if (typeof value === 'string') {
    if (isShellCommand(at)) return value;
    return expandValue(value, callerEnv, (message) => loc.fail(at, message), (name) => loc.noteUnset(at, name));
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, callerEnv, loc, [...at, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, callerEnv, loc, [...at, k])]));
  }
  return value;
}
