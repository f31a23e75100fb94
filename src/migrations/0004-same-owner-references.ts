import type { Migration } from './migration.js';

/**
 * A row may reference only rows of the same user: a receipt's conversation, a lot's receipt line, a
 * journal entry's lot and receipt line. Foreign keys check that the row exists; these triggers check
 * whose it is, for the library's statements and a host's hand-written SQL alike. A violation is raised
 * as a foreign-key violation (23503) naming the reference, so it reads exactly like a missing row:
 * another user's id and a random one are indistinguishable.
 */
export const sameOwnerReferences: Migration = {
  name: '0004-same-owner-references',
  up: /* sql */ `
CREATE FUNCTION foodsave_reject_foreign_reference(tbl text, ref_table text, ref_column text, ref_value uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', tbl, tbl || '_' || ref_column || '_fkey'
        USING ERRCODE = 'foreign_key_violation',
              CONSTRAINT = tbl || '_' || ref_column || '_fkey',
              TABLE = tbl,
              DETAIL = format('Key (%s)=(%s) is not present in table "%s" for the same user.', ref_column, ref_value, ref_table);
END $$;

CREATE FUNCTION foodsave_check_receipt_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.conversation_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM conversations c WHERE c.id = NEW.conversation_id AND c.user_id IS NOT DISTINCT FROM NEW.user_id) THEN
        PERFORM foodsave_reject_foreign_reference(TG_TABLE_NAME, 'conversations', 'conversation_id', NEW.conversation_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER trg_receipts_same_owner BEFORE INSERT OR UPDATE OF conversation_id, user_id ON receipts
    FOR EACH ROW EXECUTE FUNCTION foodsave_check_receipt_owner();

CREATE FUNCTION foodsave_check_receipt_line_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.receipt_item_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM receipt_items i JOIN receipts r ON r.id = i.receipt_id
         WHERE i.id = NEW.receipt_item_id AND r.user_id IS NOT DISTINCT FROM NEW.user_id) THEN
        PERFORM foodsave_reject_foreign_reference(TG_TABLE_NAME, 'receipt_items', 'receipt_item_id', NEW.receipt_item_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER trg_pantry_items_same_owner BEFORE INSERT OR UPDATE OF receipt_item_id, user_id ON pantry_items
    FOR EACH ROW EXECUTE FUNCTION foodsave_check_receipt_line_owner();

CREATE FUNCTION foodsave_check_pantry_event_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.pantry_item_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM pantry_items p WHERE p.id = NEW.pantry_item_id AND p.user_id IS NOT DISTINCT FROM NEW.user_id) THEN
        PERFORM foodsave_reject_foreign_reference(TG_TABLE_NAME, 'pantry_items', 'pantry_item_id', NEW.pantry_item_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER trg_pantry_events_same_owner BEFORE INSERT OR UPDATE OF pantry_item_id, user_id ON pantry_events
    FOR EACH ROW EXECUTE FUNCTION foodsave_check_pantry_event_owner();
CREATE TRIGGER trg_pantry_events_same_owner_line BEFORE INSERT OR UPDATE OF receipt_item_id, user_id ON pantry_events
    FOR EACH ROW EXECUTE FUNCTION foodsave_check_receipt_line_owner();
`,
  down: /* sql */ `
DROP TRIGGER trg_pantry_events_same_owner_line ON pantry_events;
DROP TRIGGER trg_pantry_events_same_owner ON pantry_events;
DROP FUNCTION foodsave_check_pantry_event_owner();
DROP TRIGGER trg_pantry_items_same_owner ON pantry_items;
DROP FUNCTION foodsave_check_receipt_line_owner();
DROP TRIGGER trg_receipts_same_owner ON receipts;
DROP FUNCTION foodsave_check_receipt_owner();
DROP FUNCTION foodsave_reject_foreign_reference(text, text, text, uuid);
`,
};
