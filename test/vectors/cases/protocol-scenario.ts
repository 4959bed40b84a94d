/**
 * Replays a scripted multi-device scenario (`multidevice/multidevice.json`,
 * `multidevice/rekey.json`; vectors/multidevice/README.md) through the `Protocol` API, one
 * `ScriptedDevice` per recorded device, under every crypto provider and on both stores (MemoryStore,
 * SqliteStore).
 *
 * Per step, with the recorded randomness scripted and the clock set to the recorded timestamp:
 * - `get_bundle`: `ourBundle()` encodes to the recorded `bundle_protobuf` (same keys, versions,
 *   timestamp and deterministic signature).
 * - `process_public_bundle` / `enable_installation`: `processBundle` / `enableDevice` on the
 *   recorded bundle (the `_status_go` bytes, whose map order differs from the sorted one).
 * - `send`: `encrypt()` targets the recorded installations in the recorded order, draws exactly the
 *   recorded keys, and its `ProtocolMessage` encodes to `protocol_message_protobuf` byte for byte;
 *   the sender's session for each entry has the recorded id and X3DH SK.
 * - deliveries: the receiver, given the recorded `_status_go` bytes, returns the recorded payload
 *   and negotiated shared secret, draws exactly the recorded ratchet key, and its session has the
 *   recorded passive X3DH SK.
 * - `state_after`: every device's installations (which ones, enabled or not, and their timestamp:
 *   the newest bundle that listed them, which orders the targets) and, where recorded,
 *   its signed prekeys / peer bundles (version, expired) and sessions (bundle id, unconfirmed
 *   ephemeral, SK) equal the reference's tables. The installation `version` column is not compared:
 *   the reference stores the advertised protocol version there, our store the signed-prekey
 *   version (store/types.ts `InstallationRecord.version`).
 * - `non_recipient_deliveries`: the recorded error (`NOT_PAIRED_DEVICE`, `DEVICE_NOT_FOUND`) or
 *   "nothing decrypted" for our own message echoed back.
 *
 * One result per step, named `#<step> <action> <device>`; a step fails with every difference found.
 */
import { fromHex, providers, toHex } from '../../../src/crypto/index.ts'
import type { CryptoProvider } from '../../../src/crypto/index.ts'
import {
  BundleSchema,
  ProtocolMessageSchema,
  decodeBundle,
  decodeProtocolMessage,
  encodeBundle,
  encodeProtocolMessage,
  equals,
} from '../../../src/wire/index.ts'
import type { CaseResult } from '../registry.ts'
import type { Clock, Consumed, Key, StoreKind } from './protocol-script.ts'
import {
  STORE_KINDS,
  ScriptedDevice,
  openStore,
  diffBundle,
  diffMessage,
  errorText,
  fromConsumed,
} from './protocol-script.ts'

interface Installation {
  timestamp: string
  identity: string
  installation_id: string
  device: string
  enabled: boolean
}
interface BundleRow {
  identity: string
  installation_id: string
  signed_pre_key: string
  has_private_key: boolean
  version: number
  expired: boolean
}
interface RatchetInfoRow {
  identity: string
  installation_id: string
  bundle_id: string
  ephemeral_key: string | null
  symmetric_key: string
}
interface StateAfter {
  installations?: Record<string, Installation[]>
  bundles?: Record<string, BundleRow[]>
  ratchet_info?: Record<string, RatchetInfoRow[]>
}
interface Delivery {
  device: string
  message_from_step: number
  random_consumed?: Consumed[]
  decrypted_payload: string
  x3dh_sk_passive?: string
  negotiated_shared_secret?: string
}
interface Step {
  step: number
  action: string
  device?: string
  sender?: string
  recipient_identity?: string
  random_consumed?: Consumed[]
  bundle?: { timestamp: string }
  bundle_protobuf?: string
  bundle_protobuf_status_go?: string
  bundle_from_step?: number
  installation_id?: string
  plaintext?: string
  sender_active_installations_for_recipient?: { installation_id: string }[]
  random_consumed_by_sender?: Consumed[]
  protocol_message_protobuf?: string
  protocol_message_protobuf_status_go?: string
  protocol_message_decoded?: { bundles: { timestamp: string }[] }
  entries?: { installation_id: string; x3dh_sk?: string; session_id: string }[]
  deliveries?: Delivery[]
  delivery?: Delivery
  milliseconds?: number
  state_after?: StateAfter
}
interface NonRecipient {
  device: string
  message_from_step: number
  error: string | null
}
interface Scenario {
  name: string
  identities: Record<string, Key>
  devices: { device: string; identity: string; installation_id: string }[]
  keys: Record<string, Key>
  steps: Step[]
  non_recipient_deliveries?: { results: NonRecipient[] }
  bob_bundle_refresh_interval_ms?: number
}

