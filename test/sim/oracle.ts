/**
 * The simulator's oracle (issue 10): it records, independently of the messenger, which device
 * should be able to read which message, and what each device actually showed its user, then
 * classifies every expected message that did not arrive.
 *
 * A message from device `s` of person A to person B is expected on every device of B and every
 * other device of A that is active when it is sent and that `s` had learnt (its bundle known and
 * enabled in `s`'s store) — a device `s` could not know about is answered through the
 * partitioned-device path (whitepaper §4.5) and only later messages reach it. Exceptions that a
 * correct protocol cannot avoid, counted apart ("allowed"):
 * - the device was removed before it received the message;
 * - the sending device was removed by its owner, and the receiving device (another of the
 *   owner's) had deleted its sessions with it before the message arrived: a removed device is
 *   no longer trusted;
 * - the device was wiped and restored from its phrase: what was sent before the wipe is gone, and
 *   so is what a sender encrypted before it had handled any message of the restored device (it
 *   could only use the old session, whose keys went with the wipe).
 *
 * Everything else that is missing is a fault, classified by the last failure the device reported
 * for one of the message's envelopes (no session, stale bundle, too far ahead, duplicate, MAC
 * failure, unknown installation; `duplicate` also when an envelope was accepted as new and then
 * dropped without any event) or `lost` when no envelope of it ever reached the protocol.
 *
 * @module
 */

/** Classified reasons of an undecryptable or missing message. */
export type Reason =
  | 'no session'
  | 'stale bundle'
  | 'too far ahead'
  | 'duplicate'
  | 'MAC failure'
  | 'unknown installation'
  | 'not addressed'
  | 'lost'
  | 'other'

/** Allowed (not the protocol's fault) reasons a message is missing on a device. */
export type AllowedReason =
  | 'device removed'
  | 'wiped with the device'
  | 'old session of a restored device'
  | 'sender had not learnt the device'
  | 'sender device removed'

/** Maps a messenger/protocol error code (or a partitioned answer) to a reason. */
export function classify(code: string): Reason {
  switch (code) {
    case 'SESSION_NOT_FOUND':
      return 'no session'
    case 'SIGNED_PREKEY_NOT_FOUND':
    case 'BUNDLE_EXPIRED':
      return 'stale bundle'
    case 'TOO_MANY_SKIPPED':
      return 'too far ahead'
    case 'DUPLICATE':
      return 'duplicate'
    case 'MAC_MISMATCH':
      return 'MAC failure'
    case 'DEVICE_NOT_FOUND':
    case 'NOT_PAIRED_DEVICE':
      return 'unknown installation'
    case 'PARTITIONED':
      return 'not addressed'
    default:
      return 'other'
  }
}

export interface SentMessage {
  readonly seq: number
  readonly text: string
  /** Installation id of the sending device. */
  readonly from: string
  readonly fromPerson: string
  readonly toPerson: string
  /** True (simulated) time of sending, ms. */
  readonly sentAt: number
  /** Installation ids the message is expected on (active then), with whether `from` knew them. */
  readonly recipients: ReadonlyMap<string, { readonly known: boolean }>
}

/** One device as the oracle sees it. */
export interface DeviceFacts {
  readonly installationId: string
  readonly person: string
  /** Its first node name, for reports. */
  readonly name: string
  /** Set when the device was removed (retired for good). */
  removedAt?: number
  /** Set when the device was wiped and restored from its phrase. */
  restoredAt?: number
}

export interface Fault {
  readonly seq: number
  readonly from: string
  readonly device: string
  readonly reason: Reason
  readonly codes: readonly string[]
}

export interface OracleResult {
  readonly sent: number
  /** (message, device) pairs expected to be readable. */
  readonly expected: number
  /** Expected pairs shown to the user. */
  readonly delivered: number
  /** Shown although not required (a device the sender learnt later, e.g. live). */
  readonly deliveredExtra: number
  /** Expected pairs missing, by reason: faults of the protocol or the messenger. */
  readonly undecryptable: Readonly<Partial<Record<Reason, number>>>
  /** Pairs missing for a reason a correct protocol cannot avoid. */
  readonly allowed: Readonly<Partial<Record<AllowedReason, number>>>
  /** Messages shown more than once on one device (events or history). */
  readonly duplicatesShown: number
  /** Where the duplicates were: `installation>text (history|events ×n)`. */
  readonly duplicates: readonly string[]
  /** Expected pairs missing with no failure ever reported: lost on the way or in sync. */
  readonly lost: number
  /** Failure reports by classified reason, whatever became of the message later. */
  readonly failureReports: Readonly<Partial<Record<Reason, number>>>
  /** Failures of envelopes that belong to no chat message (bundles, answers, requests). */
  readonly unattributedFailures: number
  /** The first faults, for reproduction. */
  readonly faults: readonly Fault[]
}

