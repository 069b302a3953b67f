-- Event triggers whose function is in a managed schema ($1), without those that belong to
-- an extension. An event trigger belongs to the database, not to a schema: its function's
-- schema decides whether it is one of the managed objects.
SELECT t.oid,
       t.evtname::text AS name,
       t.evtevent::text AS event,
       COALESCE(t.evttags, '{}')::text[] AS tags,
       n.nspname::text AS function_schema,
       p.proname::text AS function_name,
       t.evtenabled AS enabled,
       pg_get_userbyid(t.evtowner)::text AS owner
  FROM pg_event_trigger t
  JOIN pg_proc p ON p.oid = t.evtfoid
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_event_trigger'::regclass AND e.objid = t.oid
                      AND e.deptype = 'e')
 ORDER BY t.evtname
