import path from 'node:path';
import { repoRoot } from '../helpers/run-cli';

/** The two screens every layout must hold on (issue #14): a small laptop and a common desktop. */
export const screenSizes = [
  { width: 1280, height: 800 },
  { width: 1600, height: 1000 },
];

/** Where browser tests leave screenshots of each view, for people to look at. */
export const screenshotsDir = path.join(repoRoot, 'test-artifacts', 'screenshots');
