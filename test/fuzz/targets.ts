/**
 * Every fuzz target, and how a total number of inputs is shared among them.
 *
 * @module
 */
import type { FuzzTarget } from './harness.ts'
import { applicationTargets } from './targets-application.ts'
import { protocolTargets } from './targets-protocol.ts'
import { transportTargets } from './targets-transport.ts'
import { wireTargets } from './targets-wire.ts'

export const ALL_TARGETS: readonly FuzzTarget[] = [
  ...wireTargets,
  ...applicationTargets,
  ...transportTargets,
  ...protocolTargets,
]

/** `total` inputs split by weight (each target at least one). */
export function shareRuns(
  targets: readonly FuzzTarget[],
  total: number,
): (readonly [FuzzTarget, number])[] {
  const sum = targets.reduce((n, t) => n + t.weight, 0)
  return targets.map((t) => [t, Math.max(1, Math.round((total * t.weight) / sum))] as const)
}
