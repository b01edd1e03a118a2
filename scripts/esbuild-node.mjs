// The esbuild options every Node bundle of the app shares (scripts/build.mjs, run-ts.mjs,
// build-default-backbone.mjs): one CommonJS file for Node 20, node_modules left external.
export const nodeBundle = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Native modules and their JS wrappers stay in node_modules, loaded at run time.
  packages: 'external',
  // The sources use import.meta.url only as a fallback when __filename is absent.
  logOverride: { 'empty-import-meta': 'silent' },
};
