import { describe, expect, it } from 'vitest';
import { classifyCommand, userPatternMatches } from '../../machines/policies/autobackground.js';

const BACKGROUND = [
  'npm run dev', 'npm start', 'npm run serve', 'npm run watch', 'npm run build:watch', 'npm run dev -- --port 3000',
  'yarn dev', 'yarn start', 'pnpm dev', 'pnpm run serve', 'bun dev', 'bun run dev',
  'vite', 'npx vite --port 5173', 'next dev', 'nuxt dev', 'astro dev', 'ng serve', 'vue-cli-service serve',
  'webpack serve', 'webpack --watch', 'webpack-dev-server', 'parcel index.html', 'nodemon server.js', 'tsx watch src/index.ts',
  'tsc -w', 'tsc --watch', 'jest --watch', 'vitest --watch', 'npx jest --watch', 'live-server', 'http-server -p 8080',
  'python manage.py runserver', 'python manage.py runserver 0.0.0.0:8000', 'flask run', 'flask run --host=0.0.0.0 --port=5000',
  'uvicorn main:app --reload', 'uvicorn main:app --host 0.0.0.0 --port 8000', 'python3 -m http.server 8080', 'python -m http.server',
  'gunicorn app:app', 'streamlit run app.py', 'rails server', 'rails s', 'bundle exec rails s', 'php -S localhost:8000',
  'php artisan serve', 'hugo server', 'jekyll serve', 'air', 'cargo watch -x run', 'docker compose up', 'docker-compose up',
  'docker-compose up postgres redis', 'docker run -p 5432:5432 postgres', 'tail -f /var/log/app.log', 'tail -F app.log',
  'journalctl -u app -f', 'kubectl logs -f pod/api', 'redis-server --port 6390', 'cypress open', 'cd web && npm run dev',
  'npm install && npm run dev', 'PORT=3000 npm run dev', 'dotnet watch run', 'mix phx.server', 'expo start',
];

const FOREGROUND = [
  'ls -la', 'git status', 'npm test', 'npm run test', 'npm run build', 'npm install', 'yarn build', 'pnpm test',
  'npm run lint', 'cargo build', 'go test ./...', 'pytest', 'make', 'docker compose up -d', 'docker-compose up --detach',
  'docker run --rm alpine echo hi', 'docker build .', 'grep -w foo file.txt', 'wc -w file', 'tail -n 50 app.log', 'cat package.json',
  'node --version', 'vite --version', 'npm run dev --help', 'echo watch this', 'python script.py', 'curl http://localhost:3000',
  'tsc', 'npx tsc --noEmit', 'kubectl get pods', 'git log --oneline', 'rm -rf dist', 'terraform apply', 'playwright test',
];

