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
import type { Product } from './product.js';
import type { ReceiptItem } from './receipt-item.js';
import type { User } from './user.js';
import type { DateKind, DateOnlyString, DecimalString } from './types.js';

/** A row of `pantry_items`: one lot of a product in a user's pantry. */
export class PantryItem extends Model<InferAttributes<PantryItem>, InferCreationAttributes<PantryItem>> {
  declare id: CreationOptional<string>;
  declare userId: ForeignKey<User['id']> | null;
  declare productId: ForeignKey<Product['id']> | null;
  /** Exact NUMERIC (migration 0007), not negative. */
  declare quantity: DecimalString | null;
  declare unit: string | null;
  declare expiryDate: DateOnlyString | null;
  declare addedDate: CreationOptional<Date>;
  declare notes: string | null;
  /** When the lot was bought (from its receipt), which starts its shelf life. */
  declare purchaseDate: DateOnlyString | null;
  /** When the lot was opened; an opened lot is used first and may keep for less. */
  declare openedAt: Date | null;
  /** Price per `unit`, NUMERIC(12,4): what a wasted or consumed part of the lot was worth. */
  declare unitPrice: DecimalString | null;
  declare storeName: string | null;
  /** The receipt line this lot was stocked from. */
  declare receiptItemId: ForeignKey<ReceiptItem['id']> | null;
  /**
   * What `expiryDate` means: `best_before` (past it, the lot is overdue but still usable) or `use_by`
   * (past it, the lot is expired). Default: the product's `storage_info.dateKind`, else `use_by`.
   */
  declare dateKind: CreationOptional<DateKind>;

  declare user?: NonAttribute<User>;
  declare product?: NonAttribute<Product>;
}

/** @internal */
export function initPantryItem(placement: ModelPlacement): typeof PantryItem {
  class BoundPantryItem extends PantryItem {}
  BoundPantryItem.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      userId: { type: DataTypes.UUID, allowNull: true },
      productId: { type: DataTypes.UUID, allowNull: true },
      quantity: { type: DataTypes.DECIMAL, allowNull: true },
      unit: { type: DataTypes.STRING(50), allowNull: true },
      expiryDate: { type: DataTypes.DATEONLY, allowNull: true },
      addedDate: { type: DataTypes.DATE, defaultValue: DataTypes.NOW },
      notes: { type: DataTypes.TEXT, allowNull: true },
      purchaseDate: { type: DataTypes.DATEONLY, allowNull: true },
      openedAt: { type: DataTypes.DATE, allowNull: true },
      unitPrice: { type: DataTypes.DECIMAL(12, 4), allowNull: true },
      storeName: { type: DataTypes.STRING(255), allowNull: true },
      receiptItemId: { type: DataTypes.UUID, allowNull: true },
      dateKind: { type: DataTypes.STRING(12), allowNull: false },
    },
    { ...modelOptions(placement, 'PantryItem', 'pantryItems'), underscored: true, timestamps: false },
  );
  return BoundPantryItem;
}
