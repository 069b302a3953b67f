//! Connecting to production: URL, `DATABASE_URL` or libpq's `PG*` variables, TLS with
//! libpq's `sslmode` semantics, and one read-only snapshot for all reading.

use crate::progress::Progress;
use anyhow::{bail, Context, Result};
use postgres::config::SslMode as PgSslMode;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, IsolationLevel, NoTls, Row, Transaction};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one catalog statement may run before the server cancels it, unless
/// `--statement-timeout` says otherwise.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(120);

/// libpq's `sslmode` values. `allow` is read as `prefer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => bail!(
                "unknown sslmode `{other}`: use disable, prefer, require, verify-ca or verify-full"
            ),
        })
    }
}

/// A resolved connection target: the driver's config plus the TLS settings the driver
/// does not understand itself.
pub struct Target {
    config: Config,
    ssl_mode: SslMode,
    root_cert: Option<PathBuf>,
    /// What to show the user: the URL without its password.
    pub display: String,
}

impl Target {
    /// Resolves `--db-url`, else `DATABASE_URL`, else the `PG*` variables.
    pub fn resolve(db_url: Option<&str>) -> Result<Self> {
        let from_env = std::env::var("DATABASE_URL")
            .ok()
            .filter(|s| !s.trim().is_empty());
        let url = db_url.map(str::to_string).or(from_env);
        let (mut config, mut ssl_mode, mut root_cert) = match &url {
            Some(url) => parse_url(url)?,
            None => (Config::new(), None, None),
        };
        apply_env_defaults(&mut config)?;
        if ssl_mode.is_none() {
            ssl_mode = env("PGSSLMODE").map(|m| SslMode::parse(&m)).transpose()?;
        }
        if root_cert.is_none() {
            root_cert = env("PGSSLROOTCERT").map(PathBuf::from);
        }
        if config.get_password().is_none() {
            if let Some(password) = env("PGPASSWORD").or_else(|| pgpass_lookup(&config)) {
                config.password(password);
            }
        }
        config.application_name("pgdrift");
        config.connect_timeout(Duration::from_secs(10));
        let display = describe(&config);
        Ok(Target {
            config,
            ssl_mode: ssl_mode.unwrap_or(SslMode::Prefer),
            root_cert,
            display,
        })
    }

    /// The same server and settings, another database.
    pub fn with_database(&self, name: &str) -> Target {
        let mut config = self.config.clone();
        config.dbname(name);
        Target {
            display: describe(&config),
            config,
            ssl_mode: self.ssl_mode,
            root_cert: self.root_cert.clone(),
        }
    }

    /// `host:port` of the server.
    pub fn server(&self) -> String {
        format!("{}:{}", host_text(&self.config), port_of(&self.config))
    }

    /// Opens the connection, with TLS as `sslmode` asks.
    pub fn connect(&self) -> Result<Client> {
        let mut config = self.config.clone();
        let result = if self.ssl_mode == SslMode::Disable {
            config.ssl_mode(PgSslMode::Disable);
            config.connect(NoTls)
        } else {
            config.ssl_mode(if self.ssl_mode == SslMode::Prefer {
                PgSslMode::Prefer
            } else {
                PgSslMode::Require
            });
            config.connect(self.tls_connector()?)
        };
        result.map_err(|e| anyhow::anyhow!("{}", explain_connect_error(&e, &self.display)))
    }

