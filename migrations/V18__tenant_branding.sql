-- A tenant's branding (issue 26, item 2): name, primary colour, logo and support link the
-- console shows instead of "hookrelay". Checked by hookrelay_domain::branding before it
-- is stored; NULL: none.
ALTER TABLE tenants ADD COLUMN branding JSONB;
