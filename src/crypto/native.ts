/**
 * The `native` backend. PLACEHOLDER until the native implementation lands: delegates to portable.
 *
 * @module
 */
import { portablePrimitives } from './portable.ts'
import type { Primitives } from './types.ts'

export const nativePrimitives: Primitives = { ...portablePrimitives, name: 'native' }
