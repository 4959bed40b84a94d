/**
 * `bundle.json` (status-go `buildSignatureMaterial` / `SignBundle` / `ExtractIdentity`,
 * vectors/README.md "bundle.json"), under both crypto providers:
 * - each case: `createBundle` with the case's keys and timestamp gives the exact signature
 *   material, digest and signature; `verifyBundle` returns the identity; the bundle and its
 *   container encode to `bundle_protobuf` / `bundle_container_protobuf`, and the recorded bytes
 *   decode and verify;
 * - each `tampered[]` entry: `verifyBundle` on the recorded fields and `decodeBundle` +
 *   `verifyBundle` on the recorded bytes both throw a `PfsError` with the expected code, and the
 *   direct path repeats the reference's error string.
 */
import { fromHex, providers, toHex } from '../../../src/crypto/index.ts'
import type { CryptoProvider } from '../../../src/crypto/index.ts'
import { BundleError, isPfsError } from '../../../src/errors.ts'
import type { ErrorCode } from '../../../src/errors.ts'
import {
  BundleContainerSchema,
  BundleSchema,
  SignedPreKeySchema,
  create,
  decodeBundle,
  decodeBundleContainer,
  encodeBundle,
  encodeBundleContainer,
} from '../../../src/wire/index.ts'
import type { Bundle, SignedPreKey } from '../../../src/wire/index.ts'
import { createBundle, signatureMaterial, verifyBundle } from '../../../src/x3dh/index.ts'
import type { CaseResult } from '../registry.ts'

interface VectorSpk {
  installation_id: string
  signed_pre_key: string
  version: number
  protocol_version: number
}
interface VectorBundle {
  identity: string
  signed_pre_keys: VectorSpk[]
  signature: string
  timestamp: string
}
interface Case {
  name: string
  identity_key: { private: string; public_compressed: string }
  private_signed_pre_key: string
  bundle: VectorBundle
  signature_material: string
  signature_digest_keccak256: string
  signature: string
  bundle_protobuf: string
  bundle_container_protobuf: string
}
interface Tampered {
  name: string
  bundle: VectorBundle
  signature_material: string
  bundle_protobuf: string
  error: string
}

/**
 * Our code per tampered bundle. A 64-byte signature is a wrong shape (`WIRE_MALFORMED`, which
 * `decodeBundle` also says); every other case is cryptographic (`BUNDLE_SIGNATURE`), including an
 * identity that is not a curve point.
 */
const EXPECTED_CODE: Record<string, ErrorCode> = {
  replaced_signed_prekey: 'BUNDLE_SIGNATURE',
  timestamp_changed: 'BUNDLE_SIGNATURE',
  version_changed: 'BUNDLE_SIGNATURE',
  identity_swapped: 'BUNDLE_SIGNATURE',
  bad_recovery_id: 'BUNDLE_SIGNATURE',
  truncated_signature: 'WIRE_MALFORMED',
  invalid_identity_encoding: 'BUNDLE_SIGNATURE',
}

function eq(what: string, got: Uint8Array, want: string): void {
  if (toHex(got) !== want) throw new Error(`${what}: got ${toHex(got)}, want ${want}`)
}

/** The recorded fields as a wire `Bundle`, with no validation (tampered bundles included). */
function bundleFromJson(v: VectorBundle): Bundle {
  const signedPreKeys: Record<string, SignedPreKey> = {}
  for (const s of v.signed_pre_keys) {
    signedPreKeys[s.installation_id] = create(SignedPreKeySchema, {
      signedPreKey: fromHex(s.signed_pre_key),
      version: s.version,
      protocolVersion: s.protocol_version,
    })
  }
  return create(BundleSchema, {
    identity: fromHex(v.identity),
    signedPreKeys,
    signature: fromHex(v.signature),
    timestamp: BigInt(v.timestamp),
  })
}

