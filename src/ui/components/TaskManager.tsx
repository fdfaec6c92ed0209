/**
 * The whole screen: title line, the current view (list, details or log) and the key line.
 * Data arrives through the LiveFeed; kills and restarts run in the background (a kill
 * returns only once the whole tree is gone) while the screen keeps drawing.
 */
import { Box, useApp, useInput, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SupervisorApi, TaskView } from '../../api.js';
import { taskLabel } from '../../text.js';
import { buildRows, listTitle, tildify } from '../format.js';
import { useLogFollow, useTaskDetails, useTaskList, useTerminalSize, useTick, type TerminalSize } from '../hooks.js';
import { handleKey, initialState, logFirstLine, reconcileSelection, type Effect, type KeyContext, type UiState } from '../keys.js';
import { createFeed, DEFAULT_TIMING, type FeedTiming, type LiveFeed } from '../live.js';
import { Footer, TitleBar } from './Bars.js';
import { DetailsView } from './DetailsView.js';
import { LogView } from './LogView.js';
import { listPosition, listWindow, TaskList } from './TaskList.js';
import { Line } from './Text.js';

/** What the UI asks of a supervisor: a RemoteSupervisor, or a fake in tests. */
type UiApi = Pick<SupervisorApi, 'list' | 'describe' | 'read' | 'kill' | 'restart'> & Partial<Pick<SupervisorApi, 'eventsSince'>>;

interface TaskManagerProps {
  api: UiApi;
  home: string;
  /** Where updates come from; by default `createFeed(api, timing)`. */
  feed?: LiveFeed;
  timing?: FeedTiming;
  /** Colors (off with NO_COLOR). */
  color?: boolean;
  /** A fixed size instead of the terminal's (tests). */
  size?: TerminalSize;
  /** Called on q / Esc at the top / Ctrl-C; by default the ink app exits. */
  onQuit?: () => void;
}

/** Messages fade after this long. */
const MESSAGE_MS = 6_000;
/** The list is called stale when no update came for this long. */
const STALE_MS = 3_000;

const HELP = {
  list: ['↑/↓ select · Enter details · l logs · k kill · r restart · / filter · q quit', '↑↓ Enter:details l:logs k:kill r:restart /:filter q:quit', '↑↓ Enter l k r / q'],
  details: ['↑/↓ other task · l logs · k kill · r restart · Esc back', '↑↓ l:logs k:kill r:restart Esc:back', 'l k r Esc'],
  log: ['↑/↓ PgUp/PgDn scroll · g/G top/end · Tab stdout/stderr · k kill · r restart · Esc back', '↑↓ g/G Tab:stream k:kill Esc:back', 'g G Tab Esc'],
};

