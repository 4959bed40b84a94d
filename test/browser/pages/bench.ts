/**
 * Browser page code: the ratchet benchmarks of bench/ratchet.ts (one-way: messages of 100 B in a
 * row, each encrypted then decrypted; ping-pong: alternating direction, a DH ratchet step each)
 * under the `portable` provider, for both DH functions, imported from the browser entry point;
 * and `IndexedDbStore` commits: one per task with a flush after each (a message handled and made
 * durable before the next), many in one task, and reopening (replaying) the result.
 *
 * @module
 */
import { IndexedDbStore, portable, ratchet } from '../../../src/browser.ts'
import type { CryptoProvider } from '../../../src/browser.ts'
import { BOB, b, installation, message, session } from '../../store/contract.ts'

type DhName = 'secp256k1' | 'x25519'
const PAYLOAD = new Uint8Array(100).fill(0x61)

function keyPair(dh: DhName, crypto: CryptoProvider): ratchet.RatchetKeyPair {
  if (dh === 'secp256k1') return crypto.generateKeyPair()
  const privateKey = crypto.x25519GeneratePrivateKey()
  return { privateKey, publicKey: crypto.x25519PublicKey(privateKey) }
}

function newSession(dh: DhName): [ratchet.RatchetState, ratchet.RatchetState] {
  const sk = portable.randomBytes(32)
  const spk = keyPair(dh, portable)
  return [
    ratchet.initiator(sk, spk.publicKey, { dh, crypto: portable }),
    ratchet.responder(sk, spk, { dh, crypto: portable }),
  ]
}

function perSecond(count: number, fn: () => void): number {
  const t0 = performance.now()
  fn()
  return count / ((performance.now() - t0) / 1000)
}

function oneWay(dh: DhName, count: number): number {
  let [alice, bob] = newSession(dh)
  return perSecond(count, () => {
    for (let i = 0; i < count; i++) {
      const m = ratchet.encrypt(alice, PAYLOAD)
      alice = m.state
      bob = ratchet.decrypt(bob, m.header, m.ciphertext).state
    }
  })
}

function pingPong(dh: DhName, count: number): number {
  const s = newSession(dh)
  return perSecond(count, () => {
    for (let i = 0; i < count; i++) {
      const from = i & 1
      const m = ratchet.encrypt(s[from]!, PAYLOAD)
      s[from] = m.state
      s[from ^ 1] = ratchet.decrypt(s[from ^ 1]!, m.header, m.ciphertext).state
    }
  })
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  return s[Math.floor(s.length / 2)]!
}

/** Median msg/s over `rounds` rounds, per DH function. */
export function benchRatchet(
  oneWayCount = 10_000,
  pingPongCount = 2_000,
  rounds = 3,
): Record<DhName, { oneWay: number; pingPong: number }> {
  const out = {} as Record<DhName, { oneWay: number; pingPong: number }>
  for (const dh of ['secp256k1', 'x25519'] as const) {
    oneWay(dh, 200) // warm-up
    pingPong(dh, 50)
    out[dh] = {
      oneWay: median(Array.from({ length: rounds }, () => oneWay(dh, oneWayCount))),
      pingPong: median(Array.from({ length: rounds }, () => pingPong(dh, pingPongCount))),
    }
  }
  return out
}

/** One handled message's writes: ratchet state (512 B), the message, the used key. */
function handle(s: IndexedDbStore, i: number, state: Uint8Array): void {
  s.transaction(() => {
    s.updateSessionState(b(1), state)
    s.addMessage(message(`m-${i}`, { sentAt: i }))
    s.takeSkippedKey(b(4), i)
  })
}

/** Bytes the origin uses on disk, as the browser estimates them (LevelDB files for IndexedDB). */
async function usage(): Promise<number> {
  const storage = (
    globalThis as { navigator?: { storage?: { estimate(): Promise<{ usage?: number }> } } }
  ).navigator?.storage
  return (await storage?.estimate())?.usage ?? Number.NaN
}

/** IndexedDbStore figures, each with `count` handled messages. */
export async function benchStore(count = 500): Promise<Record<string, number>> {
  const state = new Uint8Array(512).fill(3)
  const out: Record<string, number> = {}
  for (const durability of ['strict', 'relaxed'] as const) {
    const name = `bench-${durability}`
    await IndexedDbStore.deleteDatabase(name)
    const used = await usage()
    const s = await IndexedDbStore.open(name, { durability })
    s.putInstallation(installation(BOB, 'bob-1'))
    s.putSession(session(b(1), BOB, 'bob-1', b(3)))
    let t0 = performance.now()
    for (let i = 0; i < count; i++) {
      handle(s, i, state)
      await s.flush()
    }
    out[`${durability}: durable commits/s (flush after each)`] =
      count / ((performance.now() - t0) / 1000)
    t0 = performance.now()
    for (let i = count; i < 2 * count; i++) handle(s, i, state)
    await s.flush()
    out[`${durability}: commits/s (${count} in one task, one flush)`] =
      count / ((performance.now() - t0) / 1000)
    s.close()
    await s.flush()
    // Only the first database of the profile: deleted ones linger in the estimate until LevelDB
    // compacts them.
    if (durability === 'strict') {
      out['journal bytes per commit (storage estimate)'] = ((await usage()) - used) / (2 * count)
    }
    t0 = performance.now()
    const again = await IndexedDbStore.open(name)
    out[`${durability}: open ms (${2 * count + 2} commits replayed)`] = performance.now() - t0
    again.close()
    await again.flush()
    await IndexedDbStore.deleteDatabase(name)
  }
  return out
}
