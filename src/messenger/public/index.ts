/**
 * Public chats (whitepaper §2.3): named, symmetric-key topics where every message carries its
 * author's signed bundle, so a later 1:1 starts with PFS.
 *
 * @module
 */
export { PublicChats } from './public-chats.ts'
export type { PublicChatEvents, PublicChatMessage, PublicChatsOptions } from './public-chats.ts'
export {
  MAX_CHAT_NAME_LENGTH,
  publicChatKey,
  publicChatName,
  publicChatTopic,
} from './chat-name.ts'
export { accountKeys, accountProtocol } from './account-keys.ts'
export type { AccountKeys, AccountOptions } from './account-keys.ts'
