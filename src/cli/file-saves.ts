/**
 * Saves of one file, as `up --watch-file` hears them: an editor's save is often several
 * events (a write in place, or a new file renamed over the old one), so they are taken
 * together and reported once the file has been quiet for a moment.
 */
import { watch } from 'chokidar';

const QUIET_MS = 150;

/** Calls `onSave` after each burst of changes to `file`; resolves once it watches, with the function that stops watching. */
export async function onFileSaves(file: string, onSave: () => void): Promise<() => Promise<void>> {
  let timer: NodeJS.Timeout | null = null;
  // `atomic`: a file removed and written again at once (a rename over it) is a change, not a removal.
  const watcher = watch(file, { ignoreInitial: true, atomic: true });
  const changed = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onSave();
    }, QUIET_MS);
  };
  watcher.on('change', changed).on('add', changed);
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return async () => {
    if (timer) clearTimeout(timer);
    await watcher.close();
  };
}
