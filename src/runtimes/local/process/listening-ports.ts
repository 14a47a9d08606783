/**
 * Who listens on which TCP port, read from /proc (Linux): /proc/net/tcp{,6} lists listening sockets with their
 * inode, and /proc/<pid>/fd links name the socket inodes a process holds. Two questions come from it:
 * - which ports does a process group listen on (a web process that ignored $PORT listens somewhere else)?
 * - which program holds a port we are about to use (another program on the developer's machine)?
 * Only processes of this user can be read; others stay anonymous (the port is still reported as taken).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

const TCP_LISTEN = '0A';

export interface ListeningSocket {
  readonly port: number;
  readonly inode: string;
}

/** Listening TCP sockets (IPv4 and IPv6), from /proc/net/tcp and /proc/net/tcp6. */
export async function listeningSockets(): Promise<ListeningSocket[]> {
  const sockets: ListeningSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue; // no IPv6, or not Linux
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const [, local, , state, , , , , , inode] = fields;
      if (state !== TCP_LISTEN || local === undefined || inode === undefined) continue;
      const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
      if (Number.isInteger(port)) sockets.push({ port, inode });
    }
  }
  return sockets;
}

async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return inodes; // gone, or another user's
  }
  await Promise.all(
    fds.map(async (fd) => {
      try {
        const target = await readlink(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match?.[1]) inodes.add(match[1]);
      } catch {
        // closed meanwhile
      }
    }),
  );
  return inodes;
}

async function processGroupOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]);
  } catch {
    return undefined;
  }
}

async function allPids(): Promise<number[]> {
  try {
    return (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number);
  } catch {
    return [];
  }
}

/** The TCP ports the processes of process group `pgid` listen on, sorted. */
export async function portsOfProcessGroup(pgid: number): Promise<number[]> {
  const members: number[] = [];
  for (const pid of await allPids()) if ((await processGroupOf(pid)) === pgid) members.push(pid);
  if (members.length === 0) return [];
  const held = new Set<string>();
  for (const pid of members) for (const inode of await socketInodes(pid)) held.add(inode);
  const ports = (await listeningSockets()).filter((s) => held.has(s.inode)).map((s) => s.port);
  return [...new Set(ports)].sort((a, b) => a - b);
}

export interface PortOwner {
  readonly pid: number;
  /** The command line, spaces between the arguments. */
  readonly command: string;
}

/** The process listening on `port`, when this user may see it (undefined otherwise, or when nobody listens). */
export async function portOwner(port: number): Promise<PortOwner | undefined> {
  const inodes = new Set((await listeningSockets()).filter((s) => s.port === port).map((s) => s.inode));
  if (inodes.size === 0) return undefined;
  for (const pid of await allPids()) {
    const held = await socketInodes(pid);
    if (![...held].some((inode) => inodes.has(inode))) continue;
    let command = '';
    try {
      command = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
    } catch {
      // gone meanwhile
    }
    return { pid, command };
  }
  return undefined;
}
