import type { Message } from '#core/messages';
import type { MessageView } from '../../schemas/messages-thread';

/** A message as reads and live updates show it (its team is the store's business). */
export const presentMessage = (message: Message): MessageView => ({
  id: message.id,
  at: message.at,
  from: { type: message.from.type, id: message.from.id },
  body: message.body,
  mentions: [...message.mentions],
  ...(message.workId !== undefined && { workId: message.workId }),
  ...(message.to !== undefined && { to: message.to }),
});
