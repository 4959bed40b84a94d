/**
 * The chaos simulator (issue 10): three people with two or three devices each exchange messages
 * over a `MemoryNetwork` with a seeded fault model — loss (recovered through the store node and
 * `sync()`), duplication, reordering, delays of up to hours, devices offline for hours or days,
 * pairing and removing devices, signed-prekey rotation (the clock passes days), one account
 * restored from its phrase on a wiped device, and device clocks skewed by minutes. The `Oracle`
 * decides what each device should have shown; `runSimulation` returns the counts and the faults.
 *
 * The simulator plays the app around each messenger: it syncs on reconnect and every half hour,
 * confirms pairing of its own devices and removes retired devices. Repairing undecryptable
 * messages is left to the messenger's `autoRepair`; with `appReestablish` the app also answers
 * `decryptionFailed` with `reestablish()` (at most once per peer per 10 minutes).
 *
 * Deterministic per seed: the fault model, the schedule and every key and nonce come from seeded
 * generators, and simulated time only moves when the simulator moves it.
 *
 * @module
 */
import { fromHex, toHex } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import { Messenger } from '../../src/messenger/index.ts'
import type { MessengerOptions } from '../../src/messenger/index.ts'
import { DEFAULT_MAX_INSTALLATIONS } from '../../src/protocol/index.ts'
import { MemoryStore } from '../../src/store/index.ts'
import { Prng, contactCodeTopic } from '../../src/transport/index.ts'
import type { NetworkStats } from '../../src/transport/index.ts'
import { Oracle } from './oracle.ts'
import type { DeviceFacts, OracleResult } from './oracle.ts'
import { seededBytes, seededProvider } from './seeded.ts'
import { World } from './world.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export interface SimOptions {
  readonly seed: number
  /** Chat messages to send. */
  readonly messages: number
  /** Per-copy loss probability; default 0.2. */
  readonly loss?: number
  /** Default 0.1. */
  readonly duplicate?: number
  /** Default 0.2. */
  readonly reorder?: number
  /** Device clocks are off by up to this much either way; default 2 minutes. */
  readonly maxSkewMs?: number
  /**
   * Envelope TTL, seconds; default 60 (geth's default is 50). PoW sealing costs ~TTL × size
   * keccak tries, so the messenger's 300 s default makes long runs five times slower.
   */
  readonly ttl?: number
  /** Progress lines. */
  readonly log?: (line: string) => void
  /** Logs the journey of this message's envelopes (e.g. `m88`). */
  readonly trace?: string
  /** How many faults the report lists; default 50. */
  readonly maxFaults?: number
  /**
   * The app also calls `reestablish()` on `decryptionFailed` (at most once per peer per 10
   * minutes), on top of the messenger's own `autoRepair`; default false.
   */
  readonly appReestablish?: boolean
  /** Every messenger runs with `negotiatedTopics: true` (sends on agreed negotiated topics). */
  readonly negotiatedTopics?: boolean
}

export interface SimReport extends OracleResult {
  readonly seed: number
  readonly simulatedHours: number
  readonly network: NetworkStats
  readonly scenario: {
    pairings: number
    removals: number
    recoveries: number
    offlinePeriods: number
    longOffline: number
    timeJumps: number
    longDelays: number
    reestablishments: number
    syncs: number
    sendFailures: number
  }
  readonly messenger: { decryptionFailures: number; duplicatesDropped: number; errors: number }
  /** Live copies a receiver refuses by its clock (dated > 10 s ahead, or past their expiry). */
  readonly liveDrops: { readonly future: number; readonly expired: number }
  /** Error codes of `error` events, counted. */
  readonly errorCodes: Readonly<Record<string, number>>
  /** True when nothing undecryptable-by-fault, duplicated or lost. */
  readonly ok: boolean
}

interface Person {
  readonly name: string
  readonly publicKey: string
  readonly phrase: string
  readonly devices: Device[]
  /** Contact-code topic (hex): advertisements, not chat messages. */
  readonly codeTopic: string
}

interface Device {
  readonly person: Person
  readonly facts: DeviceFacts
  readonly skewMs: number
  node: string
  messenger: Messenger
  retired: boolean
  offlineUntil: number | undefined
  lastSyncAt: number
  readonly reestablished: Map<string, number>
  /** Own installations removed while this device was offline: remove on reconnect. */
  readonly pendingRemovals: Set<string>
}

