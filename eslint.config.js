// Lint, with the runtime boundaries of DESIGN §8 as rules (STYLE rule 6):
// renderer code imports only shared, media and its own folder; host, session
// and devices never import electron or React; only src/main and src/preload
// import electron. tests/unit/lint-boundaries.test.ts proves each rule fires.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electron = { name: 'electron', message: 'Only src/main and src/preload may import electron (DESIGN §8).' };
const reactPkgs = ['react', 'react-dom', 'react-dom/client', '@xstate/react'].map((name) => ({
  name, message: 'host, session and devices never import React (DESIGN §8).',
}));
const noHostFromRenderer = {
  group: ['**/host/**', '**/hub/**', '**/node/**', '**/main/**', '**/preload/**', '**/session/**', '**/devices/**', 'node:*', 'better-sqlite3', 'serialport', 'node-hid', 'mediasoup', 'pino', 'ws'],
  message: 'Renderer code imports only src/shared, src/media and its own folder (DESIGN §8).',
};

export const boundaryRules = {
  renderer: { 'no-restricted-imports': ['error', { paths: [electron], patterns: [noHostFromRenderer] }] },
  nodeSide: { 'no-restricted-imports': ['error', { paths: [electron, ...reactPkgs] }] },
  shell: { 'no-restricted-imports': ['error', { paths: reactPkgs }] },
  other: { 'no-restricted-imports': ['error', { paths: [electron] }] },
};

export default tseslint.config(
  { ignores: ['.cache/**', 'dist/**', 'node_modules/**', 'tests/fixtures/**', 'bench/results/**', '.cabine/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  { files: ['**/*.ts', '**/*.tsx', '**/*.mjs', '**/*.js'], rules: boundaryRules.other },
  { files: ['src/host/**', 'src/session/**', 'devices/**', 'src/hub/**', 'src/shared/**', 'src/node/**'], rules: boundaryRules.nodeSide },
  { files: ['src/main/**', 'src/preload/**'], rules: boundaryRules.shell },
  { files: ['src/renderer/**', 'src/media/**'], ignores: ['src/renderer/*/vite.config.ts'], languageOptions: { globals: { ...globals.browser } }, rules: boundaryRules.renderer },
  { files: ['src/renderer/**', 'scripts/**', 'bench/**', 'tests/**', 'src/**/main.ts'], rules: { 'no-console': 'off' } },
);
