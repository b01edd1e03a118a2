#!/usr/bin/env node
// The `histo` command: the built CLI bundle (run `npm run build` first).
require('../dist/cli/histo.cjs');
