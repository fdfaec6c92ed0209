/** Django: `manage.py migrate` as a step, then `manage.py runserver` on its default port. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pythonOf, readText } from './files.js';
import type { Detection } from './types.js';

export function detectDjango(dir: string): Detection | null {
  const manage = readText(join(dir, 'manage.py'));
  if (manage === null || !/django/i.test(manage)) return null;
  const python = pythonOf(dir);
  const port = 8000;
  return {
    source: 'Django (manage.py)',
    tasks: [
      { name: 'migrate', command: `${python} manage.py migrate`, background: false, why: 'Django (manage.py): migrations are a step; the server waits for them to succeed' },
      {
        name: 'web',
        command: `${python} manage.py runserver 127.0.0.1:${port}`,
        background: true,
        depends_on: { migrate: 'succeeded' },
        health: { tcp: `127.0.0.1:${port}` },
        why: `Django (manage.py): the development server; ready when port ${port} (in the command) accepts connections`,
      },
    ],
    notes: existsSync(join(dir, python)) ? [`${python}: the project's virtualenv runs it`] : [],
  };
}
