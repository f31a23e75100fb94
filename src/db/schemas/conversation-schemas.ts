import { z } from 'zod';
import { MESSAGE_ROLES } from '../../models/message.js';
import { jsonObject, text, unitInterval, uuid } from './common.js';

export const createConversationSchema = z.strictObject({
  userId: uuid(),
  sessionId: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  title: z.string().max(255, 'must be at most 255 characters').nullable().optional(),
  metadata: jsonObject().optional(),
});

export const updateConversationSchema = createConversationSchema.pick({ title: true, metadata: true }).partial();

export const createMessageSchema = z.strictObject({
  conversationId: uuid(),
  content: text('messageChars').min(1, 'must not be empty'),
  role: z.enum(MESSAGE_ROLES, { error: `must be one of ${MESSAGE_ROLES.join(', ')}` }),
  agentUsed: z.string().max(50, 'must be at most 50 characters').nullable().optional(),
  confidence: unitInterval().nullable().optional(),
  metadata: jsonObject().optional(),
});

/** A message as the caller gives it; the conversation is the method's own argument. */
export const newMessageSchema = createMessageSchema.omit({ conversationId: true });

export type CreateConversationInput = z.input<typeof createConversationSchema>;
export type UpdateConversationInput = z.input<typeof updateConversationSchema>;
export type CreateMessageInput = z.input<typeof createMessageSchema>;
export type NewMessageInput = z.input<typeof newMessageSchema>;
