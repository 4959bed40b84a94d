/**
 * `status-pfs/x3dh`: prekey bundles (create, sign, verify, merge; PROTOCOL.md §4), the X3DH key
 * agreement (§5) and the DH-header fallback (§6). Storage and transport are not this layer's
 * concern; it imports only `crypto`, `wire` and the errors.
 *
 * @module
 */
export {
  CURRENT_PROTOCOL_VERSION,
  createBundle,
  nowNanoseconds,
  signBundle,
  verifyBundle,
} from './bundle.ts'
export type {
  CreateBundleOptions,
  SignBundleOptions,
  SignedPreKeyInput,
  VerifyBundleOptions,
} from './bundle.ts'
export { signatureMaterial, sortedInstallationIds } from './signature-material.ts'
export { mergeBundles } from './merge.ts'
export type { MergeBundlesOptions } from './merge.ts'
export {
  _initiatorDhOutputs,
  _responderDhOutputs,
  performActiveX3dh,
  x3dhActive,
  x3dhPassive,
} from './x3dh.ts'
export type { ActiveX3dhResult, InitiatorParams, ResponderParams } from './x3dh.ts'
export { NO_INSTALLATION_ID, dhDecrypt, dhEncrypt } from './dh-fallback.ts'
export type { DhDecryptOptions, DhEncryptOptions, DhEncrypted } from './dh-fallback.ts'
