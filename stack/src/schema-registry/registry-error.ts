/**
 * RegistryErrorCode is the Confluent Schema Registry error code vocabulary the stand-in uses;
 * clients (kcat, confluent-kafka, @kafkajs/confluent-schema-registry) branch on these numbers.
 */
export const REGISTRY_ERROR = {
  subjectNotFound: { httpStatus: 404, code: 40401 },
  versionNotFound: { httpStatus: 404, code: 40402 },
  schemaNotFound: { httpStatus: 404, code: 40403 },
  subjectSoftDeleted: { httpStatus: 404, code: 40404 },
  subjectNotSoftDeleted: { httpStatus: 404, code: 40405 },
  subjectConfigNotFound: { httpStatus: 404, code: 40408 },
  notFound: { httpStatus: 404, code: 404 },
  incompatibleSchema: { httpStatus: 409, code: 409 },
  invalidSchema: { httpStatus: 422, code: 42201 },
  invalidVersion: { httpStatus: 422, code: 42202 },
  invalidCompatibilityLevel: { httpStatus: 422, code: 42203 },
  unprocessable: { httpStatus: 422, code: 422 },
  methodNotAllowed: { httpStatus: 405, code: 405 },
  storeError: { httpStatus: 500, code: 50001 },
} as const;

/** RegistryErrorKind names one entry of REGISTRY_ERROR. */
export type RegistryErrorKind = keyof typeof REGISTRY_ERROR;

/**
 * RegistryError is a failure the HTTP layer turns into a Confluent error body
 * `{ "error_code": <code>, "message": <message> }` with the matching HTTP status.
 */
export class RegistryError extends Error {
  readonly kind: RegistryErrorKind;

  constructor(kind: RegistryErrorKind, message: string) {
    super(message);
    this.name = 'RegistryError';
    this.kind = kind;
  }

  /** httpStatus is the HTTP status for this error. */
  get httpStatus(): number {
    return REGISTRY_ERROR[this.kind].httpStatus;
  }

  /** body is the Confluent error body for this error. */
  body(): { error_code: number; message: string } {
    return { error_code: REGISTRY_ERROR[this.kind].code, message: this.message };
  }
}
