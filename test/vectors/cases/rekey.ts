/**
 * `multidevice/rekey.json` (status-go signed-prekey rotation with `BundleRefreshInterval` = 1000
 * ms; vectors/multidevice/README.md "rekey.json — script") through the `Protocol` API: Bob's
 * version-2 signed prekey expires the old one, Alice's next message runs a new X3DH against it,
 * and messages sent on the old session before the rotation still decrypt afterwards. See
 * `protocol-scenario.ts` for what each step checks.
 */
import { runScenarios } from './protocol-scenario.ts'

export default runScenarios
