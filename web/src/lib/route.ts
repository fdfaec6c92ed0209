/** The page's hash routes: `#/` the list, `#/graph`, `#/task/ID?offset=N&stream=S`. */
export type Route =
  | { view: 'list' }
  | { view: 'graph'; env: string | null }
  | { view: 'task'; id: string; offset: number | null; stream: string | null };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'task' && parts[1]) {
    const offset = params.get('offset');
    const n = offset !== null && /^\d+$/.test(offset) ? Number(offset) : null;
    return { view: 'task', id: parts[1], offset: n, stream: params.get('stream') };
  }
  if (parts[0] === 'graph') return { view: 'graph', env: parts[1] ?? null };
  return { view: 'list' };
}

export function taskHref(id: string, options: { offset?: number; stream?: string } = {}): string {
  const params = new URLSearchParams();
  if (options.stream) params.set('stream', options.stream);
  if (options.offset !== undefined) params.set('offset', String(options.offset));
  const q = params.toString();
  return `#/task/${encodeURIComponent(id)}${q ? `?${q}` : ''}`;
}
