import { HistoError } from '../errors';

/** A BAD_INPUT error whose message starts with the file path, as every slide error does. */
export function badSlide(path: string, problem: string, cause?: unknown): HistoError {
  return new HistoError('BAD_INPUT', `${path}: ${problem}`, cause === undefined ? undefined : { cause });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
