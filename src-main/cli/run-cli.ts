import { parseArgs } from 'node:util';
import { appVersion } from '../core/app-version';
import { HistoError, serializeError } from '../core/errors';
import { HistoCore } from '../core/histo-core';
import type { CliCommand, CommandContext } from './command';
import { exitCodes, UsageError } from './cli-errors';
import { commands } from './commands';

const globalFlags = new Set(['--help', '-h', '--version', '-V', '--verbose', '--json']);
const globalOptions = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => {
    process.stdout.write(text + '\n');
  },
  err: (text) => {
    process.stderr.write(text + '\n');
  },
};

function commandLine(command: CliCommand): string {
  return `histo ${command.path.join(' ')} ${command.usage}`.trim();
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return [
    `histo ${appVersion}: Histo Workstation from the command line (slides -> embeddings -> heads).`,
    '',
    'Usage: histo <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Global options: --json (machine output on stdout), --verbose (stack traces), --help, --version',
    'Exit codes: 0 success, 1 runtime error, 2 usage error.',
  ].join('\n');
}

/** Finds the command named by the leading words of argv (global flags may precede them). */
function findCommand(argv: string[]): { command?: CliCommand; rest: string[]; words: string[] } {
  const leading: string[] = [];
  const rest = [...argv];
  const words: string[] = [];
  while (rest.length && globalFlags.has(rest[0]!)) leading.push(rest.shift()!);
  while (rest.length && !rest[0]!.startsWith('-')) {
    const candidate = [...words, rest[0]!];
    if (!commands.some((c) => candidate.every((w, i) => c.path[i] === w))) break;
    words.push(rest.shift()!);
  }
  const command = commands.find((c) => c.path.length === words.length && c.path.every((w, i) => w === words[i]));
  return { command, rest: [...leading, ...rest], words };
}

function checkPositionals(command: CliCommand, positionals: string[]): void {
  const expected = command.positionals ?? 0;
  const [min, max] = typeof expected === 'number' ? [expected, expected] : expected;
  if (positionals.length < min) throw new UsageError(`${command.path.join(' ')}: missing argument (usage: ${commandLine(command)})`);
  if (positionals.length > max) throw new UsageError(`${command.path.join(' ')}: unexpected argument '${positionals[max]}'`);
}

/** Runs one `histo` invocation and returns its exit code; never throws. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  let verbose = argv.includes('--verbose');
  let core: HistoCore | undefined;
  try {
    if (argv.length === 0) {
      io.err(overview());
      return exitCodes.usage;
    }
    const { command, rest, words } = findCommand(argv);
    if (!command) {
      if (rest.includes('--version') || rest.includes('-V')) {
        io.out(appVersion);
        return exitCodes.ok;
      }
      if (rest.includes('--help') || rest.includes('-h')) {
        const group = commands.filter((c) => words.every((w, i) => c.path[i] === w));
        io.out(words.length ? group.map((c) => `${commandLine(c)}\n    ${c.summary}`).join('\n') : overview());
        return exitCodes.ok;
      }
      const unknown = [...words, rest.find((t) => !t.startsWith('-')) ?? ''].join(' ').trim();
      throw new UsageError(unknown ? `unknown command: ${unknown}` : 'no command given');
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...globalOptions, ...command.options }, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError(`${command.path.join(' ')}: ${(err as Error).message}`);
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    verbose = values.verbose === true;
    if (values.help) {
      io.out(`${commandLine(command)}\n\n${command.summary}`);
      return exitCodes.ok;
    }
    checkPositionals(command, parsed.positionals);
    const ctx: CommandContext = {
      options: values,
      positionals: parsed.positionals,
      json: values.json === true,
      verbose,
      core: () => (core ??= new HistoCore()),
      out: io.out,
      err: io.err,
    };
    const code = await command.run(ctx);
    return typeof code === 'number' ? code : exitCodes.ok;
  } catch (err) {
    if (err instanceof UsageError || (err instanceof HistoError && err.code === 'VALIDATION')) {
      io.err(`histo: ${err instanceof HistoError ? (err.cli ?? err.message) : err.message}\nRun 'histo --help' for usage.`);
      return exitCodes.usage;
    }
    // serializeError explains known failures that are not ours (a busy project) in a user's words.
    const { code, message: appMessage, cli } = serializeError(err);
    const message = cli ?? appMessage;
    io.err(`histo: ${code !== 'INTERNAL' || err instanceof HistoError ? message : `internal error: ${message}`}`);
    if (verbose && err instanceof Error && err.stack) io.err(err.stack);
    return exitCodes.runtime;
  } finally {
    core?.close();
  }
}
