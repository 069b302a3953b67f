-- Comments on the objects of the managed schemas ($1), for every kind pgdrift reads:
-- relations and their columns (objsubid = attnum), constraints, policies, triggers, rules,
-- routines, types, collations, operators, and event triggers whose function is in one of
-- them. The catalog column says which oid space objoid belongs to.
SELECT 'pg_class' AS catalog, d.objoid, d.objsubid, d.description
  FROM pg_description d
  JOIN pg_class c ON c.oid = d.objoid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE d.classoid = 'pg_class'::regclass AND n.nspname = ANY($1)
UNION ALL
SELECT 'pg_constraint', d.objoid, d.objsubid, d.description
  FROM pg_description d
  JOIN pg_constraint con ON con.oid = d.objoid
  JOIN pg_namespace n ON n.oid = con.connamespace
 WHERE d.classoid = 'pg_constraint'::regclass AND n.nspname = ANY($1)
UNION ALL
SELECT 'pg_policy', d.objoid, d.objsubid, d.description
  FROM pg_description d
  JOIN pg_policy p ON p.oid = d.objoid
  JOIN pg_class c ON c.oid = p.polrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE d.classoid = 'pg_policy'::regclass AND n.nspname = ANY($1)
UNION ALL
SELECT 'pg_trigger', d.objoid, d.objsubid, d.description
  FROM pg_description d
  JOIN pg_trigger t ON t.oid = d.objoid
  JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE d.classoid = 'pg_trigger'::regclass AND n.nspname = ANY($1)
UNION ALL
SELECT 'pg_rewrite', d.objoid, d.objsubid, d.description
  FROM pg_description d
  JOIN pg_rewrite r ON r.oid = d.objoid
  JOIN pg_class c ON c.oid = r.ev_class
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE d.classoid = 'pg_rewrite'::regclass AND n.nspname = ANY($1)
UNION ALL
SELECT 'pg_proc', d.objoid, d.objsubid, d.description
  FROM pg_description d
  JOIN pg_proc p ON p.oid = d.objoid
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE d.classoid = 'pg_proc'::regclass AND n.nspname = ANY($1)
UNION ALL
SELECT 'pg_type', d.objoid, d.objsubid, d.description
  FROM pg_description d
  JOIN pg_type t ON t.oid = d.objoid
  JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE d.classoid = 'pg_type'::regclass AND n.nspname = ANY($1)
UNION ALL
SELECT 'pg_collation', d.objoid, d.objsubid, d.description
  FROM pg_description d
  JOIN pg_collation c ON c.oid = d.objoid
  JOIN pg_namespace n ON n.oid = c.collnamespace
 WHERE d.classoid = 'pg_collation'::regclass AND n.nspname = ANY($1)
UNION ALL
SELECT 'pg_operator', d.objoid, d.objsubid, d.description
  FROM pg_description d
  JOIN pg_operator o ON o.oid = d.objoid
  JOIN pg_namespace n ON n.oid = o.oprnamespace
 WHERE d.classoid = 'pg_operator'::regclass AND n.nspname = ANY($1)
UNION ALL
SELECT 'pg_event_trigger', d.objoid, d.objsubid, d.description
  FROM pg_description d
  JOIN pg_event_trigger t ON t.oid = d.objoid
  JOIN pg_proc p ON p.oid = t.evtfoid
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE d.classoid = 'pg_event_trigger'::regclass AND n.nspname = ANY($1)
