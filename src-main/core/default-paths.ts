import os from 'node:os';
import path from 'node:path';

/** The folder that holds the user's projects unless told otherwise (HISTO_HOME overrides it). */
export function histoHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.HISTO_HOME && env.HISTO_HOME.length > 0 ? path.resolve(env.HISTO_HOME) : path.join(os.homedir(), 'HistoWorkstation');
}

export function defaultProjectPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(histoHome(env), 'default.histo');
}
