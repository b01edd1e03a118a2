import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { browserLaunchOptions, browserSkipMessage, findBrowser } from '../helpers/find-browser.mjs';

/**
 * A whole study run from the production install (`npm ci --omit=dev` beside the built dist/):
 * every command a user's first day touches, then `histo serve` loaded in Chromium. A runtime
 * import that only a devDependency satisfies fails here, as it would for users.
 */
const productionDir = inject('productionDir');
const histo = path.join(productionDir, 'bin', 'histo.cjs');
const slide = path.resolve(__dirname, '..', 'fixtures', 'CMU-1-Small-Region.svs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-production-flow-'));
const env = { ...process.env, HISTO_HOME: path.join(work, 'home') };
const project = path.join(work, 'study.histo');
const out = (name: string) => path.join(work, name);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function run(args: string[]): string {
  const result = spawnSync(process.execPath, [histo, ...args], { cwd: productionDir, env, encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) throw new Error(`histo ${args.join(' ')} exited ${result.status} in the production install:\n${result.stderr}`);
  return result.stdout;
}

const json = <T = Record<string, any>>(args: string[]): T => JSON.parse(run([...args, '--json'])) as T;

describe('the production install runs a whole study', () => {
  it('creates a project, embeds the fixture slide, trains, exports, predicts, compares and audits', () => {
    expect(json(['project', 'create', project])).toMatchObject({ path: project, schemaVersion: expect.any(Number) });
    expect(json(['slide', 'info', slide])).toMatchObject({ format: 'svs', width: 2220, height: 2967 });
    expect(json(['embed', slide, '--project', project, '--backbone', 'histo-classic-v2', '--level', '0', '--min-tissue', '0.3'])).toMatchObject({ slides: 1, embedded: expect.any(Number), failed: [] });

    // An ImageFolder dataset cut from the slide itself: tissue along the top edge against the bottom.
    for (const [label, y] of [['top', 0], ['bottom', 2000]] as const) {
      fs.mkdirSync(out(`dataset/${label}`), { recursive: true });
      for (let i = 0; i < 6; i++) run(['slide', 'region', slide, '--x', String(i * 224), '--y', String(y), '--width', '224', '--height', '224', '--out', out(`dataset/${label}/${i}.png`)]);
    }
    expect(json(['dataset', 'import-folder', out('dataset'), '--project', project, '--task', 'edge', '--backbone', 'histo-classic-v2'])).toMatchObject({ images: 12, failed: [] });
    const head = json(['train', '--project', project, '--task', 'edge', '--backbone', 'histo-classic-v2', '--head', 'logreg', '--cv', '2', '--group', 'none']);
    expect(head.headId).toEqual(expect.any(Number));

    // Head export builds ONNX graphs at run time (onnx-proto): alone, and fused with the backbone.
    expect(json(['head', 'export', String(head.headId), '--project', project, '--out', out('head.onnx')])).toMatchObject({ withBackbone: false, output: { shape: ['N', 2] } });
    expect(json(['head', 'export', String(head.headId), '--project', project, '--out', out('full.onnx'), '--with-backbone'])).toMatchObject({ withBackbone: true, input: { shape: ['N', 3, 224, 224] } });
    expect(fs.statSync(out('full.onnx')).size).toBeGreaterThan(fs.statSync(out('head.onnx')).size);

    const predicted = json(['predict', '--project', project, '--head', String(head.headId), slide, '--geojson', out('tiles.geojson'), '--csv', out('tiles.csv'), '--report', out('reports')]);
    expect(predicted.slides).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(out('tiles.geojson'), 'utf8')).features.length).toBe(predicted.slides[0].tiles);
    expect(fs.readFileSync(out('tiles.csv'), 'utf8').split('\n')[0]).toBe('source,x,y,width,height,predicted,p_bottom,p_top');
    expect(fs.readdirSync(out('reports'))).toEqual(['CMU-1-Small-Region.svs.report.html']);

    // A second backbone to compare against: the bundled model imported under another name.
    for (const ext of ['onnx', 'json']) fs.copyFileSync(path.join(productionDir, 'resources', 'backbones', `histo-classic-v2.${ext}`), out(`copy.${ext}`));
    json(['backbone', 'import', out('copy.onnx'), '--project', project, '--name', 'copy']);
    const compared = json(['compare', '--project', project, '--task', 'edge', '--backbones', 'histo-classic-v2,copy', '--cv', '2', '--no-speed']);
    expect(compared.ranking.map((row: { backbone: string }) => row.backbone).sort()).toEqual(['copy', 'histo-classic-v2']);

    const actions = json<Array<{ action: string }>>(['audit', '--project', project]).map((entry) => entry.action);
    for (const action of ['project.create', 'embed', 'train', 'predict', 'compare']) expect(actions).toContain(action);
  }, 600_000);

  const browser = findBrowser();
  if (!browser && process.env.HISTO_REQUIRE_BROWSER === '1') throw new Error(`HISTO_REQUIRE_BROWSER=1: ${browserSkipMessage}`);
  it.skipIf(!browser)('serves the renderer from the production install to Chromium', async () => {
    const server = spawn(process.execPath, [histo, 'serve', '--port', '0', '--json', '--project', project], { cwd: productionDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const chrome = await chromium.launch(browserLaunchOptions(browser!));
    try {
      const { url } = await new Promise<{ url: string }>((resolve, reject) => {
        let stdout = '';
        server.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!) as { url: string });
        });
        server.once('exit', (code) => reject(new Error(`histo serve exited ${code} in the production install: ${stderr}`)));
      });
      const page = await chrome.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => void (message.type() === 'error' && problems.push(`console error: ${message.text()}`)));
      page.on('response', (response) => void (response.status() >= 400 && problems.push(`HTTP ${response.status()}: ${response.url()}`)));
      await page.goto(url);
      await expect.poll(() => page.getByTestId('project-path').textContent()).toBe(project);
      expect(problems).toEqual([]);
    } finally {
      await chrome.close();
      server.kill('SIGTERM');
    }
  }, 120_000);
});
