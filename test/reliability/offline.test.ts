/**
 * Offline guarantee: the whole flow (import, embed, label, train, compare, predict + export) runs
 * through the CLI under a network recorder (test/reliability/network-recorder.cjs), then
 * `histo serve` runs under it too while Chromium drives the renderer. Any destination that is not
 * loopback fails the test, from Node or from the page.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { browserLaunchOptions, findBrowser } from '../helpers/find-browser.mjs';
import { writeTestSlide, writeTwoRegionSlide } from '../helpers/embedding-fixtures';
import { linearEmbedder } from '../helpers/onnx-models';
import { histoBin, repoRoot } from '../helpers/run-cli';

const recorder = path.join(repoRoot, 'test', 'reliability', 'network-recorder.cjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'histo-offline-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Destination {
  api: string;
  host?: string;
  port?: number | string;
  path?: string;
}

/** Loopback: 127.0.0.0/8, ::1, localhost, or a local (unix) socket path. */
export function isLoopback(d: Destination): boolean {
  if (d.path !== undefined && d.host === undefined) return true;
  const host = String(d.host ?? '').replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:127\./.test(host) || host === '0:0:0:0:0:0:0:1';
}

function readLog(file: string): Destination[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Destination);
}

function histoRecorded(args: string[], log: string): Record<string, any> {
  const r = spawnSync(process.execPath, ['--require', recorder, histoBin, ...args, '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, HISTO_NETWORK_LOG: log },
    timeout: 120_000,
  });
  expect(r.status, `histo ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout || 'null') as Record<string, any>;
}

describe('the app never talks to the network', () => {
  it('the recorder really sees connections (self-test)', () => {
    const log = path.join(dir, 'self.jsonl');
    const script = `
      const net = require('node:net'); const http = require('node:http'); const dns = require('node:dns');
      const server = http.createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', () => {
        const port = server.address().port;
        http.get('http://127.0.0.1:' + port + '/', (res) => { res.resume(); res.on('end', () => {
          const s = net.connect(port, '127.0.0.1', () => { s.destroy();
            dns.lookup('localhost', () => { fetch('http://localhost:' + port + '/').then((r) => r.text()).then(() => server.close()); });
          });
        }); });
      });`;
    const r = spawnSync(process.execPath, ['--require', recorder, '-e', script], { encoding: 'utf8', env: { ...process.env, HISTO_NETWORK_LOG: log }, timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const seen = readLog(log);
    const apis = new Set(seen.map((d) => d.api));
    for (const api of ['http.get', 'net.Socket.connect', 'net.connect', 'dns.lookup', 'fetch']) expect(apis, JSON.stringify(seen)).toContain(api);
    expect(seen.some((d) => d.api === 'net.Socket.connect' && d.host === '127.0.0.1')).toBe(true);
    // The classifier: loopback passes, anything else fails.
    expect(['127.0.0.1', '127.3.2.1', '::1', '[::1]', 'localhost'].every((host) => isLoopback({ api: 'x', host }))).toBe(true);
    expect(['10.0.0.1', '192.168.1.2', 'example.org', '8.8.8.8', '::', '0.0.0.0', '128.0.0.1'].some((host) => isLoopback({ api: 'x', host }))).toBe(false);
  });

  it('the whole CLI flow (import, embed, label, train, compare, predict, export) makes no outside connection', async () => {
    const log = path.join(dir, 'cli.jsonl');
    const project = path.join(dir, 'p.histo');
    const slide = await writeTwoRegionSlide(path.join(dir, 'two-regions.tif'));
    const slide2 = await writeTestSlide(dir, 'pattern.tif');
    histoRecorded(['project', 'create', project], log);
    histoRecorded(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 8, dir }), '--project', project, '--name', 'lin'], log);
    histoRecorded(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 8, seed: 5, dir, fileName: 'lin2.onnx' }), '--project', project, '--name', 'lin2'], log);
    histoRecorded(['slide', 'info', slide], log);
    histoRecorded(['embed', slide, slide2, '--project', project, '--backbone', 'lin', '--size', '32', '--mpp', '0.5', '--min-tissue', '0'], log);
    histoRecorded(['embed', slide, slide2, '--project', project, '--backbone', 'lin2', '--size', '32', '--mpp', '0.5', '--min-tissue', '0'], log);
    histoRecorded(['task', 'create', 'tumour', '--classes', 'stroma,tumour', '--project', project], log);
    const rows = ['source,x,y,label', ...[0, 64, 128, 192].map((x) => `${slide},${x},0,tumour`), ...[320, 384, 448, 288].map((x) => `${slide},${x},0,stroma`), ...[0, 64, 128].map((x) => `${slide},${x},96,tumour`), ...[352, 416, 448].map((x) => `${slide},${x},96,stroma`), ...[0, 64, 128].map((x) => `${slide2},${x},0,stroma`), ...[320, 384, 448].map((x) => `${slide2},${x},320,tumour`)];
    fs.writeFileSync(path.join(dir, 'labels.csv'), rows.join('\n'));
    histoRecorded(['labels', 'import', path.join(dir, 'labels.csv'), '--project', project, '--task', 'tumour'], log);
    const head = histoRecorded(['train', '--project', project, '--task', 'tumour', '--backbone', 'lin', '--head', 'logreg', '--cv', '2', '--group', 'none'], log);
    histoRecorded(['compare', '--project', project, '--task', 'tumour', '--backbones', 'lin,lin2', '--cv', '2', '--no-speed'], log);
    histoRecorded(['predict', '--project', project, '--head', String(head.headId), slide, '--csv', path.join(dir, 't.csv'), '--geojson', path.join(dir, 't.geojson'), '--report', path.join(dir, 'reports')], log);
    histoRecorded(['embeddings', 'export', '--project', project, '--backbone', 'lin', '--out', path.join(dir, 'e.npy')], log);
    histoRecorded(['head', 'export', String(head.headId), '--project', project, '--out', path.join(dir, 'head.onnx')], log);
    const seen = readLog(log);
    const outside = seen.filter((d) => !isLoopback(d));
    console.log(`offline (CLI): 14 commands, ${seen.length} network calls recorded, ${outside.length} not loopback`);
    expect(outside).toEqual([]);
  }, 240_000);

  it('histo demo builds the demo study offline (bundled slide, backbone and labels)', () => {
    const log = path.join(dir, 'demo.jsonl');
    const demo = histoRecorded(['demo', '--out', path.join(dir, 'demo')], log);
    expect(demo).toMatchObject({ reused: false, task: 'demo-skin-layers' });
    expect(readLog(log).filter((d) => !isLoopback(d))).toEqual([]);
  }, 180_000);

  it.skipIf(!findBrowser())('histo serve and the renderer in Chromium only talk to loopback', async () => {
    const log = path.join(dir, 'serve.jsonl');
    const project = path.join(dir, 'serve.histo');
    spawnSync(process.execPath, [histoBin, 'project', 'create', project], { cwd: repoRoot });
    const server = spawn(process.execPath, ['--require', recorder, histoBin, 'serve', '--port', '0', '--json', '--project', project], {
      cwd: repoRoot,
      env: { ...process.env, HISTO_NETWORK_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const browser = await chromium.launch(browserLaunchOptions(findBrowser()!));
    try {
      const info = await new Promise<{ url: string }>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { url: string });
        });
        server.once('exit', (code) => reject(new Error(`histo serve exited ${code}`)));
      });
      const context = await browser.newContext();
      const requested: string[] = [];
      await context.route('**/*', (route) => {
        requested.push(route.request().url());
        return route.continue();
      });
      const page = await context.newPage();
      page.on('request', (request) => requested.push(request.url()));
      page.on('websocket', (ws) => requested.push(ws.url()));
      await page.goto(info.url);
      await page.waitForLoadState('networkidle');
      for (const route of ['#/slides', '#/training', '#/compare', '#/backbones', '#/about']) {
        await page.goto(new URL(route, info.url).toString());
        await page.waitForLoadState('networkidle');
      }
      const hosts = requested.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:')).map((u) => ({ api: 'chromium', host: new URL(u).hostname, url: u }));
      const outsidePage = hosts.filter((d) => !isLoopback(d));
      const seen = readLog(log);
      const outsideServer = seen.filter((d) => !isLoopback(d));
      console.log(`offline (serve + Chromium): ${requested.length} page requests, ${seen.length} server network calls; ${outsidePage.length + outsideServer.length} not loopback`);
      expect(requested.length).toBeGreaterThan(0);
      expect(outsidePage).toEqual([]);
      expect(outsideServer).toEqual([]);
    } finally {
      await browser.close();
      server.kill('SIGTERM');
    }
  }, 120_000);
});
