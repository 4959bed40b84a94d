/**
 * The demo story (issue 7, "status-pfs demo"; whitepaper §1.5 user flows, §2.3 bundle exchange,
 * §4 multi-device): accounts, a contact request by chat key upgraded to PFS by the answer, a
 * paired second device, a lossy network healed by the store node, a signed-prekey rotation, an
 * account recovered on a new device, a store node serving a device that was offline, and a stale
 * device. Every claim the transcript makes is a check; the run passes only if all hold.
 *
 * @module
 */
import { isPfsError } from '../../errors.ts'
import type { MessengerStats } from '../../messenger/index.ts'
import { describeError } from '../errors.ts'
import { terminalQr } from '../qr.ts'
import { shortKey } from '../present.ts'
import { Cast } from './cast.ts'
import type { Device } from './cast.ts'
import type { Transcript } from './transcript.ts'

const HOUR = 3600_000
const DAY = 24 * HOUR

export interface StoryOptions {
  readonly seed: number
  /** Draw the QR code of Bob's contact code. */
  readonly qr: boolean
}

export interface StorySummary {
  readonly sent: number
  readonly delivered: number
  readonly pfsShare: number
  readonly sessions: number
  readonly devices: number
  readonly perDevice: Record<string, MessengerStats>
  readonly network: ReturnType<Cast['net']['stats']>
}

/** Texts received by `d` from `from`, in arrival order. */
function textsFrom(d: Device, from: string, since = 0): string[] {
  return d.messages
    .slice(since)
    .filter((m) => m.from === from && !m.outgoing)
    .map((m) => m.text)
}

/** True when every text of `sent` arrived exactly once in `got`. */
function exactlyOnce(sent: readonly string[], got: readonly string[]): boolean {
  if (got.length !== sent.length) return false
  const counts = new Map<string, number>()
  for (const g of got) counts.set(g, (counts.get(g) ?? 0) + 1)
  return sent.every((s) => counts.get(s) === 1)
}

/** True when `texts`, restricted to the members of `sent`, appear in `sent`'s order. */
function inOrder(sent: readonly string[], texts: readonly string[]): boolean {
  const set = new Set(sent)
  const seen = texts.filter((t) => set.has(t))
  return seen.every((t, i) => t === sent[i])
}

export async function runStory(t: Transcript, opts: StoryOptions): Promise<StorySummary> {
  const cast = new Cast(opts.seed)
  const s = t.style
  const { net } = cast
  try {
    await tell(t, cast, opts)
  } catch (e) {
    const { code, message } = describeError(e)
    t.check('the story ran to the end', false, `${code}: ${message}`)
  } finally {
    await cast.settle().catch(() => undefined)
  }

  // Summary ------------------------------------------------------------------------------------
  t.section('Summary')
  const perDevice: Record<string, MessengerStats> = {}
  const rows: string[][] = []
  const total = { sent: 0, received: 0, pfs: 0, sessions: 0, devices: 0, fail: 0, dup: 0 }
  for (const d of cast.devices) {
    const st = d.m.stats()
    perDevice[d.label] = st
    total.sent += st.sent
    total.received += st.received
    total.pfs += st.pfsReceived
    total.sessions += st.sessions
    total.devices += 1
    total.fail += st.decryptionFailures
    total.dup += st.duplicatesDropped
    rows.push([
      d.label,
      String(st.sent),
      String(st.received),
      pct(st.pfsReceived, st.received),
      String(st.sessions),
      String(st.devices),
      String(st.decryptionFailures),
      String(st.duplicatesDropped),
    ])
  }
  rows.push([
    s.bold('total'),
    String(total.sent),
    String(total.received),
    pct(total.pfs, total.received),
    String(total.sessions),
    String(total.devices),
    String(total.fail),
    String(total.dup),
  ])
  t.table(
    ['device', 'sent', 'delivered', 'PFS', 'sessions', 'devices', 'decrypt fails', 'dups dropped'],
    rows,
  )
  const ns = net.stats()
  t.say()
  t.say(
    `   network: ${ns.published} envelopes published, ${ns.lost} copies lost, ` +
      `${ns.duplicated} duplicated, ${ns.reorderDelayed} reordered; ` +
      `store node holds ${cast.archive.count()} envelopes, answered ${ns.queries} queries`,
  )
  await cast.close()
  return {
    sent: total.sent,
    delivered: total.received,
    pfsShare: total.received === 0 ? 0 : total.pfs / total.received,
    sessions: total.sessions,
    devices: total.devices,
    perDevice,
    network: ns,
  }
}