/** The reference's error strings (multidevice README "Receiving a message") and our codes. */
const ERROR_CODES: Readonly<Record<string, string>> = {
  'received a message from not paired device': 'NOT_PAIRED_DEVICE',
  'device not found': 'DEVICE_NOT_FOUND',
}

class Run {
  readonly clock: Clock = { now: 0n }
  readonly devices = new Map<string, ScriptedDevice>()
  /** Device label of each installation id. */
  readonly deviceOf = new Map<string, string>()
  /** Identity label of each device label. */
  readonly identityOf = new Map<string, string>()
  /** Recorded bytes handed to receivers, by step. */
  readonly bundles = new Map<number, Uint8Array>()
  readonly messages = new Map<number, { bytes: Uint8Array; sender: ScriptedDevice }>()

  readonly s: Scenario
  readonly crypto: CryptoProvider

  constructor(s: Scenario, crypto: CryptoProvider, store: StoreKind) {
    this.s = s
    this.crypto = crypto
    for (const d of s.devices) {
      const identity = s.identities[d.identity]
      if (identity === undefined) throw new Error(`unknown identity ${d.identity}`)
      const rotation =
        d.identity === 'bob' && s.bob_bundle_refresh_interval_ms !== undefined
          ? { signedPreKeyRotationMs: s.bob_bundle_refresh_interval_ms }
          : {}
      this.devices.set(
        d.device,
        new ScriptedDevice({
          name: d.device,
          crypto,
          identity,
          installationId: d.installation_id,
          clock: this.clock,
          store: openStore(store),
          ...rotation,
        }),
      )
      this.deviceOf.set(d.installation_id, d.device)
      this.identityOf.set(d.device, d.identity)
    }
  }

  close(): void {
    for (const d of this.devices.values()) d.store.close()
  }

  device(label: string | undefined): ScriptedDevice {
    const d = label === undefined ? undefined : this.devices.get(label)
    if (d === undefined) throw new Error(`unknown device ${String(label)}`)
    return d
  }

  identityPublic(label: string | undefined): Uint8Array {
    const k = label === undefined ? undefined : this.s.identities[label]
    if (k === undefined) throw new Error(`unknown identity ${String(label)}`)
    return fromHex(k.public_compressed)
  }

  step(st: Step, out: string[]): void {
    switch (st.action) {
      case 'get_bundle':
        this.getBundle(st, out)
        break
      case 'process_public_bundle': {
        const d = this.device(st.device)
        const b = this.bundles.get(st.bundle_from_step ?? -1)
        if (b === undefined) throw new Error(`no bundle from step ${String(st.bundle_from_step)}`)
        d.script([])
        d.protocol.processBundle(decodeBundle(b))
        out.push(...d.leftover())
        break
      }
      case 'enable_installation': {
        const d = this.device(st.device)
        if (!d.protocol.enableDevice(st.installation_id ?? '')) {
          out.push(`enableDevice(${String(st.installation_id)}) returned false`)
        }
        break
      }
      case 'send':
        this.send(st, out)
        break
      case 'deliver':
        if (st.delivery === undefined) throw new Error('deliver step without delivery')
        this.deliver(st.delivery, out)
        break
      case 'wait':
        this.clock.now += BigInt(st.milliseconds ?? 0) * 1_000_000n
        break
      default:
        throw new Error(`unknown action ${st.action}`)
    }
  }

