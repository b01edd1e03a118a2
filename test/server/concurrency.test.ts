import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHisto, serveHisto } from '../helpers/run-cli';
import { linearEmbedder } from '../helpers/onnx-models';
import { writeNoisyPatchDataset, writeTestSlide } from '../helpers/embedding-fixtures';
import { useTempDir } from '../helpers/temp-dir';

const tempDir = useTempDir();

describe('extraction and training at once on one project', () => {
  it('both finish, the database stays consistent, and the server keeps answering', async () => {
    const dir = tempDir();
    const project = path.join(dir, 'p.histo');
    const ok = (args: string[]) => {
      const result = runHisto(args);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout;
    };
    ok(['project', 'create', project]);
    ok(['backbone', 'import', linearEmbedder({ inputSize: 32, dim: 16, seed: 2, dir }), '--project', project, '--name', 'lin']);
    const patches = await writeNoisyPatchDataset(dir, { a: [200, 110, 160], b: [150, 70, 170], c: [230, 170, 150] }, 60);
    ok(['dataset', 'import-folder', patches, '--project', project, '--task', 'proxy', '--backbone', 'lin']);
    const slide = await writeTestSlide(dir, 'big.tif', { width: 2048, height: 1536 });

    const server = await serveHisto(['--project', project]);
    try {
      const call = async (method: string, body: unknown) => {
        const response = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Histo-Token': server.token },
          body: JSON.stringify(body),
        });
        return (await response.json()) as { ok: boolean; result: any; error?: { message: string } };
      };
      const embed = await call('embed.start', { paths: [slide], backbone: 'lin', level: 0, minTissue: 0, batchSize: 8 });
      const train = await call('train.start', { task: 'proxy', backbone: 'lin', kind: 'logreg', folds: 5, search: true });
      expect(embed.ok && train.ok).toBe(true);

      const latencies: number[] = [];
      const outcome = async (jobId: string) => {
        for (;;) {
          const started = performance.now();
          const result = await call('job.result', { jobId });
          latencies.push(performance.now() - started);
          if (result.result && result.result.state !== 'running') return result.result;
          await new Promise((r) => setTimeout(r, 25));
        }
      };
      const [embedded, trained] = await Promise.all([outcome(embed.result.jobId), outcome(train.result.jobId)]);
      expect(embedded).toMatchObject({ state: 'done', error: null, result: { embedded: 64 * 48 } });
      expect(trained).toMatchObject({ state: 'done', error: null, result: { headId: expect.any(Number) } });
      latencies.sort((a, b) => a - b);
      // The server answered throughout: no call waited behind the heavy work.
      expect(latencies.length).toBeGreaterThan(5);
      expect(latencies[Math.floor(latencies.length * 0.95)]).toBeLessThan(1000);
    } finally {
      await server.stop();
    }
    const integrity = runHisto(['project', 'info', project, '--json']);
    expect(JSON.parse(integrity.stdout)).toMatchObject({ counts: { heads: 1 } });
    expect(fs.existsSync(project)).toBe(true);
  });
});
