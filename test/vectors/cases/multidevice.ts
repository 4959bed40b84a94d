/**
 * `multidevice/multidevice.json` (status-go `GetBundle` / `ProcessPublicBundle` /
 * `EnableInstallation` / `BuildEncryptedMessage` / `HandleMessage` on four devices;
 * vectors/multidevice/README.md "multidevice.json — script") through the `Protocol` API: pairing,
 * merged bundles, one entry per recipient installation, a reply mixing an existing session and a
 * new X3DH session, the message to self, and what devices without an entry do. See
 * `protocol-scenario.ts` for what each step checks.
 */
import { runScenarios } from './protocol-scenario.ts'

export default runScenarios
