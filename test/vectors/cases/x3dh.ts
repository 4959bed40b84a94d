/**
 * `x3dh.json` (status-go `x3dhActive` / `x3dhPassive`, vectors/README.md "x3dh.json"): for every
 * case and both crypto providers, DH1..DH3 from each side, `sk_active` from the initiator and
 * `sk_passive` from the responder, byte for byte.
 */
import { fromHex, providers, toHex } from '../../../src/crypto/index.ts'
import type { CryptoProvider } from '../../../src/crypto/index.ts'
import {
  _initiatorDhOutputs,
  _responderDhOutputs,
  x3dhActive,
  x3dhPassive,
} from '../../../src/x3dh/index.ts'
import type { CaseResult } from '../registry.ts'

interface Key {
  private: string
  public_compressed: string
}
interface Case {
  name: string
  alice_identity: Key
  alice_ephemeral: Key
  bob_identity: Key
  bob_signed_prekey: Key
  dh1_aliceIdentity_bobSignedPreKey: string
  dh2_aliceEphemeral_bobIdentity: string
  dh3_aliceEphemeral_bobSignedPreKey: string
  sk_active: string
  sk_passive: string
}

function eq(what: string, got: Uint8Array, want: string): void {
  if (toHex(got) !== want) throw new Error(`${what}: got ${toHex(got)}, want ${want}`)
}

function check(c: Case, crypto: CryptoProvider): void {
  const priv = (k: Key) => crypto.secp256k1PrivateKey(fromHex(k.private))
  const initiator = {
    identity: priv(c.alice_identity),
    ephemeral: priv(c.alice_ephemeral),
    theirIdentity: fromHex(c.bob_identity.public_compressed),
    theirSignedPreKey: fromHex(c.bob_signed_prekey.public_compressed),
    crypto,
  }
  const responder = {
    identity: priv(c.bob_identity),
    signedPreKey: priv(c.bob_signed_prekey),
    theirIdentity: fromHex(c.alice_identity.public_compressed),
    theirEphemeral: fromHex(c.alice_ephemeral.public_compressed),
    crypto,
  }
  const want = [
    c.dh1_aliceIdentity_bobSignedPreKey,
    c.dh2_aliceEphemeral_bobIdentity,
    c.dh3_aliceEphemeral_bobSignedPreKey,
  ]
  for (const [side, outputs] of [
    ['active', _initiatorDhOutputs(initiator)],
    ['passive', _responderDhOutputs(responder)],
  ] as const) {
    if (outputs.length !== 3) throw new Error(`${side}: ${outputs.length} DH outputs, want 3`)
    outputs.forEach((o, i) => {
      eq(`${side} DH${i + 1}`, o, want[i]!)
    })
  }
  eq('sk_active', x3dhActive(initiator), c.sk_active)
  eq('sk_passive', x3dhPassive(responder), c.sk_passive)
}

export default function run(json: unknown): CaseResult[] {
  const { cases } = json as { cases: Case[] }
  return cases.map((c) => {
    for (const [name, crypto] of Object.entries(providers)) {
      try {
        check(c, crypto)
      } catch (e) {
        return { name: c.name, error: `[${name}] ${(e as Error).message}` }
      }
    }
    return { name: c.name }
  })
}
