/**
 * Contact state derived from the stored contact requests (whitepaper §1.5.2): the newest request
 * with a person decides. Accepted → `mutual`; pending → `requested` (ours) or `incoming` (theirs);
 * declined → `declined` (either way: after a decline only a new request moves things on). A contact
 * record without any request (a restored or trusted contact) counts as `mutual`.
 *
 * @module
 */
import type { ContactRequestRecord, Store } from '../store/index.ts'

export type ContactState = 'mutual' | 'requested' | 'incoming' | 'declined'

/** The newest request with `identity` (by `createdAt`, then insertion order). */
export function latestRequest(
  store: Store,
  identity: Uint8Array,
): ContactRequestRecord | undefined {
  const all = store.listContactRequests({ identity })
  return all[all.length - 1]
}

/** The newest pending request with `identity` in one direction. */
export function pendingRequest(
  store: Store,
  identity: Uint8Array,
  direction: 'incoming' | 'outgoing',
): ContactRequestRecord | undefined {
  const all = store
    .listContactRequests({ identity, state: 'pending' })
    .filter((r) => r.direction === direction)
  return all[all.length - 1]
}

export function contactState(store: Store, identity: Uint8Array): ContactState | undefined {
  const latest = latestRequest(store, identity)
  if (latest === undefined) return store.getContact(identity) === undefined ? undefined : 'mutual'
  switch (latest.state) {
    case 'accepted':
      return 'mutual'
    case 'declined':
      return 'declined'
    case 'pending':
      return latest.direction === 'outgoing' ? 'requested' : 'incoming'
  }
}
