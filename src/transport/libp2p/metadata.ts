/**
 * The Waku metadata protocol (`/vac/waku/metadata/1.0.0`; TRANSPORT.md §3.1, §4.3 item 6, §5.3):
 * right after connecting, peers tell each other their cluster id and shards. nwaku drops peers
 * that do not answer or that are in another cluster; we answer with cluster 16, shard 32 (the
 * Status fleet's), and hang up on peers that report another cluster.
 *
 * @module
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import type { Libp2p, PeerId } from '@libp2p/interface'
import {
  WakuMetadataRequestSchema,
  WakuMetadataResponseSchema,
} from '../../wire/gen/waku_metadata_pb.ts'
import { METADATA_PROTOCOL } from './constants.ts'
import { exchange, serveExchange } from './request.ts'

export interface ShardInfo {
  readonly clusterId: number
  readonly shards: readonly number[]
}

const MAX_METADATA_BYTES = 4096

/** Registers the metadata handler on `node`. */
export async function serveMetadata(node: Libp2p, info: ShardInfo): Promise<void> {
  const response = toBinary(
    WakuMetadataResponseSchema,
    create(WakuMetadataResponseSchema, { clusterId: info.clusterId, shards: [...info.shards] }),
  )
  await node.handle(
    METADATA_PROTOCOL,
    ({ stream }) => {
      void serveExchange(stream, MAX_METADATA_BYTES, (request) => {
        // The request only has to parse; what the peer claims does not change our answer.
        fromBinary(WakuMetadataRequestSchema, request)
        return response
      })
    },
    { runOnLimitedConnection: false },
  )
}

/**
 * Asks `peer` for its cluster and shards.
 * @throws {PfsError} code=NETWORK_FAILURE | WIRE_MALFORMED
 */
export async function queryMetadata(
  node: Libp2p,
  peer: PeerId,
  info: ShardInfo,
): Promise<{ clusterId: number | undefined; shards: number[] }> {
  const request = toBinary(
    WakuMetadataRequestSchema,
    create(WakuMetadataRequestSchema, { clusterId: info.clusterId, shards: [...info.shards] }),
  )
  const bytes = await exchange(node, peer, METADATA_PROTOCOL, request, {
    maxResponseBytes: MAX_METADATA_BYTES,
  })
  const r = fromBinary(WakuMetadataResponseSchema, bytes)
  return { clusterId: r.clusterId, shards: r.shards }
}
