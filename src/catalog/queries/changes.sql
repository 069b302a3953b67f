-- Objects of the managed schemas ($1) that were dropped or renamed since the snapshot began.
--
-- The snapshot shows every catalog row as it was when the read began, but the server
-- functions the other queries call (pg_get_indexdef, pg_get_triggerdef, pg_get_viewdef,
-- pg_get_functiondef, format_type...) look names up in the latest catalog: after a rename,
-- an index's definition would name the table by its new name while the table keeps its old
-- one. The casts to regclass, regproc and regtype and pg_identify_object look names up the
-- same way, so a name that differs from the snapshot's is a change made during the read.
-- A dropped object comes back as its bare oid (the casts), `???` (format_type) or no
-- identity at all. Array types are left out (format_type prints them as `element[]`), and
-- so are the columns of indexes, which keep the names they were built with.
--
-- A summary read ($2 false) reads no column and no trigger definition: their names are
-- not checked then.
SELECT o.snapshot_name, o.latest_name
  FROM (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS snapshot_name,
               c.oid::regclass::text AS latest_name
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY($1)
        UNION ALL
        SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname),
               (pg_identify_object('pg_class'::regclass, a.attrelid, a.attnum)).identity
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE $2
           AND n.nspname = ANY($1)
           AND c.relkind IN ('r', 'p', 'v', 'm', 'c', 'f')
           AND a.attnum > 0
           AND NOT a.attisdropped
        UNION ALL
        SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname), p.oid::regproc::text
          FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY($1)
        UNION ALL
        SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname), format_type(t.oid, NULL)
          FROM pg_type t
          JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = ANY($1)
           AND t.typcategory <> 'A'
        UNION ALL
        SELECT quote_ident(t.tgname) || ' on ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
               (pg_identify_object('pg_trigger'::regclass, t.oid, 0)).identity
          FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE $2 AND n.nspname = ANY($1)) AS o
 WHERE o.latest_name IS DISTINCT FROM o.snapshot_name
 LIMIT 1
