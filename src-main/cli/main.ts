import { runCli } from './run-cli';

// Set the exit code rather than calling process.exit, so stdout is flushed when piped.
void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
