/**
 * The simulator's summary, as text for the command line and the closing note.
 *
 * @module
 */
import type { SimReport } from './simulation.ts'

function counts(o: Readonly<Partial<Record<string, number>>>): string {
  const parts = Object.entries(o)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${k} ${String(n)}`)
  return parts.length === 0 ? '0' : parts.join(', ')
}

export function formatReport(r: SimReport): string {
  const faults = Object.values(r.undecryptable).reduce((a, b) => a + b, 0)
  const s = r.scenario
  const n = r.network
  const lines = [
    `seed ${String(r.seed)}: ${r.ok ? 'OK' : 'FAILED'} (${String(r.simulatedHours)} simulated hours)`,
    `  messages sent                ${String(r.sent)}`,
    `  expected (message, device)   ${String(r.expected)}`,
    `  delivered                    ${String(r.delivered)} (+${String(r.deliveredExtra)} not required)`,
    `  undecryptable by fault       ${String(faults)} (${counts(r.undecryptable)})`,
    `  duplicated to the user       ${String(r.duplicatesShown)}${r.duplicates.length === 0 ? '' : ` (${r.duplicates.slice(0, 5).join(', ')})`}`,
    `  lost                         ${String(r.lost)}`,
    `  missing, allowed             ${counts(r.allowed)}`,
    `  failure reports (any)        ${counts(r.failureReports)}; unattributed ${String(r.unattributedFailures)}`,
    `  messenger                    decryption failures ${String(r.messenger.decryptionFailures)}, duplicates dropped ${String(r.messenger.duplicatesDropped)}, error events ${String(r.messenger.errors)} (${counts(r.errorCodes)})`,
    `  live copies refused by clock ${String(r.liveDrops.future)} dated ahead, ${String(r.liveDrops.expired)} expired (recovered by sync)`,
    `  network                      copies ${String(n.copies)}, lost ${String(n.lost)}, duplicated ${String(n.duplicated)}, reordered ${String(n.reorderDelayed)}, out of order ${String(n.outOfOrder)}, offline drops ${String(n.offline)}, history queries ${String(n.queries)}`,
    `  scenario                     pairings ${String(s.pairings)}, removals ${String(s.removals)}, recoveries ${String(s.recoveries)}, offline periods ${String(s.offlinePeriods)} (${String(s.longOffline)} of days), time jumps ${String(s.timeJumps)}, hour-long delays ${String(s.longDelays)}, re-establishments ${String(s.reestablishments)}, syncs ${String(s.syncs)}, failed sends ${String(s.sendFailures)}`,
  ]
  for (const f of r.faults.slice(0, 10)) {
    lines.push(
      `  fault: message m${String(f.seq)} from ${f.from} on ${f.device}: ${f.reason} [${f.codes.join(',')}]`,
    )
  }
  return lines.join('\n')
}
