import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { fileKindOf } from '../../src-shared/domain/file-kinds';
import { HistoError } from '../core/errors';
import { diskFullError, isDiskFull } from '../core/project/disk-full';

/**
 * A file dropped on the page in browser mode has no path the core could read, so the page sends
 * its bytes here, in chunks small enough for the server's request timeout, into a folder beside
 * the open project (`<project>-dropped/`); the finished file is then imported like any other.
 */
export const UPLOAD_PATH = '/api/upload';
export const uploadLimits = { maxChunkBytes: 8 * 1024 * 1024, maxFileBytes: 64 * 1024 ** 3, abandonedAfterMs: 24 * 3600 * 1000 };

/** Parts of uploads a closed page never finished: removed when a new upload starts, a day later. */
function removeAbandonedParts(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const cutoff = Date.now() - uploadLimits.abandonedAfterMs;
  for (const name of names.filter((n) => /^\.[0-9a-f]{24}\.part$/.test(n))) {
    const part = path.join(dir, name);
    try {
      if (fs.statSync(part).mtimeMs < cutoff) fs.rmSync(part, { force: true });
    } catch {
      /* gone meanwhile */
    }
  }
}

/** The folder beside the project that holds what was dropped on the browser page. */
export function droppedFilesDir(projectPath: string): string {
  return path.join(path.dirname(projectPath), `${path.basename(projectPath, path.extname(projectPath))}-dropped`);
}

/** A plain file name the app can import, or a reason it is refused. */
export function checkUploadName(name: string | null): string {
  if (!name || name.length > 200 || /[\\/\0]/.test(name) || name.startsWith('.')) throw new HistoError('BAD_INPUT', `upload: "${String(name).slice(0, 200)}" is not a plain file name`);
  if (fileKindOf(name) === null) throw new HistoError('BAD_INPUT', `${name}: not a slide, backbone or label file, so it cannot be imported`);
  return name;
}

/** `name`, or `stem (2).ext`, … : a drop never overwrites a file already there. */
function freeName(dir: string, name: string): string {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, n === 1 ? name : `${stem} (${n})${ext}`);
    if (!fs.existsSync(candidate)) return candidate;
  }
}

function readChunk(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > uploadLimits.maxChunkBytes) {
        req.pause();
        reject(new HistoError('VALIDATION', `upload chunk larger than ${uploadLimits.maxChunkBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface UploadAnswer {
  /** Names the upload in later chunks. */
  upload: string;
  /** Bytes stored so far. */
  received: number;
  /** The finished file's path, once the last chunk arrived. */
  path: string | null;
}

/**
 * One chunk: `?name=` and `&offset=0` start an upload; later chunks give `upload` and the offset
 * they continue at (a lost or repeated chunk is refused, never spliced); `&last=1` finishes it.
 */
export async function receiveUploadChunk(req: IncomingMessage, url: URL, projectPath: string): Promise<UploadAnswer> {
  const name = checkUploadName(url.searchParams.get('name'));
  const offset = Number(url.searchParams.get('offset'));
  if (!Number.isSafeInteger(offset) || offset < 0) throw new HistoError('VALIDATION', 'upload: offset must be a whole number of bytes');
  const dir = droppedFilesDir(projectPath);
  let upload = url.searchParams.get('upload') ?? '';
  if (offset === 0) {
    upload = crypto.randomBytes(12).toString('hex');
    removeAbandonedParts(dir);
  }
  else if (!/^[0-9a-f]{24}$/.test(upload)) throw new HistoError('VALIDATION', 'upload: unknown upload id');
  const part = path.join(dir, `.${upload}.part`);
  const chunk = await readChunk(req);
  try {
    fs.mkdirSync(dir, { recursive: true });
    const stored = offset === 0 ? 0 : fs.existsSync(part) ? fs.statSync(part).size : -1;
    if (stored !== offset) throw new HistoError('VALIDATION', `upload of ${name}: chunk at byte ${offset} does not continue the ${Math.max(stored, 0)} bytes received`);
    if (offset + chunk.length > uploadLimits.maxFileBytes) throw new HistoError('VALIDATION', `${name}: larger than ${uploadLimits.maxFileBytes} bytes`);
    fs.writeFileSync(part, chunk, { flag: offset === 0 ? 'w' : 'a' });
    if (url.searchParams.get('last') !== '1') return { upload, received: offset + chunk.length, path: null };
    const target = freeName(dir, name);
    fs.renameSync(part, target);
    return { upload, received: offset + chunk.length, path: target };
  } catch (err) {
    if (isDiskFull(err)) {
      fs.rmSync(part, { force: true });
      throw diskFullError(`nothing of ${name} was kept`, err);
    }
    throw err;
  }
}
