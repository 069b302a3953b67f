//! The scratch database: created with a random name on the scratch server, dropped when the
//! value goes away, and also on Ctrl-C.

use crate::db::{self, Target};
use anyhow::{Context, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};

/// Scratch databases alive in this process, so that Ctrl-C can drop them.
static LIVE: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();
/// Set when Ctrl-C arrived: the handler is dropping the scratch databases and will end the
/// process; whatever the interrupted work reports meanwhile is moot.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C interrupted a replay (the process is about to exit with 130).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

pub struct Scratch {
    server: Target,
    pub name: String,
    pub target: Target,
}

impl Scratch {
    /// Creates an empty database on the server `scratch_url` points at.
    pub fn create(scratch_url: &str) -> Result<Scratch> {
        let server = Target::resolve(Some(scratch_url))?;
        install_handler();
        let name = format!("pgdrift_scratch_{}", random_suffix());
        let mut client = server
            .connect()
            .context("connecting to the scratch server")?;
        client
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0"))
            .map_err(|e| {
                anyhow::anyhow!(
                    "creating a scratch database on {}: {}; the --scratch-url role needs CREATEDB",
                    server.display,
                    db::describe_db_error(&e)
                )
            })?;
        LIVE.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((scratch_url.to_string(), name.clone()));
        let target = server.with_database(&name);
        Ok(Scratch {
            server,
            name,
            target,
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        drop_database(&self.server, &self.name);
        LIVE.lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(_, n)| n != &self.name);
    }
}

fn drop_database(server: &Target, name: &str) {
    if let Ok(mut client) = server.connect() {
        let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

/// On Ctrl-C, drop every live scratch database, then stop as interrupted.
fn install_handler() {
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            INTERRUPTED.store(true, Ordering::SeqCst);
            let live = LIVE.lock().map(|l| l.clone()).unwrap_or_default();
            for (url, name) in live {
                if let Ok(server) = Target::resolve(Some(&url)) {
                    drop_database(&server, &name);
                }
            }
            crate::progress::clear();
            eprintln!("interrupted: the scratch database was dropped");
            std::process::exit(130);
        });
    });
}

/// 16 hexadecimal digits from the system's random source (time and process id without one).
fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if filled.is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = ((nanos as u64) ^ u64::from(std::process::id()) << 32).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
