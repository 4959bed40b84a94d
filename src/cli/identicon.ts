/**
 * The identicon in the terminal: the colour-hash ring of `messenger/identity/identicon.ts`
 * (segments round the circle from 3 o'clock, clockwise, each spanning length/Σlengths) sampled on
 * a character grid. With colours each cell is painted its segment's palette colour; without, each
 * cell shows the segment's colour index in base 32, so the picture still carries the hash.
 *
 * @module
 */
import { COLOR_PALETTE } from '../messenger/identity/index.ts'
import type { ColorHash } from '../messenger/identity/index.ts'
import type { Style } from './style.ts'

const DIGITS = '0123456789abcdefghijklmnopqrstuv'

/**
 * Renders `hash` as a ring `rows` character rows high (two columns per cell, as terminal cells
 * are about twice as high as wide).
 */
export function terminalIdenticon(hash: ColorHash, style: Style, rows = 11): string {
  const total = hash.reduce((s, [len]) => s + len, 0)
  const ends: number[] = []
  let acc = 0
  for (const [len] of hash) {
    acc += len
    ends.push((2 * Math.PI * acc) / Math.max(total, 1))
  }
  const c = (rows - 1) / 2
  const outer = c + 0.5
  const inner = outer * 0.62
  const lines: string[] = []
  for (let y = 0; y < rows; y++) {
    let line = ''
    for (let x = 0; x < rows; x++) {
      const dx = x - c
      const dy = y - c
      const r = Math.hypot(dx, dy)
      if (r > outer || r < inner || hash.length === 0) {
        line += '  '
        continue
      }
      let angle = Math.atan2(dy, dx)
      if (angle < 0) angle += 2 * Math.PI
      let i = ends.findIndex((e) => angle < e)
      if (i < 0) i = hash.length - 1
      const colour = hash[i]![1]
      const hex = COLOR_PALETTE[colour % COLOR_PALETTE.length] ?? '#888888'
      line += style.enabled ? style.bgRgb(hex, '  ') : DIGITS[colour % 32]!.repeat(2)
    }
    lines.push(line.replace(/\s+$/, ''))
  }
  return lines.join('\n')
}
