import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real one-node Slurm cluster for tests: munged, slurmctld and slurmd started as root on a
 * private slurm.conf, munge socket and state folder (nothing under /etc is touched), stopped by
 * their PIDs. CI installs slurm-wlm and munge and sets HISTO_REQUIRE_SLURM=1, so a missing
 * Slurm fails there instead of skipping.
 */
export interface SlurmCluster {
  dir: string;
  /** Environment for sbatch/squeue/scontrol and for `histo cluster`: SLURM_CONF points at our cluster. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const binaries = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'scontrol', 'sinfo'];

/** Why a Slurm cluster cannot run here, or null when it can. */
export function slurmUnavailable(): string | null {
  if (process.platform !== 'linux') return 'Slurm tests run on Linux only';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'Slurm tests must run as root (slurmd and munged start as root)';
  const missing = binaries.filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
  if (missing.length > 0) return `Slurm is not installed (missing ${missing.join(', ')}; apt-get install slurm-wlm munge)`;
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readPid(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(what: string, check: () => boolean, seconds: number, log: () => string): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`Slurm test cluster: ${what} did not happen within ${seconds} s\n${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startSlurmCluster(): Promise<SlurmCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurm-'));
  fs.chmodSync(dir, 0o700);
  for (const sub of ['munge', 'state', 'spool', 'log']) fs.mkdirSync(path.join(dir, sub), { mode: 0o700 });
  const munge = path.join(dir, 'munge');
  fs.writeFileSync(path.join(munge, 'munge.key'), Buffer.from(Array.from({ length: 1024 }, () => Math.floor(Math.random() * 256))), { mode: 0o400 });
  const pidFiles = { munged: path.join(munge, 'munged.pid'), slurmctld: path.join(dir, 'slurmctld.pid'), slurmd: path.join(dir, 'slurmd.pid') };
  const logs = () =>
    ['log/slurmctld.log', 'log/slurmd.log', 'munge/munged.log']
      .map((f) => {
        try {
          return `--- ${f}\n${fs.readFileSync(path.join(dir, f), 'utf8').split('\n').slice(-15).join('\n')}`;
        } catch {
          return '';
        }
      })
      .join('\n');
  const stop = async () => {
    // slurmd first, so no job step outlives the controller; munged last.
    for (const name of ['slurmd', 'slurmctld', 'munged'] as const) {
      const pid = readPid(pidFiles[name]);
      if (pid === null || !alive(pid)) continue;
      process.kill(pid, 'SIGTERM');
      const until = Date.now() + 10_000;
      while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const started = spawnSync('munged', ['--force', `--socket=${munge}/munge.socket`, `--key-file=${munge}/munge.key`, `--pid-file=${pidFiles.munged}`, `--log-file=${munge}/munged.log`, `--seed-file=${munge}/seed`], { encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`munged did not start: ${started.stderr}`);
    const host = os.hostname().split('.')[0]!;
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const conf = path.join(dir, 'slurm.conf');
    fs.writeFileSync(
      conf,
      [
        'ClusterName=histotest',
        `SlurmctldHost=${host}(127.0.0.1)`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        'SlurmUser=root',
        'SlurmdUser=root',
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `AuthInfo=socket=${munge}/munge.socket`,
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'SchedulerType=sched/builtin',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_CPU',
        `StateSaveLocation=${dir}/state`,
        `SlurmdSpoolDir=${dir}/spool`,
        `SlurmctldPidFile=${pidFiles.slurmctld}`,
        `SlurmdPidFile=${pidFiles.slurmd}`,
        `SlurmctldLogFile=${dir}/log/slurmctld.log`,
        `SlurmdLogFile=${dir}/log/slurmd.log`,
        'JobCompType=jobcomp/none',
        'AccountingStorageType=accounting_storage/none',
        'JobAcctGatherType=jobacct_gather/none',
        'MpiDefault=none',
        'ReturnToService=2',
        'MinJobAge=600',
        `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${os.cpus().length} State=UNKNOWN`,
        `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
        '',
      ].join('\n'),
    );
    const env = { ...process.env, SLURM_CONF: conf };
    for (const daemon of ['slurmctld', 'slurmd']) {
      const result = spawnSync(daemon, ['-f', conf], { env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`${daemon} did not start: ${result.stderr}\n${logs()}`);
    }
    await waitFor('the node becoming idle', () => /idle/.test(spawnSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8' }).stdout ?? ''), 60, logs);
    return { dir, env, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
