/**
 * Small DOM helpers of the web client: typed element look-up and element creation that only ever
 * sets text (never HTML), so nothing a peer sends can become markup.
 *
 * @module
 */

/** The element with `id` (of class `type`); throws if the page lacks it (a bug, not input). */
export function byId(id: string): HTMLElement
export function byId<C extends HTMLElement>(id: string, type: abstract new () => C): C
export function byId(id: string, type: abstract new () => HTMLElement = HTMLElement): HTMLElement {
  const el = document.getElementById(id)
  if (!(el instanceof type)) throw new Error(`missing element #${id}`)
  return el
}

type Child = Node | string | false | undefined

/** `<tag>` with attributes (`class`, `aria-*`, `data-*`, …) and text or element children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string | boolean>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false) continue
    el.setAttribute(name, value === true ? '' : value)
  }
  for (const c of children) {
    if (c === false || c === undefined) continue
    el.append(c)
  }
  return el
}

/** A button that runs `action` once per click, disabled while it runs. */
export function button(
  label: string,
  action: () => Promise<void>,
  attrs: Readonly<Record<string, string | boolean>> = {},
): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, label)
  b.addEventListener('click', () => {
    b.disabled = true
    action()
      .catch(report)
      .finally(() => {
        b.disabled = false
      })
  })
  return b
}

/**
 * Puts generated SVG (our identicon or QR code, never peer input) into `host` by parsing it as
 * SVG, not as HTML.
 */
export function setSvg(host: HTMLElement, svg: string): void {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml')
  const root = doc.documentElement
  if (root.nodeName !== 'svg') throw new Error('not an SVG document')
  root.setAttribute('aria-hidden', 'true')
  root.setAttribute('focusable', 'false')
  host.replaceChildren(document.importNode(root, true))
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined

/** Shows a short message in the page's alert region (read out by screen readers). */
export function notice(text: string): void {
  const el = byId('notice')
  el.textContent = text
  // Also to the console, where the end-to-end test and developers can read the history.
  console.info(`notice: ${text}`)
  if (noticeTimer !== undefined) clearTimeout(noticeTimer)
  noticeTimer = setTimeout(() => {
    el.textContent = ''
  }, 6000)
}

/** Reports a failure to the user: the error's code and message (they never hold secrets). */
export function report(e: unknown): void {
  const code = (e as { code?: unknown } | null)?.code
  const message = e instanceof Error ? e.message : String(e)
  notice(typeof code === 'string' ? `${message} [${code}]` : message)
}

/** Shows or hides a section. */
export function show(id: string, visible = true): void {
  byId(id).hidden = !visible
}
