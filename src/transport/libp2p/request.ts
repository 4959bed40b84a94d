/**
 * One request/response exchange over a libp2p stream, as Waku's request/response protocols frame
 * it (TRANSPORT.md §4.2 "Framing"): the client writes one varint-length-prefixed protobuf and
 * reads one back; the server does the reverse. Both sides bound the frame size and the time, and
 * never leave a stream half open.
 *
 * @module
 */
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from 'it-length-prefixed-stream'
import { PfsError } from '../../errors.ts'
import { REQUEST_TIMEOUT_MS } from './constants.ts'

export interface ExchangeOptions {
  readonly maxResponseBytes: number
  readonly timeoutMs?: number
}

/**
 * Dials `protocol` on `peer`, sends `request`, returns the response frame.
 * @throws {PfsError} code=NETWORK_FAILURE (dial, timeout, stream reset, oversized response)
 */
export async function exchange(
  node: Libp2p,
  peer: PeerId,
  protocol: string,
  request: Uint8Array,
  options: ExchangeOptions,
): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS)
  let stream: Stream | undefined
  try {
    stream = await node.dialProtocol(peer, protocol, { signal })
    const lp = lpStream(stream, { maxDataLength: options.maxResponseBytes })
    await lp.write(request, { signal })
    const response = await lp.read({ signal })
    await stream.close({ signal })
    return response.subarray()
  } catch (e) {
    stream?.abort(e instanceof Error ? e : new Error(String(e)))
    throw new PfsError('NETWORK_FAILURE', `${protocol} request failed`, {}, { cause: e })
  }
}

/**
 * Serves one exchange on an incoming `stream`: reads a request of at most `maxRequestBytes`,
 * answers with `respond(request)`. Failures (oversized or missing request, timeouts, a
 * `respond` that throws) abort the stream and are reported through the returned promise, which
 * never rejects.
 */
export async function serveExchange(
  stream: Stream,
  maxRequestBytes: number,
  respond: (request: Uint8Array) => Uint8Array | Promise<Uint8Array>,
): Promise<boolean> {
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  try {
    const lp = lpStream(stream, { maxDataLength: maxRequestBytes })
    const request = await lp.read({ signal })
    await lp.write(await respond(request.subarray()), { signal })
    await stream.close({ signal })
    return true
  } catch (e) {
    stream.abort(e instanceof Error ? e : new Error(String(e)))
    return false
  }
}
