// A self-signed certificate for the SSL and SASL_SSL listeners, valid for localhost and
// 127.0.0.1. The certificate is its own CA, so ca.pem is what clients trust.
import { join } from 'node:path';
import { keystorePassword } from './configs.mjs';
import { runTool } from './tools.mjs';

/** Where the keystore and the CA file of the cluster in `dir` go. */
export function certificatePaths(dir) {
  return { keystore: join(dir, 'server.p12'), caFile: join(dir, 'ca.pem') };
}

// keytool is a JVM too: these flags make its start quicker (it runs for a second).
const quickJvm = ['-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC'];

/** Writes the keystore and ca.pem at certificatePaths(dir). */
export async function createCertificate(keytool, dir, env) {
  const { keystore, caFile } = certificatePaths(dir);
  const store = ['-keystore', keystore, '-storetype', 'PKCS12', '-storepass', keystorePassword];
  await runTool(
    keytool,
    [...quickJvm, '-genkeypair', '-alias', 'kafka', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650',
      '-dname', 'CN=localhost', '-ext', 'SAN=DNS:localhost,IP:127.0.0.1', '-keypass', keystorePassword, ...store, '-noprompt'],
    { env, what: 'keytool -genkeypair' },
  );
  await runTool(keytool, [...quickJvm, '-exportcert', '-rfc', '-alias', 'kafka', ...store, '-file', caFile], { env, what: 'keytool -exportcert' });
}
