/**
 * Terminal styling for the `status-pfs` command: ANSI colours only when the stream is a TTY and
 * `NO_COLOR` is unset (https://no-color.org), `FORCE_COLOR` forcing them on. Everything else in
 * the cli layer asks `Style` for colours, so that piped output and `--json` stay plain text.
 *
 * @module
 */

/** Text decorations; each is the identity function when colours are off. */
export interface Style {
  readonly enabled: boolean
  bold(s: string): string
  dim(s: string): string
  red(s: string): string
  green(s: string): string
  yellow(s: string): string
  cyan(s: string): string
  magenta(s: string): string
  /** 24-bit foreground colour from `#RRGGBB`. */
  rgb(hex: string, s: string): string
  /** 24-bit background colour from `#RRGGBB`. */
  bgRgb(hex: string, s: string): string
}

/** True when colours should be written to a stream of this kind. */
export function colourWanted(isTty: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = env['NO_COLOR']
  if (noColor !== undefined && noColor !== '') return false
  const force = env['FORCE_COLOR']
  if (force !== undefined && force !== '' && force !== '0') return true
  return isTty
}

function sgr(open: string, close: string): (s: string) => string {
  return (s) => `\u001b[${open}m${s}\u001b[${close}m`
}

function rgbOf(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.replace(/^#/, ''), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

const plain = (s: string): string => s

export function makeStyle(enabled: boolean): Style {
  if (!enabled) {
    return {
      enabled,
      bold: plain,
      dim: plain,
      red: plain,
      green: plain,
      yellow: plain,
      cyan: plain,
      magenta: plain,
      rgb: (_h, s) => s,
      bgRgb: (_h, s) => s,
    }
  }
  return {
    enabled,
    bold: sgr('1', '22'),
    dim: sgr('2', '22'),
    red: sgr('31', '39'),
    green: sgr('32', '39'),
    yellow: sgr('33', '39'),
    cyan: sgr('36', '39'),
    magenta: sgr('35', '39'),
    rgb: (hex, s) => sgr(`38;2;${rgbOf(hex).join(';')}`, '39')(s),
    bgRgb: (hex, s) => sgr(`48;2;${rgbOf(hex).join(';')}`, '49')(s),
  }
}

/** The style for standard output of this process. */
export function stdoutStyle(): Style {
  return makeStyle(colourWanted(process.stdout.isTTY))
}

/** The style for standard error of this process. */
export function stderrStyle(): Style {
  return makeStyle(colourWanted(process.stderr.isTTY))
}
