/** Rails: `bin/rails db:migrate` as a step, then `bin/rails server` on its default port. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readText } from './files.js';
import type { Detection } from './types.js';

export function detectRails(dir: string): Detection | null {
  const gemfile = readText(join(dir, 'Gemfile'));
  if (!existsSync(join(dir, 'bin', 'rails')) && !(gemfile && /^\s*gem\s+['"]rails['"]/m.test(gemfile))) return null;
  const rails = existsSync(join(dir, 'bin', 'rails')) ? 'bin/rails' : 'bundle exec rails';
  const port = 3000;
  return {
    source: 'Rails',
    tasks: [
      { name: 'db-migrate', command: `${rails} db:migrate`, background: false, why: `Rails: ${rails} db:migrate is a step; the server waits for it to succeed` },
      {
        name: 'web',
        command: `${rails} server -b 127.0.0.1 -p ${port}`,
        background: true,
        depends_on: { 'db-migrate': 'succeeded' },
        health: { tcp: `127.0.0.1:${port}` },
        why: `Rails: the server; ready when port ${port} (in the command) accepts connections`,
      },
    ],
    notes: [],
  };
}
