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
import type { ReceiptItem } from './receipt-item.js';
import type { User } from './user.js';
import type { DateOnlyString, DecimalString, JsonObject } from './types.js';

/** A row of `receipts`: one shopping receipt, usually read by OCR. */
export class Receipt extends Model<InferAttributes<Receipt>, InferCreationAttributes<Receipt>> {
  declare id: CreationOptional<string>;
  declare userId: ForeignKey<User['id']> | null;
  declare storeName: string | null;
  /** NUMERIC(10,2), not negative. */
  declare totalAmount: DecimalString | null;
  declare purchaseDate: DateOnlyString | null;
  declare receiptDate: CreationOptional<Date>;
  declare imagePath: string | null;
  /** Between 0 and 1. */
  declare ocrConfidence: number | null;
  declare metadata: CreationOptional<JsonObject>;
  declare conversationId: ForeignKey<Conversation['id']> | null;

  declare user?: NonAttribute<User>;
  declare items?: NonAttribute<ReceiptItem[]>;
  declare conversation?: NonAttribute<Conversation>;
}

/** @internal */
export function initReceipt(placement: ModelPlacement): typeof Receipt {
  class BoundReceipt extends Receipt {}
  BoundReceipt.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      userId: { type: DataTypes.UUID, allowNull: true },
      storeName: { type: DataTypes.STRING(255), allowNull: true },
      totalAmount: { type: DataTypes.DECIMAL(10, 2), allowNull: true },
      purchaseDate: { type: DataTypes.DATEONLY, allowNull: true },
      receiptDate: { type: DataTypes.DATE, defaultValue: DataTypes.NOW },
      imagePath: { type: DataTypes.STRING(500), allowNull: true },
      ocrConfidence: { type: DataTypes.DOUBLE, allowNull: true },
      metadata: { type: DataTypes.JSONB, defaultValue: {} },
      conversationId: { type: DataTypes.UUID, allowNull: true },
    },
    { ...modelOptions(placement, 'Receipt', 'receipts'), underscored: true, timestamps: false },
  );
  return BoundReceipt;
}
