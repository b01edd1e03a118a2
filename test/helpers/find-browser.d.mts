/** See find-browser.mjs. */
export function findBrowser(env?: NodeJS.ProcessEnv): string | null;
export function browserLaunchOptions(executablePath: string): { executablePath: string; args: string[] };
export const browserSkipMessage: string;
