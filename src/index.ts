/**
 * `status-pfs`: the package root. Re-exports the error type and, as layers land, the application
 * API of DESIGN.md ("Public API").
 *
 * @module
 */
export { ErrorCode, PfsError, WireError, BundleError, isPfsError } from './errors.ts'
export type { ErrorDetails } from './errors.ts'
