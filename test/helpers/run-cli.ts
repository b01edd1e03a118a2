import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const histoBin = path.join(repoRoot, 'bin', 'histo.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `histo` CLI exactly as a user would, with its own environment. */
export function runHisto(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [histoBin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface ServedHisto {
  url: string;
  port: number;
  token: string;
  stop(): Promise<void>;
}

/** Starts `histo serve --json` and resolves once it printed where it listens. */
export function serveHisto(args: string[] = []): Promise<ServedHisto> {
  const child = spawn(process.execPath, [histoBin, 'serve', '--port', '0', '--json', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n')[0];
      if (!stdout.includes('\n') || !line) return;
      const info = JSON.parse(line) as { url: string; port: number; token: string };
      resolve({
        ...info,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`histo serve exited (${code}) before listening: ${stderr}`)));
  });
}
