/**
 * Python apps that are not Django: a FastAPI (or other ASGI) app run by uvicorn, a Flask app
 * run by flask, a Celery worker; found in the project's top folder, `app/` or `src/`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { filesWith, pythonOf, readText } from './files.js';
import { portInSource } from './ports.js';
import type { Detection, InitTask } from './types.js';

/** `app/main.py` → `app.main`. */
function moduleOf(folder: string, file: string): string {
  return [folder, file.replace(/\.py$/, '')].filter((p) => p !== '.').join('.');
}

export function detectPythonApp(dir: string): Detection | null {
  if (existsSync(join(dir, 'manage.py'))) return null; // Django's own detector
  const python = pythonOf(dir);
  const tasks: InitTask[] = [];
  for (const folder of ['.', 'app', 'src']) {
    for (const file of filesWith(join(dir, folder), ['.py'])) {
      const text = readText(join(dir, folder, file)) ?? '';
      const module = moduleOf(folder, file);
      const where = folder === '.' ? file : `${folder}/${file}`;
      const asgi = /^(\w+)\s*=\s*(FastAPI|Starlette|Quart|Litestar)\(/m.exec(text);
      const flask = /^(\w+)\s*=\s*Flask\(/m.exec(text);
      const celery = /^(\w+)\s*=\s*Celery\(/m.exec(text);
      if (asgi && !tasks.some((t) => t.name === 'api')) {
        const written = portInSource(text);
        const port = written ?? 8000;
        tasks.push({
          name: 'api',
          command: `${python} -m uvicorn ${module}:${asgi[1]} --host 127.0.0.1 --port ${port} --reload`,
          background: true,
          health: { tcp: `127.0.0.1:${port}` },
          why: `${where}: ${asgi[2]} app "${asgi[1]}" run by uvicorn; ready when port ${port} (${written === null ? "uvicorn's default" : `in ${where}`}) accepts connections`,
        });
      } else if (flask && !tasks.some((t) => t.name === 'web')) {
        const written = portInSource(text);
        const port = written ?? 5000;
        tasks.push({
          name: 'web',
          command: `${python} -m flask --app ${module}:${flask[1]} run --host 127.0.0.1 --port ${port} --debug`,
          background: true,
          health: { tcp: `127.0.0.1:${port}` },
          why: `${where}: Flask app "${flask[1]}" run by flask; ready when port ${port} (${written === null ? "flask's default" : `in ${where}`}) accepts connections`,
        });
      }
      if (celery && !tasks.some((t) => t.name === 'worker')) {
        tasks.push({ name: 'worker', command: `${python} -m celery -A ${module} worker --loglevel=INFO`, background: true, health: { log: 'ready' }, why: `${where}: Celery app "${celery[1]}"; ready when its log says so` });
      }
    }
  }
  if (tasks.length === 0) return null;
  return { source: 'Python app', tasks, notes: [] };
}
