/** The ports `corral init` can know from a command or a source file (src/init/ports.ts). */
import { describe, expect, it } from 'vitest';
import { portInCommand, portInSource } from '../../src/init/ports.js';

describe('ports written in a command', () => {
  it.each([
    ['vite --port 5173', 5173],
    ['next dev -p 3001', 3001],
    ['PORT=4000 node api.js', 4000],
    ['python3 manage.py runserver 0.0.0.0:8000', 8000],
    ['python3 -m http.server 8080', 8080],
    ['gunicorn app:app --bind 127.0.0.1:9000', 9000],
    ['serve --port=4173', 4173],
    ['node api.js', null],
    ['tsc -p tsconfig.json', null],
    ['make -j 4', null],
  ])('%s → %s', (command, port) => {
    expect(portInCommand(command)).toBe(port);
  });
});

describe('ports written in a source file', () => {
  it.each([
    ['app.listen(3000)', 3000],
    ['const port = process.env.PORT || 4311;', 4311],
    ['const port = Number(process.env.PORT ?? "8080")', 8080],
    ['port = int(os.environ.get("PORT", 5001))', 5001],
    ['http.ListenAndServe(":8080", nil)', 8080],
    ['TcpListener::bind("127.0.0.1:3000")', 3000],
    ['server.listen(port)', null],
    ['console.log("hello")', null],
  ])('%s → %s', (text, port) => {
    expect(portInSource(text)).toBe(port);
  });
});