  getBundle(st: Step, out: string[]): void {
    const d = this.device(st.device)
    if (st.bundle_protobuf === undefined || st.bundle_protobuf_status_go === undefined) {
      throw new Error('get_bundle without bundle_protobuf')
    }
    const want = decodeBundle(fromHex(st.bundle_protobuf))
    const given = fromHex(st.bundle_protobuf_status_go)
    if (!equals(BundleSchema, decodeBundle(given), want)) {
      out.push('bundle_protobuf_status_go decodes differently from bundle_protobuf')
    }
    this.bundles.set(st.step, given)
    this.clock.now = want.timestamp
    d.script(fromConsumed(st.random_consumed, this.s.keys))
    const got = d.protocol.ourBundle()
    out.push(...d.leftover())
    if (toHex(encodeBundle(got)) !== st.bundle_protobuf) {
      const diff = diffBundle('bundle', got, want)
      out.push(
        diff.length > 0 ? diff.join('; ') : `bundle bytes differ: ${toHex(encodeBundle(got))}`,
      )
    }
  }

  send(st: Step, out: string[]): void {
    const sender = this.device(st.sender)
    const pm = st.protocol_message_protobuf
    const pmGo = st.protocol_message_protobuf_status_go
    const ts = st.protocol_message_decoded?.bundles[0]?.timestamp
    if (pm === undefined || pmGo === undefined || ts === undefined || st.plaintext === undefined) {
      throw new Error('incomplete send step')
    }
    const want = decodeProtocolMessage(fromHex(pm))
    const given = fromHex(pmGo)
    if (!equals(ProtocolMessageSchema, decodeProtocolMessage(given), want)) {
      out.push('protocol_message_protobuf_status_go decodes differently')
    }
    this.messages.set(st.step, { bytes: given, sender })
    this.clock.now = BigInt(ts)
    sender.script(fromConsumed(st.random_consumed_by_sender, this.s.keys))
    const sent = sender.protocol.encrypt(
      this.identityPublic(st.recipient_identity),
      fromHex(st.plaintext),
    )
    out.push(...sender.leftover())
    for (const f of sent.failures)
      out.push(`send failure ${f.installationId}: ${errorText(f.error)}`)
    if (!sent.pfs) out.push('sender reports pfs false')
    const wantTargets = (st.sender_active_installations_for_recipient ?? []).map(
      (i) => i.installation_id,
    )
    if (sent.targets.join(',') !== wantTargets.join(',')) {
      out.push(`targets (in order): got ${sent.targets.join(',')}, want ${wantTargets.join(',')}`)
    }
    const bytes = toHex(encodeProtocolMessage(sent.message))
    if (bytes !== pm) {
      const diff = diffMessage(sent.message, want)
      out.push(`ProtocolMessage differs: ${diff.length > 0 ? diff.join('; ') : `bytes ${bytes}`}`)
    }
    for (const e of st.entries ?? []) {
      const session = sender.store.getSession(fromHex(e.session_id))
      if (session === undefined) {
        out.push(`sender has no session ${e.session_id} (entry ${e.installation_id})`)
      } else if (e.x3dh_sk !== undefined && toHex(session.sk) !== e.x3dh_sk) {
        out.push(`session ${e.installation_id} SK: got ${toHex(session.sk)}, want ${e.x3dh_sk}`)
      }
    }
    for (const d of st.deliveries ?? []) {
      const errs: string[] = []
      try {
        this.deliver(d, errs)
      } catch (e) {
        errs.push(errorText(e))
      }
      out.push(...errs.map((m) => `delivery to ${d.device}: ${m}`))
    }
  }

