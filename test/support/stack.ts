import { inject } from 'vitest';

/**
 * StackEndpoints is what an integration test connects to: the local stack started by
 * test/global-setup.ts, or the services KAFKA_BROKERS / SCHEMA_REGISTRY_URL / MONGO_URL name.
 */
export interface StackEndpoints {
  readonly kafkaBrokers: string[];
  readonly schemaRegistryUrl: string;
  readonly mongoUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
  }
}

/**
 * stackEndpoints returns the endpoints the global setup provided. Throws when called outside the
 * `integration` project (no global setup ran), so a misconfigured test fails instead of silently
 * talking to whatever listens on the default ports.
 */
export function stackEndpoints(): StackEndpoints {
  const endpoints = inject('stack');
  if (!endpoints) {
    throw new Error(
      'stackEndpoints(): no stack was provided — run integration tests with `vitest run --project integration`',
    );
  }
  return endpoints;
}
