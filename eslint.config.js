// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.stack/**', '.turbo/**', 'stack/java/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      // Logs go through pino: console output is unstructured and bypasses redaction.
      'no-console': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Command-line tools and tests talk to a human on stdout.
    files: ['stack/src/cli.ts', 'scripts/**', 'test/**', '**/*.test.ts', '**/cli/**', '**/bin/**'],
    rules: { 'no-console': 'off' },
  },
);
