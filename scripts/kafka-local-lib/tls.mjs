// A self-signed certificate for the SSL and SASL_SSL listeners, valid for localhost and
// 127.0.0.1. The certificate is its own CA, so ca.pem is what clients trust.
import { join } from 'node:path';
import { keystorePassword } from './configs.mjs';
import { runTool } from './tools.mjs';

/** @returns {Promise<{ keystore: string, caFile: string }>} */
export async function createCertificate(keytool, dir, env) {
  const keystore = join(dir, 'server.p12');
  const caFile = join(dir, 'ca.pem');
  const store = ['-keystore', keystore, '-storetype', 'PKCS12', '-storepass', keystorePassword];
  await runTool(
    keytool,
    ['-genkeypair', '-alias', 'kafka', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650',
      '-dname', 'CN=localhost', '-ext', 'SAN=DNS:localhost,IP:127.0.0.1', '-keypass', keystorePassword, ...store, '-noprompt'],
    { env, what: 'keytool -genkeypair' },
  );
  await runTool(keytool, ['-exportcert', '-rfc', '-alias', 'kafka', ...store, '-file', caFile], { env, what: 'keytool -exportcert' });
  return { keystore, caFile };
}
