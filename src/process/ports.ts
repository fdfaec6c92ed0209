/**
 * TCP (and UDP) sockets from /proc/net/{tcp,tcp6,udp,udp6}, and the processes that hold
 * them: a socket is an inode, and a process holds it when one of its descriptors is a link
 * to `socket:[inode]`. A process whose descriptors cannot be read (another user's) holds
 * sockets nobody can be named for.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface InetSocket {
  inode: string;
  protocol: 'tcp' | 'udp';
  localAddress: string;
  localPort: number;
  remotePort: number;
  /** A TCP socket in state LISTEN. */
  listening: boolean;
}

/** `0100007F` → 127.0.0.1: the kernel prints each 32-bit word in the host's (little-endian) order. */
function wordBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let at = 0; at < hex.length; at += 8) {
    const word = hex.slice(at, at + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(Number.parseInt(word.slice(b, b + 2), 16));
  }
  return bytes;
}

/** An address as people write it: `127.0.0.1`, `::`, `::1`, `::ffff:127.0.0.1`, `fe80::1`. */
export function formatAddress(hex: string): string {
  const bytes = wordBytes(hex);
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // The longest run of zero groups (two or more) becomes `::`.
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const text = (list: number[]) => list.map((g) => g.toString(16)).join(':');
  if (best.at < 0) return text(groups);
  return `${text(groups.slice(0, best.at))}::${text(groups.slice(best.at + best.length))}`;
}

const FILES: { file: string; protocol: 'tcp' | 'udp' }[] = [
  { file: '/proc/net/tcp', protocol: 'tcp' },
  { file: '/proc/net/tcp6', protocol: 'tcp' },
  { file: '/proc/net/udp', protocol: 'udp' },
  { file: '/proc/net/udp6', protocol: 'udp' },
];

/** Every socket of these protocols in this network namespace (`listeningOnly`: TCP listeners alone, which health checks read every second). */
export function inetSockets(protocols: ReadonlyArray<'tcp' | 'udp'> = ['tcp'], listeningOnly = false): InetSocket[] {
  const sockets: InetSocket[] = [];
  for (const { file, protocol } of FILES) {
    if (!protocols.includes(protocol)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address:port, f[2] remote address:port (hex), f[3] state, f[9] inode
      if (!f[1] || !f[2] || !f[9]) continue;
      const listening = protocol === 'tcp' && f[3] === '0A';
      if (listeningOnly && !listening) continue;
      const [address, port] = f[1].split(':');
      sockets.push({
        inode: f[9],
        protocol,
        localAddress: formatAddress(address!),
        localPort: Number.parseInt(port!, 16),
        remotePort: Number.parseInt(f[2].split(':')[1]!, 16),
        listening,
      });
    }
  }
  return sockets;
}

/** The socket inodes a process holds open. */
function socketInodes(pid: number | string, each: (inode: string) => void): void {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) each(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
}

/** Which processes hold each of these sockets (several, when a descriptor was inherited): one walk of /proc. */
export function socketHolders(inodes: ReadonlySet<string>): Map<string, number[]> {
  const holders = new Map<string, number[]>();
  if (inodes.size === 0) return holders;
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    socketInodes(pid, (inode) => {
      if (!inodes.has(inode)) return;
      const list = holders.get(inode);
      if (!list) holders.set(inode, [pid]);
      else if (!list.includes(pid)) list.push(pid);
    });
  }
  return holders;
}

/** The TCP ports these processes (a task's tree) listen on. */
export function listeningPorts(pids: number[]): number[] {
  return listeningPortsOfEach([pids])[0]!;
}

/**
 * The TCP ports each group of processes (each task's tree) listens on. The groups' socket
 * descriptors are listed first: the socket tables (whose read walks every bucket of the
 * kernel's hash tables, milliseconds on a machine with plenty of memory) are read once,
 * and only when some process of the groups holds a socket.
 */
export function listeningPortsOfEach(groups: number[][]): number[][] {
  const held = groups.map((pids) => {
    const inodes: string[] = [];
    for (const pid of pids) socketInodes(pid, (inode) => inodes.push(inode));
    return inodes;
  });
  if (!held.some((inodes) => inodes.length > 0)) return groups.map(() => []);
  const ports = new Map(inetSockets(['tcp'], true).map((s) => [s.inode, s.localPort]));
  return held.map((inodes) => {
    const found = new Set<number>();
    for (const inode of inodes) {
      const port = ports.get(inode);
      if (port !== undefined) found.add(port);
    }
    return [...found].sort((a, b) => a - b);
  });
}
