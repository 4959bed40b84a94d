/**
 * `status-pfs demo --seed 1` (issue 7, "Done when"): exits 0 with the summary table and every
 * check held, in under 30 s, and prints the same transcript twice for one seed.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cli } from './helpers.ts'

describe('status-pfs demo', () => {
  it('--seed 1 exits 0 with the summary and all checks held, deterministically', () => {
    const r = cli(['demo', '--seed', '1'], undefined, 120_000)
    // The demo's own measure (stderr), without process start-up.
    const took = Number(/demo took ([\d.]+) s/.exec(r.stderr)?.[1] ?? 'NaN') * 1000
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
    assert.match(r.stdout, /Summary/)
    assert.match(r.stdout, /sent\s+delivered\s+PFS\s+sessions\s+devices/)
    assert.match(r.stdout, /all \d+ checks held/)
    assert.doesNotMatch(r.stdout, /✗/)
    assert.ok(took < 30_000, `took ${took} ms`)

    const j = cli(['demo', '--seed', '1', '--json'], undefined, 120_000)
    assert.equal(j.status, 0, j.stderr)
    const doc = JSON.parse(j.stdout) as {
      ok: boolean
      summary: { sent: number; delivered: number; pfsShare: number; devices: number }
      checks: { ok: boolean }[]
      transcript: string[]
    }
    assert.equal(doc.ok, true)
    assert.ok(doc.checks.length >= 20 && doc.checks.every((c) => c.ok))
    assert.ok(doc.summary.sent > 0 && doc.summary.delivered >= doc.summary.sent)
    assert.ok(doc.summary.devices >= 4)
    // Same seed, same story: the JSON transcript is a contiguous part of the printed one. The QR
    // code is left out: the signed prekey inside the contact code is fresh key material.
    const noQr = (lines: string[]): string => lines.filter((l) => !/[█▀▄]/.test(l)).join('\n')
    assert.ok(
      noQr(r.stdout.split('\n')).includes(noQr(doc.transcript)),
      'the two runs tell the same story',
    )
  })
})
