import type { JobEvent } from '../../src-shared/contract';
import type { JobRegistry } from '../core/jobs/job-registry';

function clock(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** One line of progress: bar, count, rate, ETA and message. */
export function formatProgress(event: JobEvent, unit: string): string {
  const width = 24;
  if (event.total === null || event.total === 0) return `${event.message}`;
  const fraction = Math.min(1, event.done / event.total);
  const filled = Math.round(fraction * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  return `[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${event.done}/${event.total} ${unit}  ${event.rate.toFixed(1)}/s  ETA ${clock(event.etaSeconds)}  ${event.message}`;
}

/**
 * Shows a job's progress on stderr (never stdout, which carries --json output): a live bar on a
 * terminal, a line every few seconds in a log file.
 */
export function reportProgress(jobs: JobRegistry, unit: string, stream: NodeJS.WriteStream = process.stderr): () => void {
  const interactive = stream.isTTY === true;
  let lastLine = 0;
  let drewBar = false;
  const listener = (event: JobEvent) => {
    const line = formatProgress(event, unit);
    const finished = event.state !== 'running';
    if (interactive) {
      stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1).padEnd(Math.min(stream.columns ?? 120, 160) - 1)}`);
      drewBar = true;
      if (finished) {
        stream.write('\n');
        drewBar = false;
      }
    } else if (finished || Date.now() - lastLine > 5000) {
      stream.write(line + '\n');
      lastLine = Date.now();
    }
  };
  jobs.on('progress', listener);
  return () => {
    jobs.off('progress', listener);
    if (drewBar) stream.write('\n');
  };
}