function pct(n: number, d: number): string {
  return d === 0 ? '-' : `${Math.round((100 * n) / d)}%`
}

async function tell(t: Transcript, cast: Cast, opts: StoryOptions): Promise<void> {
  const s = t.style
  const { net } = cast

  // 1. Accounts ---------------------------------------------------------------------------------
  t.section('Alice and Bob create accounts')
  const alice = await cast.create('Alice laptop', 'alice-laptop', 'Alice laptop')
  const bob = await cast.create('Bob phone', 'bob-phone', 'Bob phone')
  for (const d of [alice, bob]) {
    t.say(`   ${s.bold(d.m.name)}  ${d.m.emojiHash}`)
    t.say(`     chat key ${shortKey(d.m.publicKey)}  ${d.m.compressedKey}`)
    t.say(`     ${d.m.shareUrl}`)
  }
  const alicePhrase = alice.m.phrase ?? ''
  const bobPhrase = bob.m.phrase ?? ''
  t.check(
    'each account has a 12-word recovery phrase',
    alicePhrase.split(' ').length === 12 && bobPhrase.split(' ').length === 12,
  )
  t.check('their chat keys differ', alice.m.publicKey !== bob.m.publicKey)
  t.check(
    'emoji hashes have 14 emoji',
    [...new Intl.Segmenter().segment(alice.m.emojiHash)].length === 14,
  )
  const bobCode = bob.m.contactCode()
  t.say(`   Bob's contact code (${bobCode.length} chars) carries his signed prekey bundle:`)
  if (opts.qr) for (const line of terminalQr(bobCode).split('\n')) t.say(`   ${line}`)
  t.say(`   ${bobCode.slice(0, 40)}…`)

  // 2. Contact request by chat key, upgraded to PFS ---------------------------------------------
  t.section('Alice adds Bob by chat key only; his answer upgrades the chat to PFS')
  // Without the advertisement lookup (which would find Bob's bundle on the store node and give
  // PFS at once, issue 12), to show the whitepaper's no-bundle path (§2.3, DH header).
  const req = await alice.m.addContact(bob.m.publicKey, 'Hi Bob, it is Alice!', { lookup: false })
  t.say(
    `   (Alice skips looking up Bob's advertised bundle, as a client offline from store nodes would)`,
  )
  t.say(`   Alice → Bob: contact request [${req.pfs ? 'pfs' : 'no-pfs'}], sent with a DH header`)
  t.check('a request by chat key alone is not PFS (no bundle known)', !req.pfs)
  await cast.settle()
  const incoming = bob.requests.find((r) => r.publicKey === alice.m.publicKey)
  t.check('Bob sees the request, marked no-pfs', incoming !== undefined && !incoming.pfs)
  if (incoming === undefined) throw new Error('contact request did not arrive')
  t.say(`   Bob sees "${incoming.text ?? ''}" from ${incoming.name}; he accepts`)
  await incoming.accept()
  await cast.settle()
  const bobHi = await bob.m.send(alice.m.publicKey, 'Hi Alice, welcome!')
  await cast.settle()
  t.check("Bob's answer travels in a Double Ratchet session (PFS)", bobHi.pfs)
  const aliceGot = alice.messages.find((m) => m.text === 'Hi Alice, welcome!')
  t.check('Alice receives it, as PFS', aliceGot !== undefined && aliceGot.pfs)
  const aliceNext = await alice.m.send(bob.m.publicKey, 'Great, we are on PFS now.')
  await cast.settle()
  t.check("Alice's next message is PFS too (she has Bob's bundle now)", aliceNext.pfs)
  const contact = alice.m.contacts().find((c) => c.publicKey === bob.m.publicKey)
  t.check('they are mutual contacts', contact?.state === 'mutual')

  // 3. Bob pairs a second device ----------------------------------------------------------------
  t.section('Bob pairs a second device')
  const bob2 = await cast.recover('Bob laptop', 'bob-laptop', 'Bob laptop', bobPhrase)
  t.say(`   Bob sets up his account on his laptop: installation ${bob2.m.installationId}`)
  await bob2.m.advertise()
  await cast.settle()
  t.check(
    "Bob's phone is asked to confirm the new device",
    bob.ownDevicesAdded.includes(bob2.m.installationId),
  )
  await pair(bob, bob2)
  await cast.settle()
  t.say('   Bob confirms the pairing on both devices')
  const paired = bob.m.devices().find((d) => d.installationId === bob2.m.installationId)
  t.check('the laptop is an enabled device of Bob', paired?.enabled === true)
  await bob.m.send(alice.m.publicKey, 'I have a laptop now.')
  await cast.settle()
  t.check(
    "the laptop gets a copy of what Bob's phone sends",
    bob2.messages.some((m) => m.outgoing && m.text === 'I have a laptop now.'),
  )
  const fan = await alice.m.send(bob.m.publicKey, 'Hello to both your devices!')
  await cast.settle()
  t.say(`   Alice's message is encrypted for ${fan.devices} of Bob's devices`)
  t.check("Alice encrypts for both of Bob's devices", fan.devices === 2)
  const held = bob2.requests.some((r) => r.publicKey === alice.m.publicKey)
  if (held) {
    t.say(
      "   the laptop has no contact list yet, so it holds Alice's message as a contact request;",
    )
    t.say('   Bob accepts it there')
    await acceptFrom(bob2, alice.m.publicKey)
    await cast.settle()
  }
  t.check(
    "both of Bob's devices receive it",
    [bob, bob2].every((d) => received(d, 'Hello to both your devices!')),
  )

  // 4. A lossy network ----------------------------------------------------------------------------
  t.section('A lossy network: loss, reordering, duplication; the store node fills the gaps')
  net.setFaults({
    loss: 0.25,
    duplicate: 0.2,
    reorder: 0.3,
    reorderDelayMs: 250,
    delay: { kind: 'uniform', minMs: 5, maxMs: 60 },
  })
  net.resetStats()
  const fromAlice: string[] = []
  const fromBob: string[] = []
  const marks = new Map(cast.devices.map((d) => [d, d.messages.length]))
  for (let i = 1; i <= 10; i++) {
    const a = `Alice #${i}`
    const b = `Bob #${i}`
    fromAlice.push(a)
    fromBob.push(b)
    await alice.m.send(bob.m.publicKey, a)
    await net.advance(20)
    await bob.m.send(alice.m.publicKey, b)
    await net.advance(20)
  }
  await cast.settle()
  const lossy = net.stats()
  t.say(
    `   ${lossy.copies} copies: ${lossy.lost} lost, ${lossy.duplicated} duplicated, ` +
      `${lossy.reorderDelayed} held back (${lossy.outOfOrder} arrived out of order)`,
  )
  const before = textsFrom(bob, alice.m.publicKey, marks.get(bob)).length
  t.say(`   before sync Bob's phone has ${before}/10 of Alice's messages`)
  net.setFaults({})
  for (const d of [alice, bob, bob2]) await d.m.sync()
  await cast.settle()
  for (const [d, sender, sent] of [
    [bob, alice, fromAlice],
    [bob2, alice, fromAlice],
    [alice, bob, fromBob],
  ] as const) {
    const got = textsFrom(d, sender.m.publicKey, marks.get(d))
    t.check(
      `${d.label}: all 10 messages arrive exactly once after sync`,
      exactlyOnce(sent, got),
      `${got.length} delivered`,
    )
    const history = d.m.messages(sender.m.publicKey).map((m) => m.text)
    t.check(`${d.label}: the chat history is in send order`, inOrder(sent, history))
  }
  const copies = bob2.messages.filter((m) => m.outgoing).length
  t.say(`   Bob's laptop also received ${copies} copies of what his phone sent (device sync)`)

  // 5. Bundle rotation ----------------------------------------------------------------------------
  t.section("A day later Bob's signed prekey rotates (re-key)")
  const codeBefore = bob.m.contactCode()
  const sessionsBefore = alice.m.stats().sessions
  await cast.advance(25 * HOUR)
  t.say('   (simulated clock +25 h; signed prekeys rotate every 24 h)')
  const rot = await bob.m.send(alice.m.publicKey, 'New day, new prekey.')
  await cast.settle()
  const codeAfter = bob.m.contactCode()
  t.check("Bob's bundle changed (new signed prekey)", codeAfter !== codeBefore)
  const reply = await alice.m.send(bob.m.publicKey, 'Got it, re-keyed.')
  await cast.settle()
  t.say(
    `   Alice's sessions: ${sessionsBefore} → ${alice.m.stats().sessions}; ` +
      `messages stay PFS (${rot.pfs && reply.pfs ? 'yes' : 'no'})`,
  )
  t.check(
    'messages after the rotation are PFS and arrive',
    rot.pfs && reply.pfs && bob.messages.some((m) => m.text === 'Got it, re-keyed.'),
  )

  // 6. Recovery on a new device -------------------------------------------------------------------
  t.section('Alice loses her laptop and recovers her account on a new one')
  net.setOnline('alice-laptop', false)
  const alice2 = await cast.recover(
    'Alice new laptop',
    'alice-new-laptop',
    'Alice laptop',
    alicePhrase,
    alice.m.installationId,
  )
  t.say('   from her 12-word phrase, restoring her installation; its sessions are gone')
  t.check('the recovered account has the same chat key', alice2.m.publicKey === alice.m.publicKey)
  await bob.m.send(alice.m.publicKey, 'Are you there, Alice?')
  await cast.settle()
  const failure = alice2.failures[0]
  t.say(`   Bob's next message cannot be decrypted: decryptionFailed (${failure?.code ?? 'none'})`)
  t.check('the new laptop reports decryptionFailed', failure !== undefined)
  for (const f of alice2.failures.splice(0)) await f.reestablish()
  await cast.settle()
  t.say('   it re-establishes: new sessions with Bob, and sends him its bundle')
  await sendOrAdd(alice2, bob.m.publicKey, 'Sorry, new laptop. Please resend?', t)
  await cast.settle()
  t.check(
    "Bob receives the new laptop's message",
    [bob, bob2].every((d) => received(d, 'Sorry, new laptop. Please resend?')),
  )
  const again = await bob.m.send(alice.m.publicKey, 'Are you there, Alice? (again)')
  await cast.settle()
  t.check(
    'the conversation continues, with PFS',
    again.pfs && received(alice2, 'Are you there, Alice? (again)'),
  )

  // 7. Store node serves an offline device --------------------------------------------------------
  t.section("Bob's laptop is offline; the store node serves it when it returns")
  net.setOnline('bob-laptop', false)
  const mark = bob2.messages.length
  const offlineTexts: string[] = []
  for (let i = 1; i <= 12; i++) {
    const text = `While you were away #${i}`
    offlineTexts.push(text)
    await sendOrAdd(alice2, bob.m.publicKey, text, t)
    await net.advance(50)
  }
  await cast.settle()
  t.say(
    `   12 messages sent while the laptop was offline; it received ${bob2.messages.length - mark}`,
  )
  net.setOnline('bob-laptop', true)
  let last = { done: 0, total: 0 }
  const result = await bob2.m.sync({
    onProgress: (p) => {
      last = { done: p.processed, total: p.total ?? Math.max(p.fetched, p.processed) }
      t.progress('syncing', last.done, last.total)
    },
  })
  await cast.settle()
  t.progress('syncing', result.fetched, result.fetched, true)
  const synced = textsFrom(bob2, alice.m.publicKey, mark).filter((x) => offlineTexts.includes(x))
  t.check(
    'the laptop gets all 12, exactly once',
    exactlyOnce(offlineTexts, synced),
    `${synced.length} delivered`,
  )
  const shown = bob2.m.messages(alice.m.publicKey).map((m) => m.text)
  t.check('and shown in the order they were sent (Lamport clock)', inOrder(offlineTexts, shown))

  // 8. A stale device ---------------------------------------------------------------------------------
  t.section('Alice starts using a phone; after 7 quiet days her laptop is stale')
  const phone = await cast.recover('Alice phone', 'alice-phone', 'Alice phone', alicePhrase)
  await cast.settle()
  t.say(`   a new installation ${phone.m.installationId}, not paired with the laptop`)
  await bob.m.send(alice.m.publicKey, 'Hi to your phone too.')
  await cast.settle()
  await acceptFrom(phone, bob.m.publicKey)
  await cast.settle()
  t.check("Bob's messages reach the phone", received(phone, 'Hi to your phone too.'))
  net.setOnline('alice-new-laptop', false)
  await cast.advance(8 * DAY)
  t.say('   (simulated clock +8 days; Alice uses only her phone)')
  await sendOrAdd(phone, bob.m.publicKey, 'Still here, on my phone.', t)
  await cast.settle()
  const late = await bob.m.send(alice.m.publicKey, 'Good to hear.')
  await cast.settle()
  const laptop = bob.m
    .peerDevices(alice.m.publicKey)
    .find((d) => d.installationId === alice2.m.installationId)
  t.check("Bob sees Alice's laptop as stale", laptop?.stale === true)
  t.say(`   Bob's reply is encrypted for ${late.devices} of Alice's devices`)
  t.check('Bob no longer encrypts for the stale laptop', late.devices === 1)
  t.check('the phone still receives', received(phone, 'Good to hear.'))
}