function checkCase(c: Case, crypto: CryptoProvider): void {
  const bundle = createBundle({
    identity: crypto.secp256k1PrivateKey(fromHex(c.identity_key.private)),
    signedPreKeys: c.bundle.signed_pre_keys.map((s) => ({
      installationId: s.installation_id,
      key: fromHex(s.signed_pre_key),
      version: s.version,
      protocolVersion: s.protocol_version,
    })),
    timestamp: BigInt(c.bundle.timestamp),
    crypto,
  })
  const material = signatureMaterial(bundle)
  eq('signature_material', material, c.signature_material)
  eq('digest', crypto.keccak256(material), c.signature_digest_keccak256)
  eq('signature', bundle.signature, c.signature)
  eq('identity', bundle.identity, c.bundle.identity)
  eq('verifyBundle', verifyBundle(bundle, { crypto }), c.identity_key.public_compressed)
  eq('bundle_protobuf', encodeBundle(bundle), c.bundle_protobuf)
  const container = create(BundleContainerSchema, {
    bundle,
    privateSignedPreKey: fromHex(c.private_signed_pre_key),
  })
  eq('bundle_container_protobuf', encodeBundleContainer(container), c.bundle_container_protobuf)

  // The reference's bytes: decode, verify, re-encode.
  const decoded = decodeBundle(fromHex(c.bundle_protobuf))
  eq('decoded material', signatureMaterial(decoded), c.signature_material)
  eq('decoded verifyBundle', verifyBundle(decoded, { crypto }), c.identity_key.public_compressed)
  eq('decoded re-encoded', encodeBundle(decoded), c.bundle_protobuf)
  const decodedContainer = decodeBundleContainer(fromHex(c.bundle_container_protobuf))
  if (decodedContainer.bundle === undefined) throw new Error('container without bundle')
  eq('container verifyBundle', verifyBundle(decodedContainer.bundle, { crypto }), c.bundle.identity)
}

function expectError(what: string, fn: () => unknown, code: ErrorCode, message?: string): void {
  try {
    fn()
  } catch (e) {
    if (!isPfsError(e)) throw new Error(`${what}: threw a non-PfsError: ${String(e)}`)
    // verifyBundle's own failures are all BundleError; decodeBundle's are WireError.
    if (message !== undefined && !(e instanceof BundleError)) {
      throw new Error(`${what}: ${e.name}, want BundleError`)
    }
    if (e.code !== code) throw new Error(`${what}: code ${e.code}, want ${code}`)
    if (message !== undefined && e.message !== message) {
      throw new Error(`${what}: message "${e.message}", want "${message}"`)
    }
    return
  }
  throw new Error(`${what}: accepted a tampered bundle`)
}

function checkTampered(t: Tampered, crypto: CryptoProvider): void {
  const code = EXPECTED_CODE[t.name]
  if (code === undefined) throw new Error('no expected code for this tampered case')
  const bundle = bundleFromJson(t.bundle)
  eq('signature_material', signatureMaterial(bundle), t.signature_material)
  expectError('verifyBundle', () => verifyBundle(bundle, { crypto }), code, t.error)
  expectError(
    'decodeBundle + verifyBundle',
    () => verifyBundle(decodeBundle(fromHex(t.bundle_protobuf)), { crypto }),
    code,
  )
}

export default function run(json: unknown): CaseResult[] {
  const { cases, tampered } = json as { cases: Case[]; tampered: Tampered[] }
  const runAll = <T extends { name: string }>(
    items: T[],
    check: (item: T, crypto: CryptoProvider) => void,
  ): CaseResult[] =>
    items.map((item) => {
      for (const [name, crypto] of Object.entries(providers)) {
        try {
          check(item, crypto)
        } catch (e) {
          return { name: item.name, error: `[${name}] ${(e as Error).message}` }
        }
      }
      return { name: item.name }
    })
  return [...runAll(cases, checkCase), ...runAll(tampered, checkTampered)]
}
