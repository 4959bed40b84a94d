/**
 * The long-running commands (`node`, `web`, `directory serve`) run until the user stops them:
 * Ctrl-C (SIGINT) or a service manager's SIGTERM. Their listeners are removed once it comes, so
 * a second signal falls through to Node's default and ends the process.
 *
 * @module
 */

/** Resolves at the first SIGINT or SIGTERM. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
