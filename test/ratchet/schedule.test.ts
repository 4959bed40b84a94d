/**
 * Model-based property test of the ratchet (STYLE.md §8): random schedules of sends in both
 * directions over a network that loses, reorders and duplicates, within the limits (gaps far below
 * MAX_SKIP, fewer chains than MAX_PREVIOUS_CHAINS). Invariants: every message delivered for the
 * first time decrypts, exactly once, to what was sent; every re-delivery is `DUPLICATE` and leaves
 * the state as it was; at the end everything still in flight decrypts. Serialization round-trips
 * at every step of one party (the state is persisted and reloaded between messages).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { bytesEqual, utf8 } from '../../src/crypto/index.ts'
import { decrypt, deserialize, encrypt, serialize } from '../../src/ratchet/index.ts'
import type { DhName, Header, RatchetState } from '../../src/ratchet/index.ts'
import { DH_NAMES, SEED, codeOf, newPair } from './helpers.ts'

type Op =
  | { readonly kind: 'send'; readonly from: 0 | 1; readonly ad: boolean }
  | { readonly kind: 'deliver' | 'drop' | 'redeliver'; readonly pick: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      from: fc.constantFrom(0 as const, 1 as const),
      ad: fc.boolean(),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redeliver' as const), pick: fc.nat() }) },
)

interface Msg {
  readonly id: number
  readonly to: 0 | 1
  readonly header: Header
  readonly ciphertext: Uint8Array
  readonly ad: Uint8Array
  readonly plaintext: Uint8Array
}

function run(dh: DhName, ops: readonly Op[]): void {
  const { alice, bob } = newPair(dh)
  const states: [RatchetState, RatchetState] = [alice, bob]
  const inFlight: Msg[] = []
  const delivered: Msg[] = []
  let nextId = 0

  const receive = (m: Msg): void => {
    const before = states[m.to]
    const r = decrypt(before, m.header, m.ciphertext, m.ad)
    assert.ok(bytesEqual(r.plaintext, m.plaintext), `message ${m.id} decrypted to the wrong bytes`)
    // Bob's state goes through storage between messages, as a store would do it.
    states[m.to] = m.to === 1 ? deserialize(serialize(r.state), { crypto: before.crypto }) : r.state
    delivered.push(m)
  }

  for (const op of ops) {
    if (op.kind === 'send') {
      const id = nextId++
      const plaintext = utf8(`message ${id} from ${op.from === 0 ? 'alice' : 'bob'}`)
      const ad = op.ad ? utf8(`ad ${id}`) : new Uint8Array(0)
      const r = encrypt(states[op.from], plaintext, ad)
      states[op.from] = r.state
      inFlight.push({
        id,
        to: op.from === 0 ? 1 : 0,
        header: r.header,
        ciphertext: r.ciphertext,
        ad,
        plaintext,
      })
    } else if (op.kind === 'deliver' && inFlight.length > 0) {
      receive(inFlight.splice(op.pick % inFlight.length, 1)[0]!)
    } else if (op.kind === 'drop' && inFlight.length > 0) {
      inFlight.splice(op.pick % inFlight.length, 1)
    } else if (op.kind === 'redeliver' && delivered.length > 0) {
      const m = delivered[op.pick % delivered.length]!
      const before = serialize(states[m.to])
      assert.equal(
        codeOf(() => decrypt(states[m.to], m.header, m.ciphertext, m.ad)),
        'DUPLICATE',
      )
      assert.ok(bytesEqual(serialize(states[m.to]), before))
    }
  }
  // Whatever was delayed but not lost still decrypts, in any order.
  for (const m of inFlight) receive(m)
}

for (const dh of DH_NAMES) {
  test(`${dh}: random schedules with loss, reordering and duplication (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => run(dh, ops)),
      { seed: SEED, numRuns: 300 },
    )
  })
}
