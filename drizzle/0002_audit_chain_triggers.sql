-- The audit log is append-only and hash-chained: each row's hash covers the previous row's hash and
-- its own content, computed here in the database so no writer can skip or forge a link.
CREATE FUNCTION gathering_audit_hash(
  prev_hash text, id bigint, project_id uuid, actor_user_id uuid, action text, target text, metadata jsonb, ip text, created_at timestamptz
) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws(E'\x1f',
    coalesce(prev_hash, ''), id::text, coalesce(project_id::text, ''), coalesce(actor_user_id::text, ''), action,
    coalesce(target, ''), metadata::text, coalesce(ip, ''),
    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
  ), 'UTF8')), 'hex')
$$;
--> statement-breakpoint
CREATE FUNCTION gathering_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- One writer at a time, and the id taken under the lock, so id order is chain order.
  PERFORM pg_advisory_xact_lock(7264002);
  NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
  NEW.created_at := coalesce(NEW.created_at, now());
  SELECT hash INTO NEW.prev_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  NEW.hash := gathering_audit_hash(NEW.prev_hash, NEW.id, NEW.project_id, NEW.actor_user_id, NEW.action, NEW.target, NEW.metadata, NEW.ip, NEW.created_at);
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION gathering_audit_chain();
--> statement-breakpoint
CREATE FUNCTION gathering_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION gathering_audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION gathering_audit_refuse_change();
--> statement-breakpoint
-- Rate-limit counters are worth nothing after a crash; skipping the WAL makes every hit cheaper.
ALTER TABLE rate_limit_buckets SET UNLOGGED;
