// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.stack/**', '.stack-*/**', '.turbo/**', 'stack/java/**'] },
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
    // kafkajs stays behind the Kafka port in shared/src/kafka (issue 2): services, scripts and tests
    // use @driftline/shared/kafka, so replacing kafkajs (no release since 2023) is one module.
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'kafkajs',
              message:
                'Import the Kafka port from @driftline/shared/kafka (KafkaClient, createConsumerRunner, createCompactedReader, ...): only shared/src/kafka may use kafkajs, so a client switch is one module.',
            },
          ],
        },
      ],
    },
  },
  {
    // The allowed kafkajs users: the port itself; the local stack, which probes its broker with a
    // bare client; and the kafkajs compatibility test with its helper, which test kafkajs itself.
    files: [
      'shared/src/kafka/**',
      'stack/src/**',
      'test/kafka-compat.int.test.ts',
      'test/support/collect-messages.ts',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Command-line tools and tests talk to a human on stdout.
    files: ['stack/src/cli.ts', 'scripts/**', 'test/**', '**/*.test.ts', '**/cli/**', '**/bin/**'],
    rules: { 'no-console': 'off' },
  },
);
