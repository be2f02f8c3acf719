import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import boundaries from the design: the renderer never reaches into main (only the contract),
// and only main/electron imports `electron` (plus the preload, which is Electron's by nature).
const noElectron = { name: 'electron', message: 'Only main/electron/ and preload/index.ts may import electron.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'tests/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [noElectron] }],
    },
  },
  {
    files: ['main/electron/**', 'preload/index.ts', 'scripts/**', 'tests/e2e/electron/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['**/main/**', '**/native/**'], message: 'The renderer talks to main only through preload/contract.ts.' },
            { group: ['node:*'], message: 'The renderer runs in a browser sandbox: no Node built-ins.' },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js', 'bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
