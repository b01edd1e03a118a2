import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoError, noStoredVectorsError, serializeError } from '../../../src-main/core/errors';
import { repoRoot } from '../../helpers/run-cli';

/**
 * Errors the app shows say which button or setting fixes them, never a command-line flag or
 * command: where the fix differs, the CLI's wording travels apart (`cli`) and the CLI prints it.
 */
const CLI_SYNTAX = /(^|[\s('"`])--[a-z]|'histo [a-z]/;
/** Sources whose errors only the CLI can raise (its own argument parsing). */
const CLI_ONLY = new Set(['cluster/shard-spec.ts']);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('error wording for people', () => {
  it('keeps CLI syntax out of every core error message the app can show', () => {
    const core = path.join(repoRoot, 'src-main', 'core');
    const offenders: string[] = [];
    for (const file of sources(core)) {
      const relative = path.relative(core, file).split(path.sep).join('/');
      if (CLI_ONLY.has(relative)) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/new HistoError\(\s*'[A-Z_]+',\s*(`[^`]*`|'[^']*')/g)) {
        // The first argument after the code is what the app shows; a `cli:` option may say it the CLI's way.
        if (CLI_SYNTAX.test(match[1]!)) offenders.push(`${relative}: ${match[1]!.slice(0, 100)}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('serialises both wordings; the app message names the view, the CLI one the command', () => {
    const error = serializeError(noStoredVectorsError('uni'));
    expect(error).toEqual({
      code: 'NOT_FOUND',
      message: "backbone 'uni' has no stored vectors in this project: extract embeddings with it in Backbones first",
      cli: "backbone 'uni' has no stored vectors in this project: run 'histo embed' with it first",
    });
    expect(serializeError(new HistoError('BAD_INPUT', 'plain'))).toEqual({ code: 'BAD_INPUT', message: 'plain' });
  });
});