    fn tls_connector(&self) -> Result<postgres_native_tls::MakeTlsConnector> {
        let mut builder = native_tls::TlsConnector::builder();
        let root = match (&self.root_cert, self.ssl_mode) {
            (Some(path), _) => Some(path.clone()),
            (None, SslMode::VerifyCa | SslMode::VerifyFull) => {
                let default = home_dir().map(|h| h.join(".postgresql/root.crt"));
                match default.filter(|p| p.exists()) {
                    Some(p) => Some(p),
                    None => bail!(
                        "sslmode={} needs the server's root certificate: add sslrootcert=PATH to the URL or set PGSSLROOTCERT",
                        if self.ssl_mode == SslMode::VerifyCa { "verify-ca" } else { "verify-full" }
                    ),
                }
            }
            (None, _) => None,
        };
        // libpq: `require` with a root certificate behaves like `verify-ca`.
        let verify = match self.ssl_mode {
            SslMode::VerifyCa | SslMode::VerifyFull => true,
            SslMode::Require => root.is_some(),
            _ => false,
        };
        if let Some(path) = root.as_ref().filter(|_| verify) {
            let pem = std::fs::read(path)
                .with_context(|| format!("reading the root certificate {}", path.display()))?;
            let cert = native_tls::Certificate::from_pem(&pem)
                .with_context(|| format!("reading the root certificate {}", path.display()))?;
            builder.add_root_certificate(cert);
            builder.disable_built_in_roots(true);
        }
        if !verify {
            builder.danger_accept_invalid_certs(true);
        }
        if self.ssl_mode != SslMode::VerifyFull {
            builder.danger_accept_invalid_hostnames(true);
        }
        let connector = builder.build().context("setting up TLS")?;
        Ok(postgres_native_tls::MakeTlsConnector::new(connector))
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn home_dir() -> Option<PathBuf> {
    env("HOME").map(PathBuf::from)
}

/// Splits the TLS parameters the driver does not know (`sslmode=verify-ca`,
/// `sslrootcert`) off a URL or `key=value` string, and parses the rest.
fn parse_url(url: &str) -> Result<(Config, Option<SslMode>, Option<PathBuf>)> {
    let mut ssl_mode = None;
    let mut root_cert = None;
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut parsed = url::Url::parse(url)
            .map_err(|e| anyhow::anyhow!("the database URL is not valid ({e}): expected postgres://user:password@host:port/database"))?;
        let mut kept = Vec::new();
        for (key, value) in parsed.query_pairs() {
            match key.as_ref() {
                "sslmode" => ssl_mode = Some(SslMode::parse(&value)?),
                "sslrootcert" => root_cert = Some(PathBuf::from(value.as_ref())),
                "sslcert" | "sslkey" | "application_name" => {}
                _ => kept.push((key.into_owned(), value.into_owned())),
            }
        }
        if kept.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(kept);
        }
        parsed.to_string()
    } else {
        let mut kept = Vec::new();
        for pair in url.split_whitespace() {
            match pair.split_once('=') {
                Some(("sslmode", v)) => ssl_mode = Some(SslMode::parse(v.trim_matches('\''))?),
                Some(("sslrootcert", v)) => root_cert = Some(PathBuf::from(v.trim_matches('\''))),
                Some(("sslcert" | "sslkey" | "application_name", _)) => {}
                _ => kept.push(pair),
            }
        }
        kept.join(" ")
    };
    let config: Config = rest.parse().map_err(|e| {
        anyhow::anyhow!(
            "the database URL is not valid ({e}): expected postgres://user:password@host:port/database"
        )
    })?;
    Ok((config, ssl_mode, root_cert))
}

/// Fills what the URL left out from `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, as libpq does.
fn apply_env_defaults(config: &mut Config) -> Result<()> {
    if config.get_hosts().is_empty() {
        let host = env("PGHOST").unwrap_or_else(|| {
            let socket_dir = "/var/run/postgresql";
            if Path::new(socket_dir).exists() {
                socket_dir.into()
            } else {
                "localhost".into()
            }
        });
        for h in host.split(',') {
            config.host(h);
        }
    }
    if config.get_ports().is_empty() {
        if let Some(port) = env("PGPORT") {
            let port = port
                .parse()
                .with_context(|| format!("PGPORT `{port}` is not a port number"))?;
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        let user = env("PGUSER")
            .or_else(|| env("USER"))
            .unwrap_or_else(|| "postgres".into());
        config.user(&user);
    }
    if config.get_dbname().is_none() {
        let db = env("PGDATABASE")
            .unwrap_or_else(|| config.get_user().unwrap_or("postgres").to_string());
        config.dbname(&db);
    }
    Ok(())
}

fn host_text(config: &Config) -> String {
    use postgres::config::Host;
    match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    }
}

fn port_of(config: &Config) -> u16 {
    config.get_ports().first().copied().unwrap_or(5432)
}

/// `postgres://user@host:port/db`: never the password.
fn describe(config: &Config) -> String {
    format!(
        "postgres://{}@{}:{}/{}",
        config.get_user().unwrap_or(""),
        host_text(config),
        port_of(config),
        config.get_dbname().unwrap_or("")
    )
}

