/**
 * Public chat names, topics and keys (whitepaper §2.3 "public chats"; PROTOCOL.md §11.2;
 * TRANSPORT.md §1.8). The reference derives both from the chat name itself, exactly as for the
 * contact-code topic (status-go `FiltersManager.LoadPublic` → `addSymmetric(chatID)`):
 *
 * - topic = `keccak256(ASCII name)[0:4]`;
 * - symmetric key = geth `AddSymKeyFromPassword(name)` = PBKDF2-SHA256(name, "", 65356, 32).
 *
 * Anyone who knows the name can read and write: a public chat is public. Names are what Status
 * accepts (lowercase letters, digits and dashes), so that `#Status` and `#status` are not two
 * chats by accident.
 *
 * @module
 */
import { defaultProvider } from '../../crypto/index.ts'
import type { CryptoProvider, SecretKey } from '../../crypto/index.ts'
import { PfsError } from '../../errors.ts'
import { symmetricKeyFromPassword, topicFromName } from '../../transport/index.ts'
import type { Topic } from '../../transport/index.ts'

/** Longest public chat name accepted. */
export const MAX_CHAT_NAME_LENGTH = 100

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/u

/**
 * The canonical form of a chat name: trimmed, without a leading `#`, lower case.
 * @throws {PfsError} `INVALID_ARGUMENT` for anything but letters, digits and single dashes
 */
export function publicChatName(name: string): string {
  if (typeof name !== 'string') throw new PfsError('INVALID_ARGUMENT', 'chat name must be a string')
  const n = name.trim().replace(/^#/u, '').toLowerCase()
  if (n.length === 0 || n.length > MAX_CHAT_NAME_LENGTH || !NAME.test(n)) {
    throw new PfsError('INVALID_ARGUMENT', 'chat name: letters, digits and dashes only', {
      max: MAX_CHAT_NAME_LENGTH,
    })
  }
  return n
}

/** The chat's topic: `keccak256(name)[0:4]`. */
export function publicChatTopic(name: string, provider: CryptoProvider = defaultProvider()): Topic {
  return topicFromName(publicChatName(name), provider)
}

/** The chat's symmetric key: PBKDF2 of the name (tens of ms: derive once per chat). */
export function publicChatKey(
  name: string,
  provider: CryptoProvider = defaultProvider(),
): SecretKey {
  return symmetricKeyFromPassword(publicChatName(name), provider)
}
