/**
 * X3DH key agreement as the reference runs it (PROTOCOL.md §5, §15.2; whitepaper §2.4.1).
 *
 * ```
 * initiator A:  DH1 = DH(IK_A, SPK_B)  DH2 = DH(EK_A, IK_B)  DH3 = DH(EK_A, SPK_B)
 * responder B:  DH1 = DH(SPK_B, IK_A)  DH2 = DH(IK_B, EK_A)  DH3 = DH(SPK_B, EK_A)
 * SK = keccak256(DH1 ‖ DH2 ‖ DH3)
 * ```
 *
 * DH is secp256k1 raw ECDH: the 32-byte X coordinate, never hashed (PROTOCOL.md §3). Unlike
 * Signal's X3DH there is no HKDF, no 0xFF prefix and no associated data: SK is the plain keccak256
 * of the concatenation. This is what the wire needs; the written spec differs (§15.2).
 *
 * **Our extension — one-time prekeys.** The reference uses no OPK (the whitepaper, §2.3, leaves a
 * user-specific second bundle "to be implemented"). When both sides pass an OPK,
 * `DH4 = DH(EK_A, OPK_B)` is appended as in Signal's X3DH: `SK = keccak256(DH1 ‖ DH2 ‖ DH3 ‖ DH4)`.
 * Without an OPK the result is byte-identical to the reference (x3dh.json), and that stays the
 * default: a peer running status-go cannot compute the OPK variant. On the wire the initiator
 * names the OPK in `X3DHHeader.one_time_pre_key` (field 1001, proto/encryption.proto; empty =
 * none), and the protocol layer uses it end to end (protocol/one-time-prekeys.ts).
 *
 * @module
 */
import { concatBytes, defaultProvider, wipe } from '../crypto/index.ts'
import type { CompressedPublicKey, CryptoProvider, SecretKey } from '../crypto/index.ts'

/** The initiator's ("active") inputs: own keys, and the responder's from its bundle. */
export interface InitiatorParams {
  /** IK_A, our identity private key. */
  readonly identity: SecretKey
  /** EK_A, a fresh private key for this agreement only. */
  readonly ephemeral: SecretKey
  /** IK_B, the responder's identity public key (from its verified bundle). */
  readonly theirIdentity: Uint8Array
  /** SPK_B, the signed prekey of the target installation (from the same bundle). */
  readonly theirSignedPreKey: Uint8Array
  /** OPK_B, our extension (see the module doc); omit for the reference behaviour. */
  readonly theirOneTimePreKey?: Uint8Array
  readonly crypto?: CryptoProvider
}

/** The responder's ("passive") inputs. */
export interface ResponderParams {
  /** IK_B, our identity private key. */
  readonly identity: SecretKey
  /** SPK_B, the private key of the signed prekey the initiator used (X3DHHeader.id). */
  readonly signedPreKey: SecretKey
  /** IK_A: the key that signed the transport envelope, not a message field (PROTOCOL.md §5). */
  readonly theirIdentity: Uint8Array
  /** EK_A, from `X3DHHeader.key`. */
  readonly theirEphemeral: Uint8Array
  /** OPK_B's private key when the initiator used one (our extension). */
  readonly oneTimePreKey?: SecretKey
  readonly crypto?: CryptoProvider
}

/** Runs the DH steps in order; if one throws (a key off the curve), wipes those already done. */
function collect(steps: readonly (() => Uint8Array)[]): Uint8Array[] {
  const out: Uint8Array[] = []
  try {
    for (const step of steps) out.push(step())
  } catch (e) {
    wipe(...out)
    throw e
  }
  return out
}

/**
 * @internal DH1..DH3 (and DH4 with an OPK) of the initiator, in hashing order, for the vector
 * tests. Each output is a fresh 32-byte secret: the caller wipes them.
 */
export function _initiatorDhOutputs(p: InitiatorParams): Uint8Array[] {
  const crypto = p.crypto ?? defaultProvider()
  const opk = p.theirOneTimePreKey
  return collect([
    () => crypto.secp256k1Ecdh(p.identity, p.theirSignedPreKey),
    () => crypto.secp256k1Ecdh(p.ephemeral, p.theirIdentity),
    () => crypto.secp256k1Ecdh(p.ephemeral, p.theirSignedPreKey),
    ...(opk === undefined ? [] : [() => crypto.secp256k1Ecdh(p.ephemeral, opk)]),
  ])
}

/** @internal The responder's DH outputs, in the same order; the caller wipes them. */
export function _responderDhOutputs(p: ResponderParams): Uint8Array[] {
  const crypto = p.crypto ?? defaultProvider()
  const opk = p.oneTimePreKey
  return collect([
    () => crypto.secp256k1Ecdh(p.signedPreKey, p.theirIdentity),
    () => crypto.secp256k1Ecdh(p.identity, p.theirEphemeral),
    () => crypto.secp256k1Ecdh(p.signedPreKey, p.theirEphemeral),
    ...(opk === undefined ? [] : [() => crypto.secp256k1Ecdh(opk, p.theirEphemeral)]),
  ])
}

function hashOutputs(outputs: Uint8Array[], crypto: CryptoProvider): Uint8Array {
  const input = concatBytes(...outputs)
  const sk = crypto.keccak256(input)
  wipe(input, ...outputs)
  return sk
}

/**
 * The initiator's shared secret SK (32 bytes; `x3dhActive`). Returns fresh bytes the caller owns
 * and should wipe once the ratchet is seeded. A public key that is not a curve point throws
 * `INVALID_KEY`.
 */
export function x3dhActive(params: InitiatorParams): Uint8Array {
  return hashOutputs(_initiatorDhOutputs(params), params.crypto ?? defaultProvider())
}

/** The responder's shared secret SK (`x3dhPassive`); equal to the initiator's. Same contract. */
export function x3dhPassive(params: ResponderParams): Uint8Array {
  return hashOutputs(_responderDhOutputs(params), params.crypto ?? defaultProvider())
}

/** The initiator's result when the ephemeral key is generated here. */
export interface ActiveX3dhResult {
  /** SK, 32 bytes; the caller wipes it. */
  readonly sharedSecret: Uint8Array
  /** EK_A's public key for `X3DHHeader.key`. */
  readonly ephemeralPublic: CompressedPublicKey
}

/**
 * `PerformActiveX3DH`: generates EK_A (or uses `params.ephemeral`), runs `x3dhActive`, and returns
 * SK with EK_A's public key. A generated EK_A is destroyed before returning: it is never needed
 * again.
 */
export function performActiveX3dh(
  params: Omit<InitiatorParams, 'ephemeral'> & { readonly ephemeral?: SecretKey },
): ActiveX3dhResult {
  const crypto = params.crypto ?? defaultProvider()
  const ephemeral = params.ephemeral ?? crypto.secp256k1GeneratePrivateKey()
  try {
    const sharedSecret = x3dhActive({ ...params, ephemeral, crypto })
    const ephemeralPublic = crypto.secp256k1PublicKey(ephemeral, true) as CompressedPublicKey
    return { sharedSecret, ephemeralPublic }
  } finally {
    if (params.ephemeral === undefined) ephemeral.destroy()
  }
}
