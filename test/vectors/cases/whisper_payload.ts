/**
 * `whisper_payload.json` (status-go `waku/common`, vectors/README.md "whisper_payload.json"): every
 * case byte for byte under both crypto providers — the plaintext `raw`, its signed hash, the
 * symmetric or ECIES `data` with the recorded randomness injected, `open` (payload, padding,
 * recovered signer, unsigned refusal), the envelope RLP and hash — plus the PoW figures TRANSPORT.md
 * §1.3 gives for these envelopes (PoW at nonce 0; `Seal(0.002)` nonces from Go).
 */
import { SecretKey, fromHex, providers, toHex } from '../../../src/crypto/index.ts'
import type { CryptoProvider } from '../../../src/crypto/index.ts'
import { isPfsError } from '../../../src/errors.ts'
import {
  createEnvelope,
  decodeEnvelope,
  encodeEnvelope,
  encodeRawPayload,
  envelopeHash,
  open,
  powOf,
  sealAsymmetric,
  sealSymmetric,
  seal,
  targetBits,
  topicFromHex,
} from '../../../src/transport/index.ts'
import type { CaseResult } from '../registry.ts'

interface Key {
  private: string
  public_uncompressed: string
}
interface Case {
  name: string
  now_unix: number
  ttl: number
  topic: string
  payload: string
  sender_key?: Key
  recipient_key?: Key
  symmetric_key?: string
  padding_param?: string
  random_consumed: { label: string; bytes: string }[]
  plaintext_raw: string
  plaintext_fields: { padding: string; signature: string }
  signed_hash_keccak256: string
  recovered_signer_uncompressed: string | null
  aes_gcm?: { nonce: string; ciphertext_and_tag: string }
  ecies?: { ephemeral_private: string; iv: string }
  envelope: { expiry: number; ttl: number; topic: string; data: string; nonce: number }
  envelope_rlp: string
  envelope_hash_keccak256: string
}

/** TRANSPORT.md §1.3, computed by status-go's Go code: PoW at nonce 0 and Seal(0.002). */
const POW: Record<string, { pow0: number; bits: number; nonce: bigint }> = {
  symmetric_signed: { pow0: 6.6445e-5, bits: 5, nonce: 19n },
  asymmetric_signed: { pow0: 4.1451e-4, bits: 6, nonce: 5n },
  symmetric_unsigned_explicit_padding: { pow0: 5.4348e-5, bits: 7, nonce: 133n },
}

function eq(what: string, got: Uint8Array, want: string): void {
  if (toHex(got) !== want) throw new Error(`${what}: got ${toHex(got)}, want ${want}`)
}

function check(c: Case, provider: CryptoProvider): void {
  const payload = fromHex(c.payload)
  const signer = c.sender_key && SecretKey.fromBytes(fromHex(c.sender_key.private))
  const padding = fromHex(
    c.padding_param ?? c.random_consumed.find((r) => r.label === 'padding')?.bytes ?? '',
  )
  const raw = encodeRawPayload(payload, signer, { provider, padding })
  eq('plaintext_raw', raw, c.plaintext_raw)
  if (c.signed_hash_keccak256 !== '') {
    eq('signed hash', provider.keccak256(raw.subarray(0, raw.length - 65)), c.signed_hash_keccak256)
  }

  let data: Uint8Array
  let key: { symKey: SecretKey } | { privateKey: SecretKey }
  if (c.symmetric_key !== undefined) {
    const symKey = SecretKey.fromBytes(fromHex(c.symmetric_key))
    data = sealSymmetric(payload, symKey, signer, {
      provider,
      padding,
      nonce: fromHex(c.aes_gcm!.nonce),
    })
    eq('ciphertext_and_tag', data.subarray(0, data.length - 12), c.aes_gcm!.ciphertext_and_tag)
    key = { symKey }
  } else {
    data = sealAsymmetric(payload, fromHex(c.recipient_key!.public_uncompressed), signer, {
      provider,
      padding,
      ephemeral: SecretKey.fromBytes(fromHex(c.ecies!.ephemeral_private)),
      iv: fromHex(c.ecies!.iv),
    })
    key = { privateKey: SecretKey.fromBytes(fromHex(c.recipient_key!.private)) }
  }
  eq('envelope data', data, c.envelope.data)

  // Open what the reference produced.
  const opened = open(fromHex(c.envelope.data), key, { provider, allowUnsigned: true })
  eq('opened payload', opened.payload, c.payload)
  eq('opened padding', opened.padding, c.plaintext_fields.padding)
  if (c.recovered_signer_uncompressed === null) {
    if (opened.signer !== undefined) throw new Error('unsigned payload reported a signer')
    let refused = false
    try {
      open(fromHex(c.envelope.data), key, { provider })
    } catch (e) {
      refused = isPfsError(e, 'UNSIGNED_PAYLOAD')
    }
    if (!refused) throw new Error('unsigned payload not refused with UNSIGNED_PAYLOAD')
  } else {
    if (opened.signer === undefined) throw new Error('signer not recovered')
    eq('recovered signer', opened.signer, c.recovered_signer_uncompressed)
    eq('signature', opened.signature!, c.plaintext_fields.signature)
  }

  // Envelope.
  const env = createEnvelope({ topic: topicFromHex(c.topic), data, ttl: c.ttl, now: c.now_unix })
  if (env.expiry !== c.envelope.expiry) throw new Error('expiry')
  eq('envelope_rlp', encodeEnvelope(env), c.envelope_rlp)
  eq('envelope hash', envelopeHash(env, provider), c.envelope_hash_keccak256)
  const decoded = decodeEnvelope(fromHex(c.envelope_rlp))
  eq('decoded re-encoded', encodeEnvelope(decoded), c.envelope_rlp)
  if (decoded.nonce !== BigInt(c.envelope.nonce)) throw new Error('decoded nonce')

  // Proof of work against the Go figures.
  const ref = POW[c.name]
  if (ref !== undefined) {
    const pow0 = powOf(env, provider)
    if (Math.abs(pow0 - ref.pow0) / ref.pow0 > 1e-4) throw new Error(`PoW at nonce 0: ${pow0}`)
    if (targetBits(env, 0.002) !== ref.bits) throw new Error('Seal target bits')
    const sealed = seal(env, 0.002, { provider })
    if (sealed.nonce !== ref.nonce) throw new Error(`Seal nonce ${sealed.nonce}, want ${ref.nonce}`)
  }
}

export default function handler(json: unknown): CaseResult[] {
  const cases = (json as { cases: Case[] }).cases
  const out: CaseResult[] = []
  for (const c of cases) {
    let error: string | undefined
    for (const [name, provider] of Object.entries(providers)) {
      try {
        check(c, provider)
      } catch (e) {
        error = `[${name}] ${(e as Error).message}`
        break
      }
    }
    out.push(error === undefined ? { name: c.name } : { name: c.name, error })
  }
  return out
}
