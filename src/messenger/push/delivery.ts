/**
 * Delivery of a notification to the platform. The real gateways (APNs, FCM) are outside this
 * machine; the server posts to a configured webhook instead — a real HTTP endpoint that a gateway
 * bridge (or a test) runs. The body names the device and the message, never the sender or the
 * text (the reference's notifications carry no plaintext either).
 *
 * @module
 */
import { PfsError } from '../../errors.ts'

/** What is delivered for one installation. */
export interface PushDeliveryRequest {
  readonly tokenType: 'apn' | 'firebase' | 'unknown'
  readonly deviceToken: string
  readonly installationId: string
  /** Hex id of the message the sender asks to notify about (opaque to the server). */
  readonly messageId: string
  /** Hex of the hashed chat id. */
  readonly chatId: string
}

export interface PushDelivery {
  /** @throws {PfsError} `NETWORK_FAILURE` when the platform did not accept it */
  deliver(n: PushDeliveryRequest): Promise<void>
}

/** POSTs each notification as JSON to `url`; anything but 2xx is a failure. */
export class WebhookDelivery implements PushDelivery {
  readonly #url: string
  readonly #fetch: typeof fetch
  readonly #timeoutMs: number

  constructor(url: string, opts: { fetch?: typeof fetch; timeoutMs?: number } = {}) {
    const u = new URL(url)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new PfsError('INVALID_ARGUMENT', 'webhook must be an http(s) URL')
    }
    this.#url = u.toString()
    this.#fetch = opts.fetch ?? fetch
    this.#timeoutMs = opts.timeoutMs ?? 10_000
  }

  async deliver(n: PushDeliveryRequest): Promise<void> {
    let status: number
    try {
      const res = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(n),
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
      status = res.status
      await res.arrayBuffer().catch(() => undefined)
    } catch (e) {
      throw new PfsError('NETWORK_FAILURE', 'webhook unreachable', {}, { cause: e })
    }
    if (status < 200 || status >= 300) {
      throw new PfsError('NETWORK_FAILURE', 'webhook refused the notification', { status })
    }
  }
}
