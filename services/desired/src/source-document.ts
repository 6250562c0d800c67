import { z } from 'zod';

/**
 * KIND_BY_ENGINE maps the platform's lower-case engine names to KubeDB kinds, so a `databases`
 * document may say `engine: 'postgres'` instead of `kind: 'Postgres'`.
 */
export const KIND_BY_ENGINE: Readonly<Record<string, string>> = {
  mongodb: 'MongoDB',
  postgres: 'Postgres',
  postgresql: 'Postgres',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  redis: 'Redis',
  elasticsearch: 'Elasticsearch',
  kafka: 'Kafka',
};

/** DEFAULT_PROVIDER_KINDS are the KubeDB kinds a provider document without `kinds` is watched for. */
export const DEFAULT_PROVIDER_KINDS: readonly string[] = ['MongoDB', 'Postgres', 'MySQL', 'MariaDB', 'Redis'];

/**
 * SOURCE_FIELD_RULES are the limits and patterns of the source documents' fields, shared by the
 * zod schemas below and the hand-written fast path for the common `databases` shape
 * (database-document-fast-path.ts), so the two can never disagree about a rule.
 */
export const SOURCE_FIELD_RULES = {
  // Provider ids and the parts of a database key must not contain '/', the key separator.
  providerId: { maxLength: 128, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/ },
  // Kubernetes namespace and KubeDB object name: RFC 1123 labels (KubeDB derives Service and
  // StatefulSet names from the name, and @driftline/shared/keys requires the same).
  label: { maxLength: 63, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/ },
  kind: { pattern: /^[A-Z][A-Za-z0-9]{0,62}$/ },
  version: { maxLength: 64 },
  replicas: { max: 1000 },
  // A quantity's text after trimming, as the reconciler parses it.
  quantity: { maxLength: 64, pattern: /^[+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+|[numkMGTPE]i?|Ki)?$/ },
} as const;

const providerId = z
  .string()
  .min(1)
  .max(SOURCE_FIELD_RULES.providerId.maxLength)
  .regex(SOURCE_FIELD_RULES.providerId.pattern, 'must be letters, digits, ".", "_" or "-"');
const namespace = z
  .string()
  .max(SOURCE_FIELD_RULES.label.maxLength)
  .regex(SOURCE_FIELD_RULES.label.pattern, 'must be an RFC 1123 label');
const objectName = namespace;
const kind = z.string().regex(SOURCE_FIELD_RULES.kind.pattern, 'must be a KubeDB kind such as MongoDB');
// Quantities stay raw strings (the reconciler normalises them); numbers written by the platform
// (`cpu: 0.5`) are accepted and kept as their decimal text.
const quantity = z
  .union([z.string().min(1).max(SOURCE_FIELD_RULES.quantity.maxLength), z.number().finite().nonnegative()])
  .transform((value) => (typeof value === 'number' ? String(value) : value.trim()))
  .pipe(z.string().regex(SOURCE_FIELD_RULES.quantity.pattern, 'is not a quantity'));
const resourcePair = z
  .object({ cpu: quantity.nullish(), memory: quantity.nullish() })
  .nullish()
  .transform((pair) => ({ cpu: pair?.cpu ?? null, memory: pair?.memory ?? null }));
const generation = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * databaseDocumentSchema is the expected shape of a document in the platform's `databases`
 * collection (see docs/contracts.md, "Source collections"). Unknown fields are ignored. Either
 * `kind` (KubeDB kind) or `engine` (see KIND_BY_ENGINE) names the database engine; `generation`,
 * when present, must grow on every write (it orders records downstream); `updatedAt` is the
 * platform's write time.
 */
export const databaseDocumentSchema = z
  .object({
    provider: providerId,
    namespace,
    kind: kind.optional(),
    engine: z.string().min(1).max(63).optional(),
    name: objectName,
    version: z.string().min(1).max(SOURCE_FIELD_RULES.version.maxLength),
    replicas: z.number().int().min(0).max(SOURCE_FIELD_RULES.replicas.max),
    storage: quantity.nullish(),
    resources: z
      .object({ requests: resourcePair, limits: resourcePair })
      .nullish()
      .transform((r) => r ?? { requests: { cpu: null, memory: null }, limits: { cpu: null, memory: null } }),
    halted: z.boolean().nullish(),
    generation: generation.nullish(),
    updatedAt: z.date().nullish(),
  })
  .transform((doc, ctx) => {
    const resolvedKind =
      doc.kind ?? (doc.engine === undefined ? undefined : KIND_BY_ENGINE[doc.engine.toLowerCase()]);
    if (resolvedKind === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [doc.engine === undefined ? 'kind' : 'engine'],
        message: doc.engine === undefined ? 'kind or engine is required' : 'unknown engine',
      });
      return z.NEVER;
    }
    return {
      provider: doc.provider,
      namespace: doc.namespace,
      kind: resolvedKind,
      name: doc.name,
      version: doc.version,
      replicas: doc.replicas,
      storage: doc.storage ?? null,
      resources: doc.resources,
      halted: doc.halted ?? false,
      generation: doc.generation ?? null,
      updatedAtMs: doc.updatedAt?.getTime() ?? null,
    };
  });