  deliver(d: Delivery, out: string[]): void {
    const receiver = this.device(d.device)
    const m = this.messages.get(d.message_from_step)
    if (m === undefined) throw new Error(`no message from step ${d.message_from_step}`)
    const message = decodeProtocolMessage(m.bytes)
    receiver.script(fromConsumed(d.random_consumed, this.s.keys))
    let got
    try {
      got = receiver.protocol.decrypt(m.sender.identityPublic, message)
    } finally {
      out.push(...receiver.leftover())
    }
    if (got === undefined) {
      out.push('receiver decrypted nothing')
      return
    }
    if (toHex(got.payload) !== d.decrypted_payload) {
      out.push(`payload: got ${toHex(got.payload)}, want ${d.decrypted_payload}`)
    }
    if (!got.pfs) out.push('receiver reports pfs false')
    const secret = got.sharedSecret === undefined ? undefined : toHex(got.sharedSecret)
    if (secret !== d.negotiated_shared_secret) {
      out.push(
        `negotiated shared secret: got ${String(secret)}, want ${String(d.negotiated_shared_secret)}`,
      )
    }
    if (d.x3dh_sk_passive !== undefined) {
      const entry = message.encryptedMessage[receiver.installationId]
      const id = entry?.X3DHHeader?.id
      const session =
        id === undefined
          ? undefined
          : receiver.store.findSession(id, m.sender.identityPublic, message.installationId)
      if (session === undefined) out.push('receiver has no session for the X3DH header')
      else if (toHex(session.sk) !== d.x3dh_sk_passive) {
        out.push(`passive X3DH SK: got ${toHex(session.sk)}, want ${d.x3dh_sk_passive}`)
      }
    }
  }

  /** `state_after`, compared as sets of rows per device. */
  state(sa: StateAfter | undefined, out: string[]): void {
    if (sa === undefined) return
    const compare = (table: string, device: string, got: string[], want: string[]): void => {
      const g = new Set(got)
      const w = new Set(want)
      const missing = [...w].filter((r) => !g.has(r))
      const extra = [...g].filter((r) => !w.has(r))
      if (missing.length > 0 || extra.length > 0) {
        out.push(
          `state_after.${table}[${device}]: missing {${missing.join(' | ')}} extra {${extra.join(' | ')}}`,
        )
      }
    }
    const inst = (id: string): string => this.deviceOf.get(id) ?? id
    for (const [label, rows] of Object.entries(sa.installations ?? {})) {
      const d = this.device(label)
      const got: string[] = []
      for (const idLabel of Object.keys(this.s.identities)) {
        for (const i of d.store.listInstallations(this.identityPublic(idLabel))) {
          got.push(
            `${idLabel}/${inst(i.installationId)} ${i.enabled ? 'enabled' : 'disabled'} t${i.lastSeen}`,
          )
        }
      }
      const want = rows.map(
        (r) =>
          `${r.identity}/${inst(r.installation_id)} ${r.enabled ? 'enabled' : 'disabled'} t${r.timestamp}`,
      )
      compare('installations', label, got, want)
    }
    const row = (id: string, i: string, spk: string, v: number, exp: boolean, p: boolean): string =>
      `${id}/${inst(i)} ${spk} v${v} ${exp ? 'expired' : 'active'} ${p ? 'private' : 'public'}`
    for (const [label, rows] of Object.entries(sa.bundles ?? {})) {
      const d = this.device(label)
      const own = this.identityOf.get(label) ?? '?'
      const got = d.store
        .listSignedPreKeys({ includeExpired: true })
        .map((k) => row(own, d.installationId, toHex(k.publicKey), k.version, k.expired, true))
      for (const idLabel of Object.keys(this.s.identities)) {
        for (const b of d.store.listBundles(this.identityPublic(idLabel))) {
          got.push(
            row(idLabel, b.installationId, toHex(b.signedPreKey), b.version, b.expired, false),
          )
        }
      }
      const want = rows.map((r) =>
        row(
          r.identity,
          r.installation_id,
          r.signed_pre_key,
          r.version,
          r.expired,
          r.has_private_key,
        ),
      )
      compare('bundles', label, got, want)
    }
    for (const [label, rows] of Object.entries(sa.ratchet_info ?? {})) {
      const d = this.device(label)
      const got: string[] = []
      for (const idLabel of Object.keys(this.s.identities)) {
        const idPub = this.identityPublic(idLabel)
        for (const i of d.store.listInstallations(idPub)) {
          for (const s of d.store.listSessionsFor(idPub, i.installationId)) {
            const eph = s.ephemeralKey === undefined ? 'confirmed' : toHex(s.ephemeralKey)
            got.push(
              `${idLabel}/${inst(i.installationId)} id ${toHex(s.bundleId)} eph ${eph} sk ${toHex(s.sk)}`,
            )
          }
        }
      }
      const want = rows.map(
        (r) =>
          `${r.identity}/${inst(r.installation_id)} id ${r.bundle_id} eph ${r.ephemeral_key ?? 'confirmed'} sk ${r.symmetric_key}`,
      )
      compare('ratchet_info', label, got, want)
    }
  }

