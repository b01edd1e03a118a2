import type { ParseArgsConfig } from 'node:util';
import type { HistoCore } from '../core/histo-core';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  /** Option values after parsing (strings and booleans, per the command's option spec). */
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
  json: boolean;
  verbose: boolean;
  /** The core, created on first use so `--help` and usage errors never touch native modules. */
  core(): HistoCore;
  /** Machine output: stdout, one JSON document when --json. */
  out(text: string): void;
  /** Human messages and progress: stderr. */
  err(text: string): void;
}

export interface CliCommand {
  /** The words that name it: ['project', 'create']. */
  path: string[];
  summary: string;
  /** Argument synopsis after the command words, e.g. 'FILE [--json]'. */
  usage: string;
  options?: OptionSpec;
  /** Exactly this many positionals, or a [min, max] range. */
  positionals?: number | [number, number];
  run(ctx: CommandContext): Promise<number | void>;
}
