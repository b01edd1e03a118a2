import { badSlide } from '../slide-error';

/** Largest Slidedat.ini we read (real ones are tens of kilobytes). */
export const MAX_SLIDEDAT_BYTES = 1 << 20;

/** A parsed INI file: groups of key = value, names as written. */
export type IniGroups = Map<string, Map<string, string>>;

/**
 * Parses Slidedat.ini (a Windows INI file, often with a UTF-8 byte-order mark): `[GROUP]` lines
 * open a group, `KEY = VALUE` lines fill it, `;` and `#` lines are comments. Linear in its input.
 */
export function parseIni(text: string): IniGroups {
  const groups: IniGroups = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      const name = line.slice(1, -1).trim();
      current = groups.get(name) ?? new Map();
      groups.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0 && current) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return groups;
}

/** Typed, path-naming access to Slidedat.ini: every missing or malformed value is a one-line error. */
export class Slidedat {
  constructor(
    readonly path: string,
    private readonly groups: IniGroups,
  ) {}

  has(group: string, key?: string): boolean {
    const g = this.groups.get(group);
    return key === undefined ? g !== undefined : g?.has(key) === true;
  }

  string(group: string, key: string): string {
    const value = this.groups.get(group)?.get(key);
    if (value === undefined) throw badSlide(this.path, `Slidedat.ini has no ${key} in [${group}]`);
    return value;
  }

  /** An integer in [min, max]. */
  int(group: string, key: string, min: number, max: number, fallback?: number): number {
    if (fallback !== undefined && !this.has(group, key)) return fallback;
    const text = this.string(group, key);
    const value = Number(text);
    if (text === '' || !Number.isInteger(value) || value < min || value > max) throw badSlide(this.path, `Slidedat.ini [${group}] ${key} is ${text}, not a whole number from ${min} to ${max}`);
    return value;
  }

  number(group: string, key: string): number {
    const text = this.string(group, key);
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) throw badSlide(this.path, `Slidedat.ini [${group}] ${key} is ${text}, not a number`);
    return value;
  }
}
