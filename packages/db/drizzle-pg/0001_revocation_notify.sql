-- Every instance LISTENs on tessera_revocations: a session that ends is announced at commit
-- (payload: "<session id> <revoked_at epoch ms>"), so other instances refuse its access tokens
-- at once instead of at their next poll.
CREATE FUNCTION tessera_notify_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tessera_revocations', NEW.id || ' ' || NEW.revoked_at);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER sessions_revocation_notify
  AFTER UPDATE OF revoked_at ON sessions
  FOR EACH ROW
  WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION tessera_notify_revocation();