export function TaskManager({ api, home, feed: givenFeed, timing = DEFAULT_TIMING, color = true, size: fixedSize, onQuit }: TaskManagerProps) {
  const { exit } = useApp();
  const feed = useMemo(() => givenFeed ?? createFeed(api, timing), [givenFeed, api, timing]);
  useEffect(() => () => feed.close?.(), [feed]);
  const size = useTerminalSize(fixedSize);
  const list = useTaskList(feed);
  const [state, setState] = useState<UiState>(initialState);
  const stateRef = useRef<UiState>(initialState);
  const [busy, setBusy] = useState<ReadonlyMap<string, string>>(new Map());
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  // Uptimes, countdowns, fading messages and the stale mark move once a second.
  useTick(1000);
  const now = Date.now();
  const width = Math.max(20, size.columns - 1);
  const total = Math.max(4, size.rows - 1);
  const body = total - 2;

  const tasks = list.tasks ?? [];
  const byId = useMemo(() => new Map(tasks.map((t) => [t.id, t] as const)), [tasks]);
  const rows = useMemo(() => buildRows(tasks, state.filter), [tasks, state.filter]);
  const order = useMemo(() => rows.flatMap((r) => (r.kind === 'task' ? [r.task.id] : [])), [rows]);

  // Keep the selection on the same task; when it goes away (in the list), on its neighbour.
  const lastIndex = useRef(0);
  let selectedId = state.selectedId;
  if (state.view === 'list' || selectedId === null) selectedId = reconcileSelection(selectedId, lastIndex.current, order);
  if (selectedId !== state.selectedId && stateRef.current === state) stateRef.current = { ...state, selectedId };
  const at = selectedId === null ? -1 : order.indexOf(selectedId);
  if (at >= 0) lastIndex.current = at;

  const details = useTaskDetails(feed, state.view === 'details' ? selectedId : null);
  const log = useLogFollow(feed, state.view === 'log' ? selectedId : null, state.logStream, color);
  const selected: TaskView | null = (selectedId !== null ? byId.get(selectedId) : undefined) ?? details.snapshot?.task ?? null;

  const say = useCallback((text: string, error = false) => {
    if (!mounted.current) return;
    const next = { ...stateRef.current, message: { text, error, at: Date.now() } };
    stateRef.current = next;
    setState(next);
  }, []);

  const markBusy = useCallback((id: string, what: string | null) => {
    if (!mounted.current) return;
    setBusy((prev) => {
      const next = new Map(prev);
      if (what === null) next.delete(id);
      else next.set(id, what);
      return next;
    });
  }, []);

  const run = useCallback(
    (effect: Effect) => {
      if (effect.type === 'quit') {
        (onQuit ?? exit)();
        return;
      }
      const { id } = effect;
      const name = byId.get(id) ? taskLabel(byId.get(id)!) : id;
      const pending = busy.get(id);
      if (pending) {
        say(`${name}: ${pending.replace('…', '')} under way`);
        return;
      }
      // Not awaited: the screen keeps drawing while the daemon works.
      if (effect.type === 'kill') {
        markBusy(id, 'killing…');
        api
          .kill({ refs: [id] })
          .then((views) => {
            const v = views.find((x) => x.id === id) ?? views[0];
            say(v ? `${name} ${v.status}${v.reason ? ` (${v.reason})` : ''}` : `${name} killed`);
          })
          .catch((e: Error) => say(`kill ${name}: ${e.message}`, true))
          .finally(() => {
            markBusy(id, null);
            feed.refresh();
          });
      } else {
        markBusy(id, 'restart…');
        api
          .restart(id)
          .then((v) => say(`${name} restarted${v.pid !== null ? ` (pid ${v.pid})` : ''}`))
          .catch((e: Error) => say(`restart ${name}: ${e.message}`, true))
          .finally(() => {
            markBusy(id, null);
            feed.refresh();
          });
      }
      feed.refresh();
    },
    [api, busy, byId, exit, feed, markBusy, onQuit, say],
  );

  const keyContext: KeyContext = {
    order,
    tasks: byId,
    listPage: Math.max(1, body - 1),
    logPage: Math.max(1, body),
    logLines: log.lines.length,
    now,
  };
  const contextRef = useRef(keyContext);
  contextRef.current = keyContext;

  useInput((input: string, key: Key) => {
    const result = handleKey(stateRef.current, input, key, { ...contextRef.current, now: Date.now() });
    if (result.state !== stateRef.current) {
      stateRef.current = result.state;
      setState(result.state);
    }
    if (result.effect) run(result.effect);
  });

  const listTop = useRef(0);
  listTop.current = listWindow(listTop.current, rows, selectedId, body);
  let position = '';

  // Title, body and footer for the current view.
  let title: string;
  let content;
  let help = HELP.list;
  if (state.view !== 'list' && selected === null) {
    // Removed (or never there) before anything of it arrived: say so; Esc goes back.
    help = state.view === 'log' ? HELP.log : HELP.details;
    title = `corral › ${selectedId ?? '?'}`;
    const why = (state.view === 'log' ? log.error : details.error) ?? 'it is no longer listed';
    content = <Line dim>{` ${selectedId ?? 'the task'} is gone: ${why}`}</Line>;
  } else if (state.view === 'list' || selected === null) {
    // The title bar starts with a space.
    title = listTitle(tasks, state.filter, order.length, width - 1);
    position = listPosition(rows, listTop.current, body);
    content =
      list.tasks === null ? (
        <Box height={body} flexDirection="column">
          <Line dim>{list.error ? `cannot list tasks: ${list.error}` : 'connecting…'}</Line>
        </Box>
      ) : (
        <TaskList
          rows={rows}
          selectedId={selectedId}
          busy={busy}
          width={width}
          height={body}
          top={listTop.current}
          now={now}
          color={color}
          empty={state.filter ? `no task matches "${state.filter}"` : 'no tasks: start one with `corral run -- <command>`'}
        />
      );
  } else if (state.view === 'details') {
    help = HELP.details;
    title = `corral › ${taskLabel(selected)} — details`;
    const snap = details.snapshot && details.snapshot.task.id === selected.id ? details.snapshot : null;
    content = (
      <DetailsView
        task={selected}
        details={snap?.task ?? null}
        stdout={snap?.stdout ?? []}
        stderr={snap?.stderr ?? []}
        width={width}
        height={body}
        now={now}
        color={color}
        error={details.error}
      />
    );
  } else {
    help = HELP.log;
    const first = logFirstLine(state.logTop, log.lines.length, body);
    const where = state.logTop === null ? 'following' : `line ${first + 1} of ${log.lines.length}`;
    title = `corral › ${taskLabel(selected)} — ${state.logStream} · ${where}`;
    content = <LogView log={log} top={state.logTop} width={width} height={body} />;
  }

  // The right of the title: where the window is, then the home, as far as they fit.
  const stale = list.tasks !== null && list.at > 0 && now - list.at > STALE_MS ? `no update for ${Math.round((now - list.at) / 1000)}s` : '';
  const homeText = `home: ${tildify(home)}`;
  const candidates = [[position, stale || homeText], [position, stale], [position]].map((parts) => parts.filter(Boolean).join(' · '));
  const right = candidates.find((c) => [...title].length + 3 + [...c].length <= width) ?? '';

  const confirmTask = state.confirm ? byId.get(state.confirm.id) : undefined;
  const prompt = state.confirm
    ? `Kill ${confirmTask ? taskLabel(confirmTask) : state.confirm.id}${confirmTask?.pid ? `, pid ${confirmTask.pid},` : ''} and its whole process tree? y/N`
    : null;
  const message =
    state.message && now - state.message.at < MESSAGE_MS
      ? state.message
      : list.error && list.tasks !== null
        ? { text: `daemon: ${list.error}`, error: true }
        : null;

  return (
    <Box flexDirection="column" width={width} height={total}>
      <TitleBar left={title} right={right} width={width} color={color} />
      <Box height={body} flexDirection="column">
        {content}
      </Box>
      <Footer width={width} color={color} prompt={prompt} filterInput={state.filterEditing ? state.filter : null} message={message} help={help} />
    </Box>
  );
}
