import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HistoError } from '../errors';

/**
 * Where a project file lives, as far as SQLite's safety goes. WAL needs shared memory that network
 * filesystems do not provide across hosts, so a project on NFS/SMB uses a rollback journal and
 * one exclusive lock held while it is open.
 */
export interface ProjectStorage {
  network: boolean;
  /** The filesystem type (nfs4, cifs, smbfs, unc, ...), when known. */
  fsType: string | null;
  journal: 'wal' | 'exclusive-rollback';
}

export interface Mount {
  mountPoint: string;
  fsType: string;
}

const networkTypes = new Set([
  'nfs', 'nfs4', 'cifs', 'smb', 'smb2', 'smb3', 'smbfs', 'ncpfs', 'afs', 'coda', 'ceph', 'glusterfs', 'lustre', 'gpfs', 'beegfs', 'gfs2', 'ocfs2', 'davfs', 'webdav', 'afpfs', '9p',
]);
const networkFuse = new Set(['sshfs', 'glusterfs', 'ceph', 's3fs', 'rclone', 'davfs2', 'gcsfuse', 'smbnetfs', 'cephfs', 'juicefs', 'beegfs']);

/** Whether a filesystem type names storage reached over the network (fuse.sshfs, nfs4, cifs, ...). */
export function isNetworkFsType(fsType: string): boolean {
  const type = fsType.toLowerCase();
  if (networkTypes.has(type)) return true;
  if (type.startsWith('fuse.')) return networkFuse.has(type.slice(5));
  return false;
}

/** Linux /proc/mounts (or /etc/mtab): "device mountpoint type options 0 0", spaces escaped as \040. */
export function parseProcMounts(text: string): Mount[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 3)
    .map((f) => ({ mountPoint: unescape(f[1]!), fsType: f[2]! }));
}

/** macOS/BSD `mount` output: "//user@host/share on /Volumes/share (smbfs, nodev, nosuid, mounted by ann)". */
export function parseBsdMount(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const match = /^.+? on (.+) \(([^,)]+)/.exec(line.trim());
    if (match) mounts.push({ mountPoint: match[1]!, fsType: match[2]!.trim() });
  }
  return mounts;
}

/** The mount holding a path: the longest mount point that is the path or one of its parents. */
export function mountOf(file: string, mounts: readonly Mount[], sep = '/'): Mount | null {
  let best: Mount | null = null;
  for (const m of mounts) {
    const point = m.mountPoint.endsWith(sep) ? m.mountPoint : m.mountPoint + sep;
    const inside = file === m.mountPoint || file.startsWith(point) || m.mountPoint === sep;
    if (inside && (!best || m.mountPoint.length > best.mountPoint.length)) best = m;
  }
  return best;
}

/** Drive letters that `net use` lists as mapped to a share ("OK  Z:  \\server\share  Microsoft Windows Network"). */
export function parseNetUse(text: string): Set<string> {
  const drives = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /(?:^|\s)([A-Za-z]):\s+\\\\/.exec(line);
    if (match) drives.add(match[1]!.toUpperCase());
  }
  return drives;
}

/** A Windows path on a share: UNC (\\server\share, \\?\UNC\...) or a drive letter mapped to one. */
export function isWindowsNetworkPath(file: string, mappedDrives: ReadonlySet<string>): boolean {
  const p = file.replace(/\//g, '\\');
  if (/^\\\\\?\\UNC\\/i.test(p)) return true;
  if (/^\\\\[?.]\\/.test(p)) return false; // \\?\C:\ and \\.\ device paths are local
  if (/^\\\\[^\\]+\\[^\\]+/.test(p)) return true;
  const drive = /^([A-Za-z]):/.exec(p)?.[1];
  return drive !== undefined && mappedDrives.has(drive.toUpperCase());
}

function quietly(read: () => string): string {
  try {
    return read();
  } catch {
    return '';
  }
}

/** The filesystem of an (existing or about to be created) project file on this machine. */
export function detectFsType(file: string): { network: boolean; fsType: string | null } {
  // HISTO_ASSUME_NETWORK_FS=1 forces the network behaviour on a local disk (tests, or a
  // filesystem we do not recognise).
  if (process.env.HISTO_ASSUME_NETWORK_FS === '1') return { network: true, fsType: 'assumed' };
  const dir = path.dirname(file);
  const real = quietly(() => path.join(fs.realpathSync(dir), path.basename(file))) || file;
  if (process.platform === 'win32') {
    if (/^(\\\\|\/\/)/.test(real)) return { network: isWindowsNetworkPath(real, new Set()), fsType: 'unc' };
    const mapped = parseNetUse(quietly(() => execFileSync('net', ['use'], { encoding: 'utf8', timeout: 5000, windowsHide: true })));
    return isWindowsNetworkPath(real, mapped) ? { network: true, fsType: 'mapped-drive' } : { network: false, fsType: null };
  }
  const mounts = process.platform === 'linux'
    ? parseProcMounts(quietly(() => fs.readFileSync('/proc/mounts', 'utf8')))
    : parseBsdMount(quietly(() => execFileSync('mount', [], { encoding: 'utf8', timeout: 5000 })));
  const mount = mountOf(real, mounts);
  return mount ? { network: isNetworkFsType(mount.fsType), fsType: mount.fsType } : { network: false, fsType: null };
}

export function openElsewhereError(file: string): HistoError {
  return new HistoError('PROJECT_REFUSED', `${file}: project is open elsewhere (another process or computer has it open, and on network storage only one may); close it there first`);
}

/**
 * Sets the journal for the project's storage. On network storage: rollback journal, exclusive
 * locking mode, and the lock taken now, so a second writer is refused at open with a clear
 * message instead of corrupting the file later.
 */
export function configureJournal(db: { pragma(sql: string, o?: { simple: boolean }): unknown; exec(sql: string): unknown }, file: string): ProjectStorage {
  const { network, fsType } = detectFsType(file);
  if (!network) {
    db.pragma('journal_mode = WAL');
    return { network, fsType, journal: 'wal' };
  }
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('busy_timeout = 0');
  try {
    // In exclusive mode the lock stays held after COMMIT, until the connection closes.
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    db.pragma('journal_mode = DELETE');
  } catch (err) {
    if (/locked|busy/i.test((err as Error).message)) throw openElsewhereError(file);
    throw err;
  }
  return { network, fsType, journal: 'exclusive-rollback' };
}

/**
 * Runs the checks that read an existing project, turning "database is locked" into the
 * open-elsewhere message. On network storage the lock is probed first without waiting: a holder
 * keeps it for as long as its window is open, so waiting out a busy timeout would only delay the answer.
 */
export function refuseIfLockedElsewhere<T>(file: string, check: () => T): T {
  const lockedOut = (err: unknown) => /database is locked|SQLITE_BUSY/i.test((err as Error).message);
  if (fs.existsSync(file) && detectFsType(file).network) {
    try {
      const probe = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
      try {
        probe.pragma('user_version', { simple: true });
      } finally {
        probe.close();
      }
    } catch (err) {
      // Anything else (not a database, unreadable) is for the checks below to name.
      if (lockedOut(err)) throw openElsewhereError(file);
    }
  }
  try {
    return check();
  } catch (err) {
    if (lockedOut(err)) throw openElsewhereError(file);
    throw err;
  }
}
