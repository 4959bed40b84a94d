/**
 * The status-pfs web client (issue 11): connect to a `status-pfs node` over WebSockets, create or
 * recover an account kept in IndexedDB, show who you are (chat key, three-word name, emoji hash,
 * identicon, contact code and its QR), add contacts, chat with a per-conversation PFS indicator
 * (whitepaper §1.5.2: shown once a reply has established perfect forward secrecy), confirm the
 * pairing of your other devices (§4.1) and re-establish a conversation that can no longer be
 * decrypted. No framework: index.html holds the structure, this file fills it in.
 *
 * @module
 */
import { IndexedDbStore, emojiHash, threeWordName } from '../../src/browser.ts'
import { Messenger } from '../../src/messenger/messenger.ts'
import type {
  ChatMessageInfo,
  ContactInfo,
  DeviceInfo,
  MessengerOptions,
} from '../../src/messenger/types.ts'
import { createBrowserNetwork } from '../../src/transport/libp2p/browser.ts'
import type { Libp2pNetwork } from '../../src/transport/libp2p/browser.ts'
import { byId, button, h, notice, report, setSvg, show } from './dom.ts'
import { qrSvg } from './qr.ts'

/** The IndexedDB database holding this browser's account. */
const DB_NAME = 'status-pfs'
/** Where the last node address is remembered between visits. */
const NODE_KEY = 'status-pfs:node'

interface Broken {
  readonly code: string
  reestablish(): Promise<void>
}

class App {
  #net: Libp2pNetwork | undefined
  #store: IndexedDbStore | undefined
  #m: Messenger | undefined
  #nodeAddr = ''
  /** The contact whose chat is open. */
  #current: string | undefined
  /** Contacts from whom a reply arrived in a ratchet session: PFS established (§1.5.2). */
  readonly #established = new Set<string>()
  /** Conversations that need re-establishing, by contact. */
  readonly #broken = new Map<string, Broken>()
  readonly #unread = new Map<string, number>()

  start(): void {
    const input = byId('node-addr', HTMLInputElement)
    input.value =
      new URLSearchParams(location.search).get('node') ?? localStorage.getItem(NODE_KEY) ?? ''
    byId('connect-form', HTMLFormElement).addEventListener('submit', (ev) => {
      ev.preventDefault()
      this.#busy('connect-button', () => this.#connect(input.value.trim()))
    })
    byId('create-account').addEventListener('click', () => {
      this.#busy('create-account', () => this.#createAccount())
    })
    byId('recover-form', HTMLFormElement).addEventListener('submit', (ev) => {
      ev.preventDefault()
      const phrase = byId('recover-phrase', HTMLTextAreaElement)
      this.#busy('recover-form', () => this.#recoverAccount(phrase.value))
    })
    byId('phrase-done').addEventListener('click', () => {
      byId('phrase').textContent = ''
      show('phrase-box', false)
      byId('profile-h').focus()
    })
    byId('copy-code').addEventListener('click', () => {
      const code = byId('contact-code', HTMLTextAreaElement).value
      navigator.clipboard.writeText(code).then(
        () => {
          notice('Contact code copied')
        },
        () => {
          byId('contact-code', HTMLTextAreaElement).select()
          notice('Select and copy the contact code')
        },
      )
    })
    byId('add-contact-form', HTMLFormElement).addEventListener('submit', (ev) => {
      ev.preventDefault()
      this.#busy('add-contact', () => this.#addContact())
    })
    byId('send-form', HTMLFormElement).addEventListener('submit', (ev) => {
      ev.preventDefault()
      this.#busy('send-button', () => this.#send())
    })
    document.body.dataset['state'] = 'disconnected'
  }

