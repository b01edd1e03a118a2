// Lint rules, including the layering of docs/ARCHITECTURE.md: src-shared is the common
// ground (no electron, node or vue), src-main and src-renderer never import each other, and only
// the Electron shell may import electron. Handlers are reached only through the core entry
// (src-main/core/histo-core.ts builds them via handlers/index.ts), which keeps them out of import circles.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const restrict = (paths, patterns) => ['error', { paths, patterns }];
const coreEntry = 'src-main/core/histo-core.ts';
const handlersOnlyFromCoreEntry = {
  group: ['**/handlers', '**/handlers/*', 'handlers', 'handlers/*'],
  message: 'handlers are built by handlers/index.ts for histo-core.ts only: call the core through its dispatcher, and put shared lookups in a module of their own',
};
const mainRestrictions = [
  { group: ['**/src-renderer/**'], message: 'src-main never imports src-renderer' },
];
const mainPaths = [{ name: 'electron', message: 'only src-main/electron may import electron: the core runs under plain Node' }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'test-results/**', 'bench-results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    // Tests assert on parsed JSON of the documented CLI shapes; typing every level adds nothing.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src-shared/**'],
    rules: {
      'no-restricted-imports': restrict(
        [...nodeBuiltins, 'electron', 'vue', 'pinia', 'vue-router'].map((name) => ({ name, message: 'src-shared imports nothing from electron, node or vue' })),
        [{ group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared imports neither side' }],
      ),
    },
  },
  {
    files: ['src-main/**'],
    ignores: ['src-main/electron/**', coreEntry, 'src-main/core/handlers/**'],
    rules: { 'no-restricted-imports': restrict(mainPaths, [...mainRestrictions, handlersOnlyFromCoreEntry]) },
  },
  {
    files: [coreEntry, 'src-main/core/handlers/index.ts'],
    rules: { 'no-restricted-imports': restrict(mainPaths, mainRestrictions) },
  },
  {
    // A handler file imports no other handler file: what two need lives outside handlers/.
    files: ['src-main/core/handlers/**'],
    ignores: ['src-main/core/handlers/index.ts'],
    rules: {
      'no-restricted-imports': restrict(mainPaths, [...mainRestrictions, { group: ['./*'], message: 'a handler file imports no other handler file: move what they share out of handlers/ (e.g. to core/registry)' }]),
    },
  },
  {
    files: ['src-main/electron/**'],
    rules: { 'no-restricted-imports': restrict([], [...mainRestrictions, handlersOnlyFromCoreEntry]) },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-imports': restrict([], [handlersOnlyFromCoreEntry]) },
  },
  {
    files: ['src-renderer/**'],
    rules: {
      'no-restricted-imports': restrict(
        [...nodeBuiltins, 'electron'].map((name) => ({ name, message: 'the renderer runs sandboxed: no node or electron' })),
        [{ group: ['**/src-main/**'], message: 'src-renderer never imports src-main: use the contract in src-shared' }],
      ),
    },
  },
);
