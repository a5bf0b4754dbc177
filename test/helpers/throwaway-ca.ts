/**
 * A certificate authority made for one test with openssl, and a server certificate it signs for
 * 127.0.0.1 (and any other names asked for). Nothing is installed anywhere: the test hands the
 * CA to the client (--ca-file, NODE_EXTRA_CA_CERTS) and removes the folder afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayCa {
  dir: string;
  /** PEM file of the CA certificate. */
  caFile: string;
  caPem: string;
  /** The server's key and certificate (PEM), signed by the CA. */
  key: string;
  cert: string;
  remove(): void;
}

/** `names`: DNS names besides the IP 127.0.0.1 the certificate covers. */
export function makeThrowawayCa(names: string[] = []): ThrowawayCa {
  const dir = mkdtempSync(join(tmpdir(), 'authmachine-ca-'));
  const at = (file: string) => join(dir, file);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=authmachine throwaway test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
  );
  const san = ['IP:127.0.0.1', ...names.map((name) => (/^[\d.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`))].join(
    ',',
  );
  writeFileSync(
    at('server.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    at('server.ext'),
    '-out',
    at('server.pem'),
  );
  return {
    dir,
    caFile: at('ca.pem'),
    caPem: readFileSync(at('ca.pem'), 'utf8'),
    key: readFileSync(at('server.key'), 'utf8'),
    cert: readFileSync(at('server.pem'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
