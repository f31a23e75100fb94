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
import type { Category } from './category.js';
import type { Product } from './product.js';
import type { Receipt } from './receipt.js';
import type { DecimalString } from './types.js';

/** A row of `receipt_items`: one printed line of a receipt. Prices may be negative (discounts). */
export class ReceiptItem extends Model<InferAttributes<ReceiptItem>, InferCreationAttributes<ReceiptItem>> {
  declare id: CreationOptional<string>;
  declare receiptId: ForeignKey<Receipt['id']> | null;
  declare productName: string;
  /** NUMERIC(10,3), default 1: weighed goods sell in fractions (decision 3). */
  declare quantity: CreationOptional<DecimalString | null>;
  declare unitPrice: DecimalString | null;
  declare totalPrice: DecimalString | null;
  declare categoryId: ForeignKey<Category['id']> | null;
  declare createdAt: CreationOptional<Date>;
  declare productId: ForeignKey<Product['id']> | null;
  declare unit: string | null;

  declare receipt?: NonAttribute<Receipt>;
  declare product?: NonAttribute<Product>;
  declare category?: NonAttribute<Category>;
}

/** @internal */
export function initReceiptItem(placement: ModelPlacement): typeof ReceiptItem {
  class BoundReceiptItem extends ReceiptItem {}
  BoundReceiptItem.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      receiptId: { type: DataTypes.UUID, allowNull: true },
      productName: { type: DataTypes.STRING(255), allowNull: false },
      quantity: { type: DataTypes.DECIMAL(10, 3), allowNull: true, defaultValue: '1' },
      unitPrice: { type: DataTypes.DECIMAL(10, 2), allowNull: true },
      totalPrice: { type: DataTypes.DECIMAL(10, 2), allowNull: true },
      categoryId: { type: DataTypes.UUID, allowNull: true },
      createdAt: { type: DataTypes.DATE },
      productId: { type: DataTypes.UUID, allowNull: true },
      unit: { type: DataTypes.STRING(50), allowNull: true },
    },
    {
      ...modelOptions(placement, 'ReceiptItem', 'receiptItems'),
      underscored: true,
      timestamps: true,
      updatedAt: false,
    },
  );
  return BoundReceiptItem;
}
