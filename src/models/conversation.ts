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
import type { Message } from './message.js';
import type { User } from './user.js';
import type { JsonObject } from './types.js';

/** A row of `conversations`: one chat session between a user and the assistant's agents. */
export class Conversation extends Model<InferAttributes<Conversation>, InferCreationAttributes<Conversation>> {
  declare id: CreationOptional<string>;
  declare userId: ForeignKey<User['id']> | null;
  declare sessionId: string;
  declare title: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare metadata: CreationOptional<JsonObject>;

  declare user?: NonAttribute<User>;
  declare messages?: NonAttribute<Message[]>;
}

/** @internal */
export function initConversation(placement: ModelPlacement): typeof Conversation {
  class BoundConversation extends Conversation {}
  BoundConversation.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      userId: { type: DataTypes.UUID, allowNull: true },
      sessionId: { type: DataTypes.STRING(100), allowNull: false },
      title: { type: DataTypes.STRING(255), allowNull: true },
      createdAt: { type: DataTypes.DATE },
      updatedAt: { type: DataTypes.DATE },
      metadata: { type: DataTypes.JSONB, defaultValue: {} },
    },
    { ...modelOptions(placement, 'Conversation', 'conversations'), underscored: true, timestamps: true },
  );
  return BoundConversation;
}