  /** Runs `task` with the control `id` disabled; failures become a notice. */
  #busy(id: string, task: () => Promise<void>): void {
    const el = byId(id)
    const controls =
      el instanceof HTMLFormElement ? [...el.querySelectorAll('button')] : [el as HTMLButtonElement]
    for (const c of controls) c.disabled = true
    task()
      .catch(report)
      .finally(() => {
        for (const c of controls) c.disabled = false
      })
  }

  // connection and account ---------------------------------------------------------------------

  async #connect(addr: string): Promise<void> {
    if (this.#net !== undefined) {
      notice('Already connected; reload the page to use another node')
      return
    }
    const status = byId('conn-status')
    status.textContent = 'Connecting…'
    let net: Libp2pNetwork
    try {
      net = await createBrowserNetwork({ bootstrap: [addr], storePeers: [addr] })
    } catch (e) {
      status.textContent = 'Not connected'
      throw e
    }
    try {
      await net.waitForPeers(1, { mesh: false, timeoutMs: 15_000 })
    } catch (e) {
      await net.close()
      status.textContent = 'Not connected'
      throw e
    }
    this.#net = net
    this.#nodeAddr = addr
    localStorage.setItem(NODE_KEY, addr)
    status.textContent = `Connected to node ${shortId(net.peers()[0] ?? '')}`
    status.dataset['state'] = 'online'
    byId('node-addr', HTMLInputElement).readOnly = true
    show('connect', false)
    const store = await IndexedDbStore.open(DB_NAME)
    this.#store = store
    if (store.getAccount() === undefined) {
      document.body.dataset['state'] = 'setup'
      show('setup')
      byId('create-account').focus()
      return
    }
    await this.#ready(await Messenger.open(this.#options()), undefined)
  }

  #options(): MessengerOptions {
    return {
      network: this.#net!,
      store: this.#store!,
      deviceName: browserName(),
      deviceType: 'browser',
      storeNodes: [this.#nodeAddr],
    }
  }

  async #createAccount(): Promise<void> {
    const m = await Messenger.create(this.#options())
    await this.#ready(m, m.phrase)
  }

  async #recoverAccount(phrase: string): Promise<void> {
    const installationId = byId('recover-installation', HTMLInputElement).value.trim()
    const m = await Messenger.recover({
      ...this.#options(),
      phrase: phrase.trim(),
      ...(installationId === '' ? {} : { installationId }),
    })
    byId('recover-phrase', HTMLTextAreaElement).value = ''
    await this.#ready(m, undefined)
    notice(
      installationId === ''
        ? 'Account recovered. Confirm this browser on your other device to pair it.'
        : 'Device restored. Conversations that fail to decrypt will offer re-establishing.',
    )
  }

  async #ready(m: Messenger, phrase: string | undefined): Promise<void> {
    this.#m = m
    this.#listen(m)
    await this.#store!.flush()
    show('setup', false)
    for (const id of ['profile', 'contacts', 'devices']) show(id)
    this.#renderProfile(phrase)
    this.#renderContacts()
    this.#renderDevices()
    document.body.dataset['state'] = 'ready'
    // Counters only (no keys, no text), for developers and the end-to-end test's diagnostics.
    const net = this.#net!
    Object.assign(globalThis, {
      statusPfsStats: () => ({
        messenger: m.stats(),
        network: { ...net.stats(), peers: net.peers().length, mesh: net.meshPeers().length },
      }),
    })
    byId('profile-h').setAttribute('tabindex', '-1')
    byId('profile-h').focus()
    void this.#sync()
  }

  async #sync(): Promise<void> {
    const m = this.#m!
    const status = byId('conn-status')
    try {
      const r = await m.sync()
      if (r.delivered > 0) notice(`${r.delivered} missed message(s) fetched from the node`)
    } catch (e) {
      status.textContent = `${status.textContent ?? ''} (history unavailable)`
      report(e)
    }
    await this.#store!.flush()
  }

  #listen(m: Messenger): void {
    m.on('message', (msg) => {
      const peer = msg.outgoing ? msg.to : msg.from
      if (!msg.outgoing && msg.pfs) this.#established.add(peer)
      if (this.#broken.delete(peer)) this.#renderBanner()
      if (this.#current === undefined) this.#openChat(peer, false)
      else if (peer === this.#current) {
        byId('messages').append(messageItem(msg, this.#nameOf(peer)))
        this.#renderChatHeader()
      } else if (!msg.outgoing) {
        this.#unread.set(peer, (this.#unread.get(peer) ?? 0) + 1)
      }
      this.#renderContacts()
      void this.#store?.flush().catch(report)
    })
    m.on('contactRequest', (r) => {
      notice(`Contact request from ${r.name}`)
      this.#renderContacts()
    })
    m.on('contactAccepted', (e) => {
      if (e.pfs) this.#established.add(e.publicKey)
      notice(`${this.#nameOf(e.publicKey)} accepted your contact request`)
      this.#renderContacts()
      if (this.#current === e.publicKey) this.#renderChatHeader()
    })
    m.on('deviceAdded', (d) => {
      if (d.own) {
        notice(`A new device of yours wants to pair: ${d.name ?? d.installationId}`)
      }
      this.#renderDevices()
    })
    m.on('decryptionFailed', (e) => {
      this.#broken.set(e.from, { code: e.code, reestablish: () => e.reestablish() })
      this.#renderBanner()
      this.#renderContacts()
    })
    m.on('error', (e) => {
      notice(`${e.message} [${e.code}]`)
    })
  }

  // profile ----------------------------------------------------------------------------------

  #renderProfile(phrase: string | undefined): void {
    const m = this.#m!
    byId('my-name').textContent = m.name
    byId('my-emoji').textContent = m.emojiHash
    byId('chat-key').textContent = m.publicKey
    setSvg(byId('identicon'), m.identicon())
    const code = m.contactCode()
    byId('contact-code', HTMLTextAreaElement).value = code
    setSvg(byId('qr'), qrSvg(code))
    if (phrase !== undefined) {
      byId('phrase').textContent = phrase
      show('phrase-box')
    }
  }

  // contacts ---------------------------------------------------------------------------------

  async #addContact(): Promise<void> {
    const m = this.#m!
    const input = byId('contact-input', HTMLTextAreaElement)
    const intro = byId('contact-intro', HTMLInputElement).value.trim()
    const code = input.value.trim()
    const { publicKey } = Messenger.parseContactCode(code)
    const r = await m.addContact(code, intro === '' ? undefined : intro)
    await this.#store!.flush()
    input.value = ''
    notice(`Contact request sent to ${this.#nameOf(publicKey)}`)
    this.#renderContacts()
    this.#openChat(publicKey)
    if (r.failures.length > 0) notice(`Not delivered to ${r.failures.length} device(s)`)
  }

  #renderContacts(): void {
    const m = this.#m
    if (m === undefined) return
    const requests = m
      .contactRequests()
      .filter((r) => r.direction === 'incoming' && r.state === 'pending')
    byId('requests').replaceChildren(
      ...(requests.length === 0
        ? [h('li', { class: 'hint' }, 'No pending requests')]
        : requests.map((r) =>
            h(
              'li',
              { 'data-key': r.publicKey },
              h('strong', {}, r.name),
              r.text === undefined ? undefined : h('span', {}, ` — “${r.text}”`),
              h('span', { class: 'meta' }, emojiHash(r.publicKey).join('')),
              h(
                'span',
                { class: 'actions' },
                button(
                  'Accept',
                  async () => {
                    await m.acceptContact(r.publicKey)
                    await this.#store!.flush()
                    this.#renderContacts()
                    this.#openChat(r.publicKey)
                  },
                  { 'aria-label': `Accept contact request from ${r.name}` },
                ),
                button(
                  'Decline',
                  async () => {
                    await m.declineContact(r.publicKey)
                    await this.#store!.flush()
                    this.#renderContacts()
                  },
                  { class: 'secondary', 'aria-label': `Decline contact request from ${r.name}` },
                ),
              ),
            ),
          )),
    )
    const contacts = m.contacts().filter((c) => c.state !== 'declined')
    byId('contact-list').replaceChildren(
      ...(contacts.length === 0
        ? [h('li', { class: 'hint' }, 'No contacts yet: add one with their contact code')]
        : contacts.map((c) => this.#contactItem(c))),
    )
  }

  #contactItem(c: ContactInfo): HTMLLIElement {
    const unread = this.#unread.get(c.publicKey) ?? 0
    const pfs = this.#isEstablished(c.publicKey)
    const broken = this.#broken.has(c.publicKey)
    const state =
      c.state === 'requested' ? 'request sent' : c.state === 'incoming' ? 'wants to chat' : ''
    const parts = [
      c.name,
      state,
      pfs ? 'PFS established' : '',
      broken ? 'needs re-establishing' : '',
      unread > 0 ? `${unread} unread` : '',
    ].filter((p) => p !== '')
    const open = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-label': `Open chat with ${parts.join(', ')}`,
        'aria-current': c.publicKey === this.#current ? 'true' : false,
      },
      c.name,
      state === '' ? undefined : h('span', { class: 'badge' }, state),
      pfs ? h('span', { class: 'badge ok' }, '🔒 PFS') : undefined,
      broken ? h('span', { class: 'badge warn' }, 'needs re-establishing') : undefined,
      unread > 0 ? h('span', { class: 'badge' }, `${unread} new`) : undefined,
    )
    open.addEventListener('click', () => {
      this.#openChat(c.publicKey)
    })
    return h('li', { 'data-key': c.publicKey }, open)
  }

  // chat -------------------------------------------------------------------------------------

  #openChat(publicKey: string, focus = true): void {
    const m = this.#m!
    this.#current = publicKey
    this.#unread.delete(publicKey)
    show('chat')
    const name = this.#nameOf(publicKey)
    byId('messages').replaceChildren(
      ...m.messages(publicKey, { limit: 200 }).map((msg) => messageItem(msg, name)),
    )
    this.#renderChatHeader()
    this.#renderContacts()
    if (focus) byId('message-input').focus()
  }

  #renderChatHeader(): void {
    const peer = this.#current
    if (peer === undefined) return
    const name = this.#nameOf(peer)
    byId('chat-h').textContent = `Chat with ${name}`
    const indicator = byId('pfs-indicator')
    const pfs = this.#isEstablished(peer)
    indicator.dataset['pfs'] = String(pfs)
    indicator.textContent = pfs
      ? '🔒 Perfect forward secrecy established'
      : `🔓 Perfect forward secrecy not yet established: it is once ${name} replies`
  }

  #isEstablished(peer: string): boolean {
    if (this.#established.has(peer)) return true
    const m = this.#m
    if (m?.messages(peer).some((x) => !x.outgoing && x.pfs) === true) {
      this.#established.add(peer)
      return true
    }
    return false
  }

  async #send(): Promise<void> {
    const m = this.#m!
    const peer = this.#current
    if (peer === undefined) return
    const input = byId('message-input', HTMLInputElement)
    const text = input.value
    if (text.trim() === '') return
    const r = await m.send(peer, text)
    await this.#store!.flush()
    input.value = ''
    const sent = m.messages(peer).find((x) => x.id === r.id)
    if (sent !== undefined) byId('messages').append(messageItem(sent, this.#nameOf(peer)))
    if (r.failures.length > 0) notice(`Not delivered to ${r.failures.length} device(s)`)
    input.focus()
  }

  /**
   * One banner per conversation whose messages could not be decrypted (our sessions are gone or
   * out of step): the button sends the peer a fresh bundle so that their next messages start a
   * new session (`decryptionFailed.reestablish`).
   */
  #renderBanner(): void {
    const items = [...this.#broken].map(([peer, broken]) => {
      const name = this.#nameOf(peer)
      return h(
        'li',
        { 'data-key': peer },
        h(
          'p',
          {},
          `Messages from ${name} could not be decrypted (${broken.code}). This conversation ` +
            'needs re-establishing: a fresh key bundle is sent to them, and their next messages ' +
            'will arrive again.',
        ),
        button(
          'Re-establish the conversation',
          async () => {
            await broken.reestablish()
            await this.#store!.flush()
            this.#broken.delete(peer)
            this.#renderBanner()
            this.#renderContacts()
            notice(`Sent a fresh key bundle to ${name}`)
          },
          { 'aria-label': `Re-establish the conversation with ${name}` },
        ),
      )
    })
    byId('reestablish-list').replaceChildren(...items)
    show('reestablish-banner', items.length > 0)
  }

  // devices ----------------------------------------------------------------------------------

  #renderDevices(): void {
    const m = this.#m
    if (m === undefined) return
    byId('device-list').replaceChildren(...m.devices().map((d) => this.#deviceItem(d)))
  }

  #deviceItem(d: DeviceInfo): HTMLLIElement {
    const m = this.#m!
    const name = d.name ?? 'unnamed device'
    const badges = [
      d.current ? h('span', { class: 'badge ok' }, 'this device') : undefined,
      !d.current && d.enabled ? h('span', { class: 'badge ok' }, 'paired') : undefined,
      !d.current && !d.enabled ? h('span', { class: 'badge warn' }, 'not paired') : undefined,
      d.stale ? h('span', { class: 'badge' }, 'inactive') : undefined,
    ]
    const li = h(
      'li',
      { 'data-installation': d.installationId },
      h('strong', {}, name),
      d.deviceType === undefined ? undefined : ` (${d.deviceType})`,
      ...badges,
      h('span', { class: 'meta mono' }, `installation ${d.installationId}`),
    )
    if (d.current) return li
    const actions = h('span', { class: 'actions' })
    li.append(actions)
    if (d.enabled) {
      actions.append(
        button(
          'Unpair',
          async () => {
            await m.disableDevice(d.installationId)
            await this.#store!.flush()
            this.#renderDevices()
          },
          { class: 'secondary', 'aria-label': `Unpair ${name}` },
        ),
      )
      return li
    }
    // Pairing shares every future message with that device: ask once more, naming it (§4.1).
    const ask = button(
      'Pair…',
      () => {
        const confirm = button(
          'Confirm pairing',
          async () => {
            await m.enableDevice(d.installationId)
            await this.#store!.flush()
            notice(`Paired ${name}`)
            this.#renderDevices()
          },
          { 'aria-label': `Confirm pairing ${name}, installation ${d.installationId}` },
        )
        const cancel = button(
          'Cancel',
          () => {
            this.#renderDevices()
            return Promise.resolve()
          },
          { class: 'secondary' },
        )
        actions.replaceChildren(
          h(
            'span',
            { role: 'alert' },
            `Pair ${name}? Only if it is your own device and the installation id matches.`,
          ),
          confirm,
          cancel,
        )
        confirm.focus()
        return Promise.resolve()
      },
      { 'aria-label': `Pair ${name}` },
    )
    actions.append(ask)
    return li
  }

  #nameOf(publicKey: string): string {
    return (
      this.#m?.contacts().find((c) => c.publicKey === publicKey)?.name ??
      this.#m?.contactRequests().find((r) => r.publicKey === publicKey)?.name ??
      threeWordName(publicKey)
    )
  }
}

function messageItem(msg: ChatMessageInfo, peerName: string): HTMLLIElement {
  const time = new Date(msg.outgoing ? msg.sentAt : msg.receivedAt).toLocaleTimeString()
  return h(
    'li',
    { class: msg.outgoing ? 'out' : 'in', 'data-pfs': String(msg.pfs) },
    h('span', { class: 'visually-hidden' }, msg.outgoing ? 'You: ' : `${peerName}: `),
    h('span', { class: 'text' }, msg.text),
    h(
      'span',
      { class: 'meta' },
      `${msg.outgoing ? 'you' : peerName} · ${time} · ${msg.pfs ? '🔒 PFS' : '🔓 no PFS'}`,
    ),
  )
}

function shortId(peerId: string): string {
  return peerId.length > 16 ? `${peerId.slice(0, 8)}…${peerId.slice(-6)}` : peerId
}

function browserName(): string {
  const ua = navigator.userAgent
  const brand = /Firefox\//.test(ua)
    ? 'Firefox'
    : /Chrom(e|ium)\//.test(ua)
      ? 'Chromium'
      : 'Browser'
  return `${brand} (web)`
}

new App().start()
