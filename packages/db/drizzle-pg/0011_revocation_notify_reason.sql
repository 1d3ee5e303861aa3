-- The revocation announcement also says why the session ended (its revoked_reason, one word),
-- so every instance can tell the client what happened (`data.sessionEnd`), not only that it did.
-- Payload: "<session id> <revoked_at epoch ms> <revoked_reason>"; an instance from before this
-- migration reads the first two and ignores the rest.
CREATE OR REPLACE FUNCTION tessera_notify_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tessera_revocations', NEW.id || ' ' || NEW.revoked_at || ' ' || coalesce(NEW.revoked_reason, ''));
  RETURN NULL;
END;
$$;
