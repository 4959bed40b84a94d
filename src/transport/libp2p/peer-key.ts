/**
 * The libp2p identity of a node (its peer id and the key noise authenticates with), as bytes a
 * caller can keep in a file: a store node that restarts with the same key keeps its multiaddr, so
 * bootstrap lists stay valid (TRANSPORT.md §4.3 "restart safety"). Unrelated to the chat identity
 * key: the network never sees that.
 *
 * @module
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { WireError } from '../../errors.ts'

/** A new Ed25519 peer key, protobuf-encoded (libp2p's key format). */
export async function generatePeerKey(): Promise<Uint8Array> {
  return privateKeyToProtobuf(await generateKeyPair('Ed25519'))
}

/**
 * Decodes a key from `generatePeerKey`.
 * @throws {WireError} code=WIRE_MALFORMED
 */
export function decodePeerKey(bytes: Uint8Array): PrivateKey {
  try {
    // @libp2p/crypto 5 declares its keys against a newer @libp2p/interface; same runtime shape.
    return privateKeyFromProtobuf(bytes) as unknown as PrivateKey
  } catch (e) {
    throw new WireError('not a libp2p private key', {}, { cause: e })
  }
}

/** The peer id (`12D3Koo…`) of a key from `generatePeerKey`. */
export function peerIdOfKey(bytes: Uint8Array): string {
  return peerIdFromPrivateKey(decodePeerKey(bytes)).toString()
}
