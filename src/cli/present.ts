/**
 * How an identity is shown (whitepaper §1.5.2, "external verification"; issue 7): the chat key in
 * both forms, the three-word name, the emoji hash and the share link, as aligned label/value
 * lines, and as a plain object for `--json`.
 *
 * @module
 */
import type { Messenger } from '../messenger/index.ts'
import type { Style } from './style.ts'

export interface IdentityView {
  name: string
  publicKey: string
  compressedKey: string
  emojiHash: string
  installationId: string
  shareUrl: string
}

export function identityView(m: Messenger): IdentityView {
  return {
    name: m.name,
    publicKey: m.publicKey,
    compressedKey: m.compressedKey,
    emojiHash: m.emojiHash,
    installationId: m.installationId,
    shareUrl: m.shareUrl,
  }
}

/** `label  value` lines with the labels padded to one width. */
export function fields(style: Style, rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `  ${style.dim(k.padEnd(width))}  ${v}`)
}

/** The identity as aligned lines; `first` rows (the phrase) go on top, `last` at the bottom. */
export function identityLines(
  style: Style,
  v: IdentityView,
  first: readonly (readonly [string, string])[] = [],
  last: readonly (readonly [string, string])[] = [],
): string[] {
  return fields(style, [
    ...first,
    ['Name', style.bold(v.name)],
    ['Chat key', v.publicKey],
    ['Key', v.compressedKey],
    ['Emoji hash', v.emojiHash],
    ['Installation', v.installationId],
    ['Share link', v.shareUrl],
    ...last,
  ])
}

/** A key shortened for tables: `0x04ab12…ef34`. */
export function shortKey(key: string): string {
  return key.length <= 16 ? key : `${key.slice(0, 8)}…${key.slice(-4)}`
}
