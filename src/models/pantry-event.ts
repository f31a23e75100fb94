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
import type { PantryItem } from './pantry-item.js';
import type { Product } from './product.js';
import type { ReceiptItem } from './receipt-item.js';
import type { Recipe } from './recipe.js';
import type { User } from './user.js';
import type { DateOnlyString, DateStatus, DecimalString } from './types.js';

/** What happened to a pantry lot. */
export const PANTRY_EVENT_TYPES = ['added', 'consumed', 'wasted', 'opened', 'adjusted'] as const;
export type PantryEventType = (typeof PANTRY_EVENT_TYPES)[number];
/** Why food was thrown away. */
export const WASTE_REASONS = ['expired', 'spoiled', 'leftover', 'other'] as const;
export type WasteReason = (typeof WASTE_REASONS)[number];

/** A row of `pantry_events`: the journal of every change to a pantry lot. */
export class PantryEvent extends Model<InferAttributes<PantryEvent>, InferCreationAttributes<PantryEvent>> {
  declare id: CreationOptional<string>;
  declare userId: ForeignKey<User['id']>;
  declare pantryItemId: ForeignKey<PantryItem['id']> | null;
  declare productId: ForeignKey<Product['id']> | null;
  declare eventType: PantryEventType;
  /** In the lot's unit; negative only for an adjustment down. */
  declare quantity: DecimalString;
  declare unit: string | null;
  /** Money value where known, NUMERIC(10,2). */
  declare value: DecimalString | null;
  declare wasteReason: WasteReason | null;
  declare receiptItemId: ForeignKey<ReceiptItem['id']> | null;
  declare recipeId: ForeignKey<Recipe['id']> | null;
  declare previousQuantity: DecimalString | null;
  declare previousExpiryDate: DateOnlyString | null;
  declare previousOpenedAt: Date | null;
  declare undoneAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  /** The lot's date status when the event was written: `fresh`, `overdue` (best-before passed) or `expired` (use-by passed). */
  declare dateStatus: DateStatus | null;

  declare pantryItem?: NonAttribute<PantryItem>;
}

/** @internal */
export function initPantryEvent(placement: ModelPlacement): typeof PantryEvent {
  class BoundPantryEvent extends PantryEvent {}
  BoundPantryEvent.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      userId: { type: DataTypes.UUID, allowNull: false },
      pantryItemId: { type: DataTypes.UUID, allowNull: true },
      productId: { type: DataTypes.UUID, allowNull: true },
      eventType: { type: DataTypes.STRING(20), allowNull: false },
      quantity: { type: DataTypes.DECIMAL, allowNull: false },
      unit: { type: DataTypes.STRING(50), allowNull: true },
      value: { type: DataTypes.DECIMAL(10, 2), allowNull: true },
      wasteReason: { type: DataTypes.STRING(20), allowNull: true },
      receiptItemId: { type: DataTypes.UUID, allowNull: true },
      recipeId: { type: DataTypes.UUID, allowNull: true },
      previousQuantity: { type: DataTypes.DECIMAL, allowNull: true },
      previousExpiryDate: { type: DataTypes.DATEONLY, allowNull: true },
      previousOpenedAt: { type: DataTypes.DATE, allowNull: true },
      undoneAt: { type: DataTypes.DATE, allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      dateStatus: { type: DataTypes.STRING(10), allowNull: true },
    },
    {
      ...modelOptions(placement, 'PantryEvent', 'pantryEvents'),
      underscored: true,
      timestamps: true,
      updatedAt: false,
    },
  );
  return BoundPantryEvent;
}
