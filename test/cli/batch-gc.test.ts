import { describe, expect, it } from 'vitest';
import { batchGcFlags } from '../../src-main/cli/batch-gc';

describe('the CLI collector flags (batchGcFlags)', () => {
  it('turns incremental marking off for batch commands, wherever their options sit', () => {
    expect(batchGcFlags(['embed', 'slide.svs', '--project', 'p.histo', '--backbone', 'mobilenet'])).toEqual(['--no-incremental-marking']);
    expect(batchGcFlags(['--json', 'predict', '--project', 'p.histo'])).toEqual(['--no-incremental-marking']);
    expect(batchGcFlags(['dataset', 'import-folder', 'patches/'])).toEqual(['--no-incremental-marking']);
  });

  it('leaves the server, which answers requests while it works, with V8 defaults', () => {
    expect(batchGcFlags(['serve', '--project', 'p.histo'])).toEqual([]);
    expect(batchGcFlags(['--json', 'serve'])).toEqual([]);
  });
});