/** DatabaseDocument is a validated `databases` document, normalised (kind resolved, defaults applied). */
export type DatabaseDocument = z.output<typeof databaseDocumentSchema>;

/**
 * providerCredentialsSchema is the clear-text credentials a provider document may carry: a bearer
 * token, or a client certificate and key (PEM), optionally the cluster's CA bundle (PEM). They
 * leave this service only encrypted (see `@driftline/shared/credentials`).
 */
export const providerCredentialsSchema = z
  .object({
    token: z.string().min(1).max(16_384).optional(),
    clientCertificate: z.string().min(1).max(65_536).optional(),
    clientKey: z.string().min(1).max(65_536).optional(),
    caCertificate: z.string().min(1).max(65_536).optional(),
  })
  .refine((c) => c.token !== undefined || (c.clientCertificate !== undefined && c.clientKey !== undefined), {
    message: 'needs token, or clientCertificate and clientKey',
  });

/**
 * providerDocumentSchema is the expected shape of a document in the platform's `providers`
 * collection. The provider id is the document's string `_id` (or an explicit `id`); `server` must
 * be https unless `allowInsecureHttp`; a provider carries `credentials` (encrypted before
 * publishing), a `credentialsRef` (a Secret reference the watcher resolves), or both.
 */
export const providerDocumentSchema = z
  .object({
    _id: z.unknown(),
    id: providerId.optional(),
    displayName: z.string().max(256).nullish(),
    server: z.url({ protocol: /^https?$/ }),
    kinds: z.array(kind).max(32).nullish(),
    namespaces: z.array(namespace).max(1024).nullish(),
    allowInsecureHttp: z.boolean().nullish(),
    credentialsRef: z.string().min(1).max(512).nullish(),
    credentials: providerCredentialsSchema.nullish(),
    generation: generation.nullish(),
    updatedAt: z.date().nullish(),
  })
  .transform((doc, ctx) => {
    const id = doc.id ?? (typeof doc._id === 'string' ? doc._id : undefined);
    const idCheck = providerId.safeParse(id);
    if (!idCheck.success) {
      ctx.addIssue({
        code: 'custom',
        path: ['id'],
        message: 'provider id (string _id or id) is required and must be valid',
      });
      return z.NEVER;
    }
    const allowInsecureHttp = doc.allowInsecureHttp ?? false;
    if (!allowInsecureHttp && !doc.server.startsWith('https://')) {
      ctx.addIssue({ code: 'custom', path: ['server'], message: 'must be https unless allowInsecureHttp' });
      return z.NEVER;
    }
    if ((doc.credentials ?? null) === null && (doc.credentialsRef ?? null) === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['credentials'],
        message: 'credentials or credentialsRef is required',
      });
      return z.NEVER;
    }
    return {
      id: idCheck.data,
      displayName: doc.displayName ?? null,
      server: doc.server,
      kinds: doc.kinds ?? [...DEFAULT_PROVIDER_KINDS],
      namespaces: doc.namespaces ?? [],
      allowInsecureHttp,
      credentialsRef: doc.credentialsRef ?? null,
      credentials: doc.credentials ?? null,
      generation: doc.generation ?? null,
      updatedAtMs: doc.updatedAt?.getTime() ?? null,
    };
  });

/** ProviderDocument is a validated `providers` document; `credentials` is still clear text here. */
export type ProviderDocument = z.output<typeof providerDocumentSchema>;

/** ProviderCredentials is the clear-text credential bundle of a provider document. */
export type ProviderCredentials = z.output<typeof providerCredentialsSchema>;

/**
 * DocumentRejection says why a source document cannot be published: `invalid` (fails its
 * schema) or `oversize` (larger than the configured byte limit). `reason` names fields and rules
 * only — never a field's value, so a rejected provider's credentials cannot leak through it.
 */
export interface DocumentRejection {
  readonly ok: false;
  readonly kind: 'invalid' | 'oversize';
  readonly reason: string;
}

/** DocumentAcceptance carries the validated, normalised document. */
export interface DocumentAcceptance<T> {
  readonly ok: true;
  readonly value: T;
}

/** DocumentValidation is the outcome of `validateDocument`. */
export type DocumentValidation<T> = DocumentAcceptance<T> | DocumentRejection;

/**
 * validateDocument checks a raw document against its schema and size limit. `sizeBytes` is the
 * document's BSON size (measured by the adapter); a document over `maxBytes` is rejected before
 * it is parsed. `fastPath`, when given, may accept the document first: it returns exactly what
 * the schema would for the documents it accepts and undefined for every other one, which the
 * schema then parses (and words the rejection of). The rejection reason lists at most five issues
 * as `path: message`.
 */
export function validateDocument<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  sizeBytes: number,
  maxBytes: number,
  fastPath?: (raw: unknown) => T | undefined,
): DocumentValidation<T> {
  if (sizeBytes > maxBytes) {
    return {
      ok: false,
      kind: 'oversize',
      reason: `document is ${sizeBytes} bytes, over the limit of ${maxBytes}`,
    };
  }
  const fast = fastPath?.(raw);
  if (fast !== undefined) return { ok: true, value: fast };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const reason = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length === 0 ? '(document)' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
  return { ok: false, kind: 'invalid', reason };
}
