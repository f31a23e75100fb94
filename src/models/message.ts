import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
} from 'sequelize';
import { modelOptions, type ModelPlacement } from './model-naming.js';
import type { Conversation } from './conversation.js';
import type { JsonObject } from './types.js';

/** Who wrote a message (a CHECK constraint, decision 10). */
export const MESSAGE_ROLES = ['user', 'assistant', 'system', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** A row of `messages`. */
export class Message extends Model<InferAttributes<Message>, InferCreationAttributes<Message>> {
  declare id: CreationOptional<string>;
  declare conversationId: ForeignKey<Conversation['id']> | null;
  declare content: string;
  declare role: MessageRole;
  declare agentUsed: string | null;
  /** Between 0 and 1. */
  declare confidence: number | null;
  declare createdAt: CreationOptional<Date>;
  declare metadata: CreationOptional<JsonObject>;

  declare conversation?: NonAttribute<Conversation>;
}

/** @internal */
export function initMessage(placement: ModelPlacement): typeof Message {
  class BoundMessage extends Message {}
  BoundMessage.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      conversationId: { type: DataTypes.UUID, allowNull: true },
      content: { type: DataTypes.TEXT, allowNull: false },
      role: { type: DataTypes.STRING(20), allowNull: false },
      agentUsed: { type: DataTypes.STRING(50), allowNull: true },
      confidence: { type: DataTypes.DOUBLE, allowNull: true },
      createdAt: { type: DataTypes.DATE },
      metadata: { type: DataTypes.JSONB, defaultValue: {} },
    },
    { ...modelOptions(placement, 'Message', 'messages'), underscored: true, timestamps: true, updatedAt: false },
  );
  return BoundMessage;
}
