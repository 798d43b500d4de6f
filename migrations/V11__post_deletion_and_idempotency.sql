-- Publications like seed 002: a post not yet published can be deleted (it stays, as
-- `deleted`, and `post.deleted` announces it); posts take an Idempotency-Key like events.
ALTER TABLE posts DROP CONSTRAINT IF EXISTS posts_status_check;
ALTER TABLE posts ADD CONSTRAINT posts_status_check
    CHECK (status IN ('pending', 'published', 'failed', 'deleted'));
ALTER TABLE posts ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX posts_idempotency ON posts (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
