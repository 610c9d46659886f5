// ESLint (flat config): JavaScript's recommended rules and typescript-eslint's, for every TS and JS
// file of the repository (`npm run lint`). Formatting is Prettier's (`npm run format`), not ESLint's.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['**/node_modules/', 'dist/', 'dist-check/', 'coverage/', 'compat-tests/oap/target/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `let { a, b } = ...` where only `a` is reassigned later stays one declaration
      'prefer-const': ['error', { destructuring: 'all' }],
      // `_` marks a parameter or binding kept for its position (a callback's signature)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // plain Node scripts: CommonJS, where require() is the import
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // the web UI runs in the browser, as a classic script
    files: ['ui/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
);