/// Reads `PGPASSFILE` or `~/.pgpass`: `host:port:database:user:password`, `*` matches anything.
fn pgpass_lookup(config: &Config) -> Option<String> {
    let path = env("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| home_dir().map(|h| h.join(".pgpass")))?;
    if !private(&path) {
        // libpq's rule: a password file others can read is not trusted. Said once, however
        // many connections the command opens.
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| {
            eprintln!(
                "warning: password file {} has group or world access and was ignored: run chmod 0600 on it",
                path.display()
            )
        });
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let wanted = [
        host_text(config),
        port_of(config).to_string(),
        config.get_dbname().unwrap_or("").to_string(),
        config.get_user().unwrap_or("").to_string(),
    ];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = split_pgpass(line);
            if fields.len() < 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(&wanted)
                .all(|(f, w)| f == "*" || f == w || (w.starts_with('/') && f == "localhost"));
            matches.then(|| fields[4..].join(":"))
        })
}

/// Whether only its owner can read the file at `path` (true where modes do not exist, and
/// for a file that does not exist, which is simply not read).
fn private(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            return meta.permissions().mode() & 0o077 == 0;
        }
    }
    true
}

/// Splits a `.pgpass` line on `:`, honouring `\:` and `\\`.
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut().unwrap().extend(chars.next()),
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// One line that says what went wrong and what to do, without the password.
fn explain_connect_error(error: &postgres::Error, target: &str) -> String {
    if let Some(db) = error.as_db_error() {
        let hint = match db.code().code() {
            "28P01" | "28000" => {
                "check the user and password (--db-url, DATABASE_URL, PGPASSWORD or ~/.pgpass)"
            }
            "3D000" => "check the database name in the URL",
            "42501" => {
                "ask the database's owner to GRANT CONNECT ON DATABASE to this user, or \
                 connect as a user that has it"
            }
            _ => "check the connection settings",
        };
        return format!("cannot connect to {target}: {}; {hint}", db.message());
    }
    let mut cause = error.to_string();
    let mut tls = false;
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        cause = s.to_string();
        tls |= s.is::<native_tls::Error>();
        source = s.source();
    }
    let hint = if tls {
        "the TLS handshake failed: check sslmode and sslrootcert (in the URL, PGSSLMODE or PGSSLROOTCERT)"
    } else if cause == "password missing" {
        "the server asks for a password: give it in the URL, PGPASSWORD or ~/.pgpass (mode 0600)"
    } else {
        "is the server running, and are the host and port right (--db-url or DATABASE_URL)?"
    };
    format!("cannot connect to {target}: {cause}; {hint}")
}

/// A statement timeout as the user writes it: a number with `ms`, `s`, `min` or `h`
/// (seconds without a unit); `0` means no limit.
pub fn parse_timeout(text: &str) -> Result<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| {
        anyhow::anyhow!(
            "`{text}` is not a duration: write for example 90s, 10min or 1h (0 for no limit)"
        )
    })?;
    let millis = match unit.trim() {
        "ms" => Some(number),
        "" | "s" => number.checked_mul(1000),
        "min" => number.checked_mul(60_000),
        "h" => number.checked_mul(3_600_000),
        other => {
            bail!("unknown unit `{other}` in `{text}`: use ms, s, min or h (for example 10min)")
        }
    };
    // PostgreSQL takes at most i32::MAX milliseconds (about 24 days).
    match millis.filter(|m| *m <= i32::MAX as u64) {
        Some(m) => Ok(Duration::from_millis(m)),
        None => bail!("`{text}` is longer than PostgreSQL allows (about 24 days)"),
    }
}

/// A duration as `--statement-timeout` takes it: `500ms`, `90s`, `10min`, `2h`.
pub fn format_timeout(timeout: Duration) -> String {
    let millis = timeout.as_millis();
    match millis {
        0 => "0 (no limit)".into(),
        m if m % 3_600_000 == 0 => format!("{}h", m / 3_600_000),
        m if m % 60_000 == 0 => format!("{}min", m / 60_000),
        m if m % 1000 == 0 => format!("{}s", m / 1000),
        m => format!("{m}ms"),
    }
}

/// A `REPEATABLE READ READ ONLY` transaction: every catalog query sees one consistent state,
/// and nothing can be written. Statements use the unnamed prepared statement only, so the
/// snapshot works through a transaction-mode pooler.
pub struct Snapshot<'a> {
    tx: Transaction<'a>,
    queries: usize,
    timeout: Duration,
    /// Advanced by every query: a spinner while a catalog is read, else hidden.
    progress: Progress,
}

impl<'a> Snapshot<'a> {
    /// A snapshot whose statements the server cancels after `timeout` (zero: never;
    /// `--statement-timeout`, else `STATEMENT_TIMEOUT`).
    pub fn begin(client: &'a mut Client, timeout: Duration) -> Result<Self> {
        Self::start(client, timeout, None)
    }

