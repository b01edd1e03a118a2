/**
 * Hostile and broken inputs: generated bad slides (in-process, with time and memory bounds), then
 * the CLI fed bad slides, bad ONNX models and poisoned label files against a real project, which
 * must stay byte-for-byte unchanged. Exit codes 1 or 2 only, one clear line naming the file.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoError } from '../../src-main/core/errors';
import { openSlide } from '../../src-main/core/slides/open-slide';
import { writeDicomInstance } from '../fixtures/dicom-writer';
import { patternImage, pyramidPages, writeTiff } from '../fixtures/slide-fixtures';
import type { TiffPage } from '../fixtures/tiff-writer';
import { writeTestSlide } from '../helpers/embedding-fixtures';
import { linearEmbedder, nanModel, twoOutputModel, unsupportedOpModel, wrongRankModel } from '../helpers/onnx-models';
import { histoBin, repoRoot, runHisto } from '../helpers/run-cli';
import { checkSlideFile } from './fuzz/oracle';
import { seededRandom } from '../../src-main/core/backbones/seeded-random';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-hostile-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, data: Uint8Array | string): string => {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return file;
};

/** Offsets of the entries of the first IFD of a classic little-endian TIFF. */
function firstIfdEntries(data: Buffer): Array<{ at: number; tag: number }> {
  const first = data.readUInt32LE(4);
  const n = data.readUInt16LE(first);
  return Array.from({ length: n }, (_, i) => ({ at: first + 2 + i * 12, tag: data.readUInt16LE(first + 2 + i * 12) }));
}

let rejectedTotal = 0;

