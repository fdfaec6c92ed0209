/**
 * The TCP ports a process tree listens on: listening sockets from /proc/net/tcp{,6}
 * (state 0A), matched to the tree's open descriptors (`socket:[inode]`).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

function listeningInodes(): Map<string, number> {
  const inodes = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address:port (hex), f[3] state, f[9] inode
      if (f[3] !== '0A' || !f[1] || !f[9]) continue;
      inodes.set(f[9], Number.parseInt(f[1].split(':')[1]!, 16));
    }
  }
  return inodes;
}

export function listeningPorts(pids: number[]): number[] {
  const inodes = listeningInodes();
  if (inodes.size === 0) return [];
  const ports = new Set<number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        const port = m ? inodes.get(m[1]!) : undefined;
        if (port !== undefined) ports.add(port);
      } catch {
        // closed meanwhile
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}
