import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from '../../src-main/core/app-root';

export { residentBytes } from '../../src-main/core/backbones/isolated-inspect';

/** `histo serve` under the soak: started, called, measured and killed like a crashing app. */
export interface SoakServer {
  pid: number;
  port: number;
  token: string;
  child: ChildProcess;
}

export function histoBin(): string {
  return path.join(appRoot(), 'bin', 'histo.cjs');
}

export function startServer(project: string): Promise<SoakServer> {
  const child = spawn(process.execPath, [histoBin(), 'serve', '--port', '0', '--json', '--project', project], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!stdout.includes('\n')) return;
      const info = JSON.parse(stdout.split('\n')[0]!) as { port: number; token: string };
      resolve({ pid: child.pid!, port: info.port, token: info.token, child });
    });
    child.once('exit', (code) => reject(new Error(`histo serve exited (${code}) before listening: ${stderr}`)));
  });
}

export async function stopServer(server: SoakServer, signal: NodeJS.Signals): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  server.child.kill(signal);
  await exited;
}

export interface Envelope<T = unknown> {
  ok: boolean;
  result: T;
  error?: { code: string; message: string };
}

/** One contract call; a transport failure (the server was killed) comes back as an error envelope. */
export async function call<T = unknown>(server: SoakServer, method: string, body: unknown): Promise<Envelope<T>> {
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Histo-Token': server.token },
      body: JSON.stringify(body),
    });
    return (await response.json()) as Envelope<T>;
  } catch (err) {
    return { ok: false, result: undefined as T, error: { code: 'TRANSPORT', message: (err as Error).message } };
  }
}

/** The server's child processes (the backbone check of an import), from /proc. */
export function childPids(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
