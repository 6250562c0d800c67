/**
 * databaseKey is the database key `provider/namespace/kind/name` (the Kafka message key of every
 * database topic). Inputs are already validated by the converter.
 */
export function databaseKey(provider: string, namespace: string, kind: string, name: string): string {
  return `${provider}/${namespace}/${kind}/${name}`;
}