    /// A snapshot on a second connection that sees exactly what the snapshot `exported`
    /// (`export`) sees, with the same limits, for as long as that one is open.
    pub fn join(client: &'a mut Client, timeout: Duration, exported: &str) -> Result<Self> {
        Self::start(client, timeout, Some(exported))
    }

    /// This snapshot's name, for `join`.
    pub fn export(&mut self) -> Result<String> {
        let rows = self.query("SELECT pg_catalog.pg_export_snapshot()", &[])?;
        let row = rows.first().context("the server named no snapshot")?;
        Ok(row.try_get(0)?)
    }

    fn start(client: &'a mut Client, timeout: Duration, joining: Option<&str>) -> Result<Self> {
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| anyhow::anyhow!("{}", explain_read_error(&e, timeout)))
            .context("starting a read-only transaction")?;
        // Joining a snapshot must come first in the transaction.
        let join = joining.map_or(String::new(), |name| {
            format!("SET TRANSACTION SNAPSHOT '{}'; ", name.replace('\'', "''"))
        });
        // The statement timeout is pgdrift's one limit: a lock_timeout set on the role
        // would fail the read as soon as a migration holds a lock for a moment, so it is
        // lifted here and waiting for a lock counts against the statement timeout.
        // A large catalog makes the planner's cost estimates cross the JIT thresholds,
        // and compiling a catalog query takes far longer than running it: JIT is off.
        // An empty search_path makes the server qualify every name it prints
        // (format_type, pg_get_*def), as pg_dump does.
        tx.batch_execute(&format!(
            "{join}SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = 0; \
             SET LOCAL jit = off; SET LOCAL search_path = pg_catalog",
            timeout.as_millis()
        ))
        .map_err(|e| anyhow::anyhow!("{}", explain_read_error(&e, timeout)))
        .context("setting up the read-only transaction")?;
        Ok(Snapshot {
            tx,
            queries: 0,
            timeout,
            progress: Progress::hidden(),
        })
    }

    /// Shows a spinner, `message` and the number of queries run, until `hide_progress` or
    /// the end of the snapshot.
    pub fn show_progress(&mut self, message: &'static str) {
        self.hide_progress();
        self.progress = Progress::spinner(message, "query");
    }

    /// Erases the spinner, if one is shown.
    pub fn hide_progress(&mut self) {
        self.progress = Progress::hidden();
    }

    /// Runs one query with typed parameters.
    pub fn query(&mut self, sql: &str, params: &[(&(dyn ToSql + Sync), Type)]) -> Result<Vec<Row>> {
        let mut rows = Vec::new();
        self.query_each(sql, params, |row| {
            rows.push(row);
            Ok(())
        })?;
        Ok(rows)
    }

    /// Runs one query with typed parameters and hands each row to `each` as it arrives: a
    /// large result is never held whole.
    pub fn query_each(
        &mut self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
        mut each: impl FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        self.queries += 1;
        self.progress.inc();
        let timeout = self.timeout;
        let explain = |e: postgres::Error| anyhow::anyhow!("{}", explain_read_error(&e, timeout));
        let mut rows = self
            .tx
            .query_typed_raw(sql, params.iter().map(|(value, ty)| (*value, ty.clone())))
            .map_err(explain)?;
        while let Some(row) = rows.next().map_err(explain)? {
            each(row)?;
        }
        Ok(())
    }

    /// Streams the output of a `COPY ... TO STDOUT` statement, in the snapshot.
    pub fn copy_out(&mut self, sql: &str) -> Result<postgres::CopyOutReader<'_>> {
        self.queries += 1;
        let timeout = self.timeout;
        self.tx
            .copy_out(sql)
            .map_err(|e| anyhow::anyhow!("{}", explain_read_error(&e, timeout)))
    }

    /// How many queries this snapshot has run.
    pub fn query_count(&self) -> usize {
        self.queries
    }

    /// Ends the transaction (nothing was written, so it rolls back).
    pub fn finish(self) -> Result<()> {
        let timeout = self.timeout;
        self.tx
            .rollback()
            .map_err(|e| anyhow::anyhow!("{}", explain_read_error(&e, timeout)))
            .context("ending the read-only transaction")
    }
}

