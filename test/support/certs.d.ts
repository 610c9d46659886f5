/** Types of test/support/certs.js (plain CommonJS, also loaded by compat-tests/kafka/broker.js). */
export function openssl(dir: string, args: string[]): void;
export function makeCa(dir: string, options: { name?: string; cn: string; days?: number }): string;
export function makeSignedCert(
  dir: string,
  options: { name?: string; ca?: string; cn: string; san: string; days?: number },
): { keyPath: string; certPath: string };
