/**
 * `ratchet.json` (status-im/doubleratchet v3.0.0 as status-go configures it; vectors/README.md
 * "ratchet.json"): every event of each session replayed through the public API of
 * `src/ratchet`, under both crypto providers. `crypto: 'ethereum'` runs the `secp256k1` variant,
 * `'default'` the `x25519` one.
 *
 * Checked byte for byte: the initiator's KDF_RK trace, and per send the chain key in/out, the
 * message key and its AEAD sub-keys (through the `_kdf`/`_stateSecrets` hazmat), the header,
 * `header_encoded`, the associated data and the ciphertext; per receive the plaintext, the
 * DH-step flag (and that the scripted ratchet key was consumed exactly then), the
 * message-key-store flag, the associated data, and the root/chain keys the trace ends with.
 * Headers and ciphertexts are fed to `decrypt` from the vector's hex, as they arrive on the wire.
 *
 * **Deliberate deviation:** the reference keeps used message keys, so the duplicate delivery of
 * A1 at the end of `main_conversation` decrypts again. We delete a key once used (forward
 * secrecy; `src/ratchet/decrypt.ts`), so for a message already received this runner expects
 * `DUPLICATE` and an unchanged state instead.
 *
 * One result per session, named `session.name`; a failure names the provider and the step.
 */
import {
  SecretKey,
  bytesEqual,
  fromHex,
  providers,
  toHex,
  wipe,
} from '../../../src/crypto/index.ts'
import type { CryptoProvider } from '../../../src/crypto/index.ts'
import { isPfsError } from '../../../src/errors.ts'
import {
  _kdf,
  _stateSecrets,
  associatedData,
  decrypt,
  encodeHeader,
  encrypt,
  initiator,
  responder,
  serialize,
} from '../../../src/ratchet/index.ts'
import type { DhName, Header, RatchetKeyPair, RatchetState } from '../../../src/ratchet/index.ts'
import type { CaseResult } from '../registry.ts'

interface TraceOp {
  op: string
  party?: string
  private?: string
  public?: string
  root_key_out?: string
  chain_key_in?: string
  chain_key_out?: string
  message_key?: string
  associated_data?: string
}
interface SendEvent {
  step: number
  action: 'send'
  sender: Party
  message_id: string
  plaintext: string
  associated_data_param: string
  header: { dh: string; n: number; pn: number }
  header_encoded: string
  associated_data: string
  message_key: string
  aead_subkeys: { enc_key: string; auth_key: string; iv: string }
  ciphertext: string
  trace: TraceOp[]
}
interface ReceiveEvent {
  step: number
  action: 'receive'
  receiver: Party
  message_id: string
  dh_ratchet_step: boolean
  from_message_key_store: boolean
  plaintext: string
  trace: TraceOp[]
}
type Party = 'alice' | 'bob'
interface Session {
  name: string
  sk: string
  bob_initial_ratchet_key_pair: { private: string; public: string }
  alice_init: { trace: TraceOp[] }
  events: (SendEvent | ReceiveEvent)[]
}
interface Case {
  crypto: 'ethereum' | 'default'
  session: Session
}

function eq(what: string, got: Uint8Array | undefined, want: string): void {
  const hex = got === undefined ? '<none>' : toHex(got)
  if (hex !== want) throw new Error(`${what}: got ${hex}, want ${want}`)
}

function check(what: string, ok: boolean): void {
  if (!ok) throw new Error(what)
}

function keyPair(
  crypto: CryptoProvider,
  dh: DhName,
  privateHex: string,
  publicHex: string,
): RatchetKeyPair {
  const bytes = fromHex(privateHex)
  let pair: RatchetKeyPair
  if (dh === 'secp256k1') {
    pair = crypto.keyPairFromPrivate(crypto.secp256k1PrivateKey(bytes))
  } else {
    const privateKey = crypto.x25519PrivateKey(bytes)
    pair = { privateKey, publicKey: crypto.x25519PublicKey(privateKey) }
  }
  eq('key pair public key', pair.publicKey, publicHex)
  return pair
}

function last(trace: readonly TraceOp[], op: string): TraceOp | undefined {
  for (let i = trace.length - 1; i >= 0; i--) if (trace[i]!.op === op) return trace[i]
  return undefined
}

interface Sent {
  header: Header
  ciphertext: Uint8Array
  ad: Uint8Array
}

