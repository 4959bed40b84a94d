/**
 * `@matrix-org/olm` 3.2 (libolm compiled to wasm): Olm's 3DH (Curve25519 identity keys and a
 * published key of the responder) and its Double Ratchet. The responder's published key is its
 * fallback key, reusable like a signed prekey; the initiator verifies its Ed25519 signature on
 * every establishment. Olm takes and returns strings: the 100-byte payload is ASCII, so the
 * latin1 conversion in and out is exact. Sessions live in wasm memory and are freed on close.
 */
import { createRequire } from 'node:module'
import type * as OlmTypes from '@matrix-org/olm'
import type { Adapter, SessionPair } from './types.ts'

type Olm = typeof OlmTypes
const Olm = createRequire(import.meta.url)('@matrix-org/olm') as Olm

const PICKLE_KEY = 'bench'

export async function olm(): Promise<Adapter> {
  await Olm.init()
  const alice = new Olm.Account()
  alice.create()
  const bob = new Olm.Account()
  bob.create()
  bob.generate_fallback_key()
  const aliceKeys = JSON.parse(alice.identity_keys()) as { curve25519: string }
  const bobKeys = JSON.parse(bob.identity_keys()) as { curve25519: string; ed25519: string }
  const fallback = JSON.parse(bob.unpublished_fallback_key()) as {
    curve25519: Record<string, string>
  }
  const [fallbackKey] = Object.values(fallback.curve25519)
  const fallbackSignature = bob.sign(JSON.stringify({ key: fallbackKey }))
  bob.mark_keys_as_published()
  const utility = new Olm.Utility()
  const live: OlmTypes.Session[] = []

  function handshake(plaintext: Uint8Array): [OlmTypes.Session, OlmTypes.Session] {
    utility.ed25519_verify(bobKeys.ed25519, JSON.stringify({ key: fallbackKey }), fallbackSignature)
    const a = new Olm.Session()
    a.create_outbound(alice, bobKeys.curve25519, fallbackKey!)
    const first = a.encrypt(Buffer.from(plaintext).toString('latin1'))
    const b = new Olm.Session()
    b.create_inbound_from(bob, aliceKeys.curve25519, first.body)
    b.decrypt(first.type, first.body)
    return [a, b]
  }

  return {
    name: 'olm 3.2 (wasm)',
    ours: false,
    establish(plaintext) {
      const [a, b] = handshake(plaintext)
      a.free()
      b.free()
    },
    newSession(): SessionPair {
      const s = handshake(new Uint8Array(1))
      live.push(...s)
      const pair: SessionPair = {
        encrypt: (from, plaintext) => s[from].encrypt(Buffer.from(plaintext).toString('latin1')),
        decrypt(to, message) {
          const m = message as { type: 0 | 1; body: string }
          return Buffer.from(s[to].decrypt(m.type, m.body), 'latin1')
        },
        serializedBytes: (side) => s[side].pickle(PICKLE_KEY).length,
      }
      // Olm is synchronous: these calls return values, never promises.
      const reply = s[1].encrypt('\u0000')
      s[0].decrypt(reply.type, reply.body)
      return pair
    },
    close() {
      for (const s of live.splice(0)) s.free()
    },
  }
}
