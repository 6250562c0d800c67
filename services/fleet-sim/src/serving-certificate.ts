import { generate } from 'selfsigned';

/** ServingCertificate is a PEM key and certificate an HTTPS API server presents. */
export interface ServingCertificate {
  readonly key: string;
  readonly cert: string;
}

let shared: Promise<ServingCertificate> | undefined;

/**
 * localServingCertificate returns a self-signed certificate for `127.0.0.1` and `localhost`,
 * generated once per process (an EC key takes milliseconds; every simulated cluster shares it).
 * It is its own trust anchor: kubeconfigs carry it as `certificate-authority-data`, so clients
 * verify the server as they would a real cluster's — kubectl, for one, sends a bearer token only
 * over TLS (kubernetes/kubectl#744). Valid for a year from now; never persisted.
 */
export function localServingCertificate(): Promise<ServingCertificate> {
  shared ??= generate([{ name: 'commonName', value: 'fleet-sim' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return shared;
}
