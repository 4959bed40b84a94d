/**
 * The identicon (no vector exists; identity README "Not covered"): a well-formed SVG document,
 * deterministic, drawn from the key's color hash, and different whenever the ring differs.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { SecretKey, fromHex, portable } from '../../src/crypto/index.ts'
import { isPfsError } from '../../src/errors.ts'
import { COLOR_PALETTE, colorHash, identiconSvg } from '../../src/messenger/identity/index.ts'
import keys from '../../../shared/identity/keys.json' with { type: 'json' }

/**
 * A small XML well-formedness check, enough for the subset we emit: elements with quoted
 * attributes (no duplicates), properly nested, one root, nothing but whitespace between tags.
 */
function parseXml(text: string): { name: string; attrs: Record<string, string> }[] {
  const elements: { name: string; attrs: Record<string, string> }[] = []
  const stack: string[] = []
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*")*)\s*(\/?)>/y
  let pos = 0
  let roots = 0
  while (pos < text.length) {
    const lt = text.indexOf('<', pos)
    const between = lt < 0 ? text.slice(pos) : text.slice(pos, lt)
    assert.match(between, /^\s*$/, `text outside tags at ${pos}`)
    if (lt < 0) break
    tag.lastIndex = lt
    const m = tag.exec(text)
    assert.ok(m, `malformed tag at ${lt}: ${text.slice(lt, lt + 40)}`)
    const [, close, name, attrText, selfClose] = m
    if (close) {
      assert.equal(attrText, '')
      assert.equal(stack.pop(), name, `mismatched </${name!}>`)
    } else {
      if (stack.length === 0) roots++
      const attrs: Record<string, string> = {}
      for (const a of attrText!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
        assert.ok(!(a[1]! in attrs), `duplicate attribute ${a[1]!}`)
        attrs[a[1]!] = a[2]!
      }
      elements.push({ name: name!, attrs })
      if (!selfClose) stack.push(name!)
    }
    pos = tag.lastIndex
  }
  assert.deepEqual(stack, [], 'unclosed elements')
  assert.equal(roots, 1, 'exactly one root element')
  return elements
}

const pub = (hex: string) => fromHex(hex)
const isSegment = (e: { name: string; attrs: Record<string, string> }) =>
  e.name === 'path' || (e.name === 'circle' && e.attrs['stroke-width'] === '10')

test('identiconSvg: well-formed SVG whose ring is the color hash, in order', () => {
  for (const k of keys.cases) {
    const svg = identiconSvg(pub(k.public_key))
    const els = parseXml(svg)
    assert.equal(els[0]!.name, 'svg')
    assert.equal(els[0]!.attrs['xmlns'], 'http://www.w3.org/2000/svg')
    assert.equal(els[0]!.attrs['viewBox'], '0 0 100 100')
    assert.equal(els[0]!.attrs['width'], '64')
    const hash = colorHash(pub(k.public_key))
    // Segments are arcs; a ring of one segment is a stroked circle (an arc cannot close).
    const strokes = els.filter(isSegment).map((e) => e.attrs['stroke'])
    assert.deepEqual(
      strokes,
      hash.map(([, i]) => COLOR_PALETTE[i]),
      k.label,
    )
    for (const e of els.filter((x) => x.name === 'path')) {
      assert.match(e.attrs['d']!, /^M -?[\d.]+ -?[\d.]+ A 45 45 0 [01] 1 -?[\d.]+ -?[\d.]+$/)
    }
  }
})

test("identiconSvg: the ring closes: each arc starts where the last ended, back to 3 o'clock", () => {
  const svg = identiconSvg(pub(keys.cases[0]!.public_key))
  const arcs = [...svg.matchAll(/d="M ([\d.-]+ [\d.-]+) A 45 45 0 [01] 1 ([\d.-]+ [\d.-]+)"/g)]
  assert.ok(arcs.length > 1)
  assert.equal(arcs[0]![1], '95 50')
  for (let i = 1; i < arcs.length; i++) assert.equal(arcs[i]![1], arcs[i - 1]![2])
  assert.equal(arcs[arcs.length - 1]![2], '95 50')
})

test('identiconSvg: deterministic, same for every encoding of a key, differs with the ring', () => {
  const byRing = new Map<string, string>()
  for (const k of keys.cases) {
    const a = identiconSvg(pub(k.public_key))
    assert.equal(identiconSvg(pub(k.public_key)), a)
    assert.equal(identiconSvg(`0x${k.public_key}`), a)
    assert.equal(identiconSvg(portable.compressPublicKey(pub(k.public_key))), a)
    // The picture is the color hash: equal rings (the small_x_* keys share [[1, 0]]) give equal
    // pictures, and different rings different ones.
    const ring = JSON.stringify(colorHash(pub(k.public_key)))
    const before = byRing.get(ring)
    if (before === undefined) byRing.set(ring, a)
    else assert.equal(a, before, k.label)
  }
  assert.equal(new Set(byRing.values()).size, byRing.size)
  assert.ok(byRing.size >= 20)
  // A single-segment ring is drawn as one stroked circle.
  const single = identiconSvg(pub(keys.cases.find((k) => k.label === 'small_x_1')!.public_key))
  assert.deepEqual(colorHash(pub(keys.cases.find((k) => k.label === 'small_x_1')!.public_key)), [
    [1, 0],
  ])
  assert.equal(parseXml(single).filter(isSegment).length, 1)
})

test('identiconSvg: options, and refusal of values that could inject markup', () => {
  const key = pub(keys.cases[0]!.public_key)
  const svg = identiconSvg(key, { size: 128, background: '#112233' })
  const els = parseXml(svg)
  assert.equal(els[0]!.attrs['width'], '128')
  assert.ok(els.some((e) => e.name === 'circle' && e.attrs['fill'] === '#112233'))
  for (const options of [
    { size: 0 },
    { size: 1.5 },
    { size: 1e6 },
    { background: '"/><script>' },
    { background: 'red' },
  ]) {
    assert.throws(
      () => identiconSvg(key, options),
      (e) => isPfsError(e, 'INVALID_ARGUMENT'),
    )
  }
  assert.throws(
    () => identiconSvg(new Uint8Array(65)),
    (e) => isPfsError(e, 'INVALID_KEY'),
  )
})

test('property: identicons of random keys are well-formed and follow the color hash', () => {
  const scalar = fc
    .uint8Array({ minLength: 32, maxLength: 32 })
    .filter((b) => b.some((x) => x !== 0) && b[0]! < 0xff)
  fc.assert(
    fc.property(scalar, (bytes) => {
      const key = portable.secp256k1PublicKey(SecretKey.fromBytes(bytes), false)
      const els = parseXml(identiconSvg(key))
      const hash = colorHash(key)
      const drawn = els.filter(isSegment)
      assert.equal(drawn.length, hash.length)
    }),
    { numRuns: 100 },
  )
})
