-- What a confirm claimed (key, amounts, method summary), so a claim orphaned by a crash can be
-- settled by the background worker: recorded if the processor knows the charge, released if not.
ALTER TABLE sessions ADD COLUMN claim_json TEXT;
