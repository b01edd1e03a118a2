import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json';
import { latestSchemaVersion } from '../../src-main/core/project/migrations';
import { runHisto } from '../helpers/run-cli';
import { fileDigest } from '../helpers/file-digest';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

describe('histo CLI', () => {
  it('prints its version and help with exit code 0', () => {
    expect(runHisto(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = runHisto(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/project create/);
    expect(help.stdout).toMatch(/serve/);
  });

  it('info --json reports version, ONNX Runtime and the cpu provider', () => {
    const home = tempDir();
    const result = runHisto(['info', '--json'], { HISTO_HOME: home });
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info).toMatchObject({ version: pkg.version, node: process.versions.node, platform: process.platform });
    expect(info.onnxruntime).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.executionProviders).toContain('cpu');
    expect(info.executionProviders.at(-1)).toBe('cpu');
    expect(info.defaultProject).toBe(path.join(home, 'default.histo'));
    expect(result.stderr).toBe('');
  });

  it('project create writes a project and refuses to overwrite it (exit 1, file named)', () => {
    const file = path.join(tempDir(), 'study.histo');
    const created = runHisto(['project', 'create', file, '--json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ path: file, schemaVersion: latestSchemaVersion });
    const digest = fileDigest(file);
    const again = runHisto(['project', 'create', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(file);
    expect(again.stderr).toMatch(/already exists/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(fileDigest(file)).toBe(digest);
  });

  it('refuses a file that is not a project with exit 1; --verbose adds the stack', () => {
    const file = path.join(tempDir(), 'notes.histo');
    fs.writeFileSync(file, 'not a database');
    const plain = runHisto(['project', 'info', file]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(new RegExp(`notes\\.histo: not a Histo Workstation project`));
    const verbose = runHisto(['project', 'info', file, '--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/at .*\(/);
  });

  it.each([
    [['frobnicate'], /unknown command: frobnicate/],
    [['project', 'create'], /missing argument/],
    [['project', 'create', 'a.histo', 'b.histo'], /unexpected argument 'b.histo'/],
    [['info', '--no-such-flag'], /no-such-flag/],
    [['serve', '--port', 'eighty'], /--port: not a port number/],
    [[], /Usage: histo/],
  ])('exits 2 on usage error %j', (args, message) => {
    const result = runHisto(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});