function bump<K extends string>(o: Partial<Record<K, number>>, k: K, n = 1): void {
  o[k] = (o[k] ?? 0) + n
}

export class Oracle {
  readonly #messages = new Map<string, SentMessage>()
  readonly #bySeq: SentMessage[] = []
  readonly #devices = new Map<string, DeviceFacts>()
  /** text -> installation id -> times shown in a `message` event. */
  readonly #shown = new Map<string, Map<string, number>>()
  /**
   * `installation>text` -> times shown since the device's last wipe: a device restored from its
   * phrase starts with an empty history, so showing a message again from a store node is not a
   * duplicate to its user.
   */
  readonly #copies = new Map<string, number>()
  /** text -> installation id -> failure codes of its envelopes there. */
  readonly #failures = new Map<string, Map<string, string[]>>()
  /** Envelope hash (hex) -> text of the chat message it carries. */
  readonly #envelopes = new Map<string, string>()
  readonly #failureReports: Partial<Record<Reason, number>> = {}
  #unattributed = 0
  /** `restored>sender` -> when the sender first handled a message of the restored device. */
  readonly #heard = new Map<string, number>()
  #historyDuplicates = 0
  /** `installation>text (history ×n)` of each duplicate in a history, for reports. */
  readonly #duplicateCases: string[] = []
  readonly #inHistory = new Set<string>()
  /** `installation>text` pairs where an envelope of the message was handled as new. */
  readonly #handled = new Set<string>()

  device(facts: DeviceFacts): DeviceFacts {
    this.#devices.set(facts.installationId, facts)
    return facts
  }

  sent(m: SentMessage): void {
    this.#messages.set(m.text, m)
    this.#bySeq.push(m)
  }

  /** An envelope published while sending `text`. */
  envelope(hashHex: string, text: string): void {
    this.#envelopes.set(hashHex, text)
  }

