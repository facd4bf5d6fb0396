-- fundpool schema 12: storage shaped for bulk import (#15). Rows are unchanged; one index and one
-- trigger are redefined, so nothing the record log holds changes.

-- A probable duplicate (same book, same content, no external id) is looked up by book, date and
-- content digest. Keyed by the digest alone, every lookup and insert landed on a random page of
-- an index as large as the ledger (82 MiB at 1M vouchers), far beyond the page cache; with the
-- date first, an import in date order keeps to the pages of the days it is booking. The digest
-- covers the date, so equal digests have equal dates: the lookup finds what it found before.
DROP INDEX voucher_content;
CREATE INDEX voucher_content ON voucher(book_id, date, content_digest) WHERE external_id IS NULL;

-- A line may still not join a posted voucher, and a posted voucher may still not change, with
-- the same messages. RAISE(FAIL) instead of RAISE(ABORT): a refused one-row write has written
-- nothing either way, but a statement that may ABORT after writing makes SQLite keep a statement
-- journal — a copy of every page the statement touches, spilled to a temporary file past 64 KiB —
-- for every line of every import and every voucher reviewed or posted. fundpool's line inserts
-- and status updates say OR FAIL for the same reason. (A multi-row UPDATE stopped by the trigger
-- keeps the rows it changed before: none of them posted, each one a change it was allowed.)
DROP TRIGGER voucher_line_posted_no_insert;
CREATE TRIGGER voucher_line_posted_no_insert BEFORE INSERT ON voucher_line
WHEN (SELECT status FROM voucher WHERE id = NEW.voucher_id) = 'posted'
BEGIN SELECT RAISE(FAIL, 'lines of a posted voucher are immutable'); END;

DROP TRIGGER voucher_posted_no_update;
CREATE TRIGGER voucher_posted_no_update BEFORE UPDATE ON voucher WHEN OLD.status = 'posted'
BEGIN SELECT RAISE(FAIL, 'posted voucher is immutable: correct it with a red-ink reversal'); END;
