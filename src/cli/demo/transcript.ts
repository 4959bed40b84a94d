/**
 * The demo's transcript: numbered sections, narration, checks (✓/✗), a progress bar and tables.
 * It prints as it goes (unless collecting for `--json`) and keeps a plain-text copy of every line.
 *
 * @module
 */
import type { Output } from '../context.ts'
import type { Style } from '../style.ts'

export interface Check {
  readonly name: string
  readonly ok: boolean
  readonly detail?: string
}

// eslint-disable-next-line no-control-regex -- matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g

export class Transcript {
  readonly style: Style
  readonly #out: Output | undefined
  readonly lines: string[] = []
  readonly checks: Check[] = []
  #section = 0

  /** `out` undefined: collect only (JSON mode). */
  constructor(style: Style, out: Output | undefined) {
    this.style = style
    this.#out = out
  }

  say(line = ''): void {
    this.lines.push(line.replace(ANSI, ''))
    this.#out?.line(line)
  }

  section(title: string): void {
    this.#section++
    this.say()
    this.say(this.style.bold(this.style.cyan(`${this.#section}. ${title}`)))
  }

  /** Records a check and prints it; returns `ok`. */
  check(name: string, ok: boolean, detail?: string): boolean {
    this.checks.push(detail === undefined ? { name, ok } : { name, ok, detail })
    const mark = ok ? this.style.green('✓') : this.style.red('✗')
    this.say(`   ${mark} ${name}${detail === undefined ? '' : this.style.dim(` (${detail})`)}`)
    return ok
  }

  /** A progress bar: redrawn in place on a terminal; elsewhere only the final state is kept. */
  progress(label: string, done: number, total: number, final = false): void {
    const line = `   ${label} ${bar(done, total)} ${done}/${total}`
    if (this.#out?.isTty === true && !final) {
      this.#out.write(`\r${line}`)
      return
    }
    if (!final) return
    if (this.#out?.isTty === true) this.#out.write('\r\u001b[K')
    this.say(line)
  }

  table(head: readonly string[], rows: readonly (readonly string[])[]): void {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i] ?? ''))))
    const fmt = (cells: readonly string[]): string =>
      cells
        .map((c, i) => (i === 0 ? pad(c, widths[i]!) : padStart(c, widths[i]!)))
        .join('  ')
        .trimEnd()
    this.say(`   ${this.style.bold(fmt(head))}`)
    this.say(`   ${widths.map((w) => '─'.repeat(w)).join('  ')}`)
    for (const r of rows) this.say(`   ${fmt(r)}`)
  }

  get ok(): boolean {
    return this.checks.length > 0 && this.checks.every((c) => c.ok)
  }
}

export function bar(done: number, total: number, size = 30): string {
  const frac = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total))
  const full = Math.round(frac * size)
  return `[${'█'.repeat(full)}${'░'.repeat(size - full)}]`
}

function width(s: string): number {
  let n = 0
  for (const _ of new Intl.Segmenter().segment(s.replace(ANSI, ''))) n++
  return n
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)))
}

function padStart(s: string, w: number): string {
  return ' '.repeat(Math.max(0, w - width(s))) + s
}