function runSession(c: Case, crypto: CryptoProvider): void {
  const s = c.session
  const dh: DhName = c.crypto === 'ethereum' ? 'secp256k1' : 'x25519'
  const sk = fromHex(s.sk)
  const bobPair = keyPair(
    crypto,
    dh,
    s.bob_initial_ratchet_key_pair.private,
    s.bob_initial_ratchet_key_pair.public,
  )

  const gen = s.alice_init.trace.find((t) => t.op === 'GenerateDH')!
  const rk = last(s.alice_init.trace, 'KdfRK')!
  const alice = initiator(sk, bobPair.publicKey, {
    dh,
    crypto,
    keyPair: keyPair(crypto, dh, gen.private!, gen.public!),
  })
  const init = _stateSecrets(alice)
  eq('alice_init root key', init.rootKey, rk.root_key_out!)
  eq('alice_init sending chain key', init.sendingChainKey, rk.chain_key_out!)
  eq('alice_init receiving chain key (SK)', init.receivingChainKey, s.sk)

  const states: Record<Party, RatchetState> = {
    alice,
    bob: responder(SecretKey.fromBytes(sk), bobPair, { dh, crypto }),
  }
  const sent = new Map<string, Sent>()
  const received = new Set<string>()

  for (const e of s.events) {
    const at = `step ${e.step} ${e.action} ${e.message_id}`
    try {
      if (e.action === 'send') {
        const before = states[e.sender]
        const secrets = _stateSecrets(before)
        const kdf = e.trace.find((t) => t.op === 'KdfCK')!
        eq('chain key in', secrets.sendingChainKey, kdf.chain_key_in!)
        const step = _kdf.kdfCk(crypto, secrets.sendingChainKey)
        eq('message key', step.messageKey, e.message_key)
        const sub = _kdf.messageKeys(crypto, step.messageKey)
        eq('enc_key', sub.encKey, e.aead_subkeys.enc_key)
        eq('auth_key', sub.authKey, e.aead_subkeys.auth_key)
        eq('iv', sub.iv, e.aead_subkeys.iv)
        wipe(sub.okm, step.messageKey, step.chainKey)

        const adParam = fromHex(e.associated_data_param)
        const r = encrypt(before, fromHex(e.plaintext), adParam)
        eq('header.dh', r.header.dh, e.header.dh)
        check(`header.n ${r.header.n} != ${e.header.n}`, r.header.n === e.header.n)
        check(`header.pn ${r.header.pn} != ${e.header.pn}`, r.header.pn === e.header.pn)
        eq('header_encoded', encodeHeader(r.header), e.header_encoded)
        eq('associated_data', associatedData(adParam, r.header), e.associated_data)
        eq('ciphertext', r.ciphertext, e.ciphertext)
        eq('chain key out', _stateSecrets(r.state).sendingChainKey, kdf.chain_key_out!)
        states[e.sender] = r.state
        sent.set(e.message_id, {
          header: { dh: fromHex(e.header.dh), n: e.header.n, pn: e.header.pn },
          ciphertext: fromHex(e.ciphertext),
          ad: adParam,
        })
        continue
      }

      const msg = sent.get(e.message_id)
      if (msg === undefined) throw new Error('message never sent')
      const before = states[e.receiver]
      const decryptOp = e.trace.find((t) => t.op === 'Decrypt')
      if (decryptOp !== undefined) {
        eq('associated_data', associatedData(msg.ad, msg.header), decryptOp.associated_data!)
      }

      if (received.has(e.message_id)) {
        // The reference decrypts a duplicate again from its store (vector: from_message_key_store
        // = true); we deleted the key when it was used, so DUPLICATE is the expected outcome.
        const snapshot = serialize(before)
        try {
          decrypt(before, msg.header, msg.ciphertext, msg.ad)
          throw new Error('duplicate decrypted; expected DUPLICATE (used keys are deleted)')
        } catch (err) {
          if (!isPfsError(err, 'DUPLICATE')) throw err
        }
        check('state changed by a rejected duplicate', bytesEqual(serialize(before), snapshot))
        continue
      }

      const scripted = e.trace.filter((t) => t.op === 'GenerateDH' && t.party === e.receiver)
      let used = 0
      const r = decrypt(before, msg.header, msg.ciphertext, msg.ad, {
        nextKeyPair: () => {
          const t = scripted[used++]
          if (t === undefined) throw new Error('unscripted ratchet key requested')
          return keyPair(crypto, dh, t.private!, t.public!)
        },
      })
      eq('plaintext', r.plaintext, e.plaintext)
      const oldDhr = before.remoteRatchetPublicKey
      const newDhr = r.state.remoteRatchetPublicKey!
      const stepped = oldDhr === undefined || !bytesEqual(oldDhr, newDhr)
      check(`dh_ratchet_step ${stepped} != ${e.dh_ratchet_step}`, stepped === e.dh_ratchet_step)
      check(`${used} scripted keys used of ${scripted.length}`, used === scripted.length)
      check('ratchet key used iff DH step', (used === 1) === e.dh_ratchet_step)
      const fromStore =
        !stepped &&
        r.state.receiveCount === before.receiveCount &&
        r.state.skippedKeyCount === before.skippedKeyCount - 1
      check(
        `from_message_key_store ${fromStore} != ${e.from_message_key_store}`,
        fromStore === e.from_message_key_store,
      )
      const after = _stateSecrets(r.state)
      const kdfRk = last(e.trace, 'KdfRK')
      if (kdfRk !== undefined) {
        eq('root key', after.rootKey, kdfRk.root_key_out!)
        eq('sending chain key', after.sendingChainKey, kdfRk.chain_key_out!)
      }
      const kdfCk = last(e.trace, 'KdfCK')
      if (kdfCk !== undefined)
        eq('receiving chain key', after.receivingChainKey, kdfCk.chain_key_out!)
      states[e.receiver] = r.state
      received.add(e.message_id)
    } catch (err) {
      throw new Error(`${at}: ${(err as Error).message}`, { cause: err })
    }
  }
}

export default function ratchet(json: unknown): CaseResult[] {
  const cases = (json as { cases: Case[] }).cases
  return cases.map((c) => {
    const errors: string[] = []
    for (const [name, crypto] of Object.entries(providers)) {
      try {
        runSession(c, crypto)
      } catch (err) {
        errors.push(`${name}: ${(err as Error).message}`)
      }
    }
    return errors.length === 0
      ? { name: c.session.name }
      : { name: c.session.name, error: errors.join('; ') }
  })
}