/** Confirms the pairing both ways (whitepaper §4: each device enables the other). */
async function pair(a: Device, b: Device): Promise<void> {
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    const d = x.m.devices().find((i) => i.installationId === y.m.installationId)
    if (d !== undefined && !d.enabled) await x.m.enableDevice(y.m.installationId)
  }
}

/** Accepts every pending contact request `d` holds from `publicKey`. */
async function acceptFrom(d: Device, publicKey: string): Promise<void> {
  const pending = d.m
    .contactRequests()
    .filter((r) => r.publicKey === publicKey && r.direction === 'incoming' && r.state === 'pending')
  if (pending.length > 0) await d.m.acceptContact(publicKey)
}

/** True when `text` reached `d`: as a chat message, or held in a contact request. */
function received(d: Device, text: string): boolean {
  return d.messages.some((m) => m.text === text) || d.requests.some((r) => r.text === text)
}

/** Sends, or, when the new device does not know the contact yet, re-adds it first. */
async function sendOrAdd(d: Device, to: string, text: string, t: Transcript): Promise<void> {
  try {
    await d.m.send(to, text)
  } catch (e) {
    if (!isPfsError(e)) throw e
    const code: string = e.code
    if (code !== 'UNKNOWN_CONTACT') throw e
    t.say(t.style.dim(`   (${d.label} does not have the contact yet: it sends a contact request)`))
    await d.m.addContact(to, text)
  }
}
