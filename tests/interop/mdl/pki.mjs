// pki.mjs: a throwaway IACA root + document signer (DS) pair for the selftest and for bonafide's
// interop tests, made with @peculiar/x509 (a dependency of @auth0/mdl) on Node's WebCrypto.
//
// The profile follows ISO/IEC 18013-5 Annex B as far as the peer cares (see README.md for what the
// peer actually checks): IACA self-signed, C=<country>, BasicConstraints CA pathlen 0, KeyUsage
// keyCertSign + cRLSign; DS issued by it, same C, KeyUsage digitalSignature, EKU 1.0.18013.5.1.2.
import { webcrypto } from 'node:crypto';

import { x509 } from './lib.mjs';

x509.cryptoProvider.set(webcrypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;

function serial() {
  const s = Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)));
  s[0] &= 0x7f; // positive
  return s.toString('hex');
}

// makePki({country, notBefore, iacaDays, dsDays, dsExtensions}) ->
//   { iacaPem, dsPem, dsPrivateJwk, iacaPrivateJwk }
// dsExtensions: false to issue a DS with no extensions at all (to probe the peer's checks).
export async function makePki({
  country = 'US',
  notBefore = new Date(Date.now() - DAY),
  iacaDays = 3650,
  dsDays = 365,
  iacaExtensions = true,
  dsExtensions = true,
  commonName = 'bonafide interop',
} = {}) {
  const iacaKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const dsKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const iacaName = `C=${country}, CN=${commonName} IACA`;
  const iaca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: iacaName,
    notBefore,
    notAfter: new Date(notBefore.getTime() + iacaDays * DAY),
    signingAlgorithm: ALG,
    keys: iacaKeys,
    extensions: iacaExtensions ? [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(iacaKeys.publicKey),
    ] : [],
  });
  const ds = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `C=${country}, CN=${commonName} DS`,
    issuer: iaca.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + dsDays * DAY),
    signingAlgorithm: ALG,
    publicKey: dsKeys.publicKey,
    signingKey: iacaKeys.privateKey,
    extensions: dsExtensions ? [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(['1.0.18013.5.1.2'], true),
      await x509.AuthorityKeyIdentifierExtension.create(iaca, false),
      await x509.SubjectKeyIdentifierExtension.create(dsKeys.publicKey),
    ] : [],
  });
  return {
    iacaPem: iaca.toString('pem') + '\n',
    dsPem: ds.toString('pem') + '\n',
    dsPrivateJwk: await webcrypto.subtle.exportKey('jwk', dsKeys.privateKey),
    iacaPrivateJwk: await webcrypto.subtle.exportKey('jwk', iacaKeys.privateKey),
  };
}
