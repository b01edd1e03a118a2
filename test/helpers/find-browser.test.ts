import { describe, expect, it } from 'vitest';
import { browserLaunchOptions, findBrowser } from './find-browser.mjs';

describe('findBrowser', () => {
  it('takes HISTO_CHROMIUM as given, and refuses a path that does not exist instead of skipping', () => {
    expect(findBrowser({ HISTO_CHROMIUM: process.execPath })).toBe(process.execPath);
    expect(() => findBrowser({ HISTO_CHROMIUM: '/nowhere/chrome' })).toThrow('HISTO_CHROMIUM=/nowhere/chrome: no such file');
  });

  it('launches headless and without background networking', () => {
    expect(browserLaunchOptions('/x/chrome')).toEqual({ executablePath: '/x/chrome', args: expect.arrayContaining(['--headless', '--disable-background-networking']) });
  });
});