/// What went wrong while reading, and what to do: a lost connection, a statement timeout
/// and an object dropped under pgdrift's feet each get their own advice; anything else is
/// the server's message.
fn explain_read_error(error: &postgres::Error, timeout: Duration) -> String {
    let Some(db) = error.as_db_error() else {
        return match io_cause(error) {
            Some(cause) => connection_lost(&cause),
            None if error.is_closed() => connection_lost(&error.to_string()),
            None => error.to_string(),
        };
    };
    let code = db.code().code();
    if code.starts_with("08") || matches!(db.severity(), "FATAL" | "PANIC") {
        return connection_lost(db.message());
    }
    match code {
        "57014" if db.message().contains("statement timeout") => format!(
            "a catalog query ran longer than the statement timeout of {} and the server \
             cancelled it: run pgdrift again when production is less busy (a migration holding \
             a lock on a table makes it wait), or raise the limit with --statement-timeout \
             (for example --statement-timeout 10min)",
            format_timeout(timeout)
        ),
        "57014" => format!(
            "the server cancelled a catalog query ({}): run pgdrift again",
            db.message()
        ),
        "XX000" if is_dropped_object(db.message()) => schema_changed(db.message()),
        _ => describe_db_error(error),
    }
}

fn connection_lost(cause: &str) -> String {
    format!(
        "the connection to the server was lost ({cause}): run pgdrift again, and check the \
         server (is it up, did it restart, does its log say why) if it keeps happening"
    )
}

/// The error for a catalog that changed while pgdrift read it: some server functions
/// (`pg_get_indexdef`, `pg_get_viewdef`, `format_type`...) see the latest state, not the
/// snapshot, and fail or come back empty for an object dropped since.
pub fn schema_changed(what: &str) -> String {
    format!(
        "the schema changed while pgdrift read it ({what}): run pgdrift again, when no \
         migration is running on production"
    )
}

/// The server's messages for an object that its catalog caches no longer know.
fn is_dropped_object(message: &str) -> bool {
    message.starts_with("cache lookup failed")
        || message.starts_with("could not open relation with OID")
}

/// The innermost I/O error behind a driver error, if any.
fn io_cause(error: &postgres::Error) -> Option<String> {
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io.to_string());
        }
        source = s.source();
    }
    None
}

/// The server's message, with detail and hint when it gives them.
pub fn describe_db_error(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => {
            let mut text = db.message().to_string();
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            if let Some(hint) = db.hint() {
                text.push_str(&format!("; {hint}"));
            }
            text
        }
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tls_parameters_the_driver_does_not_know() {
        let (config, mode, root) = parse_url(
            "postgres://u:secret@db.example:6543/app?sslmode=verify-ca&sslrootcert=/tmp/ca.pem",
        )
        .unwrap();
        assert_eq!(mode, Some(SslMode::VerifyCa));
        assert_eq!(root, Some(PathBuf::from("/tmp/ca.pem")));
        assert_eq!(config.get_dbname(), Some("app"));
        assert_eq!(config.get_ports(), &[6543]);
        assert_eq!(describe(&config), "postgres://u@db.example:6543/app");
    }

    #[test]
    fn reads_key_value_strings() {
        let (config, mode, _) = parse_url("host=h user=u dbname=d sslmode=require").unwrap();
        assert_eq!(mode, Some(SslMode::Require));
        assert_eq!(config.get_user(), Some("u"));
    }

    #[test]
    fn rejects_unknown_sslmode() {
        let err = parse_url("postgres://u@h/d?sslmode=bogus")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("unknown sslmode `bogus`"), "{err}");
    }

    #[test]
    fn timeouts_take_a_unit() {
        assert_eq!(parse_timeout("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_timeout("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_timeout("10min").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_timeout("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_timeout("0").unwrap(), Duration::ZERO);
        let err = parse_timeout("10 minutes").unwrap_err().to_string();
        assert!(err.contains("unknown unit `minutes`"), "{err}");
        assert!(parse_timeout("fast").is_err());
        assert!(parse_timeout("-5s").is_err());
        assert!(parse_timeout("30d").is_err());
        assert!(parse_timeout("1000h").is_err());
        assert_eq!(format_timeout(STATEMENT_TIMEOUT), "2min");
        assert_eq!(format_timeout(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_timeout(Duration::from_secs(90)), "90s");
    }

    #[test]
    fn splits_pgpass_lines() {
        assert_eq!(
            split_pgpass("h:5432:*:u:pa\\:ss:word"),
            ["h", "5432", "*", "u", "pa:ss:word"]
        );
    }
}
