/**
 * Push access tokens (whitepaper §1.5.1 "registration with Push Notification platform"; the
 * reference's privacy design in status-go `pushnotificationclient`/`pushnotificationserver`).
 *
 * The point of the design: the server must be able to tell an allowed sender from anyone else
 * without ever learning *who* is allowed. Each (recipient R, allowed contact C, server S) has its
 * own access token
 *
 * ```
 * token = keccak256("status-pfs/push-access\0" ‖ X(ECDH(IK_R, IK_C)) ‖ IK_R(33) ‖ S(33))
 * ```
 *
 * which both R and C compute without talking to each other or to S (static ECDH, as the
 * negotiated topic of PROTOCOL.md §11.4). R registers only `SHA-256(token)` per contact; C proves
 * it is allowed by presenting `token`. The server stores opaque hashes: it cannot map one to a
 * contact (it would need R's or C's private key), the recipient key in the token makes R→C and
 * C→R tokens differ (so two users' registrations never share a hash that would reveal they are
 * contacts), and the server key in it keeps tokens from linking across servers. Senders also
 * reach the server from a one-off key (as the reference does), so it never learns who notifies.
 *
 * The reference reaches the same goal with one random access token per device, encrypted to each
 * contact and fetched through a `PushNotificationQuery`; this derivation needs no query round
 * trip.
 *
 * @module
 */
import { concatBytes, toHex, utf8 } from '../../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../../crypto/index.ts'

const DOMAIN = utf8('status-pfs/push-access\0')

/** The token `our` and `their` share for notifications *to* `recipient` through `server`. */
export function accessToken(
  our: SecretKey,
  their: Uint8Array,
  recipient: Uint8Array,
  server: Uint8Array,
  crypto: CryptoProvider,
): string {
  const shared = crypto.secp256k1Ecdh(our, crypto.decompressPublicKey(their))
  const token = crypto.keccak256(
    concatBytes(
      DOMAIN,
      shared,
      crypto.compressPublicKey(recipient),
      crypto.compressPublicKey(server),
    ),
  )
  shared.fill(0)
  return toHex(token)
}

/** What the registration carries and the server stores: SHA-256 of the token's bytes. */
export function tokenHash(token: string, crypto: CryptoProvider): Uint8Array {
  return crypto.sha256(utf8(token))
}

/** The reference's `HashPublicKey`: SHA-256 of the compressed key. */
export function hashedPublicKey(publicKey: Uint8Array, crypto: CryptoProvider): Uint8Array {
  return crypto.sha256(crypto.compressPublicKey(publicKey))
}
