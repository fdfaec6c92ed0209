/**
 * `corral ui`: the interactive task manager, drawn with ink on the alternate screen so the
 * terminal is left as it was found. `runUi` returns when the user quits. Load this module
 * through `loadUi()` (load.ts) for a terminal: ink and react read the environment at import.
 */
import { render } from 'ink';
import type { SupervisorApi } from '../api.js';
import { colorWanted } from '../color.js';
import { TaskManager } from './components/TaskManager.js';

const ALT_SCREEN_ON = '\u001b[?1049h\u001b[H\u001b[2J';
const ALT_SCREEN_OFF = '\u001b[?25h\u001b[?1049l';
const CLEAR = '\u001b[H\u001b[2J';

export async function runUi(api: SupervisorApi, options: { home: string }): Promise<void> {
  // `corral ui` made sure that stdin and stdout are a terminal.
  const { stdout } = process;

  stdout.write(ALT_SCREEN_ON);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(ALT_SCREEN_OFF);
  };
  // A resize can leave pieces of the previous frame around: start the next one on a clean screen.
  const onResize = () => stdout.write(CLEAR);
  stdout.on('resize', onResize);
  process.on('exit', restore);

  const instance = render(<TaskManager api={api} home={options.home} color={colorWanted(stdout)} />, { exitOnCtrlC: true, patchConsole: true });
  const quit = () => instance.unmount();
  process.on('SIGTERM', quit);
  process.on('SIGHUP', quit);
  try {
    await instance.waitUntilExit();
  } finally {
    process.off('SIGTERM', quit);
    process.off('SIGHUP', quit);
    stdout.off('resize', onResize);
    instance.cleanup();
    restore();
    process.off('exit', restore);
  }
}