export async function runSimulation(options: SimOptions): Promise<SimReport> {
  return new Simulation(options).run()
}

class Simulation {
  readonly #o: SimOptions
  readonly #prng: Prng
  readonly #oracle = new Oracle()
  readonly #world: World
  readonly #people: Person[] = []
  readonly #pending = new Set<Promise<unknown>>()
  readonly #codeTopics = new Set<string>()
  readonly #errorCodes: Record<string, number> = {}
  readonly #startedAt: number
  #nodeCount = 0
  /** Envelopes with chat content sent by a restored device -> its installation id. */
  readonly #restoredChat = new Map<string, string>()
  readonly #traced = new Set<string>()
  readonly #scenario = {
    pairings: 0,
    removals: 0,
    recoveries: 0,
    offlinePeriods: 0,
    longOffline: 0,
    timeJumps: 0,
    longDelays: 0,
    reestablishments: 0,
    syncs: 0,
    sendFailures: 0,
  }
  readonly #closedStats = { decryptionFailures: 0, duplicatesDropped: 0 }

  constructor(options: SimOptions) {
    this.#o = options
    this.#prng = new Prng(`sim-schedule-${String(options.seed)}`)
    this.#world = new World(options.seed, (hash, text) => {
      this.#oracle.envelope(hash, text)
      if (text === options.trace) {
        this.#traced.add(hash)
        this.#log(`trace ${text}: published ${hash.slice(0, 8)} at ${this.#t()}`)
      }
    })
    this.#startedAt = this.#world.now()
    this.#world.onChatEnvelope = (node, hash) => {
      const d = this.#byNode(node)
      if (d?.facts.restoredAt !== undefined) this.#restoredChat.set(hash, d.facts.installationId)
    }
    this.#world.onHandled = (node, hash, fresh) => {
      const dev = this.#byNode(node)
      if (fresh && dev !== undefined) this.#oracle.handled(dev.facts.installationId, hash)
      if (this.#traced.has(hash))
        this.#log(`trace: ${node} handles ${hash.slice(0, 8)} at ${this.#t()}`)
      const from = this.#restoredChat.get(hash)
      const d = this.#byNode(node)
      if (from !== undefined && d !== undefined) {
        if (this.#o.trace !== undefined)
          this.#log(`${this.#t()} ${node} handles restored chat ${hash.slice(0, 8)}`)
        this.#oracle.heard(from, d.facts.installationId, this.#world.now())
      }
    }
  }

  #t(): string {
    return `${((this.#world.now() - this.#startedAt) / 1000).toFixed(1)} s`
  }

  #byNode(node: string): Device | undefined {
    for (const p of this.#people) for (const d of p.devices) if (d.node === node) return d
    return undefined
  }

  #log(line: string): void {
    this.#o.log?.(line)
  }

  #rand(n: number): number {
    return Math.floor(this.#prng.next() * n)
  }

  #pick<T>(list: readonly T[]): T | undefined {
    return list.length === 0 ? undefined : list[this.#rand(list.length)]
  }

  #background(p: Promise<unknown>): void {
    const tracked = p.catch((e: unknown) => {
      this.#countError(e)
    })
    this.#pending.add(tracked)
    void tracked.finally(() => this.#pending.delete(tracked))
  }

  #countError(e: unknown): void {
    const code = isPfsError(e) ? e.code : 'INTERNAL'
    this.#errorCodes[code] = (this.#errorCodes[code] ?? 0) + 1
  }

  async #drain(): Promise<void> {
    for (let i = 0; i < 5 && this.#pending.size > 0; i++) {
      await Promise.allSettled([...this.#pending])
      await this.#world.settle()
    }
  }

  // devices -----------------------------------------------------------------------------------

  #options(node: string, label: string, skewMs: number): MessengerOptions {
    const world = this.#world
    const seed = String(this.#o.seed)
    return {
      network: world.network(node, () => this.#codeTopics, skewMs),
      store: world.watch(node, new MemoryStore()),
      crypto: seededProvider(`sim-${seed}-crypto-${label}`),
      random: seededBytes(`sim-${seed}-random-${label}`),
      clock: () => world.now() + skewMs,
      deviceName: node,
      storeNodes: ['store'],
      ttl: this.#o.ttl ?? 60,
      negotiatedTopics: this.#o.negotiatedTopics === true,
    }
  }

  #skew(): number {
    const max = this.#o.maxSkewMs ?? 2 * MINUTE
    return Math.round((this.#prng.next() * 2 - 1) * max)
  }

  #wire(device: Device): void {
    const m = device.messenger
    const id = device.facts.installationId
    const current = () => this.#world.current(device.node)
    if (this.#o.trace !== undefined) {
      for (const ev of ['contactRequest', 'contactAccepted', 'deviceAdded', 'error'] as const) {
        m.on(ev, (e) => {
          const h = current()
          if (h !== undefined && this.#traced.has(h)) {
            this.#log(`trace: ${device.node} event ${ev} ${JSON.stringify(e)}`)
          }
        })
      }
    }
    m.on('message', (e) => {
      this.#oracle.shown(id, e.text)
      if (e.text === this.#o.trace) this.#log(`trace: shown on ${device.node} at ${this.#t()}`)
    })
    m.on('decryptionFailed', (e) => {
      this.#oracle.failure(id, current(), e.code)
      if (this.#o.trace !== undefined)
        this.#log(
          `${this.#t()} ${device.node} failed ${e.code} from ${e.installationId ?? ''} env ${current()?.slice(0, 8) ?? ''}`,
        )
      const now = this.#world.now()
      const last = device.reestablished.get(e.from) ?? -Infinity
      if (this.#o.appReestablish === true && now - last >= 10 * MINUTE && !device.retired) {
        device.reestablished.set(e.from, now)
        this.#scenario.reestablishments++
        this.#background(e.reestablish())
      }
    })
    m.on('partitionedDevice', () => {
      this.#oracle.failure(id, current(), 'PARTITIONED')
    })
    m.on('error', (e) => {
      this.#errorCodes[e.code] = (this.#errorCodes[e.code] ?? 0) + 1
      this.#oracle.failure(id, current(), e.code)
    })
    m.on('deviceAdded', (e) => {
      if (!e.own || e.enabled || device.retired) return
      if (this.#isRetired(device.person, e.installationId)) return
      this.#background(m.enableDevice(e.installationId))
    })
    m.on('contactRequest', (e) => {
      // A device that has not added the person yet (paired or restored since): it is a contact.
      if (this.#people.some((p) => p.publicKey === e.publicKey)) this.#background(e.accept())
    })
  }

  #isRetired(person: Person, installationId: string): boolean {
    return person.devices.some((d) => d.facts.installationId === installationId && d.retired)
  }

  #newDevice(person: Person, messenger: Messenger, node: string, skewMs: number): Device {
    const device: Device = {
      person,
      facts: this.#oracle.device({
        installationId: messenger.installationId,
        person: person.name,
        name: node,
      }),
      skewMs,
      node,
      messenger,
      retired: false,
      offlineUntil: undefined,
      lastSyncAt: this.#world.now(),
      reestablished: new Map(),
      pendingRemovals: new Set(),
    }
    person.devices.push(device)
    this.#wire(device)
    return device
  }

  #nodeName(person: string): string {
    this.#nodeCount++
    return `${person}-${String(this.#nodeCount)}`
  }

  async #createPerson(name: string): Promise<Person> {
    const node = this.#nodeName(name)
    const skew = this.#skew()
    const m = await Messenger.create(this.#options(node, node, skew))
    const person: Person = {
      name,
      publicKey: m.publicKey,
      phrase: m.phrase!,
      devices: [],
      codeTopic: toHex(contactCodeTopic(fromHex(m.publicKey))),
    }
    this.#codeTopics.add(person.codeTopic)
    this.#newDevice(person, m, node, skew)
    return person
  }

  /** A new installation of `person` (whitepaper §4.4), paired with the others, contacts added. */
  async #pair(person: Person): Promise<Device> {
    const node = this.#nodeName(person.name)
    const skew = this.#skew()
    const m = await Messenger.recover({ ...this.#options(node, node, skew), phrase: person.phrase })
    const device = this.#newDevice(person, m, node, skew)
    await this.#addContacts(device)
    this.#scenario.pairings++
    return device
  }

  /** What a contact sync would do: the device sends contact requests to the person's contacts. */
  async #addContacts(device: Device): Promise<void> {
    for (const other of this.#people) {
      if (other === device.person) continue
      const src = other.devices.find((d) => !d.retired)
      if (src === undefined) continue
      this.#world.chatting = device.node
      try {
        await device.messenger.addContact(src.messenger.contactCode())
      } catch (e) {
        this.#countError(e)
      } finally {
        this.#world.chatting = undefined
      }
    }
  }

  #active(person: Person): Device[] {
    return person.devices.filter((d) => !d.retired)
  }

  #online(d: Device): boolean {
    return !d.retired && d.offlineUntil === undefined
  }

  async #sync(d: Device): Promise<void> {
    if (!this.#online(d)) return
    this.#scenario.syncs++
    d.lastSyncAt = this.#world.now()
    try {
      await d.messenger.sync()
    } catch (e) {
      this.#countError(e)
    }
    for (const id of [...d.pendingRemovals]) {
      d.pendingRemovals.delete(id)
      // The user removes what the device lists; one it never learnt needs nothing.
      if (!d.messenger.devices().some((x) => x.installationId === id)) continue
      try {
        await d.messenger.removeDevice(id)
      } catch (e) {
        this.#countError(e)
      }
    }
  }

  async #closeDevice(d: Device): Promise<void> {
    const s = d.messenger.stats()
    this.#closedStats.decryptionFailures += s.decryptionFailures
    this.#closedStats.duplicatesDropped += s.duplicatesDropped
    await d.messenger.close()
    this.#world.net.setOnline(d.node, false)
  }

  // scenario ----------------------------------------------------------------------------------

  async #setup(): Promise<void> {
    for (const name of ['alice', 'bob', 'carol']) this.#people.push(await this.#createPerson(name))
    await this.#world.advance(1000)
    // Contacts: everyone with everyone, through contact codes.
    const [a, b, c] = this.#people as [Person, Person, Person]
    for (const [x, y] of [
      [a, b],
      [a, c],
      [b, c],
    ] as const) {
      // The receiving app accepts (the `contactRequest` handler).
      await x.devices[0]!.messenger.addContact(y.devices[0]!.messenger.contactCode(), 'hi')
      await this.#world.advance(1000)
      await this.#drain()
      await this.#world.advance(1000)
    }
    // Second and third devices: alice 2, bob 3, carol 2.
    for (const [p, n] of [
      [a, 1],
      [b, 2],
      [c, 1],
    ] as const) {
      for (let i = 0; i < n; i++) {
        await this.#pair(p)
        await this.#world.advance(1000)
      }
    }
    await this.#drain()
    await this.#world.advance(5000)
    await this.#drain()
    // Past every clock skew, so that what was dated ahead is accepted, then everyone syncs.
    await this.#world.advance(2 * (this.#o.maxSkewMs ?? 2 * MINUTE) + MINUTE)
    for (let round = 0; round < 2; round++) {
      for (const p of this.#people) for (const d of p.devices) await this.#sync(d)
      await this.#drain()
      await this.#world.advance(1000)
    }
  }

  #faults(longDelay: boolean): void {
    this.#world.setFaults({
      loss: this.#o.loss ?? 0.2,
      duplicate: this.#o.duplicate ?? 0.1,
      reorder: longDelay ? 1 : (this.#o.reorder ?? 0.2),
      reorderDelayMs: longDelay ? HOUR + this.#rand(2 * HOUR) : 5000 + this.#rand(60_000),
      delay: { kind: 'exponential', meanMs: 500, maxMs: 30_000 },
    })
  }

  async #send(seq: number): Promise<void> {
    let senders = this.#people.flatMap((p) => p.devices.filter((d) => this.#online(d)))
    if (senders.length === 0) {
      // Everyone is offline: wait for the first device to come back.
      const back = Math.min(
        ...this.#people.flatMap((p) =>
          p.devices.filter((d) => !d.retired).map((d) => d.offlineUntil ?? Infinity),
        ),
      )
      this.#log(`${this.#t()} m${String(seq)}: no device online`)
      if (back === Infinity) return
      await this.#world.advance(Math.max(0, back - this.#world.now()))
      await this.#comeBack(false)
      senders = this.#people.flatMap((p) => p.devices.filter((d) => this.#online(d)))
    }
    const s = this.#pick(senders)
    if (s === undefined) return
    const to = this.#pick(this.#people.filter((p) => p !== s.person))!
    const text = `m${String(seq)}`
    // What the sender knows: peer and own installations it would encrypt for — enabled, not
    // stale, and at most DEFAULT_MAX_INSTALLATIONS per person, most recently active first
    // (whitepaper §4.2; both lists come in that order). A device beyond the cap is answered as
    // a partitioned device, like one the sender never learnt.
    const known = new Set<string>()
    const capped = (list: readonly { installationId: string }[]) =>
      list.slice(0, DEFAULT_MAX_INSTALLATIONS).map((d) => d.installationId)
    for (const id of capped(
      s.messenger.peerDevices(to.publicKey).filter((d) => d.enabled && !d.stale),
    )) {
      known.add(id)
    }
    for (const id of capped(
      s.messenger.devices().filter((d) => d.enabled && !d.stale && !d.current),
    )) {
      known.add(id)
    }
    const recipients = new Map<string, { known: boolean }>()
    for (const d of [...this.#active(to), ...this.#active(s.person).filter((x) => x !== s)]) {
      recipients.set(d.facts.installationId, { known: known.has(d.facts.installationId) })
    }
    const longDelay = this.#prng.chance(0.02)
    if (longDelay) this.#scenario.longDelays++
    this.#faults(longDelay)
    this.#world.sending = { node: s.node, text }
    this.#world.chatting = s.node
    if (this.#o.trace !== undefined) this.#log(`${this.#t()} send ${text} ${s.node} -> ${to.name}`)
    try {
      await s.messenger.send(to.publicKey, text)
      this.#oracle.sent({
        seq,
        text,
        from: s.facts.installationId,
        fromPerson: s.person.name,
        toPerson: to.name,
        sentAt: this.#world.now(),
        recipients,
      })
    } catch (e) {
      this.#scenario.sendFailures++
      this.#countError(e)
      this.#log(
        `send ${text} ${s.node} -> ${to.name} failed: ${isPfsError(e) ? e.code : String(e)}`,
      )
    } finally {
      this.#world.sending = undefined
      this.#world.chatting = undefined
    }
    this.#faults(false)
  }

  async #maybeGoOffline(): Promise<void> {
    if (!this.#prng.chance(0.01)) return
    const candidates = this.#people.flatMap((p) => p.devices.filter((d) => this.#online(d)))
    const d = this.#pick(candidates)
    if (d === undefined) return
    const long = this.#prng.chance(0.3)
    const ms = long ? DAY + this.#rand(2 * DAY) : HOUR + this.#rand(11 * HOUR)
    d.offlineUntil = this.#world.now() + ms
    this.#world.net.setOnline(d.node, false)
    this.#scenario.offlinePeriods++
    if (long) this.#scenario.longOffline++
    this.#log(`${this.#t()} ${d.node} offline for ${(ms / HOUR).toFixed(1)} h`)
    await Promise.resolve()
  }

  async #comeBack(final: boolean): Promise<void> {
    const now = this.#world.now()
    for (const p of this.#people) {
      for (const d of p.devices) {
        if (d.retired || d.offlineUntil === undefined || (!final && d.offlineUntil > now)) continue
        d.offlineUntil = undefined
        this.#world.net.setOnline(d.node, true)
        this.#log(`${this.#t()} ${d.node} back online`)
        await this.#sync(d)
      }
    }
  }

  async #maybePairOrRemove(): Promise<void> {
    if (!this.#prng.chance(0.006)) return
    const p = this.#pick(this.#people)!
    const active = this.#active(p)
    if (active.length < 3) {
      const d = await this.#pair(p)
      this.#log(`paired ${d.node} for ${p.name}`)
      return
    }
    // Remove one (never the only online one, never the restored one).
    const victim = this.#pick(active.filter((d) => d.facts.restoredAt === undefined).slice(1))
    if (victim === undefined) return
    victim.retired = true
    victim.facts.removedAt = this.#world.now()
    await this.#closeDevice(victim)
    this.#scenario.removals++
    for (const d of this.#active(p)) {
      if (this.#online(d)) {
        const id = victim.facts.installationId
        if (!d.messenger.devices().some((x) => x.installationId === id)) continue
        try {
          await d.messenger.removeDevice(id)
        } catch (e) {
          this.#countError(e)
        }
      } else d.pendingRemovals.add(victim.facts.installationId)
    }
    this.#log(`removed ${victim.node} of ${p.name}`)
  }

  /** Carol's first device loses its data and is restored from the phrase, same installation. */
  async #recover(): Promise<void> {
    const carol = this.#people[2]!
    const d = this.#active(carol)[0]!
    await this.#closeDevice(d)
    const node = this.#nodeName(carol.name)
    const skew = d.skewMs
    const m = await Messenger.recover({
      ...this.#options(node, `${node}-restored`, skew),
      phrase: carol.phrase,
      installationId: d.facts.installationId,
    })
    // Restoring happens on a device in use: it is online.
    d.offlineUntil = undefined
    d.node = node
    d.messenger = m
    d.facts.restoredAt = this.#world.now()
    this.#oracle.wiped(d.facts.installationId)
    d.reestablished.clear()
    this.#wire(d)
    await this.#addContacts(d)
    this.#scenario.recoveries++
    this.#log(`restored ${d.facts.installationId} of carol on ${node}`)
  }

  async run(): Promise<SimReport> {
    await this.#setup()
    this.#faults(false)
    const recoverAt = Math.floor(this.#o.messages / 2)
    for (let seq = 0; seq < this.#o.messages; seq++) {
      await this.#comeBack(false)
      for (const p of this.#people) {
        for (const d of p.devices) {
          if (this.#online(d) && this.#world.now() - d.lastSyncAt >= 30 * MINUTE)
            await this.#sync(d)
        }
      }
      if (seq === recoverAt) await this.#recover()
      await this.#maybeGoOffline()
      await this.#maybePairOrRemove()
      await this.#send(seq)
      await this.#drain()
      let gap = Math.min(Math.round(this.#prng.exponential(30_000)), 10 * MINUTE)
      if (this.#prng.chance(0.004)) {
        gap = 6 * HOUR + this.#rand(30 * HOUR)
        this.#scenario.timeJumps++
        this.#log(`time jump ${(gap / HOUR).toFixed(1)} h`)
      }
      await this.#world.advance(gap)
      if (seq % 500 === 499) this.#log(`${String(seq + 1)} messages`)
    }
    // Everyone back, everything in flight delivered, everyone syncs (twice: answers to failures).
    this.#faults(false)
    await this.#comeBack(true)
    const carol = this.#people[2]!
    const restored = carol.devices.find((d) => d.facts.restoredAt !== undefined)
    if (restored !== undefined) await this.#addContacts(restored)
    await this.#world.advance(4 * HOUR)
    await this.#drain()
    for (let round = 0; round < 3; round++) {
      for (const p of this.#people) for (const d of p.devices) await this.#sync(d)
      await this.#drain()
      await this.#world.advance(10 * MINUTE)
    }
    const report = this.#report()
    await this.#close()
    return report
  }

  #report(): SimReport {
    const totals = { ...this.#closedStats, errors: 0 }
    for (const p of this.#people) {
      for (const d of p.devices) {
        if (d.retired) continue
        const s = d.messenger.stats()
        if (this.#o.trace !== undefined) {
          const states = d.messenger.contacts().map((c) => {
            const who = this.#people.find((x) => x.publicKey === c.publicKey)?.name ?? '?'
            return `${who}:${c.state}`
          })
          this.#log(`${d.node} contacts ${states.join(' ')}`)
        }
        totals.decryptionFailures += s.decryptionFailures
        totals.duplicatesDropped += s.duplicatesDropped
        // Duplicates in the history the user scrolls through.
        for (const other of this.#people) {
          if (other === p) continue
          const counts = new Map<string, number>()
          for (const m of d.messenger.messages(other.publicKey)) {
            counts.set(m.text, (counts.get(m.text) ?? 0) + 1)
          }
          for (const [text, n] of counts) this.#oracle.history(d.facts.installationId, text, n)
        }
      }
    }
    totals.errors = Object.values(this.#errorCodes).reduce((a, b) => a + b, 0)
    const r = this.#oracle.result(this.#o.maxFaults ?? 50)
    const faults = Object.values(r.undecryptable).reduce((a, b) => a + b, 0)
    return {
      seed: this.#o.seed,
      ...r,
      simulatedHours: Math.round((this.#world.now() - this.#startedAt) / HOUR),
      network: this.#world.net.stats(),
      scenario: { ...this.#scenario },
      messenger: totals,
      liveDrops: this.#world.liveDrops(),
      errorCodes: { ...this.#errorCodes },
      ok: faults === 0 && r.duplicatesShown === 0 && r.lost === 0,
    }
  }

  async #close(): Promise<void> {
    for (const p of this.#people) {
      for (const d of p.devices) if (!d.retired) await d.messenger.close()
    }
  }
}
