/**
 * Which vector files the runner knows, and the handler module for each. A handler takes the parsed
 * JSON and returns one result per case (`error` undefined when it passed). Each layer adds its
 * handler here when it lands.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface CaseResult {
  readonly name: string
  readonly error?: string
}
export type Handler = (json: unknown) => CaseResult[] | Promise<CaseResult[]>

export const KNOWN_FILES: readonly string[] = [
  'x3dh.json',
  'bundle.json',
  'ratchet.json',
  'dh_header.json',
  'protocol_message.json',
  'whisper_payload.json',
  'multidevice.json',
  'rekey.json',
]

/**
 * The handler of `file`: the default export of `cases/<stem>.ts` (`x3dh.json` → `cases/x3dh.ts`),
 * or undefined while that layer has none.
 */
export async function handlerFor(file: string): Promise<Handler | undefined> {
  const stem = file.replace(/\.json$/, '')
  const url = new URL(`./cases/${stem}.ts`, import.meta.url)
  if (!existsSync(fileURLToPath(url))) return undefined
  const mod = (await import(url.href)) as { default: Handler }
  return mod.default
}

/** Case names of a file, for reporting files whose handler does not exist yet. */
export function listCases(file: string, json: unknown): string[] {
  const j = json as { cases?: unknown[]; tampered?: unknown[] }
  const names: string[] = []
  for (const c of j.cases ?? []) {
    const cc = c as { name?: string; session?: { name?: string } }
    names.push(file === 'ratchet.json' ? (cc.session?.name ?? '?') : (cc.name ?? '?'))
  }
  if (file === 'bundle.json')
    for (const t of j.tampered ?? []) names.push((t as { name?: string }).name ?? '?')
  return names.length > 0 ? names : ['-']
}
