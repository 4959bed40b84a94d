/**
 * Looks for secrets in everything an outsider can see of an object: `util.inspect` (every depth,
 * hidden properties), `JSON.stringify` (plain and with bytes as hex), `String()`, and a walk of
 * every reachable own property, `cause`, `Map`, `Set` and array for the raw bytes. Each secret is
 * searched as lower- and upper-case hex, base64, base64url, and as the decimal list
 * `util.inspect` prints for a `Uint8Array`.
 *
 * `#private` fields are out of reach by design: that is what keeps `SecretKey` and the store's
 * tables from leaking.
 *
 * @module
 */
import { inspect } from 'node:util'
import { toHex } from '../../src/crypto/index.ts'

export interface NamedSecret {
  readonly name: string
  readonly bytes: Uint8Array
}

function encodings(secret: Uint8Array): string[] {
  const hex = toHex(secret)
  const b64 = Buffer.from(secret).toString('base64')
  const b64url = Buffer.from(secret).toString('base64url')
  // A prefix long enough to be unique (16 bytes), short enough to survive line wrapping limits.
  const decimal = Array.from(secret.subarray(0, 16)).join(',')
  return [hex, hex.toUpperCase(), b64.slice(0, 22), b64url.slice(0, 22), decimal]
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0 || haystack.length < needle.length) return false
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

function jsonWithBytes(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => {
      if (v instanceof Uint8Array) return toHex(v)
      if (typeof v === 'bigint') return v.toString()
      return v
    })
  } catch (e) {
    return `<json threw ${String(e)}>`
  }
}

function plainJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  } catch (e) {
    return `<json threw ${String(e)}>`
  }
}

/** Every byte array reachable from `root` through public properties. */
function reachableBytes(root: unknown): { path: string; bytes: Uint8Array }[] {
  const out: { path: string; bytes: Uint8Array }[] = []
  const seen = new Set<unknown>()
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > 30 || v === null || (typeof v !== 'object' && typeof v !== 'function')) return
    if (seen.has(v)) return
    seen.add(v)
    if (v instanceof Uint8Array) {
      out.push({ path, bytes: v })
      return
    }
    if (v instanceof ArrayBuffer) {
      out.push({ path, bytes: new Uint8Array(v) })
      return
    }
    if (v instanceof Map) {
      for (const [k, x] of v) {
        walk(k, `${path}<key>`, depth + 1)
        walk(x, `${path}.get()`, depth + 1)
      }
    } else if (v instanceof Set) {
      for (const x of v) walk(x, `${path}<item>`, depth + 1)
    }
    for (const key of Reflect.ownKeys(v)) {
      const desc = Object.getOwnPropertyDescriptor(v, key)
      if (desc === undefined || !('value' in desc)) continue
      walk(desc.value, `${path}.${String(key)}`, depth + 1)
    }
  }
  walk(root, '$', 0)
  return out
}

/** Where `secrets` show in `value`, as `"<secret> in <view>"` strings; empty when nowhere. */
export function findSecrets(value: unknown, secrets: readonly NamedSecret[]): string[] {
  const views: [string, string][] = [
    [
      'util.inspect',
      inspect(value, {
        depth: Infinity,
        showHidden: true,
        maxArrayLength: Infinity,
        maxStringLength: Infinity,
        breakLength: Infinity,
      }).replace(/\s+/g, ''),
    ],
    ['JSON.stringify', plainJson(value)],
    ['JSON (bytes as hex)', jsonWithBytes(value)],
    ['String()', String(value)],
  ]
  const found: string[] = []
  const bytes = reachableBytes(value)
  for (const s of secrets) {
    for (const [view, text] of views) {
      if (encodings(s.bytes).some((e) => text.includes(e))) found.push(`${s.name} in ${view}`)
    }
    for (const b of bytes) {
      if (contains(b.bytes, s.bytes)) found.push(`${s.name} in bytes at ${b.path}`)
    }
  }
  return found
}
