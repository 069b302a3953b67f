-- =====================================================================
-- A synthetic Supabase-shaped production of N tables in schema public,
-- for measuring pgdrift on a database the size of a large real project.
--
-- Run it on an empty database (one created from template0), e.g.
--
--   createdb -T template0 pgdrift_synthetic
--   psql -X -q -v ON_ERROR_STOP=1 -v n=1000 -f .ci/synthetic.sql \
--        postgres://postgres@127.0.0.1:5432/pgdrift_synthetic >/dev/null
--
-- n defaults to 1000. The result depends on n only: the same n always
-- builds the same schema (no data rows are inserted).
--
-- What it builds:
--   * the roles anon, authenticated and service_role, when the server
--     lacks them (roles are cluster-wide: they are created, never dropped);
--   * one trigger function, public.set_updated_at(), shared by all tables;
--   * tables public.t00001 .. public.tNNNNN (the number is zero-padded to
--     five digits), each with
--       id          uuid PRIMARY KEY DEFAULT gen_random_uuid()
--       name        text NOT NULL
--       code        text, UNIQUE (constraint tNNNNN_code_key)
--       quantity    integer
--       price       numeric(12,2)
--       active      boolean NOT NULL DEFAULT false
--       data        jsonb NOT NULL DEFAULT '{}'
--       owner_id    uuid
--       parent_id   uuid REFERENCES the previous table (not on t00001)
--       next_id     uuid, only on every 10th table (t00001, t00011, ...)
--                   whose table five later exists
--       created_at  timestamptz NOT NULL DEFAULT now()
--       updated_at  timestamptz NOT NULL DEFAULT now()
--     a named CHECK (tNNNNN_amounts_nonnegative: price and quantity are not
--     negative), a partial index on (name) WHERE active, row level security with two
--     policies (SELECT to authenticated, INSERT with a WITH CHECK), a
--     BEFORE UPDATE trigger calling public.set_updated_at(), a table
--     comment, and grants (SELECT to anon; ALL to authenticated and
--     service_role);
--   * after all tables exist, a foreign key from every next_id to the table
--     five later, added with ALTER TABLE. With the parent_id chain back
--     down, each one closes a cycle (t00001 -> t00006 -> t00005 -> ... ->
--     t00001), so no order of CREATE TABLE statements satisfies every
--     foreign key.
--
-- Each table is one round trip (format() + \gexec), and each runs in its
-- own transaction: one transaction over 10,000 tables would run out of
-- the server's lock table.
-- =====================================================================

\set ON_ERROR_STOP on
\if :{?n}
\else
  \set n 1000
\endif

-- API roles, as a Supabase project has them before its first migration.
-- Another session may create the same role meanwhile; that is fine.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES ('anon', ''), ('authenticated', ''), ('service_role', ' BYPASSRLS')) AS v(name, extra) LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT%s', r.name, r.extra);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
    END IF;
  END LOOP;
END
$$;

CREATE FUNCTION public.set_updated_at() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

-- The tables. %1$s is the table's name, %2$s its parent_id column (empty
-- on the first table), %3$s its next_id column (empty on most tables).
SELECT format($f$
  CREATE TABLE public.%1$s (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    code text,
    quantity integer,
    price numeric(12,2),
    active boolean NOT NULL DEFAULT false,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    owner_id uuid,%2$s%3$s
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT %1$s_code_key UNIQUE (code),
    CONSTRAINT %1$s_amounts_nonnegative CHECK (price >= 0 AND quantity >= 0)
  );
  CREATE INDEX %1$s_active_name_idx ON public.%1$s (name) WHERE active;
  ALTER TABLE public.%1$s ENABLE ROW LEVEL SECURITY;
  CREATE POLICY "Authenticated users can read %1$s" ON public.%1$s
    FOR SELECT TO authenticated
    USING (active OR owner_id = nullif(current_setting('request.jwt.claim.sub', true), '')::uuid);
  CREATE POLICY "Users can insert their own %1$s" ON public.%1$s
    FOR INSERT TO authenticated
    WITH CHECK (owner_id = nullif(current_setting('request.jwt.claim.sub', true), '')::uuid);
  CREATE TRIGGER %1$s_set_updated_at BEFORE UPDATE ON public.%1$s
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
  COMMENT ON TABLE public.%1$s IS 'Synthetic table %4$s of %5$s';
  GRANT SELECT ON public.%1$s TO anon;
  GRANT ALL ON public.%1$s TO authenticated, service_role;$f$,
  't' || lpad(i::text, 5, '0'),
  CASE WHEN i > 1
    THEN format(E'\n    parent_id uuid REFERENCES public.t%s (id) ON DELETE CASCADE,', lpad((i - 1)::text, 5, '0'))
    ELSE '' END,
  CASE WHEN i % 10 = 1 AND i + 5 <= :'n'::int
    THEN E'\n    next_id uuid,'
    ELSE '' END,
  i, :'n'::int)
FROM generate_series(1, :'n'::int) AS i
ORDER BY i
\gexec

-- Foreign keys that point forward, once both ends exist.
SELECT format(
  'ALTER TABLE public.%1$s ADD CONSTRAINT %1$s_next_id_fkey FOREIGN KEY (next_id) REFERENCES public.%2$s (id) ON DELETE SET NULL',
  't' || lpad(i::text, 5, '0'), 't' || lpad((i + 5)::text, 5, '0'))
FROM generate_series(1, :'n'::int) AS i
WHERE i % 10 = 1 AND i + 5 <= :'n'::int
ORDER BY i
\gexec
