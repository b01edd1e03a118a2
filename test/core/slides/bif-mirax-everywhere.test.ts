import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectInputs } from '../../../src-main/core/extraction/collect-inputs';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { collectSlideFiles } from '../../../src-main/core/slides-library/slide-files';
import { SlideLibrary } from '../../../src-main/core/slides-library/slide-library';
import { writeMirax } from '../../fixtures/mirax-writer';
import { patternImage } from '../../fixtures/slide-fixtures';
import { writeBif } from '../../fixtures/ventana-writer';
import { runHisto } from '../../helpers/run-cli';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const thing of opened.splice(0)) thing.close();
});

describe('Ventana BIF and MIRAX go where every slide goes', () => {
  it('a folder scan finds the .bif and the .mrxs (not the MIRAX data files), the library imports both, and `histo slide info --json` names the vendor', async () => {
    const dir = tempDir();
    const slides = path.join(dir, 'slides');
    fs.mkdirSync(slides);
    const mrxs = await writeMirax(slides, 'case-3', { source: patternImage(256, 256), imagesX: 2, imagesY: 2, divisions: 1, imageSize: 128, overlap: 0, formats: ['JPEG', 'JPEG'], positions: null });
    const bif = path.join(slides, 'case-4.bif');
    fs.writeFileSync(bif, await writeBif({ source: patternImage(240, 128), tile: 128, overlapX: 16, overlapY: 0, tilesAcross: 2, tilesDown: 1, withLevel1: false, areas: [{ startCol: 0, startRow: 0, cols: 2, rows: 1, x: 0, y: 0 }] }));

    expect((await collectSlideFiles([slides])).files).toEqual([mrxs, bif]);
    expect(collectInputs([slides]).map((i) => i.path)).toEqual([mrxs, bif]);
    const store = ProjectStore.create(path.join(dir, 'project.histo'));
    const library = new SlideLibrary(() => store);
    opened.push(library, store);
    const result = await library.import([slides]);
    expect(result.failed).toEqual([]);
    expect(result.imported.find((s) => s.path === mrxs)).toMatchObject({ format: 'mirax', vendor: 'mirax', width: 256, height: 256, mppX: 0.243 });
    expect(result.imported.find((s) => s.path === bif)).toMatchObject({ format: 'bif', vendor: 'ventana', width: 240, height: 128, mppX: 0.2325 });

    for (const [file, vendor] of [[mrxs, 'mirax'], [bif, 'ventana']] as const) {
      const cli = runHisto(['slide', 'info', file, '--json']);
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ vendor, format: vendor === 'mirax' ? 'mirax' : 'bif' });
    }
  });
});
