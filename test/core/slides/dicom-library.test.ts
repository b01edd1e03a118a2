import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/project/project-store';
import { collectSlideFiles } from '../../../src-main/core/slides-library/slide-files';
import { SlideLibrary } from '../../../src-main/core/slides-library/slide-library';
import { writeDicomInstance } from '../../fixtures/dicom-writer';
import { patternImage, writePyramid } from '../../fixtures/slide-fixtures';
import { useTempDir } from '../../helpers/temp-dir';

const tempDir = useTempDir();
const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const thing of opened.splice(0)) thing.close();
});

describe('DICOM folders in the slides library', () => {
  it('imports a folder holding a DICOM series as one slide, beside ordinary slide files', async () => {
    const dir = tempDir();
    const slides = path.join(dir, 'slides');
    const series = path.join(slides, 'case-7');
    fs.mkdirSync(series, { recursive: true });
    for (const [i, ds] of [1, 2].entries()) {
      await writeDicomInstance(path.join(series, `level-${i}.dcm`), { seriesUid: '1.2.3.7', instanceUid: `1.2.3.7.${i}`, image: patternImage(512, 384, ds), tile: 128, codec: 'jpeg' });
    }
    const tiff = await writePyramid(path.join(slides, 'other.tif'), { width: 256, height: 256, tile: 128, compression: 'deflate', downsamples: [1] });

    expect((await collectSlideFiles([slides])).files).toEqual([series, tiff]);
    const store = ProjectStore.create(path.join(dir, 'project.histo'));
    const library = new SlideLibrary(() => store);
    opened.push(library, store);
    const result = await library.import([slides]);
    expect(result.failed).toEqual([]);
    expect(result.imported.find((s) => s.path === series)).toMatchObject({ kind: 'slide', format: 'dicom', vendor: 'dicom', width: 512, height: 384, mppX: 0.25, mppSource: 'file' });
    // The series folder given directly imports the same slide (same fingerprint, same row).
    const again = await library.import([series]);
    expect(again.imported.map((s) => s.id)).toEqual([result.imported.find((s) => s.path === series)!.id]);
  });
});
