import v8 from 'node:v8';
import { batchGcFlags } from './batch-gc';

// Set before the rest of the CLI is loaded (the import below), so no marking cycle is under way
// when the collector's flags change.
for (const flag of batchGcFlags(process.argv.slice(2))) v8.setFlagsFromString(flag);

// Set the exit code rather than calling process.exit, so stdout is flushed when piped.
void import('./run-cli')
  .then(({ runCli }) => runCli(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  });
