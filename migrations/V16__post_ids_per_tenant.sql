-- Post ids are numbered per tenant (issue 24, item 7): with one global sequence any
-- tenant could count everyone's posts. A tenant's next id comes from post_counters; ids
-- already given stay as they are, and a tenant's numbering goes on above its highest.
-- Every lookup of a post was already by (tenant_id, id).
ALTER TABLE posts ALTER COLUMN id DROP IDENTITY;
ALTER TABLE posts DROP CONSTRAINT posts_pkey;
ALTER TABLE posts ADD PRIMARY KEY (tenant_id, id);
DROP INDEX posts_tenant;

CREATE TABLE post_counters (
    tenant_id  UUID PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    last_id    BIGINT NOT NULL
);
INSERT INTO post_counters (tenant_id, last_id)
SELECT tenant_id, max(id) FROM posts GROUP BY tenant_id;