  /** `installationId` showed its user the message `text`. */
  shown(installationId: string, text: string): void {
    if (!this.#messages.has(text)) return
    let m = this.#shown.get(text)
    if (m === undefined) this.#shown.set(text, (m = new Map()))
    m.set(installationId, (m.get(installationId) ?? 0) + 1)
    const k = `${installationId}>${text}`
    this.#copies.set(k, (this.#copies.get(k) ?? 0) + 1)
  }

  /** `installationId` was wiped (and restored from its phrase): its user's history is gone. */
  wiped(installationId: string): void {
    for (const k of [...this.#copies.keys()]) {
      if (k.startsWith(`${installationId}>`)) this.#copies.delete(k)
    }
  }

  /** `installationId` failed on the envelope `hashHex` with `code`. */
  failure(installationId: string, hashHex: string | undefined, code: string): void {
    bump(this.#failureReports, classify(code))
    const text = hashHex === undefined ? undefined : this.#envelopes.get(hashHex)
    if (text === undefined) {
      this.#unattributed++
      return
    }
    let m = this.#failures.get(text)
    if (m === undefined) this.#failures.set(text, (m = new Map()))
    const list = m.get(installationId) ?? []
    list.push(code)
    m.set(installationId, list)
  }

  /**
   * `receiver` handled a message (chat or contact request, not a bare bundle) that the restored
   * device `restored` sent after its restore: from then on `receiver` could use the new session.
   */
  heard(restored: string, receiver: string, at: number): void {
    const k = `${restored}>${receiver}`
    if (!this.#heard.has(k)) this.#heard.set(k, at)
  }

  /** `installationId` accepted the envelope `hashHex` as new and went on to open and handle it. */
  handled(installationId: string, hashHex: string): void {
    const text = this.#envelopes.get(hashHex)
    if (text !== undefined) this.#handled.add(`${installationId}>${text}`)
  }

  /**
   * `installationId`'s final chat history lists `count` copies of `text`: the message is there for
   * the user even if no event announced it (held while a contact request was pending).
   */
  history(installationId: string, text: string, count: number): void {
    if (!this.#messages.has(text)) return
    if (count > 1) {
      this.#historyDuplicates += count - 1
      this.#duplicateCases.push(`${installationId}>${text} (history ×${String(count)})`)
    }
    this.#inHistory.add(`${installationId}>${text}`)
  }

  result(maxFaults = 50): OracleResult {
    const undecryptable: Partial<Record<Reason, number>> = {}
    const allowed: Partial<Record<AllowedReason, number>> = {}
    const faults: Fault[] = []
    let expected = 0
    let delivered = 0
    let deliveredExtra = 0
    let lost = 0
    let duplicatesShown = this.#historyDuplicates
    const duplicates = [...this.#duplicateCases]
    for (const m of this.#bySeq) {
      const shown = this.#shown.get(m.text) ?? new Map<string, number>()
      for (const id of shown.keys()) {
        const n = this.#copies.get(`${id}>${m.text}`) ?? 0
        if (n <= 1) continue
        duplicatesShown += n - 1
        duplicates.push(`${id}>${m.text} (events ×${String(n)})`)
      }
      for (const id of shown.keys()) if (!m.recipients.has(id) && id !== m.from) deliveredExtra++
      // Shown only in history (no event): counted once below through `#inHistory`.
      for (const [id, { known }] of m.recipients) {
        const d = this.#devices.get(id)
        if (d === undefined) continue
        if ((shown.get(id) ?? 0) > 0 || this.#inHistory.has(`${id}>${m.text}`)) {
          if (known) {
            expected++
            delivered++
          } else deliveredExtra++
          continue
        }
        const codes = this.#failures.get(m.text)?.get(id) ?? []
        const sender = this.#devices.get(m.from)
        let allow: AllowedReason | undefined
        if (d.removedAt !== undefined) allow = 'device removed'
        else if (
          sender?.removedAt !== undefined &&
          sender.person === d.person &&
          codes.length > 0 &&
          codes.every((c) => c === 'SESSION_NOT_FOUND' || c === 'MAC_MISMATCH')
        ) {
          // Its owner removed the sending device, and this device (another of the owner's)
          // deleted its sessions with it before the message arrived: a removed device is no
          // longer trusted (§4.4). What is left of it — nothing, or a session rebuilt from a
          // repeated X3DH header on a chain that has moved on — cannot read the message.
          allow = 'sender device removed'
        } else if (d.restoredAt !== undefined && m.sentAt < d.restoredAt) {
          allow = 'wiped with the device'
        } else if (
          d.restoredAt !== undefined &&
          m.sentAt < (this.#heard.get(`${id}>${m.from}`) ?? Infinity)
        ) {
          allow = 'old session of a restored device'
        } else if (!known) allow = 'sender had not learnt the device'
        if (allow !== undefined) {
          bump(allowed, allow)
          continue
        }
        expected++
        const last = codes.filter((c) => c !== 'DUPLICATE').at(-1) ?? codes.at(-1)
        // Handled as a new envelope, yet neither shown nor failed: dropped without a word (the
        // messenger drops a protocol DUPLICATE silently).
        const silent = last === undefined && this.#handled.has(`${id}>${m.text}`)
        const reason: Reason = silent ? 'duplicate' : last === undefined ? 'lost' : classify(last)
        if (reason === 'lost') lost++
        else bump(undecryptable, reason)
        if (faults.length < maxFaults) {
          const from = this.#devices.get(m.from)?.name ?? m.from
          faults.push({
            seq: m.seq,
            from,
            device: d.name,
            reason,
            codes: silent ? ['SILENT_DROP'] : codes,
          })
        }
      }
    }
    return {
      sent: this.#bySeq.length,
      expected,
      delivered,
      deliveredExtra,
      undecryptable,
      allowed,
      duplicatesShown,
      duplicates,
      lost,
      failureReports: { ...this.#failureReports },
      unattributedFailures: this.#unattributed,
      faults,
    }
  }
}
