/**
 * Loads the UI (ink, react and the screens) with the environment they decide things from
 * at import time set for an interactive terminal, then puts the environment back:
 * - ink draws only its last frame when it believes it runs in CI (CI /
 *   CONTINUOUS_INTEGRATION, read once when ink is first imported): never right on a TTY;
 * - react and its reconciler load their development builds (several times the CPU per
 *   frame) unless NODE_ENV is `production`.
 * Import nothing of ink or react before calling this.
 */
export async function loadUi(): Promise<typeof import('./app.js')> {
  const saved = new Map<string, string | undefined>();
  const set = (key: string, value: string | undefined) => {
    if (!saved.has(key)) saved.set(key, process.env[key]);
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  };
  if (process.stdout.isTTY) {
    set('CI', undefined);
    set('CONTINUOUS_INTEGRATION', undefined);
  }
  if (process.env.NODE_ENV === undefined) set('NODE_ENV', 'production');
  try {
    return await import('./app.js');
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