describe('hostile slide files (in-process readers)', () => {
  let pages: TiffPage[];
  let tiff: Buffer;
  let bigTiff: Buffer;
  beforeAll(async () => {
    pages = await pyramidPages({ width: 300, height: 200, tile: 64, compression: 'jpeg', downsamples: [1, 2] });
    tiff = writeTiff(pages);
    bigTiff = writeTiff(await pyramidPages({ width: 300, height: 200, tile: 64, compression: 'lzw', downsamples: [1, 2], subIfds: true, bigTiff: true }), { bigTiff: true });
  });

  /** Must be rejected: a HistoError (BAD_INPUT/NOT_FOUND) naming the file, within 2 s. */
  async function expectRejected(file: string, pattern?: RegExp): Promise<void> {
    const started = performance.now();
    const outcome = await checkSlideFile(file, { deep: true });
    const ms = performance.now() - started;
    expect(outcome, file).toMatchObject({ ok: true, rejected: true });
    if (pattern && outcome.ok) expect(outcome.message).toMatch(pattern);
    expect(ms, `${file}: ${ms.toFixed(0)} ms`).toBeLessThan(2_000);
    rejectedTotal++;
  }

  it('named hostile slides are rejected with a clear error, fast, without a memory spike', async () => {
    const rss0 = process.memoryUsage.rss();
    const [page] = pages;
    const withTags = (extra: TiffPage['extraTags']): Buffer => writeTiff([{ ...page!, extraTags: extra }]);
    const loop = Buffer.from(tiff);
    const first = loop.readUInt32LE(4);
    loop.writeUInt32LE(first, first + 2 + loop.readUInt16LE(first) * 12);
    const hugeCount = Buffer.from(tiff);
    for (const e of firstIfdEntries(hugeCount)) if (e.tag === 325) hugeCount.writeUInt32LE(0x3fffffff, e.at + 4);
    // Vendor formats: a DICOM instance to truncate or relabel, Philips XML with entity expansion, an NDPI offset past the end.
    const dicomSource = path.join(dir, 'dicom-src', 'wsi.dcm');
    fs.mkdirSync(path.dirname(dicomSource), { recursive: true });
    await writeDicomInstance(dicomSource, { seriesUid: '1.2.3.66', instanceUid: '1.2.3.66.1', image: patternImage(128, 128), tile: 64, codec: 'jpeg' });
    const dicom = fs.readFileSync(dicomSource);
    const laughs = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "${'a'.repeat(64)}">${Array.from({ length: 9 }, (_, i) => `<!ENTITY e${i + 1} "${`&${i ? `e${i}` : 'a'};`.repeat(10)}">`).join('')}]><DataObject ObjectType="DPUfsImport">&e9;</DataObject>`;
    const ndpiTags = [{ tag: 65420, type: 4, values: [1] }, { tag: 65421, type: 11, values: [20] }];
    const cases: Array<[string, Uint8Array | string, RegExp]> = [
      ['dicom-header-cut.dcm', dicom.subarray(0, 300), /not a readable DICOM file|without Pixel Data/],
      ['dicom-ct.dcm', Buffer.from(dicom.toString('latin1').replaceAll('1.2.840.10008.5.1.4.1.1.77.1.6', '1.2.840.10008.5.1.4.1.1.2\0\0\0\0\0'), 'latin1'), /SOP class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.2/],
      ['philips-billion-laughs.tiff', writeTiff([{ ...page!, description: laughs, extraTags: [{ tag: 305, type: 2, values: 'Philips' }] }]), /declares entities/],
      ['ndpi-offset-past-end.ndpi', writeTiff([{ ...page!, extraTags: ndpiTags, ndpiHighBits: { 324: 3 } }], { ndpi: true }), /past the end of the file|outside the file/],
      ['empty.svs', '', /is empty/],
      ['wrong-magic.svs', Buffer.concat([Buffer.from('GIF89a'), tiff.subarray(6)]), /not a supported slide format/],
      ['text.tif', 'not a slide\n'.repeat(100), /not a supported slide format/],
      ['tiff-magic-only.tif', Buffer.from([0x49, 0x49, 42, 0]), /not a TIFF|truncated|past the end/],
      ['absurd-width.tif', withTags([{ tag: 256, type: 4, values: [0xffffffff] }]), /claims a width/],
      ['zero-height.tif', withTags([{ tag: 257, type: 4, values: [0] }]), /claims a height of 0/],
      ['absurd-tiles.tif', withTags([{ tag: 256, type: 4, values: [2_000_000] }, { tag: 257, type: 4, values: [2_000_000] }, { tag: 322, type: 3, values: [16] }, { tag: 323, type: 3, values: [16] }]), /claims \d+ tiles/],
      ['tile-65537.tif', withTags([{ tag: 322, type: 4, values: [65537] }]), /invalid tile size/],
      ['ifd-loop.tif', loop, /IFD loop/],
      ['offsets-past-end.tif', withTags([{ tag: 324, type: 4, values: Array.from({ length: 20 }, () => 50_000_000) }]), /lies past the end of the file/],
      ['huge-byte-counts.tif', withTags([{ tag: 325, type: 4, values: Array.from({ length: 20 }, () => 0x7fffffff) }]), /claims \d+ bytes|past the end/],
      ['tag-count-huge.tif', hugeCount, /claims \d+ values/],
      ['zstd.tif', writeTiff([{ ...page!, compression: 50000 }]), /unsupported compression Zstandard/],
      ['lerc.tif', writeTiff([{ ...page!, compression: 34887 }]), /unsupported compression LERC/],
      ['float.tif', withTags([{ tag: 339, type: 3, values: [3, 3, 3] }]), /SampleFormat/],
      ['planar.tif', withTags([{ tag: 284, type: 3, values: [2] }, { tag: 277, type: 3, values: [3] }]), /PlanarConfiguration|tile table/],
      ['unknown-type.tif', (() => {
        const b = Buffer.from(tiff);
        const e = firstIfdEntries(b).find((x) => x.tag === 256)!;
        b.writeUInt16LE(99, e.at + 2);
        return b;
      })(), /unknown field type 99/],
      ['first-ifd-past-end.tif', (() => {
        const b = Buffer.from(tiff.subarray(0, 64));
        b.writeUInt32LE(0x7ffffff0, 4);
        return b;
      })(), /outside the file|past the end/],
      ['bigtiff-offset-2^63.btf', (() => {
        const b = Buffer.from(bigTiff);
        b.writeBigUInt64LE(0x7fffffffffffffffn, 8);
        return b;
      })(), /outside the file|past the end/],
      ['bigtiff-bad-offset-size.btf', (() => {
        const b = Buffer.from(bigTiff);
        b.writeUInt16LE(4, 4);
        return b;
      })(), /unsupported offset size/],
    ];
    let peak = rss0;
    for (const [name, data, pattern] of cases) {
      await expectRejected(write(path.join('named', name), data), pattern);
      peak = Math.max(peak, process.memoryUsage.rss());
    }
    // A directory, a missing file and a path climbing out with ../ are errors naming the path.
    await expect(openSlide(dir)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(new RegExp(`^${dir}: is (a folder|not a regular file)`)) });
    const climbing = path.join(dir, '..', '..', '..', 'no-such-dir', 'x.svs');
    await expect(openSlide(climbing)).rejects.toMatchObject({ code: 'NOT_FOUND', message: `${climbing}: no such file` });
    rejectedTotal += 2;
    const growth = (peak - rss0) / 2 ** 20;
    console.log(`hostile slides: ${cases.length + 2} named hostile files rejected, RSS growth ${growth.toFixed(0)} MiB`);
    expect(growth).toBeLessThan(400);
  });

  it('truncated at 60 offsets and bit-flipped 60 times: works or a clear error, never anything else', async () => {
    const rand = seededRandom(42);
    let rejected = 0;
    let worked = 0;
    const rss0 = process.memoryUsage.rss();
    for (const [label, base] of [['tiff', tiff], ['bigtiff', bigTiff]] as const) {
      for (let i = 0; i < 30; i++) {
        // Dense near the header and IFDs (start and end of the file), spread over the tile data.
        const at = i < 10 ? Math.floor((i / 10) * 512) : i < 20 ? base.length - 1 - Math.floor(rand() * 1024) : Math.floor(rand() * base.length);
        const started = performance.now();
        const outcome = await checkSlideFile(write(path.join('cut', `${label}-${at}.tif`), base.subarray(0, at)), { deep: true });
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(outcome, `${label} cut at ${at}`).toMatchObject({ ok: true });
        if (outcome.ok && outcome.rejected) rejected++;
        else worked++;
      }
      for (let i = 0; i < 30; i++) {
        const flipped = Buffer.from(base);
        for (let k = 0; k < 1 + (i % 4); k++) {
          const at = rand() < 0.6 ? Math.floor(rand() * Math.min(flipped.length, 1024)) : Math.floor(rand() * flipped.length);
          flipped[at] = flipped[at]! ^ (1 << Math.floor(rand() * 8));
        }
        const started = performance.now();
        const outcome = await checkSlideFile(write(path.join('flip', `${label}-${i}.tif`), flipped), { deep: true });
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(outcome, `${label} flip ${i}`).toMatchObject({ ok: true });
        if (outcome.ok && outcome.rejected) rejected++;
        else worked++;
      }
    }
    rejectedTotal += rejected;
    console.log(`hostile slides: truncated/bit-flipped: ${rejected} rejected, ${worked} still readable; RSS growth ${((process.memoryUsage.rss() - rss0) / 2 ** 20).toFixed(0)} MiB`);
    expect(rejected).toBeGreaterThan(60);
  });
});

// ---------------------------------------------------------------- the CLI against a real project

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `histo ...` with a 256 MB heap and a 30 s limit. */
function histo(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--max-old-space-size=256', histoBin, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** The project's bytes and every table's row count: what "unchanged" means. */
function projectState(file: string): { sha256: string; wal: string | null; rows: Record<string, number> } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
    const rows = Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
    const wal = fs.existsSync(`${file}-wal`) ? createHash('sha256').update(fs.readFileSync(`${file}-wal`)).digest('hex') : null;
    return { sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex'), wal, rows };
  } finally {
    db.close();
  }
}

describe('hostile inputs through the CLI leave the project unchanged', () => {
  let project: string;
  let slide: string;
  beforeAll(async () => {
    project = path.join(dir, 'p.histo');
    const ok = (args: string[]) => {
      const r = runHisto(args);
      expect(r.code, r.stderr).toBe(0);
    };
    ok(['project', 'create', project]);
    ok(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 8, seed: 1, dir }), '--project', project, '--name', 'lin']);
    slide = await writeTestSlide(dir, 'good.tif', { width: 256, height: 128 });
    ok(['embed', slide, '--project', project, '--backbone', 'lin', '--level', '0', '--min-tissue', '0']);
    ok(['task', 'create', 'tissue', '--classes', 'tumour,stroma', '--project', project]);
  }, 120_000);

  it('rejects bad slides, models and label files with exit 1 or 2 and one line naming the file', async () => {
    const before = projectState(project);
    const good = fs.readFileSync(slide);
    const cases: Array<{ label: string; args: string[]; names: string }> = [];
    const add = (label: string, args: string[], names: string) => cases.push({ label, args, names });
    // Slides.
    for (const [name, data] of [
      ['empty.svs', Buffer.alloc(0)],
      ['magic.svs', Buffer.concat([Buffer.from('%PDF'), good.subarray(4)])],
      ['truncated.tif', good.subarray(0, Math.floor(good.length / 3))],
      ['loop.tif', (() => {
        const b = Buffer.from(good);
        const f = b.readUInt32LE(4);
        b.writeUInt32LE(f, f + 2 + b.readUInt16LE(f) * 12);
        return b;
      })()],
    ] as const) {
      const file = write(path.join('cli', name), data);
      add(`slide ${name}`, ['embed', file, '--project', project, '--backbone', 'lin', '--level', '0', '--min-tissue', '0'], file);
    }
    add('slide path with ../', ['embed', path.join(dir, 'cli', '..', '..', 'nope', '..', 'missing.svs'), '--project', project, '--backbone', 'lin'], 'missing.svs');
    // Models.
    const models = path.join(dir, 'models');
    fs.mkdirSync(models, { recursive: true });
    const random = new Uint8Array(2 << 20);
    const rand = seededRandom(9);
    for (let i = 0; i < random.length; i++) random[i] = Math.floor(rand() * 256);
    for (const [label, file] of [
      ['random bytes', write(path.join('models', 'random.onnx'), random)],
      ['empty', write(path.join('models', 'empty.onnx'), '')],
      ['protobuf-looking junk', write(path.join('models', 'junk.onnx'), Buffer.concat([Buffer.from([0x08, 0x07, 0x12, 0x04]), Buffer.from('histo'), random.subarray(0, 4096)]))],
      ['wrong output rank', wrongRankModel({ dir: models })],
      ['NaN output', nanModel({ dir: models })],
      ['unknown operator', unsupportedOpModel({ dir: models })],
      ['a folder', models],
    ] as const) {
      add(`model ${label}`, ['backbone', 'import', file, '--project', project, '--name', `m-${label.replace(/\W/g, '')}`], path.basename(file));
    }
    add('model path with ../', ['backbone', 'import', path.join(models, '..', '..', 'x', '..', 'none.onnx'), '--project', project], 'none.onnx');
    void twoOutputModel;
    // Label files.
    const csv = (name: string, text: string | Buffer) => write(path.join('labels', name), text);
    const label = (name: string, file: string, extra: string[] = []) => add(`labels ${name}`, ['labels', 'import', file, '--project', project, '--task', 'tissue', ...extra], path.basename(file));
    label('formula injection', csv('formula.csv', `source,x,y,label\n${slide},0,0,"=cmd|' /C calc'!A0"\n`));
    label('script class', csv('script.csv', `source,x,y,label\n${slide},0,0,<script>alert(1)</script>\n`));
    label('passwd source', csv('passwd.csv', 'source,x,y,label\n../../etc/passwd,0,0,tumour\n'));
    label('absolute passwd source', csv('abs-passwd.csv', 'source,label\n/etc/passwd,tumour\n'));
    label('NUL bytes', csv('nul.csv', Buffer.from(`source,x,y,label\n${slide}\0,0,0,tum\0our\n`)));
    label('10 MB field', csv('huge-field.csv', `source,x,y,label\n${slide},0,0,${'A'.repeat(10 << 20)}\n`));
    label('10 MB quoted field', csv('huge-quoted.csv', `source,x,y,label\n"${'B'.repeat(10 << 20)}`));
    label('wrong types', csv('types.csv', `source,x,y,label\n${slide},left,top,tumour\n`));
    label('Infinity coordinates', csv('inf.csv', `source,x,y,label\n${slide},Infinity,1e400,tumour\n`));
    label('ragged rows', csv('ragged.csv', `source,x,y,label\n${slide},0,0,tumour,extra\n`));
    label('binary junk', csv('junk.csv', Buffer.from(random.subarray(0, 100_000))));
    label('not a label extension', csv('labels.txt', 'source,label\n'));
    const geo = (name: string, text: string) => write(path.join('labels', name), text);
    const feature = (props: unknown, coordinates: unknown) => ({ type: 'Feature', properties: props, geometry: { type: 'Polygon', coordinates } });
    const square = [[[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]]];
    const geoLabel = (name: string, text: string) => label(name, geo(name.replace(/\W+/g, '-') + '.geojson', text), ['--slide', slide]);
    geoLabel('deeply nested JSON', '['.repeat(200_000) + ']'.repeat(200_000));
    geoLabel('deep nesting in coordinates', `{"type":"Feature","properties":{"classification":{"name":"tumour"}},"geometry":{"type":"Polygon","coordinates":${'['.repeat(3000)}${']'.repeat(3000)}}}`);
    geoLabel('script classification', JSON.stringify({ type: 'FeatureCollection', features: [feature({ classification: { name: '<script>alert(1)</script>' } }, square)] }));
    geoLabel('coordinates as strings', JSON.stringify({ type: 'FeatureCollection', features: [feature({ classification: { name: 'tumour' } }, [[['0', '0'], ['1', '0'], ['1', '1'], ['0', '0']]])] }));
    geoLabel('10 MB class name', JSON.stringify({ type: 'Feature', properties: { classification: { name: 'x'.repeat(10 << 20) } }, geometry: { type: 'Polygon', coordinates: square } }));
    geoLabel('NUL in JSON', `{"type":"Feature","properties":{"classification":{"name":"tum\u0000our"}},"geometry":{"type":"Polygon","coordinates":${JSON.stringify(square)}}}`);
    geoLabel('__proto__ pollution', '{"type":"FeatureCollection","__proto__":{"polluted":1},"features":[{"type":"Feature","properties":{"__proto__":{"name":"tumour"}},"geometry":{"type":"Polygon","coordinates":[[[0,0],[9,0],[9,9],[0,0]]]}}]}');
    geoLabel('truncated JSON', JSON.stringify({ type: 'FeatureCollection', features: [feature({ classification: { name: 'tumour' } }, square)] }).slice(0, 50));
    label('geojson without --slide', geo('noslide.geojson', JSON.stringify({ type: 'FeatureCollection', features: [feature({ classification: { name: 'tumour' } }, square)] })));
    label('label path with ../', path.join(dir, 'labels', '..', '..', '..', 'etc', 'nothing.csv'));

    // Two at a time (the machine has two cores); model and label files first, then slides.
    const results: Array<{ label: string; run: Run; names: string }> = [];
    const runAll = async (list: typeof cases): Promise<void> => {
      for (let i = 0; i < list.length; i += 2) {
        const pair = list.slice(i, i + 2);
        const runs = await Promise.all(pair.map((c) => histo(c.args)));
        pair.forEach((c, k) => results.push({ label: c.label, run: runs[k]!, names: c.names }));
      }
    };
    await runAll(cases.filter((c) => c.args[0] !== 'embed'));
    const middle = projectState(project);
    expect(middle.rows).toEqual(before.rows);
    expect(middle.sha256).toBe(before.sha256);
    expect(middle.wal).toBe(before.wal);
    await runAll(cases.filter((c) => c.args[0] === 'embed'));
    const slowest = Math.max(...results.map((r) => r.run.ms));
    for (const { label, run, names } of results) {
      const message = `${label}: exit ${run.code} ${run.signal ?? ''}\n${run.stderr.slice(0, 600)}`;
      expect(run.signal, message).toBeNull();
      expect([1, 2], message).toContain(run.code);
      expect(run.stderr, message).not.toMatch(/internal error|TypeError|RangeError|at .*\.cjs:\d+/);
      expect(run.stderr, message).toContain(names);
      // One message line (plus the usage hint for exit 2), never a multi-megabyte echo of the input.
      expect(run.stderr.length, message.slice(0, 300)).toBeLessThan(2_000);
      expect(run.ms, message).toBeLessThan(20_000);
    }
    // A failed run leaves the project as it was: not a row added anywhere, the audit trail included.
    const after = projectState(project);
    expect(after.rows).toEqual(before.rows);
    rejectedTotal += results.length;
    console.log(`hostile CLI inputs: ${results.length} rejected (exit 1/2), slowest ${slowest.toFixed(0)} ms; project unchanged (${Object.values(before.rows).reduce((a, b) => a + b, 0)} rows)`);
    console.log(`hostile files rejected in all: ${rejectedTotal}`);
  }, 240_000);
});

void HistoError;