  nonRecipient(r: NonRecipient, out: string[]): void {
    const receiver = this.device(r.device)
    const m = this.messages.get(r.message_from_step)
    if (m === undefined) throw new Error(`no message from step ${r.message_from_step}`)
    receiver.script([])
    let got
    try {
      got = receiver.protocol.decrypt(m.sender.identityPublic, decodeProtocolMessage(m.bytes))
    } catch (e) {
      const code = (e as { code?: unknown }).code
      const want = r.error === null ? undefined : ERROR_CODES[r.error]
      if (want === undefined || code !== want) {
        out.push(`threw ${errorText(e)}, want ${r.error === null ? 'no error' : String(want)}`)
      }
      return
    } finally {
      out.push(...receiver.leftover())
    }
    if (r.error !== null) {
      out.push(`no error, want ${ERROR_CODES[r.error] ?? r.error}`)
    } else if (got !== undefined) {
      out.push(`decrypted ${toHex(got.payload)}, want nothing`)
    }
  }
}

function stepName(st: Step): string {
  return `#${st.step} ${st.action} ${st.device ?? st.sender ?? ''}`.trimEnd()
}

/** Runs the steps, then the non-recipient deliveries, reporting each under its name. */
function replay(s: Scenario, run: Run, report: (name: string, out: string[]) => void): void {
  for (const st of s.steps) {
    const out: string[] = []
    try {
      run.step(st, out)
    } catch (e) {
      out.push(errorText(e))
    }
    try {
      run.state(st.state_after, out)
    } catch (e) {
      out.push(`state_after: ${errorText(e)}`)
    }
    report(`${s.name} ${stepName(st)}`, out)
  }
  for (const r of s.non_recipient_deliveries?.results ?? []) {
    const out: string[] = []
    try {
      run.nonRecipient(r, out)
    } catch (e) {
      out.push(errorText(e))
    }
    report(`${s.name} non-recipient ${r.device} <- #${r.message_from_step}`, out)
  }
}

/** Runs every scenario of a multidevice-format file; one result per step and per extra check. */
export function runScenarios(json: unknown): CaseResult[] {
  const { cases } = json as { cases: Scenario[] }
  const results: CaseResult[] = []
  for (const s of cases) {
    const names: string[] = []
    const errors = new Map<string, string[]>()
    const add = (name: string, provider: string, msgs: readonly string[]): void => {
      if (!names.includes(name)) names.push(name)
      if (msgs.length === 0) return
      const list = errors.get(name) ?? []
      list.push(`[${provider}] ${msgs.join('; ')}`)
      errors.set(name, list)
    }
    for (const [cryptoName, crypto] of Object.entries(providers)) {
      for (const store of STORE_KINDS) {
        const provider = `${cryptoName}/${store}`
        let run: Run
        try {
          run = new Run(s, crypto, store)
        } catch (e) {
          add(`${s.name} setup`, provider, [errorText(e)])
          continue
        }
        try {
          replay(s, run, (name, out) => {
            add(name, provider, out)
          })
        } finally {
          run.close()
        }
      }
    }
    for (const name of names) {
      const e = errors.get(name)
      results.push(e === undefined ? { name } : { name, error: e.join(' ') })
    }
  }
  return results
}
