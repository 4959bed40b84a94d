/**
 * The sender's side of the flow (whitepaper §1.5.1): send the message, then ask the recipient's
 * push server to wake their devices about it. A push failure never fails the send: the message
 * is out, and the recipient will fetch it on their next sync anyway.
 *
 * @module
 */
import { isPfsError } from '../../errors.ts'
import type { Messenger } from '../messenger.ts'
import type { SendResult } from '../types.ts'
import type { NotifyReport, PushClient } from './push-client.ts'

/** Sends `text` to `to`, then notifies through `server`; the reports are empty when push failed. */
export async function sendAndNotify(
  messenger: Pick<Messenger, 'send'>,
  push: Pick<PushClient, 'notify'>,
  o: { to: string; text: string; server: string },
): Promise<SendResult & { push: NotifyReport[] }> {
  const sent = await messenger.send(o.to, o.text)
  let reports: NotifyReport[] = []
  try {
    reports = await push.notify({ server: o.server, recipient: o.to, messageId: sent.id })
  } catch (e) {
    if (!isPfsError(e)) throw e
  }
  return { ...sent, push: reports }
}
