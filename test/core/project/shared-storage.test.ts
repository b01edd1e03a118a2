import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isNetworkFsType, isWindowsNetworkPath, mountOf, parseBsdMount, parseNetUse, parseProcMounts } from '../../../src-main/core/project/shared-storage';
import { runHisto, serveHisto } from '../../helpers/run-cli';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();

const procMounts = `sysfs /sys sysfs rw,nosuid 0 0
/dev/sda1 / ext4 rw,relatime 0 0
fileserver:/export/lab /mnt/lab nfs4 rw,relatime,vers=4.2 0 0
//nas/pathology\\040scans /mnt/path\\040scans cifs rw 0 0
/dev/sdb1 /mnt/lab/local-cache xfs rw 0 0
ann@gpu01:/data /home/ann/gpu01 fuse.sshfs rw,nosuid 0 0
tmpfs /tmp tmpfs rw 0 0
`;

describe('network filesystem detection', () => {
  it('finds the mount of a path in /proc/mounts, the longest prefix winning, escapes undone', () => {
    const mounts = parseProcMounts(procMounts);
    const typeOf = (p: string) => mountOf(p, mounts)?.fsType;
    expect(typeOf('/mnt/lab/study/study.histo')).toBe('nfs4');
    expect(typeOf('/mnt/lab/local-cache/shard-1.histo')).toBe('xfs');
    expect(typeOf('/mnt/path scans/a.histo')).toBe('cifs');
    expect(typeOf('/mnt/labx/a.histo')).toBe('ext4');
    expect(typeOf('/home/ann/gpu01/p.histo')).toBe('fuse.sshfs');
    expect(typeOf('/tmp/p.histo')).toBe('tmpfs');
  });

  it('knows network types from local ones', () => {
    for (const t of ['nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'fuse.sshfs', 'ceph', 'lustre', 'gpfs', 'beegfs']) expect(isNetworkFsType(t), t).toBe(true);
    for (const t of ['ext4', 'xfs', 'btrfs', 'tmpfs', 'apfs', 'ntfs', 'overlay', 'fuse.portal', 'zfs']) expect(isNetworkFsType(t), t).toBe(false);
  });

  it('reads macOS mount output', () => {
    const mounts = parseBsdMount(`/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
//ann@nas._smb._tcp.local/Scans on /Volumes/Scans (smbfs, nodev, nosuid, mounted by ann)
fs1:/export on /Volumes/export (nfs, asynchronous)
`);
    expect(mountOf('/Volumes/Scans/study.histo', mounts)?.fsType).toBe('smbfs');
    expect(mountOf('/Volumes/export/a/b.histo', mounts)?.fsType).toBe('nfs');
    expect(mountOf('/Users/ann/study.histo', mounts)?.fsType).toBe('apfs');
  });

  it('recognises UNC paths and mapped network drives on Windows', () => {
    const mapped = parseNetUse(`New connections will be remembered.

Status       Local     Remote                    Network
-------------------------------------------------------------------------------
OK           Z:        \\\\nas\\pathology          Microsoft Windows Network
Unavailable  Y:        \\\\old\\share              Microsoft Windows Network
The command completed successfully.
`);
    expect([...mapped].sort()).toEqual(['Y', 'Z']);
    expect(isWindowsNetworkPath('\\\\nas\\pathology\\study.histo', mapped)).toBe(true);
    expect(isWindowsNetworkPath('//nas/pathology/study.histo', mapped)).toBe(true);
    expect(isWindowsNetworkPath('\\\\?\\UNC\\nas\\share\\a.histo', mapped)).toBe(true);
    expect(isWindowsNetworkPath('z:\\study\\a.histo', mapped)).toBe(true);
    expect(isWindowsNetworkPath('C:\\Users\\ann\\a.histo', mapped)).toBe(false);
    expect(isWindowsNetworkPath('\\\\?\\C:\\Users\\a.histo', mapped)).toBe(false);
  });
});

describe('a project on network storage', () => {
  it('is locked to one process: a second one gets "project is open elsewhere", with the mode said on stderr', async () => {
    const project = path.join(tempDir(), 'shared.histo');
    const network = { HISTO_ASSUME_NETWORK_FS: '1' };
    const created = runHisto(['project', 'create', project, '--json'], network);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ storage: { network: true, journal: 'exclusive-rollback' } });
    expect(created.stderr).toMatch(/is on network storage \(assumed\): rollback journal with an exclusive lock/);

    process.env.HISTO_ASSUME_NETWORK_FS = '1';
    const holder = await serveHisto(['--project', project]).finally(() => delete process.env.HISTO_ASSUME_NETWORK_FS);
    try {
      for (const env of [network, {}]) {
        const second = runHisto(['project', 'info', project], env);
        expect(second.code).toBe(1);
        expect(second.stderr.trim()).toBe(`histo: ${project}: project is open elsewhere (another process or computer has it open, and on network storage only one may); close it there first`);
      }
    } finally {
      await holder.stop();
    }
    const reopened = runHisto(['project', 'info', project, '--json'], network);
    expect(reopened.code, reopened.stderr).toBe(0);
    const db = new Database(project, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    // On a local disk the same file goes back to WAL.
    expect(JSON.parse(runHisto(['project', 'info', project, '--json']).stdout)).toMatchObject({ storage: { network: false, journal: 'wal' } });
  });
});
