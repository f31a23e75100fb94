import type { Migration } from './migration.js';

/**
 * Best-before and use-by. A lot past its best-before date is overdue but still food; a lot past its
 * use-by date is expired. Each lot carries its kind, taken from its product's `storage_info.dateKind`
 * when not given (a trigger, so the library's writes and a host's SQL agree), else use-by, which is what
 * every existing lot meant. A journal entry records the lot's date status when it was written, so the
 * waste report can tell expired food from overdue food from fresh food thrown away.
 */
export const dateKinds: Migration = {
  name: '0006-date-kinds',
  up: /* sql */ `
ALTER TABLE pantry_items ADD COLUMN date_kind VARCHAR(12)
    CONSTRAINT pantry_items_date_kind_check CHECK (date_kind IN ('best_before', 'use_by'));
UPDATE pantry_items SET date_kind = 'use_by';
ALTER TABLE pantry_items ALTER COLUMN date_kind SET NOT NULL;

CREATE FUNCTION foodsave_lot_date_kind() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text;
BEGIN
    IF NEW.date_kind IS NULL THEN
        SELECT coalesce(storage_info->>'dateKind', storage_info->>'date_kind') INTO kind FROM products WHERE id = NEW.product_id;
        NEW.date_kind := CASE WHEN kind IN ('best_before', 'use_by') THEN kind ELSE 'use_by' END;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER trg_pantry_items_date_kind BEFORE INSERT ON pantry_items
    FOR EACH ROW EXECUTE FUNCTION foodsave_lot_date_kind();

ALTER TABLE pantry_events ADD COLUMN date_status VARCHAR(10)
    CONSTRAINT pantry_events_date_status_check CHECK (date_status IN ('fresh', 'overdue', 'expired'));
`,
  down: /* sql */ `
ALTER TABLE pantry_events DROP COLUMN date_status;
DROP TRIGGER trg_pantry_items_date_kind ON pantry_items;
DROP FUNCTION foodsave_lot_date_kind();
ALTER TABLE pantry_items DROP COLUMN date_kind;
`,
};
