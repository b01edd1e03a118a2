import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { browserLaunchOptions, browserSkipMessage, findBrowser } from '../helpers/find-browser.mjs';
import { repoRoot, runHisto, serveHisto, type ServedHisto } from '../helpers/run-cli';

/**
 * What every browser test shares: a work folder, `histo serve` on a project, headless Chromium,
 * and pages that record console errors, failed requests and CSP violations for the final asserts.
 */
export const resultsDir = path.join(repoRoot, 'test-results');

/** A fresh folder under the system temp dir for one test file; remove it with `removeWorkDir`. */
export function makeWorkDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `histo-e2e-${name}-`));
}

export function removeWorkDir(workDir: string | undefined): void {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
}

/** Runs the built CLI for fixture set-up and fails with its stderr when it does not exit 0. */
export function cli(args: string[]): void {
  const result = runHisto(args);
  if (result.code !== 0) throw new Error(`histo ${args.join(' ')} failed: ${result.stderr}`);
}

export interface BrowserSession {
  server: ServedHisto;
  browser: Browser;
  close(): Promise<void>;
}

/** Calls the contract on a session's server, as the renderer does; the result, or undefined when the call failed. */
export async function callApi<T>(session: BrowserSession, method: string, body: unknown): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${session.server.port}/api/call/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Histo-Token': session.server.token },
    body: JSON.stringify(body),
  });
  return ((await response.json()) as { result: T }).result;
}

/** `histo serve --project <file>` and a headless Chromium to point at it. */
export async function startBrowserSession(projectFile: string): Promise<BrowserSession> {
  const server = await serveHisto(['--project', projectFile]);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.stop();
    throw error;
  }
  fs.mkdirSync(resultsDir, { recursive: true });
  return {
    server,
    browser,
    close: async () => {
      await browser.close();
      await server.stop();
    },
  };
}

/** Headless Chromium, Chrome or Edge (test/helpers/find-browser.ts says which one). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findBrowser();
  if (!executablePath) throw new Error(browserSkipMessage);
  return chromium.launch(browserLaunchOptions(executablePath));
}

// Runs in the page before any of its scripts; init scripts are injected by the browser, not subject to CSP.
const recordCspViolations = `
  globalThis.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    globalThis.__cspViolations.push(event.violatedDirective + ' blocked ' + event.blockedURI + ' at ' + event.sourceFile + ':' + event.lineNumber + ':' + event.columnNumber + ' ' + location.hash);
  });
`;

export interface ProblemRules {
  /** Also report console messages of any level that mention the Content Security Policy. */
  cspMessages?: boolean;
  /**
   * Skip Chromium's "Failed to load resource" console errors, for tests that provoke refusals on
   * purpose (the response rule reports the unexpected ones with their URL).
   */
  skipFailedLoads?: boolean;
  /** Which responses are problems; none when left out. */
  badResponse?: (response: Response) => boolean;
}

/** Responses with an error status, except those whose URL matches the refusals the test provokes. */
export function httpErrorsExcept(expectedRefusals?: RegExp): (response: Response) => boolean {
  return (response) => response.status() >= 400 && !expectedRefusals?.test(response.url());
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors, failed requests and bad responses, by the rules given. */
  problems: string[];
  /** The CSP violations the page reported through `securitypolicyviolation` events. */
  cspViolations(): Promise<string[]>;
}

/** A new context and page of the given size, recording its problems and CSP violations. */
export async function openWatchedPage(browser: Browser, viewport: { width: number; height: number }, rules: ProblemRules = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(recordCspViolations);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (rules.cspMessages && /Content[- ]Security[- ]Policy/i.test(text)) problems.push(`console ${message.type()}: ${text}`);
    else if (message.type() === 'error' && !(rules.skipFailedLoads && text.startsWith('Failed to load resource'))) problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText;
    // An image the page dropped before it loaded (a gallery re-sorted, a viewer panned) is cancelled
    // by the browser, not failed by the server: server failures arrive as HTTP statuses.
    if (reason === 'net::ERR_ABORTED' && request.resourceType() === 'image') return;
    problems.push(`request failed: ${request.url()} (${reason})`);
  });
  const { badResponse } = rules;
  if (badResponse) {
    page.on('response', (response) => {
      if (badResponse(response)) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  }
  return {
    context,
    page,
    problems,
    cspViolations: () => page.evaluate('globalThis.__cspViolations') as Promise<string[]>,
  };
}

/** Opaque pixels drawn on the first canvas under a test id: 0 for a chart that never drew. */
export function paintedPixels(page: Page, testId: string): Promise<number> {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"] canvas`) as HTMLCanvasElement | null;
    if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return painted;
  }, testId);
}