describe('auto-background classifier', () => {
  it.each(BACKGROUND)('backgrounds %s', (command) => {
    expect(classifyCommand(command).background).toBe(true);
  });
  it.each(FOREGROUND)('keeps %s in the foreground', (command) => {
    expect(classifyCommand(command).background).toBe(false);
  });
  it('decides each family of commands by its own rule, on the part of a compound command that names it', () => {
    const rules = Object.fromEntries(
      [
        'npm run dev -- --port 3000', 'yarn start:api', 'npx vite --port 5173', 'tsc --watch', 'tsc -w', 'uvicorn main:app --reload',
        'bundle exec rails s', 'docker-compose up postgres redis', 'docker run -p 5432:5432 postgres', 'tail -F app.log',
        'redis-server --port 6390', 'cypress open', 'cd web && npm run dev', 'PORT=3000 npm run dev', 'npm test -- --watch',
        'npm test', 'npm run build', 'vite --version', 'npm run build && npm run lint', 'docker compose up -d',
      ].map((command) => [command, classifyCommand(command).rule]),
    );
    expect(rules).toEqual({
      'npm run dev -- --port 3000': 'built-in pattern "dev server (npm/yarn/pnpm/bun)" matched "npm run dev -- --port 3000"',
      'yarn start:api': 'built-in pattern "dev server (npm/yarn/pnpm/bun)" matched "yarn start:api"',
      'npx vite --port 5173': 'built-in pattern "dev server" matched "npx vite --port 5173"',
      'tsc --watch': 'built-in pattern "--watch flag" matched "tsc --watch"',
      'tsc -w': 'built-in pattern "-w flag of a build tool" matched "tsc -w"',
      'uvicorn main:app --reload': 'built-in pattern "python server" matched "uvicorn main:app --reload"',
      'bundle exec rails s': 'built-in pattern "ruby/php/other server" matched "bundle exec rails s"',
      'docker-compose up postgres redis': 'built-in pattern "docker compose up (attached)" matched "docker-compose up postgres redis"',
      'docker run -p 5432:5432 postgres': 'built-in pattern "docker run with published ports (attached)" matched "docker run -p 5432:5432 postgres"',
      'tail -F app.log': 'built-in pattern "follows a log" matched "tail -F app.log"',
      'redis-server --port 6390': 'built-in pattern "a database or queue server" matched "redis-server --port 6390"',
      'cypress open': 'built-in pattern "cypress open" matched "cypress open"',
      // Each part of a compound command is judged alone, without the variables set before it.
      'cd web && npm run dev': 'built-in pattern "dev server (npm/yarn/pnpm/bun)" matched "npm run dev"',
      'PORT=3000 npm run dev': 'built-in pattern "dev server (npm/yarn/pnpm/bun)" matched "npm run dev"',
      // Tests that watch are not tests run once.
      'npm test -- --watch': 'built-in pattern "--watch flag" matched "npm test -- --watch"',
      'npm test': 'built-in exclusion "tests run once"',
      'npm run build': 'built-in exclusion "a one-off build"',
      'vite --version': 'built-in exclusion "asks for a version or help"',
      'npm run build && npm run lint': 'built-in exclusion "a one-off build"',
      'docker compose up -d': 'no background pattern matched: it runs in the foreground',
    });
  });

  it('says which rule decided', () => {
    expect(classifyCommand('npm run dev').rule).toBe('built-in pattern "dev server (npm/yarn/pnpm/bun)" matched "npm run dev"');
    expect(classifyCommand('npm test').rule).toBe('built-in exclusion "tests run once"');
    expect(classifyCommand('ls').rule).toBe('no background pattern matched: it runs in the foreground');
  });

  it('lets the user add patterns and exclusions (globs, prefixes, regexes); an exclusion wins', () => {
    const config = { enabled: true, patterns: ['make serve', '*--follow*', '/^my-\\w+-server/'], excludePatterns: ['npm run dev:once', 'vite build*'], source: 'corral.config.json' };
    expect(classifyCommand('make serve', config)).toEqual({ background: true, rule: 'your pattern "make serve" (corral.config.json)' });
    expect(classifyCommand('make serve PORT=1', config).background).toBe(true);
    expect(classifyCommand('make served', config).background).toBe(false);
    expect(classifyCommand('stern api --follow', config).background).toBe(true);
    expect(classifyCommand('my-api-server --port 1', config).background).toBe(true);
    expect(classifyCommand('npm run dev:once', config)).toEqual({ background: false, rule: 'excluded by your pattern "npm run dev:once" (corral.config.json)' });
    expect(classifyCommand('npm run dev', { ...config, enabled: false }).background).toBe(false);
  });

  it('tries rules in order before everything else: the first match decides, either way', () => {
    const config = {
      enabled: true,
      rules: [
        { pattern: 'npm test', background: false, source: 'a.json' },
        { pattern: '*--watch*', background: true, source: 'a.json' },
        { pattern: 'npm run dev', background: false, source: 'b.yaml' },
        { pattern: 'npm run dev', background: true, source: 'c.json' },
      ],
      patterns: ['npm test'],
      excludePatterns: ['make serve'],
    };
    // First match wins: `npm test -- --watch` meets the first rule before the second.
    expect(classifyCommand('npm test -- --watch', config)).toEqual({ background: false, rule: 'your rule {"pattern": "npm test", "background": false} (a.json)' });
    // A glob rule: the whole command is matched.
    expect(classifyCommand('make build --watch', config)).toEqual({ background: true, rule: 'your rule {"pattern": "*--watch*", "background": true} (a.json)' });
    // A rule beats a built-in pattern: a server-looking command stays in the foreground when a rule says so, whatever a later rule says.
    expect(classifyCommand('npm run dev', config)).toEqual({ background: false, rule: 'your rule {"pattern": "npm run dev", "background": false} (b.yaml)' });
    expect(classifyCommand('cd web && npm run dev', config).background).toBe(false);
    // Without a matching rule, patterns and built-ins decide as before.
    expect(classifyCommand('make serve', config).rule).toMatch(/^excluded by your pattern "make serve"/);
    expect(classifyCommand('vite', config).rule).toMatch(/^built-in pattern "dev server"/);
    expect(classifyCommand('npm run dev', { ...config, enabled: false }).rule).toBe('auto-background is disabled');
  });

  it('matches globs on the whole command and prefixes on words', () => {
    expect(userPatternMatches('tail -f *', 'tail -f a.log')).toBe(true);
    expect(userPatternMatches('tail -f *', 'tail -n 5 a.log')).toBe(false);
    expect(userPatternMatches('npm run dev', 'npm run dev -- --host')).toBe(true);
    expect(userPatternMatches('npm run dev', 'npm run devtools')).toBe(false);
    expect(userPatternMatches('/[/', 'anything')).toBe(false);
  });
});
